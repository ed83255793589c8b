/*
 * session.c: signing in and out, and the acting user.
 *   POST   /api/v1/session   {"email","password"}: sign in, set the cookie
 *   GET    /api/v1/session   the signed-in user and the session
 *   DELETE /api/v1/session   sign out (the token dies server-side)
 * and api_actor(), which every handler acting for a user calls first.
 *
 * The cookie is written here rather than with http_response_cookie(),
 * which in Kore 4.1 cannot say SameSite and always adds a Domain
 * attribute (widening the cookie to subdomains).
 */
#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"

int	api_session(struct http_request *);
/*
 * Set (or, with token "" and max_age 0, clear) the session cookie:
 * HttpOnly, SameSite=Strict, Path=/, Secure when api_tls.  Also used by
 * organisations.c, whose registration signs the new user in.  (Belongs in
 * api.h; declared where used until it moves there.)
 */

static int		 session_login(struct http_request *);
static int		 session_show(struct http_request *);
static int		 session_logout(struct http_request *);
static const char	*session_token(struct http_request *, char *, size_t);

/*
 * The itf_session cookie's value into buf; NULL if the request has none.
 * A value of the wrong length comes back as "" (no valid session).
 */
static const char *
session_token(struct http_request *req, char *buf, size_t len)
{
	const char	*hdr, *p, *v, *end;
	size_t		 nlen, vlen;

	if (!http_request_header(req, "cookie", &hdr))
		return (NULL);
	nlen = strlen(API_SESSION_COOKIE);
	for (p = hdr; p != NULL && *p != '\0'; p = end) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		if (strncmp(p, API_SESSION_COOKIE, nlen) != 0 || p[nlen] != '=')
			continue;
		v = p + nlen + 1;
		vlen = (size_t)(end - v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= len)
			vlen = 0;
		memcpy(buf, v, vlen);
		buf[vlen] = '\0';
		return (buf);
	}
	return (NULL);
}

void
api_session_cookie(struct http_request *req, const char *token, int max_age)
{
	char	ck[256];

	snprintf(ck, sizeof(ck), "%s=%s; Path=/; Max-Age=%d; HttpOnly; "
	    "SameSite=Strict%s", API_SESSION_COOKIE, token, max_age,
	    api_tls ? "; Secure" : "");
	http_response_header(req, "set-cookie", ck);
}

int
api_actor(struct http_request *req, struct db *db, struct actor *actor,
    struct app_err *err)
{
	char	token[AUTH_TOKEN_HEX + 1];

	memset(actor, 0, sizeof(*actor));
	/* A forged cross-site write is refused before it touches a session. */
	if (!api_csrf_ok(req, err))
		return (0);
	if (session_token(req, token, sizeof(token)) == NULL) {
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "sign in first (no session cookie)"));
	}
	return (auth_session_actor(db, token, actor, err));
}

int
api_session(struct http_request *req)
{
	switch (req->method) {
	case HTTP_METHOD_POST:
		return (session_login(req));
	case HTTP_METHOD_GET:
		return (session_show(req));
	case HTTP_METHOD_DELETE:
		return (session_logout(req));
	default:
		return (api_method_not_allowed(req, "GET, POST, DELETE"));
	}
}

static int
session_login(struct http_request *req)
{
	static const char *const	 fields[] = { "email", "password", NULL };
	struct auth_session		 sess;
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*in, *user, *info;
	const char			*email, *password, *old;
	char				 addr[AUTH_ADDR_MAX], ra[16];
	char				 token[AUTH_TOKEN_HEX + 1];
	int				 retry;

	app_err_clear(&err);
	in = user = NULL;
	retry = 0;
	memset(&sess, 0, sizeof(sess));
	if (!api_csrf_ok(req, &err) || !api_query_only(req, NULL, &err) ||
	    (db = api_db(&err)) == NULL || !api_json_body(req, &in, &err) ||
	    !auth_json_only(in, fields, "", &err) ||
	    !auth_json_str(in, "email", 1, "", &email, &err) ||
	    !auth_json_str(in, "password", 1, "", &password, &err)) {
		json_decref(in);
		return (api_error(req, &err));
	}
	/* The client's, not a proxy's (ITF_TRUSTED_PROXIES). */
	api_client_address(req, addr, sizeof(addr));
	old = session_token(req, token, sizeof(token));
	if (!auth_login(db, email, password, addr, old, &sess, &retry,
	    &err)) {
		json_decref(in);
		if (err.code == APP_ETHROTTLED) {
			snprintf(ra, sizeof(ra), "%d", retry);
			http_response_header(req, "retry-after", ra);
		}
		return (api_error(req, &err));
	}
	json_decref(in);
	api_session_cookie(req, sess.token, sess.max_age);
	sodium_memzero(sess.token, sizeof(sess.token));
	if (!auth_actor_load(db, sess.user_id, &actor, &err) ||
	    !auth_user_json(db, &actor, sess.user_id, &user, &err))
		return (api_error(req, &err));
	info = json_pack("{s:s,s:i}", "expires_at", sess.expires_at,
	    "idle_timeout_seconds", AUTH_SESSION_IDLE);
	return (api_reply(req, 200, json_pack("{s:o,s:o}", "user", user,
	    "session", info)));
}

static int
session_show(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*user, *info;
	char		 token[AUTH_TOKEN_HEX + 1];

	app_err_clear(&err);
	user = info = NULL;
	if (!api_query_only(req, NULL, &err) || (db = api_db(&err)) == NULL ||
	    !api_actor(req, db, &actor, &err) ||
	    session_token(req, token, sizeof(token)) == NULL ||
	    !auth_session_json(db, token, &info, &err) ||
	    !auth_user_json(db, &actor, actor.user_id, &user, &err)) {
		json_decref(info);
		/* A dead session's cookie is of no more use: drop it. */
		if (err.code == APP_EUNAUTH &&
		    session_token(req, token, sizeof(token)) != NULL)
			api_session_cookie(req, "", 0);
		return (api_error(req, &err));
	}
	return (api_reply(req, 200, json_pack("{s:o,s:o}", "user", user,
	    "session", info)));
}

static int
session_logout(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	char		 token[AUTH_TOKEN_HEX + 1];

	app_err_clear(&err);
	if (!api_query_only(req, NULL, &err) || (db = api_db(&err)) == NULL ||
	    !api_actor(req, db, &actor, &err) ||
	    session_token(req, token, sizeof(token)) == NULL ||
	    !auth_logout(db, &actor, token, &err))
		return (api_error(req, &err));
	api_session_cookie(req, "", 0);
	return (api_reply(req, 204, NULL));
}
