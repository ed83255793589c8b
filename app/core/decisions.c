/*
 * decisions.c: what comes of a panel's assessment.  Owns recommendations,
 * partner_assessments and decisions (migrations/0006_panels.sql); the
 * contracts are in decisions.h.
 *
 * Layout: SQL; pure functions (the recommendation body, the outcome table,
 * authority and caps); the recommendation; MOST's assessment; the
 * assessment view; the decision.  Status changes go through the
 * applications state table (applications_transition_tx()).
 *
 * The decision is one transaction, in this order, so that nothing is
 * written on any refusal and two concurrent approvals for one organisation
 * are serialised on its row (design.md section 2: cumulative caps are
 * checked inside the transaction that commits the money):
 *	lock the organisation, then the application;
 *	the state (recommended: approve or reject; not recommended: reject);
 *	the same-person rules (not the screening officer, not a conflicted
 *	    panel member);
 *	the approver's financial authority for the amount;
 *	approval only: the scheme's caps over the organisation's approved
 *	    projects, then the ledger commitment;
 *	the decision row, the status change, the audit rows, the project
 *	    (projects_create_from_approval(), awaiting signature) and the
 *	    notification to the organisation.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "dates.h"
#include "decisions.h"
#include "ledger.h"
#include "notify.h"
#include "panels.h"
#include "projects.h"

/* Timestamps in JSON: UTC, ISO 8601, to the second. */
#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define DECISION_NARRATIVE_MAX	300

static const char SQL_SELECT_PARTNER[] =
    "SELECT supported FROM partner_assessments WHERE application_id = $1";

static const char SQL_INSERT_RECOMMENDATION[] =
    "INSERT INTO recommendations (application_id, meeting_id,"
    " recommendation, conditions, recommended_cents, reasons, outcome,"
    " weighted_total_bp, scorers, recorded_by, recorded_as)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

static const char SQL_INSERT_PARTNER[] =
    "INSERT INTO partner_assessments (application_id, supported, reference,"
    " assessed_on, notes, recorded_by) VALUES ($1, $2, $3, $4::date, $5, $6)";

static const char SQL_ASSESSMENT[] =
    "SELECT (SELECT json_build_object('partner', p.partner, 'supported',"
    "  p.supported, 'reference', p.reference, 'assessed_on', p.assessed_on,"
    "  'notes', p.notes, 'recorded_at', " TS("p.recorded_at") ")"
    "  FROM partner_assessments p WHERE p.application_id = $1),"
    " (SELECT json_build_object('meeting_id', r.meeting_id,"
    "  'recommendation', r.recommendation, 'conditions', r.conditions,"
    "  'recommended_cents', r.recommended_cents, 'reasons', r.reasons,"
    "  'outcome', r.outcome, 'weighted_total_bp', r.weighted_total_bp,"
    "  'scorers', r.scorers, 'recorded_as', r.recorded_as,"
    "  'recorded_by', r.recorded_by, 'recorded_at', "
    TS("r.recorded_at") ")"
    "  FROM recommendations r WHERE r.application_id = $1),"
    " (SELECT json_build_object('decision', d.decision, 'approved_cents',"
    "  d.approved_cents, 'reasons', d.reasons, 'decided_by', d.decided_by,"
    "  'ledger_entry_id', d.ledger_entry_id, 'decided_at', "
    TS("d.decided_at") ")"
    "  FROM decisions d WHERE d.application_id = $1)";

static const char *const rec_names[] = {
	"support", "support_with_conditions", "not_support"
};

static const char SQL_ORG_OF[] =
    "SELECT org_id FROM applications WHERE id = $1";

static const char SQL_APP_EXTRA[] =
    "SELECT heads FROM applications WHERE id = $1";

static const char SQL_SCREENED_BY[] =
    "SELECT 1 FROM application_events WHERE application_id = $1"
    " AND actor_id = $2 AND action IN ('start_screening', 'accept',"
    " 'return') LIMIT 1";

static const char SQL_CONFLICTED[] =
    "SELECT 1 FROM conflict_declarations WHERE application_id = $1"
    " AND user_id = $2 AND conflict LIMIT 1";

static const char SQL_AUTHORITY[] =
    "SELECT u.authority_cents FROM users u WHERE u.id = $1 AND u.active"
    " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id"
    " AND r.role = 'approver')";

static const char SQL_RECOMMENDATION[] =
    "SELECT recommendation, recommended_cents FROM recommendations"
    " WHERE application_id = $1";

/*
 * The organisation's approved projects under a scheme, leaving out this
 * application: amount (the approved amount, or the request for a project
 * approved before decisions were recorded), count, and heads of those
 * overlapping [$6, $7]; only submissions from $4 to $5 when given (a cap
 * per financial year).  An approval decision counts whatever status the
 * project has reached since (agreement signed, ...).
 */
