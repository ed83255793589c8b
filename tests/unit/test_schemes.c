/*
 * test_schemes.c: the scheme loader over tests/unit/fixtures (run from the
 * repository root).  schemes/ holds a good set of eleven schemes;
 * schemes_bad/<case>/ one file with exactly one kind of problem each,
 * whose message must name the file, the JSON path and the problem.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dates.h"
#include "schemes.h"

#define FIX	"tests/unit/fixtures"
#define GOOD	FIX "/schemes"
#define NBAD	(sizeof(bad_cases) / sizeof(bad_cases[0]))

struct bad_case {
	const char	*dir;		/* under schemes_bad/ */
	const char	*file;		/* base name, without .json */
	const char	*problem;	/* "JSON-PATH: problem" */
};

static const struct bad_case bad_cases[] = {
	{ "invalid_json", "tvp",
	    "$: invalid JSON at line 5, column 22: string or '}' expected near "
	    "','" },
	{ "duplicate_key", "tvp",
	    "$: invalid JSON at line 3, column 8: duplicate object key near "
	    "'\"code\"'" },
	{ "not_object", "tvp",
	    "$: must be an object" },
	{ "unknown_key", "tvp",
	    "colour: unknown key" },
	{ "missing_key", "tvp",
	    "name_zh: missing" },
	{ "null_required", "tvp",
	    "name_en: must not be null" },
	{ "wrong_type", "tvp",
	    "name_en: must be a string" },
	{ "empty_string", "tvp",
	    "eligibility_en: must not be empty" },
	{ "code_regex", "tvp",
	    "code: must match ^[A-Z]{2,8}$" },
	{ "code_mismatch", "tvp",
	    "code: \"TVQ\" does not match the file name (expected tvq.json)" },
	{ "bad_area", "tvp",
	    "area: must be one of rd, adoption, talent, startups, culture" },
	{ "bad_status", "tvp",
	    "status: must be one of open, closed, merged" },
	{ "bad_date", "tvp",
	    "launched: must be a date YYYY-MM-DD" },
	{ "bad_date_format", "tvp",
	    "closes_on: must be a date YYYY-MM-DD" },
	{ "closes_before_rules", "tvp",
	    "closes_on: must not be before rule_versions[1].effective_from "
	    "(2020-04-01)" },
	{ "merged_without_target", "tvp",
	    "merged_into: missing (required when status is \"merged\")" },
	{ "merged_into_not_merged", "tvp",
	    "merged_into: only allowed when status is \"merged\"" },
	{ "merged_into_bad_code", "mrp",
	    "merged_into: must be a scheme code (^[A-Z]{2,8}$)" },
	{ "bad_org_type", "tvp",
	    "eligible_applicants[1]: must be one of company, university, "
	    "rd_centre, public_body, other" },
	{ "bad_model", "tvp",
	    "funding_model: must be one of grant, matching, rebate, allowance, "
	    "block_grant, co_investment" },
	{ "bad_prefix", "tvp",
	    "reference_prefix: must match ^[A-Z]{2,5}$" },
	{ "partner_missing_zh", "tvp",
	    "implementation_partner.zh: missing" },
	{ "quorum_zero", "tvp",
	    "panel_quorum: must be a positive integer" },
	{ "partner_assessment_type", "tvp",
	    "partner_assessment: must be true or false" },
	{ "value_real", "tvp",
	    "max_months.value: must be a positive integer" },
	{ "value_not_object", "tvp",
	    "max_months: must be a value object {\"value\": ..., \"source\": "
	    "...}" },
	{ "value_missing_source", "tvp",
	    "max_months.source: missing" },
	{ "value_unknown_key", "tvp",
	    "max_months.unconfimed: unknown key" },
	{ "unknown_source", "tvp",
	    "rule_versions[0].params.max_projects.source: source \"S99\" "
	    "is not a key of sources" },
	{ "source_not_string", "tvp",
	    "sources.K-buy: must be a string" },
	{ "weights_sum", "tvp",
	    "criteria: weight_bp values sum to 9500, not 10000" },
	{ "criteria_dup_id", "tvp",
	    "criteria[2].id: duplicate id \"budget\" (also criteria[1])" },
	{ "criteria_bad_id", "tvp",
	    "criteria[0].id: must match ^[a-z][a-z0-9_]{0,31}$" },
	{ "criteria_empty", "tvp",
	    "criteria: must have at least one criterion" },
	{ "payment_pattern", "tvp",
	    "payment.pattern: must be one of milestones, "
	    "initial_and_completion, on_completion, monthly_claims, "
	    "single_rebate, annual_reimbursement, co_investment" },
	{ "payment_bp_sum", "tvp",
	    "payment.final_min_bp.value: initial_bp (2500) and final_min_bp "
	    "(8000) add up to more than 10000" },
	{ "field_enum_no_values", "tvp",
	    "application_fields[2].values: missing" },
	{ "field_bad_type", "tvp",
	    "application_fields[0].type: must be one of string, text, integer, "
	    "cents, date, boolean, enum, list" },
	{ "field_dup_name", "tvp",
	    "application_fields[1].name: duplicate name \"service_provider\" "
	    "(also application_fields[0])" },
	{ "field_list_no_items", "rth",
	    "application_fields[0].item_fields: missing" },
	{ "rules_empty", "tvp",
	    "rule_versions: must have at least one version" },
	{ "rules_order", "tvp",
	    "rule_versions[1].effective_from: must be after "
	    "rule_versions[0].effective_from (2020-04-01)" },
	{ "rules_dup_id", "tvp",
	    "rule_versions[1].id: duplicate id \"TVP-2016\" (also "
	    "rule_versions[0])" },
	{ "params_missing", "tvp",
	    "rule_versions[1].params.gov_share_den: missing (required by the "
	    "matching model)" },
	{ "params_unknown", "tvp",
	    "rule_versions[0].params.rate_bp: not a parameter of the matching "
	    "model" },
	{ "max_projects_zero", "tvp",
	    "rule_versions[1].params.max_projects.value: must be a positive "
	    "integer" },
	{ "den_zero", "tvp",
	    "rule_versions[0].params.gov_share_den.value: must be a positive "
	    "integer" },
	{ "share_over_one", "tvp",
	    "rule_versions[1].params.gov_share_num.value: must not exceed "
	    "gov_share_den (4): the government's share is at most 1" },
	{ "negative_cap", "tvp",
	    "rule_versions[1].params.per_applicant_cap_cents.value: must be a "
	    "non-negative integer" },
	{ "bad_period", "tvp",
	    "rule_versions[1].params.per_applicant_cap_period.value: must be "
	    "\"lifetime\" or \"financial_year\"" },
	{ "cost_share_over", "psts",
	    "rule_versions[0].params.cost_share_bp.value: must be an integer "
	    "from 0 to 10000" },
	{ "monthly_bad_qual", "rth",
	    "rule_versions[0].params.monthly_cents.value.phd: unknown "
	    "qualification (bachelor, master, doctorate)" },
	{ "monthly_bad_value", "rth",
	    "rule_versions[0].params.monthly_cents.value: must be a "
	    "non-negative integer or an object of rates by qualification "
	    "(bachelor, master, doctorate)" },
};

