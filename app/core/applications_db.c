/*
 * applications_db.c: owns the tables of migrations/0004_applications.sql
 * (applications, application_budget_lines, application_milestones,
 * application_events, application_ref_counters).  Every change is one
 * db_tx_run() with its event row, audit row and notifications; the rules
 * it applies are the pure functions of applications.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applications.h"
#include "audit.h"
#include "dates.h"
#include "notify.h"
#include "panels.h"

/* Timestamps in JSON: UTC, ISO 8601, to the second. */
#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define APP_SELECT							\
    "SELECT json_build_object("						\
    " 'id', a.id, 'reference', a.reference, 'scheme', a.scheme_code,"	\
    " 'status', a.status, 'organisation', json_build_object('id', o.id,"\
    " 'name_en', o.name_en, 'name_zh', o.name_zh, 'org_type',"		\
    " o.org_type), 'title', a.title, 'summary', a.summary,"		\
    " 'start_date', a.start_date, 'end_date', a.end_date,"		\
    " 'fields', a.fields,"						\
    " 'budget_lines', coalesce((SELECT json_agg(json_build_object("	\
    "  'category', l.category, 'description', l.description,"		\
    "  'amount_cents', l.amount_cents, 'government_cents',"		\
    "  l.government_cents, 'applicant_cents', l.applicant_cents)"	\
    "  ORDER BY l.line_no) FROM application_budget_lines l"		\
    "  WHERE l.application_id = a.id), '[]'),"				\
    " 'milestones', coalesce((SELECT json_agg(json_build_object("	\
    "  'title', m.title, 'deliverables', m.deliverables, 'due_date',"	\
    "  m.due_date) ORDER BY m.seq) FROM application_milestones m"	\
    "  WHERE m.application_id = a.id), '[]'),"				\
    " 'total_cost_cents', a.total_cost_cents, 'basis_cents',"		\
    " a.basis_cents, 'requested_cents', a.requested_cents,"		\
    " 'applicant_cents', a.applicant_cents, 'heads', a.heads,"		\
    " 'rule_version', a.rule_version, 'capped_by', a.capped_by,"	\
    " 'submitted_on', a.submitted_on,"					\
    " 'submitted_at', " TS("a.submitted_at") ","			\
    " 'resubmitted_at', " TS("a.resubmitted_at") ","			\
    " 'return_note', a.return_note,"					\
    " 'created_at', " TS("a.created_at") ","				\
    " 'updated_at', " TS("a.updated_at") ","				\
    " 'version', a.version)"						\
    " FROM applications a JOIN organisations o ON o.id = a.org_id"

static const char SQL_SELECT_APP[] = APP_SELECT " WHERE a.id = $1";
static const char SQL_SELECT_APP_LOCK[] =
    APP_SELECT " WHERE a.id = $1 FOR UPDATE OF a";
static const char SQL_SELECT_APP_BY_REF[] =
    APP_SELECT " WHERE a.reference = $1";

static const char SQL_SELECT_ORG_OF[] =
    "SELECT org_id FROM applications WHERE id = $1";

static const char SQL_SELECT_HISTORY[] =
    "SELECT coalesce(json_agg(json_build_object('at', " TS("e.at") ","
    " 'action', e.action, 'from', e.from_status, 'to', e.to_status,"
    " 'actor_id', e.actor_id, 'actor', e.actor_label, 'note', e.note)"
    " ORDER BY e.id), '[]') FROM application_events e"
    " WHERE e.application_id = $1";

static const char SQL_LOCK_ORG[] =
    "SELECT org_type FROM organisations WHERE id = $1 FOR UPDATE";

static const char SQL_INSERT_APP[] =
    "INSERT INTO applications (org_id, scheme_code, title, summary,"
    " start_date, end_date, fields, total_cost_cents, created_by)"
    " VALUES ($1, $2, $3, $4, $5::date, $6::date, $7::jsonb, $8, $9)"
    " RETURNING id";

static const char SQL_UPDATE_CONTENT[] =
    "UPDATE applications SET title = $2, summary = $3, start_date = $4::date,"
    " end_date = $5::date, fields = $6::jsonb, total_cost_cents = $7,"
    " updated_at = now(), version = version + 1 WHERE id = $1";

static const char SQL_DELETE_LINES[] =
    "DELETE FROM application_budget_lines WHERE application_id = $1";
static const char SQL_INSERT_LINES[] =
    "INSERT INTO application_budget_lines (application_id, line_no,"
    " category, description, amount_cents)"
    " SELECT $1, t.n, t.x->>'category', coalesce(t.x->>'description', ''),"
    " (t.x->>'amount_cents')::bigint"
    " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(x, n)";
static const char SQL_DELETE_MILESTONES[] =
    "DELETE FROM application_milestones WHERE application_id = $1";
static const char SQL_INSERT_MILESTONES[] =
    "INSERT INTO application_milestones (application_id, seq, title,"
    " deliverables, due_date)"
    " SELECT $1, t.n, t.x->>'title', coalesce(t.x->>'deliverables', ''),"
    " (t.x->>'due_date')::date"
    " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(x, n)";

/* $4 is the array of statuses that count against cumulative caps. */
static const char SQL_COMMITTED[] =
    "SELECT coalesce(sum(requested_cents), 0), count(*),"
    " coalesce(sum(heads) FILTER (WHERE $7::date IS NULL OR"
    "  (start_date <= $8::date AND end_date >= $7::date)), 0)"
    " FROM applications WHERE org_id = $1 AND scheme_code = $2"
    " AND id <> $3 AND status = ANY ($4::text[])"
    " AND ($5::date IS NULL OR submitted_on >= $5::date)"
    " AND ($6::date IS NULL OR submitted_on <= $6::date)";

static const char SQL_NEXT_REFERENCE[] =
    "INSERT INTO application_ref_counters AS c (prefix, year, last_seq)"
    " VALUES ($1, $2, 1) ON CONFLICT (prefix, year)"
    " DO UPDATE SET last_seq = c.last_seq + 1 RETURNING last_seq";

static const char SQL_UPDATE_SUBMIT[] =
    "UPDATE applications SET status = $2,"
    " reference = coalesce(reference, $3),"
    " ref_prefix = coalesce(ref_prefix, $4),"
    " ref_year = coalesce(ref_year, $5::smallint),"
    " ref_seq = coalesce(ref_seq, $6::integer),"
    " submitted_on = coalesce(submitted_on, $7::date),"
    " submitted_at = coalesce(submitted_at, now()),"
    " resubmitted_at = CASE WHEN $2 = 'resubmitted' THEN now()"
    "  ELSE resubmitted_at END,"
    " basis_cents = $8, requested_cents = $9, applicant_cents = $10,"
    " heads = $11, rule_version = $12, capped_by = $13,"
    " updated_at = now(), version = version + 1 WHERE id = $1";

static const char SQL_UPDATE_LINE_SHARES[] =
    "UPDATE application_budget_lines l SET government_cents = x.g,"
    " applicant_cents = l.amount_cents - x.g"
    " FROM (SELECT t.n::integer AS n, t.v::bigint AS g"
    "  FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY"
    "  AS t(v, n)) x"
    " WHERE l.application_id = $1 AND l.line_no = x.n";

