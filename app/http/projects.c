/*
 * projects.c: projects, their agreements, reports and variations
 * (docs/api.md, "Projects and payments").
 *   GET   /api/v1/projects?status=&scheme=&organisation=&on_hold=
 *             &limit=&cursor=[&format=xlsx|csv[&bom=0]]
 *   GET   /api/v1/projects/{id}
 *   PUT   /api/v1/projects/{id}/milestones          officer, before signing
 *   POST  /api/v1/projects/{id}/sign|suspend|resume|terminate|close|refund
 *   POST  /api/v1/projects/{id}/milestones/{seq}/reports   JSON or multipart
 *   GET   /api/v1/projects/{id}/variations
 *   POST  /api/v1/projects/{id}/variations
 *   GET   /api/v1/progress-reports/{id}
 *   GET   /api/v1/progress-reports/{id}/file
 *   POST  /api/v1/progress-reports/{id}/accept|return
 *   POST  /api/v1/variations/{id}/approve|reject
 * Every endpoint acts for a session; who may do what is decided in
 * app/core/projects*.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "auth.h"
#include "formdata.h"
#include "projects.h"

#define PROJECTS_PREFIX		"/api/v1/projects/"
#define REPORTS_PREFIX		"/api/v1/progress-reports/"
#define VARIATIONS_PREFIX	"/api/v1/variations/"

int	api_projects_list(struct http_request *);
int	api_projects_one(struct http_request *);
int	api_projects_milestones(struct http_request *);
int	api_projects_action(struct http_request *);
int	api_projects_reports(struct http_request *);
int	api_projects_variations(struct http_request *);
int	api_progress_report(struct http_request *);
int	api_progress_report_file(struct http_request *);
int	api_progress_report_review(struct http_request *);
int	api_variation_decide(struct http_request *);
int	v_itf_form(struct http_request *, const void *);

/* A decision on a report or a variation, for proj_decide(). */
typedef int	(*proj_decide_fn)(struct db *, const struct actor *, int64_t,
		    int, const char *, json_t **, struct app_err *);

static int	proj_note(const json_t *, const char **, struct app_err *);
static int	proj_status(const char *, void *, struct app_err *);
static int	proj_decide(struct http_request *, const char *, const char *,
		    proj_decide_fn);
static int	proj_variation_decide(struct db *, const struct actor *,
		    int64_t, int, const char *, json_t **, struct app_err *);
static int	proj_filter(struct http_request *, struct project_filter *,
		    char *, size_t, struct app_err *);
static const char *proj_upload_dir(char *, size_t);
static int	proj_form(struct http_request *, json_t **,
		    struct project_upload *, unsigned char **,
		    struct app_err *);
static int	proj_form_check(struct http_request *, struct formdata_scan *,
		    struct app_err *);

/*
 * Multipart text fields reach the handler only through a validator
 * (conf/routes.conf); the core validates them, so this accepts any.
 */
int
v_itf_form(struct http_request *req, const void *data)
{
	return (KORE_RESULT_OK);
}

/* A body of at most {"note"}. */
static int
proj_note(const json_t *in, const char **note, struct app_err *err)
{
	static const char *const	 keys[] = { "note", NULL };

	return (api_json_only(in, keys, err) &&
	    api_json_str(in, "note", note, err));
}

/* One word of ?status= into the bits at arg. */
static int
proj_status(const char *word, void *arg, struct app_err *err)
{
	enum project_status	 st;
	unsigned		*bits = arg;

	if (!project_status_parse(word, &st))
		return (app_err_set(err, APP_EBADREQ, "status",
		    "status: \"%.30s\" is not a project status", word));
	*bits |= 1U << st;
	return (1);
}

/* Where uploads live: ITF_UPLOAD_DIR, or var/uploads under the root. */
static const char *
proj_upload_dir(char *buf, size_t len)
{
	const char	*v;

	if ((v = getenv("ITF_UPLOAD_DIR")) != NULL && *v != '\0')
		snprintf(buf, len, "%s", v);
	else
		snprintf(buf, len, "%s/%s", api_root, PROJECT_UPLOAD_DIR);
	return (buf);
}