static const char SQL_APPROVED_PRIOR[] =
    "SELECT coalesce(sum(coalesce(d.approved_cents, a.requested_cents)), 0),"
    " count(*), coalesce(sum(a.heads) FILTER (WHERE $6::date IS NULL OR"
    "  (a.start_date <= $7::date AND a.end_date >= $6::date)), 0)"
    " FROM applications a LEFT JOIN decisions d ON d.application_id = a.id"
    "  AND d.decision = 'approve'"
    " WHERE a.org_id = $1 AND a.scheme_code = $2 AND a.id <> $3"
    " AND (a.status = 'approved' OR d.application_id IS NOT NULL)"
    " AND ($4::date IS NULL OR a.submitted_on >= $4::date)"
    " AND ($5::date IS NULL OR a.submitted_on <= $5::date)";

static const char SQL_INSERT_DECISION[] =
    "INSERT INTO decisions (application_id, decision, approved_cents,"
    " reasons, decided_by, authority_cents, ledger_entry_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";

/* The arguments of one transaction (db_tx_run may run it again). */
struct decisions_tx {
	const struct scheme_set	*schemes;
	const struct actor	*actor;
	int64_t			 id;
	const json_t		*body;
	int			 approve;	/* decision */
	const char		*reasons;	/* decision */
};

static int	recommendation_tx(struct db *, void *, struct app_err *);
static int	partner_tx(struct db *, void *, struct app_err *);
static const struct scheme *scheme_of(const struct scheme_set *,
		    const char *, struct app_err *);
static int	decision_tx(struct db *, void *, struct app_err *);
static int	decision_rules(struct db *, const struct actor *,
		    const struct application *, struct app_err *);
static int	decision_amount(struct db *, const struct scheme *,
		    const struct application *, int, cents_t *,
		    struct app_err *);
static int	decision_caps(struct db *, const struct scheme *,
		    const struct application *, cents_t, struct app_err *);
static int	decision_commit_funds(struct db *, const struct actor *,
		    const struct application *, cents_t, int64_t *,
		    struct app_err *);
static int	decision_notify(struct db *, const struct application *, int,
		    cents_t, const char *, struct app_err *);
static int	exists(struct db *, const char *, int64_t, int64_t, int *,
		    struct app_err *);

/*
 * Pure functions.
 */

const char *
decisions_rec_name(enum decisions_rec r)
{
	if ((int)r < 0 || (size_t)r >= sizeof(rec_names) / sizeof(rec_names[0]))
		return ("unknown");
	return (rec_names[r]);
}

int
decisions_rec_parse(const char *s, enum decisions_rec *out)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(rec_names) / sizeof(rec_names[0]);
	    i++) {
		if (strcmp(rec_names[i], s) == 0) {
			*out = (enum decisions_rec)i;
			return (1);
		}
	}
	return (0);
}

int
decisions_recommendation_from_json(const json_t *in, cents_t requested_cents,
    struct decisions_recommendation *out, struct app_err *err)
{
	static const char *const	 keys[] = { "recommendation", "reasons",
	    "conditions", "recommended_cents", NULL };
	const json_t			*v;
	const char			*s;
	int64_t				 amount;

	memset(out, 0, sizeof(*out));
	out->recommended_cents = -1;
	if (!json_is_object(in))
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "the body must be a JSON object"));
	if (!auth_json_only(in, keys, "", err))
		return (0);
	v = json_object_get(in, "recommendation");
	if (v == NULL || json_is_null(v))
		return (app_err_set(err, APP_EINVAL, "recommendation",
		    "recommendation: is required (support, "
		    "support_with_conditions or not_support)"));
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, "recommendation",
		    "recommendation: must be a string"));
	s = json_string_value(v);
	if (!decisions_rec_parse(s, &out->rec))
		return (app_err_set(err, APP_EINVAL, "recommendation",
		    "recommendation: must be support, support_with_conditions "
		    "or not_support"));
	if (!panels_json_text(in, "reasons", 1, PANEL_TEXT_MAX, &out->reasons,
	    err))
		return (0);
	if (out->rec == DECISIONS_SUPPORT_WITH_CONDITIONS) {
		if (!panels_json_text(in, "conditions", 1, PANEL_TEXT_MAX,
		    &out->conditions, err))
			return (0);
	} else if ((v = json_object_get(in, "conditions")) != NULL &&
	    !json_is_null(v))
		return (app_err_set(err, APP_EINVAL, "conditions",
		    "conditions: only a support_with_conditions "
		    "recommendation carries conditions"));
	v = json_object_get(in, "recommended_cents");
	if (v != NULL && !json_is_null(v) &&
	    out->rec != DECISIONS_SUPPORT_WITH_CONDITIONS)
		return (app_err_set(err, APP_EINVAL, "recommended_cents",
		    "recommended_cents: only a support_with_conditions "
		    "recommendation may reduce the amount; support "
		    "recommends the amount requested"));
	if (out->rec == DECISIONS_NOT_SUPPORT)
		return (1);
	out->recommended_cents = requested_cents;
	if (out->rec == DECISIONS_SUPPORT_WITH_CONDITIONS &&
	    !panels_json_int(in, "recommended_cents", 0, 1,
	    requested_cents > 0 ? requested_cents : 1, &amount, err))
		return (0);
	if (out->rec == DECISIONS_SUPPORT_WITH_CONDITIONS && v != NULL &&
	    !json_is_null(v))
		out->recommended_cents = amount;
	if (out->recommended_cents <= 0)
		return (app_err_set(err, APP_EINVAL, "recommended_cents",
		    "recommended_cents: the application requests nothing to "
		    "support"));
	return (1);
}