/* Guarded by the status the move starts from ($4). */
static const char SQL_UPDATE_STATUS[] =
    "UPDATE applications SET status = $2,"
    " return_note = CASE WHEN $2 = 'returned' THEN $3 ELSE return_note END,"
    " decided_at = CASE WHEN $2 IN ('approved', 'rejected') THEN now()"
    "  ELSE decided_at END,"
    " updated_at = now(), version = version + 1 WHERE id = $1"
    " AND status = $4 RETURNING version";

static const char SQL_INSERT_EVENT[] =
    "INSERT INTO application_events (application_id, actor_id,"
    " actor_label, action, from_status, to_status, note)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";

/*
 * The list's rows, newest first: the JSON page and the download share
 * them (list_params()).  $1 limits an applicant to its own organisation,
 * $9 an approver to the decidable statuses; the others are the filters,
 * $8 the keyset cursor; NULL means "any".
 */
#define LIST_WHERE							\
    " FROM applications a JOIN organisations o ON o.id = a.org_id"	\
    " WHERE ($1::bigint IS NULL OR a.org_id = $1::bigint)"		\
    " AND ($2::bigint IS NULL OR a.org_id = $2::bigint)"		\
    " AND ($3::text IS NULL OR a.scheme_code = $3::text)"		\
    " AND ($4::text[] IS NULL OR a.status = ANY ($4::text[]))"		\
    " AND ($5::date IS NULL OR a.submitted_on >= $5::date)"		\
    " AND ($6::date IS NULL OR a.submitted_on <= $6::date)"		\
    " AND ($7::text IS NULL OR a.reference = $7::text)"		\
    " AND ($8::bigint IS NULL OR a.id < $8::bigint)"			\
    " AND ($9::text[] IS NULL OR a.status = ANY ($9::text[]))"		\
    " ORDER BY a.id DESC"

static const char SQL_LIST[] =
    "SELECT a.id, json_build_object('id', a.id, 'reference', a.reference,"
    " 'scheme', a.scheme_code, 'status', a.status, 'organisation',"
    " json_build_object('id', o.id, 'name_en', o.name_en, 'name_zh',"
    " o.name_zh), 'title', a.title, 'total_cost_cents',"
    " a.total_cost_cents, 'requested_cents', a.requested_cents,"
    " 'submitted_on', a.submitted_on, 'updated_at', "
    TS("a.updated_at") ")" LIST_WHERE " LIMIT $10";

/* The same rows as text columns, for export_query(): see export_cols. */
static const char SQL_EXPORT[] =
    "SELECT a.id, a.reference, a.scheme_code, a.status, o.id, o.name_en,"
    " o.name_zh, a.title, a.total_cost_cents, a.requested_cents,"
    " a.submitted_on, " TS("a.updated_at") LIST_WHERE;

static const struct export_column export_cols[] = {
	{ "id", "ID", "編號", EXPORT_INT },
	{ "reference", "Reference", "檔案編號", EXPORT_TEXT },
	{ "scheme", "Scheme", "資助計劃", EXPORT_TEXT },
	{ "status", "Status", "狀態", EXPORT_TEXT },
	{ "organisation.id", "Organisation ID", "機構編號", EXPORT_INT },
	{ "organisation.name_en", "Organisation (English name)",
	    "機構名稱 (英文)", EXPORT_TEXT },
	{ "organisation.name_zh", "Organisation (Chinese name)",
	    "機構名稱 (中文)", EXPORT_TEXT },
	{ "title", "Title", "項目名稱", EXPORT_TEXT },
	{ "total_cost_cents", "Total cost (HK$)", "總成本 (港元)",
	    EXPORT_CENTS },
	{ "requested_cents", "Government contribution requested (HK$)",
	    "申請政府資助額 (港元)", EXPORT_CENTS },
	{ "submitted_on", "Submitted on", "提交日期", EXPORT_DATE },
	{ "updated_at", "Last updated (UTC)", "最後更新 (協調世界時)",
	    EXPORT_TEXT },
};

static const char SQL_DUP_SAME_ORG[] =
    "SELECT coalesce(json_agg(json_build_object('id', b.id, 'scheme',"
    " b.scheme_code, 'reference', b.reference, 'status', b.status,"
    " 'kind', CASE WHEN b.status IN ('approved', 'agreement_signed')"
    "  THEN 'project'"
    "  ELSE 'application' END, 'title', b.title, 'requested_cents',"
    " b.requested_cents, 'start_date', b.start_date, 'end_date',"
    " b.end_date, 'submitted_on', b.submitted_on) ORDER BY b.id DESC),"
    " '[]') FROM (SELECT * FROM applications WHERE org_id = $1"
    " AND id <> $2 AND status <> 'draft' ORDER BY id DESC LIMIT 200) b";

/*
 * Similar titles and summaries (pg_trgm).  % uses the GIN trigram indexes
 * at pg_trgm.similarity_threshold, set per transaction: 0.3 (pg_trgm's
 * default) for short titles, 0.5 for long summaries, where unrelated texts
 * of one domain already share a quarter of their trigrams.  The inner
 * query picks the rows by one similarity; the other is computed for those
 * rows only.
 */
#define DUP_SIMILAR(match, mq, other, oq)				\
    "SELECT coalesce(json_agg(json_build_object('id', b.id, 'scheme',"	\
    " b.scheme_code, 'reference', b.reference, 'status', b.status,"	\
    " 'organisation', json_build_object('id', b.org_id, 'name_en',"	\
    " o.name_en), 'same_organisation', b.org_id = $4::bigint,"		\
    " 'title', b.title, '" match "_similarity', round(x.v::numeric, 3),"\
    " '" other "_similarity', round(CASE WHEN " oq "::text = '' THEN 0"	\
    "  ELSE similarity(b." other ", " oq "::text) END::numeric, 3),"	\
    " 'requested_cents', b.requested_cents, 'submitted_on',"		\
    " b.submitted_on) ORDER BY x.v DESC, b.id DESC), '[]')"		\
    " FROM (SELECT a.id, similarity(a." match ", " mq "::text) AS v"	\
    "  FROM applications a WHERE a.id <> $1::bigint"			\
    "  AND a.status <> 'draft' AND " mq "::text <> ''"			\
    "  AND a." match " % " mq "::text"					\
    "  ORDER BY v DESC, a.id DESC LIMIT 50) x"				\
    " JOIN applications b ON b.id = x.id"				\
    " JOIN organisations o ON o.id = b.org_id"

static const char SQL_DUP_SIMILAR_TITLE[] =
    DUP_SIMILAR("title", "$2", "summary", "$3");
static const char SQL_DUP_SIMILAR_SUMMARY[] =
    DUP_SIMILAR("summary", "$3", "title", "$2");
static const char SQL_TRGM_THRESHOLD[] =
    "SELECT set_config('pg_trgm.similarity_threshold', $1, true)";

/* The arguments of one transaction (db_tx_run may run it again). */
struct app_tx {
	const struct scheme_set	*schemes;
	const struct actor	*actor;
	int64_t			 id;
	const json_t		*body;
	int			 day;
	const char		*decision;
	const char		*note;
};

/* Duplicate screening's transaction. */
struct dup_tx {
	struct application	 app;
	const char		*summary;
	json_t			*same;
	json_t			*similar;
};

#define DUP_TITLE_THRESHOLD	"0.3"
#define DUP_SUMMARY_THRESHOLD	"0.5"

static int	load_record(struct db *, const char *, const char *,
		    json_t **, struct app_err *);
static int	query_json(struct db *, const char *, const struct db_params *,
		    json_t **, struct app_err *);
