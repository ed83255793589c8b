/*
 * reports.c: Excel reports, file downloads and cash-flow estimates.
 *   GET /api/v1/reports                    the reports and their parameters
 *   GET /api/v1/reports/{name}.xlsx?...    one report as a workbook
 *   GET /api/v1/cash-flow-estimates        the estimates (report roles);
 *       ?format=xlsx|csv[&bom=0]           as a download (the example of a
 *                                          list export, reports/export.h)
 *   PUT /api/v1/cash-flow-estimates        set estimates (finance, audited)
 *
 * A workbook can take seconds (the project register runs to 200,000
 * rows), so it is never built on the worker's event loop: the handler
 * checks the session, the role and the parameters, then hands the build
 * to a Kore task thread (kore-4.1-notes.md section 7) and sleeps.  The
 * thread opens a database connection of its own (the worker's is not
 * shared across threads), builds into a temporary file under ITF_TMPDIR
 * or var/tmp, closes the connection and finishes; the handler, woken,
 * maps the file, unlinks it and streams it back as an attachment.  A
 * client that goes away meanwhile only costs the file, removed when the
 * request is finally freed.
 *
 * The same machinery serves list downloads: api_file_job_start() and
 * api_file_job_continue() below (see reports/export.h for how a list
 * handler uses them).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#include "api.h"
#include "estimates.h"
#include "export.h"
#include "report.h"

#define REPORTS_PREFIX		"/api/v1/reports/"
#define XLSX_TYPE \
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/*
 * One file being built.  Allocated with kore_calloc and hung on
 * req->hdlr_extra, so Kore frees it with the request.  The thread writes
 * ok, err and done; the worker reads them only once done is set.
 */
struct file_job {
	struct kore_task	 task;		/* first: the thread gets &task */
	export_job_fn		 fn;
	char			 conninfo[DB_CONNINFO_MAX];
	char			 path[PATH_MAX];
	char			 filename[192];
	char			 ctype[96];
	struct app_err		 err;
	int			 ok;
	atomic_int		 done;
	int			 unlinked;
	size_t			 arglen;
	unsigned char		 arg[];
};

/* A mapped file being sent; unmapped when the send ends either way. */
struct file_stream {
	void			*base;
	size_t			 len;
};

/* What a report's job carries. */
struct report_job {
	const struct report_def	*def;		/* static registry entry */
	struct report_params	 params;
};

int	api_reports_list(struct http_request *);
int	api_reports_get(struct http_request *);
int	api_cash_flow_estimates(struct http_request *);

static int	file_job_task(struct kore_task *);
static void	file_job_onfree(struct http_request *);
static int	file_send(struct http_request *, struct file_job *);
static int	file_stream_done(struct netbuf *);
static int	report_job_run(struct db *, const void *, const char *,
		    struct app_err *);
static int	reports_session(struct http_request *, struct actor *,
		    struct app_err *);
static int	estimates_get(struct http_request *);
static int	estimates_set(struct http_request *);
static size_t	filter_text(char *, size_t, size_t, const char *);

/*
 * The file jobs.
 */

/*
 * Start building a file for req in a task thread: fn(db, copy of arg,
 * path, err) with a connection of the thread's own.  The handler returns
 * what this returns; when Kore calls it again (req->hdlr_extra set) it
 * must return api_file_job_continue(req).  filename is what the client
 * is offered; ctype its media type.
 */
