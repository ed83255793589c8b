/*
 * projects_reports.c: progress reports, the final report and the audited
 * accounts of a project's milestones, with an optional attached file.
 * Owns the table progress_reports and the files under the upload
 * directory.
 *
 * Files: the bytes are sniffed (projects_sniff()), limited to
 * PROJECT_UPLOAD_MAX, and written to upload_dir under 32 random hex
 * digits chosen here (never the client's name, which is kept only for
 * display), with O_CREAT | O_EXCL | O_NOFOLLOW, mode 0640, and fsync'd
 * before the database row that names them commits.  If the transaction
 * fails the file is removed again.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "projects.h"

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char SQL_MILESTONE[] =
    "SELECT is_final, report_accepted_at IS NOT NULL FROM project_milestones"
    " WHERE project_id = $1 AND seq = $2";

static const char SQL_OPEN_REPORT[] =
    "SELECT id, status FROM progress_reports WHERE project_id = $1"
    " AND milestone_seq = $2 AND kind = $3"
    " AND status IN ('submitted', 'accepted')";

static const char SQL_INSERT[] =
    "INSERT INTO progress_reports (project_id, milestone_seq, kind, body,"
    " expenditure_cents, audited_cost_cents, interest_cents, file_name,"
    " file_stored, file_size, file_type, file_sha256, submitted_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    " RETURNING id";

static const char SQL_REPORT_PROJECT[] =
    "SELECT project_id FROM progress_reports WHERE id = $1";

static const char SQL_LOCK[] =
    "SELECT milestone_seq, kind, status, coalesce(audited_cost_cents, 0),"
    " coalesce(interest_cents, 0) FROM progress_reports WHERE id = $1"
    " FOR UPDATE";

static const char SQL_REVIEW[] =
    "UPDATE progress_reports SET status = $2, reviewed_by = $3,"
    " reviewed_at = now(), review_note = $4"
    " WHERE id = $1 AND status = 'submitted'";

static const char SQL_GET[] =
    "SELECT json_build_object('id', r.id, 'project_id', r.project_id,"
    " 'reference', p.reference, 'milestone_seq', r.milestone_seq,"
    " 'kind', r.kind, 'status', r.status, 'text', r.body,"
    " 'expenditure_cents', r.expenditure_cents, 'audited_cost_cents',"
    " r.audited_cost_cents, 'interest_cents', r.interest_cents,"
    " 'file', CASE WHEN r.file_stored IS NULL THEN NULL ELSE"
    "  json_build_object('name', r.file_name, 'size', r.file_size,"
    "  'type', r.file_type, 'sha256', r.file_sha256) END,"
    " 'submitted_at', " TS("r.submitted_at") ", 'reviewed_at', "
    TS("r.reviewed_at") ", 'review_note', r.review_note)::text, p.org_id"
    " FROM progress_reports r JOIN projects p ON p.id = r.project_id"
    " WHERE r.id = $1";

static const char SQL_FILE[] =
    "SELECT r.file_stored, r.file_type, p.org_id FROM progress_reports r"
    " JOIN projects p ON p.id = r.project_id WHERE r.id = $1";

struct report_in {
	const char	*kind;
	const char	*text;
	cents_t		 expenditure;
	cents_t		 audited_cost;	/* -1 unless audited accounts */
	cents_t		 interest;
	char		 file_name[PROJECT_FILENAME_MAX * 4 + 1];
	char		 stored[33];	/* "" if no file */
	size_t		 file_size;
	const char	*file_type;
	char		 sha256[65];
};

struct report_tx {
	const struct actor	*actor;
	int64_t			 project_id;
	int			 seq;
	int64_t			 id;
	const struct report_in	*in;
	int			 accept;
	const char		*note;
};

static int	report_parse(const json_t *, struct report_in *,
		    struct app_err *);
static int	mkdirs(const char *);
static int	store_file(const char *, const struct project_upload *,
		    struct report_in *, struct app_err *);
static int	submit_tx(struct db *, void *, struct app_err *);
static int	review_tx(struct db *, void *, struct app_err *);
static int	report_project(struct db *, const struct actor *, int64_t,
		    int, struct project *, struct app_err *);

