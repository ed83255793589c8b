/*
 * claims.c: payment claims of the claim-pattern schemes: submission with
 * the amount computed from the scheme's rules, correction of a returned
 * claim, an officer's acceptance or return.  Owns the tables claims and
 * claim_items (migrations/0010_claims.sql); payments of accepted claims are
 * payments.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applications.h"
#include "audit.h"
#include "claims.h"
#include "dates.h"
#include "projects.h"

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define CLAIM_JSON							\
    "json_build_object('id', c.id, 'project_id', c.project_id,"		\
    " 'reference', p.reference, 'scheme', p.scheme_code,"		\
    " 'kind', c.kind, 'version', c.version, 'previous_id',"		\
    " c.previous_id, 'corrected_by', (SELECT n.id FROM claims n"	\
    "  WHERE n.previous_id = c.id), 'status', c.status, 'period',"	\
    " c.period, 'period_start', c.period_start, 'period_end',"		\
    " c.period_end, 'rule_version', c.rule_version,"			\
    " 'expenditure_cents', c.expenditure_cents,"			\
    " 'partner_investment_cents', c.partner_investment_cents,"		\
    " 'amount_cents', c.amount_cents, 'advance_offset_cents',"		\
    " c.advance_offset_cents, 'payable_cents', c.payable_cents,"	\
    " 'capped_by', c.capped_by, 'detail', c.detail,"			\
    " 'items', (SELECT coalesce(json_agg(json_build_object('talent_no',"\
    "  i.talent_no, 'name', i.talent_name, 'qualification',"		\
    "  i.qualification, 'month', to_char(i.month, 'YYYY-MM'),"		\
    "  'rate_cents', i.rate_cents, 'live', i.live)"			\
    "  ORDER BY i.talent_no, i.month), '[]') FROM claim_items i"	\
    "  WHERE i.claim_id = c.id),"					\
    " 'note', c.note, 'submitted_by', c.submitted_by, 'submitted_at', "\
    TS("c.submitted_at") ", 'reviewed_by', c.reviewed_by,"		\
    " 'reviewed_at', " TS("c.reviewed_at") ", 'review_note',"		\
    " c.review_note, 'payment', (SELECT json_build_object('id', x.id,"	\
    "  'status', x.status, 'amount_cents', x.amount_cents)"		\
    "  FROM payments x WHERE x.claim_id = c.id AND x.status <>"	\
    "  'cancelled'), 'paid_cents', (SELECT coalesce(sum("		\
    "  x.amount_cents), 0) FROM payments x WHERE x.claim_id = c.id"	\
    "  AND x.status = 'approved'))::text"

static const char SQL_GET[] =
    "SELECT " CLAIM_JSON ", p.org_id FROM claims c"
    " JOIN projects p ON p.id = c.project_id WHERE c.id = $1";

/* $1 applicant's organisation or NULL, $2 project, $3 status, $4 limit. */
static const char SQL_LIST[] =
    "SELECT " CLAIM_JSON " FROM claims c"
    " JOIN projects p ON p.id = c.project_id"
    " WHERE ($1::bigint IS NULL OR p.org_id = $1::bigint)"
    " AND ($2::bigint IS NULL OR c.project_id = $2::bigint)"
    " AND ($3::text IS NULL OR c.status = $3::text)"
    " ORDER BY c.id DESC LIMIT $4";

static const char SQL_REF[] =
    "SELECT id, project_id, status, payable_cents, submitted_by,"
    " coalesce(reviewed_by, 0), kind, period, version"
    " FROM claims WHERE id = $1";
static const char SQL_REF_LOCK[] =
    "SELECT id, project_id, status, payable_cents, submitted_by,"
    " coalesce(reviewed_by, 0), kind, period, version"
    " FROM claims WHERE id = $1 FOR UPDATE";

static const char SQL_AMOUNT[] =
    "SELECT amount_cents FROM claims WHERE id = $1";

static const char SQL_CORRECTION[] =
    "SELECT id FROM claims WHERE previous_id = $1";

static const char SQL_LIVE_COUNT[] =
    "SELECT count(*) FROM claims WHERE project_id = $1"
    " AND status <> 'returned'";

/*
 * What the project has paid or promised: $1 project, $2 a claim to leave
 * out (0 none).  Live tranche payments; payable of live claims; the
 * advance paid (approved payments of the initial tranche); the advance
 * already offset; whether a milestone or final tranche has a live payment.
 */
static const char SQL_FIGURES[] =
    "SELECT (SELECT coalesce(sum(x.amount_cents), 0) FROM payments x"
    "  WHERE x.project_id = $1 AND x.status <> 'cancelled'"
    "  AND x.tranche_id IS NOT NULL),"
    " (SELECT coalesce(sum(c.payable_cents), 0) FROM claims c"
    "  WHERE c.project_id = $1 AND c.status <> 'returned' AND c.id <> $2),"
    " (SELECT coalesce(sum(x.amount_cents), 0) FROM payments x"
    "  JOIN project_tranches t ON t.id = x.tranche_id"
    "  WHERE x.project_id = $1 AND x.status = 'approved'"
    "  AND t.kind = 'initial'),"
    " (SELECT coalesce(sum(c.advance_offset_cents), 0) FROM claims c"
    "  WHERE c.project_id = $1 AND c.status <> 'returned' AND c.id <> $2),"
    " EXISTS (SELECT 1 FROM payments x JOIN project_tranches t"
    "  ON t.id = x.tranche_id WHERE x.project_id = $1"
    "  AND x.status <> 'cancelled' AND t.kind <> 'initial')";

static const char SQL_APP_FIELDS[] =
    "SELECT fields::text FROM applications WHERE id = $1";

/*
 * $1 project, $2 talent, $3 and $4 the first and last month claimed: live
 * months claimed, and is one of these among them?
 */
static const char SQL_TALENT_TAKEN[] =
    "SELECT count(*), coalesce(bool_or(month BETWEEN $3::date AND"
    " $4::date), false), max(claim_id) FILTER (WHERE month BETWEEN"
    " $3::date AND $4::date)"
    " FROM claim_items WHERE project_id = $1 AND talent_no = $2 AND live";

/* $1 project, $2 financial year: this year claimed; years claimed. */
static const char SQL_YEAR_TAKEN[] =
    "SELECT max(id) FILTER (WHERE period = $2), count(DISTINCT period)"
    " FROM claims WHERE project_id = $1 AND kind = 'annual'"
    " AND status <> 'returned'";

/* $1 organisation, $2 scheme, $3 financial year. */
static const char SQL_INSTITUTION_YEAR[] =
    "SELECT coalesce(sum(c.amount_cents), 0) FROM claims c"
    " JOIN projects p ON p.id = c.project_id"
    " WHERE p.org_id = $1 AND p.scheme_code = $2 AND c.kind = 'annual'"
    " AND c.status <> 'returned' AND c.period = $3";

