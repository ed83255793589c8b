/*
 * schemes.h: the scheme definitions, schemes/<code>.json (docs/schemes.md).
 *
 * Schemes are data: each file is read with jansson, validated in full and
 * kept as a struct scheme whose strings point into the parsed json_t, which
 * the scheme holds a reference to until schemes_free().  A malformed file is
 * refused with err->code APP_EINVAL and err->msg "FILE: JSON-PATH: problem",
 * e.g. "schemes/tvp.json: rule_versions[1].params.max_projects.value: must
 * be a positive integer"; err->field holds the JSON path ("$" for the whole
 * document).  Validation goes on after a problem, so every problem in a file
 * can be reported (schemes_check_files()).
 *
 * Objects that carry a "source" (value objects, rule versions, criteria,
 * payment, reference_prefix_source) may also carry "unconfirmed" (bool) and
 * "note" (string); any other key the format does not name is refused.
 * Optional keys may be given as null, which means absent.
 */
#ifndef ITF_SCHEMES_H
#define ITF_SCHEMES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "errors.h"
#include "money.h"

#define SCHEME_NO_DATE		INT32_MIN	/* closes_on, effective_to */

enum scheme_area {
	SCHEME_AREA_RD,
	SCHEME_AREA_ADOPTION,
	SCHEME_AREA_TALENT,
	SCHEME_AREA_STARTUPS,
	SCHEME_AREA_CULTURE
};

enum scheme_status {
	SCHEME_STATUS_OPEN,
	SCHEME_STATUS_CLOSED,
	SCHEME_STATUS_MERGED
};

/* Organisation types in eligible_applicants; bit (1 << type) of eligible. */
enum scheme_org_type {
	SCHEME_ORG_COMPANY,
	SCHEME_ORG_UNIVERSITY,
	SCHEME_ORG_RD_CENTRE,
	SCHEME_ORG_PUBLIC_BODY,
	SCHEME_ORG_OTHER
};

enum scheme_model {
	SCHEME_MODEL_GRANT,
	SCHEME_MODEL_MATCHING,
	SCHEME_MODEL_REBATE,
	SCHEME_MODEL_ALLOWANCE,
	SCHEME_MODEL_BLOCK_GRANT,
	SCHEME_MODEL_CO_INVESTMENT
};

enum scheme_payment_pattern {
	SCHEME_PAY_MILESTONES,
	SCHEME_PAY_INITIAL_AND_COMPLETION,
	SCHEME_PAY_ON_COMPLETION,
	SCHEME_PAY_MONTHLY_CLAIMS,
	SCHEME_PAY_SINGLE_REBATE,
	SCHEME_PAY_ANNUAL_REIMBURSEMENT,
	SCHEME_PAY_CO_INVESTMENT
};

/* Talent qualifications of the allowance model (RTH). */
enum scheme_qualification {
	SCHEME_QUAL_BACHELOR,
	SCHEME_QUAL_MASTER,
	SCHEME_QUAL_DOCTORATE,
	SCHEME_QUAL_COUNT
};

/* per_applicant_cap_period of the matching model. */
enum scheme_cap_period {
	SCHEME_PERIOD_LIFETIME,
	SCHEME_PERIOD_FINANCIAL_YEAR
};

/* A value object {value, source, unconfirmed, note}; present 0 if absent. */
struct scheme_value {
	int		 present;
	int64_t		 value;
	const char	*source;	/* a key of the scheme's sources */
	int		 unconfirmed;
};

/*
 * One effective-dated rule version.  It is in force from effective_from to
 * effective_to inclusive: the day before the next version's effective_from,
 * or for the last version closes_on (SCHEME_NO_DATE when the scheme has no
 * closing date).  Only the parameters of the scheme's funding model can be
 * present; a missing optional one has present 0.
 */
struct scheme_rules {
	const char		*id;
	int			 effective_from;
	int			 effective_to;
	const char		*source;
	json_t			*json;		/* its object (borrowed) */

	/* grant */
	struct scheme_value	 max_cents;
	struct scheme_value	 cost_share_bp;		/* default 10000 */
	/* matching and co_investment */
	struct scheme_value	 gov_share_num;
	struct scheme_value	 gov_share_den;
	/* matching */
	struct scheme_value	 per_project_cap_cents;
	struct scheme_value	 per_applicant_cap_cents;
	/* per_applicant_cap_period: its value is in cap_period */
	struct scheme_value	 per_applicant_cap_period;
	enum scheme_cap_period	 cap_period;		/* default lifetime */
	struct scheme_value	 max_projects;
	/* rebate */
	struct scheme_value	 rate_bp;
	/*
	 * allowance: monthly_cents by qualification; a flat rate fills all
	 * three and sets monthly_flat.  An object may name only some.
	 */
	struct scheme_value	 monthly_cents[SCHEME_QUAL_COUNT];
	int			 monthly_flat;
	struct scheme_value	 max_heads;
	struct scheme_value	 max_months;
	/* block_grant */
	struct scheme_value	 per_institution_annual_cap_cents;
	struct scheme_value	 per_startup_annual_cap_cents;
	struct scheme_value	 max_years;
	/* co_investment */
	struct scheme_value	 per_deal_cap_cents;
	struct scheme_value	 per_company_cap_cents;
};

struct scheme_criterion {
	const char	*id;
	const char	*name_en;
	const char	*name_zh;
	int		 weight_bp;	/* a scheme's weights sum to 10000 */
	int		 max_score;	/* scores run 0..max_score */
	const char	*source;
};