static int
proj_filter(struct http_request *req, struct project_filter *f, char *code,
    size_t codelen, struct app_err *err)
{
	static const char *const	 allowed[] = { "status", "scheme",
		"organisation", "on_hold", "limit", "cursor", "format", "bom",
		NULL };
	const char			*v;
	int64_t				 n;

	memset(f, 0, sizeof(*f));
	f->on_hold = -1;
	f->limit = PROJECT_LIST_DEFAULT;
	if (!api_query_only(req, allowed, err) ||
	    !api_query_scheme(req, code, codelen, &f->scheme, err) ||
	    !api_query_words(req, "status", 256, proj_status, &f->statuses,
	    err))
		return (0);
	if ((v = api_query(req, "on_hold")) != NULL) {
		if (strcmp(v, "true") == 0)
			f->on_hold = 1;
		else if (strcmp(v, "false") == 0)
			f->on_hold = 0;
		else
			return (app_err_set(err, APP_EBADREQ, "on_hold",
			    "on_hold: true or false"));
	}
	if ((v = api_query(req, "organisation")) != NULL &&
	    !auth_parse_i64(v, 1, INT64_MAX, "organisation", &f->org_id, err))
		return (0);
	if ((v = api_query(req, "cursor")) != NULL &&
	    !auth_parse_i64(v, 1, INT64_MAX, "cursor", &f->before_id, err))
		return (0);
	if ((v = api_query(req, "limit")) != NULL) {
		if (!auth_parse_i64(v, 1, PROJECT_LIST_MAX, "limit", &n, err))
			return (0);
		f->limit = (int)n;
	}
	return (1);
}

/*
 * The list, or with ?format= every project it matches (limit and cursor
 * ignored) as a workbook or CSV, built in a task thread.
 */
int
api_projects_list(struct http_request *req)
{
	static const char *const	 shown[] = { "status", "scheme",
		"organisation", "on_hold", NULL };
	struct projects_export		 x;
	struct project_filter		 f;
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*out;
	char				 code[16], file[64];
	int				 n;

	if (req->hdlr_extra != NULL)
		return (api_file_job_continue(req));
	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	out = NULL;
	memset(&x, 0, sizeof(x));
	if (!api_signed_in(req, &db, &actor, &err) ||
	    !proj_filter(req, &f, code, sizeof(code), &err) ||
	    (n = api_export_request(req, &x.format, &x.bom, &err)) < 0)
		return (api_error(req, &err));
	if (n == 0) {
		projects_list_json(db, &actor, &f, &out, &err);
		return (api_finish(req, 200, out, &err));
	}
	if (!projects_may_list(&actor, &err))
		return (api_error(req, &err));
	x.actor = actor;
	x.statuses = f.statuses;
	if (f.scheme != NULL)
		snprintf(x.scheme, sizeof(x.scheme), "%s", f.scheme);
	x.org_id = f.org_id;
	x.on_hold = f.on_hold;
	api_export_filters(req, shown, x.filters, sizeof(x.filters));
	snprintf(file, sizeof(file), "projects.%s",
	    export_extension(x.format));
	return (api_file_job_start(req, projects_export, &x, sizeof(x), file,
	    export_content_type(x.format)));
}

int
api_projects_one(struct http_request *req)
{
	return (api_read_one(req, PROJECTS_PREFIX, projects_get_json));
}

int
api_projects_milestones(struct http_request *req)
{
	return (api_write_one(req, HTTP_METHOD_PUT, "PUT", PROJECTS_PREFIX,
	    projects_schedule_set));
}