static double	dup_score(const json_t *);
static int	dup_cmp(const void *, const void *);
static json_t	*dup_merge(json_t *, json_t *);
static int	duplicates_tx(struct db *, void *, struct app_err *);
static void	app_from_record(const json_t *, struct application *);
static json_t	*content_from_record(const json_t *);
static int	json_text(const json_t *, char **, struct app_err *);
static int	write_children(struct db *, int64_t, const json_t *, int,
		    struct app_err *);
static int	insert_event(struct db *, const struct actor *, int64_t,
		    const char *, const char *, const char *, const char *,
		    struct app_err *);
static int	notify_change(struct db *, const struct application *,
		    const char *, const char *, struct app_err *);
static void	committed_array(char *, size_t);
static void	status_array(unsigned, char *, size_t);
static void	list_params(const struct actor *,
		    const struct application_filter *, struct db_params *,
		    char *, size_t, char *, size_t);
static int	set_status_tx(struct db *, const struct actor *,
		    struct application *, const struct application_transition *,
		    const char *, struct app_err *);
static json_t	*allowed_actions(const struct actor *,
		    const struct application *);
static int	decorate(struct db *, const struct actor *, json_t *, int,
		    struct app_err *);
static const struct scheme *scheme_of(const struct scheme_set *,
		    const char *, struct app_err *);
static int	may_read_record(struct db *, const struct actor *,
		    const json_t *, struct app_err *);
static int	create_tx(struct db *, void *, struct app_err *);
static int	update_tx(struct db *, void *, struct app_err *);
static int	submit_tx(struct db *, void *, struct app_err *);
static int	screen_tx(struct db *, void *, struct app_err *);
static int	withdraw_tx(struct db *, void *, struct app_err *);

/*
 * Database operations.
 */

static const struct scheme *
scheme_of(const struct scheme_set *set, const char *code,
    struct app_err *err)
{
	const struct scheme	*s;

	if (code == NULL || (s = schemes_find(set, code)) == NULL) {
		app_err_set(err, APP_EINVAL, "scheme", "scheme: no scheme with "
		    "code \"%.16s\"", code != NULL ? code : "");
		return (NULL);
	}
	return (s);
}

/* Run one of the record SELECTs with param; *rec is the record's JSON. */
static int
load_record(struct db *db, const char *sql, const char *param, json_t **rec,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;

	*rec = NULL;
	db_params_init(&p);
	dbp_str(&p, param);
	if ((res = db_query(db, sql, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	}
	*rec = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*rec == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "bad application JSON"));
	return (1);
}

static void
app_from_record(const json_t *rec, struct application *app)
{
	const json_t	*org, *v;
	const char	*s;

	memset(app, 0, sizeof(*app));
	org = json_object_get(rec, "organisation");
	app->id = json_integer_value(json_object_get(rec, "id"));
	app->org_id = json_integer_value(json_object_get(org, "id"));
	snprintf(app->org_name_en, sizeof(app->org_name_en), "%s",
	    json_string_value(json_object_get(org, "name_en")));
	snprintf(app->org_type, sizeof(app->org_type), "%s",
	    json_string_value(json_object_get(org, "org_type")));
	snprintf(app->scheme, sizeof(app->scheme), "%s",
	    json_string_value(json_object_get(rec, "scheme")));
	if (!application_status_parse(json_string_value(json_object_get(rec,
	    "status")), &app->status))
		app->status = APPLICATION_NSTATUS;
	s = json_string_value(json_object_get(rec, "reference"));
	snprintf(app->reference, sizeof(app->reference), "%s",
	    s != NULL ? s : "");
	snprintf(app->title, sizeof(app->title), "%s",
	    json_string_value(json_object_get(rec, "title")));
	app->submitted_on = application_content_date(rec, "submitted_on");
	app->start_date = application_content_date(rec, "start_date");
	app->end_date = application_content_date(rec, "end_date");
	app->total_cost_cents = json_integer_value(json_object_get(rec,
	    "total_cost_cents"));
	v = json_object_get(rec, "requested_cents");
	app->requested_cents = json_is_integer(v) ? json_integer_value(v) : -1;
	s = json_string_value(json_object_get(rec, "rule_version"));
	snprintf(app->rule_version, sizeof(app->rule_version), "%s",
	    s != NULL ? s : "");
	app->version = (int)json_integer_value(json_object_get(rec,
	    "version"));
}

/* The editable content of a record: what application_content_*() take. */
static json_t *
content_from_record(const json_t *rec)
{
	const json_t	*x;
	json_t		*c, *lines, *ms;
	size_t		 i;

	c = json_pack("{s:O,s:O}", "title", json_object_get(rec, "title"),
	    "summary", json_object_get(rec, "summary"));
	if (c == NULL)
		return (NULL);
	if (json_is_string(json_object_get(rec, "start_date")))
		json_object_set(c, "start_date", json_object_get(rec,
		    "start_date"));
	if (json_is_string(json_object_get(rec, "end_date")))
		json_object_set(c, "end_date", json_object_get(rec,
		    "end_date"));
	lines = json_array();
	json_array_foreach(json_object_get(rec, "budget_lines"), i, x)
		json_array_append_new(lines, json_pack("{s:O,s:O,s:O}",
		    "category", json_object_get(x, "category"), "description",
		    json_object_get(x, "description"), "amount_cents",
		    json_object_get(x, "amount_cents")));
	json_object_set_new(c, "budget_lines", lines);
	ms = json_array();
	json_array_foreach(json_object_get(rec, "milestones"), i, x)
		json_array_append_new(ms, json_pack("{s:O,s:O,s:O}", "title",
		    json_object_get(x, "title"), "deliverables",
		    json_object_get(x, "deliverables"), "due_date",
		    json_object_get(x, "due_date")));
	json_object_set_new(c, "milestones", ms);
	/* A copy: content is changed in place, rec must not be. */
	json_object_set_new(c, "fields", json_deep_copy(json_object_get(rec,
	    "fields")));
	return (c);
}

