/*
 * projects_variations.c: variations of an active project's agreement
 * (budget reallocation, extension, milestone changes, a lower government
 * contribution) requested by the organisation and decided by an officer.
 * Owns the table project_variations.
 *
 * A request is checked by applying it inside a savepoint and rolling the
 * savepoint back, so the applicant learns at once what the officer's
 * approval would refuse; the approval applies it again against the
 * project as it is then, and writes a new agreement version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applications.h"
#include "audit.h"
#include "claims.h"
#include "dates.h"
#include "ledger.h"
#include "projects.h"

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define VAR_JSON							\
    "json_build_object('id', v.id, 'project_id', v.project_id,"		\
    " 'status', v.status, 'request', v.request, 'reason', v.reason,"	\
    " 'requested_at', " TS("v.requested_at") ", 'decided_at', "		\
    TS("v.decided_at") ", 'decision_note', v.decision_note,"		\
    " 'agreement_version', v.agreement_version)"

static const char SQL_GET[] =
    "SELECT " VAR_JSON "::text FROM project_variations v WHERE v.id = $1";
static const char SQL_LIST[] =
    "SELECT coalesce(json_agg(" VAR_JSON " ORDER BY v.id), '[]')::text"
    " FROM project_variations v WHERE v.project_id = $1";
static const char SQL_OPEN[] =
    "SELECT id FROM project_variations WHERE project_id = $1"
    " AND status = 'requested'";
static const char SQL_INSERT[] =
    "INSERT INTO project_variations (project_id, request, reason,"
    " requested_by) VALUES ($1, $2::jsonb, $3, $4) RETURNING id";
static const char SQL_VAR_PROJECT[] =
    "SELECT project_id FROM project_variations WHERE id = $1";
static const char SQL_VAR_LOCK[] =
    "SELECT status, request::text, requested_by FROM project_variations"
    " WHERE id = $1 FOR UPDATE";
static const char SQL_DECIDE[] =
    "UPDATE project_variations SET status = $2, decided_by = $3,"
    " decided_at = now(), decision_note = $4, agreement_version = $5"
    " WHERE id = $1 AND status = 'requested'";

static const char SQL_LINES[] =
    "SELECT line_no, amount_cents FROM project_budget_lines"
    " WHERE project_id = $1 ORDER BY line_no";
static const char SQL_UPDATE_LINES[] =
    "UPDATE project_budget_lines l SET amount_cents = x.a,"
    " government_cents = x.g"
    " FROM jsonb_to_recordset($2::jsonb) AS x(line_no integer, a bigint,"
    " g bigint) WHERE l.project_id = $1 AND l.line_no = x.line_no";
static const char SQL_END_DATE[] =
    "UPDATE projects SET end_date = $2, updated_at = now() WHERE id = $1";
static const char SQL_MS_STATE[] =
    "SELECT report_accepted_at IS NOT NULL FROM project_milestones"
    " WHERE project_id = $1 AND seq = $2";
static const char SQL_MS_UPDATE[] =
    "UPDATE project_milestones SET title = coalesce($3, title),"
    " deliverables = coalesce($4, deliverables),"
    " due_date = coalesce($5::date, due_date)"
    " WHERE project_id = $1 AND seq = $2";
/* The first milestone out of the period or out of order, if any. */
static const char SQL_MS_BAD[] =
    "SELECT seq FROM (SELECT m.seq, m.due_date, lag(m.due_date) OVER"
    " (ORDER BY m.seq) AS prev, p.start_date, p.end_date"
    " FROM project_milestones m JOIN projects p ON p.id = m.project_id"
    " WHERE m.project_id = $1) x WHERE due_date < start_date OR"
    " due_date > end_date OR due_date < prev ORDER BY seq LIMIT 1";
