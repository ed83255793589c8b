/*
 * health.c: GET /api/v1/health, GET /api/v1/version (no database; the
 * benchmarks' reference handler) and the JSON 404 for unknown API paths.
 */
#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"

int	api_health(struct http_request *);
int	api_version(struct http_request *);
int	api_not_found(struct http_request *);

int
api_health(struct http_request *req)
{
	struct app_err	 err;
	struct db	*db;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	if ((db = api_db(&err)) == NULL || !db_exec(db, "SELECT 1", NULL,
	    &err)) {
		http_response_header(req, "retry-after", "5");
		return (api_reply(req, 503, json_pack("{s:s,s:s,s:{s:s,s:s}}",
		    "status", "unavailable", "database", "unavailable",
		    "error", "code", "unavailable", "message",
		    "the database is unavailable")));
	}
	return (api_reply(req, 200, json_pack("{s:s,s:s,s:i}", "status", "ok",
	    "database", "ok", "schemes", (int)api_schemes.n)));
}

int
api_version(struct http_request *req)
{
	return (api_reply(req, 200, json_pack("{s:s,s:s}", "service",
	    "itf-grants", "api", "v1")));
}

int
api_not_found(struct http_request *req)
{
	struct app_err	err;

	app_err_clear(&err);
	app_err_set(&err, APP_ENOTFOUND, NULL, "no such API path: %.100s",
	    req->path);
	return (api_error(req, &err));
}