/*
 * Deals in one investee may come from several organisations' projects:
 * serialise them on the investee's name for the per-company cap.
 */
static const char SQL_LOCK_INVESTEE[] =
    "SELECT pg_advisory_xact_lock(hashtextextended('claims:' || $1 || ':'"
    " || $2, 0))";

/* $1 scheme, $2 investee (normalised): live deals in the same company. */
static const char SQL_COMPANY_DEALS[] =
    "SELECT coalesce(sum(c.amount_cents), 0) FROM claims c"
    " JOIN projects p ON p.id = c.project_id"
    " JOIN applications a ON a.id = p.id"
    " WHERE p.scheme_code = $1 AND c.kind = 'co_investment'"
    " AND c.status <> 'returned'"
    " AND lower(btrim(a.fields->>'investee_name')) = $2";

static const char SQL_INSERT[] =
    "INSERT INTO claims (project_id, kind, version, previous_id, period,"
    " period_start, period_end, rule_version, expenditure_cents,"
    " partner_investment_cents, amount_cents, advance_offset_cents,"
    " payable_cents, capped_by, detail, note, submitted_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " $15::jsonb, $16, $17) RETURNING id";

static const char SQL_INSERT_ITEMS[] =
    "INSERT INTO claim_items (claim_id, project_id, talent_no, talent_name,"
    " qualification, month, rate_cents)"
    " SELECT $1, $2, x.talent_no, x.name, x.qualification, m.month::date,"
    " x.rate_cents FROM jsonb_to_recordset($4::jsonb) AS x(talent_no"
    " integer, name text, qualification text, rate_cents bigint),"
    " generate_series($3::date, $5::date, interval '1 month') AS m(month)";

static const char SQL_ACCEPT[] =
    "UPDATE claims SET status = 'accepted', reviewed_by = $2,"
    " reviewed_at = now(), review_note = $3, advance_offset_cents = $4,"
    " payable_cents = amount_cents - $4::bigint"
    " WHERE id = $1 AND status = 'submitted'";
static const char SQL_RETURN[] =
    "UPDATE claims SET status = 'returned', reviewed_by = $2,"
    " reviewed_at = now(), review_note = $3"
    " WHERE id = $1 AND status = 'submitted'";
static const char SQL_ITEMS_DEAD[] =
    "UPDATE claim_items SET live = false WHERE claim_id = $1";

static const char *const status_names[CLAIM_NSTATUS] = {
	"submitted", "accepted", "returned"
};

/* What the project has paid or promised (SQL_FIGURES). */
struct claim_figures {
	cents_t	tranche_live;
	cents_t	claims_live;
	cents_t	advance_paid;
	cents_t	offset_used;
	int	tranche_mode;
};

/* A claim being computed from its request. */
struct claim_calc {
	const char	*kind;		/* monthly, annual, co_investment */
	char		 period[16];
	int		 start, end;
	int		 last;		/* monthly: the last month's 1st */
	cents_t		 expenditure;	/* -1 if none */
	cents_t		 partner;	/* -1 if none */
	cents_t		 amount;
	cents_t		 offset;
	cents_t		 payable;
	const char	*capped_by;
	const char	*note;
	json_t		*detail;	/* owned */
	json_t		*items;		/* owned; monthly only */
};

struct claim_tx {
	const struct scheme_set	*schemes;
	const struct actor	*actor;
	int64_t			 project_id;
	int64_t			 claim_id;	/* resubmit, review */
	const json_t		*body;
	int			 accept;
	int64_t			 result_id;
};

static int	load_figures(struct db *, int64_t, int64_t,
		    struct claim_figures *, struct app_err *);
static int	fit(const struct project *, const struct claim_figures *,
		    struct claim_calc *, struct app_err *);
static int	month_parse(const char *, int *, int *);
static int	calc_monthly(struct db *, const struct scheme *,
		    const struct scheme_rules *, const struct project *,
		    const json_t *, struct claim_calc *, struct app_err *);
static int	calc_annual(struct db *, const struct scheme_rules *,
		    const struct project *, const json_t *, struct claim_calc *,
		    struct app_err *);
static int	calc_deal(struct db *, const struct scheme_rules *,
		    const struct project *, const json_t *, struct claim_calc *,
		    struct app_err *);
static int	app_fields(struct db *, int64_t, json_t **, struct app_err *);
static const char *people_field(const struct scheme *);
static int	submit_tx(struct db *, void *, struct app_err *);
static int	review_tx(struct db *, void *, struct app_err *);
static int	insert_claim(struct db *, const struct actor *,
		    const struct project *, const struct claim_calc *, int,
		    int64_t, int64_t *, struct app_err *);
static int	claim_date(const json_t *, const char *, int *,
		    struct app_err *);
static void	calc_free(struct claim_calc *);
static int	corrected_by(struct db *, int64_t, int64_t *,
		    struct app_err *);
static const char *kind_of(enum scheme_payment_pattern);

const char *
claim_status_name(enum claim_status st)
{
	if ((int)st < 0 || st >= CLAIM_NSTATUS)
		return ("unknown");
	return (status_names[st]);
}

int
claim_status_parse(const char *s, enum claim_status *out)
{
	int	i;

	for (i = 0; s != NULL && i < CLAIM_NSTATUS; i++) {
		if (strcmp(status_names[i], s) == 0) {
			*out = (enum claim_status)i;
			return (1);
		}
	}
	return (0);
}

int
claims_pattern(enum scheme_payment_pattern p)
{
	return (p == SCHEME_PAY_MONTHLY_CLAIMS ||
	    p == SCHEME_PAY_ANNUAL_REIMBURSEMENT ||
	    p == SCHEME_PAY_CO_INVESTMENT);
}

static const char *
kind_of(enum scheme_payment_pattern p)
{
	switch (p) {
	case SCHEME_PAY_MONTHLY_CLAIMS:
		return ("monthly");
	case SCHEME_PAY_ANNUAL_REIMBURSEMENT:
		return ("annual");
	case SCHEME_PAY_CO_INVESTMENT:
		return ("co_investment");
	default:
		return (NULL);
	}
}

static void
calc_free(struct claim_calc *c)
{
	json_decref(c->detail);
	json_decref(c->items);
	c->detail = c->items = NULL;
}

/*
 * Reading claims.
 */