int
decisions_outcome(int partner_required, enum decisions_partner partner,
    enum decisions_rec rec, enum application_status *to, struct app_err *err)
{
	if (rec == DECISIONS_NOT_SUPPORT) {
		*to = APPLICATION_NOT_RECOMMENDED;
		return (1);
	}
	if (!partner_required) {
		*to = APPLICATION_RECOMMENDED;
		return (1);
	}
	/* MHKJFS: two assessments; only one both support goes on. */
	switch (partner) {
	case DECISIONS_PARTNER_SUPPORTED:
		*to = APPLICATION_RECOMMENDED;
		return (1);
	case DECISIONS_PARTNER_NOT_SUPPORTED:
		*to = APPLICATION_NOT_RECOMMENDED;
		return (1);
	default:
		return (app_err_set(err, APP_ESTATE, "partner_assessment",
		    "the Ministry of Science and Technology's assessment must "
		    "be recorded before the panel can support this "
		    "application (both must support it)"));
	}
}

int
decisions_authority_check(cents_t authority_cents, cents_t amount,
    struct app_err *err)
{
	char	a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];

	if (amount <= authority_cents)
		return (1);
	return (app_err_set(err, APP_EFORBIDDEN, "authority_cents",
	    "your financial authority is %s, below the %s this decision "
	    "concerns", money_format(authority_cents, a, sizeof(a)),
	    money_format(amount, b, sizeof(b))));
}

int
decisions_caps_check(const struct scheme_rules *r, cents_t amount,
    cents_t prior_cents, int64_t prior_projects, int64_t prior_heads,
    int64_t heads, struct app_err *err)
{
	static const struct {
		size_t		 off;
		const char	*name;
		int		 cumulative;
	} caps[] = {
		{ offsetof(struct scheme_rules, max_cents), "max_cents", 0 },
		{ offsetof(struct scheme_rules, per_project_cap_cents),
		    "per_project_cap_cents", 0 },
		{ offsetof(struct scheme_rules, per_deal_cap_cents),
		    "per_deal_cap_cents", 0 },
		{ offsetof(struct scheme_rules, per_applicant_cap_cents),
		    "per_applicant_cap_cents", 1 },
		{ offsetof(struct scheme_rules, per_company_cap_cents),
		    "per_company_cap_cents", 1 },
		{ offsetof(struct scheme_rules,
		    per_institution_annual_cap_cents),
		    "per_institution_annual_cap_cents", 1 },
	};
	const struct scheme_value	*cap;
	char				 a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
	char				 c[MONEY_FMT_MAX];
	cents_t				 total;
	size_t				 i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		cap = (const struct scheme_value *)((const char *)r +
		    caps[i].off);
		if (!cap->present)
			continue;
		if (!caps[i].cumulative) {
			if (amount > cap->value)
				return (app_err_set(err, APP_ECONFLICT,
				    caps[i].name, "%s: %s exceeds the cap "
				    "of %s (%s)", caps[i].name,
				    money_format(amount, a, sizeof(a)),
				    money_format(cap->value, b, sizeof(b)),
				    r->id));
			continue;
		}
		if (!money_add(prior_cents, amount, &total) ||
		    total > cap->value)
			return (app_err_set(err, APP_ECONFLICT, caps[i].name,
			    "%s: the organisation already has %s approved; "
			    "another %s would pass the cap of %s (%s)",
			    caps[i].name, money_format(prior_cents, a,
			    sizeof(a)), money_format(amount, b, sizeof(b)),
			    money_format(cap->value, c, sizeof(c)), r->id));
	}
	if (r->max_projects.present && prior_projects >= r->max_projects.value)
		return (app_err_set(err, APP_ECONFLICT, "max_projects",
		    "max_projects: the organisation already has %lld approved "
		    "project(s), the most %s allows", (long long)prior_projects,
		    r->id));
	if (r->max_heads.present && prior_heads + heads > r->max_heads.value)
		return (app_err_set(err, APP_ECONFLICT, "max_heads",
		    "max_heads: %lld approved and %lld more would pass the "
		    "limit of %lld people (%s)", (long long)prior_heads,
		    (long long)heads, (long long)r->max_heads.value, r->id));
	return (1);
}


static const struct scheme *
scheme_of(const struct scheme_set *schemes, const char *code,
    struct app_err *err)
{
	const struct scheme	*s;

	if ((s = schemes_find(schemes, code)) == NULL)
		app_err_set(err, APP_EINTERNAL, NULL, "scheme %s is not "
		    "loaded", code);
	return (s);
}

/*
 * The recommendation, MOST's assessment and the assessment view.
 */

int
decisions_recommend(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t app_id, const json_t *body,
    json_t **out, struct app_err *err)
{
	struct decisions_tx	a;

	*out = NULL;
	if (!actor_has(actor, ROLE_OFFICER | ROLE_PANEL))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only the panel's chair, or an officer on the panel's "
		    "behalf, records a recommendation"));
	memset(&a, 0, sizeof(a));
	a.schemes = schemes;
	a.actor = actor;
	a.id = app_id;
	a.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, recommendation_tx, &a, err))
		return (0);
	return (decisions_assessment_json(db, actor, app_id, out, err));
}