static int
json_text(const json_t *v, char **out, struct app_err *err)
{
	*out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/* (Re)write the budget lines and milestones of id from content. */
static int
write_children(struct db *db, int64_t id, const json_t *content, int fresh,
    struct app_err *err)
{
	struct db_params	 p;
	char			*lines, *ms;
	int			 ok;

	if (!json_text(json_object_get(content, "budget_lines"), &lines, err))
		return (0);
	if (!json_text(json_object_get(content, "milestones"), &ms, err)) {
		free(lines);
		return (0);
	}
	db_params_init(&p);
	dbp_i64(&p, id);
	ok = (fresh || (db_exec(db, SQL_DELETE_LINES, &p, err) &&
	    db_exec(db, SQL_DELETE_MILESTONES, &p, err)));
	dbp_str(&p, lines);
	ok = ok && db_exec(db, SQL_INSERT_LINES, &p, err);
	p.v[1] = ms;
	ok = ok && db_exec(db, SQL_INSERT_MILESTONES, &p, err);
	free(lines);
	free(ms);
	return (ok);
}

static int
insert_event(struct db *db, const struct actor *actor, int64_t id,
    const char *action, const char *from, const char *to, const char *note,
    struct app_err *err)
{
	struct db_params	p;

	db_params_init(&p);
	dbp_i64(&p, id);
	if (actor->user_id > 0)
		dbp_i64(&p, actor->user_id);
	else
		dbp_null(&p);
	dbp_str(&p, actor->label[0] != '\0' ? actor->label : "system");
	dbp_str(&p, action);
	dbp_str(&p, from);
	dbp_str(&p, to);
	dbp_str(&p, note);
	return (db_exec(db, SQL_INSERT_EVENT, &p, err));
}

/* Tell the organisation's users, in both languages, in this transaction. */
static int
notify_change(struct db *db, const struct application *app, const char *kind,
    const char *note, struct app_err *err)
{
	char		 en[10240], zh[10240];	/* 2,200 4-byte characters */
	const char	*ref;

	ref = app->reference[0] != '\0' ? app->reference : "(draft)";
	if (strcmp(kind, "application.submitted") == 0) {
		snprintf(en, sizeof(en), "Application %s \"%s\" to %s was "
		    "submitted.", ref, app->title, app->scheme);
		snprintf(zh, sizeof(zh), "向%s提交的申請 %s「%s」已提交。",
		    app->scheme, ref, app->title);
	} else if (strcmp(kind, "application.resubmitted") == 0) {
		snprintf(en, sizeof(en), "Application %s \"%s\" was "
		    "resubmitted.", ref, app->title);
		snprintf(zh, sizeof(zh), "申請 %s「%s」已重新提交。", ref,
		    app->title);
	} else if (strcmp(kind, "application.returned") == 0) {
		snprintf(en, sizeof(en), "Application %s \"%s\" was returned "
		    "for clarification: %s", ref, app->title,
		    note != NULL ? note : "");
		snprintf(zh, sizeof(zh), "申請 %s「%s」已退回以作澄清：%s", ref,
		    app->title, note != NULL ? note : "");
	} else if (strcmp(kind, "application.accepted") == 0) {
		snprintf(en, sizeof(en), "Application %s \"%s\" was accepted "
		    "for assessment.", ref, app->title);
		snprintf(zh, sizeof(zh), "申請 %s「%s」已獲接納進行評審。", ref,
		    app->title);
	} else if (strcmp(kind, "application.withdrawn") == 0) {
		snprintf(en, sizeof(en), "Application %s \"%s\" was "
		    "withdrawn.", ref, app->title);
		snprintf(zh, sizeof(zh), "申請 %s「%s」已撤回。", ref,
		    app->title);
	} else {
		snprintf(en, sizeof(en), "Application %s \"%s\" changed.", ref,
		    app->title);
		snprintf(zh, sizeof(zh), "申請 %s「%s」狀態已更新。", ref,
		    app->title);
	}
	return (notify_org(db, app->org_id, kind, "application", app->id, en,
	    zh, err));
}

/* "{submitted,screening}": the statuses whose bits are set, a text[]. */
static void
status_array(unsigned bits, char *buf, size_t len)
{
	int	i, first;

	snprintf(buf, len, "{");
	first = 1;
	for (i = 0; i < APPLICATION_NSTATUS; i++) {
		if ((bits & (1U << i)) == 0)
			continue;
		if (!first)
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, application_status_name(
		    (enum application_status)i), len - strlen(buf) - 1);
		first = 0;
	}
	strncat(buf, "}", len - strlen(buf) - 1);
}

/* The committed statuses (application_status_committed()) as a text[]. */
static void
committed_array(char *buf, size_t len)
{
	unsigned	bits;
	int		i;

	bits = 0;
	for (i = 0; i < APPLICATION_NSTATUS; i++) {
		if (application_status_committed((enum application_status)i))
			bits |= 1U << i;
	}
	status_array(bits, buf, len);
}

int
applications_lock_org_tx(struct db *db, int64_t org_id, char *org_type,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	db_params_init(&p);
	dbp_i64(&p, org_id);
	if ((res = db_query(db, SQL_LOCK_ORG, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "org_id",
		    "no such organisation"));
	}
	if (org_type != NULL)
		snprintf(org_type, 16, "%s", db_str(res, 0, 0));
	PQclear(res);
	return (1);
}

int
applications_committed_tx(struct db *db, int64_t org_id, const char *scheme,
    int64_t exclude_id, int from_day, int to_day, int start, int end,
    cents_t *sum, int64_t *count, int64_t *heads, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	char			 statuses[256];

	committed_array(statuses, sizeof(statuses));
	db_params_init(&p);
	dbp_i64(&p, org_id);
	dbp_str(&p, scheme);
	dbp_i64(&p, exclude_id);
	dbp_str(&p, statuses);
	if (from_day >= 0) {
		dbp_date(&p, from_day);
		dbp_date(&p, to_day);
	} else {
		dbp_null(&p);
		dbp_null(&p);
	}
	if (start >= 0 && end >= 0) {
		dbp_date(&p, start);
		dbp_date(&p, end);
	} else {
		dbp_null(&p);
		dbp_null(&p);
	}
	if ((res = db_query(db, SQL_COMMITTED, &p, err)) == NULL)
		return (0);
	*sum = db_i64(res, 0, 0);
	*count = db_i64(res, 0, 1);
	*heads = db_i64(res, 0, 2);
	PQclear(res);
	return (1);
}

int
applications_load(struct db *db, const struct actor *actor, int64_t id,
    int lock, struct application *app, struct app_err *err)
{
	json_t	*rec;
	char	 idbuf[24];

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	if (!load_record(db, lock ? SQL_SELECT_APP_LOCK : SQL_SELECT_APP,
	    idbuf, &rec, err))
		return (0);
	app_from_record(rec, app);
	json_decref(rec);
	return (application_may_view(actor, app->org_id, app->status, err));
}

/* Change the status along t: the row, its event and audit, notification. */
static int
set_status_tx(struct db *db, const struct actor *actor,
    struct application *app, const struct application_transition *t,
    const char *note, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*before, *after;
	const char		*from, *to;
	char			 audit_action[48];
	int			 ok;

	if (!application_note_check(note, t->note_required, "note", err))
		return (0);
	snprintf(audit_action, sizeof(audit_action), "application.%s",
	    application_action_name(t->action));
	from = application_status_name(t->from);
	to = application_status_name(t->to);
	db_params_init(&p);
	dbp_i64(&p, app->id);
	dbp_str(&p, to);
	dbp_str(&p, note);
	dbp_str(&p, from);
	if ((res = db_query(db, SQL_UPDATE_STATUS, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ESTATE, "status",
		    "the application is no longer %s", from));
	}
	app->version = db_int(res, 0, 0);
	PQclear(res);
	app->status = t->to;
	before = json_pack("{s:s}", "status", from);
	after = json_pack("{s:s,s:s?}", "status", to, "reference",
	    app->reference[0] != '\0' ? app->reference : NULL);
	ok = insert_event(db, actor, app->id,
	    application_action_name(t->action), from, to, note, err) &&
	    audit_write_id(db, actor, audit_action, "application", app->id,
	    before, after, note, err) &&
	    (t->notify == NULL || notify_change(db, app, t->notify, note, err));
	json_decref(before);
	json_decref(after);
	return (ok);
}

int
applications_transition_tx(struct db *db, const struct actor *actor,
    struct application *app, enum application_action action,
    const char *note, struct app_err *err)
{
	const struct application_transition	*t;

	if (!application_may(actor, app->org_id, app->status, action, &t, err))
		return (0);
	if (action == APPLICATION_ACT_SUBMIT ||
	    action == APPLICATION_ACT_RESUBMIT)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "submissions go through applications_submit()"));
	return (set_status_tx(db, actor, app, t, note, err));
}