int
claims_ref_tx(struct db *db, int64_t claim_id, int lock,
    struct claim_ref *c, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	memset(c, 0, sizeof(*c));
	db_params_init(&p);
	dbp_i64(&p, claim_id);
	if ((res = db_query(db, lock ? SQL_REF_LOCK : SQL_REF, &p, err)) ==
	    NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EINVAL, "claim_id",
		    "claim_id: no such claim"));
	}
	c->id = db_i64(res, 0, 0);
	c->project_id = db_i64(res, 0, 1);
	if (!claim_status_parse(db_str(res, 0, 2), &c->status))
		c->status = CLAIM_NSTATUS;
	c->payable_cents = db_i64(res, 0, 3);
	c->submitted_by = db_i64(res, 0, 4);
	c->reviewed_by = db_i64(res, 0, 5);
	snprintf(c->kind, sizeof(c->kind), "%s", db_str(res, 0, 6));
	snprintf(c->period, sizeof(c->period), "%s", db_str(res, 0, 7));
	c->version = db_int(res, 0, 8);
	PQclear(res);
	return (1);
}

int
claims_live_count_tx(struct db *db, int64_t project_id, int64_t *n,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	db_params_init(&p);
	dbp_i64(&p, project_id);
	if ((res = db_query(db, SQL_LIVE_COUNT, &p, err)) == NULL)
		return (0);
	*n = db_i64(res, 0, 0);
	PQclear(res);
	return (1);
}

int
claims_used_tx(struct db *db, int64_t project_id, cents_t *used,
    struct app_err *err)
{
	struct claim_figures	f;

	if (!load_figures(db, project_id, 0, &f, err))
		return (0);
	if (!money_add(f.tranche_live, f.claims_live, used))
		return (app_err_set(err, APP_EINTERNAL, NULL, "overflow"));
	return (1);
}

int
claims_get_json(struct db *db, const struct actor *actor, int64_t claim_id,
    json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;

	*out = NULL;
	if (!projects_may_list(actor, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, claim_id);
	if ((res = db_query(db, SQL_GET, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such claim"));
	}
	if (!projects_may_read(actor, db_i64(res, 0, 1), err)) {
		PQclear(res);
		if (err->code == APP_ENOTFOUND)
			snprintf(err->msg, sizeof(err->msg), "no such claim");
		return (0);
	}
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "bad claim JSON"));
	if (!projects_is_staff(actor)) {
		json_object_del(*out, "submitted_by");
		json_object_del(*out, "reviewed_by");
	}
	return (1);
}

int
claims_list_json(struct db *db, const struct actor *actor, int64_t project_id,
    int status, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	struct project		 pr;
	PGresult		*res;
	json_t			*list, *item;
	json_error_t		 jerr;
	int			 i, staff;

	*out = NULL;
	if (!projects_may_list(actor, err))
		return (0);
	if (project_id > 0 && !projects_load(db, actor, project_id, 0, &pr,
	    err))
		return (0);
	staff = projects_is_staff(actor);
	db_params_init(&p);
	if (staff)
		dbp_null(&p);
	else
		dbp_i64(&p, actor->org_id > 0 ? actor->org_id : -1);
	if (project_id > 0)
		dbp_i64(&p, project_id);
	else
		dbp_null(&p);
	dbp_str(&p, status >= 0 ? claim_status_name((enum claim_status)status) :
	    NULL);
	dbp_int(&p, CLAIM_LIST_MAX);
	if ((res = db_query(db, SQL_LIST, &p, err)) == NULL)
		return (0);
	list = json_array();
	for (i = 0; list != NULL && i < PQntuples(res); i++) {
		if ((item = json_loads(db_str(res, i, 0), 0, &jerr)) == NULL)
			continue;
		if (!staff) {
			json_object_del(item, "submitted_by");
			json_object_del(item, "reviewed_by");
		}
		json_array_append_new(list, item);
	}
	PQclear(res);
	if (list == NULL || (*out = json_pack("{s:o}", "claims", list)) ==
	    NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/*
 * The money: what remains, and the advance recovered.
 */

static int
load_figures(struct db *db, int64_t project_id, int64_t exclude,
    struct claim_figures *f, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	db_params_init(&p);
	dbp_i64(&p, project_id);
	dbp_i64(&p, exclude);
	if ((res = db_query(db, SQL_FIGURES, &p, err)) == NULL)
		return (0);
	f->tranche_live = db_i64(res, 0, 0);
	f->claims_live = db_i64(res, 0, 1);
	f->advance_paid = db_i64(res, 0, 2);
	f->offset_used = db_i64(res, 0, 3);
	f->tranche_mode = db_bool(res, 0, 4);
	PQclear(res);
	return (1);
}

/*
 * The advance still to recover is offset first; what is left (payable)
 * must fit in what remains of the government contribution after the live
 * tranche payments and the live claims (TSSSU: "up to 50% may be
 * advanced", recovered from the reimbursements; schemes/tsssu.json).
 */
static int
fit(const struct project *pr, const struct claim_figures *f,
    struct claim_calc *c, struct app_err *err)
{
	char	a[MONEY_FMT_MAX], b[MONEY_FMT_MAX], g[MONEY_FMT_MAX];
	char	s[MONEY_FMT_MAX];
	cents_t	left, remaining, used, shortfall;

	left = f->advance_paid > f->offset_used ? f->advance_paid -
	    f->offset_used : 0;
	c->offset = money_min(c->amount, left);
	c->payable = c->amount - c->offset;
	if (!money_add(f->tranche_live, f->claims_live, &used))
		return (app_err_set(err, APP_EINTERNAL, NULL, "overflow"));
	remaining = pr->government_cents > used ? pr->government_cents - used :
	    0;
	if (c->payable <= remaining)
		return (1);
	shortfall = c->payable - remaining;
	return (app_err_set(err, APP_ECONFLICT, "amount_cents", "this claim "
	    "of %s exceeds what remains of project %s's government "
	    "contribution of %s (%s) by %s", money_format(c->payable, a,
	    sizeof(a)), pr->reference, money_format(pr->government_cents, g,
	    sizeof(g)), money_format(remaining, b, sizeof(b)),
	    money_format(shortfall, s, sizeof(s))));
}

/*
 * Computing a claim from its request.
 */

/* "YYYY-MM": the first and last day of the month. */
static int
month_parse(const char *s, int *first, int *last)
{
	int	y, m, next, i;

	if (s == NULL || strlen(s) != 7 || s[4] != '-')
		return (0);
	for (i = 0; i < 7; i++) {
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return (0);
	}
	y = atoi(s);
	m = atoi(s + 5);
	if (!date_from_ymd(y, m, 1, first))
		return (0);
	if (!date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, &next))
		return (0);
	*last = next - 1;
	return (1);
}

/* A required YYYY-MM-DD member. */
static int
claim_date(const json_t *body, const char *key, int *out,
    struct app_err *err)
{
	const json_t	*v;

	v = json_object_get(body, key);
	if (v == NULL || json_is_null(v))
		return (app_err_set(err, APP_EINVAL, key, "%s: is required",
		    key));
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, key, "%s: must be a "
		    "string", key));
	if (!date_parse(json_string_value(v), out))
		return (app_err_set(err, APP_EINVAL, key, "%s: must be a real "
		    "date, YYYY-MM-DD", key));
	return (1);
}