static int
report_parse(const json_t *body, struct report_in *in, struct app_err *err)
{
	static const char *const keys[] = { "kind", "text",
		"expenditure_cents", "audited_cost_cents", "interest_cents",
		NULL };
	int	 has_cost, has_interest;

	memset(in, 0, sizeof(*in));
	in->audited_cost = -1;
	in->interest = -1;
	if (!projects_json_only(body, keys, "", err) ||
	    !projects_json_text(body, "kind", 0, 32, 0, &in->kind, err) ||
	    !projects_json_text(body, "text", 1, PROJECT_REPORT_MAX, 1,
	    &in->text, err) ||
	    !projects_json_cents(body, "expenditure_cents", 1,
	    &in->expenditure, NULL, err) ||
	    !projects_json_cents(body, "audited_cost_cents", 0,
	    &in->audited_cost, &has_cost, err) ||
	    !projects_json_cents(body, "interest_cents", 0, &in->interest,
	    &has_interest, err))
		return (0);
	if (in->kind == NULL)
		in->kind = "progress";
	if (strcmp(in->kind, "progress") == 0) {
		if (has_cost || has_interest)
			return (app_err_set(err, APP_EINVAL, has_cost ?
			    "audited_cost_cents" : "interest_cents", "audited "
			    "figures belong to kind \"audited_accounts\""));
		in->audited_cost = -1;
		in->interest = -1;
		return (1);
	}
	if (strcmp(in->kind, "audited_accounts") != 0)
		return (app_err_set(err, APP_EINVAL, "kind", "kind: must be "
		    "\"progress\" or \"audited_accounts\""));
	if (!has_cost)
		return (app_err_set(err, APP_EINVAL, "audited_cost_cents",
		    "audited_cost_cents: is required with audited accounts"));
	if (!has_interest)
		return (app_err_set(err, APP_EINVAL, "interest_cents",
		    "interest_cents: is required with audited accounts (0 if "
		    "none was earned)"));
	return (1);
}

/* mkdir -p for the upload directory (mode 0750). */
static int
mkdirs(const char *dir)
{
	char	 buf[1024], *p;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return (0);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) == -1 && errno != EEXIST)
			return (0);
		*p = '/';
	}
	return (mkdir(buf, 0750) == 0 || errno == EEXIST);
}

static int
store_file(const char *dir, const struct project_upload *f,
    struct report_in *in, struct app_err *err)
{
	unsigned char	 rnd[16], h[crypto_hash_sha256_BYTES];
	const char	*ext;
	char		 path[1100];
	size_t		 i, off;
	ssize_t		 n;
	int		 fd;