static const char SQL_TRANCHES[] =
    "SELECT t.id, t.bp, t.amount_cents,"
    " EXISTS (SELECT 1 FROM payments x WHERE x.tranche_id = t.id"
    "  AND x.status = 'approved'),"
    " EXISTS (SELECT 1 FROM payments x WHERE x.tranche_id = t.id"
    "  AND x.status = 'prepared')"
    " FROM project_tranches t WHERE t.project_id = $1 ORDER BY t.seq";
static const char SQL_UPDATE_TRANCHES[] =
    "UPDATE project_tranches t SET amount_cents = x.a"
    " FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, a bigint)"
    " WHERE t.project_id = $1 AND t.id = x.id";
static const char SQL_GOVERNMENT[] =
    "UPDATE projects SET government_cents = $2, applicant_cents = $3,"
    " updated_at = now() WHERE id = $1";
static const char SQL_BUMP_VERSION[] =
    "UPDATE projects SET agreement_version = agreement_version + 1,"
    " updated_at = now() WHERE id = $1 RETURNING agreement_version";

struct var_tx {
	const struct scheme_set	*schemes;
	const struct actor	*actor;
	int64_t			 project_id;
	int64_t			 id;
	const json_t		*request;
	const char		*reason;
	int			 approve;
	const char		*note;
};

static int	request_parse(const json_t *, json_t **, const char **,
		    struct app_err *);
static int	vary_apply(struct db *, const struct scheme_set *,
		    const struct actor *, const struct project *,
		    const json_t *, int, struct app_err *);
static int	vary_government(struct db *, const struct scheme_set *,
		    const struct project *, cents_t, struct app_err *);
static int	vary_lines(struct db *, const struct project *,
		    const json_t *, cents_t, struct app_err *);
static int	vary_milestones(struct db *, const struct project *,
		    const json_t *, struct app_err *);
static int	vary_tranches(struct db *, const struct project *, cents_t,
		    struct app_err *);
static int	request_tx(struct db *, void *, struct app_err *);
static int	decide_tx(struct db *, void *, struct app_err *);
static int	load_json(struct db *, const char *, int64_t, json_t **,
		    struct app_err *);

/*
 * The request body into *req (a new object without the reason), with
 * types checked; values are judged against the project by vary_apply().
 */
static int
request_parse(const json_t *body, json_t **req, const char **reason,
    struct app_err *err)
{
	static const char *const keys[] = { "reason", "budget_lines",
		"end_date", "milestones", "government_cents", NULL };
	static const char *const lkeys[] = { "line_no", "amount_cents",
		NULL };
	static const char *const mkeys[] = { "seq", "title", "deliverables",
		"due_date", NULL };
	const json_t	*v, *e;
	const char	*s;
	char		 prefix[48], f[128];
	size_t		 i;
	int		 day, any;
	cents_t		 c;

