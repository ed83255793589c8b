/*
 * ledger.c: the appropriation ledger (docs/ledger.md, docs/api.md "Ledger").
 *   GET  /api/v1/ledger/position?on=YYYY-MM-DD
 *   GET  /api/v1/ledger/accounts
 *   GET  /api/v1/ledger/entries?account=&kind=&paper_ref=&project_id=
 *        &from=&to=&limit=&offset=&order=[&format=xlsx|csv[&bom=0]]
 *   GET  /api/v1/ledger/entries/{id}
 *   POST /api/v1/ledger/entries/{id}/reverse	{reason, value_date?}
 *   POST /api/v1/ledger/injections
 *   POST /api/v1/ledger/openings
 *   POST /api/v1/ledger/transfers
 * Finance writes; finance, auditors, approvers and admins read.  The rule
 * is in core (ledger_authorise() and every ledger_* function).
 */
#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "dates.h"
#include "export.h"
#include "ledger.h"

#define LEDGER_ENTRIES_PREFIX	"/api/v1/ledger/entries/"

int	api_ledger_position(struct http_request *);
int	api_ledger_accounts(struct http_request *);
int	api_ledger_entries(struct http_request *);
int	api_ledger_entry(struct http_request *);
int	api_ledger_reverse(struct http_request *);
int	api_ledger_injections(struct http_request *);
int	api_ledger_openings(struct http_request *);
int	api_ledger_transfers(struct http_request *);

/* A write of one entry from a JSON body, on record id (0: none). */
typedef int		 (*ledger_write_fn)(struct db *, const struct actor *,
			    int64_t, const json_t *, int64_t *,
			    struct app_err *);

static struct db	*ledger_session(struct http_request *, int,
			    struct actor *, struct app_err *);
static struct db	*ledger_reader(struct http_request *,
			    const char *const *, struct actor *,
			    struct app_err *);
static int		 ledger_post(struct http_request *, const char *,
			    ledger_write_fn);
static int		 ledger_reverse_write(struct db *,
			    const struct actor *, int64_t, const json_t *,
			    int64_t *, struct app_err *);
static int		 ledger_inject_write(struct db *, const struct actor *,
			    int64_t, const json_t *, int64_t *,
			    struct app_err *);
static int		 ledger_open_write(struct db *, const struct actor *,
			    int64_t, const json_t *, int64_t *,
			    struct app_err *);
static int		 ledger_transfer_write(struct db *,
			    const struct actor *, int64_t, const json_t *,
			    int64_t *, struct app_err *);

/* The database and the acting user, allowed to read (or write). */
static struct db *
ledger_session(struct http_request *req, int write, struct actor *actor,
    struct app_err *err)
{
	struct db	*db;

	if ((db = api_db(err)) == NULL || !api_actor(req, db, actor, err) ||
	    !ledger_authorise(actor, write, err))
		return (NULL);
	return (db);
}

/* A reader's database, the query limited to allowed (NULL: none). */
static struct db *
ledger_reader(struct http_request *req, const char *const *allowed,
    struct actor *actor, struct app_err *err)
{
	struct db	*db;

	if ((db = ledger_session(req, 0, actor, err)) == NULL ||
	    !api_query_only(req, allowed, err))
		return (NULL);
	return (db);
}

/*
 * POST with a JSON body, by a writer, on the record whose id follows
 * prefix (NULL: none): fn makes the entry; 201 with it, as GET
 * /entries/{id} shows it.
 */
static int
ledger_post(struct http_request *req, const char *prefix, ledger_write_fn fn)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 target, id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	target = id = 0;
	if ((db = ledger_session(req, 1, &actor, &err)) == NULL ||
	    (prefix != NULL && !api_path_id(req, prefix, 0, &target, &err)) ||
	    !api_json_body(req, &in, &err))
		return (api_error(req, &err));
	fn(db, &actor, target, in, &id, &err);
	json_decref(in);
	if (err.code == APP_OK)
		ledger_entry_get(db, &actor, id, &out, &err);
	return (api_finish(req, 201, out, &err));
}

