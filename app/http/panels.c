/*
 * panels.c: vetting panels, meetings and decisions (docs/api.md, "Panels
 * and decisions").
 *   GET  /api/v1/panels?scheme=                 list
 *   POST /api/v1/panels                         create (officers)
 *   GET  /api/v1/panels/{id}                    one, with members, meetings
 *   POST /api/v1/panels/{id}/members            appoint (officers)
 *   POST /api/v1/meetings                       create (officers)
 *   GET  /api/v1/meetings/{id}                  one, with its agenda
 *   GET  /api/v1/meetings/{id}/agenda           the agenda
 *   POST /api/v1/meetings/{id}/agenda           add applications (officers)
 *   GET  /api/v1/meetings/{id}/declarations     conflicts declared
 *   GET  /api/v1/meetings/{id}/scoresheet       consolidated scores
 *   POST /api/v1/applications/{id}/conflicts    a member's declaration
 *   POST /api/v1/applications/{id}/scores       a member's scores
 *   GET  /api/v1/applications/{id}/recommendation  the assessment so far
 *   POST /api/v1/applications/{id}/recommendation  the panel's
 *   POST /api/v1/applications/{id}/partner-assessment  MOST's (MHKJFS)
 *   POST /api/v1/applications/{id}/decision     approve or reject
 * Every endpoint acts for a session; who may do what is decided in
 * app/core/panels.c and decisions.c.
 */
#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "decisions.h"
#include "panels.h"

#define PANELS_PREFIX		"/api/v1/panels/"
#define MEETINGS_PREFIX		"/api/v1/meetings/"
#define APPLICATIONS_PREFIX	"/api/v1/applications/"

int	api_panels(struct http_request *);
int	api_panels_get(struct http_request *);
int	api_panels_members(struct http_request *);
int	api_meetings(struct http_request *);
int	api_meetings_get(struct http_request *);
int	api_meetings_agenda(struct http_request *);
int	api_meetings_declarations(struct http_request *);
int	api_meetings_scoresheet(struct http_request *);
int	api_applications_conflicts(struct http_request *);
int	api_applications_scores(struct http_request *);
int	api_applications_recommendation(struct http_request *);
int	api_applications_partner(struct http_request *);
int	api_applications_decision(struct http_request *);

/* A read of one record: the meeting's or the application's. */
typedef int	(*panels_read_fn)(struct db *, const struct actor *, int64_t,
		    json_t **, struct app_err *);
/* An action on one application with a JSON body. */
typedef int	(*panels_act_fn)(struct db *, const struct scheme_set *,
		    const struct actor *, int64_t, const json_t *, json_t **,
		    struct app_err *);

static int	panels_session(struct http_request *, const char *const *,
		    struct db **, struct actor *, struct app_err *);
static int	panels_read(struct http_request *, const char *, int,
		    panels_read_fn);
static int	panels_act(struct http_request *, panels_act_fn, int);
static int	panels_list_req(struct http_request *);
static int	panels_create_req(struct http_request *);
static int	agenda_add_req(struct http_request *);
static int	declare_act(struct db *, const struct scheme_set *,
		    const struct actor *, int64_t, const json_t *, json_t **,
		    struct app_err *);
static int	scoresheet_read(struct db *, const struct actor *, int64_t,
		    json_t **, struct app_err *);

/* Query parameters checked, the worker's database, the session's actor. */
static int
panels_session(struct http_request *req, const char *const *query,
    struct db **db, struct actor *actor, struct app_err *err)
{
	return (api_query_only(req, query, err) &&
	    (*db = api_db(err)) != NULL && api_actor(req, *db, actor, err));
}

/* GET a record whose id is segment n after prefix. */
static int
panels_read(struct http_request *req, const char *prefix, int n,
    panels_read_fn fn)
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
	if (api_path_id(req, prefix, n, &id, &err) &&
	    panels_session(req, NULL, &db, &actor, &err))
		fn(db, &actor, id, &out, &err);
	return (api_finish(req, 200, out, &err));
}

