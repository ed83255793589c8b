/*
 * auth.c: users, passwords, sessions, login throttling, the acting user.
 * Owns the tables users, user_roles, sessions and login_attempts
 * (migrations/0002_accounts.sql) and register_attempts (0012).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "money.h"
#include "notify.h"

#define TS_UTC(col)	"to_char(" col " AT TIME ZONE 'UTC', " \
			"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * Failures that count against a login: per email those since its last
 * success, per address all; each within the window.  With LIMIT n the
 * oldest row kept is the n-th most recent failure, so the throttle lifts
 * when that one leaves the window.
 */
static const char SQL_THROTTLE[] =
    "WITH e AS (SELECT at FROM login_attempts"
    "  WHERE email = $1 AND NOT success"
    "  AND at > now() - make_interval(secs => $3)"
    "  AND at > coalesce((SELECT max(at) FROM login_attempts"
    "   WHERE email = $1 AND success), '-infinity')"
    "  ORDER BY at DESC LIMIT $4),"
    " a AS (SELECT at FROM login_attempts"
    "  WHERE address = $2 AND NOT success"
    "  AND at > now() - make_interval(secs => $3)"
    "  ORDER BY at DESC LIMIT $5)"
    " SELECT (SELECT count(*) FROM e),"
    "  (SELECT ceil(extract(epoch FROM min(at) +"
    "   make_interval(secs => $3) - now()))::bigint FROM e),"
    "  (SELECT count(*) FROM a),"
    "  (SELECT ceil(extract(epoch FROM min(at) +"
    "   make_interval(secs => $3) - now()))::bigint FROM a)";

static const char SQL_INSERT_ATTEMPT[] =
    "INSERT INTO login_attempts (email, address, success)"
    " VALUES ($1, $2, $3)";

/*
 * Self-registration throttle: one transaction-scoped advisory lock per
 * address (so concurrent registrations count one after another), then
 * the count within the window and when the oldest counted one leaves it.
 */
static const char SQL_REGISTER_LOCK[] =
    "SELECT pg_advisory_xact_lock(hashtextextended('itf.register.' || $1,"
    " 0))";

static const char SQL_REGISTER_COUNT[] =
    "WITH a AS (SELECT at FROM register_attempts"
    "  WHERE address = $1 AND at > now() - make_interval(secs => $2)"
    "  ORDER BY at DESC LIMIT $3)"
    " SELECT count(*), (SELECT ceil(extract(epoch FROM min(at) +"
    "  make_interval(secs => $2) - now()))::bigint FROM a) FROM a";

static const char SQL_REGISTER_INSERT[] =
    "INSERT INTO register_attempts (address) VALUES ($1) RETURNING id";

static const char SQL_REGISTER_DELETE[] =
    "DELETE FROM register_attempts WHERE id = $1";

static const char SQL_SELECT_LOGIN[] =
    "SELECT id, password_hash, active FROM users WHERE email = $1";

static const char SQL_UPDATE_PWHASH[] =
    "UPDATE users SET password_hash = $2 WHERE id = $1";

static const char SQL_DELETE_STALE_SESSIONS[] =
    "DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= now()"
    " OR last_seen_at <= now() - make_interval(secs => $2))";

static const char SQL_DELETE_SESSION_TOKEN[] =
    "DELETE FROM sessions WHERE token_hash = $1";

static const char SQL_INSERT_SESSION[] =
    "INSERT INTO sessions (token_hash, user_id, expires_at)"
    " VALUES ($1, $2, now() + make_interval(secs => $3))"
    " RETURNING " TS_UTC("expires_at");

static const char SQL_SESSION_INFO[] =
    "SELECT " TS_UTC("expires_at") ", "
    TS_UTC("least(expires_at, last_seen_at + make_interval(secs => $2))")
    " FROM sessions WHERE token_hash = $1 AND expires_at > now()"
    " AND last_seen_at > now() - make_interval(secs => $2)";

static const char SQL_DELETE_SESSION[] =
    "DELETE FROM sessions WHERE token_hash = $1 AND user_id = $2"
    " RETURNING " TS_UTC("created_at");

/*
 * A live session's user.  The idle timer is refreshed at most once a
 * minute, so a burst of requests does not write a row each.
 */
static const char SQL_SESSION_ACTOR[] =
    "WITH s AS (SELECT token_hash, user_id, last_seen_at FROM sessions"
    "  WHERE token_hash = $1 AND expires_at > now()"
    "  AND last_seen_at > now() - make_interval(secs => $2)),"
    " t AS (UPDATE sessions x SET last_seen_at = now() FROM s"
    "  WHERE x.token_hash = s.token_hash"
    "  AND s.last_seen_at < now() - interval '60 seconds')"
    " SELECT u.id, u.email, coalesce(u.org_id, 0),"
    "  coalesce((SELECT string_agg(role, ',') FROM user_roles r"
    "   WHERE r.user_id = u.id), '')"
    " FROM s JOIN users u ON u.id = s.user_id WHERE u.active";

static const char SQL_ACTOR_LOAD[] =
    "SELECT u.id, u.email, coalesce(u.org_id, 0),"
    "  coalesce((SELECT string_agg(role, ',') FROM user_roles r"
    "   WHERE r.user_id = u.id), '')"
    " FROM users u WHERE u.id = $1 AND u.active";

static const char SQL_USER_JSON[] =
    "SELECT u.id, u.email, u.name, coalesce(u.org_id, 0),"
    "  u.authority_cents, u.active,"
    "  coalesce((SELECT string_agg(role, ',') FROM user_roles r"
    "   WHERE r.user_id = u.id), ''),"
    "  o.name_en, o.name_zh, o.org_type"
    " FROM users u LEFT JOIN organisations o ON o.id = u.org_id"
    " WHERE u.id = $1";

static const char SQL_ORG_EXISTS[] =
    "SELECT 1 FROM organisations WHERE id = $1 FOR KEY SHARE";

static const char SQL_INSERT_USER[] =
    "INSERT INTO users (email, name, password_hash, org_id, authority_cents)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";

static const char SQL_INSERT_ROLE[] =
    "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)";

static const char SQL_LOCK_AUTHORITY[] =
    "SELECT u.authority_cents, EXISTS (SELECT 1 FROM user_roles r"
    "  WHERE r.user_id = u.id AND r.role = 'approver'), u.email"
    " FROM users u WHERE u.id = $1 FOR UPDATE";

