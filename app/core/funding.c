/*
 * funding.c: the funding models as pure functions over int64 cents, and
 * the strict parser of quote requests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "funding.h"

#define QUOTE_FIELD_LEN	64

static int	check_nonneg(int64_t, const char *, struct app_err *);
static int	overflow(const char *, struct app_err *);
static int	cap_room(const struct scheme_value *, const char *, cents_t,
		    const char *, const char *, const char *,
		    const struct scheme_rules *, cents_t *, struct app_err *);
static void	apply_cap(cents_t, const char *, struct funding_result *);
static void	result_init(const struct scheme_rules *,
		    struct funding_result *);
static const char *talent_field(const struct funding_input *, size_t,
		    const char *, char *, size_t);
static int	quote_keys(const struct scheme *, json_t *, struct app_err *);
static int	quote_int(json_t *, const char *, const char *, int, int64_t,
		    int64_t *, struct app_err *);
static int	quote_qual(const struct scheme_rules *, json_t *, const char *,
		    const char *, enum scheme_qualification *,
		    struct app_err *);
static int	quote_talents(const struct scheme_rules *, json_t *,
		    struct funding_input *, struct funding_talent **,
		    struct app_err *);

void
funding_input_init(struct funding_input *in)
{
	memset(in, 0, sizeof(*in));
}

int
funding_compute(const struct scheme *s, const struct scheme_rules *r,
    const struct funding_input *in, struct funding_result *res,
    struct app_err *err)
{
	switch (s->funding_model) {
	case SCHEME_MODEL_GRANT:
		return (funding_grant(r, in, res, err));
	case SCHEME_MODEL_MATCHING:
		return (funding_matching(r, in, res, err));
	case SCHEME_MODEL_REBATE:
		return (funding_rebate(r, in, res, err));
	case SCHEME_MODEL_ALLOWANCE:
		return (funding_allowance(r, in, res, err));
	case SCHEME_MODEL_BLOCK_GRANT:
		return (funding_block_grant(r, in, res, err));
	case SCHEME_MODEL_CO_INVESTMENT:
		return (funding_co_investment(r, in, res, err));
	}
	return (app_err_set(err, APP_EINTERNAL, NULL,
	    "unknown funding model %d", (int)s->funding_model));
}

/* Grant up to a cap (ITSP, GSP, PSTS): min(cost x share, max_cents). */
int
funding_grant(const struct scheme_rules *r, const struct funding_input *in,
    struct funding_result *res, struct app_err *err)
{
	struct funding_result	out;
	cents_t			cost;

	cost = in->eligible_cost_cents;
	if (!check_nonneg(cost, "eligible_cost_cents", err))
		return (0);
	result_init(r, &out);
	if (!money_ratio(cost, r->cost_share_bp.value, 10000,
	    &out.government_cents))
		return (overflow("eligible_cost_cents", err));
	apply_cap(r->max_cents.value, "max_cents", &out);
	if (!money_sub(cost, out.government_cents, &out.applicant_cents))
		return (overflow("eligible_cost_cents", err));
	*res = out;
	return (1);
}

/*
 * Matching (ESS, TVP, RFS, RTTP): the government's share of eligible cost,
 * under a per-project cap and a per-applicant cumulative cap, with a limit
 * on the applicant's number of projects (TVP: 6 from 1 April 2020).
 */
int
funding_matching(const struct scheme_rules *r,
    const struct funding_input *in, struct funding_result *res,
    struct app_err *err)
{
	struct funding_result	out;
	cents_t			cost, room;

