/*
 * schemes.c: the scheme catalogue and funding quotes.
 *   GET  /api/v1/schemes
 *   GET  /api/v1/schemes/{code}
 *   GET  /api/v1/schemes/{code}/rules?on=YYYY-MM-DD
 *   POST /api/v1/schemes/{code}/quote
 * Public reference data: no session needed (the published scheme rules).
 */
#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "dates.h"
#include "funding.h"

#define SCHEMES_PREFIX	"/api/v1/schemes/"

int	api_schemes_list(struct http_request *);
int	api_schemes_get(struct http_request *);
int	api_schemes_rules(struct http_request *);
int	api_schemes_quote(struct http_request *);

static const struct scheme	*scheme_of(struct http_request *,
				    struct app_err *);

static const struct scheme *
scheme_of(struct http_request *req, struct app_err *err)
{
	const struct scheme	*s;
	char			 code[16];

	if (api_path_seg(req, SCHEMES_PREFIX, 0, code, sizeof(code)) == NULL ||
	    (s = schemes_find(&api_schemes, code)) == NULL) {
		app_err_set(err, APP_ENOTFOUND, "code", "no scheme with code "
		    "\"%.16s\"", code);
		return (NULL);
	}
	return (s);
}

int
api_schemes_list(struct http_request *req)
{
	struct app_err	 err;
	json_t		*list;
	size_t		 i;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	if (!api_query_only(req, NULL, &err))
		return (api_error(req, &err));
	list = json_array();
	for (i = 0; i < api_schemes.n; i++)
		json_array_append_new(list,
		    scheme_summary_json(&api_schemes.v[i]));
	return (api_reply(req, 200, json_pack("{s:o,s:i}", "schemes", list,
	    "count", (int)api_schemes.n)));
}

int
api_schemes_get(struct http_request *req)
{
	struct app_err		 err;
	const struct scheme	*s;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	if ((s = scheme_of(req, &err)) == NULL ||
	    !api_query_only(req, NULL, &err))
		return (api_error(req, &err));
	return (api_reply(req, 200, scheme_json(s)));
}

int
api_schemes_rules(struct http_request *req)
{
	static const char *const	 allowed[] = { "on", NULL };
	struct app_err			 err;
	const struct scheme		*s;
	const struct scheme_rules	*r;
	const char			*on;
	int				 day;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	if ((s = scheme_of(req, &err)) == NULL ||
	    !api_query_only(req, allowed, &err))
		return (api_error(req, &err));
	if ((on = api_query(req, "on")) == NULL)
		day = date_today_hk();
	else if (!date_parse(on, &day)) {
		app_err_set(&err, APP_EBADREQ, "on", "\"on\" must be a real "
		    "date written YYYY-MM-DD");
		return (api_error(req, &err));
	}
	if ((r = scheme_rules_on(s, day)) == NULL) {
		char	d[DATE_ISO_LEN];

		app_err_set(&err, APP_ENOTFOUND, "on", "%s had no rules in "
		    "force on %s", s->code, date_format(day, d, sizeof(d)));
		return (api_error(req, &err));
	}
	return (api_reply(req, 200, scheme_rules_json(s, r)));
}

int
api_schemes_quote(struct http_request *req)
{
	struct app_err		 err;
	const struct scheme	*s;
	json_t			*in, *out;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	/* A quote changes nothing, so it needs no CSRF header. */
	if ((s = scheme_of(req, &err)) != NULL &&
	    api_json_body(req, &in, &err))
		funding_quote_json(s, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}