static const char SQL_SET_AUTHORITY[] =
    "UPDATE users SET authority_cents = $2 WHERE id = $1";

/*
 * Verified instead of a user's hash when the email is unknown, so that
 * answer takes as long as a wrong password.  Made with crypto_pwhash_str
 * at the INTERACTIVE limits from a random password nobody kept; the unit
 * test checks it still matches the current limits.
 */
static const char AUTH_DUMMY_HASH[] =
    "$argon2id$v=19$m=65536,t=2,p=1$g/7ef62XHypZCHONaf17Tg$"
    "7QVwdXX7gBhRgZtvTUt3WneMkuCaXhThnAyfC2tyKmo";

struct login_tx {
	int64_t			 user_id;
	const char		*email;
	const char		*address;
	const char		*old_token;
	const char		*rehash;	/* new password hash, or NULL */
	struct auth_session	*sess;
};

struct register_admit_tx {
	const char		*address;
	int64_t			 id;
	int			 retry_after;
};

struct logout_tx {
	const struct actor	*actor;
	const char		*token;
};

struct create_tx {
	const struct actor	*actor;
	const struct user_in	*in;
	const char		*email;
	const char		*pwhash;
	int64_t			 id;
};

struct authority_tx {
	const struct actor	*actor;
	int64_t			 user_id;
	int64_t			 cents;
};

static long	utf8_chars(const char *, int);
static int	email_local_ok(const char *, size_t);
static int	email_domain_ok(const char *, size_t);
static unsigned	roles_from_list(const char *);
static json_t	*roles_json(unsigned);
static int	actor_from_row(PGresult *, struct actor *);
static int	throttle_check(struct db *, const char *, const char *, int *,
		    struct app_err *);
static int	attempt_record(struct db *, const char *, const char *, int,
		    struct app_err *);
static int	login_tx_run(struct db *, void *, struct app_err *);
static int	register_admit_tx_run(struct db *, void *, struct app_err *);
static int	addr_parse(const char *, size_t, int *, unsigned char *);
static int	net_match(const struct auth_proxies *, int,
		    const unsigned char *);
static void	addr_normalise(int *, unsigned char *);
static int	logout_tx_run(struct db *, void *, struct app_err *);
static int	create_tx_run(struct db *, void *, struct app_err *);
static int	authority_tx_run(struct db *, void *, struct app_err *);

/*
 * Pure checks.
 */

int
auth_email_normalise(const char *in, char *out, size_t len, const char *field,
    struct app_err *err)
{
	const char	*at;
	size_t		 n, i;

	n = strlen(in);
	if (n > AUTH_EMAIL_MAX || n >= len) {
		return (app_err_set(err, APP_EINVAL, field,
		    "an email address has at most %d characters",
		    AUTH_EMAIL_MAX));
	}
	at = strchr(in, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL ||
	    !email_local_ok(in, (size_t)(at - in)) ||
	    !email_domain_ok(at + 1, strlen(at + 1))) {
		return (app_err_set(err, APP_EINVAL, field,
		    "not an email address (name@example.com)"));
	}
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return (1);
}

/* RFC 5321 dot-atom local part, at most 64 characters. */
static int
email_local_ok(const char *s, size_t n)
{
	static const char	 special[] = "!#$%&'*+/=?^_`{|}~-.";
	size_t			 i;

	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return (0);
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return (0);
		if (!isalnum((unsigned char)s[i]) &&
		    strchr(special, s[i]) == NULL)
			return (0);
	}
	return (1);
}

/* Host name labels (letters, digits, inner hyphens), a alphabetic TLD. */
static int
email_domain_ok(const char *s, size_t n)
{
	size_t	i, start, labels;

	if (n == 0 || n > 253)
		return (0);
	labels = 0;
	start = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return (0);
			continue;
		}
		if (i == start || i - start > 63 || s[start] == '-' ||
		    s[i - 1] == '-')
			return (0);
		labels++;
		if (i == n) {
			if (i - start < 2)
				return (0);
			for (; start < n; start++) {
				if (!isalpha((unsigned char)s[start]))
					return (0);
			}
		}
		start = i + 1;
	}
	return (labels >= 2);
}

/*
 * Count UTF-8 characters; -1 for malformed UTF-8 (overlong forms,
 * surrogates, beyond U+10FFFF) or, unless allow_ctl, control characters.
 */
static long
utf8_chars(const char *s, int allow_ctl)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	long			 n;
	int			 len, i;

	for (n = 0; *p != '\0'; n++) {
		if (*p < 0x80) {
			if (!allow_ctl && (*p < 0x20 || *p == 0x7f))
				return (-1);
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			len = 2;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			len = 3;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			len = 4;
			cp = *p & 0x07;
		} else
			return (-1);
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (-1);
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (-1);
		if (!allow_ctl && cp >= 0x80 && cp <= 0x9f)
			return (-1);
		p += len;
	}
	return (n);
}

long
auth_text_chars(const char *s)
{
	return (utf8_chars(s, 0));
}

long
auth_utf8_len(const char *s)
{
	return (utf8_chars(s, 1));
}

int
auth_text_ok(const char *s, long min, long max, const char *field,
    struct app_err *err)
{
	long	n;

	if ((n = utf8_chars(s, 0)) < 0) {
		return (app_err_set(err, APP_EINVAL, field,
		    "must be text without control characters"));
	}
	if (n < min || n > max) {
		if (min > 0) {
			return (app_err_set(err, APP_EINVAL, field,
			    "must have %ld to %ld characters", min, max));
		}
		return (app_err_set(err, APP_EINVAL, field,
		    "must have at most %ld characters", max));
	}
	return (1);
}

int
auth_password_policy(const char *pw, const char *field, struct app_err *err)
{
	long	n;

	if (strlen(pw) > AUTH_PASSWORD_MAX) {
		return (app_err_set(err, APP_EINVAL, field,
		    "a password has at most %d bytes", AUTH_PASSWORD_MAX));
	}
	if ((n = utf8_chars(pw, 1)) < 0) {
		return (app_err_set(err, APP_EINVAL, field,
		    "the password is not valid UTF-8"));
	}
	if (n < AUTH_PASSWORD_MIN) {
		return (app_err_set(err, APP_EINVAL, field,
		    "a password needs at least %d characters",
		    AUTH_PASSWORD_MIN));
	}
	return (1);
}

