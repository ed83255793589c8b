/*
 * test_funding.c: the six funding models and the quote parser, over the
 * fixture schemes in tests/unit/fixtures/schemes (run from the repository
 * root).  Every cap is tried at, just below and just above its limit, and
 * every rule version on the first and last day it is in force.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dates.h"
#include "funding.h"
#include "schemes.h"

#define FIXTURES	"tests/unit/fixtures/schemes"

static struct scheme_set	set;

static int	setup(void **);
static int	teardown(void **);
static json_t	*body(const char *);
static int	quote(const char *, const char *, json_t **, struct app_err *);
static void	expect_quote(const char *, const char *, cents_t, cents_t,
		    const char *, const char *);
static void	expect_refused(const char *, const char *, enum app_errcode,
		    const char *, const char *);
static const struct scheme_rules *rules(const char *, const char *);

static int
setup(void **state)
{
	struct app_err	err;

	app_err_clear(&err);
	if (!schemes_load_dir(FIXTURES, &set, &err)) {
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

/* JSON written with single quotes, for readable tests. */
static json_t *
body(const char *text)
{
	json_error_t	 jerr;
	json_t		*j;
	char		*s, *p;

	s = strdup(text);
	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	j = json_loads(s, 0, &jerr);
	if (j == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	free(s);
	return (j);
}

static int
quote(const char *code, const char *text, json_t **out, struct app_err *err)
{
	const struct scheme	*s;
	json_t			*in;
	int			 ok;

	s = schemes_find(&set, code);
	assert_non_null(s);
	in = body(text);
	app_err_clear(err);
	*out = NULL;
	ok = funding_quote_json(s, in, out, err);
	json_decref(in);
	return (ok);
}

static void
expect_quote(const char *code, const char *text, cents_t gov, cents_t app,
    const char *capped, const char *rule)
{
	struct app_err	 err;
	json_t		*out, *c;

	if (!quote(code, text, &out, &err))
		fail_msg("%s %s refused: %s", code, text, err.msg);
	assert_int_equal(json_integer_value(json_object_get(out,
	    "government_cents")), gov);
	assert_int_equal(json_integer_value(json_object_get(out,
	    "applicant_cents")), app);
	assert_string_equal(json_string_value(json_object_get(out,
	    "rule_version")), rule);
	c = json_object_get(out, "capped_by");
	assert_non_null(c);
	if (capped == NULL)
		assert_true(json_is_null(c));
	else
		assert_string_equal(json_string_value(c), capped);
	json_decref(out);
}

static void
expect_refused(const char *code, const char *text, enum app_errcode ec,
    const char *field, const char *part)
{
	struct app_err	 err;
	json_t		*out;

	if (quote(code, text, &out, &err))
		fail_msg("%s %s accepted, expected refusal on %s", code, text,
		    field);
	assert_null(out);
	assert_int_equal(err.code, ec);
	assert_string_equal(err.field, field);
	if (strstr(err.msg, part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
}

static const struct scheme_rules *
rules(const char *code, const char *id)
{
	const struct scheme		*s;
	const struct scheme_rules	*r;

	s = schemes_find(&set, code);
	assert_non_null(s);
	r = scheme_rules_find(s, id);
	assert_non_null(r);
	return (r);
}

/*
 * The issue's cases.
 */

static void
test_issue_tvp(void **state)
{
	/* 1 Apr 2020: 3/4 of HK$800,000 = HK$600,000, the applicant cap. */
	expect_quote("TVP", "{'submitted_on': '2020-04-01', "
	    "'eligible_cost_cents': 80000000}", 60000000, 20000000,
	    "per_applicant_cap_cents", "TVP-2020");
	/* The day before: 2/3 = HK$533,333.33, capped at HK$400,000. */
	expect_quote("TVP", "{'submitted_on': '2020-03-31', "
	    "'eligible_cost_cents': 80000000, 'prior_projects': 0}",
	    40000000, 40000000, "per_applicant_cap_cents", "TVP-2016");
}

static void
test_issue_rth(void **state)
{
	/* Doctorate, 1 person, 36 months x HK$32,000 = HK$1,152,000. */
	expect_quote("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'doctorate', 'head_count': 1, 'months': 36}",
	    115200000, 0, NULL, "RTH-2020");
}

/*
 * grant (PSTS: 50% up to HK$1M, then 100% up to HK$1M from 30 Mar 2020).
 */

static void
test_grant_caps(void **state)
{
	/* PSTS-2011: 5000 bp of cost, max_cents 100,000,000. */
	expect_quote("PSTS", "{'submitted_on': '2015-01-01', "
	    "'eligible_cost_cents': 200000000}", 100000000, 100000000,
	    "max_cents", "PSTS-2011");
	expect_quote("PSTS", "{'submitted_on': '2015-01-01', "
	    "'eligible_cost_cents': 199999999}", 99999999, 100000000, NULL,
	    "PSTS-2011");
	expect_quote("PSTS", "{'submitted_on': '2015-01-01', "
	    "'eligible_cost_cents': 200000002}", 100000000, 100000002,
	    "max_cents", "PSTS-2011");
	/* PSTS-2020: cost_share_bp absent, so 10000. */
	expect_quote("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100000000}", 100000000, 0, "max_cents",
	    "PSTS-2020");
	expect_quote("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 99999999}", 99999999, 0, NULL,
	    "PSTS-2020");
	expect_quote("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100000001}", 100000000, 1, "max_cents",
	    "PSTS-2020");
}

static void
test_grant_rounding(void **state)
{
	/* Half of 3 cents is 1.5: down to 1. */
	expect_quote("PSTS", "{'submitted_on': '2015-01-01', "
	    "'eligible_cost_cents': 3}", 1, 2, NULL, "PSTS-2011");
	expect_quote("PSTS", "{'submitted_on': '2015-01-01', "
	    "'eligible_cost_cents': 0}", 0, 0, NULL, "PSTS-2011");
}

static void
test_grant_boundaries(void **state)
{
	expect_refused("PSTS", "{'submitted_on': '2011-02-28', "
	    "'eligible_cost_cents': 100}", APP_EINVAL, "submitted_on",
	    "PSTS had no rules in force on 2011-02-28");
	expect_quote("PSTS", "{'submitted_on': '2011-03-01', "
	    "'eligible_cost_cents': 150000000}", 75000000, 75000000, NULL,
	    "PSTS-2011");
	expect_quote("PSTS", "{'submitted_on': '2020-03-29', "
	    "'eligible_cost_cents': 150000000}", 75000000, 75000000, NULL,
	    "PSTS-2011");
	expect_quote("PSTS", "{'submitted_on': '2020-03-30', "
	    "'eligible_cost_cents': 150000000}", 100000000, 50000000,
	    "max_cents", "PSTS-2020");
}

/*
 * matching (TVP: per-applicant cap and project count; RFS: per-project
 * cap, then all three from 2024-01-08).
 */

static void
test_matching_applicant_cap(void **state)
{
	/* TVP-2020: 3/4, cap 60,000,000. */
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 79999999}", 59999999, 20000000, NULL,
	    "TVP-2020");
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 80000002}", 60000000, 20000002,
	    "per_applicant_cap_cents", "TVP-2020");
	/* TVP-2016: 2/3, cap 40,000,000: 60,000,000 x 2/3 is at it. */
	expect_quote("TVP", "{'submitted_on': '2018-06-01', "
	    "'eligible_cost_cents': 60000000}", 40000000, 20000000,
	    "per_applicant_cap_cents", "TVP-2016");
	expect_quote("TVP", "{'submitted_on': '2018-06-01', "
	    "'eligible_cost_cents': 59999999}", 39999999, 20000000, NULL,
	    "TVP-2016");
	expect_quote("TVP", "{'submitted_on': '2018-06-01', "
	    "'eligible_cost_cents': 60000002}", 40000000, 20000002,
	    "per_applicant_cap_cents", "TVP-2016");
}