int
api_file_job_start(struct http_request *req, export_job_fn fn, const void *arg,
    size_t arglen, const char *filename, const char *ctype)
{
	struct file_job		*job;
	struct app_err		 err;
	char			 dir[PATH_MAX];
	int			 fd;

	app_err_clear(&err);
	if (!report_tmpdir(api_root, dir, sizeof(dir), &err))
		return (api_error(req, &err));
	job = kore_calloc(1, sizeof(*job) + arglen);
	job->fn = fn;
	job->arglen = arglen;
	memcpy(job->arg, arg, arglen);
	snprintf(job->filename, sizeof(job->filename), "%s", filename);
	snprintf(job->ctype, sizeof(job->ctype), "%s", ctype);
	db_default_conninfo(api_root, job->conninfo, sizeof(job->conninfo));
	app_err_clear(&job->err);
	atomic_init(&job->done, 0);
	if (snprintf(job->path, sizeof(job->path), "%s/itf-file-XXXXXX",
	    dir) >= (int)sizeof(job->path) ||
	    (fd = mkstemp(job->path)) == -1) {
		kore_free(job);
		app_err_set(&err, APP_EINTERNAL, NULL,
		    "cannot create a temporary file");
		kore_log(LOG_ERR, "file job: mkstemp in %s: %s", dir, errno_s);
		return (api_error(req, &err));
	}
	close(fd);
	req->hdlr_extra = job;
	req->onfree = file_job_onfree;
	kore_task_create(&job->task, file_job_task);
	kore_task_bind_request(&job->task, req);
	kore_task_run(&job->task);
	return (KORE_RESULT_RETRY);
}

int
api_export_request(struct http_request *req, enum export_format *fmt,
    int *bom, struct app_err *err)
{
	const char	*f, *b;

	f = api_query(req, "format");
	b = api_query(req, "bom");
	if (f == NULL && b == NULL)
		return (0);
	if (!export_format_parse(f, fmt, err))
		return (-1);
	if (b != NULL && strcmp(b, "0") != 0 && strcmp(b, "1") != 0) {
		app_err_set(err, APP_EBADREQ, "bom", "bom: 0 or 1");
		return (-1);
	}
	/* CSV for Excel: with a byte-order mark unless bom=0. */
	*bom = b == NULL || strcmp(b, "1") == 0;
	return (1);
}

void
api_export_filters(struct http_request *req, const char *const *names,
    char *buf, size_t len)
{
	const char	*v;
	size_t		 i, n;

	if (len == 0)
		return;
	buf[0] = '\0';
	n = 0;
	for (i = 0; names[i] != NULL; i++) {
		if ((v = api_query(req, names[i])) == NULL)
			continue;
		if (n > 0)
			n = filter_text(buf, len, n, ", ");
		n = filter_text(buf, len, n, names[i]);
		n = filter_text(buf, len, n, "=");
		n = filter_text(buf, len, n, v);
	}
}

/*
 * Append s to buf (n bytes used so far) as far as whole characters fit:
 * valid UTF-8 is kept, any other byte and control characters become '?',
 * so a query value never puts broken text into a workbook.  The new n.
 */
static size_t
filter_text(char *buf, size_t len, size_t n, const char *s)
{
	const unsigned char	*p;
	size_t			 k, i;

	for (p = (const unsigned char *)s; *p != '\0'; p += k) {
		if (*p < 0x80)
			k = 1;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			k = 2;
		else if ((*p & 0xf0) == 0xe0)
			k = 3;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			k = 4;
		else
			k = 0;
		for (i = 1; i < k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				k = 0;
		}
		if (n + (k > 0 ? k : 1) + 1 > len)
			break;
		if (k == 0 || (k == 1 && (*p < 0x20 || *p == 0x7f))) {
			buf[n++] = '?';
			k = 1;
		} else {
			memcpy(buf + n, p, k);
			n += k;
		}
	}
	buf[n] = '\0';
	return (n);
}

/* The handler's re-entry while a job it started runs or has finished. */
int
api_file_job_continue(struct http_request *req)
{
	struct file_job		*job = req->hdlr_extra;

	if (!atomic_load(&job->done) ||
	    kore_task_state(&job->task) != KORE_TASK_STATE_FINISHED) {
		http_request_sleep(req);
		return (KORE_RESULT_RETRY);
	}
	kore_task_destroy(&job->task);
	if (!job->ok) {
		(void)unlink(job->path);
		job->unlinked = 1;
		if (job->err.code == APP_OK)
			app_err_set(&job->err, APP_EINTERNAL, NULL,
			    "the file could not be built");
		return (api_error(req, &job->err));
	}
	return (file_send(req, job));
}