	*req = NULL;
	if (!projects_json_only(body, keys, "", err) ||
	    !projects_json_text(body, "reason", 1, PROJECT_TEXT_MAX, 1, reason,
	    err))
		return (0);
	any = 0;
	if ((v = json_object_get(body, "government_cents")) != NULL &&
	    !json_is_null(v)) {
		if (!projects_json_cents(body, "government_cents", 1, &c, NULL,
		    err))
			return (0);
		any = 1;
	}
	if ((v = json_object_get(body, "end_date")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_string(v))
			return (app_err_set(err, APP_EBADREQ, "end_date",
			    "end_date: must be a date string"));
		if (!date_parse(json_string_value(v), &day))
			return (app_err_set(err, APP_EINVAL, "end_date",
			    "end_date: must be a real date written YYYY-MM-DD"));
		any = 1;
	}
	if ((v = json_object_get(body, "budget_lines")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > PROJECT_LINES_MAX)
			return (app_err_set(err, APP_EBADREQ, "budget_lines",
			    "budget_lines: an array of 1 to %d lines",
			    PROJECT_LINES_MAX));
		json_array_foreach(v, i, e) {
			snprintf(prefix, sizeof(prefix), "budget_lines[%zu].", i);
			if (!projects_json_only(e, lkeys, prefix, err))
				return (0);
			snprintf(f, sizeof(f), "%sline_no", prefix);
			if (!json_is_integer(json_object_get(e, "line_no")))
				return (app_err_set(err, APP_EBADREQ, f,
				    "%s: a whole number is required", f));
			if (!projects_json_cents(e, "amount_cents", 1, &c,
			    NULL, err)) {
				projects_err_prefix(err, prefix);
				return (0);
			}
		}
		any = 1;
	}
	if ((v = json_object_get(body, "milestones")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > PROJECT_MILESTONES_MAX)
			return (app_err_set(err, APP_EBADREQ, "milestones",
			    "milestones: an array of 1 to %d changes",
			    PROJECT_MILESTONES_MAX));
		json_array_foreach(v, i, e) {
			snprintf(prefix, sizeof(prefix), "milestones[%zu].", i);
			if (!projects_json_only(e, mkeys, prefix, err))
				return (0);
			snprintf(f, sizeof(f), "%sseq", prefix);
			if (!json_is_integer(json_object_get(e, "seq")))
				return (app_err_set(err, APP_EBADREQ, f,
				    "%s: a whole number is required", f));
			if (!projects_json_text(e, "title", 0,
			    PROJECT_TITLE_MAX, 0, &s, err) ||
			    !projects_json_text(e, "deliverables", 0,
			    PROJECT_DELIVERABLES_MAX, 1, &s, err) ||
			    !projects_json_text(e, "due_date", 0, 10, 0, &s,
			    err)) {
				projects_err_prefix(err, prefix);
				return (0);
			}
			if (json_object_get(e, "title") != NULL &&
			    !json_is_null(json_object_get(e, "title")) &&
			    json_string_length(json_object_get(e,
			    "title")) == 0) {
				snprintf(f, sizeof(f), "%stitle", prefix);
				return (app_err_set(err, APP_EINVAL, f,
				    "%s: must not be empty", f));
			}
			if (s != NULL && !date_parse(s, &day)) {
				snprintf(f, sizeof(f), "%sdue_date", prefix);
				return (app_err_set(err, APP_EINVAL, f,
				    "%s: must be a real date written "
				    "YYYY-MM-DD", f));
			}
		}
		any = 1;
	}
	if (!any)
		return (app_err_set(err, APP_EINVAL, NULL, "a variation changes "
		    "at least one of budget_lines, end_date, milestones, "
		    "government_cents"));
	if ((*req = json_deep_copy(body)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	json_object_del(*req, "reason");
	return (1);
}

/* Check the new government contribution against the approval and caps. */
static int
vary_government(struct db *db, const struct scheme_set *schemes,
    const struct project *pr, cents_t gov, struct app_err *err)
{
	const struct scheme		*s;
	const struct scheme_rules	*r;
	char				 a[MONEY_FMT_MAX], u[MONEY_FMT_MAX];
	char				 d[MONEY_FMT_MAX];
	cents_t				 used;

	if (gov <= 0)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: must be more than 0"));
	if (gov > pr->approved_cents)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: %lld is above the approved amount of "
		    "%lld", (long long)gov, (long long)pr->approved_cents));
	if (gov > pr->government_cents)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: a variation may lower the government "
		    "contribution (now %lld), never raise it",
		    (long long)pr->government_cents));
	s = schemes != NULL ? schemes_find(schemes, pr->scheme) : NULL;
	r = s != NULL ? scheme_rules_find(s, pr->rule_version) : NULL;
	if (r != NULL) {
		if (r->max_cents.present && gov > r->max_cents.value)
			return (app_err_set(err, APP_EINVAL, "max_cents",
			    "government_cents: above the scheme's max_cents"));
		if (r->per_project_cap_cents.present &&
		    gov > r->per_project_cap_cents.value)
			return (app_err_set(err, APP_EINVAL,
			    "per_project_cap_cents", "government_cents: above "
			    "the scheme's per_project_cap_cents"));
		if (r->per_deal_cap_cents.present &&
		    gov > r->per_deal_cap_cents.value)
			return (app_err_set(err, APP_EINVAL,
			    "per_deal_cap_cents", "government_cents: above the "
			    "scheme's per_deal_cap_cents"));
	}
	if (!claims_used_tx(db, pr->id, &used, err))
		return (0);
	if (gov < used)
		return (app_err_set(err, APP_ECONFLICT, "government_cents",
		    "government_cents: %s is below the %s project %s has "
		    "already paid or has in live claims, by %s",
		    money_format(gov, a, sizeof(a)), money_format(used, u,
		    sizeof(u)), pr->reference, money_format(used - gov, d,
		    sizeof(d))));
	return (1);
}