	if (f->len == 0)
		return (app_err_set(err, APP_EINVAL, "file",
		    "file: the attached file is empty"));
	if (f->len > PROJECT_UPLOAD_MAX)
		return (app_err_set(err, APP_ETOOLARGE, "file",
		    "file: at most %d bytes", PROJECT_UPLOAD_MAX));
	if ((in->file_type = projects_sniff(f->data, f->len, &ext)) == NULL)
		return (app_err_set(err, APP_EINVAL, "file", "file: only PDF, "
		    "PNG, JPEG, ZIP (Office documents) and UTF-8 text files "
		    "are accepted"));
	projects_display_name(f->filename, in->file_name,
	    sizeof(in->file_name));
	if (in->file_name[0] == '\0')
		snprintf(in->file_name, sizeof(in->file_name), "attachment.%s",
		    ext);
	crypto_hash_sha256(h, f->data, f->len);
	for (i = 0; i < sizeof(h); i++)
		snprintf(in->sha256 + 2 * i, 3, "%02x", h[i]);
	randombytes_buf(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(in->stored + 2 * i, 3, "%02x", rnd[i]);
	in->file_size = f->len;
	if (!mkdirs(dir))
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the upload directory cannot be created"));
	snprintf(path, sizeof(path), "%s/%s", dir, in->stored);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd == -1)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the file cannot be stored"));
	for (off = 0; off < f->len; off += (size_t)n) {
		n = write(fd, f->data + off, f->len - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
	if (off != f->len || fsync(fd) == -1) {
		close(fd);
		unlink(path);
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the file cannot be stored"));
	}
	if (close(fd) == -1) {
		unlink(path);
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the file cannot be stored"));
	}
	return (1);
}

static int
submit_tx(struct db *db, void *arg, struct app_err *err)
{
	struct report_tx	*t = arg;
	const struct report_in	*in = t->in;
	struct project		 pr;
	struct db_params	 p;
	PGresult		*res;
	json_t			*a;
	int			 final, n, ok;

	if (!projects_load(db, t->actor, t->project_id, 1, &pr, err))
		return (0);
	if (projects_is_staff(t->actor) || !actor_has(t->actor,
	    ROLE_APPLICANT))
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "reports are "
		    "submitted by the organisation's applicant users"));
	if (pr.status != PROJECT_ACTIVE && pr.status != PROJECT_SUSPENDED)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; reports are submitted on an active project",
		    pr.reference, project_status_name(pr.status)));
	db_params_init(&p);
	dbp_i64(&p, t->project_id);
	dbp_int(&p, t->seq);
	if ((res = db_query(db, SQL_MILESTONE, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "milestone",
		    "project %s has no milestone %d", pr.reference, t->seq));
	}
	final = db_bool(res, 0, 0);
	PQclear(res);
	if (strcmp(in->kind, "audited_accounts") == 0 && !final)
		return (app_err_set(err, APP_EINVAL, "kind", "audited accounts "
		    "are submitted on the final milestone"));
	dbp_str(&p, in->kind);
	if ((res = db_query(db, SQL_OPEN_REPORT, &p, err)) == NULL)
		return (0);
	n = PQntuples(res);
	if (n > 0)
		app_err_set(err, APP_ESTATE, "milestone", "milestone %d already "
		    "has a %s report %s (report %lld)", t->seq, in->kind,
		    strcmp(db_str(res, 0, 1), "accepted") == 0 ? "accepted" :
		    "waiting for review", (long long)db_i64(res, 0, 0));
	PQclear(res);
	if (n > 0)
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->project_id);
	dbp_int(&p, t->seq);
	dbp_str(&p, in->kind);
	dbp_str(&p, in->text);
	dbp_i64(&p, in->expenditure);
	if (in->audited_cost >= 0) {
		dbp_i64(&p, in->audited_cost);
		dbp_i64(&p, in->interest);
	} else {
		dbp_null(&p);
		dbp_null(&p);
	}
	if (in->stored[0] != '\0') {
		dbp_str(&p, in->file_name);
		dbp_str(&p, in->stored);
		dbp_i64(&p, (int64_t)in->file_size);
		dbp_str(&p, in->file_type);
		dbp_str(&p, in->sha256);
	} else {
		dbp_null(&p);
		dbp_null(&p);
		dbp_null(&p);
		dbp_null(&p);
		dbp_null(&p);
	}
	dbp_i64(&p, t->actor->user_id);
	if ((res = db_query(db, SQL_INSERT, &p, err)) == NULL)
		return (0);
	t->id = db_i64(res, 0, 0);
	PQclear(res);
	a = json_pack("{s:I,s:I,s:i,s:s,s:s,s:I,s:s?}", "id",
	    (json_int_t)t->id, "project_id", (json_int_t)t->project_id,
	    "milestone_seq", t->seq, "kind", in->kind, "status", "submitted",
	    "expenditure_cents", (json_int_t)in->expenditure,
	    "file_sha256", in->stored[0] != '\0' ? in->sha256 : NULL);
	ok = audit_write_id(db, t->actor, "progress_report.submit",
	    "progress_report", t->id, NULL, a, NULL, err);
	json_decref(a);
	return (ok);
}

int
projects_report_submit(struct db *db, const struct actor *actor,
    const char *upload_dir, int64_t project_id, int milestone_seq,
    const json_t *body, const struct project_upload *file, json_t **out,
    struct app_err *err)
{
	struct report_tx	 t;
	struct report_in	 in;
	struct project		 pr;
	char			 path[1100];
	int			 ok;

