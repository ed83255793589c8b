/*
 * audit.c: reading the audit trail (officers, auditors, admins; the rule
 * is in core audit_list()).
 *   GET /api/v1/audit?record_type=T[&record_id=ID][&after=N][&limit=N]
 * Oldest first; page on with after = the last id seen ("next_after").
 */
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "audit.h"
#include "auth.h"

#define AUDIT_PAGE_MAX		500
#define AUDIT_NAME_MAX		64

int	api_audit_list(struct http_request *);

static int	audit_name_ok(const char *, const char *, struct app_err *);

/* record_type and record_id: short printable ASCII words. */
static int
audit_name_ok(const char *s, const char *field, struct app_err *err)
{
	size_t	i, n;

	n = strlen(s);
	if (n == 0 || n > AUDIT_NAME_MAX) {
		return (app_err_set(err, APP_EBADREQ, field,
		    "\"%s\" has 1 to %d characters", field, AUDIT_NAME_MAX));
	}
	for (i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~') {
			return (app_err_set(err, APP_EBADREQ, field,
			    "\"%s\" is a printable word", field));
		}
	}
	return (1);
}

int
api_audit_list(struct http_request *req)
{
	static const char *const	 allowed[] = { "record_type",
					    "record_id", "after", "limit",
					    NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	const char			*type, *id, *v;
	json_t				*rows, *last;
	int64_t				 after, limit;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	rows = NULL;
	after = 0;
	limit = 100;
	if (!api_query_only(req, allowed, &err) ||
	    (db = api_db(&err)) == NULL || !api_actor(req, db, &actor, &err))
		return (api_error(req, &err));
	type = api_query(req, "record_type");
	id = api_query(req, "record_id");
	if (type == NULL) {
		app_err_set(&err, APP_EBADREQ, "record_type",
		    "\"record_type\" is required");
		return (api_error(req, &err));
	}
	if (!audit_name_ok(type, "record_type", &err) ||
	    (id != NULL && !audit_name_ok(id, "record_id", &err)) ||
	    ((v = api_query(req, "after")) != NULL &&
	    !auth_parse_i64(v, 0, INT64_MAX, "after", &after, &err)) ||
	    ((v = api_query(req, "limit")) != NULL &&
	    !auth_parse_i64(v, 1, AUDIT_PAGE_MAX, "limit", &limit, &err)) ||
	    !audit_list(db, &actor, type, id, after, (int)limit, &rows, &err))
		return (api_error(req, &err));
	last = json_array_size(rows) > 0 ?
	    json_object_get(json_array_get(rows, json_array_size(rows) - 1),
	    "id") : NULL;
	return (api_reply(req, 200, json_pack("{s:o,s:O?}", "entries", rows,
	    "next_after", (size_t)limit == json_array_size(rows) ? last :
	    NULL)));
}