	cost = in->eligible_cost_cents;
	if (!check_nonneg(cost, "eligible_cost_cents", err) ||
	    !check_nonneg(in->prior_approved_cents, "prior_approved_cents",
	    err) ||
	    !check_nonneg(in->prior_projects, "prior_projects", err))
		return (0);
	if (r->max_projects.present &&
	    in->prior_projects >= r->max_projects.value)
		return (app_err_set(err, APP_EINVAL, "max_projects",
		    "max_projects: the applicant already has %lld project(s); "
		    "%s allows at most %lld", (long long)in->prior_projects,
		    r->id, (long long)r->max_projects.value));
	result_init(r, &out);
	if (!money_ratio(cost, r->gov_share_num.value, r->gov_share_den.value,
	    &out.government_cents))
		return (overflow("eligible_cost_cents", err));
	if (r->per_project_cap_cents.present)
		apply_cap(r->per_project_cap_cents.value,
		    "per_project_cap_cents", &out);
	if (r->per_applicant_cap_cents.present) {
		if (!cap_room(&r->per_applicant_cap_cents,
		    "per_applicant_cap_cents", in->prior_approved_cents,
		    "prior_approved_cents", "the applicant", "cap", r, &room,
		    err))
			return (0);
		apply_cap(room, "per_applicant_cap_cents", &out);
	}
	if (!money_sub(cost, out.government_cents, &out.applicant_cents))
		return (overflow("eligible_cost_cents", err));
	*res = out;
	return (1);
}

/* Rebate (CRS): a share of eligible R&D expenditure. */
int
funding_rebate(const struct scheme_rules *r, const struct funding_input *in,
    struct funding_result *res, struct app_err *err)
{
	struct funding_result	out;
	cents_t			cost;

	cost = in->eligible_cost_cents;
	if (!check_nonneg(cost, "eligible_cost_cents", err))
		return (0);
	result_init(r, &out);
	if (!money_ratio(cost, r->rate_bp.value, 10000,
	    &out.government_cents))
		return (overflow("eligible_cost_cents", err));
	if (!money_sub(cost, out.government_cents, &out.applicant_cents))
		return (overflow("eligible_cost_cents", err));
	*res = out;
	return (1);
}

/*
 * Allowance (RTH, STEM): a monthly rate by qualification for each talent,
 * for at most max_months, and, where the rules set max_heads, at most that
 * many talents per employer at any time (prior_heads being those it
 * already has).
 */
int
funding_allowance(const struct scheme_rules *r,
    const struct funding_input *in, struct funding_result *res,
    struct app_err *err)
{
	struct funding_result		 out;
	const struct funding_talent	*t;
	char				 f[QUOTE_FIELD_LEN];
	int64_t				 heads;
	cents_t				 one, total;
	size_t				 i;

	if (!check_nonneg(in->prior_heads, "prior_heads", err))
		return (0);
	if (in->ntalents == 0)
		return (app_err_set(err, APP_EINVAL, "talents",
		    "talents: at least one talent is needed"));
	heads = in->prior_heads;
	for (i = 0; i < in->ntalents; i++) {
		t = &in->talents[i];
		if (t->count < 1) {
			talent_field(in, i, "count", f, sizeof(f));
			return (app_err_set(err, APP_EINVAL, f,
			    "%s: must be at least 1", f));
		}
		if (t->months < 1) {
			talent_field(in, i, "months", f, sizeof(f));
			return (app_err_set(err, APP_EINVAL, f,
			    "%s: must be at least 1", f));
		}
		if ((int)t->qualification < 0 ||
		    t->qualification >= SCHEME_QUAL_COUNT) {
			talent_field(in, i, "qualification", f, sizeof(f));
			return (app_err_set(err, APP_EINVAL, f,
			    "%s: unknown qualification", f));
		}
		if (__builtin_add_overflow(heads, t->count, &heads))
			heads = INT64_MAX;
	}
	if (r->max_heads.present && heads > r->max_heads.value)
		return (app_err_set(err, APP_EINVAL, "max_heads",
		    "max_heads: %lld talent(s) with %lld already employed "
		    "would exceed the %lld %s allows", (long long)(heads -
		    in->prior_heads), (long long)in->prior_heads,
		    (long long)r->max_heads.value, r->id));

