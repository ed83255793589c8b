/*
 * auth.h: users, passwords, sessions, login throttling and the acting user.
 *
 * Passwords: Argon2id (libsodium crypto_pwhash_str at the INTERACTIVE
 * limits, 64 MiB and 2 passes per hash), at least AUTH_PASSWORD_MIN
 * characters.
 *
 * Sessions: a 32-byte random token, sent to the client as 64 hex digits in
 * the itf_session cookie and stored only as its sha256 (sessions.token_hash).
 * A session ends AUTH_SESSION_IDLE seconds after its last use or
 * AUTH_SESSION_ABSOLUTE seconds after login, whichever comes first, or at
 * logout (the row is deleted).  Every login makes a new token and deletes
 * the one the client brought, so a planted token never becomes a session.
 *
 * Throttling (login_attempts): a login is refused with APP_ETHROTTLED,
 * without looking at the password, while the email has had
 * AUTH_THROTTLE_EMAIL failures since its last success within
 * AUTH_THROTTLE_WINDOW seconds, or the client address AUTH_THROTTLE_ADDR
 * failures within the window.  The count is kept per email string, whether
 * or not such a user exists, so the answer reveals nothing about accounts.
 *
 * Every function that writes does so in one db_tx_run() with its audit row,
 * except the *_insert() functions, which must be called inside the
 * caller's transaction.
 */
#ifndef ITF_AUTH_H
#define ITF_AUTH_H

#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sodium.h>

#include "actor.h"
#include "db.h"
#include "errors.h"

#define AUTH_PASSWORD_MIN	12		/* characters */
#define AUTH_PASSWORD_MAX	1024		/* bytes */
#define AUTH_PWHASH_LEN		crypto_pwhash_STRBYTES
#define AUTH_EMAIL_MAX		254
#define AUTH_NAME_MAX		200		/* characters */
#define AUTH_AUTHORITY_MAX	1000000000000000LL /* HK$10 trillion, cents */
#define AUTH_TOKEN_BYTES	32
#define AUTH_TOKEN_HEX		(AUTH_TOKEN_BYTES * 2)
#define AUTH_HASH_HEX		(crypto_hash_sha256_BYTES * 2)

#define AUTH_SESSION_IDLE	(8 * 3600)	/* seconds since last use */
#define AUTH_SESSION_ABSOLUTE	(12 * 3600)	/* seconds since login */

#define AUTH_THROTTLE_WINDOW	(15 * 60)	/* seconds */
#define AUTH_THROTTLE_EMAIL	5		/* failures per email */
#define AUTH_THROTTLE_ADDR	20		/* failures per client address */
#define AUTH_REGISTER_WINDOW	3600		/* seconds */
#define AUTH_THROTTLE_REGISTER	10		/* registrations per address */

#define AUTH_PROXIES_MAX	32		/* ITF_TRUSTED_PROXIES entries */
#define AUTH_ADDR_MAX		64		/* a client address key + NUL */

/* A new user, as the CLI or self-registration gives it. */
struct user_in {
	const char	*email;		/* any case; stored lower-cased */
	const char	*password;	/* plain text, checked against policy */
	const char	*name;		/* may be NULL or "" */
	int64_t		 org_id;	/* required for, and only for, applicants */
	unsigned	 roles;		/* enum role bits, at least one */
	int64_t		 authority_cents; /* approvers only; >= 0 */
};

/* A session just created: the token goes to the client, once. */
struct auth_session {
	char		token[AUTH_TOKEN_HEX + 1];
	int64_t		user_id;
	int		max_age;	/* seconds until the absolute expiry */
	char		expires_at[32];	/* the absolute expiry, ISO 8601 UTC */
};

/*
 * Pure checks (no database), also used by the unit tests.
 */

/*
 * Lower-case and shape-check an email address (local@domain.tld, ASCII,
 * at most AUTH_EMAIL_MAX bytes) into out.  APP_EINVAL naming field.
 */
int	auth_email_normalise(const char *in, char *out, size_t len,
	    const char *field, struct app_err *);
/* Password policy: valid UTF-8, AUTH_PASSWORD_MIN characters or more,
 * at most AUTH_PASSWORD_MAX bytes.  APP_EINVAL naming field. */
int	auth_password_policy(const char *, const char *field, struct app_err *);
/*
 * Number of characters in s if it is valid UTF-8 without control
 * characters (tab, newline and the like), else -1.
 */
long	auth_text_chars(const char *s);
/* Number of characters in s if it is valid UTF-8 (any characters), else -1. */
long	auth_utf8_len(const char *s);
/* A display text: no control characters, min..max characters. */
int	auth_text_ok(const char *s, long min, long max, const char *field,
	    struct app_err *);

