/*
 * test_formdata.c: formdata.c (the multipart check run before Kore 4.1's
 * parser) and the client-address rules of auth.c (ITF_TRUSTED_PROXIES and
 * X-Forwarded-For), both pure.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "formdata.h"

static const char *const	fields[] = { "text", "kind", NULL };

#define BND	"XyZ"
#define CT	"multipart/form-data; boundary=" BND

/*
 * Scan body (n bytes) fed in pieces of step bytes; 1 if accepted.  err
 * holds the refusal.
 */
static int
scan(const char *body, size_t n, size_t step, struct formdata_scan *s,
    struct app_err *err)
{
	size_t	off, k;

	app_err_clear(err);
	if (!formdata_init(s, CT, fields, "file", err))
		return (0);
	for (off = 0; off < n; off += k) {
		k = n - off < step ? n - off : step;
		if (!formdata_feed(s, (const unsigned char *)body + off, k,
		    err))
			return (0);
	}
	return (formdata_end(s, err));
}

/* Accepted, or refused naming field with msg in the message, at every
 * chunk size from 1 byte to the whole body. */
static void
expect(const char *body, size_t n, const char *field, const char *msg)
{
	struct formdata_scan	*s;
	struct app_err		 err;
	size_t			 step;
	int			 ok;

	s = test_malloc(sizeof(*s));
	for (step = 1; step <= n; step = step < 8 ? step + 1 : step * 2) {
		ok = scan(body, n, step, s, &err);
		if (field == NULL) {
			if (!ok)
				fail_msg("refused (step %zu): %s", step,
				    err.msg);
		} else {
			if (ok)
				fail_msg("accepted (step %zu), wanted %s", step,
				    field);
			assert_string_equal(err.field, field);
			if (strstr(err.msg, msg) == NULL)
				fail_msg("\"%s\" lacks \"%s\"", err.msg, msg);
		}
	}
	test_free(s);
}

#define PART(disp, data) "--" BND "\r\nContent-Disposition: " disp \
	"\r\n\r\n" data "\r\n"
#define END "--" BND "--\r\n"
#define S(x) x, sizeof(x) - 1

static void
test_formdata_accepts(void **state)
{
	struct formdata_scan	s;
	struct app_err		err;
	static const char	body[] = "preamble\r\n"
	    PART("form-data; name=\"text\"", "a report: with; colons")
	    PART("form-data; name=\"file\"; filename=\"r\xc3\xa9 (1).pdf\"",
	    "%PDF-\r\n--XyQ not quite\r\n-")
	    END;

	expect(S(body), NULL, NULL);
	assert_int_equal(scan(S(body), sizeof(body), &s, &err), 1);
	assert_int_equal(s.has_file, 1);
	assert_string_equal(s.filename, "r\xc3\xa9 (1).pdf");
	assert_int_equal(s.file_len, strlen("%PDF-\r\n--XyQ not quite\r\n-"));
	/* A browser's empty file input: no file. */
	expect(S(PART("form-data; name=\"file\"; filename=\"\"", "") END),
	    NULL, NULL);
	assert_int_equal(scan(S(PART("form-data; name=\"file\"; "
	    "filename=\"\"", "") END), 100, &s, &err), 1);
	assert_int_equal(s.has_file, 0);
	/* No parts at all; a self-overlapping boundary. */
	expect(S(END), NULL, NULL);
}

static void
test_formdata_refuses(void **state)
{
	struct formdata_scan	s;
	struct app_err		err;

	expect(S(PART("form-data; name=\"file\"; filename=\"Q1: r.pdf\"", "x")
	    END), "file", "':'");
	expect(S(PART("form-data; name=\"file\"; filename=\"a;b.pdf\"", "x")
	    END), "file", "';'");
	expect(S(PART("form-data; name=\"file\"; filename=\"a\0b.pdf\"", "x")
	    END), "file", "control character");
	expect(S(PART("form-data; name=\"file\"; filename=\"a\rb.pdf\"", "x")
	    END), "file", "control character");
	expect(S(PART("form-data; name=\"file\"; filename=\"\"", "x") END),
	    "file", "no name");
	expect(S(PART("form-data; name=\"file\"; filename=\"r.pdf\"", "") END),
	    "file", "empty");
	expect(S(PART("form-data; name=\"file\"; filename*=UTF-8''r.pdf", "x")
	    END), "file", "only filename=");
	expect(S(PART("form-data; filename=\"r.pdf\"; name=\"file\"", "x")
	    END), "multipart", "name= must come first");
	expect(S(PART("form-data; name=file; filename=\"r.pdf\"", "x") END),
	    "multipart", "malformed");
	expect(S(PART("form-data ; name=\"text\"", "x") END), "multipart",
	    "not form-data");
	expect(S(PART("form-data; name=\"file\"", "x") END), "file",
	    "as a file");
	expect(S(PART("form-data; name=\"text\"; filename=\"t\"", "x") END),
	    "text", "not a file");
	expect(S(PART("form-data; name=\"text\"", "x")
	    PART("form-data; name=\"text\"", "y") END), "text", "twice");
	expect(S(PART("form-data; name=\"web\"", "x") END), "web", "unknown");
	expect(S(PART("form-data; name=\"text\"", "a\0b") END), "text", "NUL");
	expect(S("--" BND "\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\n"
	    "Content-Disposition: form-data; name=\"text\"\r\n\r\nx\r\n" END),
	    "text", "at most 4");
	expect(S("--" BND "\r\nContent-Type: text/plain\r\n\r\nx\r\n" END),
	    "multipart", "no Content-Disposition");
	expect(S(PART("form-data; name=\"text\"", "x") END
	    PART("form-data; name=\"kind\"", "forged")), "multipart",
	    "after the closing");
	expect(S("--" BND "\r\nContent-Disposition: form-data; name=\"text\""
	    "\r\n\r\nx--" BND "--\r\n"), "text", "CRLF");
	expect(S(PART("form-data; name=\"text\"", "x")), "multipart",
	    "ends before");
	expect(S("--" BND "junk\r\n" END), "multipart", "on its line");
	/* Content types Kore would misread. */
	app_err_clear(&err);
	assert_int_equal(formdata_init(&s, "multipart/form-data", fields,
	    "file", &err), 0);
	assert_string_equal(err.field, "content-type");
	app_err_clear(&err);
	assert_int_equal(formdata_init(&s, "multipart/form-data; charset=x; "
	    "boundary=b", fields, "file", &err), 0);
	app_err_clear(&err);
	assert_int_equal(formdata_init(&s, "multipart/form-data; "
	    "boundary=\"b\"", fields, "file", &err), 0);
	app_err_clear(&err);
	assert_int_equal(formdata_init(&s, NULL, fields, "file", &err), 0);
}