	result_init(r, &out);
	total = 0;
	for (i = 0; i < in->ntalents; i++) {
		t = &in->talents[i];
		if (t->months > r->max_months.value) {
			talent_field(in, i, "months", f, sizeof(f));
			return (app_err_set(err, APP_EINVAL, "max_months",
			    "max_months: %s is %lld months; %s allows at "
			    "most %lld", f, (long long)t->months, r->id,
			    (long long)r->max_months.value));
		}
		if (!r->monthly_cents[t->qualification].present) {
			talent_field(in, i, "qualification", f, sizeof(f));
			return (app_err_set(err, APP_EINVAL, f,
			    "%s: %s has no monthly rate for %s", f, r->id,
			    scheme_qualification_name(t->qualification)));
		}
		if (!money_mul(r->monthly_cents[t->qualification].value,
		    t->months, &one))
			return (overflow(talent_field(in, i, "months", f,
			    sizeof(f)), err));
		if (!money_mul(one, t->count, &one))
			return (overflow(talent_field(in, i, "count", f,
			    sizeof(f)), err));
		if (!money_add(total, one, &total))
			return (overflow(in->flat_talent ? "head_count" :
			    "talents", err));
	}
	out.government_cents = total;
	out.applicant_cents = 0;
	*res = out;
	return (1);
}

/*
 * Block grant (TSSSU): the request, within this financial year's room
 * under the per-start-up and per-institution annual caps, for at most
 * max_years years per start-up.
 */
int
funding_block_grant(const struct scheme_rules *r,
    const struct funding_input *in, struct funding_result *res,
    struct app_err *err)
{
	struct funding_result	out;
	cents_t			cost, sroom, iroom;

	cost = in->eligible_cost_cents;
	if (!check_nonneg(cost, "eligible_cost_cents", err) ||
	    !check_nonneg(in->startup_prior_cents, "startup_prior_cents",
	    err) ||
	    !check_nonneg(in->institution_prior_cents,
	    "institution_prior_cents", err) ||
	    !check_nonneg(in->prior_years, "prior_years", err))
		return (0);
	if (r->max_years.present && in->prior_years >= r->max_years.value)
		return (app_err_set(err, APP_EINVAL, "max_years",
		    "max_years: the start-up has already been funded for "
		    "%lld year(s); %s allows at most %lld",
		    (long long)in->prior_years, r->id,
		    (long long)r->max_years.value));
	if (!cap_room(&r->per_startup_annual_cap_cents,
	    "per_startup_annual_cap_cents", in->startup_prior_cents,
	    "startup_prior_cents", "the start-up", "annual cap", r, &sroom,
	    err) ||
	    !cap_room(&r->per_institution_annual_cap_cents,
	    "per_institution_annual_cap_cents", in->institution_prior_cents,
	    "institution_prior_cents", "the institution", "annual cap", r,
	    &iroom, err))
		return (0);
	result_init(r, &out);
	out.government_cents = cost;
	apply_cap(sroom, "per_startup_annual_cap_cents", &out);
	apply_cap(iroom, "per_institution_annual_cap_cents", &out);
	if (!money_sub(cost, out.government_cents, &out.applicant_cents))
		return (overflow("eligible_cost_cents", err));
	*res = out;
	return (1);
}

/*
 * Co-investment (ITVF): a share of the co-investment partner's investment,
 * under a per-deal cap and a per-company cumulative cap.
 */
int
funding_co_investment(const struct scheme_rules *r,
    const struct funding_input *in, struct funding_result *res,
    struct app_err *err)
{
	struct funding_result	out;
	cents_t			inv, room;

	inv = in->eligible_cost_cents;
	if (!check_nonneg(inv, "eligible_cost_cents", err) ||
	    !check_nonneg(in->prior_approved_cents, "prior_approved_cents",
	    err))
		return (0);
	result_init(r, &out);
	if (!money_ratio(inv, r->gov_share_num.value, r->gov_share_den.value,
	    &out.government_cents))
		return (overflow("eligible_cost_cents", err));
	if (r->per_deal_cap_cents.present)
		apply_cap(r->per_deal_cap_cents.value, "per_deal_cap_cents",
		    &out);
	if (r->per_company_cap_cents.present) {
		if (!cap_room(&r->per_company_cap_cents,
		    "per_company_cap_cents", in->prior_approved_cents,
		    "prior_approved_cents", "the company", "cap", r, &room,
		    err))
			return (0);
		apply_cap(room, "per_company_cap_cents", &out);
	}
	out.applicant_cents = inv;
	*res = out;
	return (1);
}