/*
 * Budget lines: with lines (the request's), a reallocation keeping the
 * total; either way the government part is re-split for gov.
 */
static int
vary_lines(struct db *db, const struct project *pr, const json_t *lines,
    cents_t gov, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	cents_t			*amounts, *shares, total;
	int			*nos, *seen;
	const json_t		*e;
	json_t			*rows;
	char			*text, f[64];
	size_t			 i, j, n;
	int			 ok, found;

	db_params_init(&p);
	dbp_i64(&p, pr->id);
	if ((res = db_query(db, SQL_LINES, &p, err)) == NULL)
		return (0);
	n = (size_t)PQntuples(res);
	amounts = calloc(n + 1, sizeof(*amounts));
	shares = calloc(n + 1, sizeof(*shares));
	nos = calloc(n + 1, sizeof(*nos));
	seen = calloc(n + 1, sizeof(*seen));
	ok = amounts != NULL && shares != NULL && nos != NULL && seen != NULL;
	if (!ok)
		app_err_set(err, APP_EINTERNAL, NULL, "out of memory");
	for (i = 0; ok && i < n; i++) {
		nos[i] = db_int(res, (int)i, 0);
		amounts[i] = db_i64(res, (int)i, 1);
	}
	PQclear(res);
	if (ok && lines != NULL) {
		if (json_array_size(lines) != n)
			ok = app_err_set(err, APP_EINVAL, "budget_lines",
			    "budget_lines: a reallocation names each of the %zu "
			    "budget lines once", n);
		json_array_foreach(lines, i, e) {
			if (!ok)
				break;
			found = 0;
			for (j = 0; j < n; j++) {
				if (nos[j] == json_integer_value(
				    json_object_get(e, "line_no")) && !seen[j]) {
					seen[j] = 1;
					amounts[j] = json_integer_value(
					    json_object_get(e, "amount_cents"));
					found = 1;
				}
			}
			if (!found) {
				snprintf(f, sizeof(f), "budget_lines[%zu].line_no",
				    i);
				ok = app_err_set(err, APP_EINVAL, f, "%s: no such "
				    "budget line, or named twice", f);
			}
		}
		total = 0;
		for (i = 0; ok && i < n; i++) {
			if (!money_add(total, amounts[i], &total))
				ok = app_err_set(err, APP_EINVAL,
				    "budget_lines", "overflow");
		}
		if (ok && total != pr->total_cost_cents)
			ok = app_err_set(err, APP_EINVAL, "budget_lines",
			    "budget_lines: a reallocation keeps the total cost "
			    "of %lld cents (these add up to %lld)",
			    (long long)pr->total_cost_cents, (long long)total);
	}
	if (ok && !application_allocate(amounts, n, gov, shares))
		ok = app_err_set(err, APP_EINTERNAL, NULL, "allocation failed");
	text = NULL;
	if (ok) {
		rows = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(rows, json_pack("{s:i,s:I,s:I}",
			    "line_no", nos[i], "a", (json_int_t)amounts[i],
			    "g", (json_int_t)shares[i]));
		text = json_dumps(rows, JSON_COMPACT);
		json_decref(rows);
		db_params_init(&p);
		dbp_i64(&p, pr->id);
		dbp_str(&p, text);
		ok = text != NULL && db_exec(db, SQL_UPDATE_LINES, &p, err);
	}
	free(text);
	free(amounts);
	free(shares);
	free(nos);
	free(seen);
	return (ok);
}