/* Argon2id hash of password into out (AUTH_PWHASH_LEN bytes). */
int	auth_password_hash(const char *password, char *out, struct app_err *);
/* 1 if password matches hash (a crypto_pwhash_str string). */
int	auth_password_verify(const char *hash, const char *password);
/* The hash verified in place of an unknown user's, to spend equal time. */
const char	*auth_dummy_hash(void);

/* A fresh random token: AUTH_TOKEN_HEX lower-case hex digits + NUL. */
void	auth_token_new(char out[AUTH_TOKEN_HEX + 1]);
/* 1 if s looks like a token we issued (64 lower-case hex digits). */
int	auth_token_shape_ok(const char *s);
/* sha256 of the token as AUTH_HASH_HEX hex digits + NUL. */
void	auth_token_hash(const char *token, char out[AUTH_HASH_HEX + 1]);

/*
 * JSON input helpers shared by the account resources: refuse any key of obj
 * not in the NULL-terminated allowed list (APP_EBADREQ naming
 * "prefix"+key); fetch a string member (APP_EBADREQ if missing and
 * required, or not a string).  *out is NULL for an absent optional field.
 */
int	auth_json_only(const json_t *obj, const char *const *allowed,
	    const char *prefix, struct app_err *);
int	auth_json_str(const json_t *obj, const char *key, int required,
	    const char *prefix, const char **out, struct app_err *);
/*
 * A decimal integer in [min, max] (no sign unless negative, no spaces, no
 * leading zeros), for query parameters and command-line options;
 * APP_EBADREQ naming field otherwise.
 */
int	auth_parse_i64(const char *s, int64_t min, int64_t max,
	    const char *field, int64_t *out, struct app_err *);

/*
 * Client addresses, for throttling (login and self-registration).
 *
 * The key of an address is its text: IPv4 dotted quad, an IPv4-mapped IPv6
 * address as IPv4, any other IPv6 address as its /64 ("2001:db8:1:2::/64":
 * a host usually holds a whole /64, so counting /128s would let it rotate
 * addresses).
 *
 * Behind a reverse proxy the TCP peer is the proxy.  Only when the peer is
 * a trusted proxy (ITF_TRUSTED_PROXIES) is X-Forwarded-For read, right to
 * left: the client is the rightmost address that is not itself a trusted
 * proxy.  Entries to its left were written by the client and are never
 * believed; a client that is not a trusted proxy is never asked.
 */
struct auth_net {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];	/* network byte order */
	int		bits;		/* prefix length */
};

struct auth_proxies {
	size_t		n;
	struct auth_net	net[AUTH_PROXIES_MAX];
};

/*
 * Parse a comma-separated list of addresses and CIDR blocks ("127.0.0.1,
 * 10.0.0.0/8, ::1, fd00::/8"; spaces allowed; NULL or "" is none) into
 * *out.  Host bits set below the prefix are refused (10.1.2.3/8 is more
 * likely a typo than a network).  APP_EINVAL naming field, the message
 * quoting the entry.
 */
int	auth_proxies_parse(const char *list, const char *field,
	    struct auth_proxies *out, struct app_err *);

/* The key of an address (family AF_INET or AF_INET6) into buf. */
void	auth_addr_key(int family, const void *addr, char *buf, size_t len);

/*
 * The client address key of a request into buf (AUTH_ADDR_MAX bytes).
 * family/peer: the TCP peer (AF_INET: struct in_addr, AF_INET6: struct
 * in6_addr; any other family gives "local").  xff: the values of the
 * request's X-Forwarded-For headers, in the order received (several
 * header lines count as one list, joined in order), nxff of them.  An
 * entry that is not an address ("unknown", a name, garbage) ends the walk
 * at the last trusted hop.  Entries may carry a port ("192.0.2.1:443",
 * "[2001:db8::1]:443").  Returns 1 if the address came from
 * X-Forwarded-For, 0 if it is the peer's.
 */
int	auth_client_address(const struct auth_proxies *, int family,
	    const void *peer, const char *const *xff, size_t nxff, char *buf,
	    size_t len);

/* 1 if key (an auth_addr_key() text) is a loopback address. */
int	auth_addr_loopback(const char *key);

/*
 * Self-registration throttling.  Before a registration does any work,
 * auth_register_admit() counts the address's admitted registrations within
 * AUTH_REGISTER_WINDOW: at AUTH_THROTTLE_REGISTER it refuses with
 * APP_ETHROTTLED and *retry_after (seconds) and writes nothing; otherwise
 * it records this one (register_attempts) and sets *attempt_id.  Count and
 * insert run under a per-address transaction lock, so concurrent requests
 * cannot overshoot.  A registration refused for its input (APP_EBADREQ,
 * APP_EINVAL: no password hashed, nothing written) should then call
 * auth_register_release(), so a mistyped form does not count; one that
 * was created, or refused as a duplicate (which tells the caller an email
 * or BR number exists), keeps counting.  Loopback addresses (the host
 * itself, which has itfctl anyway) are not throttled: *attempt_id is 0.
 */