/* The actions actor may take now, by name ("edit" included). */
static json_t *
allowed_actions(const struct actor *actor, const struct application *app)
{
	const struct application_transition	*t;
	struct app_err				 e;
	json_t					*list;
	int					 a;
	enum application_status			 from;

	list = json_array();
	app_err_clear(&e);
	if (application_may_edit(actor, app->org_id, app->status, &e))
		json_array_append_new(list, json_string("edit"));
	/* The later moves are offered by their own resources. */
	for (a = 0; a < APPLICATION_NACTION_OWN; a++) {
		from = app->status;
		/* accept and return pass through screening by themselves. */
		if ((a == APPLICATION_ACT_ACCEPT ||
		    a == APPLICATION_ACT_RETURN) &&
		    (from == APPLICATION_SUBMITTED ||
		    from == APPLICATION_RESUBMITTED))
			from = APPLICATION_SCREENING;
		app_err_clear(&e);
		if (application_may(actor, app->org_id, from,
		    (enum application_action)a, &t, &e))
			json_array_append_new(list,
			    json_string(application_action_name(a)));
	}
	return (list);
}

/* Add history (if wanted) and allowed_actions to a record. */
static int
decorate(struct db *db, const struct actor *actor, json_t *rec, int history,
    struct app_err *err)
{
	struct application	 app;
	struct db_params	 p;
	PGresult		*res;
	json_t			*h, *e;
	json_error_t		 jerr;
	size_t			 i;

	app_from_record(rec, &app);
	json_object_set_new(rec, "allowed_actions",
	    allowed_actions(actor, &app));
	if (!history)
		return (1);
	db_params_init(&p);
	dbp_i64(&p, app.id);
	if ((res = db_query(db, SQL_SELECT_HISTORY, &p, err)) == NULL)
		return (0);
	h = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (h == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "bad history JSON"));
	/* Applicants see what happened and why, not which officer did it. */
	if (!actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR)) {
		json_array_foreach(h, i, e) {
			json_object_del(e, "actor");
			json_object_del(e, "actor_id");
		}
	}
	json_object_set_new(rec, "history", h);
	return (1);
}

/*
 * May actor read this record?  Its organisation's applicants and staff as
 * application_may_view() says (approvers: what waits for a decision, or is
 * decided); a panel member (with no other reading role) only an
 * application on the agenda of a meeting it takes part in and has not
 * declared a conflict on, as panels.c decides (404 / 403).  A panel member
 * who is also an approver reads as an approver, but never what it
 * declared a conflict on.
 */
static int
may_read_record(struct db *db, const struct actor *actor, const json_t *rec,
    struct app_err *err)
{
	struct app_err		 e;
	enum application_status	 st;
	int64_t			 id, org;

	id = json_integer_value(json_object_get(rec, "id"));
	org = json_integer_value(json_object_get(json_object_get(rec,
	    "organisation"), "id"));
	if (!application_status_parse(json_string_value(json_object_get(rec,
	    "status")), &st))
		st = APPLICATION_NSTATUS;
	if (actor_has(actor, ROLE_APPLICANT | ROLE_OFFICER | ROLE_AUDITOR) ||
	    !actor_has(actor, ROLE_PANEL))
		return (application_may_view(actor, org, st, err));
	if (!actor_has(actor, ROLE_APPROVER))
		return (panels_member_may_read(db, actor, id, err));
	app_err_clear(&e);
	if (panels_member_may_read(db, actor, id, &e))
		return (1);
	if (e.code != APP_ENOTFOUND) {
		*err = e;
		return (0);
	}
	return (application_may_view(actor, org, st, err));
}

int
applications_get_json(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	json_t	*rec;
	char	 idbuf[24];

	*out = NULL;
	if (!actor_has(actor, ROLE_PANEL) && !application_may_list(actor, err))
		return (0);
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	if (!load_record(db, SQL_SELECT_APP, idbuf, &rec, err))
		return (0);
	if (!may_read_record(db, actor, rec, err) ||
	    !decorate(db, actor, rec, 1, err)) {
		json_decref(rec);
		return (0);
	}
	*out = rec;
	return (1);
}

int
applications_get_by_reference_json(struct db *db, const struct actor *actor,
    const char *reference, json_t **out, struct app_err *err)
{
	json_t	*rec;

	*out = NULL;
	if (!actor_has(actor, ROLE_PANEL) && !application_may_list(actor, err))
		return (0);
	if (!load_record(db, SQL_SELECT_APP_BY_REF, reference, &rec, err)) {
		if (err->code == APP_ENOTFOUND)
			snprintf(err->field, sizeof(err->field), "reference");
		return (0);
	}
	if (!may_read_record(db, actor, rec, err) ||
	    !decorate(db, actor, rec, 1, err)) {
		if (err->code == APP_ENOTFOUND)
			snprintf(err->field, sizeof(err->field), "reference");
		json_decref(rec);
		return (0);
	}
	*out = rec;
	return (1);
}

/*
 * $1..$9 of LIST_WHERE: who may see what (an applicant its organisation's,
 * an approver the decidable statuses, officers and auditors all), then the
 * filters.  statuses and visible are the text[] buffers the parameters
 * point into.
 */
static void
list_params(const struct actor *actor, const struct application_filter *f,
    struct db_params *p, char *statuses, size_t slen, char *visible,
    size_t vlen)
{
	unsigned	bits;
	int		i;

	db_params_init(p);
	if (actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR | ROLE_APPROVER))
		dbp_null(p);
	else
		dbp_i64(p, actor->org_id);
	if (f->org_id > 0)
		dbp_i64(p, f->org_id);
	else
		dbp_null(p);
	dbp_str(p, f->scheme);
	if (f->statuses != 0) {
		status_array(f->statuses, statuses, slen);
		dbp_str(p, statuses);
	} else
		dbp_null(p);
	if (f->submitted_from >= 0)
		dbp_date(p, f->submitted_from);
	else
		dbp_null(p);
	if (f->submitted_to >= 0)
		dbp_date(p, f->submitted_to);
	else
		dbp_null(p);
	dbp_str(p, f->reference);
	if (f->before_id > 0)
		dbp_i64(p, f->before_id);
	else
		dbp_null(p);
	if (actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR | ROLE_APPLICANT) ||
	    !actor_has(actor, ROLE_APPROVER)) {
		dbp_null(p);
		return;
	}
	bits = 0;
	for (i = 0; i < APPLICATION_NSTATUS; i++) {
		if (application_status_decidable((enum application_status)i))
			bits |= 1U << i;
	}
	status_array(bits, visible, vlen);
	dbp_str(p, visible);
}

int
applications_list_json(struct db *db, const struct actor *actor,
    const struct application_filter *f, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*list, *row;
	json_error_t		 jerr;
	char			 statuses[256], visible[256], cursor[24];
	int			 i, n, limit;

	*out = NULL;
	if (!application_may_list(actor, err))
		return (0);
	limit = f->limit < 1 ? APPLICATION_LIST_DEFAULT :
	    f->limit > APPLICATION_LIST_MAX ? APPLICATION_LIST_MAX : f->limit;
	list_params(actor, f, &p, statuses, sizeof(statuses), visible,
	    sizeof(visible));
	dbp_int(&p, limit + 1);
	if ((res = db_query(db, SQL_LIST, &p, err)) == NULL)
		return (0);
	list = json_array();
	n = PQntuples(res);
	for (i = 0; i < n && i < limit; i++) {
		row = json_loads(db_str(res, i, 1), 0, &jerr);
		if (row == NULL || json_array_append_new(list, row) != 0) {
			PQclear(res);
			json_decref(list);
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "bad application JSON"));
		}
	}
	cursor[0] = '\0';
	if (n > limit)
		snprintf(cursor, sizeof(cursor), "%s",
		    db_str(res, limit - 1, 0));
	PQclear(res);
	*out = json_pack("{s:o,s:i,s:s?}", "applications", list, "limit",
	    limit, "next_cursor", cursor[0] != '\0' ? cursor : NULL);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/* One JSON array from a query returning it in its only cell. */
