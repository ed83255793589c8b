/*
 * organisations.c: applicant organisations.
 *   POST /api/v1/organisations        self-registration: the organisation and
 *                                     its first applicant user; signs in
 *   GET  /api/v1/organisations?q=&limit=&offset=   search (staff)
 *   GET  /api/v1/organisations/{id}   one (an applicant: only its own)
 */
#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"
#include "orgs.h"

#define ORGS_PREFIX	"/api/v1/organisations/"

int	api_organisations(struct http_request *);
int	api_organisations_get(struct http_request *);

static int	orgs_register_req(struct http_request *);
static int	orgs_search_req(struct http_request *);

int
api_organisations(struct http_request *req)
{
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (orgs_search_req(req));
	case HTTP_METHOD_POST:
		return (orgs_register_req(req));
	default:
		return (api_method_not_allowed(req, "GET, POST"));
	}
}

/*
 * Anyone may register: there is no session yet, but CSRF still applies,
 * and so does the per-address throttle (auth_register_admit()), checked
 * before the password is hashed.
 */
static int
orgs_register_req(struct http_request *req)
{
	struct auth_session	 sess;
	struct app_err		 err, e2;
	struct db		*db;
	json_t			*in, *out;
	int64_t			 attempt;
	int			 retry;
	char			 addr[AUTH_ADDR_MAX], ra[16];

	app_err_clear(&err);
	in = out = NULL;
	attempt = 0;
	retry = 0;
	memset(&sess, 0, sizeof(sess));
	api_client_address(req, addr, sizeof(addr));
	if (api_csrf_ok(req, &err) && api_query_only(req, NULL, &err) &&
	    (db = api_db(&err)) != NULL && api_json_body(req, &in, &err) &&
	    auth_register_admit(db, addr, &attempt, &retry, &err)) {
		if (orgs_register(db, in, &sess, &out, &err)) {
			api_session_cookie(req, sess.token, sess.max_age);
			json_object_set_new(out, "session", json_pack(
			    "{s:s,s:i}", "expires_at", sess.expires_at,
			    "idle_timeout_seconds", AUTH_SESSION_IDLE));
		} else if (err.code == APP_EBADREQ || err.code == APP_EINVAL) {
			/* Refused for its input: it does not count. */
			app_err_clear(&e2);
			auth_register_release(db, attempt, &e2);
		}
	}
	if (err.code == APP_ETHROTTLED) {
		snprintf(ra, sizeof(ra), "%d", retry);
		http_response_header(req, "retry-after", ra);
	}
	sodium_memzero(sess.token, sizeof(sess.token));
	json_decref(in);
	return (api_finish(req, 201, out, &err));
}

static int
orgs_search_req(struct http_request *req)
{
	static const char *const	 allowed[] = { "q", "limit", "offset",
					    NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	const char			*q, *v;
	json_t				*out;
	int64_t				 limit, offset;

	app_err_clear(&err);
	out = NULL;
	limit = 20;
	offset = 0;
	if (api_query_only(req, allowed, &err) &&
	    (db = api_db(&err)) != NULL && api_actor(req, db, &actor, &err) &&
	    ((v = api_query(req, "limit")) == NULL ||
	    auth_parse_i64(v, 1, ORG_SEARCH_MAX, "limit", &limit, &err)) &&
	    ((v = api_query(req, "offset")) == NULL ||
	    auth_parse_i64(v, 0, INT32_MAX, "offset", &offset, &err))) {
		q = api_query(req, "q");
		orgs_search(db, &actor, q, (int)limit, offset, &out, &err);
	}
	return (api_finish(req, 200, out, &err));
}

int
api_organisations_get(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct org	 org;
	struct db	*db;
	json_t		*out;
	int64_t		 id;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	if (api_query_only(req, NULL, &err) && (db = api_db(&err)) != NULL &&
	    api_actor(req, db, &actor, &err) &&
	    api_path_id(req, ORGS_PREFIX, 0, &id, &err) &&
	    orgs_get(db, &actor, id, &org, &err))
		out = orgs_json(&org);
	return (api_finish(req, 200, out, &err));
}
