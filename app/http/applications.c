/*
 * applications.c: funding applications (docs/api.md, "Applications").
 *   GET   /api/v1/applications?scheme=&status=&organisation=
 *             &submitted_from=&submitted_to=&reference=&limit=&cursor=
 *             [&format=xlsx|csv[&bom=0]]            the list, or all of it
 *                                                   as a download
 *   POST  /api/v1/applications                       create a draft
 *   GET   /api/v1/applications/{id}
 *   PATCH /api/v1/applications/{id}                  edit a draft / returned
 *   POST  /api/v1/applications/{id}/submit           submit or resubmit
 *   POST  /api/v1/applications/{id}/screen           {"decision","note"}
 *   POST  /api/v1/applications/{id}/withdraw         {"reason"}
 *   GET   /api/v1/applications/{id}/duplicates       officers
 *   GET   /api/v1/applications/by-reference/TVP/0001/21
 * Every endpoint acts for a session (401 without one); who may do what is
 * decided in app/core/applications.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "applications.h"
#include "dates.h"
#include "export.h"

#define APPS_PREFIX	"/api/v1/applications/"
#define APPS_REF_PREFIX	"/api/v1/applications/by-reference/"

int	api_applications(struct http_request *);
int	api_applications_one(struct http_request *);
int	api_applications_submit(struct http_request *);
int	api_applications_screen(struct http_request *);
int	api_applications_withdraw(struct http_request *);
int	api_applications_duplicates(struct http_request *);
int	api_applications_by_reference(struct http_request *);

static int	apps_query_id(const char *, const char *, int64_t *,
		    struct app_err *);
static int	apps_query_date(struct http_request *, const char *, int *,
		    struct app_err *);
static int	apps_status(const char *, void *, struct app_err *);
static int	apps_filter(struct http_request *, struct application_filter *,
		    char *, size_t, struct app_err *);
static int	apps_list(struct http_request *);
static int	apps_create(struct http_request *);

/* A positive int64 written in plain digits. */
static int
apps_query_id(const char *name, const char *v, int64_t *out,
    struct app_err *err)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (v[0] < '1' || v[0] > '9' || *end != '\0' || errno != 0 || n <= 0)
		return (app_err_set(err, APP_EBADREQ, name, "%s: must be a "
		    "positive whole number", name));
	*out = n;
	return (1);
}

static int
apps_query_date(struct http_request *req, const char *name, int *day,
    struct app_err *err)
{
	const char	*v;

	*day = -1;
	if ((v = api_query(req, name)) == NULL)
		return (1);
	if (!date_parse(v, day))
		return (app_err_set(err, APP_EBADREQ, name, "%s: must be a "
		    "real date written YYYY-MM-DD", name));
	return (1);
}

/* One word of ?status= into the bits at arg. */
static int
apps_status(const char *word, void *arg, struct app_err *err)
{
	enum application_status	 st;
	unsigned		*bits = arg;

	if (!application_status_parse(word, &st))
		return (app_err_set(err, APP_EBADREQ, "status",
		    "status: \"%.30s\" is not a status", word));
	*bits |= 1U << st;
	return (1);
}

/* The list's query string into f (scheme code copied into code). */
static int
apps_filter(struct http_request *req, struct application_filter *f,
    char *code, size_t codelen, struct app_err *err)
{
	static const char *const	 allowed[] = {
		"scheme", "status", "organisation", "submitted_from",
		"submitted_to", "reference", "limit", "cursor", "format", "bom",
		NULL
	};
	const char			*v;
	int64_t				 n;

	memset(f, 0, sizeof(*f));
	f->limit = APPLICATION_LIST_DEFAULT;
	if (!api_query_only(req, allowed, err) ||
	    !apps_query_date(req, "submitted_from", &f->submitted_from, err) ||
	    !apps_query_date(req, "submitted_to", &f->submitted_to, err))
		return (0);
	if (f->submitted_from >= 0 && f->submitted_to >= 0 &&
	    f->submitted_from > f->submitted_to)
		return (app_err_set(err, APP_EBADREQ, "submitted_to",
		    "submitted_to: is before submitted_from"));
	/* The scheme; one status or several, comma-separated. */
	if (!api_query_scheme(req, code, codelen, &f->scheme, err) ||
	    !api_query_words(req, "status", 256, apps_status, &f->statuses,
	    err))
		return (0);
	if ((v = api_query(req, "organisation")) != NULL &&
	    !apps_query_id("organisation", v, &f->org_id, err))
		return (0);
	if ((v = api_query(req, "cursor")) != NULL &&
	    !apps_query_id("cursor", v, &f->before_id, err))
		return (0);
	if ((v = api_query(req, "limit")) != NULL) {
		if (!apps_query_id("limit", v, &n, err))
			return (0);
		if (n > APPLICATION_LIST_MAX)
			return (app_err_set(err, APP_EBADREQ, "limit",
			    "limit: at most %d", APPLICATION_LIST_MAX));
		f->limit = (int)n;
	}
	if ((v = api_query(req, "reference")) != NULL) {
		if (*v == '\0' || strlen(v) >= APPLICATION_REF_MAX)
			return (app_err_set(err, APP_EBADREQ, "reference",
			    "reference: written like TVP/0001/21"));
		f->reference = v;
	}
	return (1);
}

