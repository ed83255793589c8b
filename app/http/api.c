/*
 * api.c: module start-up, the worker's database connection, JSON bodies,
 * replies and error mapping, query strings and path segments.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/hooks.h>
#include <kore/seccomp.h>

#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "projects.h"

/*
 * Debian's Kore 4.1 predates glibc 2.33's syscalls: without these the
 * workers die on the first stat, libpq connect, large realloc or thread
 * (kore-4.1-notes.md section 8).  The sandbox itself stays on.
 */
KORE_SECCOMP_FILTER("itf",
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(faccessat2),
	KORE_SYSCALL_ALLOW(mremap),
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(statfs),
	KORE_SYSCALL_ALLOW(fstatfs),
	KORE_SYSCALL_ALLOW(mkdir),
	KORE_SYSCALL_ALLOW(rename),
	KORE_SYSCALL_ALLOW(fsync),
	KORE_SYSCALL_ALLOW(ftruncate),
	KORE_SYSCALL_DENY(clone3, ENOSYS),
);

#define API_QUERY_MAX	32

struct scheme_set	api_schemes;
char			api_root[PATH_MAX];
int			api_tls;

static struct db	api_conn;
static int		api_conn_ready;

/* ITF_TRUSTED_PROXIES, parsed in the parent (auth.h, "Client addresses"). */
static struct auth_proxies	api_proxies;

static struct {
	int				 valid;
	char				 raw[8192];	/* cache key */
	int				 n;
	char				*name[API_QUERY_MAX];
	char				*value[API_QUERY_MAX];
	char				 buf[8192];
	int				 bad;
} qs;

static void	api_log(const char *);
static void	api_headers(struct http_request *);
static int	api_query_parse(struct http_request *);
static int	api_unescape(char *);
static void	api_utf8_scrub(char *);

void	kore_parent_configure(int, char **);
void	kore_worker_configure(void);

static void
api_log(const char *msg)
{
	kore_log(LOG_NOTICE, "%s", msg);
}

/*
 * Runs once in the parent before the workers fork: find the project root,
 * load and validate every scheme definition (refusing to start on a bad
 * one), and decide the database.
 */
void
kore_parent_configure(int argc, char **argv)
{
	struct app_err	 err;
	const char	*env;
	char		 dir[PATH_MAX + 16];

	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	if ((env = getenv("ITF_ROOT")) != NULL && *env != '\0')
		snprintf(api_root, sizeof(api_root), "%s", env);
	else if (getcwd(api_root, sizeof(api_root)) == NULL)
		fatal("getcwd: %s", errno_s);
	api_tls = (env = getenv("ITF_TLS")) != NULL && strcmp(env, "1") == 0;
	app_err_clear(&err);
	if (!auth_proxies_parse(getenv("ITF_TRUSTED_PROXIES"),
	    "ITF_TRUSTED_PROXIES", &api_proxies, &err))
		fatal("%s", err.msg);
	if (api_proxies.n > 0) {
		kore_log(LOG_NOTICE, "client addresses from X-Forwarded-For "
		    "when the peer is one of %zu trusted proxy entries",
		    api_proxies.n);
	} else if (api_tls) {
		kore_log(LOG_NOTICE, "ITF_TLS=1 without ITF_TRUSTED_PROXIES: "
		    "behind a proxy every client has the proxy's address");
	}

	app_err_clear(&err);
	if ((env = getenv("ITF_SCHEMES_DIR")) != NULL && *env != '\0')
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/schemes", api_root);
	if (!schemes_load_dir(dir, &api_schemes, &err))
		fatal("scheme definitions refused: %s", err.msg);
	kore_log(LOG_NOTICE, "loaded %zu scheme definitions from %s",
	    api_schemes.n, dir);
	db_set_log(api_log);
}

/* Each worker connects lazily, on its first request, as itf_app. */
void
kore_worker_configure(void)
{
	char	ci[DB_CONNINFO_MAX];

	memset(&api_conn, 0, sizeof(api_conn));
	db_default_conninfo(api_root, ci, sizeof(ci));
	snprintf(api_conn.conninfo, sizeof(api_conn.conninfo), "%s", ci);
	snprintf(api_conn.role, sizeof(api_conn.role), "itf_app");
	api_conn_ready = 1;
}