	*out = NULL;
	/* Cheap refusals first, before any byte is written. */
	if (!projects_load(db, actor, project_id, 0, &pr, err) ||
	    !report_parse(body, &in, err))
		return (0);
	if (milestone_seq < 1 || milestone_seq > PROJECT_MILESTONES_MAX)
		return (app_err_set(err, APP_ENOTFOUND, "milestone",
		    "no such milestone"));
	if (projects_is_staff(actor) || !actor_has(actor, ROLE_APPLICANT))
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "reports are "
		    "submitted by the organisation's applicant users"));
	if (file != NULL && !store_file(upload_dir, file, &in, err))
		return (0);
	memset(&t, 0, sizeof(t));
	t.actor = actor;
	t.project_id = project_id;
	t.seq = milestone_seq;
	t.in = &in;
	ok = db_tx_run(db, DB_READ_COMMITTED, submit_tx, &t, err);
	if (!ok) {
		if (in.stored[0] != '\0') {
			snprintf(path, sizeof(path), "%s/%s", upload_dir,
			    in.stored);
			unlink(path);
		}
		return (0);
	}
	return (projects_report_get_json(db, actor, t.id, out, err));
}

/* Lock (or read) the project of report id as actor may see it. */
static int
report_project(struct db *db, const struct actor *actor, int64_t id,
    int lock, struct project *pr, struct app_err *err)
{
	return (projects_load_by(db, actor, SQL_REPORT_PROJECT, id, lock,
	    "report", NULL, pr, err));
}

static int
review_tx(struct db *db, void *arg, struct app_err *err)
{
	struct report_tx	*t = arg;
	struct project		 pr;
	struct db_params	 p;
	PGresult		*res;
	json_t			*b, *a;
	cents_t			 cost, interest;
	char			 kind[32], status[16];
	char			 en[PROJECT_TEXT_MAX + 300];
	char			 zh[PROJECT_TEXT_MAX + 300];
	int			 seq, ok;

	if (!report_project(db, t->actor, t->id, 1, &pr, err))
		return (0);
	if (!actor_has(t->actor, ROLE_OFFICER))
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "only officers "
		    "accept or return reports"));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	if ((res = db_query(db, SQL_LOCK, &p, err)) == NULL)
		return (0);
	seq = db_int(res, 0, 0);
	snprintf(kind, sizeof(kind), "%s", db_str(res, 0, 1));
	snprintf(status, sizeof(status), "%s", db_str(res, 0, 2));
	cost = db_i64(res, 0, 3);
	interest = db_i64(res, 0, 4);
	PQclear(res);
	if (strcmp(status, "submitted") != 0)
		return (app_err_set(err, APP_ESTATE, "status", "report %lld is "
		    "%s; only a submitted report is reviewed",
		    (long long)t->id, status));
	if (pr.status != PROJECT_ACTIVE && pr.status != PROJECT_SUSPENDED)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s", pr.reference, project_status_name(pr.status)));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_str(&p, t->accept ? "accepted" : "returned");
	if (t->actor->user_id > 0)
		dbp_i64(&p, t->actor->user_id);
	else
		dbp_null(&p);
	dbp_str(&p, t->note);
	if (!db_exec(db, SQL_REVIEW, &p, err))
		return (0);
	if (t->accept && !projects_milestone_accepted_tx(db, pr.id, seq, kind,
	    cost, interest, err))
		return (0);
	b = json_pack("{s:I,s:s}", "id", (json_int_t)t->id, "status",
	    "submitted");
	a = json_pack("{s:I,s:s,s:s,s:i}", "id", (json_int_t)t->id,
	    "status", t->accept ? "accepted" : "returned", "kind", kind,
	    "milestone_seq", seq);
	ok = audit_write_id(db, t->actor, t->accept ?
	    "progress_report.accept" : "progress_report.return",
	    "progress_report", t->id, b, a, t->note, err);
	json_decref(b);
	json_decref(a);
	if (!ok)
		return (0);
	if (t->accept) {
		snprintf(en, sizeof(en), "The %s for milestone %d of project "
		    "%s is accepted.", strcmp(kind, "progress") == 0 ?
		    "report" : "audited accounts", seq, pr.reference);
		snprintf(zh, sizeof(zh), "項目 %s 第 %d 個里程碑的%s已獲接納。",
		    pr.reference, seq, strcmp(kind, "progress") == 0 ?
		    "報告" : "經審計帳目");
		return (projects_notify(db, pr.org_id, "report.accepted",
		    "project", pr.id, en, zh, err));
	}
	snprintf(en, sizeof(en), "The %s for milestone %d of project %s is "
	    "returned for revision: %s", strcmp(kind, "progress") == 0 ?
	    "report" : "audited accounts", seq, pr.reference, t->note);
	snprintf(zh, sizeof(zh), "項目 %s 第 %d 個里程碑的%s已發還修訂：%s",
	    pr.reference, seq, strcmp(kind, "progress") == 0 ? "報告" :
	    "經審計帳目", t->note);
	return (projects_notify(db, pr.org_id, "report.returned", "project",
	    pr.id, en, zh, err));
}

