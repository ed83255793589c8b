/*
 * public.c: the public register of funded projects (docs/api.md, "Public
 * project register"; the rules and the query are in app/core/public.c).
 *   GET /api/v1/public/projects?q=&scheme=&organisation=&year=&status=
 *       &limit=&cursor=
 * No session is needed or looked at: the answer is the same for everyone.
 */
#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"
#include "public.h"

int	api_public_projects(struct http_request *);

static int	public_status(const char *, void *, struct app_err *);
static int	public_filter_parse(struct http_request *,
		    struct public_filter *, char *, size_t, struct app_err *);

/* One word of ?status= into the bits at arg. */
static int
public_status(const char *word, void *arg, struct app_err *err)
{
	enum public_status	 st;
	unsigned		*bits = arg;

	if (!public_status_parse(word, &st))
		return (app_err_set(err, APP_EBADREQ, "status",
		    "status: \"%.30s\" is not one of approved, ongoing, "
		    "completed, terminated", word));
	*bits |= 1U << st;
	return (1);
}

static int
public_filter_parse(struct http_request *req, struct public_filter *f,
    char *code, size_t codelen, struct app_err *err)
{
	static const char *const	 allowed[] = { "q", "scheme",
		"organisation", "year", "status", "limit", "cursor", NULL };
	const char			*v;
	int64_t				 n;

	memset(f, 0, sizeof(*f));
	f->limit = PUBLIC_LIST_DEFAULT;
	if (!api_query_only(req, allowed, err))
		return (0);
	if ((v = api_query(req, "q")) != NULL && *v != '\0') {
		if (!public_q_ok(v, err))
			return (0);
		f->q = v;
	}
	if (!api_query_scheme(req, code, codelen, &f->scheme, err))
		return (0);
	if ((v = api_query(req, "organisation")) != NULL &&
	    !auth_parse_i64(v, 1, INT64_MAX, "organisation", &f->org_id, err))
		return (0);
	if ((v = api_query(req, "year")) != NULL) {
		if (!auth_parse_i64(v, PUBLIC_YEAR_MIN, PUBLIC_YEAR_MAX,
		    "year", &n, err))
			return (0);
		f->year = (int)n;
	}
	if (!api_query_words(req, "status", 128, public_status, &f->statuses,
	    err))
		return (0);
	if ((v = api_query(req, "cursor")) != NULL &&
	    !auth_parse_i64(v, 1, INT64_MAX, "cursor", &f->before_id, err))
		return (0);
	if ((v = api_query(req, "limit")) != NULL) {
		if (!auth_parse_i64(v, 1, PUBLIC_LIST_MAX, "limit", &n, err))
			return (0);
		f->limit = (int)n;
	}
	return (1);
}

int
api_public_projects(struct http_request *req)
{
	struct public_filter	 f;
	struct app_err		 err;
	struct db		*db;
	json_t			*out;
	char			 code[16];

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	if (public_filter_parse(req, &f, code, sizeof(code), &err) &&
	    (db = api_db(&err)) != NULL)
		public_projects_json(db, &f, &out, &err);
	return (api_finish(req, 200, out, &err));
}