struct db *
api_db(struct app_err *err)
{
	if (!api_conn_ready) {
		app_err_set(err, APP_EUNAVAIL, NULL, "not configured");
		return (NULL);
	}
	/*
	 * The handler is about to wait for PostgreSQL (libpq is synchronous
	 * here): hand Kore's accept lock to another worker first, or new
	 * connections would wait for this query too.  Connections already
	 * on this worker still wait (tests/integration/zz_workers.test.mjs,
	 * README "Performance").
	 */
	kore_worker_make_busy();
	if (!db_ensure(&api_conn, err))
		return (NULL);
	return (&api_conn);
}

int
api_status_of(enum app_errcode code)
{
	switch (code) {
	case APP_OK:		return (200);
	case APP_EBADREQ:	return (400);
	case APP_EINVAL:	return (422);
	case APP_EUNAUTH:	return (401);
	case APP_EFORBIDDEN:	return (403);
	case APP_ENOTFOUND:	return (404);
	case APP_ECONFLICT:	return (409);
	case APP_ESTATE:	return (409);
	case APP_ETOOLARGE:	return (413);
	case APP_ETHROTTLED:	return (429);
	case APP_EUNAVAIL:	return (503);
	case APP_EDB:		return (500);
	case APP_EINTERNAL:	return (500);
	}
	return (500);
}

static void
api_headers(struct http_request *req)
{
	http_response_header(req, "content-type",
	    "application/json; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "content-security-policy",
	    "default-src 'none'; frame-ancestors 'none'");
	http_response_header(req, "referrer-policy", "no-referrer");
}

int
api_reply(struct http_request *req, int status, json_t *body)
{
	char	*text;

	api_headers(req);
	if (body == NULL) {
		http_response(req, status, NULL, 0);
		return (KORE_RESULT_OK);
	}
	text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(body);
	if (text == NULL) {
		http_response(req, 500, NULL, 0);
		return (KORE_RESULT_OK);
	}
	http_response(req, status, text, strlen(text));
	free(text);
	return (KORE_RESULT_OK);
}

int
api_error(struct http_request *req, const struct app_err *err)
{
	json_t	*body;
	int	 status;
	char	 msg[sizeof(err->msg)], field[sizeof(err->field)];

	status = api_status_of(err->code);
	if (status == 503)
		http_response_header(req, "retry-after", "5");
	body = json_pack("{s:{s:s,s:s,s:s?}}", "error",
	    "code", app_err_codestr(err->code),
	    "message", err->msg[0] != '\0' ? err->msg : "error",
	    "field", err->field[0] != '\0' ? err->field : NULL);
	if (body == NULL) {
		/*
		 * A message or field that quotes the client's bytes may not be
		 * UTF-8, which jansson refuses: answer with those bytes
		 * replaced rather than with an empty body.
		 */
		snprintf(msg, sizeof(msg), "%s", err->msg[0] != '\0' ?
		    err->msg : "error");
		snprintf(field, sizeof(field), "%s", err->field);
		api_utf8_scrub(msg);
		api_utf8_scrub(field);
		body = json_pack("{s:{s:s,s:s,s:s?}}", "error",
		    "code", app_err_codestr(err->code), "message", msg,
		    "field", field[0] != '\0' ? field : NULL);
	}
	return (api_reply(req, status, body));
}