static void
test_matching_prior_approved(void **state)
{
	/* Room under the cap shrinks by what was approved before. */
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 54000000}", 6000000, 2000000,
	    "per_applicant_cap_cents", "TVP-2020");
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 54000001}", 5999999, 2000001,
	    "per_applicant_cap_cents", "TVP-2020");
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 53999999}", 6000000, 2000000, NULL,
	    "TVP-2020");
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 59999999}", 1, 7999999,
	    "per_applicant_cap_cents", "TVP-2020");
	expect_refused("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 60000000}", APP_EINVAL,
	    "per_applicant_cap_cents", "per_applicant_cap_cents: the "
	    "applicant has had HK$600,000.00 approved");
	expect_refused("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 60000001}", APP_EINVAL,
	    "per_applicant_cap_cents", "leaving nothing");
	/* The old cap on the old rules. */
	expect_refused("TVP", "{'submitted_on': '2020-03-31', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 40000000}", APP_EINVAL,
	    "per_applicant_cap_cents", "TVP-2016");
	expect_quote("TVP", "{'submitted_on': '2020-04-01', "
	    "'eligible_cost_cents': 8000000, "
	    "'prior_approved_cents': 40000000}", 6000000, 2000000, NULL,
	    "TVP-2020");
}

static void
test_matching_max_projects(void **state)
{
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 100, 'prior_projects': 5}", 75, 25, NULL,
	    "TVP-2020");
	expect_refused("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 100, 'prior_projects': 6}", APP_EINVAL,
	    "max_projects", "max_projects: the applicant already has 6 "
	    "project(s); TVP-2020 allows at most 6");
	expect_refused("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 100, 'prior_projects': 7}", APP_EINVAL,
	    "max_projects", "max_projects");
	/* Four before 1 April 2020, six from then. */
	expect_quote("TVP", "{'submitted_on': '2020-03-31', "
	    "'eligible_cost_cents': 99, 'prior_projects': 3}", 66, 33, NULL,
	    "TVP-2016");
	expect_refused("TVP", "{'submitted_on': '2020-03-31', "
	    "'eligible_cost_cents': 99, 'prior_projects': 4}", APP_EINVAL,
	    "max_projects", "TVP-2016 allows at most 4");
	expect_quote("TVP", "{'submitted_on': '2020-04-01', "
	    "'eligible_cost_cents': 100, 'prior_projects': 4}", 75, 25, NULL,
	    "TVP-2020");
}