static int
recommendation_tx(struct db *db, void *arg, struct app_err *err)
{
	struct decisions_tx		*a = arg;
	struct application		 app;
	struct actor			 reader;
	struct panels_item			 it;
	struct decisions_recommendation	 rec;
	const struct scheme		*s;
	struct panels_scorer			*sc;
	struct db_params		 p;
	PGresult			*res;
	json_t				*after;
	enum application_status		 to;
	enum decisions_partner		 partner;
	int64_t				*nums, den;
	size_t				 n, k, complete;
	int				 bp, ok, as_chair;
	char				 en[2048], zh[2048];

	actor_system(&reader, "decisions");
	if (!applications_load(db, &reader, a->id, 1, &app, err))
		return (0);
	if (!panels_item_context(db, a->actor, a->id, &it, err)) {
		if (err->code == APP_ENOTFOUND) {
			app_err_clear(err);
			return (app_err_set(err, APP_ESTATE, "status",
			    "the application is on no meeting's agenda; a "
			    "panel must assess it first"));
		}
		return (0);
	}
	/* The chair, unless conflicted; otherwise an officer. */
	if (it.declared && it.conflict)
		return (app_err_set(err, APP_EFORBIDDEN, "conflict",
		    "you declared a conflict of interest on this application: "
		    "you may not recommend on it"));
	as_chair = it.chair;
	if (!as_chair && !actor_has(a->actor, ROLE_OFFICER))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only the chair of the panel, or an officer on the "
		    "panel's behalf, records its recommendation"));
	if (!as_chair && !panels_not_own_org(a->actor, &app, err))
		return (0);
	if (app.status != APPLICATION_UNDER_ASSESSMENT)
		return (app_err_set(err, APP_ESTATE, "status",
		    "the application is %s; a recommendation is made while "
		    "it is under assessment",
		    application_status_name(app.status)));
	if (!decisions_recommendation_from_json(a->body, app.requested_cents,
	    &rec, err))
		return (0);
	if ((s = scheme_of(a->schemes, app.scheme, err)) == NULL)
		return (0);

	/* A quorum of unconflicted members must have scored everything. */
	if (!panels_item_scorers(db, s, it.meeting_id, app.id, &sc, &n, err))
		return (0);
	nums = calloc(n > 0 ? n : 1, sizeof(*nums));
	if (nums == NULL) {
		panels_scorers_free(sc, n);
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	}
	complete = 0;
	for (k = 0; k < n; k++) {
		if (sc[k].complete)
			nums[complete++] = sc[k].num;
	}
	panels_scorers_free(sc, n);
	if ((int)complete < it.quorum) {
		free(nums);
		return (app_err_set(err, APP_ESTATE, "quorum",
		    "quorum: %zu unconflicted member(s) have scored every "
		    "criterion; the panel's quorum is %d", complete,
		    it.quorum));
	}
	ok = panels_scheme_den(s, &den, err) && panels_mean_bp(nums, complete,
	    den, &bp, err);
	free(nums);
	if (!ok)
		return (0);

	/* MHKJFS: MOST's assessment too. */
	partner = DECISIONS_PARTNER_NONE;
	if (s->partner_assessment) {
		db_params_init(&p);
		dbp_i64(&p, app.id);
		if ((res = db_query(db, SQL_SELECT_PARTNER, &p, err)) == NULL)
			return (0);
		if (PQntuples(res) == 1)
			partner = db_bool(res, 0, 0) ?
			    DECISIONS_PARTNER_SUPPORTED :
			    DECISIONS_PARTNER_NOT_SUPPORTED;
		PQclear(res);
	}
	if (!decisions_outcome(s->partner_assessment, partner, rec.rec, &to,
	    err))
		return (0);

	db_params_init(&p);
	dbp_i64(&p, app.id);
	dbp_i64(&p, it.meeting_id);
	dbp_str(&p, decisions_rec_name(rec.rec));
	dbp_str(&p, rec.conditions);
	if (rec.recommended_cents >= 0)
		dbp_i64(&p, rec.recommended_cents);
	else
		dbp_null(&p);
	dbp_str(&p, rec.reasons);
	dbp_str(&p, application_status_name(to));
	dbp_int(&p, bp);
	dbp_int(&p, (int)complete);
	panels_dbp_user(&p, a->actor);
	dbp_str(&p, as_chair ? "chair" : "officer");
	if (!db_exec(db, SQL_INSERT_RECOMMENDATION, &p, err))
		return (0);
	after = json_pack("{s:I,s:s,s:s?,s:o,s:s,s:s,s:i,s:i,s:s}",
	    "meeting_id", (json_int_t)it.meeting_id, "recommendation",
	    decisions_rec_name(rec.rec), "conditions", rec.conditions,
	    "recommended_cents", rec.recommended_cents >= 0 ?
	    json_integer(rec.recommended_cents) : json_null(), "reasons",
	    rec.reasons, "outcome", application_status_name(to),
	    "weighted_total_bp", bp, "scorers", (int)complete, "recorded_as",
	    as_chair ? "chair" : "officer");
	ok = audit_write_id(db, a->actor, "recommendation.record",
	    "application", app.id, NULL, after, rec.reasons, err);
	json_decref(after);
	if (!ok || !applications_transition_tx(db, a->actor, &app,
	    to == APPLICATION_RECOMMENDED ? APPLICATION_ACT_RECOMMEND :
	    APPLICATION_ACT_NOT_RECOMMEND, NULL, err))
		return (0);
	/* The outcome now; the reasons come with the decision. */
	snprintf(en, sizeof(en), "The assessment panel has completed its "
	    "assessment of application %s \"%s\"; it is now %s and awaits "
	    "the approving officer's decision.", app.reference, app.title,
	    to == APPLICATION_RECOMMENDED ? "recommended" : "not recommended");
	snprintf(zh, sizeof(zh), "評審委員會已完成評審申請 %s「%s」，"
	    "現為%s，有待審批人員決定。", app.reference, app.title,
	    to == APPLICATION_RECOMMENDED ? "獲推薦" : "不獲推薦");
	return (notify_org(db, app.org_id, to == APPLICATION_RECOMMENDED ?
	    "application.recommended" : "application.not_recommended",
	    "application", app.id, en, zh, err));
}

