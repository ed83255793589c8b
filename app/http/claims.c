/*
 * claims.c: payment claims of claim-pattern projects and the settlement of
 * a terminated project (docs/api.md, "Claims").
 *   GET   /api/v1/projects/{id}/claims           the project's claims
 *   POST  /api/v1/projects/{id}/claims           submit a claim (201)
 *   GET   /api/v1/claims?project=&status=        claims the caller may see
 *   GET   /api/v1/claims/{id}
 *   POST  /api/v1/claims/{id}/accept             {note?}
 *   POST  /api/v1/claims/{id}/return             {reason}
 *   POST  /api/v1/claims/{id}/resubmit           a corrected claim (201)
 *   POST  /api/v1/projects/{id}/termination-cost {eligible_cost_cents,
 *                                                 interest_cents?, note?}
 * Payments of accepted claims: POST /api/v1/payments with claim_id
 * (app/http/payments.c).  Rules: app/core/claims.c, app/core/projects_db.c.
 */
#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"
#include "claims.h"
#include "projects.h"

#define CLAIMS_PREFIX		"/api/v1/claims/"
#define PROJECTS_PREFIX		"/api/v1/projects/"

int	api_project_claims(struct http_request *);
int	api_claims_list(struct http_request *);
int	api_claims_one(struct http_request *);
int	api_claims_action(struct http_request *);
int	api_projects_termination_cost(struct http_request *);

int
api_project_claims(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;
	int		 post;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "GET, POST"));
	post = req->method == HTTP_METHOD_POST;
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_id(req, PROJECTS_PREFIX, &db, &actor, &id, &err)) {
		if (!post)
			claims_list_json(db, &actor, id, -1, &out, &err);
		else if (api_json_body(req, &in, &err))
			claims_submit(db, &api_schemes, &actor, id, in, &out,
			    &err);
	}
	json_decref(in);
	return (api_finish(req, post ? 201 : 200, out, &err));
}

int
api_claims_list(struct http_request *req)
{
	static const char *const	 allowed[] = { "project", "status",
		NULL };
	enum claim_status		 st;
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*out;
	const char			*v;
	int64_t				 project;
	int				 status;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	project = 0;
	status = -1;
	if (!api_signed_in(req, &db, &actor, &err) ||
	    !api_query_only(req, allowed, &err))
		goto out;
	if ((v = api_query(req, "project")) != NULL &&
	    !auth_parse_i64(v, 1, INT64_MAX, "project", &project, &err))
		goto out;
	if ((v = api_query(req, "status")) != NULL) {
		if (!claim_status_parse(v, &st)) {
			app_err_set(&err, APP_EBADREQ, "status", "status: "
			    "submitted, accepted or returned");
			goto out;
		}
		status = (int)st;
	}
	claims_list_json(db, &actor, project, status, &out, &err);
out:
	return (api_finish(req, 200, out, &err));
}

int
api_claims_one(struct http_request *req)
{
	return (api_read_one(req, CLAIMS_PREFIX, claims_get_json));
}

/* POST /claims/{id}/accept {note?}, /return {reason}, /resubmit {...}. */
int
api_claims_action(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	char		 action[16];
	int64_t		 id;
	int		 status;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	status = 200;
	if (!api_signed_in_action(req, CLAIMS_PREFIX, &db, &actor, &id,
	    action, sizeof(action), &in, &err))
		goto out;
	if (strcmp(action, "accept") == 0)
		claims_review(db, &actor, id, 1, in, &out, &err);
	else if (strcmp(action, "return") == 0)
		claims_review(db, &actor, id, 0, in, &out, &err);
	else if (strcmp(action, "resubmit") == 0) {
		status = 201;
		claims_resubmit(db, &api_schemes, &actor, id, in, &out, &err);
	} else
		app_err_set(&err, APP_ENOTFOUND, NULL, "no such action");
out:
	json_decref(in);
	return (api_finish(req, status, out, &err));
}

int
api_projects_termination_cost(struct http_request *req)
{
	return (api_write_one(req, HTTP_METHOD_POST, "POST", PROJECTS_PREFIX,
	    projects_settle_termination));
}