/* The task thread: never touches req, Kore's memory or the worker's db. */
static int
file_job_task(struct kore_task *t)
{
	struct file_job		*job = (struct file_job *)t;
	struct db		 db;

	memset(&db, 0, sizeof(db));
	app_err_clear(&job->err);
	job->ok = db_open(&db, job->conninfo, &job->err) &&
	    db_set_role(&db, "itf_app", &job->err) &&
	    job->fn(&db, job->arg, job->path, &job->err);
	db_close(&db);
	atomic_store(&job->done, 1);
	return (KORE_RESULT_OK);
}

/*
 * Called by Kore each time it tries to free the request (again and again
 * while a task is still bound): remove the file once the thread is done
 * with it, unless it was already sent or removed.
 */
static void
file_job_onfree(struct http_request *req)
{
	struct file_job		*job = req->hdlr_extra;

	if (job == NULL || job->unlinked || !atomic_load(&job->done))
		return;
	(void)unlink(job->path);
	job->unlinked = 1;
}

static int
file_send(struct http_request *req, struct file_job *job)
{
	struct file_stream	*fs;
	struct app_err		 err;
	struct stat		 st;
	void			*base;
	char			 disp[256];
	int			 fd;

	app_err_clear(&err);
	base = MAP_FAILED;
	if ((fd = open(job->path, O_RDONLY | O_CLOEXEC)) != -1 &&
	    fstat(fd, &st) == 0 && st.st_size > 0)
		base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);
	if (fd != -1)
		close(fd);
	/* The mapping keeps the data; the name can go now. */
	(void)unlink(job->path);
	job->unlinked = 1;
	if (base == MAP_FAILED) {
		kore_log(LOG_ERR, "file job: cannot map %s: %s", job->path,
		    errno_s);
		app_err_set(&err, APP_EINTERNAL, NULL,
		    "the file could not be read back");
		return (api_error(req, &err));
	}
	if (req->owner == NULL) {
		(void)munmap(base, (size_t)st.st_size);
		return (KORE_RESULT_OK);
	}
	fs = kore_malloc(sizeof(*fs));
	fs->base = base;
	fs->len = (size_t)st.st_size;
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
	    job->filename);
	http_response_header(req, "content-type", job->ctype);
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_stream(req, 200, fs->base, fs->len, file_stream_done, fs);
	return (KORE_RESULT_OK);
}

/* The send finished or the connection went away: drop the mapping. */
static int
file_stream_done(struct netbuf *nb)
{
	struct file_stream	*fs = nb->extra;

	if (fs != NULL) {
		(void)munmap(fs->base, fs->len);
		kore_free(fs);
		nb->extra = NULL;
	}
	return (KORE_RESULT_OK);
}

/*
 * Reports.
 */

static int
reports_session(struct http_request *req, struct actor *actor,
    struct app_err *err)
{
	struct db	*db;

	return ((db = api_db(err)) != NULL &&
	    api_actor(req, db, actor, err) &&
	    report_may_run(actor, err));
}

/* In the task thread. */
static int
report_job_run(struct db *db, const void *arg, const char *path,
    struct app_err *err)
{
	const struct report_job	*j = arg;
	struct report_params	 p;

	p = j->params;
	return (report_run(j->def, db, &p, path, err));
}

int
api_reports_list(struct http_request *req)
{
	struct app_err	err;
	struct actor	actor;

	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	if (!api_query_only(req, NULL, &err) ||
	    !reports_session(req, &actor, &err))
		return (api_error(req, &err));
	return (api_finish(req, 200, report_list_json(), &err));
}