int
decisions_partner_assessment(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t app_id, const json_t *body,
    json_t **out, struct app_err *err)
{
	struct decisions_tx	a;

	*out = NULL;
	if (!panels_officer_only(actor, "record the Ministry of Science and "
	    "Technology's assessment", err))
		return (0);
	memset(&a, 0, sizeof(a));
	a.schemes = schemes;
	a.actor = actor;
	a.id = app_id;
	a.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, partner_tx, &a, err))
		return (0);
	return (decisions_assessment_json(db, actor, app_id, out, err));
}

static int
partner_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const	 keys[] = { "supported", "reference",
	    "assessed_on", "notes", NULL };
	struct decisions_tx		*a = arg;
	struct application		 app;
	struct actor			 reader;
	const struct scheme		*s;
	struct db_params		 p;
	PGresult			*res;
	json_t				*after;
	const char			*ref, *notes;
	char				 d[DATE_ISO_LEN];
	char				 en[2048], zh[2048];
	int				 supported, day, ok, had;

	if (!auth_json_only(a->body, keys, "", err) ||
	    !panels_json_bool(a->body, "supported", &supported, err) ||
	    !panels_json_text(a->body, "reference", 1, PANEL_REF_MAX, &ref,
	    err) ||
	    !panels_json_date(a->body, "assessed_on", 1, &day, err) ||
	    !panels_json_text(a->body, "notes", 0, PANEL_TEXT_MAX, &notes,
	    err))
		return (0);
	if (day > application_today())
		return (app_err_set(err, APP_EINVAL, "assessed_on",
		    "assessed_on: cannot be in the future"));
	actor_system(&reader, "decisions");
	if (!applications_load(db, &reader, a->id, 1, &app, err) ||
	    !panels_not_own_org(a->actor, &app, err) ||
	    (s = scheme_of(a->schemes, app.scheme, err)) == NULL)
		return (0);
	if (!s->partner_assessment)
		return (app_err_set(err, APP_EINVAL, "scheme",
		    "%s applications are assessed by ITC alone; only the "
		    "Mainland-Hong Kong Joint Funding Scheme takes the "
		    "Ministry of Science and Technology's assessment",
		    app.scheme));
	db_params_init(&p);
	dbp_i64(&p, app.id);
	if ((res = db_query(db, SQL_SELECT_PARTNER, &p, err)) == NULL)
		return (0);
	had = PQntuples(res) == 1;
	PQclear(res);
	if (had)
		return (app_err_set(err, APP_ECONFLICT, "partner_assessment",
		    "the Ministry of Science and Technology's assessment of "
		    "this application is already recorded"));
	if (app.status != APPLICATION_UNDER_ASSESSMENT)
		return (app_err_set(err, APP_ESTATE, "status",
		    "the application is %s; the Ministry's assessment is "
		    "recorded while it is under assessment",
		    application_status_name(app.status)));
	dbp_bool(&p, supported);
	dbp_str(&p, ref);
	dbp_date(&p, day);
	dbp_str(&p, notes);
	panels_dbp_user(&p, a->actor);
	if (!db_exec(db, SQL_INSERT_PARTNER, &p, err))
		return (0);
	after = json_pack("{s:s,s:b,s:s,s:s,s:s?}", "partner", "MOST",
	    "supported", supported, "reference", ref, "assessed_on",
	    date_format(day, d, sizeof(d)), "notes", notes);
	ok = audit_write_id(db, a->actor, "partner_assessment.record",
	    "application", app.id, NULL, after, notes, err);
	json_decref(after);
	if (!ok)
		return (0);
	if (supported)
		return (1);
	/* Either side not supporting: the application goes no further. */
	if (!applications_transition_tx(db, a->actor, &app,
	    APPLICATION_ACT_NOT_RECOMMEND,
	    "not supported by the Ministry of Science and Technology", err))
		return (0);
	snprintf(en, sizeof(en), "Application %s \"%s\" is not "
	    "recommended: the Ministry of Science and Technology does not "
	    "support it.", app.reference, app.title);
	snprintf(zh, sizeof(zh), "申請 %s「%s」不獲推薦：國家科學技術部"
	    "不支持該項目。", app.reference, app.title);
	return (notify_org(db, app.org_id, "application.not_recommended",
	    "application", app.id, en, zh, err));
}