static int
query_json(struct db *db, const char *sql, const struct db_params *p,
    json_t **out, struct app_err *err)
{
	PGresult	*res;
	json_error_t	 jerr;

	if ((res = db_query(db, sql, p, err)) == NULL)
		return (0);
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad JSON"));
	return (1);
}

static double
dup_score(const json_t *x)
{
	double	t, s;

	t = json_number_value(json_object_get(x, "title_similarity"));
	s = json_number_value(json_object_get(x, "summary_similarity"));
	return (t > s ? t : s);
}

/* Most similar first, then newest. */
static int
dup_cmp(const void *a, const void *b)
{
	const json_t	*x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double		 sx, sy;
	json_int_t	 ix, iy;

	sx = dup_score(x);
	sy = dup_score(y);
	if (sx != sy)
		return (sx > sy ? -1 : 1);
	ix = json_integer_value(json_object_get(x, "id"));
	iy = json_integer_value(json_object_get(y, "id"));
	return (ix > iy ? -1 : ix < iy);
}

/* The title and summary matches as one list, once each, at most 50. */
static json_t *
dup_merge(json_t *by_title, json_t *by_summary)
{
	json_t		*all[100], *list, *x, *y;
	size_t		 i, j, n;
	int		 seen;

	n = 0;
	json_array_foreach(by_title, i, x) {
		if (n < 100)
			all[n++] = x;
	}
	json_array_foreach(by_summary, i, x) {
		seen = 0;
		for (j = 0; j < n && !seen; j++) {
			y = all[j];
			seen = json_equal(json_object_get(x, "id"),
			    json_object_get(y, "id"));
		}
		if (!seen && n < 100)
			all[n++] = x;
	}
	qsort(all, n, sizeof(all[0]), dup_cmp);
	list = json_array();
	for (i = 0; i < n && i < 50; i++)
		json_array_append(list, all[i]);
	return (list);
}

static int
duplicates_tx(struct db *db, void *arg, struct app_err *err)
{
	struct dup_tx		*d = arg;
	struct db_params	 p, t;
	json_t			*by_title, *by_summary;

	json_decref(d->same);
	json_decref(d->similar);
	d->same = d->similar = NULL;
	db_params_init(&p);
	dbp_i64(&p, d->app.org_id);
	dbp_i64(&p, d->app.id);
	if (!query_json(db, SQL_DUP_SAME_ORG, &p, &d->same, err))
		return (0);

	db_params_init(&p);
	dbp_i64(&p, d->app.id);
	dbp_str(&p, d->app.title);
	dbp_str(&p, d->summary);
	dbp_i64(&p, d->app.org_id);
	db_params_init(&t);
	dbp_str(&t, DUP_TITLE_THRESHOLD);
	if (!db_exec(db, SQL_TRGM_THRESHOLD, &t, err) ||
	    !query_json(db, SQL_DUP_SIMILAR_TITLE, &p, &by_title, err))
		return (0);
	t.v[0] = DUP_SUMMARY_THRESHOLD;
	if (!db_exec(db, SQL_TRGM_THRESHOLD, &t, err) ||
	    !query_json(db, SQL_DUP_SIMILAR_SUMMARY, &p, &by_summary, err)) {
		json_decref(by_title);
		return (0);
	}
	d->similar = dup_merge(by_title, by_summary);
	json_decref(by_title);
	json_decref(by_summary);
	return (d->similar != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}

int
applications_duplicates_json(struct db *db, const struct actor *actor,
    int64_t id, json_t **out, struct app_err *err)
{
	struct dup_tx	 d;
	json_t		*rec;
	char		 idbuf[24];
	int		 ok;

	*out = NULL;
	if (!actor_has(actor, ROLE_OFFICER))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only officers screen for duplicate funding"));
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	if (!load_record(db, SQL_SELECT_APP, idbuf, &rec, err))
		return (0);
	memset(&d, 0, sizeof(d));
	app_from_record(rec, &d.app);
	d.summary = json_string_value(json_object_get(rec, "summary"));
	/* One snapshot for the three lists; the thresholds are local to it. */
	ok = db_tx_run(db, DB_REPEATABLE_READ, duplicates_tx, &d, err);
	if (ok)
		*out = json_pack("{s:{s:I,s:O,s:s,s:O,s:O,s:O},s:O,s:O}",
		    "application", "id", (json_int_t)d.app.id, "reference",
		    json_object_get(rec, "reference"), "scheme", d.app.scheme,
		    "status", json_object_get(rec, "status"), "title",
		    json_object_get(rec, "title"), "organisation",
		    json_object_get(rec, "organisation"),
		    "same_organisation", d.same, "similar", d.similar);
	json_decref(d.same);
	json_decref(d.similar);
	json_decref(rec);
	if (ok && *out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (ok);
}

/*
 * The transactions.
 */

int
applications_create(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, const json_t *body, json_t **out,
    struct app_err *err)
{
	struct app_tx	a;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.schemes = schemes;
	a.actor = actor;
	a.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, create_tx, &a, err))
		return (0);
	return (applications_get_json(db, actor, a.id, out, err));
}

static int
create_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const skip[] = { "scheme", NULL };
	struct app_tx		*a = arg;
	const struct scheme	*s;
	struct db_params	 p;
	PGresult		*res;
	json_t			*content, *v, *after;
	char			*fields;
	cents_t			 total;
	int			 ok, start, end;

	if (!actor_has(a->actor, ROLE_APPLICANT)) {
		if (actor_has(a->actor, ROLE_AUDITOR) &&
		    !actor_has(a->actor, ROLE_OFFICER))
			return (app_err_set(err, APP_EFORBIDDEN, NULL,
			    "auditors read applications but change nothing"));
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only applicants create applications"));
	}
	if (a->actor->org_id <= 0)
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "your account belongs to no organisation"));
	v = json_object_get(a->body, "scheme");
	if (v == NULL || json_is_null(v))
		return (app_err_set(err, APP_EINVAL, "scheme",
		    "scheme: is required"));
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, "scheme",
		    "scheme: must be a scheme code string"));
	if ((s = scheme_of(a->schemes, json_string_value(v), err)) == NULL)
		return (0);
	if (json_object_get(a->body, "title") == NULL)
		return (app_err_set(err, APP_EINVAL, "title",
		    "title: is required"));
	content = json_pack("{s:s,s:[],s:[],s:{}}", "summary", "",
	    "budget_lines", "milestones", "fields");
	if (content == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	if (!application_content_apply(s, content, a->body, skip, err) ||
	    !application_content_check(s, content, 0, err) ||
	    !application_budget_total(content, &total, err) ||
	    !json_text(json_object_get(content, "fields"), &fields, err)) {
		json_decref(content);
		return (0);
	}
	start = application_content_date(content, "start_date");
	end = application_content_date(content, "end_date");
	db_params_init(&p);
	dbp_i64(&p, a->actor->org_id);
	dbp_str(&p, s->code);
	dbp_str(&p, json_string_value(json_object_get(content, "title")));
	dbp_str(&p, json_string_value(json_object_get(content, "summary")));
	if (start >= 0)
		dbp_date(&p, start);
	else
		dbp_null(&p);
	if (end >= 0)
		dbp_date(&p, end);
	else
		dbp_null(&p);
	dbp_str(&p, fields);
	dbp_i64(&p, total);
	if (a->actor->user_id > 0)
		dbp_i64(&p, a->actor->user_id);
	else
		dbp_null(&p);
	res = db_query(db, SQL_INSERT_APP, &p, err);
	free(fields);
	if (res == NULL) {
		json_decref(content);
		return (0);
	}
	a->id = db_i64(res, 0, 0);
	PQclear(res);
	after = json_deep_copy(content);
	json_object_set_new(after, "scheme", json_string(s->code));
	json_object_set_new(after, "org_id", json_integer(a->actor->org_id));
	ok = write_children(db, a->id, content, 1, err) &&
	    insert_event(db, a->actor, a->id, "create", NULL, "draft", NULL,
	    err) &&
	    audit_write_id(db, a->actor, "application.create", "application",
	    a->id, NULL, after, NULL, err);
	json_decref(after);
	json_decref(content);
	return (ok);
}