static void
test_matching_boundaries(void **state)
{
	expect_refused("TVP", "{'submitted_on': '2016-11-20', "
	    "'eligible_cost_cents': 100}", APP_EINVAL, "submitted_on",
	    "TVP had no rules in force on 2016-11-20 (its first rules took "
	    "effect on 2016-11-21)");
	expect_quote("TVP", "{'submitted_on': '2016-11-21', "
	    "'eligible_cost_cents': 300}", 200, 100, NULL, "TVP-2016");
	expect_quote("TVP", "{'submitted_on': '2024-12-31', "
	    "'eligible_cost_cents': 400}", 300, 100, NULL, "TVP-2020");
	expect_refused("TVP", "{'submitted_on': '2025-01-01', "
	    "'eligible_cost_cents': 400}", APP_EINVAL, "submitted_on",
	    "TVP had no rules in force on 2025-01-01 (closed to applications "
	    "after 2024-12-31)");
}

static void
test_matching_project_cap(void **state)
{
	/* RFS-2020: 1/3 of cost, per-project cap 1,500,000,000. */
	expect_quote("RFS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 4500000000}", 1500000000, 3000000000LL,
	    "per_project_cap_cents", "RFS-2020");
	expect_quote("RFS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 4499999999}", 1499999999, 3000000000LL,
	    NULL, "RFS-2020");
	expect_quote("RFS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 4500000003}", 1500000000, 3000000003LL,
	    "per_project_cap_cents", "RFS-2020");
	/* RFS-2020 has no project limit, NIFS-2024 three. */
	expect_quote("RFS", "{'submitted_on': '2024-01-07', "
	    "'eligible_cost_cents': 300, 'prior_projects': 3}", 100, 200,
	    NULL, "RFS-2020");
	expect_refused("RFS", "{'submitted_on': '2024-01-08', "
	    "'eligible_cost_cents': 300, 'prior_projects': 3}", APP_EINVAL,
	    "max_projects", "NIFS-2024 allows at most 3");
	expect_refused("RFS", "{'submitted_on': '2020-07-26', "
	    "'eligible_cost_cents': 300}", APP_EINVAL, "submitted_on",
	    "no rules in force");
}

static void
test_matching_cap_order(void **state)
{
	/* Applicant room below the project cap binds. */
	expect_quote("RFS", "{'submitted_on': '2024-02-01', "
	    "'eligible_cost_cents': 6000000000, "
	    "'prior_approved_cents': 3500000000}", 1000000000, 5000000000LL,
	    "per_applicant_cap_cents", "NIFS-2024");
	/* Room equal to the project cap: the later cap is named. */
	expect_quote("RFS", "{'submitted_on': '2024-02-01', "
	    "'eligible_cost_cents': 6000000000, "
	    "'prior_approved_cents': 3000000000}", 1500000000, 4500000000LL,
	    "per_applicant_cap_cents", "NIFS-2024");
	/* Room above the project cap: the project cap binds. */
	expect_quote("RFS", "{'submitted_on': '2024-02-01', "
	    "'eligible_cost_cents': 6000000000, "
	    "'prior_approved_cents': 2999999999}", 1500000000, 4500000000LL,
	    "per_project_cap_cents", "NIFS-2024");
}

static void
test_matching_large(void **state)
{
	/* INT64_MAX cents of cost: the share is computed without overflow. */
	expect_quote("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 9223372036854775807}", 60000000,
	    INT64_MAX - 60000000, "per_applicant_cap_cents", "TVP-2020");
	expect_quote("RFS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 9223372036854775807}", 1500000000,
	    INT64_MAX - 1500000000, "per_project_cap_cents", "RFS-2020");
	/* A prior this large leaves no room; no overflow in cap - prior. */
	expect_refused("TVP", "{'submitted_on': '2022-06-01', "
	    "'eligible_cost_cents': 100, "
	    "'prior_approved_cents': 9223372036854775807}", APP_EINVAL,
	    "per_applicant_cap_cents", "leaving nothing");
}

