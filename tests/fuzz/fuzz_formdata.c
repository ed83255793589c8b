/*
 * fuzz_formdata.c: the multipart check run before Kore 4.1's parser
 * (app/core/formdata.c) and the client-address rules (auth.c:
 * auth_proxies_parse(), auth_client_address()).
 *
 * The first byte picks a chunk size; the rest is a multipart body with the
 * boundary "XyZ".  Properties: no crash, no leak, no UB; the verdict, the
 * field named and the file found are the same whatever the chunking (the
 * body fed whole, and fed in pieces of 1 to 256 bytes); an accepted body
 * with a file has a name without ':', ';' or control characters and a
 * length within the body (a tab may be in the name: Kore keeps it and
 * the display name replaces it); a refusal names a field and says why.
 *
 * The same bytes, cut at the first NUL-free newline, are also a
 * ITF_TRUSTED_PROXIES list and an X-Forwarded-For value: the key is
 * always one of "local", "unknown", dotted IPv4 or an IPv6 "/64", and
 * with no proxies it is always the peer's.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "formdata.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "fuzz_formdata: %s:%d: %s\n", __FILE__,\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

static const char *const	fields[] = { "kind", "text",
				    "expenditure_cents", NULL };

static int
run(const uint8_t *d, size_t n, size_t step, struct formdata_scan *s,
    struct app_err *err)
{
	size_t	off, k;

	app_err_clear(err);
	if (!formdata_init(s, "multipart/form-data; boundary=XyZ", fields,
	    "file", err))
		return (0);
	for (off = 0; off < n; off += k) {
		k = step == 0 || n - off < step ? n - off : step;
		if (!formdata_feed(s, d + off, k, err))
			return (0);
	}
	return (formdata_end(s, err));
}

static void
addresses(const uint8_t *d, size_t n)
{
	struct auth_proxies	 px, none;
	struct app_err		 err;
	char			 list[512], xff[512], key[AUTH_ADDR_MAX];
	const char		*x[1];
	const uint8_t		*nl;
	unsigned char		 peer[16];
	size_t			 ln, i;
	int			 fam;

	nl = memchr(d, '\n', n);
	ln = nl == NULL ? n : (size_t)(nl - d);
	if (ln >= sizeof(list))
		ln = sizeof(list) - 1;
	memcpy(list, d, ln);
	list[ln] = '\0';
	for (i = 0; i < ln; i++) {
		if (list[i] == '\0')
			list[i] = ' ';
	}
	i = nl == NULL ? 0 : n - (size_t)(nl - d) - 1;
	if (i >= sizeof(xff))
		i = sizeof(xff) - 1;
	memcpy(xff, nl == NULL ? (const uint8_t *)"" : nl + 1, i);
	xff[i] = '\0';
	x[0] = xff;
	app_err_clear(&err);
	if (!auth_proxies_parse(list, "P", &px, &err)) {
		CHECK(err.msg[0] != '\0' && strcmp(err.field, "P") == 0);
		memset(&px, 0, sizeof(px));
		inet_pton(AF_INET, "127.0.0.1", &px.net[0].addr);
		px.net[0].family = AF_INET;
		px.net[0].bits = 8;
		px.n = 1;
	}
	memset(&none, 0, sizeof(none));
	memset(peer, 0, sizeof(peer));
	for (fam = 0; fam < 2; fam++) {
		if (fam == 0)
			inet_pton(AF_INET, "127.0.0.1", peer);
		else
			inet_pton(AF_INET6, "::1", peer);
		auth_client_address(&px, fam == 0 ? AF_INET : AF_INET6, peer,
		    x, 1, key, sizeof(key));
		CHECK(strlen(key) > 0 && strlen(key) < sizeof(key));
		CHECK(strcmp(key, "local") != 0);
		if (strchr(key, ':') != NULL)
			CHECK(strlen(key) > 3 &&
			    strcmp(key + strlen(key) - 3, "/64") == 0);
		else
			CHECK(strspn(key, "0123456789.") == strlen(key));
		/* No proxies: the peer, whatever the header says. */
		auth_client_address(&none, fam == 0 ? AF_INET : AF_INET6,
		    peer, x, 1, key, sizeof(key));
		CHECK(strcmp(key, fam == 0 ? "127.0.0.1" : "::/64") == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct formdata_scan	a, b;
	struct app_err			ea, eb;
	size_t				step, i;
	int				oka, okb;

	if (size < 1)
		return (0);
	step = 1 + data[0];
	data++;
	size--;
	oka = run(data, size, 0, &a, &ea);
	okb = run(data, size, step, &b, &eb);
	CHECK(oka == okb);
	if (!oka) {
		CHECK(ea.msg[0] != '\0' && ea.field[0] != '\0');
		CHECK(strcmp(ea.field, eb.field) == 0);
		CHECK(strcmp(ea.msg, eb.msg) == 0);
	} else {
		CHECK(a.has_file == b.has_file);
		if (a.has_file) {
			CHECK(a.file_len == b.file_len && a.file_len > 0 &&
			    a.file_len < size);
			CHECK(strcmp(a.filename, b.filename) == 0);
			CHECK(a.filename[0] != '\0');
			CHECK(strpbrk(a.filename, ":;\"") == NULL);
			for (i = 0; a.filename[i] != '\0'; i++)
				CHECK(((unsigned char)a.filename[i] >= 0x20 ||
				    a.filename[i] == '\t') &&
				    a.filename[i] != 0x7f);
		}
	}
	addresses(data, size);
	return (0);
}