int	auth_register_admit(struct db *, const char *address,
	    int64_t *attempt_id, int *retry_after, struct app_err *);
int	auth_register_release(struct db *, int64_t attempt_id,
	    struct app_err *);

/*
 * Sessions and the acting user.
 */

/*
 * Sign in.  address is the client's (for throttling); old_token, if not
 * NULL, is the session token the client brought, deleted on success.
 * On success fills sess (a new token) and writes a login_attempts row and
 * a "session.create" audit row in one transaction.  Errors: APP_EUNAUTH
 * (wrong email or password: the same answer, and about the same time,
 * whether the email exists or not), APP_ETHROTTLED with *retry_after in
 * seconds, APP_EBADREQ / APP_EINVAL for malformed input.
 */
int	auth_login(struct db *, const char *email, const char *password,
	    const char *address, const char *old_token,
	    struct auth_session *sess, int *retry_after, struct app_err *);

/*
 * The actor of a session token: the user's id, email, roles and (for
 * applicants) organisation.  Refreshes the idle timer.  APP_EUNAUTH if the
 * token is malformed, unknown, expired or its user disabled.
 */
int	auth_session_actor(struct db *, const char *token, struct actor *,
	    struct app_err *);

/*
 * The session of token as JSON: {"expires_at", "idle_expires_at",
 * "idle_timeout_seconds"}.  APP_EUNAUTH if it is not live.
 */
int	auth_session_json(struct db *, const char *token, json_t **out,
	    struct app_err *);

/* Sign out: delete the session of token (must be actor's), audited. */
int	auth_logout(struct db *, const struct actor *, const char *token,
	    struct app_err *);

/*
 * Inside the caller's transaction: create a session for user_id (deleting
 * old_token if given and the user's expired sessions) and audit it as
 * "session.create" by actor (NULL: the user itself, labelled email).
 */
int	auth_session_insert(struct db *, const struct actor *, int64_t user_id,
	    const char *email, const char *old_token, struct auth_session *,
	    struct app_err *);

/* The actor for user_id, loaded from the database (active users only). */
int	auth_actor_load(struct db *, int64_t user_id, struct actor *,
	    struct app_err *);

/*
 * A user as JSON: id, email, name, roles, organisation ({id, name_en,
 * name_zh, type} or null), authority_cents, active.  The actor may read
 * itself; officers, auditors and admins anyone; others get APP_ENOTFOUND.
 * *out is a new reference.
 */
int	auth_user_json(struct db *, const struct actor *, int64_t user_id,
	    json_t **out, struct app_err *);

/*
 * Users.
 */

/*
 * Check a new user against the rules (email shape, password policy,
 * name, roles, applicants and only applicants in an organisation,
 * authority only for approvers) and normalise the email into email_out.
 * Fields are named prefix + "email" and so on.
 */
int	auth_user_validate(const struct user_in *, const char *prefix,
	    char *email_out, size_t len, struct app_err *);

/*
 * Inside the caller's transaction: insert a validated user (email already
 * normalised, pwhash from auth_password_hash) and its roles, and audit
 * "user.create" by actor (NULL: the new user itself, as in
 * self-registration).  Duplicate email: APP_ECONFLICT field prefix+"email".
 * Unknown organisation: APP_EINVAL field prefix+"org_id".
 */
int	auth_user_insert(struct db *, const struct actor *,
	    const struct user_in *, const char *email, const char *pwhash,
	    const char *prefix, int64_t *id, struct app_err *);

/*
 * Create a user in its own transaction (validate, hash, insert, audit).
 * Only admins (or the system actor) may.  *id is the new user's.
 */
int	auth_user_create(struct db *, const struct actor *,
	    const struct user_in *, int64_t *id, struct app_err *);

/*
 * PUT /users/{id}/authority {"authority_cents": N}: change an approver's
 * financial authority (the largest amount it may approve or reject,
 * decisions.c).  Admins only (APP_EFORBIDDEN), never their own
 * (APP_EFORBIDDEN naming "id").  Unknown fields, a missing or non-integer
 * value: APP_EBADREQ naming the field; N outside 0..AUTH_AUTHORITY_MAX, or
 * a user without the approver role: APP_EINVAL naming "authority_cents";
 * no such user: APP_ENOTFOUND.  One transaction: the user's row locked,
 * the new value, the audit row "user.authority" (before and after) and a
 * notice to the approver ("user.authority").  The same value again
 * changes nothing.  *out: the user, as auth_user_json().
 */
int	auth_user_authority_set(struct db *, const struct actor *,
	    int64_t user_id, const json_t *body, json_t **out,
	    struct app_err *);

#endif