int
funding_quote_json(const struct scheme *s, const json_t *cin, json_t **out,
    struct app_err *err)
{
	struct funding_input	 in;
	struct funding_result	 res;
	struct funding_talent	*talents;
	const struct scheme_rules *r;
	json_t			*o;
	const char		*str;
	char			 d[DATE_ISO_LEN], d2[DATE_ISO_LEN];
	int			 day, ok;

	*out = NULL;
	/* jansson's getters take json_t *; nothing here modifies it. */
	o = (json_t *)cin;
	if (!json_is_object(o))
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "the quote request must be a JSON object"));
	if (!quote_keys(s, o, err))
		return (0);
	if (json_object_get(o, "submitted_on") == NULL)
		return (app_err_set(err, APP_EINVAL, "submitted_on",
		    "submitted_on: missing"));
	if (!json_is_string(json_object_get(o, "submitted_on")))
		return (app_err_set(err, APP_EBADREQ, "submitted_on",
		    "submitted_on: must be a string YYYY-MM-DD"));
	str = json_string_value(json_object_get(o, "submitted_on"));
	if (!date_parse(str, &day))
		return (app_err_set(err, APP_EINVAL, "submitted_on",
		    "submitted_on: must be a real date YYYY-MM-DD"));
	if ((r = scheme_rules_on(s, day)) == NULL) {
		if (s->closes_on != SCHEME_NO_DATE && day > s->closes_on)
			return (app_err_set(err, APP_EINVAL, "submitted_on",
			    "submitted_on: %s had no rules in force on %s "
			    "(closed to applications after %s)", s->code, str,
			    date_format(s->closes_on, d, sizeof(d))));
		return (app_err_set(err, APP_EINVAL, "submitted_on",
		    "submitted_on: %s had no rules in force on %s (its first "
		    "rules took effect on %s)", s->code, str,
		    date_format(s->rules[0].effective_from, d2, sizeof(d2))));
	}

	funding_input_init(&in);
	talents = NULL;
	ok = 0;
	switch (s->funding_model) {
	case SCHEME_MODEL_GRANT:
	case SCHEME_MODEL_REBATE:
		ok = quote_int(o, "eligible_cost_cents", NULL, 1, 0,
		    &in.eligible_cost_cents, err);
		break;
	case SCHEME_MODEL_MATCHING:
		ok = quote_int(o, "eligible_cost_cents", NULL, 1, 0,
		    &in.eligible_cost_cents, err) &&
		    quote_int(o, "prior_approved_cents", NULL, 0, 0,
		    &in.prior_approved_cents, err) &&
		    quote_int(o, "prior_projects", NULL, 0, 0,
		    &in.prior_projects, err);
		break;
	case SCHEME_MODEL_ALLOWANCE:
		ok = quote_talents(r, o, &in, &talents, err) &&
		    quote_int(o, "prior_heads", NULL, 0, 0, &in.prior_heads,
		    err);
		break;
	case SCHEME_MODEL_BLOCK_GRANT:
		ok = quote_int(o, "eligible_cost_cents", NULL, 1, 0,
		    &in.eligible_cost_cents, err) &&
		    quote_int(o, "institution_prior_cents", NULL, 0, 0,
		    &in.institution_prior_cents, err) &&
		    quote_int(o, "startup_prior_cents", NULL, 0, 0,
		    &in.startup_prior_cents, err);
		break;
	case SCHEME_MODEL_CO_INVESTMENT:
		ok = quote_int(o, "eligible_cost_cents", NULL, 1, 0,
		    &in.eligible_cost_cents, err) &&
		    quote_int(o, "prior_approved_cents", NULL, 0, 0,
		    &in.prior_approved_cents, err);
		break;
	}
	if (ok)
		ok = funding_compute(s, r, &in, &res, err);
	free(talents);
	if (!ok)
		return (0);

	*out = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s?}",
	    "scheme", s->code,
	    "funding_model", scheme_model_name(s->funding_model),
	    "submitted_on", date_format(day, d, sizeof(d)),
	    "rule_version", res.rule_version,
	    "government_cents", (json_int_t)res.government_cents,
	    "applicant_cents", (json_int_t)res.applicant_cents,
	    "capped_by", res.capped_by);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "out of memory"));
	return (1);
}