static struct scheme_set	set;

static int	setup(void **);
static int	teardown(void **);
static int	day(const char *);
static const struct scheme *find(const char *);
static const char *rule_on(const char *, const char *);

static int
setup(void **state)
{
	struct app_err	err;

	app_err_clear(&err);
	if (!schemes_load_dir(GOOD, &set, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return (-1);
	}
	return (0);
}

static int
teardown(void **state)
{
	schemes_free(&set);
	return (0);
}

static int
day(const char *s)
{
	int	d;

	if (!date_parse(s, &d))
		fail_msg("bad test date %s", s);
	return (d);
}

static const struct scheme *
find(const char *code)
{
	const struct scheme	*s;

	s = schemes_find(&set, code);
	if (s == NULL)
		fail_msg("no scheme %s", code);
	return (s);
}

/* The id of the rule version of code in force on date, or NULL. */
static const char *
rule_on(const char *code, const char *date)
{
	const struct scheme_rules	*r;

	r = scheme_rules_on(find(code), day(date));
	return (r != NULL ? r->id : NULL);
}

static void
test_load_good(void **state)
{
	static const char *const order[] = {
		"CRS", "ITSP", "ITVF", "MHKJFS", "MRP", "PSTS", "RFS", "RTH",
		"STEM", "TSSSU", "TVP"
	};
	size_t	i;

	assert_int_equal(set.n, 11);
	for (i = 0; i < set.n; i++) {
		assert_string_equal(set.v[i].code, order[i]);
		assert_non_null(set.v[i].json);
		assert_non_null(strstr(set.v[i].file, GOOD "/"));
	}
}

static void
test_load_dir_trailing_slash(void **state)
{
	struct scheme_set	s2;
	struct app_err		err;
	size_t			n;

	app_err_clear(&err);
	assert_true(schemes_load_dir_report(GOOD "/", &s2, stderr, &n, &err));
	assert_int_equal(n, 0);
	assert_int_equal(err.code, APP_OK);
	assert_int_equal(s2.n, 11);
	assert_string_equal(s2.v[0].file, GOOD "/crs.json");
	schemes_free(&s2);
	assert_null(s2.v);
	assert_int_equal(s2.n, 0);
	schemes_free(&s2);	/* twice is harmless */
}

static void
test_find(void **state)
{
	assert_ptr_equal(schemes_find(&set, "TVP"), &set.v[10]);
	assert_ptr_equal(schemes_find(&set, "tvp"), &set.v[10]);
	assert_ptr_equal(schemes_find(&set, "TvP"), &set.v[10]);
	assert_null(schemes_find(&set, "TV"));
	assert_null(schemes_find(&set, "TVPX"));
	assert_null(schemes_find(&set, NULL));
	assert_null(schemes_find(NULL, "TVP"));
}

static void
test_tvp_definition(void **state)
{
	const struct scheme		*s;
	const struct scheme_rules	*r;
	const struct scheme_criterion	*c;
	size_t				 i;
	int				 sum;

	s = find("TVP");
	assert_string_equal(s->name_en, "Technology Voucher Programme");
	assert_string_equal(s->name_zh, "科技券");
	assert_int_equal(s->area, SCHEME_AREA_ADOPTION);
	assert_int_equal(s->launched, day("2016-11-21"));
	assert_int_equal(s->status, SCHEME_STATUS_CLOSED);
	assert_non_null(s->status_note_en);
	assert_null(s->merged_into);
	assert_int_equal(s->closes_on, day("2024-12-31"));
	assert_int_equal(s->funding_model, SCHEME_MODEL_MATCHING);
	assert_string_equal(s->reference_prefix, "TVP");
	assert_string_equal(s->partner_en, "Hong Kong Productivity Council");
	assert_string_equal(s->partner_zh, "香港生產力促進局");
	assert_string_equal(s->assessment_en, "TVP Committee");
	assert_int_equal(s->panel_quorum, 3);
	assert_int_equal(s->partner_assessment, 0);
	assert_true(s->max_months.present);
	assert_int_equal(s->max_months.value, 12);
	assert_string_equal(s->max_months.source, "K-buy");

	assert_true(scheme_accepts_org_type(s, "company"));
	assert_true(scheme_accepts_org_type(s, "public_body"));
	assert_false(scheme_accepts_org_type(s, "university"));
	assert_false(scheme_accepts_org_type(s, "Company"));
	assert_false(scheme_accepts_org_type(s, "bogus"));
	assert_false(scheme_accepts_org_type(s, NULL));

	assert_int_equal(s->ncriteria, 4);
	for (i = 0, sum = 0; i < s->ncriteria; i++) {
		sum += s->criteria[i].weight_bp;
		assert_int_equal(s->criteria[i].max_score, 10);
	}
	assert_int_equal(sum, 10000);
	c = scheme_criterion_find(s, "budget");
	assert_ptr_equal(c, &s->criteria[1]);
	assert_string_equal(c->name_en, "Reasonable budget");
	assert_string_equal(c->source, "K-TVP-VC");
	assert_null(scheme_criterion_find(s, "nope"));

	assert_int_equal(s->payment.pattern,
	    SCHEME_PAY_INITIAL_AND_COMPLETION);
	assert_true(s->payment.initial_bp.present);
	assert_int_equal(s->payment.initial_bp.value, 2500);
	assert_int_equal(s->payment.final_min_bp.value, 7500);
	assert_string_equal(s->payment.source, "K-GIA-TVP");

	assert_true(json_is_array(s->application_fields));
	assert_int_equal(json_array_size(s->application_fields), 2);
	assert_true(json_is_object(s->sources));

	assert_int_equal(s->nrules, 2);
	r = &s->rules[0];
	assert_string_equal(r->id, "TVP-2016");
	assert_int_equal(r->effective_from, day("2016-11-21"));
	assert_int_equal(r->effective_to, day("2020-03-31"));
	assert_int_equal(r->gov_share_num.value, 2);
	assert_int_equal(r->gov_share_den.value, 3);
	assert_int_equal(r->per_applicant_cap_cents.value, 40000000);
	assert_int_equal(r->max_projects.value, 4);
	assert_true(r->per_applicant_cap_period.present);
	assert_int_equal(r->cap_period, SCHEME_PERIOD_LIFETIME);
	assert_false(r->per_project_cap_cents.present);
	assert_string_equal(r->source, "S6i");
	r = &s->rules[1];
	assert_string_equal(r->id, "TVP-2020");
	assert_int_equal(r->effective_to, day("2024-12-31"));
	assert_int_equal(r->per_applicant_cap_cents.value, 60000000);
	assert_int_equal(r->max_projects.value, 6);
	assert_ptr_equal(scheme_rules_find(s, "TVP-2020"), r);
	assert_null(scheme_rules_find(s, "TVP-2021"));
}

static void
test_other_definitions(void **state)
{
	const struct scheme		*s;
	const struct scheme_rules	*r;

	/* Allowance by qualification. */
	s = find("RTH");
	r = &s->rules[0];
	assert_false(r->monthly_flat);
	assert_int_equal(r->monthly_cents[SCHEME_QUAL_BACHELOR].value,
	    1800000);
	assert_int_equal(r->monthly_cents[SCHEME_QUAL_MASTER].value, 2100000);
	assert_int_equal(r->monthly_cents[SCHEME_QUAL_DOCTORATE].value,
	    3200000);
	assert_int_equal(r->max_heads.value, 4);
	assert_int_equal(r->max_months.value, 36);
	assert_int_equal(r->effective_to, SCHEME_NO_DATE);
	assert_int_equal(s->closes_on, SCHEME_NO_DATE);
	assert_null(s->partner_en);
	assert_int_equal(s->payment.pattern, SCHEME_PAY_MONTHLY_CLAIMS);
	assert_false(s->payment.initial_bp.present);

	/* A flat rate fills every qualification. */
	s = find("STEM");
	r = &s->rules[0];
	assert_true(r->monthly_flat);
	assert_int_equal(r->monthly_cents[SCHEME_QUAL_BACHELOR].value,
	    1050000);
	assert_int_equal(r->monthly_cents[SCHEME_QUAL_DOCTORATE].value,
	    1050000);
	assert_false(r->max_heads.present);	/* none published */

	/* Grant: cost_share_bp defaults to 10000. */
	s = find("PSTS");
	assert_true(s->rules[0].cost_share_bp.present);
	assert_int_equal(s->rules[0].cost_share_bp.value, 5000);
	assert_false(s->rules[1].cost_share_bp.present);
	assert_int_equal(s->rules[1].cost_share_bp.value, 10000);
	assert_true(s->rules[0].max_cents.unconfirmed);
	assert_false(s->rules[1].max_cents.unconfirmed);

	s = find("TSSSU");
	assert_int_equal(s->rules[1].per_institution_annual_cap_cents.value,
	    800000000);
	assert_int_equal(s->rules[1].per_startup_annual_cap_cents.value,
	    150000000);
	assert_int_equal(s->rules[1].max_years.value, 3);
	assert_true(scheme_accepts_org_type(s, "university"));
	assert_false(scheme_accepts_org_type(s, "company"));

	s = find("ITVF");
	assert_int_equal(s->funding_model, SCHEME_MODEL_CO_INVESTMENT);
	assert_int_equal(s->rules[0].per_deal_cap_cents.value, 3000000000LL);
	assert_int_equal(s->rules[0].per_company_cap_cents.value,
	    5000000000LL);

	s = find("CRS");
	assert_int_equal(s->nrules, 3);
	assert_int_equal(s->rules[2].rate_bp.value, 4000);
	assert_int_equal(s->rules[1].effective_to, day("2016-02-23"));

	s = find("MHKJFS");
	assert_int_equal(s->partner_assessment, 1);

	s = find("MRP");
	assert_int_equal(s->status, SCHEME_STATUS_MERGED);
	assert_string_equal(s->merged_into, "ITSP");
	assert_int_equal(s->closes_on, day("2021-03-26"));

	s = find("ITSP");
	assert_string_equal(s->reference_prefix, "ITS");
	assert_int_equal(s->area, SCHEME_AREA_RD);
}

static void
test_rules_on(void **state)
{
	/* TVP: 2016-11-21 .. 2020-03-31, 2020-04-01 .. closes_on. */
	assert_null(rule_on("TVP", "2016-11-20"));
	assert_string_equal(rule_on("TVP", "2016-11-21"), "TVP-2016");
	assert_string_equal(rule_on("TVP", "2020-03-31"), "TVP-2016");
	assert_string_equal(rule_on("TVP", "2020-04-01"), "TVP-2020");
	assert_string_equal(rule_on("TVP", "2024-12-31"), "TVP-2020");
	assert_null(rule_on("TVP", "2025-01-01"));

	/* CRS: three versions. */
	assert_null(rule_on("CRS", "2010-03-31"));
	assert_string_equal(rule_on("CRS", "2010-04-01"), "CRS-2010");
	assert_string_equal(rule_on("CRS", "2012-03-31"), "CRS-2010");
	assert_string_equal(rule_on("CRS", "2012-04-01"), "CRS-2012");
	assert_string_equal(rule_on("CRS", "2016-02-23"), "CRS-2012");
	assert_string_equal(rule_on("CRS", "2016-02-24"), "CRS-2016");
	assert_string_equal(rule_on("CRS", "9999-12-31"), "CRS-2016");

	/* RFS, TSSSU, PSTS boundaries. */
	assert_string_equal(rule_on("RFS", "2024-01-07"), "RFS-2020");
	assert_string_equal(rule_on("RFS", "2024-01-08"), "NIFS-2024");
	assert_string_equal(rule_on("TSSSU", "2019-03-31"), "TSSSU-2014");
	assert_string_equal(rule_on("TSSSU", "2019-04-01"), "TSSSU-2019");
	assert_string_equal(rule_on("PSTS", "2020-03-29"), "PSTS-2011");
	assert_string_equal(rule_on("PSTS", "2020-03-30"), "PSTS-2020");
	assert_null(rule_on("RTH", "2020-06-30"));
	assert_string_equal(rule_on("RTH", "2020-07-01"), "RTH-2020");
}

static void
test_summary_json(void **state)
{
	json_t	*j;

	j = scheme_summary_json(find("TVP"));
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "code")),
	    "TVP");
	assert_string_equal(json_string_value(json_object_get(j, "name_zh")),
	    "科技券");
	assert_string_equal(json_string_value(json_object_get(j, "area")),
	    "adoption");
	assert_string_equal(json_string_value(json_object_get(j,
	    "launched")), "2016-11-21");
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	    "closed");
	assert_string_equal(json_string_value(json_object_get(j,
	    "funding_model")), "matching");
	assert_string_equal(json_string_value(json_object_get(j,
	    "reference_prefix")), "TVP");
	assert_string_equal(json_string_value(json_object_get(j,
	    "closes_on")), "2024-12-31");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(j, "implementation_partner"), "zh")),
	    "香港生產力促進局");
	assert_null(json_object_get(j, "merged_into"));
	json_decref(j);

	j = scheme_summary_json(find("MRP"));
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j,
	    "closes_on")), "2021-03-26");
	assert_null(json_object_get(j, "implementation_partner"));
	assert_string_equal(json_string_value(json_object_get(j,
	    "merged_into")), "ITSP");
	assert_int_equal(json_object_size(j), 10);
	json_decref(j);
}