/*
 * rebate (CRS: 10% -> 30% -> 40%).
 */

static void
test_rebate(void **state)
{
	expect_refused("CRS", "{'submitted_on': '2010-03-31', "
	    "'eligible_cost_cents': 1000}", APP_EINVAL, "submitted_on",
	    "CRS had no rules in force on 2010-03-31");
	expect_quote("CRS", "{'submitted_on': '2010-04-01', "
	    "'eligible_cost_cents': 1000001}", 100000, 900001, NULL,
	    "CRS-2010");
	expect_quote("CRS", "{'submitted_on': '2012-03-31', "
	    "'eligible_cost_cents': 1000001}", 100000, 900001, NULL,
	    "CRS-2010");
	expect_quote("CRS", "{'submitted_on': '2012-04-01', "
	    "'eligible_cost_cents': 1000001}", 300000, 700001, NULL,
	    "CRS-2012");
	expect_quote("CRS", "{'submitted_on': '2016-02-23', "
	    "'eligible_cost_cents': 1000001}", 300000, 700001, NULL,
	    "CRS-2012");
	expect_quote("CRS", "{'submitted_on': '2016-02-24', "
	    "'eligible_cost_cents': 1000001}", 400000, 600001, NULL,
	    "CRS-2016");
	expect_quote("CRS", "{'submitted_on': '2030-01-01', "
	    "'eligible_cost_cents': 9223372036854775807}",
	    3689348814741910322LL, INT64_MAX - 3689348814741910322LL, NULL,
	    "CRS-2016");
}

/*
 * allowance (RTH by qualification, STEM flat).
 */

static void
test_allowance_heads(void **state)
{
	expect_quote("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'bachelor', 'head_count': 4, 'months': 12}",
	    4 * 12 * 1800000, 0, NULL, "RTH-2020");
	expect_quote("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 3, 'months': 12}",
	    3 * 12 * 2100000, 0, NULL, "RTH-2020");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 5, 'months': 12}",
	    APP_EINVAL, "max_heads", "max_heads: 5 talent(s) with 0 already "
	    "employed would exceed the 4 RTH-2020 allows");
	/* prior_heads counts towards the four. */
	expect_quote("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 3, 'months': 12, "
	    "'prior_heads': 1}", 3 * 12 * 2100000, 0, NULL, "RTH-2020");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 3, 'months': 12, "
	    "'prior_heads': 2}", APP_EINVAL, "max_heads", "with 2 already");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 1, 'months': 12, "
	    "'prior_heads': 9223372036854775807}", APP_EINVAL, "max_heads",
	    "max_heads");
}

static void
test_allowance_months(void **state)
{
	expect_quote("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'doctorate', 'head_count': 2, 'months': 35}",
	    2 * 35 * 3200000, 0, NULL, "RTH-2020");
	expect_quote("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'doctorate', 'head_count': 2, 'months': 36}",
	    2 * 36 * 3200000, 0, NULL, "RTH-2020");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'doctorate', 'head_count': 2, 'months': 37}",
	    APP_EINVAL, "max_months", "max_months: months is 37 months; "
	    "RTH-2020 allows at most 36");
}

static void
test_allowance_talents(void **state)
{
	expect_quote("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "{'qualification': 'bachelor', 'months': 36}, "
	    "{'qualification': 'master', 'months': 12}, "
	    "{'qualification': 'doctorate', 'months': 1}]}",
	    64800000 + 25200000 + 3200000, 0, NULL, "RTH-2020");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "{'qualification': 'bachelor', 'months': 36}, "
	    "{'qualification': 'master', 'months': 37}]}", APP_EINVAL,
	    "max_months", "talents[1].months is 37 months");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "{'qualification': 'bachelor', 'months': 1}, "
	    "{'qualification': 'bachelor', 'months': 1}, "
	    "{'qualification': 'bachelor', 'months': 1}, "
	    "{'qualification': 'bachelor', 'months': 1}, "
	    "{'qualification': 'bachelor', 'months': 1}]}", APP_EINVAL,
	    "max_heads", "max_heads");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': []}",
	    APP_EINVAL, "talents", "at least one");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "{'qualification': 'bachelor', 'months': 1, 'name': 'Chan'}]}",
	    APP_EBADREQ, "talents[0].name", "unknown input");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "{'qualification': 'bachelor', 'months': 0}]}", APP_EINVAL,
	    "talents[0].months", "at least 1");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "{'months': 3}]}", APP_EINVAL, "talents[0].qualification",
	    "missing");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "3]}", APP_EBADREQ, "talents[0]", "must be an object");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': "
	    "{}}", APP_EBADREQ, "talents", "must be an array");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', 'talents': ["
	    "{'qualification': 'bachelor', 'months': 1}], 'months': 3}",
	    APP_EBADREQ, "talents", "not both");
}