int
auth_password_hash(const char *pw, char *out, struct app_err *err)
{
	if (crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "could not hash the password (out of memory)"));
	}
	return (1);
}

int
auth_password_verify(const char *hash, const char *pw)
{
	return (crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0);
}

const char *
auth_dummy_hash(void)
{
	return (AUTH_DUMMY_HASH);
}

void
auth_token_new(char out[AUTH_TOKEN_HEX + 1])
{
	unsigned char	raw[AUTH_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

int
auth_token_shape_ok(const char *s)
{
	size_t	i;

	for (i = 0; i < AUTH_TOKEN_HEX; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	}
	return (s[i] == '\0');
}

void
auth_token_hash(const char *token, char out[AUTH_HASH_HEX + 1])
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, AUTH_HASH_HEX + 1, h, sizeof(h));
}

int
auth_json_only(const json_t *obj, const char *const *allowed,
    const char *prefix, struct app_err *err)
{
	const char	*key;
	json_t		*v;
	char		 f[64];
	size_t		 i;

	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++) {
			if (strcmp(allowed[i], key) == 0)
				break;
		}
		if (allowed[i] == NULL) {
			snprintf(f, sizeof(f), "%s%.40s", prefix, key);
			return (app_err_set(err, APP_EBADREQ, f,
			    "unknown field \"%s\"", f));
		}
	}
	return (1);
}

int
auth_json_str(const json_t *obj, const char *key, int required,
    const char *prefix, const char **out, struct app_err *err)
{
	json_t	*v;
	char	 f[64];

	*out = NULL;
	snprintf(f, sizeof(f), "%s%s", prefix, key);
	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return (1);
		return (app_err_set(err, APP_EBADREQ, f,
		    "\"%s\" is required", f));
	}
	if (!json_is_string(v)) {
		return (app_err_set(err, APP_EBADREQ, f,
		    "\"%s\" must be a string", f));
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		return (app_err_set(err, APP_EINVAL, f,
		    "\"%s\" must not contain NUL characters", f));
	}
	*out = json_string_value(v);
	return (1);
}

int
auth_parse_i64(const char *s, int64_t min, int64_t max, const char *field,
    int64_t *out, struct app_err *err)
{
	const char	*d;
	long long	 v;
	char		*end;

	d = s != NULL && s[0] == '-' ? s + 1 : s;
	if (d == NULL || d[0] < '0' || d[0] > '9' ||
	    (d[0] == '0' && d[1] != '\0') || (d != s && d[0] == '0')) {
		return (app_err_set(err, APP_EBADREQ, field,
		    "\"%s\" must be a whole number", field));
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return (app_err_set(err, APP_EBADREQ, field,
		    "\"%s\" must be a whole number from %lld to %lld", field,
		    (long long)min, (long long)max));
	}
	*out = v;
	return (1);
}

/*
 * Client addresses.
 */

/*
 * One address of n bytes at s into family/out (16 bytes; IPv4 in the
 * first 4): IPv4 "a.b.c.d" optionally ":port", IPv6 bare or in brackets
 * optionally "]:port".  Surrounding spaces and tabs are ignored.  0 if it
 * is not an address.
 */
static int
addr_parse(const char *s, size_t n, int *family, unsigned char *out)
{
	char		 buf[INET6_ADDRSTRLEN + 8];
	const char	*e, *c;
	size_t		 i;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return (0);
	e = s + n;
	if (*s == '[') {
		if ((c = memchr(s, ']', n)) == NULL)
			return (0);
		/* After the bracket only ":port". */
		if (c + 1 != e) {
			if (c[1] != ':' || c + 2 == e)
				return (0);
			for (i = 2; c + i < e; i++) {
				if (!isdigit((unsigned char)c[i]))
					return (0);
			}
		}
		s++;
		n = (size_t)(c - s);
		e = s + n;
	} else if ((c = memchr(s, ':', n)) != NULL &&
	    memchr(c + 1, ':', (size_t)(e - c - 1)) == NULL) {
		/* One colon: IPv4 with a port. */
		if (c + 1 == e)
			return (0);
		for (i = 1; c + i < e; i++) {
			if (!isdigit((unsigned char)c[i]))
				return (0);
		}
		n = (size_t)(c - s);
		e = s + n;
	}
	if (n == 0 || n >= sizeof(buf))
		return (0);
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, 16);
	if (strchr(buf, ':') == NULL) {
		if (inet_pton(AF_INET, buf, out) != 1)
			return (0);
		*family = AF_INET;
		return (1);
	}
	/* No zone ("fe80::1%eth0"): a key must not depend on it. */
	if (strchr(buf, '%') != NULL || inet_pton(AF_INET6, buf, out) != 1)
		return (0);
	*family = AF_INET6;
	addr_normalise(family, out);
	return (1);
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 one. */
static void
addr_normalise(int *family, unsigned char *a)
{
	static const unsigned char	mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0xff, 0xff };

	if (*family == AF_INET6 && memcmp(a, mapped, sizeof(mapped)) == 0) {
		memmove(a, a + 12, 4);
		memset(a + 4, 0, 12);
		*family = AF_INET;
	}
}

static int
net_match(const struct auth_proxies *px, int family, const unsigned char *a)
{
	const struct auth_net	*net;
	size_t			 i;
	int			 full, rest;

	if (px == NULL)
		return (0);
	for (i = 0; i < px->n; i++) {
		net = &px->net[i];
		if (net->family != family)
			continue;
		full = net->bits / 8;
		rest = net->bits % 8;
		if (memcmp(net->addr, a, (size_t)full) != 0)
			continue;
		if (rest != 0 && ((net->addr[full] ^ a[full]) &
		    (0xff << (8 - rest)) & 0xff) != 0)
			continue;
		return (1);
	}
	return (0);
}

int
auth_proxies_parse(const char *list, const char *field,
    struct auth_proxies *out, struct app_err *err)
{
	struct auth_net	*net;
	const char	*p, *end, *slash;
	char		*ep, bits[8];
	size_t		 n, alen, blen;
	long		 b;
	int		 i, max, colons, mapped;

