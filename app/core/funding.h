/*
 * funding.h: the six funding models (docs/schemes.md, "rule_versions[]"
 * and "Quotes"; design.md section 2, "Funding models").
 *
 * Pure functions over int64 HK cents: no I/O, no database.  The caller
 * resolves the rule version in force (scheme_rules_on() on the submission
 * date) and supplies what the applicant already has (prior approvals,
 * projects, heads); cumulative caps are rechecked by the caller inside the
 * transaction that commits the money.
 *
 * Rounding is down to the cent.  A cap that the result reaches (uncapped
 * amount >= cap) is named in capped_by; caps are applied in the order of
 * the table in docs/schemes.md, so on a tie the later one is named.
 * Refusals are APP_EINVAL with err->field the parameter or input named in
 * err->msg (e.g. "max_projects", "eligible_cost_cents").
 */
#ifndef ITF_FUNDING_H
#define ITF_FUNDING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "errors.h"
#include "money.h"
#include "schemes.h"

/* One group of talents under the allowance model. */
struct funding_talent {
	enum scheme_qualification	 qualification;
	int64_t				 months;	/* 1..max_months */
	int64_t				 count;		/* people, >= 1 */
};

/*
 * Inputs; which ones a model reads is in its comment below.  Amounts and
 * counts must be >= 0.  Zero-fill (funding_input_init()) then set.
 */
struct funding_input {
	/* cost, expenditure, request, or the partner's investment */
	cents_t				 eligible_cost_cents;
	cents_t				 prior_approved_cents;
	int64_t				 prior_projects;
	cents_t				 institution_prior_cents;
	cents_t				 startup_prior_cents;
	int64_t				 prior_years;
	const struct funding_talent	*talents;
	size_t				 ntalents;
	int64_t				 prior_heads;
	/*
	 * 1 when talents[0] came from a request's qualification, head_count
	 * and months: errors then name those fields, not talents[0].*.
	 */
	int				 flat_talent;
};

struct funding_result {
	cents_t		 government_cents;
	cents_t		 applicant_cents;
	const char	*capped_by;	/* param that bound it, or NULL */
	const char	*rule_version;	/* the rule version's id */
};

void	funding_input_init(struct funding_input *);

/*
 * Run the scheme's funding model on rule version r (one of s's).
 * 1 and *res filled, or 0 with err set (res untouched).
 */
int	funding_compute(const struct scheme *s, const struct scheme_rules *r,
	    const struct funding_input *in, struct funding_result *res,
	    struct app_err *err);

/*
 * The models.  applicant_cents is eligible cost - government for the
 * cost-based ones (grant, matching, rebate, block_grant), 0 for allowance
 * and the partner's investment for co_investment.
 *
 * grant: min(eligible_cost x cost_share_bp / 10000, max_cents).
 * matching: min(eligible_cost x num / den, per_project_cap_cents,
 *	per_applicant_cap_cents - prior_approved_cents); refused naming
 *	max_projects when prior_projects >= max_projects, and naming
 *	per_applicant_cap_cents when no room is left under it (the caller
 *	sums prior_approved_cents over per_applicant_cap_period).
 * rebate: eligible_cost (the R&D expenditure) x rate_bp / 10000.
 * allowance: sum over talents of monthly_cents[qualification] x months x
 *	count; refused naming max_heads when the talents plus prior_heads
 *	exceed max_heads, naming max_months when a talent's months exceed
 *	max_months.
 * block_grant: min(request, per_startup_annual_cap_cents -
 *	startup_prior_cents, per_institution_annual_cap_cents -
 *	institution_prior_cents), priors being this financial year's;
 *	refused naming a cap with no room left, or max_years when the
 *	start-up has already been funded prior_years >= max_years years.
 * co_investment: min(partner investment x num / den, per_deal_cap_cents,
 *	per_company_cap_cents - prior_approved_cents); refused naming
 *	per_company_cap_cents when no room is left.
 */
int	funding_grant(const struct scheme_rules *, const struct funding_input *,
	    struct funding_result *, struct app_err *);
int	funding_matching(const struct scheme_rules *,
	    const struct funding_input *, struct funding_result *,
	    struct app_err *);
int	funding_rebate(const struct scheme_rules *,
	    const struct funding_input *, struct funding_result *,
	    struct app_err *);
int	funding_allowance(const struct scheme_rules *,
	    const struct funding_input *, struct funding_result *,
	    struct app_err *);
int	funding_block_grant(const struct scheme_rules *,
	    const struct funding_input *, struct funding_result *,
	    struct app_err *);
int	funding_co_investment(const struct scheme_rules *,
	    const struct funding_input *, struct funding_result *,
	    struct app_err *);

/*
 * POST /api/v1/schemes/{code}/quote.  in is parsed strictly: an object
 * with "submitted_on" (YYYY-MM-DD) and the inputs of s's model (the
 * "Quotes" table of docs/schemes.md), JSON integers only.  Errors, with
 * err->field the input: not an object, an unknown input, or a wrong JSON
 * type -> APP_EBADREQ; a missing, negative or invalid input, no rule
 * version in force on submitted_on, or a refusal by the model ->
 * APP_EINVAL.  On success *out is a new object the caller must
 * json_decref(): {scheme, funding_model, submitted_on, rule_version,
 * government_cents, applicant_cents, capped_by (string or null)}.
 */
int	funding_quote_json(const struct scheme *s, const json_t *in,
	    json_t **out, struct app_err *err);

#endif