/* The key of a request from peer (text) with the X-Forwarded-For lines. */
static const char *
client(const char *list, const char *peer, const char *x1, const char *x2)
{
	static char		buf[AUTH_ADDR_MAX];
	struct auth_proxies	px;
	struct app_err		err;
	unsigned char		a[16];
	const char		*xff[2];
	size_t			n;
	int			fam;

	app_err_clear(&err);
	assert_int_equal(auth_proxies_parse(list, "P", &px, &err), 1);
	fam = strchr(peer, ':') != NULL ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(fam, peer, a), 1);
	n = 0;
	if (x1 != NULL)
		xff[n++] = x1;
	if (x2 != NULL)
		xff[n++] = x2;
	auth_client_address(&px, fam, a, xff, n, buf, sizeof(buf));
	return (buf);
}

static void
test_client_address(void **state)
{
	struct auth_proxies	px;
	struct app_err		err;
	static const char *const bad[] = { "10.1.0.0/8", "proxy.example",
		"127.0.0.1:80", "[::1]", "1.2.3.4,,5.6.7.8", "1.2.3.4,",
		"1.2.3.4/33", "1.2.3.4/01", "1.2.3.4/", "fe80::1%eth0",
		"::ffff:1.2.3.0/64", NULL };
	size_t			 i;

	/* No proxies: the header is the client's say-so, never read. */
	assert_string_equal(client(NULL, "127.0.0.1", "1.2.3.4", NULL),
	    "127.0.0.1");
	assert_string_equal(client("10.0.0.0/8", "127.0.0.1", "1.2.3.4",
	    NULL), "127.0.0.1");
	/* Trusted: the rightmost untrusted entry. */
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "6.6.6.6, "
	    "1.2.3.4", NULL), "1.2.3.4");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "6.6.6.6",
	    "1.2.3.4"), "1.2.3.4");
	assert_string_equal(client("127.0.0.1, 10.0.0.0/8", "127.0.0.1",
	    "6.6.6.6, 1.2.3.4 ,10.1.1.1", NULL), "1.2.3.4");
	assert_string_equal(client("::1", "::ffff:127.0.0.1", "9.9.9.9", NULL),
	    "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "::ffff:127.0.0.1", "9.9.9.9",
	    NULL), "9.9.9.9");
	assert_string_equal(client("::ffff:127.0.0.0/104", "127.0.0.1",
	    "9.9.9.9", NULL), "9.9.9.9");
	assert_string_equal(client("0.0.0.0/0, ::/0", "2001:db8::1",
	    "9.9.9.9, 8.8.8.8", NULL), "9.9.9.9");
	/* Forms of an entry. */
	assert_string_equal(client("127.0.0.1", "127.0.0.1",
	    "[2001:db8:1:2::5]:443", NULL), "2001:db8:1:2::/64");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "2001:db8:1:2::5",
	    NULL), "2001:db8:1:2::/64");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "1.2.3.4:5678",
	    NULL), "1.2.3.4");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "::ffff:1.2.3.4",
	    NULL), "1.2.3.4");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "9.9.9.9,", NULL),
	    "9.9.9.9");
	/* Unreadable, or every hop trusted: the last readable hop. */
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "unknown", NULL),
	    "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "1.2.3.4, "
	    "unknown", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "1.2.3.4 5.6.7.8",
	    NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", " , ", NULL),
	    "127.0.0.1");
	assert_string_equal(client("127.0.0.0/8", "127.0.0.1", "127.0.0.9, "
	    "127.0.0.2", NULL), "127.0.0.9");
	/* Lists refused, naming the variable. */
	for (i = 0; bad[i] != NULL; i++) {
		app_err_clear(&err);
		if (auth_proxies_parse(bad[i], "ITF_TRUSTED_PROXIES", &px,
		    &err))
			fail_msg("accepted %s", bad[i]);
		assert_string_equal(err.field, "ITF_TRUSTED_PROXIES");
	}
	app_err_clear(&err);
	assert_int_equal(auth_proxies_parse(" ", "P", &px, &err), 1);
	assert_int_equal(px.n, 0);
	assert_int_equal(auth_addr_loopback("127.0.0.1"), 1);
	assert_int_equal(auth_addr_loopback("::/64"), 1);
	assert_int_equal(auth_addr_loopback("128.0.0.1"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formdata_accepts),
		cmocka_unit_test(test_formdata_refuses),
		cmocka_unit_test(test_client_address),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