static int
app_fields(struct db *db, int64_t app_id, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;

	*out = NULL;
	db_params_init(&p);
	dbp_i64(&p, app_id);
	if ((res = db_query(db, SQL_APP_FIELDS, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) == 1)
		*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the project's application has no fields"));
	return (1);
}

/* The scheme's list of people: the list field whose items have months. */
static const char *
people_field(const struct scheme *s)
{
	json_t		*f, *item;
	size_t		 i, j;

	json_array_foreach(s->application_fields, i, f) {
		if (!json_is_string(json_object_get(f, "type")) ||
		    strcmp(json_string_value(json_object_get(f, "type")),
		    "list") != 0)
			continue;
		json_array_foreach(json_object_get(f, "item_fields"), j, item) {
			if (json_is_string(json_object_get(item, "name")) &&
			    strcmp(json_string_value(json_object_get(item,
			    "name")), "months") == 0)
				return (json_string_value(json_object_get(f,
				    "name")));
		}
	}
	return (NULL);
}

/*
 * RTH, STEM (FCR(2021-22)22 para 6(k), para 26): a month's allowance for
 * the talents named, each at the rule version's monthly rate for their
 * qualification, for a month inside the project period that has begun; at
 * most min(the talent's months, max_months) months each; a talent-month
 * once.  "months" (default 1, at most CLAIM_MONTHS_MAX) claims that many
 * consecutive months from "month" at once, each of them begun and inside
 * the period: one item per talent and month.
 */
static int
calc_monthly(struct db *db, const struct scheme *s,
    const struct scheme_rules *r, const struct project *pr,
    const json_t *body, struct claim_calc *c, struct app_err *err)
{
	static const char *const keys[] = { "month", "months", "talents",
		"note", NULL };
	struct db_params	 p;
	PGresult		*res;
	const json_t		*v, *t;
	const char		*list, *qual, *name;
	json_t			*fields, *people, *person, *line;
	enum scheme_qualification q;
	char			 field[32], first[DATE_ISO_LEN];
	char			 lastm[DATE_ISO_LEN], to[8], span[32];
	cents_t			 rate, line_amount;
	int64_t			 no, months, limit, taken, other, nmonths;
	int			 k, y, m, d, first_end;
	size_t			 i, j, n;
	int			 dup, ok;

	if (!projects_json_only(body, keys, "", err) ||
	    !projects_json_text(body, "note", 0, PROJECT_TEXT_MAX, 1, &c->note,
	    err))
		return (0);
	v = json_object_get(body, "month");
	if (v == NULL || json_is_null(v))
		return (app_err_set(err, APP_EINVAL, "month", "month: is "
		    "required (YYYY-MM)"));
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, "month", "month: must be "
		    "a string"));
	if (!month_parse(json_string_value(v), &c->start, &c->end))
		return (app_err_set(err, APP_EINVAL, "month", "month: must be "
		    "a month, YYYY-MM"));
	snprintf(c->period, sizeof(c->period), "%s", json_string_value(v));
	nmonths = 1;
	v = json_object_get(body, "months");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v))
			return (app_err_set(err, APP_EBADREQ, "months",
			    "months: must be a whole number"));
		nmonths = json_integer_value(v);
		if (nmonths < 1 || nmonths > CLAIM_MONTHS_MAX)
			return (app_err_set(err, APP_EINVAL, "months",
			    "months: a claim covers 1 to %d months",
			    CLAIM_MONTHS_MAX));
	}
	c->last = c->start;
	first_end = c->end;
	for (k = 1; k < nmonths; k++) {
		c->last = c->end + 1;
		date_to_ymd(c->last, &y, &m, &d);
		snprintf(to, sizeof(to), "%04d-%02d", y, m);
		if (!month_parse(to, &c->last, &c->end))
			return (app_err_set(err, APP_EINVAL, "months",
			    "months: beyond the calendar"));
	}
	date_to_ymd(c->last, &y, &m, &d);
	snprintf(to, sizeof(to), "%04d-%02d", y, m);
	if (c->start > pr->end_date || first_end < pr->start_date)
		return (app_err_set(err, APP_EINVAL, "month", "month: %s is "
		    "outside the project period", c->period));
	if (c->last > pr->end_date)
		return (app_err_set(err, APP_EINVAL, "months", "months: %s is "
		    "outside the project period", to));
	if (c->start > projects_today())
		return (app_err_set(err, APP_EINVAL, "month", "month: %s has "
		    "not begun; a month is claimed once it has", c->period));
	if (c->last > projects_today())
		return (app_err_set(err, APP_EINVAL, "months", "months: %s has "
		    "not begun; a month is claimed once it has", to));
	t = json_object_get(body, "talents");
	if (t == NULL || json_is_null(t))
		return (app_err_set(err, APP_EINVAL, "talents", "talents: is "
		    "required: the numbers (1, 2, ...) of the people claimed "
		    "for in the application's list"));
	if (!json_is_array(t))
		return (app_err_set(err, APP_EBADREQ, "talents", "talents: "
		    "must be an array of numbers"));
	n = json_array_size(t);
	if (n == 0 || n > CLAIM_TALENTS_MAX)
		return (app_err_set(err, APP_EINVAL, "talents", "talents: "
		    "name 1 to %d people", CLAIM_TALENTS_MAX));
	if ((list = people_field(s)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "scheme %s has "
		    "no list of people", s->code));
	if (!app_fields(db, pr->id, &fields, err))
		return (0);
	people = json_object_get(fields, list);
	c->items = json_array();
	c->amount = 0;
	ok = 1;
	date_format(c->start, first, sizeof(first));
	date_format(c->last, lastm, sizeof(lastm));
	if (nmonths > 1)
		snprintf(span, sizeof(span), "%s to %s", c->period, to);
	else
		snprintf(span, sizeof(span), "%s", c->period);
	for (i = 0; ok && i < n; i++) {
		snprintf(field, sizeof(field), "talents[%zu]", i);
		v = json_array_get(t, i);
		if (!json_is_integer(v)) {
			ok = app_err_set(err, APP_EBADREQ, field, "%s: must be "
			    "a whole number", field);
			break;
		}
		no = json_integer_value(v);
		if (no < 1 || (size_t)no > json_array_size(people)) {
			ok = app_err_set(err, APP_EINVAL, field, "%s: the "
			    "application lists %zu %s; there is no number %lld",
			    field, json_array_size(people), list,
			    (long long)no);
			break;
		}
		dup = 0;
		for (j = 0; j < i; j++) {
			if (json_integer_value(json_array_get(t, j)) == no)
				dup = 1;
		}
		if (dup) {
			ok = app_err_set(err, APP_EINVAL, field, "%s: %lld is "
			    "named twice", field, (long long)no);
			break;
		}
		person = json_array_get(people, (size_t)no - 1);
		name = json_string_value(json_object_get(person, "name"));
		qual = json_string_value(json_object_get(person,
		    "qualification"));
		months = json_integer_value(json_object_get(person, "months"));
		if (r->monthly_flat)
			q = SCHEME_QUAL_BACHELOR;
		else if (qual == NULL ||
		    !scheme_qualification_parse(qual, &q)) {
			ok = app_err_set(err, APP_EINVAL, field, "%s: no "
			    "qualification to set the rate by", field);
			break;
		}
		if (!r->monthly_cents[q].present) {
			ok = app_err_set(err, APP_EINVAL, field, "%s: %s has "
			    "no monthly rate for %s", field, r->id,
			    qual != NULL ? qual : "this person");
			break;
		}
		rate = r->monthly_cents[q].value;
		limit = months > 0 ? months : INT64_MAX;
		if (r->max_months.present && r->max_months.value < limit)
			limit = r->max_months.value;
		db_params_init(&p);
		dbp_i64(&p, pr->id);
		dbp_i64(&p, no);
		dbp_str(&p, first);
		dbp_str(&p, lastm);
		if ((res = db_query(db, SQL_TALENT_TAKEN, &p, err)) == NULL) {
			ok = 0;
			break;
		}
		taken = db_i64(res, 0, 0);
		dup = db_bool(res, 0, 1);
		other = db_isnull(res, 0, 2) ? 0 : db_i64(res, 0, 2);
		PQclear(res);
		if (dup) {
			ok = app_err_set(err, APP_ECONFLICT, field, "%s: %s is "
			    "already claimed for %s (claim %lld); a month is "
			    "claimed once", field, name != NULL ? name : "this "
			    "person", span, (long long)other);
			break;
		}
		if (taken >= limit || nmonths > limit - taken) {
			ok = app_err_set(err, APP_ECONFLICT, "max_months",
			    "max_months: %s has %lld month(s) claimed; %lld "
			    "more pass the most allowed (%lld; %s)",
			    name != NULL ? name : "this person",
			    (long long)taken, (long long)nmonths,
			    (long long)limit, r->id);
			break;
		}
		if (!money_mul(rate, nmonths, &line_amount) ||
		    !money_add(c->amount, line_amount, &c->amount)) {
			ok = app_err_set(err, APP_EINVAL, "talents",
			    "overflow");
			break;
		}
		line = json_pack("{s:I,s:s,s:s?,s:I}", "talent_no",
		    (json_int_t)no, "name", name != NULL ? name : "",
		    "qualification", r->monthly_flat ? NULL : qual,
		    "rate_cents", (json_int_t)rate);
		if (line == NULL || json_array_append_new(c->items, line) != 0)
			ok = app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory");
	}
	json_decref(fields);
	if (!ok)
		return (0);
	c->detail = json_pack("{s:s,s:s,s:s,s:I,s:O}", "month", c->period,
	    "to", to, "list", list, "months", (json_int_t)nmonths, "talents",
	    c->items);
	if (c->detail == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/*
 * TSSSU (schemes/tsssu.json, payment: "reimbursed to the university after
 * each government financial year closes"): the year's actual expenditure,
 * at most the per-start-up annual cap; the organisation's claims of the
 * year at most the per-institution annual cap; at most max_years years.
 */
static int
calc_annual(struct db *db, const struct scheme_rules *r,
    const struct project *pr, const json_t *body, struct claim_calc *c,
    struct app_err *err)
{
	static const char *const keys[] = { "fy", "expenditure_cents", "note",
		NULL };
	struct db_params	 p;
	PGresult		*res;
	const json_t		*v;
	char			 a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
	cents_t			 prior, room;
	int64_t			 taken, years;
	int			 y;

	if (!projects_json_only(body, keys, "", err) ||
	    !projects_json_text(body, "note", 0, PROJECT_TEXT_MAX, 1, &c->note,
	    err))
		return (0);
	v = json_object_get(body, "fy");
	if (v == NULL || json_is_null(v))
		return (app_err_set(err, APP_EINVAL, "fy", "fy: is required "
		    "(a financial year, e.g. 2021-22)"));
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, "fy", "fy: must be a "
		    "string"));
	if (!fy_parse(json_string_value(v), &y) || y < 1999 || y > 2100)
		return (app_err_set(err, APP_EINVAL, "fy", "fy: must be a "
		    "financial year such as 2021-22"));
	fy_bounds(y, &c->start, &c->end);
	fy_label(y, c->period, sizeof(c->period));
	if (c->start > pr->end_date || c->end < pr->start_date)
		return (app_err_set(err, APP_EINVAL, "fy", "fy: %s is outside "
		    "the project period", c->period));
	if (c->end >= projects_today())
		return (app_err_set(err, APP_EINVAL, "fy", "fy: %s has not "
		    "closed; TSSSU reimburses a year after it ends on 31 "
		    "March", c->period));
	if (!projects_json_cents(body, "expenditure_cents", 1, &c->expenditure,
	    NULL, err))
		return (0);
	if (c->expenditure <= 0)
		return (app_err_set(err, APP_EINVAL, "expenditure_cents",
		    "expenditure_cents: must be more than 0"));
	c->amount = c->expenditure;
	if (r->per_startup_annual_cap_cents.present &&
	    c->amount > r->per_startup_annual_cap_cents.value) {
		c->amount = r->per_startup_annual_cap_cents.value;
		c->capped_by = "per_startup_annual_cap_cents";
	}
	db_params_init(&p);
	dbp_i64(&p, pr->id);
	dbp_str(&p, c->period);
	if ((res = db_query(db, SQL_YEAR_TAKEN, &p, err)) == NULL)
		return (0);
	taken = db_isnull(res, 0, 0) ? 0 : db_i64(res, 0, 0);
	years = db_i64(res, 0, 1);
	PQclear(res);
	if (taken != 0)
		return (app_err_set(err, APP_ECONFLICT, "fy", "fy: %s is "
		    "already claimed (claim %lld); a year is claimed once",
		    c->period, (long long)taken));
	if (r->max_years.present && years >= r->max_years.value)
		return (app_err_set(err, APP_ECONFLICT, "max_years",
		    "max_years: %lld year(s) are claimed, the most %s allows "
		    "a start-up", (long long)years, r->id));
	if (r->per_institution_annual_cap_cents.present) {
		db_params_init(&p);
		dbp_i64(&p, pr->org_id);
		dbp_str(&p, pr->scheme);
		dbp_str(&p, c->period);
		if ((res = db_query(db, SQL_INSTITUTION_YEAR, &p, err)) == NULL)
			return (0);
		prior = db_i64(res, 0, 0);
		PQclear(res);
		room = r->per_institution_annual_cap_cents.value > prior ?
		    r->per_institution_annual_cap_cents.value - prior : 0;
		if (room == 0)
			return (app_err_set(err, APP_ECONFLICT,
			    "per_institution_annual_cap_cents",
			    "per_institution_annual_cap_cents: the "
			    "organisation's claims for %s already reach %s, "
			    "the cap of %s (%s)", c->period, money_format(prior,
			    a, sizeof(a)), money_format(
			    r->per_institution_annual_cap_cents.value, b,
			    sizeof(b)), r->id));
		if (c->amount > room) {
			c->amount = room;
			c->capped_by = "per_institution_annual_cap_cents";
		}
	}
	c->detail = json_pack("{s:s,s:I}", "fy", c->period,
	    "expenditure_cents", (json_int_t)c->expenditure);
	if (c->detail == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/*
 * ITVF (FCR(2021-22)22 para 6(o); schemes/itvf.json): the government
 * invests gov_share_num / gov_share_den of the partner's investment in the
 * round, at most per_deal_cap_cents, and over every live deal in the same
 * investee at most per_company_cap_cents.
 */
static int
calc_deal(struct db *db, const struct scheme_rules *r,
    const struct project *pr, const json_t *body, struct claim_calc *c,
    struct app_err *err)
{
	static const char *const keys[] = { "investment_date",
		"partner_investment_cents", "round", "note", NULL };
	struct db_params	 p;
	PGresult		*res;
	json_t			*fields;
	const char		*round, *investee;
	char			 norm[256], a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
	cents_t			 prior, room;
	size_t			 i, k;
	int			 ok;

	if (!projects_json_only(body, keys, "", err) ||
	    !projects_json_text(body, "note", 0, PROJECT_TEXT_MAX, 1, &c->note,
	    err) ||
	    !projects_json_text(body, "round", 0, 200, 0, &round, err) ||
	    !claim_date(body, "investment_date", &c->start, err))
		return (0);
	c->end = c->start;
	date_format(c->start, c->period, sizeof(c->period));
	if (c->start < pr->start_date || c->start > pr->end_date)
		return (app_err_set(err, APP_EINVAL, "investment_date",
		    "investment_date: %s is outside the project period",
		    c->period));
	if (c->start > projects_today())
		return (app_err_set(err, APP_EINVAL, "investment_date",
		    "investment_date: %s is in the future", c->period));
	if (!projects_json_cents(body, "partner_investment_cents", 1,
	    &c->partner, NULL, err))
		return (0);
	if (c->partner <= 0)
		return (app_err_set(err, APP_EINVAL, "partner_investment_cents",
		    "partner_investment_cents: must be more than 0"));
	if (!r->gov_share_num.present || !r->gov_share_den.present ||
	    r->gov_share_den.value <= 0)
		return (app_err_set(err, APP_EINTERNAL, NULL, "%s has no "
		    "government share", r->id));
	if (!money_ratio(c->partner, r->gov_share_num.value,
	    r->gov_share_den.value, &c->amount))
		return (app_err_set(err, APP_EINVAL, "partner_investment_cents",
		    "partner_investment_cents: too large"));
	if (r->per_deal_cap_cents.present &&
	    c->amount > r->per_deal_cap_cents.value) {
		c->amount = r->per_deal_cap_cents.value;
		c->capped_by = "per_deal_cap_cents";
	}
	if (!app_fields(db, pr->id, &fields, err))
		return (0);
	investee = json_string_value(json_object_get(fields, "investee_name"));
	for (i = k = 0; investee != NULL && investee[i] != '\0' &&
	    k + 1 < sizeof(norm); i++) {
		if (k == 0 && investee[i] == ' ')
			continue;
		norm[k++] = investee[i] >= 'A' && investee[i] <= 'Z' ?
		    investee[i] - 'A' + 'a' : investee[i];
	}
	while (k > 0 && norm[k - 1] == ' ')
		k--;
	norm[k] = '\0';
	ok = 1;
	if (r->per_company_cap_cents.present && k > 0) {
		db_params_init(&p);
		dbp_str(&p, pr->scheme);
		dbp_str(&p, norm);
		if (!db_exec(db, SQL_LOCK_INVESTEE, &p, err) ||
		    (res = db_query(db, SQL_COMPANY_DEALS, &p, err)) == NULL)
			ok = 0;
		else {
			prior = db_i64(res, 0, 0);
			PQclear(res);
			room = r->per_company_cap_cents.value > prior ?
			    r->per_company_cap_cents.value - prior : 0;
			if (room == 0)
				ok = app_err_set(err, APP_ECONFLICT,
				    "per_company_cap_cents",
				    "per_company_cap_cents: the deals in %s "
				    "already reach %s, the cap of %s (%s)",
				    investee, money_format(prior, a, sizeof(a)),
				    money_format(r->per_company_cap_cents.value,
				    b, sizeof(b)), r->id);
			else if (c->amount > room) {
				c->amount = room;
				c->capped_by = "per_company_cap_cents";
			}
		}
	}
	if (ok && c->amount <= 0)
		ok = app_err_set(err, APP_EINVAL, "partner_investment_cents",
		    "partner_investment_cents: the government's share of it "
		    "rounds to nothing");
	if (ok) {
		c->detail = json_pack("{s:s?,s:s?,s:I,s:I}", "investee",
		    investee, "round", round, "gov_share_num",
		    (json_int_t)r->gov_share_num.value, "gov_share_den",
		    (json_int_t)r->gov_share_den.value);
		if (c->detail == NULL)
			ok = app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory");
	}
	json_decref(fields);
	return (ok);
}

/*
 * Submission and correction.
 */

/* The claim correcting claim id, or 0. */
static int
corrected_by(struct db *db, int64_t id, int64_t *by, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, SQL_CORRECTION, &p, err)) == NULL)
		return (0);
	*by = PQntuples(res) > 0 ? db_i64(res, 0, 0) : 0;
	PQclear(res);
	return (1);
}