int
applications_update(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t id, const json_t *body, json_t **out,
    struct app_err *err)
{
	struct app_tx	a;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.schemes = schemes;
	a.actor = actor;
	a.id = id;
	a.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, update_tx, &a, err))
		return (0);
	return (applications_get_json(db, actor, id, out, err));
}

static int
update_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const skip[] = { "version", NULL };
	struct app_tx		*a = arg;
	struct application	 app;
	const struct scheme	*s;
	struct db_params	 p;
	json_t			*rec, *before, *content, *v;
	char			 idbuf[24], *fields;
	cents_t			 total;
	int			 ok, start, end;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)a->id);
	if (!load_record(db, SQL_SELECT_APP_LOCK, idbuf, &rec, err))
		return (0);
	app_from_record(rec, &app);
	before = content = NULL;
	ok = application_may_edit(a->actor, app.org_id, app.status, err);
	if (ok && json_object_get(a->body, "scheme") != NULL)
		ok = app_err_set(err, APP_EBADREQ, "scheme", "scheme: an "
		    "application's scheme cannot change; create a new one");
	if (ok && (v = json_object_get(a->body, "version")) != NULL) {
		if (!json_is_integer(v))
			ok = app_err_set(err, APP_EBADREQ, "version",
			    "version: must be an integer");
		else if (json_integer_value(v) != app.version)
			ok = app_err_set(err, APP_ECONFLICT, "version",
			    "version: the application was changed (it is at "
			    "version %d, not %lld); reload it", app.version,
			    (long long)json_integer_value(v));
	}
	if (ok && (s = scheme_of(a->schemes, app.scheme, err)) == NULL)
		ok = 0;
	if (ok) {
		before = content_from_record(rec);
		content = json_deep_copy(before);
		ok = content != NULL &&
		    application_content_apply(s, content, a->body, skip, err) &&
		    application_content_check(s, content, 0, err) &&
		    application_budget_total(content, &total, err);
	}
	json_decref(rec);
	if (!ok || !json_text(json_object_get(content, "fields"), &fields,
	    err)) {
		json_decref(before);
		json_decref(content);
		return (0);
	}
	start = application_content_date(content, "start_date");
	end = application_content_date(content, "end_date");
	db_params_init(&p);
	dbp_i64(&p, app.id);
	dbp_str(&p, json_string_value(json_object_get(content, "title")));
	dbp_str(&p, json_string_value(json_object_get(content, "summary")));
	if (start >= 0)
		dbp_date(&p, start);
	else
		dbp_null(&p);
	if (end >= 0)
		dbp_date(&p, end);
	else
		dbp_null(&p);
	dbp_str(&p, fields);
	dbp_i64(&p, total);
	ok = db_exec(db, SQL_UPDATE_CONTENT, &p, err) &&
	    write_children(db, app.id, content, 0, err) &&
	    audit_write_id(db, a->actor, "application.update", "application",
	    app.id, before, content, NULL, err);
	free(fields);
	json_decref(before);
	json_decref(content);
	return (ok);
}

int
applications_submit(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t id, int day, json_t **out,
    struct app_err *err)
{
	struct app_tx	a;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.schemes = schemes;
	a.actor = actor;
	a.id = id;
	a.day = day;
	if (!application_may_act(actor, APPLICATION_ACT_SUBMIT, err) ||
	    !db_tx_run(db, DB_READ_COMMITTED, submit_tx, &a, err))
		return (0);
	return (applications_get_json(db, actor, id, out, err));
}