int
api_applications(struct http_request *req)
{
	if (req->hdlr_extra != NULL)
		return (api_file_job_continue(req));
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (apps_list(req));
	case HTTP_METHOD_POST:
		return (apps_create(req));
	default:
		return (api_method_not_allowed(req, "GET, POST"));
	}
}

/*
 * The list, or with ?format= every row it matches (not one page: limit and
 * cursor are ignored) as a workbook or CSV, built in a task thread.
 */
static int
apps_list(struct http_request *req)
{
	static const char *const	 shown[] = { "scheme", "status",
		"organisation", "submitted_from", "submitted_to", "reference",
		NULL };
	struct applications_export	 x;
	struct application_filter	 f;
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*out;
	char				 code[16], file[64];
	int				 n;

	app_err_clear(&err);
	out = NULL;
	memset(&x, 0, sizeof(x));
	if (!api_signed_in(req, &db, &actor, &err) ||
	    !apps_filter(req, &f, code, sizeof(code), &err) ||
	    (n = api_export_request(req, &x.format, &x.bom, &err)) < 0)
		return (api_error(req, &err));
	if (n == 0) {
		applications_list_json(db, &actor, &f, &out, &err);
		return (api_finish(req, 200, out, &err));
	}
	if (!application_may_list(&actor, &err))
		return (api_error(req, &err));
	x.actor = actor;
	if (f.scheme != NULL)
		snprintf(x.scheme, sizeof(x.scheme), "%s", f.scheme);
	x.statuses = f.statuses;
	x.org_id = f.org_id;
	x.submitted_from = f.submitted_from;
	x.submitted_to = f.submitted_to;
	if (f.reference != NULL)
		snprintf(x.reference, sizeof(x.reference), "%s", f.reference);
	api_export_filters(req, shown, x.filters, sizeof(x.filters));
	snprintf(file, sizeof(file), "applications.%s",
	    export_extension(x.format));
	return (api_file_job_start(req, applications_export, &x, sizeof(x),
	    file, export_content_type(x.format)));
}

static int
apps_create(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;

	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in(req, &db, &actor, &err) &&
	    api_query_only(req, NULL, &err) &&
	    api_json_body_opt(req, 0, &in, &err))
		applications_create(db, &api_schemes, &actor, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 201, out, &err));
}

int
api_applications_one(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_PATCH)
		return (api_method_not_allowed(req, "GET, PATCH"));
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_id(req, APPS_PREFIX, &db, &actor, &id, &err)) {
		if (req->method == HTTP_METHOD_GET)
			applications_get_json(db, &actor, id, &out, &err);
		else if (api_json_body_opt(req, 0, &in, &err))
			applications_update(db, &api_schemes, &actor, id, in,
			    &out, &err);
	}
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

int
api_applications_submit(struct http_request *req)
{
	static const char *const	 allowed[] = { NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*in, *out;
	int64_t				 id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_id(req, APPS_PREFIX, &db, &actor, &id, &err) &&
	    api_json_body_opt(req, 1, &in, &err) &&
	    api_json_only(in, allowed, &err))
		applications_submit(db, &api_schemes, &actor, id,
		    application_today(), &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

int
api_applications_screen(struct http_request *req)
{
	static const char *const	 allowed[] = {
		"decision", "note", NULL
	};
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*in, *out;
	const char			*decision, *note;
	int64_t				 id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_id(req, APPS_PREFIX, &db, &actor, &id, &err) &&
	    api_json_body_opt(req, 0, &in, &err) &&
	    api_json_only(in, allowed, &err) &&
	    api_json_str(in, "decision", &decision, &err) &&
	    api_json_str(in, "note", &note, &err))
		applications_screen(db, &api_schemes, &actor, id, decision,
		    note, &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

int
api_applications_withdraw(struct http_request *req)
{
	static const char *const	 allowed[] = { "reason", NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*in, *out;
	const char			*reason;
	int64_t				 id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_id(req, APPS_PREFIX, &db, &actor, &id, &err) &&
	    api_json_body_opt(req, 1, &in, &err) &&
	    api_json_only(in, allowed, &err) &&
	    api_json_str(in, "reason", &reason, &err))
		applications_withdraw(db, &api_schemes, &actor, id, reason,
		    &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

int
api_applications_duplicates(struct http_request *req)
{
	return (api_read_one(req, APPS_PREFIX, applications_duplicates_json));
}

int
api_applications_by_reference(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*out;
	char		 prefix[8], seq[8], year[4], ref[APPLICATION_REF_MAX];
	size_t		 i;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	if (api_signed_in(req, &db, &actor, &err) &&
	    api_query_only(req, NULL, &err)) {
		if (api_path_seg(req, APPS_REF_PREFIX, 0, prefix,
		    sizeof(prefix)) == NULL ||
		    api_path_seg(req, APPS_REF_PREFIX, 1, seq,
		    sizeof(seq)) == NULL ||
		    api_path_seg(req, APPS_REF_PREFIX, 2, year,
		    sizeof(year)) == NULL) {
			app_err_set(&err, APP_ENOTFOUND, "reference",
			    "no such application");
		} else {
			for (i = 0; prefix[i] != '\0'; i++)
				prefix[i] = (char)toupper((unsigned char)
				    prefix[i]);
			snprintf(ref, sizeof(ref), "%s/%s/%s", prefix, seq,
			    year);
			applications_get_by_reference_json(db, &actor, ref,
			    &out, &err);
		}
	}
	return (api_finish(req, 200, out, &err));
}