static void
test_scheme_json(void **state)
{
	const struct scheme	*s;
	json_t			*j, *rv;

	s = find("TVP");
	j = scheme_json(s);
	assert_non_null(j);
	assert_ptr_not_equal(j, s->json);
	rv = json_object_get(j, "rule_versions");
	assert_int_equal(json_array_size(rv), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(rv, 0), "effective_to")), "2020-03-31");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(rv, 1), "effective_to")), "2024-12-31");
	assert_non_null(json_object_get(j, "criteria"));
	assert_non_null(json_object_get(j, "sources"));
	/* A copy: changing it leaves the loaded definition alone. */
	json_object_set_new(j, "code", json_string("XXX"));
	assert_string_equal(s->code, "TVP");
	assert_null(json_object_get(json_array_get(json_object_get(s->json,
	    "rule_versions"), 0), "effective_to"));
	json_decref(j);

	j = scheme_json(find("RTH"));
	rv = json_array_get(json_object_get(j, "rule_versions"), 0);
	assert_true(json_is_null(json_object_get(rv, "effective_to")));
	json_decref(j);
}

static void
test_rules_json(void **state)
{
	const struct scheme	*s;
	json_t			*j;

	s = find("TVP");
	j = scheme_rules_json(s, &s->rules[0]);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "id")),
	    "TVP-2016");
	assert_string_equal(json_string_value(json_object_get(j,
	    "effective_from")), "2016-11-21");
	assert_string_equal(json_string_value(json_object_get(j,
	    "effective_to")), "2020-03-31");
	assert_string_equal(json_string_value(json_object_get(j, "scheme")),
	    "TVP");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "params"), "max_projects"), "value")), 4);
	json_decref(j);
}