int
api_reports_get(struct http_request *req)
{
	struct report_job	 job;
	struct app_err		 err;
	struct actor		 actor;
	const char *const	*names;
	const char		*v;
	char			 name[REPORT_NAME_MAX + 8], file[160];
	size_t			 i, n;

	if (req->hdlr_extra != NULL)
		return (api_file_job_continue(req));
	if (req->method != HTTP_METHOD_GET)
		return (api_method_not_allowed(req, "GET"));
	app_err_clear(&err);
	if (!reports_session(req, &actor, &err))
		return (api_error(req, &err));
	memset(&job, 0, sizeof(job));
	if (api_path_seg(req, REPORTS_PREFIX, 0, name, sizeof(name)) == NULL ||
	    (n = strlen(name)) <= 5 || strcmp(name + n - 5, ".xlsx") != 0) {
		app_err_set(&err, APP_ENOTFOUND, NULL, "no such report");
		return (api_error(req, &err));
	}
	name[n - 5] = '\0';
	if ((job.def = report_find(name)) == NULL) {
		app_err_set(&err, APP_ENOTFOUND, "name",
		    "no report named \"%.40s\" (GET /api/v1/reports lists "
		    "them)", name);
		return (api_error(req, &err));
	}
	names = report_param_names(job.def);
	report_params_init(&job.params);
	if (!api_query_only(req, names, &err))
		return (api_error(req, &err));
	for (i = 0; names != NULL && names[i] != NULL; i++) {
		if ((v = api_query(req, names[i])) != NULL &&
		    !report_param_set(job.def, &job.params, names[i], v, &err))
			return (api_error(req, &err));
	}
	if (!report_params_check(job.def, &job.params, &err))
		return (api_error(req, &err));
	report_filename(job.def, &job.params, file, sizeof(file));
	return (api_file_job_start(req, report_job_run, &job, sizeof(job),
	    file, XLSX_TYPE));
}

/*
 * Cash-flow estimates.
 */

int
api_cash_flow_estimates(struct http_request *req)
{
	if (req->hdlr_extra != NULL)
		return (api_file_job_continue(req));
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (estimates_get(req));
	case HTTP_METHOD_PUT:
		return (estimates_set(req));
	default:
		return (api_method_not_allowed(req, "GET, PUT"));
	}
}

static int
estimates_get(struct http_request *req)
{
	static const char *const	 allowed[] = { "format", "bom", NULL };
	struct estimates_export		 x;
	struct app_err			 err;
	struct db			*db;
	const char			*fmt, *bom;
	char				 file[64];
	json_t				*out;

	app_err_clear(&err);
	out = NULL;
	memset(&x, 0, sizeof(x));
	if (!api_query_only(req, allowed, &err) || (db = api_db(&err)) == NULL ||
	    !api_actor(req, db, &x.actor, &err))
		return (api_error(req, &err));
	fmt = api_query(req, "format");
	bom = api_query(req, "bom");
	if (fmt == NULL && bom == NULL) {
		estimates_list(db, &x.actor, &out, &err);
		return (api_finish(req, 200, out, &err));
	}
	if (!export_format_parse(fmt, &x.format, &err) ||
	    !report_may_run(&x.actor, &err))
		return (api_error(req, &err));
	if (bom != NULL && strcmp(bom, "0") != 0 && strcmp(bom, "1") != 0) {
		app_err_set(&err, APP_EBADREQ, "bom", "bom: 0 or 1");
		return (api_error(req, &err));
	}
	/* CSV for Excel: with a byte-order mark unless bom=0. */
	x.bom = bom == NULL || strcmp(bom, "1") == 0;
	snprintf(file, sizeof(file), "cash-flow-estimates.%s",
	    export_extension(x.format));
	return (api_file_job_start(req, estimates_export, &x, sizeof(x), file,
	    export_content_type(x.format)));
}

static int
estimates_set(struct http_request *req)
{
	struct app_err	 err;
	struct actor	 actor;
	struct db	*db;
	json_t		*in, *out;

	app_err_clear(&err);
	in = out = NULL;
	if ((db = api_db(&err)) != NULL && api_actor(req, db, &actor, &err) &&
	    api_query_only(req, NULL, &err) && api_json_body(req, &in, &err))
		estimates_put(db, &actor, in, &out, &err);
	json_decref(in);
	return (api_finish(req, 200, out, &err));
}