static int
check_nonneg(int64_t v, const char *field, struct app_err *err)
{
	if (v < 0)
		return (app_err_set(err, APP_EINVAL, field,
		    "%s: must not be negative", field));
	return (1);
}

static int
overflow(const char *field, struct app_err *err)
{
	return (app_err_set(err, APP_EINVAL, field,
	    "%s: amount out of range (overflow)", field));
}

/*
 * The room left under a cumulative cap: cap - prior, refused naming the
 * cap when nothing is left.
 */
static int
cap_room(const struct scheme_value *cap, const char *name, cents_t prior,
    const char *prior_name, const char *who, const char *what,
    const struct scheme_rules *r, cents_t *room, struct app_err *err)
{
	char	a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];

	if (!money_sub(cap->value, prior, room))
		return (overflow(prior_name, err));
	if (*room <= 0)
		return (app_err_set(err, APP_EINVAL, name,
		    "%s: %s has had %s approved, leaving nothing under the "
		    "%s %s of %s", name, who, money_format(prior, a,
		    sizeof(a)), r->id, what, money_format(cap->value, b,
		    sizeof(b))));
	return (1);
}

/* Lower the government contribution to cap if it reaches it. */
static void
apply_cap(cents_t cap, const char *name, struct funding_result *out)
{
	if (cap <= out->government_cents) {
		out->government_cents = cap;
		out->capped_by = name;
	}
}

static void
result_init(const struct scheme_rules *r, struct funding_result *out)
{
	memset(out, 0, sizeof(*out));
	out->rule_version = r->id;
}

/* The request field for talents[i].what, as the caller named it. */
static const char *
talent_field(const struct funding_input *in, size_t i, const char *what,
    char *buf, size_t len)
{
	if (in->flat_talent && i == 0)
		snprintf(buf, len, "%s", strcmp(what, "count") == 0 ?
		    "head_count" : what);
	else if (snprintf(buf, len, "talents[%zu].%s", i, what) >= (int)len)
		snprintf(buf, len, "talents");
	return (buf);
}

/* Refuse any input the scheme's model does not take. */
static int
quote_keys(const struct scheme *s, json_t *o, struct app_err *err)
{
	static const char *const grant[] = {
		"submitted_on", "eligible_cost_cents", NULL
	};
	static const char *const matching[] = {
		"submitted_on", "eligible_cost_cents", "prior_approved_cents",
		"prior_projects", NULL
	};
	static const char *const allowance[] = {
		"submitted_on", "qualification", "head_count", "months",
		"talents", "prior_heads", NULL
	};
	static const char *const block_grant[] = {
		"submitted_on", "eligible_cost_cents",
		"institution_prior_cents", "startup_prior_cents", NULL
	};
	static const char *const co_investment[] = {
		"submitted_on", "eligible_cost_cents", "prior_approved_cents",
		NULL
	};
	const char *const	*allowed;
	const char		*key;
	json_t			*v;
	size_t			 i;

	allowed = grant;
	switch (s->funding_model) {
	case SCHEME_MODEL_GRANT:
	case SCHEME_MODEL_REBATE:
		allowed = grant;
		break;
	case SCHEME_MODEL_MATCHING:
		allowed = matching;
		break;
	case SCHEME_MODEL_ALLOWANCE:
		allowed = allowance;
		break;
	case SCHEME_MODEL_BLOCK_GRANT:
		allowed = block_grant;
		break;
	case SCHEME_MODEL_CO_INVESTMENT:
		allowed = co_investment;
		break;
	}
	json_object_foreach(o, key, v) {
		for (i = 0; allowed[i] != NULL; i++) {
			if (strcmp(allowed[i], key) == 0)
				break;
		}
		if (allowed[i] == NULL)
			return (app_err_set(err, APP_EBADREQ, key,
			    "%s: unknown input for the %s model", key,
			    scheme_model_name(s->funding_model)));
	}
	return (1);
}

/*
 * An integer input key of o (field: the name to report, default key),
 * >= min.  Absent and not required leaves *out alone.
 */