/* Milestone changes: only of milestones whose report is not accepted. */
static int
vary_milestones(struct db *db, const struct project *pr, const json_t *ms,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	const json_t		*e;
	char			 f[64];
	size_t			 i;
	int			 n, done, seq;

	json_array_foreach(ms, i, e) {
		seq = (int)json_integer_value(json_object_get(e, "seq"));
		snprintf(f, sizeof(f), "milestones[%zu].seq", i);
		db_params_init(&p);
		dbp_i64(&p, pr->id);
		dbp_int(&p, seq);
		if ((res = db_query(db, SQL_MS_STATE, &p, err)) == NULL)
			return (0);
		n = PQntuples(res);
		done = n == 1 && db_bool(res, 0, 0);
		PQclear(res);
		if (n != 1)
			return (app_err_set(err, APP_EINVAL, f, "%s: the project "
			    "has no milestone %d", f, seq));
		if (done)
			return (app_err_set(err, APP_EINVAL, f, "%s: milestone "
			    "%d is already accepted and cannot change", f, seq));
		dbp_str(&p, json_string_value(json_object_get(e, "title")));
		dbp_str(&p, json_string_value(json_object_get(e,
		    "deliverables")));
		dbp_str(&p, json_string_value(json_object_get(e, "due_date")));
		if (!db_exec(db, SQL_MS_UPDATE, &p, err))
			return (0);
	}
	return (1);
}

/* Rescale the unpaid tranches to government contribution gov. */
static int
vary_tranches(struct db *db, const struct project *pr, cents_t gov,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int64_t			 ids[PROJECT_MILESTONES_MAX + 1];
	int			 bp[PROJECT_MILESTONES_MAX + 1];
	int			 fixed[PROJECT_MILESTONES_MAX + 1];
	cents_t			 cur[PROJECT_MILESTONES_MAX + 1];
	cents_t			 out[PROJECT_MILESTONES_MAX + 1];
	json_t			*rows;
	char			*text;
	int			 i, n, pending, ok;

	db_params_init(&p);
	dbp_i64(&p, pr->id);
	if ((res = db_query(db, SQL_TRANCHES, &p, err)) == NULL)
		return (0);
	n = PQntuples(res);
	pending = 0;
	for (i = 0; i < n && i <= PROJECT_MILESTONES_MAX; i++) {
		ids[i] = db_i64(res, i, 0);
		bp[i] = db_int(res, i, 1);
		cur[i] = db_i64(res, i, 2);
		fixed[i] = db_bool(res, i, 3);
		pending |= db_bool(res, i, 4);
	}
	PQclear(res);
	if (pending)
		return (app_err_set(err, APP_ESTATE, "government_cents",
		    "a payment of the project is waiting for approval; the "
		    "contribution changes once it is approved or cancelled"));
	if (n == 0 || n > PROJECT_MILESTONES_MAX + 1)
		return (app_err_set(err, APP_EINTERNAL, NULL, "no tranches"));
	if (!projects_rescale(gov, bp, fixed, cur, (size_t)n, pr->final_min_bp,
	    out, err))
		return (0);
	rows = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:I,s:I}", "id",
		    (json_int_t)ids[i], "a", (json_int_t)out[i]));
	text = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	db_params_init(&p);
	dbp_i64(&p, pr->id);
	dbp_str(&p, text);
	ok = text != NULL && db_exec(db, SQL_UPDATE_TRANCHES, &p, err);
	free(text);
	return (ok);
}