/* POST /projects/{id}/{sign,suspend,resume,terminate,close,refund}. */
int
api_projects_action(struct http_request *req)
{
	static const char *const	 reason_keys[] = { "reason", NULL };
	struct app_err			 err;
	struct actor			 actor;
	struct db			*db;
	json_t				*in, *out;
	const char			*s;
	char				 action[16];
	int64_t				 id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (!api_signed_in_action(req, PROJECTS_PREFIX, &db, &actor, &id,
	    action, sizeof(action), &in, &err))
		goto out;
	if (strcmp(action, "refund") == 0) {
		projects_refund(db, &actor, id, in, &out, &err);
		goto out;
	}
	if (strcmp(action, "suspend") == 0 ||
	    strcmp(action, "terminate") == 0) {
		if (!api_json_only(in, reason_keys, &err) ||
		    !api_json_str(in, "reason", &s, &err))
			goto out;
		if (action[0] == 's')
			projects_suspend(db, &actor, id, s, &out, &err);
		else
			projects_terminate(db, &actor, id, s, &out, &err);
		goto out;
	}
	if (!proj_note(in, &s, &err))
		goto out;
	if (strcmp(action, "sign") == 0)
		projects_sign(db, &actor, id, s, &out, &err);
	else if (strcmp(action, "resume") == 0)
		projects_resume(db, &actor, id, s, &out, &err);
	else if (strcmp(action, "close") == 0)
		projects_close(db, &actor, id, s, &out, &err);
	else
		app_err_set(&err, APP_ENOTFOUND, NULL, "no such action");
out:
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

/*
 * Read the whole multipart body through formdata_scan before Kore parses
 * it (formdata.h): a part Kore would drop or misread (a file named
 * "Q1: report.pdf", an empty or nameless file, an unknown or repeated
 * field) is refused here, naming it, before anything is written.  The
 * body is rewound for Kore afterwards.  *scan describes the file.
 */
static int
proj_form_check(struct http_request *req, struct formdata_scan *scan,
    struct app_err *err)
{
	static const char *const	 fields[] = { "kind", "text",
		"expenditure_cents", "audited_cost_cents", "interest_cents",
		NULL };
	const char			*ctype;
	u_int8_t			 chunk[16384];
	ssize_t				 n;

	if (!http_request_header(req, "content-type", &ctype))
		ctype = NULL;
	if (!formdata_init(scan, ctype, fields, "file", err))
		return (0);
	if (!http_body_rewind(req))
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the request body cannot be read"));
	for (;;) {
		if ((n = http_body_read(req, chunk, sizeof(chunk))) == -1)
			return (app_err_set(err, APP_EBADREQ, NULL,
			    "could not read the request body"));
		if (n == 0)
			break;
		if (!formdata_feed(scan, chunk, (size_t)n, err))
			return (0);
	}
	if (!formdata_end(scan, err))
		return (0);
	if (!http_body_rewind(req))
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the request body cannot be read"));
	return (1);
}

/*
 * A multipart report: the text fields (kind, text, expenditure_cents,
 * audited_cost_cents, interest_cents) into a JSON object as the JSON form
 * would have them, and the part named "file".  *buf (kore_free) holds the
 * file's bytes.
 */
static int
proj_form(struct http_request *req, json_t **in, struct project_upload *up,
    unsigned char **buf, struct app_err *err)
{
	static const char *const	 texts[] = { "kind", "text", NULL };
	static const char *const	 cents[] = { "expenditure_cents",
		"audited_cost_cents", "interest_cents", NULL };
	struct formdata_scan		 scan;
	struct http_file		*f;
	const char			*v;
	json_t				*s;
	int64_t				 n;
	size_t				 i, off;
	ssize_t				 r;

	*buf = NULL;
	*in = NULL;
	memset(up, 0, sizeof(*up));
	if (!proj_form_check(req, &scan, err))
		return (0);
	http_populate_multipart_form(req);
	if ((*in = json_object()) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	for (i = 0; texts[i] != NULL; i++) {
		if (!http_argument_get_string(req, texts[i], &v))
			continue;
		if ((s = json_string(v)) == NULL)
			return (app_err_set(err, APP_EINVAL, texts[i],
			    "%s: must be UTF-8 text", texts[i]));
		json_object_set_new(*in, texts[i], s);
	}
	for (i = 0; cents[i] != NULL; i++) {
		if (!http_argument_get_string(req, cents[i], &v))
			continue;
		if (!auth_parse_i64(v, 0, INT64_MAX, cents[i], &n, err))
			return (0);
		json_object_set_new(*in, cents[i], json_integer(n));
	}
	f = http_file_lookup(req, "file");
	/* Kore must have read the file exactly as the scan saw it. */
	if (scan.has_file != (f != NULL) || (f != NULL &&
	    (f->length != scan.file_len ||
	    strcmp(f->filename, scan.filename) != 0)))
		return (app_err_set(err, APP_EBADREQ, "file",
		    "file: the file part could not be read as sent"));
	if (f == NULL)
		return (1);
	if (f->length > PROJECT_UPLOAD_MAX)
		return (app_err_set(err, APP_ETOOLARGE, "file", "file: at most "
		    "%d bytes", PROJECT_UPLOAD_MAX));
	*buf = kore_malloc(f->length + 1);
	http_file_rewind(f);
	for (off = 0; off < f->length; off += (size_t)r) {
		r = http_file_read(f, *buf + off, f->length - off);
		if (r <= 0)
			return (app_err_set(err, APP_EBADREQ, "file",
			    "file: could not be read"));
	}
	up->data = *buf;
	up->len = f->length;
	up->filename = f->filename;
	return (1);
}

int
api_projects_reports(struct http_request *req)
{
	struct project_upload	 up;
	struct app_err		 err;
	struct actor		 actor;
	struct db		*db;
	json_t			*in, *out;
	unsigned char		*buf;
	const char		*ctype;
	char			 dir[PATH_MAX];
	int64_t			 id, seq;
	int			 multipart;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	buf = NULL;
	multipart = http_request_header(req, "content-type", &ctype) &&
	    strncasecmp(ctype, "multipart/form-data", 19) == 0;
	if (api_signed_in(req, &db, &actor, &err) &&
	    api_path_id(req, PROJECTS_PREFIX, 0, &id, &err) &&
	    api_path_id(req, PROJECTS_PREFIX, 2, &seq, &err) &&
	    api_query_only(req, NULL, &err)) {
		if (seq > PROJECT_MILESTONES_MAX)
			app_err_set(&err, APP_ENOTFOUND, "milestone",
			    "no such milestone");
		else if (multipart ? proj_form(req, &in, &up, &buf, &err) :
		    api_json_body_opt(req, 0, &in, &err))
			projects_report_submit(db, &actor,
			    proj_upload_dir(dir, sizeof(dir)), id, (int)seq, in,
			    multipart && up.data != NULL ? &up : NULL, &out,
			    &err);
	}
	json_decref(in);
	if (buf != NULL)
		kore_free(buf);
	return (api_finish(req, 201, out, &err));
}

int
api_projects_variations(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	int64_t		 id;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "GET, POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_id(req, PROJECTS_PREFIX, &db, &actor, &id, &err)) {
		if (req->method == HTTP_METHOD_GET)
			projects_variations_list_json(db, &actor, id, &out,
			    &err);
		else if (api_json_body_opt(req, 0, &in, &err))
			projects_variation_request(db, &api_schemes, &actor,
			    id, in, &out, &err);
	}
	json_decref(in);
	return (api_finish(req, req->method == HTTP_METHOD_POST ? 201 : 200,
	    out, &err));
}

int
api_progress_report(struct http_request *req)
{
	return (api_read_one(req, REPORTS_PREFIX, projects_report_get_json));
}

int
api_progress_report_file(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	unsigned char	*buf;
	char		 dir[PATH_MAX], path[PATH_MAX + 64], type[64];
	char		 name[64], disp[128];
	int64_t		 id;
	size_t		 len;
	ssize_t		 n;
	int		 fd;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	if (!api_signed_in_id(req, REPORTS_PREFIX, &db, &actor, &id, &err) ||
	    !projects_report_file(db, &actor, proj_upload_dir(dir,
	    sizeof(dir)), id, path, sizeof(path), type, sizeof(type), name,
	    sizeof(name), &err))
		return (api_error(req, &err));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		app_err_set(&err, APP_ENOTFOUND, "file", "the stored file is "
		    "missing");
		return (api_error(req, &err));
	}
	buf = kore_malloc(PROJECT_UPLOAD_MAX + 1);
	len = 0;
	while (len <= PROJECT_UPLOAD_MAX) {
		n = read(fd, buf + len, PROJECT_UPLOAD_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	http_response_header(req, "content-type", type);
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "content-security-policy", "sandbox");
	http_response(req, 200, buf, len);
	kore_free(buf);
	return (KORE_RESULT_OK);
}

/* POST /prefix/{id}/{yes|no} {note?}: fn with yes or not. */
static int
proj_decide(struct http_request *req, const char *prefix, const char *yes,
    proj_decide_fn fn)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;
	const char	*note;
	char		 action[16];
	int64_t		 id;

	if (req->method != HTTP_METHOD_POST)
		return (api_method_not_allowed(req, "POST"));
	app_err_clear(&err);
	in = out = NULL;
	if (api_signed_in_action(req, prefix, &db, &actor, &id, action,
	    sizeof(action), &in, &err) && proj_note(in, &note, &err))
		fn(db, &actor, id, strcmp(action, yes) == 0, note, &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}

int
api_progress_report_review(struct http_request *req)
{
	return (proj_decide(req, REPORTS_PREFIX, "accept",
	    projects_report_review));
}

static int
proj_variation_decide(struct db *db, const struct actor *actor, int64_t id,
    int approve, const char *note, json_t **out, struct app_err *err)
{
	return (projects_variation_decide(db, &api_schemes, actor, id,
	    approve, note, out, err));
}

int
api_variation_decide(struct http_request *req)
{
	return (proj_decide(req, VARIATIONS_PREFIX, "approve",
	    proj_variation_decide));
}