/* Replace each byte of s that is not part of valid UTF-8 with '?'. */
static void
api_utf8_scrub(char *s)
{
	unsigned char	*p;
	char		 one[5];
	int		 len, i;

	for (p = (unsigned char *)s; *p != '\0'; p += len) {
		len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
		    (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		for (i = 0; i < len; i++) {
			if (p[i] == '\0')
				break;
			one[i] = (char)p[i];
		}
		one[i] = '\0';
		if (len == 0 || i < len || (len > 1 && auth_utf8_len(one) < 0)) {
			*p = '?';
			len = 1;
		}
	}
}

int
api_finish(struct http_request *req, int status, json_t *body,
    const struct app_err *err)
{
	struct app_err	e;

	if (err != NULL && err->code != APP_OK) {
		json_decref(body);
		return (api_error(req, err));
	}
	if (body == NULL && status != 204) {
		app_err_clear(&e);
		app_err_set(&e, APP_EINTERNAL, NULL, "internal error");
		return (api_error(req, &e));
	}
	return (api_reply(req, status, body));
}

int
api_method_not_allowed(struct http_request *req, const char *allow)
{
	struct app_err	err;

	app_err_clear(&err);
	app_err_set(&err, APP_EBADREQ, NULL, "method not allowed; use %s",
	    allow);
	http_response_header(req, "allow", allow);
	/* api_reply() adds the common headers (once). */
	return (api_reply(req, 405, json_pack("{s:{s:s,s:s}}", "error",
	    "code", "method_not_allowed", "message", err.msg)));
}

int
api_json_body_opt(struct http_request *req, int optional, json_t **in,
    struct app_err *err)
{
	*in = NULL;
	if (optional && req->content_length == 0) {
		if ((*in = json_object()) == NULL)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
		return (1);
	}
	return (api_json_body(req, in, err));
}

int
api_signed_in(struct http_request *req, struct db **db, struct actor *actor,
    struct app_err *err)
{
	if ((*db = api_db(err)) == NULL)
		return (0);
	return (api_actor(req, *db, actor, err));
}

int
api_signed_in_id(struct http_request *req, const char *prefix,
    struct db **db, struct actor *actor, int64_t *id, struct app_err *err)
{
	return (api_signed_in(req, db, actor, err) &&
	    api_path_id(req, prefix, 0, id, err) &&
	    api_query_only(req, NULL, err));
}

int
api_signed_in_action(struct http_request *req, const char *prefix,
    struct db **db, struct actor *actor, int64_t *id, char *action,
    size_t len, json_t **in, struct app_err *err)
{
	*in = NULL;
	if (!api_signed_in_id(req, prefix, db, actor, id, err))
		return (0);
	if (api_path_seg(req, prefix, 1, action, len) == NULL)
		return (app_err_set(err, APP_ENOTFOUND, NULL, "no such action"));
	return (api_json_body_opt(req, 1, in, err));
}

int
api_read_one(struct http_request *req, const char *prefix, api_read_fn fn)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*out;
	int64_t		 id;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	if (api_signed_in_id(req, prefix, &db, &actor, &id, &err))
		fn(db, &actor, id, &out, &err);
	return (api_finish(req, 200, out, &err));
}

int
api_write_one(struct http_request *req, int method, const char *allow,
    const char *prefix, api_write_fn fn)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;

	if (req->method != method)
		return (api_method_not_allowed(req, allow));
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_id(req, prefix, &db, &actor, &id, &err) &&
	    api_json_body(req, &in, &err))
		fn(db, &actor, id, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

int
api_json_only(const json_t *in, const char *const *allowed,
    struct app_err *err)
{
	return (projects_json_only(in, allowed, "", err));
}

int
api_json_str(const json_t *in, const char *key, const char **out,
    struct app_err *err)
{
	json_t	*v;

	*out = NULL;
	v = json_object_get(in, key);
	if (v == NULL || json_is_null(v))
		return (1);
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, key, "%s: must be a "
		    "string", key));
	*out = json_string_value(v);
	return (1);
}