/*
 * Apply request req to project pr (locked) in the current transaction.
 * dry: a check on behalf of the applicant, rolled back by the caller; the
 * ledger is not touched.
 */
static int
vary_apply(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, const struct project *pr, const json_t *req,
    int dry, struct app_err *err)
{
	const struct scheme	*s;
	struct db_params	 p;
	PGresult		*res;
	const json_t		*v, *lines;
	cents_t			 gov, applicant;
	int			 end, last, bad;
	char			 narrative[200];

	if (pr->status != PROJECT_ACTIVE)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; only an active project's agreement is varied",
		    pr->reference, project_status_name(pr->status)));
	gov = pr->government_cents;
	if ((v = json_object_get(req, "government_cents")) != NULL &&
	    !json_is_null(v)) {
		gov = json_integer_value(v);
		if (!vary_government(db, schemes, pr, gov, err))
			return (0);
	}
	if ((v = json_object_get(req, "end_date")) != NULL &&
	    !json_is_null(v)) {
		if (!date_parse(json_string_value(v), &end))
			return (app_err_set(err, APP_EINVAL, "end_date",
			    "end_date: must be a real date"));
		if (end <= pr->end_date)
			return (app_err_set(err, APP_EINVAL, "end_date",
			    "end_date: an extension moves the end date later "
			    "than the current one"));
		s = schemes != NULL ? schemes_find(schemes, pr->scheme) : NULL;
		if (s != NULL && s->max_months.present) {
			last = application_period_last_day(pr->start_date,
			    s->max_months.value);
			if (end > last)
				return (app_err_set(err, APP_EINVAL,
				    "end_date", "end_date: %s projects last at "
				    "most %lld months", pr->scheme,
				    (long long)s->max_months.value));
		}
		db_params_init(&p);
		dbp_i64(&p, pr->id);
		dbp_date(&p, end);
		if (!db_exec(db, SQL_END_DATE, &p, err))
			return (0);
	}
	if ((v = json_object_get(req, "milestones")) != NULL &&
	    !json_is_null(v) && !vary_milestones(db, pr, v, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, pr->id);
	if ((res = db_query(db, SQL_MS_BAD, &p, err)) == NULL)
		return (0);
	bad = PQntuples(res) > 0 ? db_int(res, 0, 0) : 0;
	PQclear(res);
	if (bad > 0)
		return (app_err_set(err, APP_EINVAL, "milestones", "milestone %d "
		    "would fall outside the project period or before the "
		    "milestone ahead of it", bad));
	lines = json_object_get(req, "budget_lines");
	if (lines != NULL && json_is_null(lines))
		lines = NULL;
	if ((lines != NULL || gov != pr->government_cents) &&
	    !vary_lines(db, pr, lines, gov, err))
		return (0);
	if (gov == pr->government_cents)
		return (1);
	applicant = pr->total_cost_cents > gov ? pr->total_cost_cents - gov : 0;
	db_params_init(&p);
	dbp_i64(&p, pr->id);
	dbp_i64(&p, gov);
	dbp_i64(&p, applicant);
	if (!vary_tranches(db, pr, gov, err) ||
	    !db_exec(db, SQL_GOVERNMENT, &p, err))
		return (0);
	if (dry)
		return (1);
	snprintf(narrative, sizeof(narrative), "variation of %s: government "
	    "contribution lowered", pr->reference);
	return (ledger_release(db, actor, pr->id, pr->government_cents - gov,
	    LEDGER_TODAY, narrative, NULL, err));
}