static void
test_allowance_inputs(void **state)
{
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'phd', 'head_count': 1, 'months': 3}",
	    APP_EINVAL, "qualification", "bachelor, master or doctorate");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 3, 'head_count': 1, 'months': 3}",
	    APP_EBADREQ, "qualification", "must be a string");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'head_count': 1, 'months': 3}", APP_EINVAL, "qualification",
	    "missing");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 0, 'months': 3}",
	    APP_EINVAL, "head_count", "at least 1");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'months': 3}", APP_EINVAL,
	    "head_count", "missing");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 1, 'months': -3}",
	    APP_EINVAL, "months", "at least 1");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 1, 'months': 3, "
	    "'prior_heads': -1}", APP_EINVAL, "prior_heads", "negative");
	expect_refused("RTH", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'master', 'head_count': 1, 'months': 3, "
	    "'eligible_cost_cents': 5}", APP_EBADREQ, "eligible_cost_cents",
	    "unknown input for the allowance model");
	expect_refused("RTH", "{'submitted_on': '2020-06-30', "
	    "'qualification': 'master', 'head_count': 1, 'months': 3}",
	    APP_EINVAL, "submitted_on", "RTH had no rules in force");
	expect_quote("RTH", "{'submitted_on': '2020-07-01', "
	    "'qualification': 'master', 'head_count': 1, 'months': 3}",
	    6300000, 0, NULL, "RTH-2020");
	/* Open-ended last version. */
	expect_quote("RTH", "{'submitted_on': '2099-12-31', "
	    "'qualification': 'master', 'head_count': 1, 'months': 3}",
	    6300000, 0, NULL, "RTH-2020");
}

static void
test_allowance_flat(void **state)
{
	/* STEM: HK$10,500 a month whatever the qualification. */
	expect_quote("STEM", "{'submitted_on': '2021-05-01', "
	    "'head_count': 2, 'months': 3}", 2 * 3 * 1050000, 0, NULL,
	    "STEM-2020");
	expect_quote("STEM", "{'submitted_on': '2021-05-01', "
	    "'qualification': 'doctorate', 'head_count': 1, 'months': 1}",
	    1050000, 0, NULL, "STEM-2020");
	expect_quote("STEM", "{'submitted_on': '2021-05-01', 'talents': "
	    "[{'months': 2}, {'qualification': 'master', 'months': 3}]}",
	    5 * 1050000, 0, NULL, "STEM-2020");
	/* No head-count limit is published for STEM: none is applied. */
	expect_quote("STEM", "{'submitted_on': '2021-05-01', "
	    "'head_count': 40, 'months': 1, 'prior_heads': 500}",
	    40 * 1050000, 0, NULL, "STEM-2020");
	expect_refused("STEM", "{'submitted_on': '2021-05-01', "
	    "'head_count': 1, 'months': 4}", APP_EINVAL, "max_months",
	    "allows at most 3");
}