	memset(out, 0, sizeof(*out));
	if (list == NULL || strspn(list, " \t") == strlen(list))
		return (1);
	for (p = list;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0) {
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: an empty entry (two commas, or a comma at "
			    "either end)", field));
		}
		if (out->n == AUTH_PROXIES_MAX) {
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: at most %d entries", field,
			    AUTH_PROXIES_MAX));
		}
		net = &out->net[out->n];
		slash = memchr(p, '/', n);
		alen = slash == NULL ? n : (size_t)(slash - p);
		/* An address, no brackets, no port (one colon). */
		for (colons = 0, i = 0; (size_t)i < alen; i++)
			colons += p[i] == ':';
		if (memchr(p, '[', alen) != NULL || colons == 1 ||
		    !addr_parse(p, alen, &net->family, net->addr)) {
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: \"%.*s\" is not an IPv4 or IPv6 address or "
			    "CIDR block", field, (int)(n > 64 ? 64 : n), p));
		}
		/* ::ffff:a.b.c.d/n was made IPv4: its prefix counts from 96. */
		mapped = colons > 1 && net->family == AF_INET;
		max = net->family == AF_INET && !mapped ? 32 : 128;
		net->bits = net->family == AF_INET ? 32 : 128;
		if (slash != NULL) {
			blen = n - (size_t)(slash - p) - 1;
			if (blen == 0 || blen >= sizeof(bits)) {
				return (app_err_set(err, APP_EINVAL, field,
				    "%s: \"%.*s\": a prefix length is 0 to %d",
				    field, (int)(n > 64 ? 64 : n), p, max));
			}
			memcpy(bits, slash + 1, blen);
			bits[blen] = '\0';
			errno = 0;
			b = strtol(bits, &ep, 10);
			if (*ep != '\0' || !isdigit((unsigned char)bits[0]) ||
			    errno != 0 || b < 0 || b > max ||
			    (bits[0] == '0' && bits[1] != '\0')) {
				return (app_err_set(err, APP_EINVAL, field,
				    "%s: \"%.*s\": a prefix length is 0 to %d",
				    field, (int)(n > 64 ? 64 : n), p, max));
			}
			if (mapped && b < 96) {
				return (app_err_set(err, APP_EINVAL, field,
				    "%s: \"%.*s\": an IPv4-mapped block needs "
				    "a prefix of 96 or more", field,
				    (int)(n > 64 ? 64 : n), p));
			}
			net->bits = (int)(mapped ? b - 96 : b);
			for (i = net->bits; i < (net->family == AF_INET ? 32 :
			    128); i++) {
				if (net->addr[i / 8] & (0x80 >> (i % 8))) {
					return (app_err_set(err, APP_EINVAL,
					    field, "%s: \"%.*s\" has host bits "
					    "set below the prefix", field,
					    (int)(n > 64 ? 64 : n), p));
				}
			}
		}
		out->n++;
		if (*end == '\0')
			break;
	}
	return (1);
}

void
auth_addr_key(int family, const void *addr, char *buf, size_t len)
{
	unsigned char	a[16];
	size_t		n;

	if (len == 0)
		return;
	if (family != AF_INET && family != AF_INET6) {
		snprintf(buf, len, "local");
		return;
	}
	memset(a, 0, sizeof(a));
	memcpy(a, addr, family == AF_INET ? 4 : 16);
	addr_normalise(&family, a);
	if (family == AF_INET6)
		memset(a + 8, 0, 8);
	if (inet_ntop(family, a, buf, (socklen_t)len) == NULL) {
		snprintf(buf, len, "unknown");
		return;
	}
	if (family == AF_INET6) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "/64");
	}
}

int
auth_client_address(const struct auth_proxies *px, int family,
    const void *peer, const char *const *xff, size_t nxff, char *buf,
    size_t len)
{
	const char	*v, *p, *end;
	unsigned char	 cur[16], a[16];
	size_t		 h, n;
	int		 fam, f, steps, from_xff;

	if (family != AF_INET && family != AF_INET6) {
		auth_addr_key(family, peer, buf, len);
		return (0);
	}
	memset(cur, 0, sizeof(cur));
	memcpy(cur, peer, family == AF_INET ? 4 : 16);
	fam = family;
	addr_normalise(&fam, cur);
	if (!net_match(px, fam, cur)) {
		auth_addr_key(fam, cur, buf, len);
		return (0);
	}
	/* The peer is a trusted proxy: walk its list from the right. */
	steps = 0;
	from_xff = 0;
	for (h = nxff; h > 0; h--) {
		if ((v = xff[h - 1]) == NULL)
			continue;
		end = v + strlen(v);
		for (;;) {
			for (p = end; p > v && p[-1] != ','; p--)
				;
			n = (size_t)(end - p);
			/* Empty entries ("a,,b", "a, ") are skipped. */
			if (strspn(p, " \t") < n) {
				if (++steps > 64 || !addr_parse(p, n, &f, a))
					goto done;
				fam = f;
				memcpy(cur, a, sizeof(cur));
				from_xff = 1;
				if (!net_match(px, fam, cur))
					goto done;
			}
			if (p == v)
				break;
			end = p - 1;
		}
	}
done:
	/*
	 * The first untrusted hop; or, when every hop is trusted or one
	 * cannot be read, the last one that could.
	 */
	auth_addr_key(fam, cur, buf, len);
	return (from_xff);
}

int
auth_addr_loopback(const char *key)
{
	return (strncmp(key, "127.", 4) == 0 || strcmp(key, "::/64") == 0);
}

/*
 * Self-registration throttling.
 */

int
auth_register_admit(struct db *db, const char *address, int64_t *attempt_id,
    int *retry_after, struct app_err *err)
{
	struct register_admit_tx	tx;

	*attempt_id = 0;
	*retry_after = 0;
	if (address == NULL || *address == '\0')
		address = "unknown";
	if (auth_addr_loopback(address))
		return (1);
	memset(&tx, 0, sizeof(tx));
	tx.address = address;
	if (!db_tx_run(db, DB_READ_COMMITTED, register_admit_tx_run, &tx, err))
		return (0);
	if (tx.id == 0) {
		*retry_after = tx.retry_after;
		return (app_err_set(err, APP_ETHROTTLED, NULL,
		    "too many registrations from this address; try again in "
		    "%d seconds", tx.retry_after));
	}
	*attempt_id = tx.id;
	return (1);
}