static int
insert_claim(struct db *db, const struct actor *actor,
    const struct project *pr, const struct claim_calc *c, int version,
    int64_t previous, int64_t *id, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	char			*detail, *items;
	char			 s[DATE_ISO_LEN], e[DATE_ISO_LEN];
	int			 ok;

	if ((detail = json_dumps(c->detail, JSON_COMPACT)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	db_params_init(&p);
	dbp_i64(&p, pr->id);
	dbp_str(&p, c->kind);
	dbp_int(&p, version);
	if (previous > 0)
		dbp_i64(&p, previous);
	else
		dbp_null(&p);
	dbp_str(&p, c->period);
	dbp_str(&p, date_format(c->start, s, sizeof(s)));
	dbp_str(&p, date_format(c->end, e, sizeof(e)));
	dbp_str(&p, pr->rule_version);
	if (c->expenditure >= 0)
		dbp_i64(&p, c->expenditure);
	else
		dbp_null(&p);
	if (c->partner >= 0)
		dbp_i64(&p, c->partner);
	else
		dbp_null(&p);
	dbp_i64(&p, c->amount);
	dbp_i64(&p, c->offset);
	dbp_i64(&p, c->payable);
	dbp_str(&p, c->capped_by);
	dbp_str(&p, detail);
	dbp_str(&p, c->note);
	dbp_i64(&p, actor->user_id);
	res = db_query(db, SQL_INSERT, &p, err);
	free(detail);
	if (res == NULL)
		return (0);
	*id = db_i64(res, 0, 0);
	PQclear(res);
	if (c->items == NULL)
		return (1);
	if ((items = json_dumps(c->items, JSON_COMPACT)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	db_params_init(&p);
	dbp_i64(&p, *id);
	dbp_i64(&p, pr->id);
	dbp_str(&p, s);
	dbp_str(&p, items);
	dbp_str(&p, date_format(c->last, e, sizeof(e)));
	ok = db_exec(db, SQL_INSERT_ITEMS, &p, err);
	free(items);
	if (!ok && err->code == APP_ECONFLICT)
		return (app_err_set(err, APP_ECONFLICT, "talents", "a talent "
		    "is already claimed for %s; a month is claimed once",
		    c->period));
	return (ok);
}

static int
submit_tx(struct db *db, void *arg, struct app_err *err)
{
	struct claim_tx			*t = arg;
	const struct scheme		*s;
	const struct scheme_rules	*r;
	struct claim_ref		 old;
	struct claim_figures		 f;
	struct claim_calc		 c;
	struct project			 pr;
	json_t				*a;
	int64_t				 project_id, previous;
	int				 version, ok;

	t->result_id = 0;
	if (!actor_has(t->actor, ROLE_APPLICANT) || t->actor->user_id <= 0) {
		if (actor_has(t->actor, ROLE_AUDITOR | ROLE_ADMIN))
			return (app_err_set(err, APP_EFORBIDDEN, NULL,
			    "auditors and administrators only read claims"));
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "only the "
		    "organisation's applicant users submit claims"));
	}
	project_id = t->project_id;
	previous = 0;
	version = 1;
	memset(&old, 0, sizeof(old));
	if (t->claim_id > 0) {
		/* A correction: the returned claim, as the actor may see it. */
		if (!claims_ref_tx(db, t->claim_id, 0, &old, err)) {
			err->code = APP_ENOTFOUND;
			snprintf(err->field, sizeof(err->field), "id");
			snprintf(err->msg, sizeof(err->msg), "no such claim");
			return (0);
		}
		project_id = old.project_id;
	}
	/* The organisation (cumulative caps), then the project. */
	if (!projects_load(db, t->actor, project_id, 0, &pr, err)) {
		if (t->claim_id > 0 && err->code == APP_ENOTFOUND)
			snprintf(err->msg, sizeof(err->msg), "no such claim");
		return (0);
	}
	if (!applications_lock_org_tx(db, pr.org_id, NULL, err) ||
	    !projects_load(db, t->actor, project_id, 1, &pr, err))
		return (0);
	if (t->claim_id > 0) {
		if (!claims_ref_tx(db, t->claim_id, 1, &old, err))
			return (0);
		if (old.status != CLAIM_RETURNED)
			return (app_err_set(err, APP_ESTATE, "status", "claim "
			    "%lld is %s; only a returned claim is corrected",
			    (long long)old.id, claim_status_name(old.status)));
		if (!corrected_by(db, old.id, &previous, err))
			return (0);
		if (previous != 0)
			return (app_err_set(err, APP_ESTATE, "status", "claim "
			    "%lld is already corrected by claim %lld",
			    (long long)old.id, (long long)previous));
		previous = old.id;
	}
	if (!claims_pattern(pr.pattern))
		return (app_err_set(err, APP_ESTATE, "project_id", "project %s "
		    "is paid by milestone tranches (%s), not by claims",
		    pr.reference, scheme_payment_pattern_name(pr.pattern)));
	if (pr.status != PROJECT_ACTIVE)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; claims are made against an active project",
		    pr.reference, project_status_name(pr.status)));
	if ((s = schemes_find(t->schemes, pr.scheme)) == NULL ||
	    (r = scheme_rules_find(s, pr.rule_version)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "the rules %s of "
		    "scheme %s are not loaded", pr.rule_version, pr.scheme));
	if (!load_figures(db, pr.id, 0, &f, err))
		return (0);
	if (f.tranche_mode)
		return (app_err_set(err, APP_ESTATE, "project_id", "project %s "
		    "is already paid by milestone tranches; it takes no "
		    "claims (one way per project)", pr.reference));
	memset(&c, 0, sizeof(c));
	c.kind = kind_of(pr.pattern);
	c.expenditure = c.partner = -1;
	if (previous > 0 && strcmp(old.kind, c.kind) != 0)
		return (app_err_set(err, APP_EINTERNAL, NULL, "claim kind"));
	switch (pr.pattern) {
	case SCHEME_PAY_MONTHLY_CLAIMS:
		ok = calc_monthly(db, s, r, &pr, t->body, &c, err);
		break;
	case SCHEME_PAY_ANNUAL_REIMBURSEMENT:
		ok = calc_annual(db, r, &pr, t->body, &c, err);
		break;
	default:
		ok = calc_deal(db, r, &pr, t->body, &c, err);
		break;
	}
	if (previous > 0)
		version = old.version + 1;
	ok = ok && fit(&pr, &f, &c, err) && insert_claim(db, t->actor, &pr,
	    &c, version, previous, &t->result_id, err);
	if (ok) {
		a = json_pack("{s:I,s:I,s:s,s:s,s:i,s:I,s:I,s:I}", "id",
		    (json_int_t)t->result_id, "project_id", (json_int_t)pr.id,
		    "kind", c.kind, "period", c.period, "version", version,
		    "amount_cents", (json_int_t)c.amount,
		    "advance_offset_cents", (json_int_t)c.offset,
		    "payable_cents", (json_int_t)c.payable);
		if (previous > 0)
			json_object_set_new(a, "previous_id",
			    json_integer(previous));
		ok = audit_write_id(db, t->actor, previous > 0 ?
		    "claim.resubmit" : "claim.submit", "claim", t->result_id,
		    NULL, a, c.note, err);
		json_decref(a);
	}
	calc_free(&c);
	return (ok);
}