int
api_ledger_position(struct http_request *req)
{
	static const char *const	 allowed[] = { "on", NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	const char			*on;
	json_t				*out;
	int				 day;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	if ((db = ledger_reader(req, allowed, &actor, &err)) == NULL)
		return (api_error(req, &err));
	if ((on = api_query(req, "on")) == NULL)
		day = date_today_hk();
	else if (!date_parse(on, &day)) {
		app_err_set(&err, APP_EBADREQ, "on", "\"on\" must be a real "
		    "date written YYYY-MM-DD");
		return (api_error(req, &err));
	}
	ledger_position(db, &actor, day, &out, &err);
	return (api_finish(req, 200, out, &err));
}

int
api_ledger_accounts(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*out;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	if ((db = ledger_reader(req, NULL, &actor, &err)) == NULL)
		return (api_error(req, &err));
	ledger_accounts_list(db, &actor, &out, &err);
	return (api_finish(req, 200, out, &err));
}

/*
 * The entries, or with ?format= every entry the filters match (limit and
 * offset ignored, order kept) as a workbook or CSV, built in a task
 * thread.
 */
int
api_ledger_entries(struct http_request *req)
{
	static const char *const	 filters[] = { "account", "kind",
					    "paper_ref", "project_id", "from",
					    "to", "limit", "offset", "order",
					    NULL };
	static const char *const	 allowed[] = { "account", "kind",
					    "paper_ref", "project_id", "from",
					    "to", "limit", "offset", "order",
					    "format", "bom", NULL };
	static const char *const	 shown[] = { "account", "kind",
					    "paper_ref", "project_id", "from",
					    "to", "order", NULL };
	struct ledger_export		 x;
	struct app_err			 err;
	struct actor			 actor;
	struct ledger_filter		 f;
	struct db			*db;
	const char			*v;
	json_t				*out;
	size_t				 i;
	int				 n;
	char				 file_name[64];

	if (req->hdlr_extra != NULL)
		return (api_file_job_continue(req));
	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	ledger_filter_init(&f);
	if ((db = ledger_reader(req, allowed, &actor, &err)) == NULL)
		return (api_error(req, &err));
	for (i = 0; filters[i] != NULL; i++) {
		if ((v = api_query(req, filters[i])) != NULL &&
		    !ledger_filter_set(&f, filters[i], v, &err))
			return (api_error(req, &err));
	}
	memset(&x, 0, sizeof(x));
	if ((n = api_export_request(req, &x.format, &x.bom, &err)) < 0)
		return (api_error(req, &err));
	if (n == 0) {
		ledger_entries_list(db, &actor, &f, &out, &err);
		return (api_finish(req, 200, out, &err));
	}
	x.actor = actor;
	x.f = f;
	api_export_filters(req, shown, x.filters, sizeof(x.filters));
	snprintf(file_name, sizeof(file_name), "ledger-entries.%s",
	    export_extension(x.format));
	return (api_file_job_start(req, ledger_entries_export, &x, sizeof(x),
	    file_name, export_content_type(x.format)));
}

int
api_ledger_entry(struct http_request *req)
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
	if ((db = ledger_reader(req, NULL, &actor, &err)) == NULL ||
	    !api_path_id(req, LEDGER_ENTRIES_PREFIX, 0, &id, &err))
		return (api_error(req, &err));
	ledger_entry_get(db, &actor, id, &out, &err);
	return (api_finish(req, 200, out, &err));
}

static int
ledger_reverse_write(struct db *db, const struct actor *actor, int64_t target,
    const json_t *in, int64_t *id, struct app_err *err)
{
	char	reason[LEDGER_TEXT_MAX];
	int	day;

	return (ledger_reverse_from_json(in, reason, sizeof(reason), &day,
	    err) && ledger_reverse_tx(db, actor, target, reason, day, id, err));
}

int
api_ledger_reverse(struct http_request *req)
{
	return (ledger_post(req, LEDGER_ENTRIES_PREFIX, ledger_reverse_write));
}

static int
ledger_inject_write(struct db *db, const struct actor *actor, int64_t target,
    const json_t *in, int64_t *id, struct app_err *err)
{
	struct ledger_funding	f;

	return (ledger_funding_from_json(in, 0, &f, err) &&
	    ledger_inject_tx(db, actor, &f, id, err));
}

int
api_ledger_injections(struct http_request *req)
{
	return (ledger_post(req, NULL, ledger_inject_write));
}

static int
ledger_open_write(struct db *db, const struct actor *actor, int64_t target,
    const json_t *in, int64_t *id, struct app_err *err)
{
	struct ledger_funding	f;

	return (ledger_funding_from_json(in, 1, &f, err) &&
	    ledger_open_tx(db, actor, &f, id, err));
}

int
api_ledger_openings(struct http_request *req)
{
	return (ledger_post(req, NULL, ledger_open_write));
}

static int
ledger_transfer_write(struct db *db, const struct actor *actor,
    int64_t target, const json_t *in, int64_t *id, struct app_err *err)
{
	struct ledger_transfer	t;

	return (ledger_transfer_from_json(in, &t, err) &&
	    ledger_transfer_tx(db, actor, &t, id, err));
}

int
api_ledger_transfers(struct http_request *req)
{
	return (ledger_post(req, NULL, ledger_transfer_write));
}