static int
register_admit_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct register_admit_tx	*tx = arg;
	struct db_params		 p;
	PGresult			*res;
	int64_t				 n, wait;

	tx->id = 0;
	tx->retry_after = 0;
	db_params_init(&p);
	dbp_str(&p, tx->address);
	if (!db_exec(db, SQL_REGISTER_LOCK, &p, err))
		return (0);
	db_params_init(&p);
	dbp_str(&p, tx->address);
	dbp_int(&p, AUTH_REGISTER_WINDOW);
	dbp_int(&p, AUTH_THROTTLE_REGISTER);
	if ((res = db_query(db, SQL_REGISTER_COUNT, &p, err)) == NULL)
		return (0);
	n = db_i64(res, 0, 0);
	wait = db_i64(res, 0, 1);
	PQclear(res);
	if (n >= AUTH_THROTTLE_REGISTER) {
		/* Refused: nothing written (the transaction just ends). */
		tx->retry_after = wait < 1 ? 1 : (int)wait;
		return (1);
	}
	db_params_init(&p);
	dbp_str(&p, tx->address);
	if ((res = db_query(db, SQL_REGISTER_INSERT, &p, err)) == NULL)
		return (0);
	tx->id = db_i64(res, 0, 0);
	PQclear(res);
	return (1);
}

int
auth_register_release(struct db *db, int64_t attempt_id, struct app_err *err)
{
	struct db_params	p;

	if (attempt_id == 0)
		return (1);
	db_params_init(&p);
	dbp_i64(&p, attempt_id);
	return (db_exec(db, SQL_REGISTER_DELETE, &p, err));
}

/*
 * Sessions and the acting user.
 */

int
auth_login(struct db *db, const char *email_in, const char *password,
    const char *address, const char *old_token, struct auth_session *sess,
    int *retry_after, struct app_err *err)
{
	struct db_params	 p;
	struct login_tx	 tx;
	PGresult		*res;
	char			 email[AUTH_EMAIL_MAX + 1];
	char			 hash[AUTH_PWHASH_LEN];
	char			 rehash[AUTH_PWHASH_LEN];
	int64_t			 uid;
	int			 found, active, ok;
	size_t			 i, n;

	*retry_after = 0;
	memset(sess, 0, sizeof(*sess));
	if (address == NULL || *address == '\0')
		address = "unknown";
	if ((n = strlen(email_in)) == 0) {
		return (app_err_set(err, APP_EINVAL, "email",
		    "\"email\" must not be empty"));
	}
	if (n > AUTH_EMAIL_MAX) {
		return (app_err_set(err, APP_EINVAL, "email",
		    "an email address has at most %d characters",
		    AUTH_EMAIL_MAX));
	}
	if (strlen(password) > AUTH_PASSWORD_MAX) {
		return (app_err_set(err, APP_EINVAL, "password",
		    "a password has at most %d bytes", AUTH_PASSWORD_MAX));
	}
	for (i = 0; i <= n; i++)
		email[i] = (char)tolower((unsigned char)email_in[i]);

	if (!throttle_check(db, email, address, retry_after, err))
		return (0);

	db_params_init(&p);
	dbp_str(&p, email);
	if ((res = db_query(db, SQL_SELECT_LOGIN, &p, err)) == NULL)
		return (0);
	found = PQntuples(res) == 1;
	uid = found ? db_i64(res, 0, 0) : 0;
	active = found && db_bool(res, 0, 2);
	snprintf(hash, sizeof(hash), "%s", found ? db_str(res, 0, 1) :
	    AUTH_DUMMY_HASH);
	PQclear(res);

	/* Always one Argon2id verification, user or not. */
	ok = auth_password_verify(hash, password) && found && active;
	if (!ok) {
		if (!attempt_record(db, email, address, 0, err))
			return (0);
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "wrong email or password"));
	}

	memset(&tx, 0, sizeof(tx));
	tx.user_id = uid;
	tx.email = email;
	tx.address = address;
	tx.old_token = old_token;
	tx.sess = sess;
	if (crypto_pwhash_str_needs_rehash(hash,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		if (!auth_password_hash(password, rehash, err))
			return (0);
		tx.rehash = rehash;
	}
	return (db_tx_run(db, DB_READ_COMMITTED, login_tx_run, &tx, err));
}

static int
login_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct login_tx	*tx = arg;
	struct db_params	 p;

	if (!attempt_record(db, tx->email, tx->address, 1, err))
		return (0);
	if (tx->rehash != NULL) {
		db_params_init(&p);
		dbp_i64(&p, tx->user_id);
		dbp_str(&p, tx->rehash);
		if (!db_exec(db, SQL_UPDATE_PWHASH, &p, err))
			return (0);
	}
	return (auth_session_insert(db, NULL, tx->user_id, tx->email,
	    tx->old_token, tx->sess, err));
}

static int
throttle_check(struct db *db, const char *email, const char *address,
    int *retry_after, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int64_t			 ne, na, we, wa, wait;

	db_params_init(&p);
	dbp_str(&p, email);
	dbp_str(&p, address);
	dbp_int(&p, AUTH_THROTTLE_WINDOW);
	dbp_int(&p, AUTH_THROTTLE_EMAIL);
	dbp_int(&p, AUTH_THROTTLE_ADDR);
	if ((res = db_query(db, SQL_THROTTLE, &p, err)) == NULL)
		return (0);
	ne = db_i64(res, 0, 0);
	we = db_i64(res, 0, 1);
	na = db_i64(res, 0, 2);
	wa = db_i64(res, 0, 3);
	PQclear(res);
	wait = 0;
	if (ne >= AUTH_THROTTLE_EMAIL && we > wait)
		wait = we;
	if (na >= AUTH_THROTTLE_ADDR && wa > wait)
		wait = wa;
	if (ne < AUTH_THROTTLE_EMAIL && na < AUTH_THROTTLE_ADDR)
		return (1);
	if (wait < 1)
		wait = 1;
	*retry_after = (int)wait;
	return (app_err_set(err, APP_ETHROTTLED, NULL,
	    "too many failed sign-in attempts; try again in %d seconds",
	    (int)wait));
}

