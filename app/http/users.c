/*
 * users.c: user accounts (docs/api.md, "Users").
 *   PUT /api/v1/users/{id}/authority   {"authority_cents": N}   admins
 * The rules (admins only, approvers only, never one's own, audited) are
 * in app/core/auth.c.
 */
#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"

#define USERS_PREFIX	"/api/v1/users/"

int	api_users_authority(struct http_request *);

int
api_users_authority(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;

	if (req->method != HTTP_METHOD_PUT)
		return (api_method_not_allowed(req, "PUT"));
	app_err_clear(&err);
	in = out = NULL;
	if ((db = api_db(&err)) != NULL && api_actor(req, db, &actor, &err) &&
	    api_query_only(req, NULL, &err) &&
	    api_path_id(req, USERS_PREFIX, 0, &id, &err) &&
	    api_json_body(req, &in, &err))
		auth_user_authority_set(db, &actor, id, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}