static int
submit_tx(struct db *db, void *arg, struct app_err *err)
{
	struct app_tx				*a = arg;
	const struct application_transition	*t;
	const struct scheme_rules		*r;
	const struct scheme			*s;
	struct application			 app;
	struct application_priors		 pr;
	struct application_funding		 af;
	struct db_params			 p;
	PGresult				*res;
	json_t					*rec, *content, *before, *after;
	char					 org_type[16], idbuf[24];
	char					 ref[APPLICATION_REF_MAX];
	char					*text;
	char					 dbuf[DATE_ISO_LEN];
	int64_t					 org_id;
	enum application_action			 action;
	int					 judged, from, to, y, m, d, seq;
	int					 ok;

	/* The organisation's lock first, then the application's row. */
	db_params_init(&p);
	dbp_i64(&p, a->id);
	if ((res = db_query(db, SQL_SELECT_ORG_OF, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	}
	org_id = db_i64(res, 0, 0);
	PQclear(res);
	if (!application_may_read(a->actor, org_id, err) ||
	    !applications_lock_org_tx(db, org_id, org_type, err))
		return (0);
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)a->id);
	if (!load_record(db, SQL_SELECT_APP_LOCK, idbuf, &rec, err))
		return (0);
	app_from_record(rec, &app);
	action = app.status == APPLICATION_RETURNED ?
	    APPLICATION_ACT_RESUBMIT : APPLICATION_ACT_SUBMIT;
	if (!application_may(a->actor, app.org_id, app.status, action, &t,
	    err) || (s = scheme_of(a->schemes, app.scheme, err)) == NULL) {
		json_decref(rec);
		return (0);
	}
	/* A resubmission is judged again by its first submission's date. */
	judged = action == APPLICATION_ACT_SUBMIT ? a->day : app.submitted_on;
	content = content_from_record(rec);
	json_decref(rec);
	if (content == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	if (!application_content_check(s, content, 1, err) ||
	    !application_eligible(s, org_type, judged, &r, err)) {
		json_decref(content);
		return (0);
	}

	/* What the organisation already has against this scheme's caps. */
	application_cap_window(s, r, judged, &from, &to);
	if (!applications_committed_tx(db, app.org_id, s->code, app.id, from,
	    to, application_content_date(content, "start_date"),
	    application_content_date(content, "end_date"), &pr.committed_cents,
	    &pr.projects, &pr.heads, err) ||
	    !application_compute(s, r, content, &pr, &af, err)) {
		json_decref(content);
		return (0);
	}
	json_decref(content);

	/* A first submission takes its prefix and year's next reference. */
	seq = 0;
	y = 0;
	if (action == APPLICATION_ACT_SUBMIT) {
		date_to_ymd(judged, &y, &m, &d);
		db_params_init(&p);
		dbp_str(&p, s->reference_prefix);
		dbp_int(&p, y % 100);
		if ((res = db_query(db, SQL_NEXT_REFERENCE, &p, err)) == NULL) {
			json_decref(af.line_shares);
			return (0);
		}
		seq = db_int(res, 0, 0);
		PQclear(res);
		if (!application_reference_format(s->reference_prefix, y, seq,
		    ref, sizeof(ref))) {
			json_decref(af.line_shares);
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "reference too long"));
		}
		snprintf(app.reference, sizeof(app.reference), "%s", ref);
		app.submitted_on = judged;
	}

	db_params_init(&p);
	dbp_i64(&p, app.id);
	dbp_str(&p, application_status_name(t->to));
	if (action == APPLICATION_ACT_SUBMIT) {
		dbp_str(&p, app.reference);
		dbp_str(&p, s->reference_prefix);
		dbp_int(&p, y % 100);
		dbp_int(&p, seq);
		dbp_date(&p, judged);
	} else {
		dbp_null(&p);
		dbp_null(&p);
		dbp_null(&p);
		dbp_null(&p);
		dbp_null(&p);
	}
	if (af.basis_cents < 0)
		dbp_null(&p);
	else
		dbp_i64(&p, af.basis_cents);
	dbp_i64(&p, af.result.government_cents);
	dbp_i64(&p, af.result.applicant_cents);
	dbp_i64(&p, af.heads);
	dbp_str(&p, af.result.rule_version);
	dbp_str(&p, af.result.capped_by);
	ok = db_exec(db, SQL_UPDATE_SUBMIT, &p, err);
	text = NULL;
	if (ok && json_array_size(af.line_shares) > 0 &&
	    (ok = json_text(af.line_shares, &text, err))) {
		db_params_init(&p);
		dbp_i64(&p, app.id);
		dbp_str(&p, text);
		ok = db_exec(db, SQL_UPDATE_LINE_SHARES, &p, err);
	}
	free(text);
	json_decref(af.line_shares);
	if (!ok)
		return (0);

	before = json_pack("{s:s}", "status",
	    application_status_name(app.status));
	after = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s?}", "status",
	    application_status_name(t->to), "reference", app.reference,
	    "submitted_on", date_format(app.submitted_on, dbuf, sizeof(dbuf)),
	    "requested_cents", (json_int_t)af.result.government_cents,
	    "applicant_cents", (json_int_t)af.result.applicant_cents,
	    "rule_version", af.result.rule_version, "capped_by",
	    af.result.capped_by);
	app.status = t->to;
	ok = insert_event(db, a->actor, app.id, application_action_name(action),
	    application_status_name(t->from), application_status_name(t->to),
	    NULL, err) &&
	    audit_write_id(db, a->actor, action == APPLICATION_ACT_SUBMIT ?
	    "application.submit" : "application.resubmit", "application",
	    app.id, before, after, NULL, err) &&
	    notify_change(db, &app, t->notify, NULL, err);
	json_decref(before);
	json_decref(after);
	return (ok);
}

int
applications_screen(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t id, const char *decision,
    const char *note, json_t **out, struct app_err *err)
{
	struct app_tx	a;

	*out = NULL;
	if (decision == NULL)
		return (app_err_set(err, APP_EINVAL, "decision",
		    "decision: is required (start, accept or return)"));
	if (strcmp(decision, "start") != 0 && strcmp(decision, "accept") != 0 &&
	    strcmp(decision, "return") != 0)
		return (app_err_set(err, APP_EINVAL, "decision",
		    "decision: must be start, accept or return"));
	if (!application_may_act(actor, APPLICATION_ACT_ACCEPT, err))
		return (0);
	memset(&a, 0, sizeof(a));
	a.schemes = schemes;
	a.actor = actor;
	a.id = id;
	a.decision = decision;
	a.note = note;
	if (!db_tx_run(db, DB_READ_COMMITTED, screen_tx, &a, err))
		return (0);
	return (applications_get_json(db, actor, id, out, err));
}

static int
screen_tx(struct db *db, void *arg, struct app_err *err)
{
	struct app_tx				*a = arg;
	const struct application_transition	*t, *t2;
	struct application			 app;
	enum application_action			 action;

	if (!applications_load(db, a->actor, a->id, 1, &app, err))
		return (0);
	if (strcmp(a->decision, "start") == 0)
		action = APPLICATION_ACT_START_SCREENING;
	else if (strcmp(a->decision, "accept") == 0)
		action = APPLICATION_ACT_ACCEPT;
	else
		action = APPLICATION_ACT_RETURN;
	if (action != APPLICATION_ACT_START_SCREENING &&
	    (app.status == APPLICATION_SUBMITTED ||
	    app.status == APPLICATION_RESUBMITTED)) {
		/* Check the whole move before taking its first step. */
		if (!application_may(a->actor, app.org_id, app.status,
		    APPLICATION_ACT_START_SCREENING, &t, err) ||
		    !application_may(a->actor, app.org_id, t->to, action, &t2,
		    err) ||
		    !application_note_check(a->note, t2->note_required, "note",
		    err) ||
		    !set_status_tx(db, a->actor, &app, t, NULL, err))
			return (0);
	}
	if (!application_may(a->actor, app.org_id, app.status, action, &t,
	    err))
		return (0);
	return (set_status_tx(db, a->actor, &app, t, a->note, err));
}

int
applications_withdraw(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t id, const char *reason, json_t **out,
    struct app_err *err)
{
	struct app_tx	a;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.schemes = schemes;
	a.actor = actor;
	a.id = id;
	a.note = reason;
	if (!application_may_act(actor, APPLICATION_ACT_WITHDRAW, err) ||
	    !application_note_check(reason, 0, "reason", err) ||
	    !db_tx_run(db, DB_READ_COMMITTED, withdraw_tx, &a, err))
		return (0);
	return (applications_get_json(db, actor, id, out, err));
}

static int
withdraw_tx(struct db *db, void *arg, struct app_err *err)
{
	struct app_tx				*a = arg;
	struct application			 app;

	if (!applications_load(db, a->actor, a->id, 1, &app, err))
		return (0);
	return (applications_transition_tx(db, a->actor, &app,
	    APPLICATION_ACT_WITHDRAW, a->note, err));
}

int
applications_export(struct db *db, const void *arg, const char *path,
    struct app_err *err)
{
	const struct applications_export	*x = arg;
	struct application_filter		 f;
	struct export_options			 o;
	struct db_params			 p;
	char					 statuses[256], visible[256];

	if (!application_may_list(&x->actor, err))
		return (0);
	memset(&f, 0, sizeof(f));
	f.scheme = x->scheme[0] != '\0' ? x->scheme : NULL;
	f.statuses = x->statuses;
	f.org_id = x->org_id;
	f.submitted_from = x->submitted_from;
	f.submitted_to = x->submitted_to;
	f.reference = x->reference[0] != '\0' ? x->reference : NULL;
	list_params(&x->actor, &f, &p, statuses, sizeof(statuses), visible,
	    sizeof(visible));
	memset(&o, 0, sizeof(o));
	o.format = x->format;
	o.path = path;
	o.title_en = "Applications";
	o.title_zh = "申請";
	o.filters = x->filters[0] != '\0' ? x->filters : NULL;
	o.cols = export_cols;
	o.ncols = sizeof(export_cols) / sizeof(export_cols[0]);
	o.bom = x->bom;
	return (export_run(&o, db, SQL_EXPORT, &p, err));
}