static void
test_allowance_overflow(void **state)
{
	struct scheme_rules	r;
	struct funding_talent	t[2];
	struct funding_input	in;
	struct funding_result	res;
	struct app_err		err;

	memset(&r, 0, sizeof(r));
	r.id = "HUGE";
	r.monthly_cents[SCHEME_QUAL_DOCTORATE].present = 1;
	r.monthly_cents[SCHEME_QUAL_DOCTORATE].value = INT64_MAX / 2;
	r.max_heads.present = 1;
	r.max_heads.value = INT64_MAX;
	r.max_months.value = 100;

	funding_input_init(&in);
	t[0].qualification = SCHEME_QUAL_DOCTORATE;
	t[0].months = 2;
	t[0].count = 1;
	in.talents = t;
	in.ntalents = 1;
	app_err_clear(&err);
	assert_true(funding_allowance(&r, &in, &res, &err));
	assert_int_equal(res.government_cents, INT64_MAX - 1);

	/* rate x months overflows */
	t[0].months = 3;
	app_err_clear(&err);
	assert_false(funding_allowance(&r, &in, &res, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.field, "talents[0].months");
	assert_non_null(strstr(err.msg, "overflow"));
	in.flat_talent = 1;
	app_err_clear(&err);
	assert_false(funding_allowance(&r, &in, &res, &err));
	assert_string_equal(err.field, "months");

	/* x count overflows */
	t[0].months = 1;
	t[0].count = 3;
	app_err_clear(&err);
	assert_false(funding_allowance(&r, &in, &res, &err));
	assert_string_equal(err.field, "head_count");
	in.flat_talent = 0;
	app_err_clear(&err);
	assert_false(funding_allowance(&r, &in, &res, &err));
	assert_string_equal(err.field, "talents[0].count");

	/* the sum overflows */
	t[0].count = 1;
	t[0].months = 2;
	t[1] = t[0];
	in.ntalents = 2;
	app_err_clear(&err);
	assert_false(funding_allowance(&r, &in, &res, &err));
	assert_string_equal(err.field, "talents");

	/* head counts overflowing int64 still meet max_heads */
	r.max_heads.value = 4;
	t[0].count = INT64_MAX;
	t[1].count = INT64_MAX;
	app_err_clear(&err);
	assert_false(funding_allowance(&r, &in, &res, &err));
	assert_string_equal(err.field, "max_heads");
}

static void
test_allowance_c_api(void **state)
{
	const struct scheme	*s;
	struct funding_talent	 t[2];
	struct funding_input	 in;
	struct funding_result	 res;
	struct app_err		 err;

	s = schemes_find(&set, "RTH");
	funding_input_init(&in);
	t[0].qualification = SCHEME_QUAL_DOCTORATE;
	t[0].months = 36;
	t[0].count = 1;
	t[1].qualification = SCHEME_QUAL_BACHELOR;
	t[1].months = 10;
	t[1].count = 2;
	in.talents = t;
	in.ntalents = 2;
	app_err_clear(&err);
	assert_true(funding_compute(s, rules("RTH", "RTH-2020"), &in, &res,
	    &err));
	assert_int_equal(res.government_cents, 115200000 + 2 * 10 * 1800000);
	assert_string_equal(res.rule_version, "RTH-2020");
	assert_null(res.capped_by);

	t[1].count = 0;
	app_err_clear(&err);
	assert_false(funding_compute(s, rules("RTH", "RTH-2020"), &in, &res,
	    &err));
	assert_string_equal(err.field, "talents[1].count");
	in.ntalents = 0;
	app_err_clear(&err);
	assert_false(funding_compute(s, rules("RTH", "RTH-2020"), &in, &res,
	    &err));
	assert_string_equal(err.field, "talents");
}

/*
 * block_grant (TSSSU: HK$4M / HK$1.2M, from 2019-20 HK$8M / HK$1.5M).
 */

static void
test_block_grant_caps(void **state)
{
	expect_quote("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 150000000}", 150000000, 0,
	    "per_startup_annual_cap_cents", "TSSSU-2019");
	expect_quote("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 149999999}", 149999999, 0, NULL,
	    "TSSSU-2019");
	expect_quote("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 150000001}", 150000000, 1,
	    "per_startup_annual_cap_cents", "TSSSU-2019");
	/* This year's priors. */
	expect_quote("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 60000000, "
	    "'startup_prior_cents': 100000000}", 50000000, 10000000,
	    "per_startup_annual_cap_cents", "TSSSU-2019");
	expect_quote("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 60000000, "
	    "'institution_prior_cents': 790000000}", 10000000, 50000000,
	    "per_institution_annual_cap_cents", "TSSSU-2019");
	expect_quote("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 10000000, "
	    "'institution_prior_cents': 789999999}", 10000000, 0, NULL,
	    "TSSSU-2019");
	/* Both rooms equal: the later cap (institution) is named. */
	expect_quote("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 60000000, "
	    "'startup_prior_cents': 140000000, "
	    "'institution_prior_cents': 790000000}", 10000000, 50000000,
	    "per_institution_annual_cap_cents", "TSSSU-2019");
	expect_refused("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 100, "
	    "'startup_prior_cents': 150000000}", APP_EINVAL,
	    "per_startup_annual_cap_cents", "the start-up has had "
	    "HK$1,500,000.00 approved, leaving nothing under the TSSSU-2019 "
	    "annual cap of HK$1,500,000.00");
	expect_refused("TSSSU", "{'submitted_on': '2020-05-01', "
	    "'eligible_cost_cents': 100, "
	    "'institution_prior_cents': 800000001}", APP_EINVAL,
	    "per_institution_annual_cap_cents", "the institution");
}

static void
test_block_grant_boundaries(void **state)
{
	expect_refused("TSSSU", "{'submitted_on': '2014-03-31', "
	    "'eligible_cost_cents': 100}", APP_EINVAL, "submitted_on",
	    "TSSSU had no rules in force");
	expect_quote("TSSSU", "{'submitted_on': '2014-04-01', "
	    "'eligible_cost_cents': 150000000}", 120000000, 30000000,
	    "per_startup_annual_cap_cents", "TSSSU-2014");
	expect_quote("TSSSU", "{'submitted_on': '2019-03-31', "
	    "'eligible_cost_cents': 150000000}", 120000000, 30000000,
	    "per_startup_annual_cap_cents", "TSSSU-2014");
	expect_quote("TSSSU", "{'submitted_on': '2019-04-01', "
	    "'eligible_cost_cents': 150000000}", 150000000, 0,
	    "per_startup_annual_cap_cents", "TSSSU-2019");
	/* The old institution cap of 400,000,000 on the old rules. */
	expect_refused("TSSSU", "{'submitted_on': '2019-03-31', "
	    "'eligible_cost_cents': 100, "
	    "'institution_prior_cents': 400000000}", APP_EINVAL,
	    "per_institution_annual_cap_cents", "TSSSU-2014");
}

static void
test_block_grant_years(void **state)
{
	const struct scheme	*s;
	struct funding_input	 in;
	struct funding_result	 res;
	struct app_err		 err;

	s = schemes_find(&set, "TSSSU");
	funding_input_init(&in);
	in.eligible_cost_cents = 1000;
	in.prior_years = 2;
	app_err_clear(&err);
	assert_true(funding_compute(s, rules("TSSSU", "TSSSU-2019"), &in,
	    &res, &err));
	assert_int_equal(res.government_cents, 1000);
	in.prior_years = 3;
	app_err_clear(&err);
	assert_false(funding_compute(s, rules("TSSSU", "TSSSU-2019"), &in,
	    &res, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.field, "max_years");
	in.prior_years = -1;
	app_err_clear(&err);
	assert_false(funding_compute(s, rules("TSSSU", "TSSSU-2019"), &in,
	    &res, &err));
	assert_string_equal(err.field, "prior_years");
}

/*
 * co_investment (ITVF: 1/2 of the partner's investment).
 */

static void
test_co_investment(void **state)
{
	expect_quote("ITVF", "{'submitted_on': '2018-01-01', "
	    "'eligible_cost_cents': 6000000000}", 3000000000LL,
	    6000000000LL, "per_deal_cap_cents", "ITVF-2017");
	expect_quote("ITVF", "{'submitted_on': '2018-01-01', "
	    "'eligible_cost_cents': 5999999999}", 2999999999LL,
	    5999999999LL, NULL, "ITVF-2017");
	expect_quote("ITVF", "{'submitted_on': '2018-01-01', "
	    "'eligible_cost_cents': 6000000002}", 3000000000LL,
	    6000000002LL, "per_deal_cap_cents", "ITVF-2017");
	expect_quote("ITVF", "{'submitted_on': '2018-01-01', "
	    "'eligible_cost_cents': 4000000000, "
	    "'prior_approved_cents': 4000000000}", 1000000000, 4000000000LL,
	    "per_company_cap_cents", "ITVF-2017");
	expect_quote("ITVF", "{'submitted_on': '2018-01-01', "
	    "'eligible_cost_cents': 1999999998, "
	    "'prior_approved_cents': 4000000000}", 999999999, 1999999998LL,
	    NULL, "ITVF-2017");
	expect_refused("ITVF", "{'submitted_on': '2018-01-01', "
	    "'eligible_cost_cents': 100, "
	    "'prior_approved_cents': 5000000000}", APP_EINVAL,
	    "per_company_cap_cents", "the company");
	expect_refused("ITVF", "{'submitted_on': '2017-09-14', "
	    "'eligible_cost_cents': 100}", APP_EINVAL, "submitted_on",
	    "ITVF had no rules in force on 2017-09-14");
	expect_quote("ITVF", "{'submitted_on': '2017-09-15', "
	    "'eligible_cost_cents': 101}", 50, 101, NULL, "ITVF-2017");
	expect_refused("ITVF", "{'submitted_on': '2018-01-01', "
	    "'eligible_cost_cents': 100, 'prior_projects': 1}", APP_EBADREQ,
	    "prior_projects", "unknown input for the co_investment model");
}

/*
 * The quote request parser.
 */

static void
test_quote_output(void **state)
{
	struct app_err	 err;
	json_t		*out;

	assert_true(quote("TVP", "{'submitted_on': '2020-04-01', "
	    "'eligible_cost_cents': 100}", &out, &err));
	assert_int_equal(json_object_size(out), 7);
	assert_string_equal(json_string_value(json_object_get(out,
	    "scheme")), "TVP");
	assert_string_equal(json_string_value(json_object_get(out,
	    "funding_model")), "matching");
	assert_string_equal(json_string_value(json_object_get(out,
	    "submitted_on")), "2020-04-01");
	assert_true(json_is_null(json_object_get(out, "capped_by")));
	json_decref(out);
}

static void
test_quote_strict(void **state)
{
	struct app_err		 err;
	json_t			*out, *in;

	in = json_array();
	app_err_clear(&err);
	assert_false(funding_quote_json(schemes_find(&set, "PSTS"), in, &out,
	    &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_null(out);
	json_decref(in);

	expect_refused("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100, 'bogus': 1}", APP_EBADREQ, "bogus",
	    "bogus: unknown input for the grant model");
	expect_refused("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100, 'prior_projects': 0}", APP_EBADREQ,
	    "prior_projects", "unknown input");
	expect_refused("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100.0}", APP_EBADREQ,
	    "eligible_cost_cents", "must be a JSON integer");
	expect_refused("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': '100'}", APP_EBADREQ,
	    "eligible_cost_cents", "must be a JSON integer");
	expect_refused("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': null}", APP_EBADREQ,
	    "eligible_cost_cents", "must be a JSON integer");
	expect_refused("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': true}", APP_EBADREQ,
	    "eligible_cost_cents", "must be a JSON integer");
	expect_refused("PSTS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': -1}", APP_EINVAL, "eligible_cost_cents",
	    "must not be negative");
	expect_refused("PSTS", "{'submitted_on': '2021-01-01'}", APP_EINVAL,
	    "eligible_cost_cents", "eligible_cost_cents: missing");
	expect_refused("PSTS", "{'eligible_cost_cents': 100}", APP_EINVAL,
	    "submitted_on", "submitted_on: missing");
	expect_refused("PSTS", "{'submitted_on': 20210101, "
	    "'eligible_cost_cents': 100}", APP_EBADREQ, "submitted_on",
	    "must be a string");
	expect_refused("PSTS", "{'submitted_on': '2021-02-29', "
	    "'eligible_cost_cents': 100}", APP_EINVAL, "submitted_on",
	    "real date");
	expect_refused("PSTS", "{'submitted_on': '2021-1-01', "
	    "'eligible_cost_cents': 100}", APP_EINVAL, "submitted_on",
	    "YYYY-MM-DD");
	expect_refused("TVP", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100, 'prior_approved_cents': -5}",
	    APP_EINVAL, "prior_approved_cents", "negative");
	expect_refused("TVP", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100, 'prior_projects': 1.5}",
	    APP_EBADREQ, "prior_projects", "integer");
	expect_refused("TSSSU", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100, 'startup_prior_cents': -1}",
	    APP_EINVAL, "startup_prior_cents", "negative");
	expect_refused("TSSSU", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': 100, 'institution_prior_cents': '0'}",
	    APP_EBADREQ, "institution_prior_cents", "integer");
	expect_refused("CRS", "{'submitted_on': '2021-01-01', "
	    "'eligible_cost_cents': -100}", APP_EINVAL,
	    "eligible_cost_cents", "negative");
}

static void
test_c_api_negative(void **state)
{
	static const char *const codes[] = {
		"PSTS", "TVP", "CRS", "TSSSU", "ITVF"
	};
	const struct scheme	*s;
	struct funding_input	 in;
	struct funding_result	 res;
	struct app_err		 err;
	size_t			 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		s = schemes_find(&set, codes[i]);
		funding_input_init(&in);
		in.eligible_cost_cents = -1;
		app_err_clear(&err);
		assert_false(funding_compute(s, &s->rules[s->nrules - 1], &in,
		    &res, &err));
		assert_int_equal(err.code, APP_EINVAL);
		assert_string_equal(err.field, "eligible_cost_cents");
	}
	s = schemes_find(&set, "TVP");
	funding_input_init(&in);
	in.prior_projects = -1;
	app_err_clear(&err);
	assert_false(funding_compute(s, &s->rules[1], &in, &res, &err));
	assert_string_equal(err.field, "prior_projects");
	funding_input_init(&in);
	in.prior_approved_cents = -1;
	app_err_clear(&err);
	s = schemes_find(&set, "ITVF");
	assert_false(funding_compute(s, &s->rules[0], &in, &res, &err));
	assert_string_equal(err.field, "prior_approved_cents");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_tvp),
		cmocka_unit_test(test_issue_rth),
		cmocka_unit_test(test_grant_caps),
		cmocka_unit_test(test_grant_rounding),
		cmocka_unit_test(test_grant_boundaries),
		cmocka_unit_test(test_matching_applicant_cap),
		cmocka_unit_test(test_matching_prior_approved),
		cmocka_unit_test(test_matching_max_projects),
		cmocka_unit_test(test_matching_boundaries),
		cmocka_unit_test(test_matching_project_cap),
		cmocka_unit_test(test_matching_cap_order),
		cmocka_unit_test(test_matching_large),
		cmocka_unit_test(test_rebate),
		cmocka_unit_test(test_allowance_heads),
		cmocka_unit_test(test_allowance_months),
		cmocka_unit_test(test_allowance_talents),
		cmocka_unit_test(test_allowance_inputs),
		cmocka_unit_test(test_allowance_flat),
		cmocka_unit_test(test_allowance_overflow),
		cmocka_unit_test(test_allowance_c_api),
		cmocka_unit_test(test_block_grant_caps),
		cmocka_unit_test(test_block_grant_boundaries),
		cmocka_unit_test(test_block_grant_years),
		cmocka_unit_test(test_co_investment),
		cmocka_unit_test(test_quote_output),
		cmocka_unit_test(test_quote_strict),
		cmocka_unit_test(test_c_api_negative),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