static void
test_names(void **state)
{
	enum scheme_org_type		t;
	enum scheme_qualification	q;

	assert_string_equal(scheme_area_name(SCHEME_AREA_CULTURE), "culture");
	assert_string_equal(scheme_status_name(SCHEME_STATUS_MERGED),
	    "merged");
	assert_string_equal(scheme_org_type_name(SCHEME_ORG_RD_CENTRE),
	    "rd_centre");
	assert_string_equal(scheme_model_name(SCHEME_MODEL_BLOCK_GRANT),
	    "block_grant");
	assert_string_equal(scheme_payment_pattern_name(
	    SCHEME_PAY_ANNUAL_REIMBURSEMENT), "annual_reimbursement");
	assert_string_equal(scheme_qualification_name(SCHEME_QUAL_MASTER),
	    "master");
	assert_true(scheme_org_type_parse("public_body", &t));
	assert_int_equal(t, SCHEME_ORG_PUBLIC_BODY);
	assert_false(scheme_org_type_parse("ngo", &t));
	assert_true(scheme_qualification_parse("doctorate", &q));
	assert_int_equal(q, SCHEME_QUAL_DOCTORATE);
	assert_false(scheme_qualification_parse("phd", &q));
}

static void
test_load_file(void **state)
{
	struct scheme	s;
	struct app_err	err;

	app_err_clear(&err);
	assert_true(scheme_load_file(GOOD "/rth.json", &s, &err));
	assert_string_equal(s.code, "RTH");
	assert_string_equal(s.file, GOOD "/rth.json");
	scheme_free(&s);
	assert_null(s.json);

	app_err_clear(&err);
	assert_false(scheme_load_file(FIX "/none/xx.json", &s, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.msg, FIX "/none/xx.json: cannot open: "
	    "No such file or directory");
	assert_null(s.json);
}

/*
 * One bad fixture (the test's state): refused with exactly one problem,
 * named exactly, by each way in.
 */
static void
test_bad_case(void **state)
{
	const struct bad_case	*c = *state;
	struct scheme		 s;
	struct scheme_set	 out;
	struct app_err		 err;
	char			 path[256], want[512], *rep;
	char			*paths[1];
	size_t			 n, len, plen;
	FILE			*fp;

	snprintf(path, sizeof(path), FIX "/schemes_bad/%s/%s.json", c->dir,
	    c->file);
	snprintf(want, sizeof(want), "%s: %s", path, c->problem);

	app_err_clear(&err);
	if (scheme_load_file(path, &s, &err))
		fail_msg("%s: loaded, expected \"%s\"", c->dir, c->problem);
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.msg, want);
	/* err->field is the JSON path. */
	plen = strchr(c->problem, ':') - c->problem;
	assert_int_equal(strlen(err.field), plen);
	assert_memory_equal(err.field, c->problem, plen);
	assert_null(s.json);

	/* Exactly one problem, reported as one line. */
	rep = NULL;
	fp = open_memstream(&rep, &len);
	assert_non_null(fp);
	paths[0] = path;
	app_err_clear(&err);
	assert_false(schemes_check_files(paths, 1, fp, &n, &err));
	fclose(fp);
	if (n != 1)
		fail_msg("%s: %zu problems:\n%s", c->dir, n, rep);
	assert_int_equal(strlen(rep), strlen(want) + 1);
	assert_memory_equal(rep, want, strlen(want));
	assert_int_equal(rep[strlen(want)], '\n');
	free(rep);

	/* Loading its directory stops on it too. */
	snprintf(path, sizeof(path), FIX "/schemes_bad/%s", c->dir);
	app_err_clear(&err);
	assert_false(schemes_load_dir(path, &out, &err));
	assert_string_equal(err.msg, want);
	assert_null(out.v);
	assert_int_equal(out.n, 0);
}