int
api_json_body(struct http_request *req, json_t **out, struct app_err *err)
{
	struct kore_buf	*buf;
	const char	*ctype;
	json_error_t	 jerr;
	u_int8_t	 chunk[8192];
	ssize_t		 n;

	*out = NULL;
	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/json", 16) != 0 ||
	    (ctype[16] != '\0' && ctype[16] != ';')) {
		return (app_err_set(err, APP_EBADREQ, "content-type",
		    "the body must be JSON (Content-Type: application/json)"));
	}
	buf = kore_buf_alloc(1024);
	for (;;) {
		n = http_body_read(req, chunk, sizeof(chunk));
		if (n == -1) {
			kore_buf_free(buf);
			return (app_err_set(err, APP_EBADREQ, NULL,
			    "could not read the request body"));
		}
		if (n == 0)
			break;
		if (buf->offset + (size_t)n > API_JSON_MAX) {
			kore_buf_free(buf);
			return (app_err_set(err, APP_ETOOLARGE, NULL,
			    "the JSON body is larger than %d bytes",
			    API_JSON_MAX));
		}
		kore_buf_append(buf, chunk, (size_t)n);
	}
	if (buf->offset == 0) {
		kore_buf_free(buf);
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "the request body is empty; a JSON object is required"));
	}
	*out = json_loadb((const char *)buf->data, buf->offset,
	    JSON_REJECT_DUPLICATES, &jerr);
	kore_buf_free(buf);
	if (*out == NULL) {
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "malformed JSON at line %d, column %d: %s", jerr.line,
		    jerr.column, jerr.text));
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "the body must be a JSON object"));
	}
	return (1);
}

/* Decode %XX and '+' in place; 0 on a bad escape or an embedded NUL. */
static int
api_unescape(char *s)
{
	char	*w;
	int	 hi, lo;

	for (w = s; *s != '\0'; s++) {
		if (*s == '+') {
			*w++ = ' ';
		} else if (*s == '%') {
			hi = s[1] ? (s[1] >= 'a' ? s[1] - 'a' + 10 :
			    s[1] >= 'A' ? s[1] - 'A' + 10 : s[1] - '0') : -1;
			lo = s[2] ? (s[2] >= 'a' ? s[2] - 'a' + 10 :
			    s[2] >= 'A' ? s[2] - 'A' + 10 : s[2] - '0') : -1;
			if (hi < 0 || hi > 15 || lo < 0 || lo > 15 ||
			    (hi == 0 && lo == 0))
				return (0);
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return (1);
}

/*
 * Split the query string into the static table, once per distinct query
 * string.  Kore recycles struct http_request from a pool, so the cache is
 * keyed on the query text, never on the request's address (which would
 * hand one request the parameters of an earlier one).
 */
static int
api_query_parse(struct http_request *req)
{
	const char	*raw;
	char		*p, *amp, *eq;

	raw = req->query_string != NULL ? req->query_string : "";
	if (qs.valid && strcmp(qs.raw, raw) == 0)
		return (!qs.bad);
	qs.valid = 0;
	qs.n = 0;
	qs.bad = 0;
	if (strlen(raw) >= sizeof(qs.buf)) {
		qs.bad = 1;
		return (0);
	}
	snprintf(qs.raw, sizeof(qs.raw), "%s", raw);
	qs.valid = 1;
	if (raw[0] == '\0')
		return (1);
	snprintf(qs.buf, sizeof(qs.buf), "%s", req->query_string);
	for (p = qs.buf; p != NULL && *p != '\0'; p = amp) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp++ = '\0';
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		else
			eq = p + strlen(p);
		/*
		 * Decoded names and values must be UTF-8: bytes that are not
		 * would otherwise reach PostgreSQL (a 500) or an error message
		 * jansson cannot encode (an empty body).
		 */
		if (qs.n == API_QUERY_MAX || !api_unescape(p) ||
		    !api_unescape(eq) || auth_utf8_len(p) < 0 ||
		    auth_utf8_len(eq) < 0) {
			qs.bad = 1;
			return (0);
		}
		qs.name[qs.n] = p;
		qs.value[qs.n] = eq;
		qs.n++;
	}
	return (1);
}

const char *
api_query(struct http_request *req, const char *name)
{
	int	i;

	if (!api_query_parse(req))
		return (NULL);
	for (i = 0; i < qs.n; i++) {
		if (strcmp(qs.name[i], name) == 0)
			return (qs.value[i]);
	}
	return (NULL);
}

int
api_query_only(struct http_request *req, const char *const *allowed,
    struct app_err *err)
{
	int	i, j, ok;

	if (!api_query_parse(req)) {
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "malformed query string"));
	}
	for (i = 0; i < qs.n; i++) {
		ok = 0;
		for (j = 0; allowed != NULL && allowed[j] != NULL; j++) {
			if (strcmp(qs.name[i], allowed[j]) == 0)
				ok = 1;
		}
		if (!ok) {
			return (app_err_set(err, APP_EBADREQ, qs.name[i],
			    "unknown query parameter \"%.64s\"", qs.name[i]));
		}
	}
	return (1);
}