int
decisions_assessment_json(struct db *db, const struct actor *actor,
    int64_t app_id, json_t **out, struct app_err *err)
{
	struct application	 app;
	struct actor		 reader;
	struct db_params	 p;
	PGresult		*res;
	json_t			*part[3], *rec;
	json_error_t		 jerr;
	int			 i, applicant;

	*out = NULL;
	actor_system(&reader, "decisions");
	if (!applications_load(db, &reader, app_id, 0, &app, err))
		return (0);
	applicant = 0;
	if (!panels_staff(actor)) {
		if (actor_has(actor, ROLE_PANEL)) {
			if (!panels_member_may_read(db, actor, app_id, err))
				return (0);
		} else if (actor_has(actor, ROLE_APPLICANT)) {
			if (actor->org_id == 0 || actor->org_id != app.org_id)
				return (app_err_set(err, APP_ENOTFOUND, "id",
				    "no such application"));
			applicant = 1;
		} else
			return (app_err_set(err, APP_EFORBIDDEN, NULL,
			    "your role has no access to assessments"));
	}
	db_params_init(&p);
	dbp_i64(&p, app_id);
	if ((res = db_query(db, SQL_ASSESSMENT, &p, err)) == NULL)
		return (0);
	for (i = 0; i < 3; i++) {
		part[i] = db_isnull(res, 0, i) ? json_null() :
		    json_loads(db_str(res, 0, i), 0, &jerr);
		if (part[i] == NULL)
			part[i] = json_null();
	}
	PQclear(res);
	if (applicant) {
		/* The panel's reasoning stays internal, not its outcome. */
		rec = part[1];
		if (json_is_object(rec)) {
			part[1] = json_pack("{s:O}", "outcome",
			    json_object_get(rec, "outcome"));
			json_decref(rec);
		}
		json_object_del(part[2], "decided_by");
		json_object_del(part[2], "ledger_entry_id");
	}
	*out = json_pack("{s:{s:I,s:s,s:s,s:s,s:I},s:o,s:o,s:o}",
	    "application", "id", (json_int_t)app.id, "reference",
	    app.reference, "scheme", app.scheme, "status",
	    application_status_name(app.status), "requested_cents",
	    (json_int_t)app.requested_cents, "partner_assessment", part[0],
	    "recommendation", part[1], "decision", part[2]);
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}


/*
 * The decision.
 */

int
decisions_record(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t app_id, const json_t *body,
    json_t **out, struct app_err *err)
{
	static const char *const	 keys[] = { "decision", "reasons",
	    NULL };
	struct decisions_tx		 a;
	const json_t			*v;

	*out = NULL;
	if (!actor_has(actor, ROLE_APPROVER))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only approving officers decide applications"));
	if (actor->user_id <= 0)
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "a decision is made by a named approving officer"));
	memset(&a, 0, sizeof(a));
	if (!json_is_object(body))
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "the body must be a JSON object"));
	if (!auth_json_only(body, keys, "", err))
		return (0);
	v = json_object_get(body, "decision");
	if (v == NULL || json_is_null(v))
		return (app_err_set(err, APP_EINVAL, "decision",
		    "decision: is required (approve or reject)"));
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, "decision",
		    "decision: must be a string"));
	if (strcmp(json_string_value(v), "approve") == 0)
		a.approve = 1;
	else if (strcmp(json_string_value(v), "reject") != 0)
		return (app_err_set(err, APP_EINVAL, "decision",
		    "decision: must be approve or reject"));
	if (!panels_json_text(body, "reasons", 1, PANEL_TEXT_MAX, &a.reasons,
	    err))
		return (0);
	a.schemes = schemes;
	a.actor = actor;
	a.id = app_id;
	if (!db_tx_run(db, DB_READ_COMMITTED, decision_tx, &a, err))
		return (0);
	return (decisions_assessment_json(db, actor, app_id, out, err));
}