/* Every directory under schemes_bad/ has its case in the table. */
static void
test_bad_all_listed(void **state)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 i, n;

	d = opendir(FIX "/schemes_bad");
	assert_non_null(d);
	n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		for (i = 0; i < NBAD; i++) {
			if (strcmp(bad_cases[i].dir, de->d_name) == 0)
				break;
		}
		if (i == NBAD)
			fail_msg("schemes_bad/%s has no case", de->d_name);
		n++;
	}
	closedir(d);
	assert_int_equal(n, NBAD);
}

/* The format document's own example. */
static void
test_doc_example(void **state)
{
	struct scheme_set	out;
	struct app_err		err;

	app_err_clear(&err);
	assert_false(schemes_load_dir(FIX "/schemes_bad/max_projects_zero",
	    &out, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.msg, FIX "/schemes_bad/max_projects_zero/"
	    "tvp.json: rule_versions[1].params.max_projects.value: must be a "
	    "positive integer");
	assert_string_equal(err.field,
	    "rule_versions[1].params.max_projects.value");
}

static void
test_all_problems_reported(void **state)
{
	struct scheme_set	 out;
	struct app_err		 err;
	char			*rep;
	size_t			 len, n;
	FILE			*fp;

	rep = NULL;
	fp = open_memstream(&rep, &len);
	app_err_clear(&err);
	assert_false(schemes_load_dir_report(FIX "/schemes_multi", &out, fp,
	    &n, &err));
	fclose(fp);
	assert_int_equal(n, 4);
	assert_string_equal(rep,
	    FIX "/schemes_multi/tvp.json: area: must be one of rd, adoption, "
	    "talent, startups, culture\n"
	    FIX "/schemes_multi/tvp.json: panel_quorum: must be a positive "
	    "integer\n"
	    FIX "/schemes_multi/tvp.json: criteria: weight_bp values sum to "
	    "7501, not 10000\n"
	    FIX "/schemes_multi/tvp.json: rule_versions[1].params.max_projects"
	    ".value: must be a positive integer\n");
	/* err holds the first. */
	assert_string_equal(err.msg, FIX "/schemes_multi/tvp.json: area: "
	    "must be one of rd, adoption, talent, startups, culture");
	free(rep);
}

static void
test_check_files(void **state)
{
	char		*paths[3], *rep;
	struct app_err	 err;
	size_t		 n, len;
	FILE		*fp;

	paths[0] = GOOD "/tvp.json";
	paths[1] = GOOD "/rth.json";
	paths[2] = GOOD "/mrp.json";	/* merged_into is not resolved */
	app_err_clear(&err);
	assert_true(schemes_check_files(paths, 3, NULL, &n, &err));
	assert_int_equal(n, 0);
	assert_int_equal(err.code, APP_OK);

	/* The same code in two files. */
	paths[1] = FIX "/schemes_dup/tvp.json";
	rep = NULL;
	fp = open_memstream(&rep, &len);
	app_err_clear(&err);
	assert_false(schemes_check_files(paths, 2, fp, &n, &err));
	fclose(fp);
	assert_int_equal(n, 1);
	assert_string_equal(err.msg, FIX "/schemes_dup/tvp.json: code: "
	    "duplicate code \"TVP\" (also in " GOOD "/tvp.json)");
	assert_string_equal(rep, FIX "/schemes_dup/tvp.json: code: "
	    "duplicate code \"TVP\" (also in " GOOD "/tvp.json)\n");
	free(rep);

	/* Problems in several files are all counted. */
	paths[0] = FIX "/schemes_multi/tvp.json";
	paths[1] = FIX "/schemes_bad/bad_area/tvp.json";
	paths[2] = FIX "/schemes_bad/nope/tvp.json";
	app_err_clear(&err);
	assert_false(schemes_check_files(paths, 3, NULL, &n, &err));
	assert_int_equal(n, 6);
}

static void
test_set_problems(void **state)
{
	struct scheme_set	out;
	struct app_err		err;

	/* merged_into must name a scheme of the directory. */
	app_err_clear(&err);
	assert_false(schemes_load_dir(FIX "/schemes_orphan", &out, &err));
	assert_string_equal(err.msg, FIX "/schemes_orphan/mrp.json: "
	    "merged_into: no scheme \"ITSP\" among the loaded files");
	assert_string_equal(err.field, "merged_into");
	assert_null(out.v);

	app_err_clear(&err);
	assert_false(schemes_load_dir(FIX "/schemes_empty", &out, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.msg, FIX "/schemes_empty: no scheme files "
	    "(*.json) in directory");

	app_err_clear(&err);
	assert_false(schemes_load_dir(FIX "/no_such_dir", &out, &err));
	assert_string_equal(err.msg, FIX "/no_such_dir: cannot open "
	    "directory: No such file or directory");
}

int
main(void)
{
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_dir_trailing_slash),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_tvp_definition),
		cmocka_unit_test(test_other_definitions),
		cmocka_unit_test(test_rules_on),
		cmocka_unit_test(test_summary_json),
		cmocka_unit_test(test_scheme_json),
		cmocka_unit_test(test_rules_json),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_bad_all_listed),
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_check_files),
		cmocka_unit_test(test_set_problems),
	};
	static char		 names[NBAD][64];
	struct CMUnitTest	 tests[sizeof(good) / sizeof(good[0]) + NBAD];
	size_t			 i, ngood;

	ngood = sizeof(good) / sizeof(good[0]);
	memcpy(tests, good, sizeof(good));
	for (i = 0; i < NBAD; i++) {
		snprintf(names[i], sizeof(names[i]), "schemes_bad/%s",
		    bad_cases[i].dir);
		memset(&tests[ngood + i], 0, sizeof(tests[0]));
		tests[ngood + i].name = names[i];
		tests[ngood + i].test_func = test_bad_case;
		tests[ngood + i].initial_state = (void *)&bad_cases[i];
	}
	return (cmocka_run_group_tests(tests, setup, teardown));
}