static int
request_tx(struct db *db, void *arg, struct app_err *err)
{
	struct var_tx		*t = arg;
	struct project		 pr;
	struct db_params	 p;
	PGresult		*res;
	json_t			*a;
	char			*text;
	int			 n, ok;

	if (!projects_load(db, t->actor, t->project_id, 1, &pr, err))
		return (0);
	if (projects_is_staff(t->actor) || !actor_has(t->actor,
	    ROLE_APPLICANT))
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "variations are "
		    "requested by the organisation's applicant users"));
	db_params_init(&p);
	dbp_i64(&p, t->project_id);
	if ((res = db_query(db, SQL_OPEN, &p, err)) == NULL)
		return (0);
	n = PQntuples(res);
	if (n > 0)
		app_err_set(err, APP_ESTATE, "variation", "variation %lld of "
		    "project %s is still waiting for a decision",
		    (long long)db_i64(res, 0, 0), pr.reference);
	PQclear(res);
	if (n > 0)
		return (0);
	/* Would the officer's approval, today, accept it? */
	if (!db_exec(db, "SAVEPOINT variation_check", NULL, err))
		return (0);
	ok = vary_apply(db, t->schemes, t->actor, &pr, t->request, 1, err);
	if (!db_exec(db, "ROLLBACK TO SAVEPOINT variation_check", NULL,
	    ok ? err : NULL) || !ok)
		return (0);
	if ((text = json_dumps(t->request, JSON_COMPACT)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	db_params_init(&p);
	dbp_i64(&p, t->project_id);
	dbp_str(&p, text);
	dbp_str(&p, t->reason);
	dbp_i64(&p, t->actor->user_id);
	res = db_query(db, SQL_INSERT, &p, err);
	free(text);
	if (res == NULL)
		return (0);
	t->id = db_i64(res, 0, 0);
	PQclear(res);
	a = json_pack("{s:I,s:I,s:s,s:O}", "id", (json_int_t)t->id,
	    "project_id", (json_int_t)t->project_id, "status", "requested",
	    "request", t->request);
	ok = audit_write_id(db, t->actor, "variation.request", "variation",
	    t->id, NULL, a, t->reason, err);
	json_decref(a);
	return (ok);
}

int
projects_variation_request(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t project_id, const json_t *body,
    json_t **out, struct app_err *err)
{
	struct var_tx	 t;
	struct project	 pr;
	json_t		*req;
	const char	*reason;
	int		 ok;

	*out = NULL;
	if (!projects_load(db, actor, project_id, 0, &pr, err) ||
	    !request_parse(body, &req, &reason, err))
		return (0);
	memset(&t, 0, sizeof(t));
	t.schemes = schemes;
	t.actor = actor;
	t.project_id = project_id;
	t.request = req;
	t.reason = reason;
	ok = db_tx_run(db, DB_READ_COMMITTED, request_tx, &t, err);
	json_decref(req);
	if (!ok)
		return (0);
	return (load_json(db, SQL_GET, t.id, out, err));
}

static int
decide_tx(struct db *db, void *arg, struct app_err *err)
{
	struct var_tx		*t = arg;
	struct project		 pr;
	struct db_params	 p;
	PGresult		*res;
	json_t			*req, *b, *a;
	json_error_t		 jerr;
	char			 status[16], reason[64];
	char			 en[PROJECT_TEXT_MAX + 300];
	char			 zh[PROJECT_TEXT_MAX + 300];
	int			 version, ok;

	db_params_init(&p);
	dbp_i64(&p, t->id);
	if ((res = db_query(db, SQL_VAR_PROJECT, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such variation"));
	}
	t->project_id = db_i64(res, 0, 0);
	PQclear(res);
	if (!projects_load(db, t->actor, t->project_id, 1, &pr, err))
		return (0);
	if (!actor_has(t->actor, ROLE_OFFICER))
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "only officers "
		    "decide variations"));
	if ((res = db_query(db, SQL_VAR_LOCK, &p, err)) == NULL)
		return (0);
	snprintf(status, sizeof(status), "%s", db_str(res, 0, 0));
	req = json_loads(db_str(res, 0, 1), 0, &jerr);
	PQclear(res);
	if (req == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad request"));
	if (strcmp(status, "requested") != 0) {
		json_decref(req);
		return (app_err_set(err, APP_ESTATE, "status", "variation %lld "
		    "is already %s", (long long)t->id, status));
	}
	version = 0;
	ok = 1;
	if (t->approve) {
		snprintf(reason, sizeof(reason), "variation %lld",
		    (long long)t->id);
		ok = vary_apply(db, t->schemes, t->actor, &pr, req, 0, err);
		if (ok) {
			db_params_init(&p);
			dbp_i64(&p, pr.id);
			if ((res = db_query(db, SQL_BUMP_VERSION, &p, err)) ==
			    NULL)
				ok = 0;
			else {
				version = db_int(res, 0, 0);
				PQclear(res);
			}
		}
		ok = ok && projects_snapshot_tx(db, t->actor, pr.id, reason,
		    t->id, err);
	}
	json_decref(req);
	if (!ok)
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_str(&p, t->approve ? "approved" : "rejected");
	if (t->actor->user_id > 0)
		dbp_i64(&p, t->actor->user_id);
	else
		dbp_null(&p);
	dbp_str(&p, t->note);
	if (version > 0)
		dbp_int(&p, version);
	else
		dbp_null(&p);
	if (!db_exec(db, SQL_DECIDE, &p, err))
		return (0);
	b = json_pack("{s:I,s:s}", "id", (json_int_t)t->id, "status",
	    "requested");
	a = json_pack("{s:I,s:s,s:i}", "id", (json_int_t)t->id, "status",
	    t->approve ? "approved" : "rejected", "agreement_version",
	    version);
	ok = audit_write_id(db, t->actor, t->approve ? "variation.approve" :
	    "variation.reject", "variation", t->id, b, a, t->note, err);
	json_decref(b);
	json_decref(a);
	if (!ok)
		return (0);
	if (t->approve) {
		snprintf(en, sizeof(en), "Variation %lld of project %s is "
		    "approved; the agreement is now version %d.",
		    (long long)t->id, pr.reference, version);
		snprintf(zh, sizeof(zh), "項目 %s 的變更申請 %lld 已獲批准，資助協議"
		    "現為第 %d 版。", pr.reference, (long long)t->id, version);
	} else {
		snprintf(en, sizeof(en), "Variation %lld of project %s is not "
		    "approved: %s", (long long)t->id, pr.reference, t->note);
		snprintf(zh, sizeof(zh), "項目 %s 的變更申請 %lld 不獲批准：%s",
		    pr.reference, (long long)t->id, t->note);
	}
	return (projects_notify(db, pr.org_id, t->approve ?
	    "variation.approved" : "variation.rejected", "project", pr.id,
	    en, zh, err));
}

int
projects_variation_decide(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t variation_id, int approve,
    const char *note, json_t **out, struct app_err *err)
{
	struct var_tx	 t;

	*out = NULL;
	if (!projects_text_arg(note, "note", approve ? 0 : 1, PROJECT_TEXT_MAX,
	    &note, err))
		return (0);
	memset(&t, 0, sizeof(t));
	t.schemes = schemes;
	t.actor = actor;
	t.id = variation_id;
	t.approve = approve;
	t.note = note;
	if (!db_tx_run(db, DB_READ_COMMITTED, decide_tx, &t, err))
		return (0);
	return (load_json(db, SQL_GET, variation_id, out, err));
}

static int
load_json(struct db *db, const char *sql, int64_t id, json_t **out,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;

	*out = NULL;
	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, sql, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id", "not found"));
	}
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad JSON"));
	return (1);
}

int
projects_variations_list_json(struct db *db, const struct actor *actor,
    int64_t project_id, json_t **out, struct app_err *err)
{
	struct project	 pr;
	json_t		*list;

	*out = NULL;
	if (!projects_load(db, actor, project_id, 0, &pr, err) ||
	    !load_json(db, SQL_LIST, project_id, &list, err))
		return (0);
	*out = json_pack("{s:o}", "variations", list);
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}