int
claims_submit(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t project_id, const json_t *body,
    json_t **out, struct app_err *err)
{
	struct claim_tx	t;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	t.schemes = schemes;
	t.actor = actor;
	t.project_id = project_id;
	t.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, submit_tx, &t, err))
		return (0);
	return (claims_get_json(db, actor, t.result_id, out, err));
}

int
claims_resubmit(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t claim_id, const json_t *body,
    json_t **out, struct app_err *err)
{
	struct claim_tx	t;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	t.schemes = schemes;
	t.actor = actor;
	t.claim_id = claim_id;
	t.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, submit_tx, &t, err)) {
		if (err->code == APP_ECONFLICT &&
		    strcmp(err->field, "claims_one_correction") == 0) {
			app_err_clear(err);
			return (app_err_set(err, APP_ESTATE, "status", "claim "
			    "%lld is already corrected", (long long)claim_id));
		}
		return (0);
	}
	return (claims_get_json(db, actor, t.result_id, out, err));
}

/*
 * Review.
 */

static int
review_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const note_keys[] = { "note", NULL };
	static const char *const reason_keys[] = { "reason", NULL };
	struct claim_tx		*t = arg;
	struct claim_ref	 c;
	struct claim_figures	 f;
	struct claim_calc	 calc;
	struct project		 pr;
	struct db_params	 p;
	PGresult		*res;
	json_t			*b, *a;
	const char		*text;
	char			 en[PROJECT_TEXT_MAX + 400];
	char			 zh[PROJECT_TEXT_MAX + 400];
	char			 amt[MONEY_FMT_MAX];
	cents_t			 amount;
	int			 ok;

	if (!actor_has(t->actor, ROLE_OFFICER)) {
		if (actor_has(t->actor, ROLE_AUDITOR | ROLE_ADMIN))
			return (app_err_set(err, APP_EFORBIDDEN, NULL,
			    "auditors and administrators only read claims"));
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "only officers "
		    "verify claims"));
	}
	if (!projects_json_only(t->body, t->accept ? note_keys : reason_keys,
	    "", err) ||
	    !projects_json_text(t->body, t->accept ? "note" : "reason",
	    t->accept ? 0 : 1, PROJECT_TEXT_MAX, 1, &text, err))
		return (0);
	if (!claims_ref_tx(db, t->claim_id, 0, &c, err)) {
		err->code = APP_ENOTFOUND;
		snprintf(err->field, sizeof(err->field), "id");
		snprintf(err->msg, sizeof(err->msg), "no such claim");
		return (0);
	}
	if (!projects_load(db, t->actor, c.project_id, 1, &pr, err) ||
	    !claims_ref_tx(db, t->claim_id, 1, &c, err))
		return (0);
	if (c.status != CLAIM_SUBMITTED)
		return (app_err_set(err, APP_ESTATE, "status", "claim %lld is "
		    "%s; only a submitted claim is verified", (long long)c.id,
		    claim_status_name(c.status)));
	if (t->actor->user_id <= 0 || c.submitted_by == t->actor->user_id)
		return (app_err_set(err, APP_EFORBIDDEN, "reviewed_by",
		    "whoever submitted a claim cannot verify it; another "
		    "officer must"));
	b = json_pack("{s:I,s:s}", "id", (json_int_t)c.id, "status",
	    "submitted");
	db_params_init(&p);
	dbp_i64(&p, c.id);
	dbp_i64(&p, t->actor->user_id);
	dbp_str(&p, text);
	if (t->accept) {
		if (pr.status != PROJECT_ACTIVE &&
		    pr.status != PROJECT_SUSPENDED) {
			json_decref(b);
			return (app_err_set(err, APP_ESTATE, "status", "project "
			    "%s is %s; its claims are no longer verified",
			    pr.reference, project_status_name(pr.status)));
		}
		/* The amount as submitted; offset and room as they are now. */
		db_params_init(&p);
		dbp_i64(&p, c.id);
		if ((res = db_query(db, SQL_AMOUNT, &p, err)) == NULL) {
			json_decref(b);
			return (0);
		}
		amount = db_i64(res, 0, 0);
		PQclear(res);
		memset(&calc, 0, sizeof(calc));
		calc.amount = amount;
		if (!load_figures(db, pr.id, c.id, &f, err) ||
		    !fit(&pr, &f, &calc, err)) {
			json_decref(b);
			return (0);
		}
		db_params_init(&p);
		dbp_i64(&p, c.id);
		dbp_i64(&p, t->actor->user_id);
		dbp_str(&p, text);
		dbp_i64(&p, calc.offset);
		ok = db_exec(db, SQL_ACCEPT, &p, err);
		a = json_pack("{s:I,s:s,s:I,s:I}", "id", (json_int_t)c.id,
		    "status", "accepted", "advance_offset_cents",
		    (json_int_t)calc.offset, "payable_cents",
		    (json_int_t)calc.payable);
		money_format(calc.payable, amt, sizeof(amt));
		snprintf(en, sizeof(en), "Claim %lld of project %s (%s) is "
		    "accepted; %s is payable.", (long long)c.id, pr.reference,
		    c.period, amt);
		snprintf(zh, sizeof(zh), "項目 %s 的申領 %lld（%s）已獲接納，"
		    "可發放 %s。", pr.reference, (long long)c.id, c.period, amt);
	} else {
		ok = db_exec(db, SQL_RETURN, &p, err);
		db_params_init(&p);
		dbp_i64(&p, c.id);
		ok = ok && db_exec(db, SQL_ITEMS_DEAD, &p, err);
		a = json_pack("{s:I,s:s}", "id", (json_int_t)c.id, "status",
		    "returned");
		snprintf(en, sizeof(en), "Claim %lld of project %s (%s) is "
		    "returned for correction. Reason: %s", (long long)c.id,
		    pr.reference, c.period, text);
		snprintf(zh, sizeof(zh), "項目 %s 的申領 %lld（%s）已退回修正。"
		    "原因：%s", pr.reference, (long long)c.id, c.period, text);
	}
	ok = ok && audit_write_id(db, t->actor, t->accept ? "claim.accept" :
	    "claim.return", "claim", c.id, b, a, text, err) &&
	    projects_notify(db, pr.org_id, t->accept ? "claim.accepted" :
	    "claim.returned", "claim", c.id, en, zh, err);
	json_decref(b);
	json_decref(a);
	return (ok);
}

int
claims_review(struct db *db, const struct actor *actor, int64_t claim_id,
    int accept, const json_t *body, json_t **out, struct app_err *err)
{
	struct claim_tx	t;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	t.actor = actor;
	t.claim_id = claim_id;
	t.accept = accept;
	t.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, review_tx, &t, err))
		return (0);
	return (claims_get_json(db, actor, claim_id, out, err));
}