struct scheme_payment {
	enum scheme_payment_pattern	 pattern;
	/* the most an initial payment may be, the least the final keeps */
	struct scheme_value		 initial_bp;
	struct scheme_value		 final_min_bp;
	const char			*source;	/* or NULL */
};

/*
 * A loaded scheme.  All strings point into json and live as long as the
 * scheme; optional ones are NULL when absent.
 */
struct scheme {
	char			*file;		/* path it was read from */
	json_t			*json;		/* the definition (owned) */

	const char		*code;
	const char		*name_en;
	const char		*name_zh;
	enum scheme_area	 area;
	int			 launched;
	enum scheme_status	 status;
	const char		*status_note_en;
	const char		*status_note_zh;
	const char		*merged_into;
	int			 closes_on;	/* or SCHEME_NO_DATE */
	unsigned int		 eligible;	/* 1 << enum scheme_org_type */
	const char		*eligibility_en;
	const char		*eligibility_zh;
	enum scheme_model	 funding_model;
	const char		*reference_prefix;
	const char		*partner_en;	/* NULL: no impl. partner */
	const char		*partner_zh;
	const char		*assessment_en;
	const char		*assessment_zh;
	int			 panel_quorum;
	int			 partner_assessment;	/* MHKJFS: MOST's too */
	struct scheme_value	 max_months;

	struct scheme_criterion	*criteria;
	size_t			 ncriteria;
	struct scheme_payment	 payment;
	json_t			*application_fields;	/* array (borrowed) */
	struct scheme_rules	*rules;		/* ascending effective_from */
	size_t			 nrules;
	json_t			*sources;	/* object (borrowed) */
};

struct scheme_set {
	struct scheme	*v;
	size_t		 n;
};

/*
 * Load every *.json file of dir (not dot files), sorted by file name with
 * strcmp(), into out, and check the set: codes unique, merged_into naming a
 * loaded scheme.  An empty directory is refused.  On any problem returns 0,
 * out is empty and err holds the first problem (APP_EINVAL,
 * "FILE: JSON-PATH: problem").  Free with schemes_free().
 */
int	schemes_load_dir(const char *dir, struct scheme_set *out,
	    struct app_err *err);
/*
 * As schemes_load_dir(), also writing every problem, one a line, to report
 * (if not NULL) and counting them in *nproblems (if not NULL).
 */
int	schemes_load_dir_report(const char *dir, struct scheme_set *out,
	    FILE *report, size_t *nproblems, struct app_err *err);
/*
 * Check the files named in paths (for "itfctl schemes check FILE..."): each
 * file in full, and codes unique across them (merged_into is not resolved,
 * since the target may not be among them).  Writes every problem, one a
 * line, to report (if not NULL), counts them in *nproblems (if not NULL) and
 * returns 1 if there were none, else 0 with err set to the first.
 */
int	schemes_check_files(char *const *paths, size_t npaths, FILE *report,
	    size_t *nproblems, struct app_err *err);
/*
 * Load and validate one file; its code must match its name (tvp.json holds
 * TVP).  On success out owns its data: release with scheme_free().
 */
int	scheme_load_file(const char *path, struct scheme *out,
	    struct app_err *err);
void	scheme_free(struct scheme *);
void	schemes_free(struct scheme_set *);

/* The scheme with this code (case-insensitive), or NULL. */
const struct scheme	*schemes_find(const struct scheme_set *, const char *);
/* The rule version in force on day, or NULL (before the first version or
 * after closes_on). */
const struct scheme_rules *scheme_rules_on(const struct scheme *, int day);
/* The rule version with this id, or NULL. */
const struct scheme_rules *scheme_rules_find(const struct scheme *,
	    const char *id);
/* The criterion with this id, or NULL. */
const struct scheme_criterion *scheme_criterion_find(const struct scheme *,
	    const char *id);
/* 1 if organisations of this type ("company", ...) may apply, else 0. */
int	scheme_accepts_org_type(const struct scheme *, const char *type);

/*
 * JSON views; each returns a new reference the caller must json_decref(),
 * or NULL on allocation failure.
 *
 * scheme_summary_json: code, name_en, name_zh, area, launched, status,
 *	funding_model, reference_prefix, plus implementation_partner
 *	({en, zh}), closes_on and merged_into when set.
 * scheme_json: a copy of the whole definition, each rule version with
 *	its computed effective_to (date or null).
 * scheme_rules_json: a copy of one rule version with effective_to added,
 *	and the scheme's code as "scheme".
 */
json_t	*scheme_summary_json(const struct scheme *);
json_t	*scheme_json(const struct scheme *);
json_t	*scheme_rules_json(const struct scheme *, const struct scheme_rules *);

/* Names as written in the files ("rd", "matching", ...). */
const char	*scheme_area_name(enum scheme_area);
const char	*scheme_status_name(enum scheme_status);
const char	*scheme_org_type_name(enum scheme_org_type);
const char	*scheme_model_name(enum scheme_model);
const char	*scheme_payment_pattern_name(enum scheme_payment_pattern);
const char	*scheme_qualification_name(enum scheme_qualification);
/* Parse "company" / "doctorate"; 1 and *out set, or 0 if unknown. */
int	scheme_org_type_parse(const char *, enum scheme_org_type *);
int	scheme_qualification_parse(const char *, enum scheme_qualification *);

#endif