int
api_query_scheme(struct http_request *req, char *code, size_t len,
    const char **scheme, struct app_err *err)
{
	const struct scheme	*s;
	const char		*v;

	if ((v = api_query(req, "scheme")) == NULL)
		return (1);
	if ((s = schemes_find(&api_schemes, v)) == NULL)
		return (app_err_set(err, APP_EBADREQ, "scheme",
		    "scheme: no scheme with code \"%.16s\"", v));
	snprintf(code, len, "%s", s->code);
	*scheme = code;
	return (1);
}

int
api_query_words(struct http_request *req, const char *name, size_t max,
    api_word_fn fn, void *arg, struct app_err *err)
{
	const char	*v;
	char		 buf[256], *p, *comma;

	if ((v = api_query(req, name)) == NULL)
		return (1);
	if (max > sizeof(buf))
		max = sizeof(buf);
	if (snprintf(buf, max, "%s", v) >= (int)max)
		return (app_err_set(err, APP_EBADREQ, name, "%s: too long",
		    name));
	for (p = buf; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (!fn(p, arg, err))
			return (0);
	}
	return (1);
}

const char *
api_path_seg(struct http_request *req, const char *prefix, int n,
    char *buf, size_t len)
{
	const char	*p, *end;
	size_t		 plen;

	plen = strlen(prefix);
	if (strncmp(req->path, prefix, plen) != 0)
		return (NULL);
	p = req->path + plen;
	for (;;) {
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		if (n == 0)
			break;
		if (*end == '\0')
			return (NULL);
		p = end + 1;
		n--;
	}
	if (end == p || (size_t)(end - p) >= len)
		return (NULL);
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return (buf);
}

int
api_path_id(struct http_request *req, const char *prefix, int n,
    int64_t *id, struct app_err *err)
{
	char		 buf[24], *end;
	long long	 v;

	if (api_path_seg(req, prefix, n, buf, sizeof(buf)) == NULL)
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such record"));
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0 || buf[0] == '+' ||
	    buf[0] == '0')
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such record"));
	*id = v;
	return (1);
}

void
api_client_address(struct http_request *req, char *buf, size_t len)
{
	struct http_header	*hdr;
	const char		*xff[HTTP_REQ_HEADER_MAX];
	const void		*peer;
	size_t			 n;

	peer = NULL;
	if (req->owner->family == AF_INET)
		peer = &req->owner->addr.ipv4.sin_addr;
	else if (req->owner->family == AF_INET6)
		peer = &req->owner->addr.ipv6.sin6_addr;
	/* Every X-Forwarded-For line, in order (a proxy may add its own). */
	n = 0;
	if (api_proxies.n > 0) {
		TAILQ_FOREACH(hdr, &req->req_headers, list) {
			if (n < HTTP_REQ_HEADER_MAX &&
			    strcasecmp(hdr->header, "x-forwarded-for") == 0)
				xff[n++] = hdr->value;
		}
	}
	auth_client_address(&api_proxies, req->owner->family, peer, xff, n,
	    buf, len);
}

int
api_csrf_ok(struct http_request *req, struct app_err *err)
{
	const char	*v;

	if (req->method == HTTP_METHOD_GET || req->method == HTTP_METHOD_HEAD)
		return (1);
	if (!http_request_header(req, API_CSRF_HEADER, &v) || v[0] == '\0') {
		return (app_err_set(err, APP_EFORBIDDEN, API_CSRF_HEADER,
		    "state-changing requests must carry the X-ITF-Request "
		    "header (CSRF defence)"));
	}
	return (1);
}