static int
attempt_record(struct db *db, const char *email, const char *address,
    int success, struct app_err *err)
{
	struct db_params	p;

	db_params_init(&p);
	dbp_str(&p, email);
	dbp_str(&p, address);
	dbp_bool(&p, success);
	return (db_exec(db, SQL_INSERT_ATTEMPT, &p, err));
}

int
auth_session_insert(struct db *db, const struct actor *actor,
    int64_t user_id, const char *email, const char *old_token,
    struct auth_session *sess, struct app_err *err)
{
	struct db_params	 p;
	struct actor		 self;
	PGresult		*res;
	json_t			*after;
	char			 th[AUTH_HASH_HEX + 1];
	int			 ok;

	db_params_init(&p);
	dbp_i64(&p, user_id);
	dbp_int(&p, AUTH_SESSION_IDLE);
	if (!db_exec(db, SQL_DELETE_STALE_SESSIONS, &p, err))
		return (0);
	if (old_token != NULL && auth_token_shape_ok(old_token)) {
		auth_token_hash(old_token, th);
		db_params_init(&p);
		dbp_str(&p, th);
		if (!db_exec(db, SQL_DELETE_SESSION_TOKEN, &p, err))
			return (0);
	}

	auth_token_new(sess->token);
	sess->user_id = user_id;
	sess->max_age = AUTH_SESSION_ABSOLUTE;
	auth_token_hash(sess->token, th);
	db_params_init(&p);
	dbp_str(&p, th);
	dbp_i64(&p, user_id);
	dbp_int(&p, AUTH_SESSION_ABSOLUTE);
	if ((res = db_query(db, SQL_INSERT_SESSION, &p, err)) == NULL)
		return (0);
	/* The first 16 hex digits of the hash name the session in the
	 * trail, so a login and its logout can be paired; not the token. */
	snprintf(sess->expires_at, sizeof(sess->expires_at), "%s",
	    db_str(res, 0, 0));
	after = json_pack("{s:s#,s:s,s:i}", "session", th, 16,
	    "expires_at", sess->expires_at, "idle_timeout_seconds",
	    AUTH_SESSION_IDLE);
	PQclear(res);
	if (actor == NULL) {
		memset(&self, 0, sizeof(self));
		self.user_id = user_id;
		snprintf(self.label, sizeof(self.label), "%s", email);
		actor = &self;
	}
	ok = audit_write_id(db, actor, "session.create", "user", user_id, NULL,
	    after, NULL, err);
	json_decref(after);
	return (ok);
}

int
auth_session_actor(struct db *db, const char *token, struct actor *actor,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	char			 th[AUTH_HASH_HEX + 1];
	int			 ok;

	memset(actor, 0, sizeof(*actor));
	if (token == NULL || !auth_token_shape_ok(token)) {
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "sign in first (no valid session)"));
	}
	auth_token_hash(token, th);
	db_params_init(&p);
	dbp_str(&p, th);
	dbp_int(&p, AUTH_SESSION_IDLE);
	if ((res = db_query(db, SQL_SESSION_ACTOR, &p, err)) == NULL)
		return (0);
	ok = actor_from_row(res, actor);
	PQclear(res);
	if (!ok) {
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "the session has expired or ended; sign in again"));
	}
	return (1);
}

int
auth_session_json(struct db *db, const char *token, json_t **out,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	char			 th[AUTH_HASH_HEX + 1];

	*out = NULL;
	if (token == NULL || !auth_token_shape_ok(token)) {
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "sign in first (no valid session)"));
	}
	auth_token_hash(token, th);
	db_params_init(&p);
	dbp_str(&p, th);
	dbp_int(&p, AUTH_SESSION_IDLE);
	if ((res = db_query(db, SQL_SESSION_INFO, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "the session has expired or ended; sign in again"));
	}
	*out = json_pack("{s:s,s:s,s:i}", "expires_at", db_str(res, 0, 0),
	    "idle_expires_at", db_str(res, 0, 1), "idle_timeout_seconds",
	    AUTH_SESSION_IDLE);
	PQclear(res);
	return (1);
}

int
auth_actor_load(struct db *db, int64_t user_id, struct actor *actor,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int			 ok;

	memset(actor, 0, sizeof(*actor));
	db_params_init(&p);
	dbp_i64(&p, user_id);
	if ((res = db_query(db, SQL_ACTOR_LOAD, &p, err)) == NULL)
		return (0);
	ok = actor_from_row(res, actor);
	PQclear(res);
	if (!ok) {
		return (app_err_set(err, APP_ENOTFOUND, "user_id",
		    "no active user %lld", (long long)user_id));
	}
	return (1);
}

/* Columns: id, email, org_id, roles ("a,b"). */
static int
actor_from_row(PGresult *res, struct actor *actor)
{
	if (PQntuples(res) != 1)
		return (0);
	actor->user_id = db_i64(res, 0, 0);
	snprintf(actor->label, sizeof(actor->label), "%s", db_str(res, 0, 1));
	actor->org_id = db_i64(res, 0, 2);
	actor->roles = roles_from_list(db_str(res, 0, 3));
	return (actor->user_id > 0);
}

static unsigned
roles_from_list(const char *s)
{
	char		 buf[256], *p, *comma;
	unsigned	 roles, bit;

	snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "");
	roles = 0;
	for (p = buf; p != NULL && *p != '\0'; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (role_parse(p, &bit))
			roles |= bit;
	}
	return (roles);
}

static json_t *
roles_json(unsigned roles)
{
	json_t		*a;
	unsigned	 bit;

	a = json_array();
	for (bit = 1; bit <= ROLE_ALL; bit <<= 1) {
		if ((roles & bit) && role_name(bit) != NULL)
			json_array_append_new(a, json_string(role_name(bit)));
	}
	return (a);
}

int
auth_logout(struct db *db, const struct actor *actor, const char *token,
    struct app_err *err)
{
	struct logout_tx	tx;

	if (actor == NULL || actor->user_id <= 0 || token == NULL ||
	    !auth_token_shape_ok(token)) {
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "sign in first (no valid session)"));
	}
	tx.actor = actor;
	tx.token = token;
	return (db_tx_run(db, DB_READ_COMMITTED, logout_tx_run, &tx, err));
}