int
projects_report_review(struct db *db, const struct actor *actor,
    int64_t report_id, int accept, const char *note, json_t **out,
    struct app_err *err)
{
	struct report_tx	 t;

	*out = NULL;
	if (!projects_text_arg(note, "note", accept ? 0 : 1, PROJECT_TEXT_MAX,
	    &note, err))
		return (0);
	memset(&t, 0, sizeof(t));
	t.actor = actor;
	t.id = report_id;
	t.accept = accept;
	t.note = note;
	if (!db_tx_run(db, DB_READ_COMMITTED, review_tx, &t, err))
		return (0);
	return (projects_report_get_json(db, actor, report_id, out, err));
}

int
projects_report_get_json(struct db *db, const struct actor *actor,
    int64_t report_id, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;
	int64_t			 org;

	*out = NULL;
	if (!projects_is_staff(actor) && !actor_has(actor, ROLE_APPLICANT))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "your role does not give access to projects"));
	db_params_init(&p);
	dbp_i64(&p, report_id);
	if ((res = db_query(db, SQL_GET, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such report"));
	}
	org = db_i64(res, 0, 1);
	if (!projects_may_read(actor, org, err)) {
		PQclear(res);
		snprintf(err->msg, sizeof(err->msg), "no such report");
		return (0);
	}
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "bad report JSON"));
	return (1);
}

int
projects_report_file(struct db *db, const struct actor *actor,
    const char *upload_dir, int64_t report_id, char *path, size_t pathlen,
    char *type, size_t typelen, char *name, size_t namelen,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	const char		*stored, *ext;
	int64_t			 org;
	int			 ok;

	if (!projects_is_staff(actor) && !actor_has(actor, ROLE_APPLICANT))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "your role does not give access to projects"));
	db_params_init(&p);
	dbp_i64(&p, report_id);
	if ((res = db_query(db, SQL_FILE, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such report"));
	}
	org = db_i64(res, 0, 2);
	ok = projects_may_read(actor, org, err);
	stored = db_str(res, 0, 0);
	if (ok && stored == NULL)
		ok = app_err_set(err, APP_ENOTFOUND, "file", "report %lld has "
		    "no attached file", (long long)report_id);
	if (ok) {
		/* stored is 32 hex digits (CHECK), so the path stays inside. */
		snprintf(path, pathlen, "%s/%s", upload_dir, stored);
		snprintf(type, typelen, "%s", db_str(res, 0, 1));
		ext = strncmp(type, "application/pdf", 15) == 0 ? "pdf" :
		    strncmp(type, "image/png", 9) == 0 ? "png" :
		    strncmp(type, "image/jpeg", 10) == 0 ? "jpg" :
		    strncmp(type, "application/zip", 15) == 0 ? "zip" : "txt";
		snprintf(name, namelen, "report-%lld.%s", (long long)report_id,
		    ext);
	} else if (err->code == APP_ENOTFOUND && stored != NULL)
		snprintf(err->msg, sizeof(err->msg), "no such report");
	PQclear(res);
	return (ok);
}
