/*
 * notifications.c: the signed-in user's inbox.
 *   GET  /api/v1/notifications?unread=true&limit=&offset=   newest first
 *   POST /api/v1/notifications/{id}/read                    mark read
 */
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"
#include "notify.h"

#define NOTES_PREFIX	"/api/v1/notifications/"

int	api_notifications_list(struct http_request *);
int	api_notifications_read(struct http_request *);

int
api_notifications_list(struct http_request *req)
{
	static const char *const	 allowed[] = { "unread", "limit",
					    "offset", NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	const char			*v;
	json_t				*out;
	int64_t				 limit, offset;
	int				 unread;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	limit = 20;
	offset = 0;
	unread = 0;
	if (!api_query_only(req, allowed, &err) ||
	    (db = api_db(&err)) == NULL || !api_actor(req, db, &actor, &err))
		return (api_error(req, &err));
	if ((v = api_query(req, "unread")) != NULL) {
		if (strcmp(v, "true") == 0)
			unread = 1;
		else if (strcmp(v, "false") != 0) {
			app_err_set(&err, APP_EBADREQ, "unread",
			    "\"unread\" is true or false");
		}
	}
	if (err.code == APP_OK &&
	    ((v = api_query(req, "limit")) == NULL ||
	    auth_parse_i64(v, 1, NOTIFY_PAGE_MAX, "limit", &limit, &err)) &&
	    ((v = api_query(req, "offset")) == NULL ||
	    auth_parse_i64(v, 0, INT32_MAX, "offset", &offset, &err)))
		notify_list(db, &actor, unread, (int)limit, offset, &out, &err);
	return (api_finish(req, 200, out, &err));
}

int
api_notifications_read(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*out;
	int64_t		 id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	out = NULL;
	if (api_query_only(req, NULL, &err) && (db = api_db(&err)) != NULL &&
	    api_actor(req, db, &actor, &err) &&
	    api_path_id(req, NOTES_PREFIX, 0, &id, &err))
		notify_mark_read(db, &actor, id, &out, &err);
	return (api_finish(req, 200, out, &err));
}
