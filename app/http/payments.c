/*
 * payments.c: payments of project tranches (docs/api.md, "Projects and
 * payments").
 *   GET   /api/v1/payments?project=&status=&limit=&cursor=
 *             [&format=xlsx|csv[&bom=0]]     the list, or all of it as a
 *                                            download
 *   POST  /api/v1/payments          prepare: {tranche_id, amount_cents?,
 *                                   project_id?, note?} + Idempotency-Key
 *   GET   /api/v1/payments/{id}
 *   POST  /api/v1/payments/{id}/approve   {note?}
 *   POST  /api/v1/payments/{id}/cancel    {reason}
 * A prepare answers 201 for a new payment and 200 with the same payment
 * when the key comes again with the same body.  Rules: app/core/payments.c.
 */
#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"
#include "export.h"
#include "payments.h"

#define PAYMENTS_PREFIX		"/api/v1/payments/"

int	api_payments(struct http_request *);
int	api_payments_one(struct http_request *);
int	api_payments_action(struct http_request *);

static int	pay_list(struct http_request *);
static int	pay_prepare(struct http_request *);

int
api_payments(struct http_request *req)
{
	if (req->hdlr_extra != NULL)
		return (api_file_job_continue(req));
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (pay_list(req));
	case HTTP_METHOD_POST:
		return (pay_prepare(req));
	default:
		return (api_method_not_allowed(req, "GET, POST"));
	}
}

/*
 * The list, or with ?format= every payment it matches (limit and cursor
 * ignored) as a workbook or CSV, built in a task thread.
 */
static int
pay_list(struct http_request *req)
{
	static const char *const	 allowed[] = { "project", "status",
		"limit", "cursor", "format", "bom", NULL };
	static const char *const	 shown[] = { "project", "status",
		NULL };
	struct payments_export		 x;
	struct payment_filter		 f;
	enum payment_status		 st;
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*out;
	const char			*v;
	int64_t				 n;
	int				 dl;
	char				 file[64];

	app_err_clear(&err);
	out = NULL;
	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.limit = PAYMENT_LIST_DEFAULT;
	if (!api_signed_in(req, &db, &actor, &err) ||
	    !api_query_only(req, allowed, &err))
		goto out;
	if ((v = api_query(req, "project")) != NULL &&
	    !auth_parse_i64(v, 1, INT64_MAX, "project", &f.project_id, &err))
		goto out;
	if ((v = api_query(req, "cursor")) != NULL &&
	    !auth_parse_i64(v, 1, INT64_MAX, "cursor", &f.before_id, &err))
		goto out;
	if ((v = api_query(req, "limit")) != NULL) {
		if (!auth_parse_i64(v, 1, PAYMENT_LIST_MAX, "limit", &n, &err))
			goto out;
		f.limit = (int)n;
	}
	if ((v = api_query(req, "status")) != NULL) {
		if (!payment_status_parse(v, &st)) {
			app_err_set(&err, APP_EBADREQ, "status", "status: "
			    "prepared, approved or cancelled");
			goto out;
		}
		f.status = (int)st;
	}
	memset(&x, 0, sizeof(x));
	if ((dl = api_export_request(req, &x.format, &x.bom, &err)) < 0)
		goto out;
	if (dl == 0) {
		payments_list_json(db, &actor, &f, &out, &err);
		goto out;
	}
	if (!payments_may_list(&actor, &err))
		goto out;
	x.actor = actor;
	x.project_id = f.project_id;
	x.status = f.status;
	api_export_filters(req, shown, x.filters, sizeof(x.filters));
	snprintf(file, sizeof(file), "payments.%s", export_extension(x.format));
	return (api_file_job_start(req, payments_export, &x, sizeof(x), file,
	    export_content_type(x.format)));
out:
	return (api_finish(req, 200, out, &err));
}

static int
pay_prepare(struct http_request *req)
{
	struct payment_request	 pr;
	struct app_err		 err;
	struct actor		 actor;
	struct db		*db;
	json_t			*in, *out;
	const char		*key;
	int			 created;

	app_err_clear(&err);
	in = out = NULL;
	created = 0;
	if (!http_request_header(req, "idempotency-key", &key))
		key = NULL;
	if (api_signed_in(req, &db, &actor, &err) &&
	    api_query_only(req, NULL, &err) &&
	    api_json_body(req, &in, &err) &&
	    payments_request_from_json(in, key, &pr, &err))
		payments_prepare(db, &actor, &pr, &created, &out, &err);
	json_decref(in);
	return (api_finish(req, created ? 201 : 200, out, &err));
}

int
api_payments_one(struct http_request *req)
{
	return (api_read_one(req, PAYMENTS_PREFIX, payments_get_json));
}

/* POST /payments/{id}/approve {note?} and /cancel {reason}. */
int
api_payments_action(struct http_request *req)
{
	static const char *const	 note_keys[] = { "note", NULL };
	static const char *const	 reason_keys[] = { "reason", NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*in, *out;
	const char			*s, *key;
	char				 action[16];
	int64_t				 id;
	int				 approve;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (!api_signed_in_action(req, PAYMENTS_PREFIX, &db, &actor, &id,
	    action, sizeof(action), &in, &err))
		goto out;
	approve = strcmp(action, "approve") == 0;
	key = approve ? "note" : "reason";
	if (!api_json_only(in, approve ? note_keys : reason_keys, &err) ||
	    !api_json_str(in, key, &s, &err))
		goto out;
	if (approve)
		payments_approve(db, &actor, id, s, &out, &err);
	else
		payments_cancel(db, &actor, id, s, &out, &err);
out:
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}