static int
logout_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct logout_tx	*tx = arg;
	struct db_params	 p;
	PGresult		*res;
	json_t			*before;
	char			 th[AUTH_HASH_HEX + 1];
	int			 ok;

	auth_token_hash(tx->token, th);
	db_params_init(&p);
	dbp_str(&p, th);
	dbp_i64(&p, tx->actor->user_id);
	if ((res = db_query(db, SQL_DELETE_SESSION, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "the session has already ended"));
	}
	before = json_pack("{s:s#,s:s}", "session", th, 16, "created_at",
	    db_str(res, 0, 0));
	PQclear(res);
	ok = audit_write_id(db, tx->actor, "session.delete", "user",
	    tx->actor->user_id, before, NULL, NULL, err);
	json_decref(before);
	return (ok);
}

int
auth_user_json(struct db *db, const struct actor *actor, int64_t user_id,
    json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*org;

	*out = NULL;
	if (actor == NULL || (actor->user_id != user_id &&
	    !actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR | ROLE_ADMIN))) {
		return (app_err_set(err, APP_ENOTFOUND, "user_id",
		    "no such user"));
	}
	db_params_init(&p);
	dbp_i64(&p, user_id);
	if ((res = db_query(db, SQL_USER_JSON, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "user_id",
		    "no such user"));
	}
	if (db_i64(res, 0, 3) > 0) {
		org = json_pack("{s:I,s:s,s:s,s:s}", "id",
		    (json_int_t)db_i64(res, 0, 3), "name_en", db_str(res, 0, 7),
		    "name_zh", db_str(res, 0, 8), "type", db_str(res, 0, 9));
	} else
		org = json_null();
	*out = json_pack("{s:I,s:s,s:s,s:o,s:o,s:I,s:b}",
	    "id", (json_int_t)db_i64(res, 0, 0),
	    "email", db_str(res, 0, 1),
	    "name", db_str(res, 0, 2),
	    "roles", roles_json(roles_from_list(db_str(res, 0, 6))),
	    "organisation", org,
	    "authority_cents", (json_int_t)db_i64(res, 0, 4),
	    "active", db_bool(res, 0, 5));
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad user JSON"));
	return (1);
}

/*
 * Users.
 */

int
auth_user_validate(const struct user_in *in, const char *prefix,
    char *email, size_t len, struct app_err *err)
{
	char	f[64];

	snprintf(f, sizeof(f), "%semail", prefix);
	if (in->email == NULL) {
		return (app_err_set(err, APP_EBADREQ, f,
		    "\"%s\" is required", f));
	}
	if (!auth_email_normalise(in->email, email, len, f, err))
		return (0);
	snprintf(f, sizeof(f), "%spassword", prefix);
	if (in->password == NULL) {
		return (app_err_set(err, APP_EBADREQ, f,
		    "\"%s\" is required", f));
	}
	if (!auth_password_policy(in->password, f, err))
		return (0);
	snprintf(f, sizeof(f), "%sname", prefix);
	if (in->name != NULL && !auth_text_ok(in->name, 0, AUTH_NAME_MAX, f,
	    err))
		return (0);
	snprintf(f, sizeof(f), "%sroles", prefix);
	if (in->roles == 0 || (in->roles & ~(unsigned)ROLE_ALL) != 0) {
		return (app_err_set(err, APP_EINVAL, f,
		    "a user needs at least one known role"));
	}
	/* Segregation of duties: applicants are never also staff. */
	if ((in->roles & ROLE_APPLICANT) && in->roles != ROLE_APPLICANT) {
		return (app_err_set(err, APP_EINVAL, f,
		    "an applicant user cannot also hold a staff role"));
	}
	snprintf(f, sizeof(f), "%sorg_id", prefix);
	if ((in->roles & ROLE_APPLICANT) && in->org_id <= 0) {
		return (app_err_set(err, APP_EINVAL, f,
		    "an applicant user belongs to an organisation"));
	}
	if (!(in->roles & ROLE_APPLICANT) && in->org_id != 0) {
		return (app_err_set(err, APP_EINVAL, f,
		    "only applicant users belong to an organisation"));
	}
	snprintf(f, sizeof(f), "%sauthority_cents", prefix);
	if (in->authority_cents < 0) {
		return (app_err_set(err, APP_EINVAL, f,
		    "a financial authority cannot be negative"));
	}
	if (in->authority_cents > 0 && !(in->roles & ROLE_APPROVER)) {
		return (app_err_set(err, APP_EINVAL, f,
		    "only approvers hold a financial authority"));
	}
	return (1);
}

int
auth_user_insert(struct db *db, const struct actor *actor,
    const struct user_in *in, const char *email, const char *pwhash,
    const char *prefix, int64_t *id, struct app_err *err)
{
	struct db_params	 p;
	struct app_err		 e;
	struct actor		 self;
	PGresult		*res;
	json_t			*after;
	char			 f[64], en[512], zh[512];
	unsigned		 bit;
	int			 ok;

	if (in->org_id > 0) {
		db_params_init(&p);
		dbp_i64(&p, in->org_id);
		if ((res = db_query(db, SQL_ORG_EXISTS, &p, err)) == NULL)
			return (0);
		ok = PQntuples(res) == 1;
		PQclear(res);
		if (!ok) {
			snprintf(f, sizeof(f), "%sorg_id", prefix);
			return (app_err_set(err, APP_EINVAL, f,
			    "no organisation with id %lld",
			    (long long)in->org_id));
		}
	}
	db_params_init(&p);
	dbp_str(&p, email);
	dbp_str(&p, in->name != NULL ? in->name : "");
	dbp_str(&p, pwhash);
	if (in->org_id > 0)
		dbp_i64(&p, in->org_id);
	else
		dbp_null(&p);
	dbp_i64(&p, in->authority_cents);
	app_err_clear(&e);
	if ((res = db_query(db, SQL_INSERT_USER, &p, &e)) == NULL) {
		if (e.code == APP_ECONFLICT &&
		    strcmp(e.field, "users_email") == 0) {
			snprintf(f, sizeof(f), "%semail", prefix);
			return (app_err_set(err, APP_ECONFLICT, f,
			    "a user with this email address already exists"));
		}
		return (app_err_set(err, e.code, e.field, "%s", e.msg));
	}
	*id = db_i64(res, 0, 0);
	PQclear(res);
	for (bit = 1; bit <= ROLE_ALL; bit <<= 1) {
		if (!(in->roles & bit))
			continue;
		db_params_init(&p);
		dbp_i64(&p, *id);
		dbp_str(&p, role_name(bit));
		if (!db_exec(db, SQL_INSERT_ROLE, &p, err))
			return (0);
	}
	if (actor == NULL) {
		memset(&self, 0, sizeof(self));
		self.user_id = *id;
		self.org_id = in->org_id;
		self.roles = in->roles;
		snprintf(self.label, sizeof(self.label), "%s", email);
		actor = &self;
	}
	after = json_pack("{s:I,s:s,s:s,s:o,s:o,s:I}", "id", (json_int_t)*id,
	    "email", email, "name", in->name != NULL ? in->name : "",
	    "roles", roles_json(in->roles),
	    "org_id", in->org_id > 0 ? json_integer(in->org_id) : json_null(),
	    "authority_cents", (json_int_t)in->authority_cents);
	ok = audit_write_id(db, actor, "user.create", "user", *id, NULL, after,
	    NULL, err);
	json_decref(after);
	if (!ok)
		return (0);
	/*
	 * Someone other than the user added an account to an organisation:
	 * tell its applicant users (the new one included), so an account
	 * nobody asked for does not go unnoticed.
	 */
	if (in->org_id > 0 && actor != &self) {
		snprintf(en, sizeof(en), "%s was added as a user of your "
		    "organisation by %s.", email, actor->label);
		snprintf(zh, sizeof(zh), "%s 已由 %s 加入為 貴機構的用戶。",
		    email, actor->label);
		if (!notify_org(db, in->org_id, "user.added", "user", *id, en,
		    zh, err))
			return (0);
	}
	return (1);
}