static int
quote_int(json_t *o, const char *key, const char *field, int required,
    int64_t min, int64_t *out, struct app_err *err)
{
	json_t		*v;
	json_int_t	 n;

	if (field == NULL)
		field = key;
	if ((v = json_object_get(o, key)) == NULL) {
		if (required)
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: missing", field));
		return (1);
	}
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, field,
		    "%s: must be a JSON integer", field));
	n = json_integer_value(v);
	if (n < min) {
		if (min == 0)
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: must not be negative", field));
		return (app_err_set(err, APP_EINVAL, field,
		    "%s: must be at least %lld", field, (long long)min));
	}
	*out = n;
	return (1);
}

/*
 * A qualification input: required unless the version pays a flat rate
 * (then absent means bachelor, which has that rate too).
 */
static int
quote_qual(const struct scheme_rules *r, json_t *o, const char *key,
    const char *field, enum scheme_qualification *q, struct app_err *err)
{
	json_t	*v;

	*q = SCHEME_QUAL_BACHELOR;
	if ((v = json_object_get(o, key)) == NULL) {
		if (r->monthly_flat)
			return (1);
		return (app_err_set(err, APP_EINVAL, field,
		    "%s: missing", field));
	}
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, field,
		    "%s: must be a string", field));
	if (!scheme_qualification_parse(json_string_value(v), q))
		return (app_err_set(err, APP_EINVAL, field,
		    "%s: must be bachelor, master or doctorate", field));
	return (1);
}

/*
 * The allowance inputs: qualification, head_count and months, or talents
 * [{qualification, months}].  *talents is for the caller to free().
 */
static int
quote_talents(const struct scheme_rules *r, json_t *o,
    struct funding_input *in, struct funding_talent **talents,
    struct app_err *err)
{
	struct funding_talent	*t;
	json_t			*arr, *v;
	const char		*key;
	json_t			*x;
	char			 f[QUOTE_FIELD_LEN];
	size_t			 i, n;

	*talents = NULL;
	if ((arr = json_object_get(o, "talents")) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
		*talents = t;
		in->talents = t;
		in->ntalents = 1;
		in->flat_talent = 1;
		return (quote_qual(r, o, "qualification", "qualification",
		    &t->qualification, err) &&
		    quote_int(o, "head_count", NULL, 1, 1, &t->count, err) &&
		    quote_int(o, "months", NULL, 1, 1, &t->months, err));
	}
	if (json_object_get(o, "qualification") != NULL ||
	    json_object_get(o, "head_count") != NULL ||
	    json_object_get(o, "months") != NULL)
		return (app_err_set(err, APP_EBADREQ, "talents",
		    "talents: give either talents or qualification, "
		    "head_count and months, not both"));
	if (!json_is_array(arr))
		return (app_err_set(err, APP_EBADREQ, "talents",
		    "talents: must be an array of {qualification, months}"));
	if ((n = json_array_size(arr)) == 0)
		return (app_err_set(err, APP_EINVAL, "talents",
		    "talents: at least one talent is needed"));
	if ((t = calloc(n, sizeof(*t))) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "out of memory"));
	*talents = t;
	in->talents = t;
	in->ntalents = n;
	json_array_foreach(arr, i, v) {
		snprintf(f, sizeof(f), "talents[%zu]", i);
		if (!json_is_object(v))
			return (app_err_set(err, APP_EBADREQ, f,
			    "%s: must be an object {qualification, months}",
			    f));
		json_object_foreach(v, key, x) {
			if (strcmp(key, "qualification") != 0 &&
			    strcmp(key, "months") != 0) {
				snprintf(f, sizeof(f), "talents[%zu].%s", i,
				    key);
				return (app_err_set(err, APP_EBADREQ, f,
				    "%s: unknown input", f));
			}
		}
		t[i].count = 1;
		snprintf(f, sizeof(f), "talents[%zu].qualification", i);
		if (!quote_qual(r, v, "qualification", f, &t[i].qualification,
		    err))
			return (0);
		snprintf(f, sizeof(f), "talents[%zu].months", i);
		if (!quote_int(v, "months", f, 1, 1, &t[i].months, err))
			return (0);
	}
	return (1);
}