/* POST an action with a JSON body on application {id}. */
static int
panels_act(struct http_request *req, panels_act_fn fn, int status)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (api_path_id(req, APPLICATIONS_PREFIX, 0, &id, &err) &&
	    panels_session(req, NULL, &db, &actor, &err) &&
	    api_json_body(req, &in, &err))
		fn(db, &api_schemes, &actor, id, in, &out, &err);
	json_decref(in);
	return (api_finish(req, status, out, &err));
}

int
api_panels(struct http_request *req)
{
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (panels_list_req(req));
	case HTTP_METHOD_POST:
		return (panels_create_req(req));
	default:
		return (api_method_not_allowed(req, "GET, POST"));
	}
}

static int
panels_list_req(struct http_request *req)
{
	static const char *const	 query[] = { "scheme", NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*out;

	app_err_clear(&err);
	out = NULL;
	if (panels_session(req, query, &db, &actor, &err))
		panels_list_json(db, &actor, api_query(req, "scheme"), &out,
		    &err);
	return (api_finish(req, 200, out, &err));
}

static int
panels_create_req(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;

	app_err_clear(&err);
	in = out = NULL;
	if (panels_session(req, NULL, &db, &actor, &err) &&
	    api_json_body(req, &in, &err))
		panels_create(db, &api_schemes, &actor, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 201, out, &err));
}

int
api_panels_get(struct http_request *req)
{
	return (panels_read(req, PANELS_PREFIX, 0, panels_get_json));
}

int
api_panels_members(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;
	int		 created;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	created = 0;
	if (api_path_id(req, PANELS_PREFIX, 0, &id, &err) &&
	    panels_session(req, NULL, &db, &actor, &err) &&
	    api_json_body(req, &in, &err))
		panels_member_appoint(db, &actor, id, in, &created, &out, &err);
	json_decref(in);
	return (api_finish(req, created ? 201 : 200, out, &err));
}

int
api_meetings(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (panels_session(req, NULL, &db, &actor, &err) &&
	    api_json_body(req, &in, &err))
		panels_meeting_create(db, &actor, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 201, out, &err));
}

int
api_meetings_get(struct http_request *req)
{
	return (panels_read(req, MEETINGS_PREFIX, 0, panels_meeting_get_json));
}

int
api_meetings_agenda(struct http_request *req)
{
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (panels_read(req, MEETINGS_PREFIX, 0,
		    panels_agenda_json));
	case HTTP_METHOD_POST:
		return (agenda_add_req(req));
	default:
		return (api_method_not_allowed(req, "GET, POST"));
	}
}

static int
agenda_add_req(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;

	app_err_clear(&err);
	in = out = NULL;
	if (api_path_id(req, MEETINGS_PREFIX, 0, &id, &err) &&
	    panels_session(req, NULL, &db, &actor, &err) &&
	    api_json_body(req, &in, &err))
		panels_agenda_add(db, &actor, id, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

int
api_meetings_declarations(struct http_request *req)
{
	return (panels_read(req, MEETINGS_PREFIX, 0,
	    panels_declarations_json));
}

static int
scoresheet_read(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	return (panels_scoresheet_json(db, &api_schemes, actor, id, out, err));
}

int
api_meetings_scoresheet(struct http_request *req)
{
	return (panels_read(req, MEETINGS_PREFIX, 0, scoresheet_read));
}

static int
declare_act(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t id, const json_t *in, json_t **out,
    struct app_err *err)
{
	return (panels_declare(db, actor, id, in, out, err));
}

int
api_applications_conflicts(struct http_request *req)
{
	return (panels_act(req, declare_act, 200));
}

int
api_applications_scores(struct http_request *req)
{
	return (panels_act(req, panels_score, 200));
}

int
api_applications_recommendation(struct http_request *req)
{
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (panels_read(req, APPLICATIONS_PREFIX, 0,
		    decisions_assessment_json));
	case HTTP_METHOD_POST:
		return (panels_act(req, decisions_recommend, 201));
	default:
		return (api_method_not_allowed(req, "GET, POST"));
	}
}

int
api_applications_partner(struct http_request *req)
{
	return (panels_act(req, decisions_partner_assessment, 201));
}

int
api_applications_decision(struct http_request *req)
{
	return (panels_act(req, decisions_record, 201));
}