int
auth_user_create(struct db *db, const struct actor *actor,
    const struct user_in *in, int64_t *id, struct app_err *err)
{
	struct create_tx	tx;
	char			email[AUTH_EMAIL_MAX + 1];
	char			pwhash[AUTH_PWHASH_LEN];

	if (!actor_has(actor, ROLE_ADMIN)) {
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only administrators create users"));
	}
	if (!auth_user_validate(in, "", email, sizeof(email), err) ||
	    !auth_password_hash(in->password, pwhash, err))
		return (0);
	tx.actor = actor;
	tx.in = in;
	tx.email = email;
	tx.pwhash = pwhash;
	tx.id = 0;
	if (!db_tx_run(db, DB_READ_COMMITTED, create_tx_run, &tx, err))
		return (0);
	*id = tx.id;
	return (1);
}

static int
create_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct create_tx	*tx = arg;

	return (auth_user_insert(db, tx->actor, tx->in, tx->email, tx->pwhash,
	    "", &tx->id, err));
}

/*
 * An approver's financial authority.
 */

int
auth_user_authority_set(struct db *db, const struct actor *actor,
    int64_t user_id, const json_t *body, json_t **out, struct app_err *err)
{
	static const char *const	 keys[] = { "authority_cents", NULL };
	struct authority_tx		 tx;
	const json_t			*v;

	*out = NULL;
	if (!actor_has(actor, ROLE_ADMIN))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only administrators set a financial authority"));
	if (!json_is_object(body))
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "the body must be a JSON object"));
	if (!auth_json_only(body, keys, "", err))
		return (0);
	if ((v = json_object_get(body, "authority_cents")) == NULL)
		return (app_err_set(err, APP_EBADREQ, "authority_cents",
		    "\"authority_cents\" is required"));
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, "authority_cents",
		    "authority_cents: must be a whole number of cents (JSON "
		    "integer)"));
	if (json_integer_value(v) < 0 ||
	    json_integer_value(v) > AUTH_AUTHORITY_MAX)
		return (app_err_set(err, APP_EINVAL, "authority_cents",
		    "authority_cents: 0 to %lld cents",
		    (long long)AUTH_AUTHORITY_MAX));
	/* Separation of duties: nobody raises their own limit. */
	if (actor->user_id != 0 && actor->user_id == user_id)
		return (app_err_set(err, APP_EFORBIDDEN, "id",
		    "you may not change your own financial authority"));
	tx.actor = actor;
	tx.user_id = user_id;
	tx.cents = json_integer_value(v);
	if (!db_tx_run(db, DB_READ_COMMITTED, authority_tx_run, &tx, err))
		return (0);
	return (auth_user_json(db, actor, user_id, out, err));
}

static int
authority_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct authority_tx	*tx = arg;
	struct db_params	 p;
	PGresult		*res;
	json_t			*before, *after;
	char			 was[MONEY_FMT_MAX], now[MONEY_FMT_MAX];
	char			 en[512], zh[512];
	int64_t			 old;
	int			 approver, ok;

	db_params_init(&p);
	dbp_i64(&p, tx->user_id);
	if ((res = db_query(db, SQL_LOCK_AUTHORITY, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such user"));
	}
	old = db_i64(res, 0, 0);
	approver = db_bool(res, 0, 1);
	PQclear(res);
	if (!approver)
		return (app_err_set(err, APP_EINVAL, "authority_cents",
		    "only approvers hold a financial authority; user %lld is "
		    "not an approver", (long long)tx->user_id));
	/* The same limit again changes nothing. */
	if (old == tx->cents)
		return (1);
	dbp_i64(&p, tx->cents);
	if (!db_exec(db, SQL_SET_AUTHORITY, &p, err))
		return (0);
	before = json_pack("{s:I}", "authority_cents", (json_int_t)old);
	after = json_pack("{s:I}", "authority_cents", (json_int_t)tx->cents);
	ok = audit_write_id(db, tx->actor, "user.authority", "user",
	    tx->user_id, before, after, NULL, err);
	json_decref(before);
	json_decref(after);
	if (!ok)
		return (0);
	money_format(old, was, sizeof(was));
	money_format(tx->cents, now, sizeof(now));
	snprintf(en, sizeof(en), "Your financial authority as an approving "
	    "officer is now %s (it was %s); set by %s.", now, was,
	    tx->actor->label);
	snprintf(zh, sizeof(zh), "閣下作為審批人員的財務權限已改為%s"
	    "（原為%s），由 %s 設定。", now, was, tx->actor->label);
	return (notify_user(db, tx->user_id, "user.authority", "user",
	    tx->user_id, en, zh, err));
}