static int
decision_tx(struct db *db, void *arg, struct app_err *err)
{
	struct decisions_tx	*a = arg;
	struct application	 app;
	struct actor		 reader;
	const struct scheme	*s;
	struct db_params	 p;
	PGresult		*res;
	json_t			*after;
	cents_t			 amount, authority;
	int64_t			 org_id, entry_id;
	int			 ok;
	char			 note[4 * APPLICATION_NOTE_MAX + 1];

	/* The organisation's lock first (as submissions take it), then the
	 * application's. */
	db_params_init(&p);
	dbp_i64(&p, a->id);
	if ((res = db_query(db, SQL_ORG_OF, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	}
	org_id = db_i64(res, 0, 0);
	PQclear(res);
	actor_system(&reader, "decisions");
	if (!applications_lock_org_tx(db, org_id, NULL, err) ||
	    !applications_load(db, &reader, a->id, 1, &app, err))
		return (0);

	if (app.status == APPLICATION_NOT_RECOMMENDED && a->approve)
		return (app_err_set(err, APP_ESTATE, "decision",
		    "decision: a not recommended application can only be "
		    "rejected"));
	if (app.status != APPLICATION_RECOMMENDED &&
	    app.status != APPLICATION_NOT_RECOMMENDED)
		return (app_err_set(err, APP_ESTATE, "status",
		    "the application is %s; only a recommended or not "
		    "recommended application is decided",
		    application_status_name(app.status)));
	if (!decision_rules(db, a->actor, &app, err))
		return (0);
	if ((s = schemes_find(a->schemes, app.scheme)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "scheme %s is not loaded", app.scheme));
	if (!decision_amount(db, s, &app, a->approve, &amount, err))
		return (0);

	/* The approver's financial authority, as it stands now. */
	db_params_init(&p);
	dbp_i64(&p, a->actor->user_id);
	if ((res = db_query(db, SQL_AUTHORITY, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only active approving officers decide applications"));
	}
	authority = db_i64(res, 0, 0);
	PQclear(res);
	if (!decisions_authority_check(authority, amount, err))
		return (0);

	entry_id = 0;
	if (a->approve && (!decision_caps(db, s, &app, amount, err) ||
	    !decision_commit_funds(db, a->actor, &app, amount, &entry_id,
	    err)))
		return (0);

	db_params_init(&p);
	dbp_i64(&p, app.id);
	dbp_str(&p, a->approve ? "approve" : "reject");
	if (a->approve)
		dbp_i64(&p, amount);
	else
		dbp_null(&p);
	dbp_str(&p, a->reasons);
	dbp_i64(&p, a->actor->user_id);
	dbp_i64(&p, authority);
	if (entry_id > 0)
		dbp_i64(&p, entry_id);
	else
		dbp_null(&p);
	if (!db_exec(db, SQL_INSERT_DECISION, &p, err))
		return (0);
	after = json_pack("{s:s,s:o,s:s,s:I,s:o}", "decision",
	    a->approve ? "approve" : "reject", "approved_cents", a->approve ?
	    json_integer(amount) : json_null(), "reasons", a->reasons,
	    "authority_cents", (json_int_t)authority, "ledger_entry_id",
	    entry_id > 0 ? json_integer(entry_id) : json_null());
	ok = audit_write_id(db, a->actor, "decision.record", "application",
	    app.id, NULL, after, a->reasons, err);
	json_decref(after);
	/*
	 * The history's note holds the reasons' first APPLICATION_NOTE_MAX
	 * characters; the decision row and its audit row keep them whole.
	 */
	snprintf(note, sizeof(note), "%s", a->reasons);
	panels_utf8_cut(note, APPLICATION_NOTE_MAX);
	if (!ok || !applications_transition_tx(db, a->actor, &app, a->approve ?
	    APPLICATION_ACT_APPROVE : APPLICATION_ACT_REJECT, note, err))
		return (0);
	/* An approved application becomes a project awaiting signature. */
	if (a->approve && amount > 0 &&
	    !projects_create_from_approval(db, a->actor, app.id, amount, err))
		return (0);
	return (decision_notify(db, &app, a->approve, amount, a->reasons,
	    err));
}

/* 1 (and *found) if sql over (id, user) returns a row. */
static int
exists(struct db *db, const char *sql, int64_t id, int64_t user, int *found,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_i64(&p, user);
	if ((res = db_query(db, sql, &p, err)) == NULL)
		return (0);
	*found = PQntuples(res) > 0;
	PQclear(res);
	return (1);
}

/*
 * Separation of duties: whoever screened the application, or declared a
 * conflict of interest on it as a panel member, does not decide it.
 */
static int
decision_rules(struct db *db, const struct actor *actor,
    const struct application *app, struct app_err *err)
{
	int	found;

	if (actor->org_id != 0 && actor->org_id == app->org_id)
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "you may not decide an application of your own "
		    "organisation"));
	if (!exists(db, SQL_SCREENED_BY, app->id, actor->user_id, &found,
	    err))
		return (0);
	if (found)
		return (app_err_set(err, APP_EFORBIDDEN, "screened_by",
		    "separation of duties: you screened this application, so "
		    "another approving officer must decide it"));
	if (!exists(db, SQL_CONFLICTED, app->id, actor->user_id, &found, err))
		return (0);
	if (found)
		return (app_err_set(err, APP_EFORBIDDEN, "conflict",
		    "you declared a conflict of interest on this application "
		    "as a panel member, so you may not decide it"));
	return (1);
}

/*
 * The amount decided: the recommended amount (the request, or the reduced
 * amount of a support with conditions); the request when the application
 * is not recommended.  Approval re-checks MHKJFS's two-sided support.
 */
static int
decision_amount(struct db *db, const struct scheme *s,
    const struct application *app, int approve, cents_t *amount,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int			 supported;

	*amount = app->requested_cents;
	db_params_init(&p);
	dbp_i64(&p, app->id);
	if ((res = db_query(db, SQL_RECOMMENDATION, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) == 1 && !db_isnull(res, 0, 1))
		*amount = db_i64(res, 0, 1);
	PQclear(res);
	if (*amount < 0)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the application has no amount"));
	if (!approve || !s->partner_assessment)
		return (1);
	if ((res = db_query(db, SQL_SELECT_PARTNER, &p, err)) == NULL)
		return (0);
	supported = PQntuples(res) == 1 && db_bool(res, 0, 0);
	PQclear(res);
	if (!supported)
		return (app_err_set(err, APP_ESTATE, "partner_assessment",
		    "%s needs the support of both the Ministry of Science and "
		    "Technology and ITC's panel", s->code));
	return (1);
}

/*
 * The scheme's caps under the rule version the application was judged
 * by, over the organisation's approved projects (in the cap's financial
 * year where the cap is annual).  The organisation's row is locked, so no
 * other approval for it can run between this check and the commit.
 */
static int
decision_caps(struct db *db, const struct scheme *s,
    const struct application *app, cents_t amount, struct app_err *err)
{
	const struct scheme_rules	*r;
	struct db_params		 p;
	PGresult			*res;
	cents_t				 prior;
	int64_t				 projects, prior_heads, heads;
	int				 from, to;

	if ((r = scheme_rules_find(s, app->rule_version)) == NULL &&
	    (r = scheme_rules_on(s, app->submitted_on)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "%s has no rule version %s", s->code, app->rule_version));
	db_params_init(&p);
	dbp_i64(&p, app->id);
	if ((res = db_query(db, SQL_APP_EXTRA, &p, err)) == NULL)
		return (0);
	heads = PQntuples(res) == 1 ? db_i64(res, 0, 0) : 0;
	PQclear(res);

	from = to = -1;
	if ((s->funding_model == SCHEME_MODEL_MATCHING &&
	    r->cap_period == SCHEME_PERIOD_FINANCIAL_YEAR) ||
	    s->funding_model == SCHEME_MODEL_BLOCK_GRANT)
		fy_bounds(fy_of(app->submitted_on), &from, &to);
	db_params_init(&p);
	dbp_i64(&p, app->org_id);
	dbp_str(&p, app->scheme);
	dbp_i64(&p, app->id);
	if (from >= 0) {
		dbp_date(&p, from);
		dbp_date(&p, to);
	} else {
		dbp_null(&p);
		dbp_null(&p);
	}
	if (app->start_date >= 0 && app->end_date >= 0) {
		dbp_date(&p, app->start_date);
		dbp_date(&p, app->end_date);
	} else {
		dbp_null(&p);
		dbp_null(&p);
	}
	if ((res = db_query(db, SQL_APPROVED_PRIOR, &p, err)) == NULL)
		return (0);
	prior = db_i64(res, 0, 0);
	projects = db_i64(res, 0, 1);
	prior_heads = db_i64(res, 0, 2);
	PQclear(res);
	return (decisions_caps_check(r, amount, prior, projects, prior_heads,
	    heads, err));
}

/*
 * The one place approval touches the fund: commit amount against the
 * fund's available commitment, in this transaction (ledger_commit()
 * refuses with APP_ECONFLICT, naming the shortfall, rather than
 * overdraw).  The project id is the application's.
 */
static int
decision_commit_funds(struct db *db, const struct actor *actor,
    const struct application *app, cents_t amount, int64_t *entry_id,
    struct app_err *err)
{
	char	narrative[DECISION_NARRATIVE_MAX];

	*entry_id = 0;
	if (amount == 0)
		return (1);
	snprintf(narrative, sizeof(narrative), "Approval of %s (%s)",
	    app->reference, app->scheme);
	return (ledger_commit(db, actor, app->id, amount, NULL, LEDGER_TODAY,
	    narrative, entry_id, err));
}

/* Tell the organisation the outcome and the reasons, in both languages. */
static int
decision_notify(struct db *db, const struct application *app, int approve,
    cents_t amount, const char *reasons, struct app_err *err)
{
	char	*en, *zh;
	char	 m[MONEY_FMT_MAX];
	size_t	 len;
	int	 ok;

	/* Reasons run to 4,000 characters: room for them in UTF-8. */
	len = 4 * PANEL_TEXT_MAX + 2048;
	en = malloc(len);
	zh = malloc(len);
	if (en == NULL || zh == NULL) {
		free(en);
		free(zh);
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	}
	money_format(amount, m, sizeof(m));
	if (approve) {
		snprintf(en, len, "Application %s \"%s\" is approved, with a "
		    "government contribution of %s. Reasons: %s",
		    app->reference, app->title, m, reasons);
		snprintf(zh, len, "申請 %s「%s」已獲批准，政府資助額為%s。"
		    "理由：%s", app->reference, app->title, m, reasons);
	} else {
		snprintf(en, len, "Application %s \"%s\" is rejected. "
		    "Reasons: %s", app->reference, app->title, reasons);
		snprintf(zh, len, "申請 %s「%s」不獲批准。理由：%s",
		    app->reference, app->title, reasons);
	}
	panels_utf8_cut(en, NOTIFY_MESSAGE_MAX);
	panels_utf8_cut(zh, NOTIFY_MESSAGE_MAX);
	ok = notify_org(db, app->org_id, approve ? "application.approved" :
	    "application.rejected", "application", app->id, en, zh, err);
	free(en);
	free(zh);
	return (ok);
}
