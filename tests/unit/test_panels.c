/*
 * test_panels.c: the pure parts of panels.c and decisions.c: weighted
 * totals and their rounding, the mean over members, score checks, cutting
 * notification text; recommendation bodies, the outcome table (MHKJFS's
 * two-sided rule), the authority and cap checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decisions.h"
#include "panels.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ESS's five published areas, 20% each, scored out of 10. */
static struct scheme_criterion ess[] = {
	{ "innovation_technology", "", "", 2000, 10, NULL },
	{ "technical_management", "", "", 2000, 10, NULL },
	{ "financial_considerations", "", "", 2000, 10, NULL },
	{ "commercial_viability", "", "", 2000, 10, NULL },
	{ "community_policy", "", "", 2000, 10, NULL },
};

/* PSTS: three criteria whose weights do not divide evenly. */
static struct scheme_criterion psts[] = {
	{ "public_benefit", "", "", 3334, 10, NULL },
	{ "technical_merit", "", "", 3333, 10, NULL },
	{ "budget", "", "", 3333, 10, NULL },
};

/* Mixed scales: out of 3 and out of 10. */
static struct scheme_criterion mixed[] = {
	{ "a", "", "", 5000, 3, NULL },
	{ "b", "", "", 5000, 10, NULL },
};

static void
test_weighted_ess(void **state)
{
	int		s1[] = { 7, 8, 6, 9, 5 };
	int		full[] = { 10, 10, 10, 10, 10 };
	int		zero[] = { 0, 0, 0, 0, 0 };
	struct app_err	e;
	int64_t		num, den;
	int		bp;

	app_err_clear(&e);
	assert_true(panels_weighted(ess, NELEM(ess), s1, &num, &den, &e));
	assert_int_equal(den, 10);
	assert_int_equal(num, 70000);		/* 35 x 2000 */
	assert_true(panels_weighted_bp(ess, NELEM(ess), s1, &bp, &e));
	assert_int_equal(bp, 7000);
	assert_true(panels_weighted_bp(ess, NELEM(ess), full, &bp, &e));
	assert_int_equal(bp, PANEL_FULL_BP);
	assert_true(panels_weighted_bp(ess, NELEM(ess), zero, &bp, &e));
	assert_int_equal(bp, 0);
}

static void
test_weighted_rounding(void **state)
{
	int		s1[] = { 1, 0, 0 };	/* 333.4 */
	int		s2[] = { 0, 1, 0 };	/* 333.3 */
	int		s3[] = { 7, 7, 7 };	/* exactly 7000 */
	int		s4[] = { 10, 0, 0 };	/* 3334 */
	int		m1[] = { 1, 0 };	/* 1666.67 */
	int		m2[] = { 2, 5 };	/* 3333.33 + 2500 */
	struct app_err	e;
	int64_t		num, den;
	int		bp;

	app_err_clear(&e);
	assert_true(panels_weighted_bp(psts, NELEM(psts), s1, &bp, &e));
	assert_int_equal(bp, 333);
	assert_true(panels_weighted_bp(psts, NELEM(psts), s2, &bp, &e));
	assert_int_equal(bp, 333);
	assert_true(panels_weighted_bp(psts, NELEM(psts), s3, &bp, &e));
	assert_int_equal(bp, 7000);
	assert_true(panels_weighted_bp(psts, NELEM(psts), s4, &bp, &e));
	assert_int_equal(bp, 3334);
	/* Over the lcm of 3 and 10: exact until the one rounding. */
	assert_true(panels_weighted(mixed, NELEM(mixed), m1, &num, &den, &e));
	assert_int_equal(den, 30);
	assert_int_equal(num, 50000);		/* 1 x 5000 x 10 */
	assert_true(panels_weighted_bp(mixed, NELEM(mixed), m1, &bp, &e));
	assert_int_equal(bp, 1667);
	assert_true(panels_weighted_bp(mixed, NELEM(mixed), m2, &bp, &e));
	assert_int_equal(bp, 5833);
}

static void
test_round_half_up(void **state)
{
	struct scheme_criterion	half[] = {
		{ "x", "", "", 9999, 10, NULL },
		{ "y", "", "", 1, 2, NULL },
	};
	int			s[] = { 0, 1 };	/* 0.5 bp */
	struct app_err		e;
	int			bp;

	assert_int_equal(panels_round(5, 10), 1);
	assert_int_equal(panels_round(4, 10), 0);
	assert_int_equal(panels_round(15, 10), 2);
	assert_int_equal(panels_round(25, 10), 3);
	assert_int_equal(panels_round(0, 7), 0);
	app_err_clear(&e);
	assert_true(panels_weighted_bp(half, NELEM(half), s, &bp, &e));
	assert_int_equal(bp, 1);
}

static void
test_weighted_refuses(void **state)
{
	int		over[] = { 11, 0, 0, 0, 0 };
	int		neg[] = { 0, -1, 0, 0, 0 };
	struct app_err	e;
	int64_t		num, den;

	app_err_clear(&e);
	assert_false(panels_weighted(ess, NELEM(ess), over, &num, &den, &e));
	assert_int_equal(e.code, APP_EINVAL);
	assert_string_equal(e.field, "innovation_technology");
	app_err_clear(&e);
	assert_false(panels_weighted(ess, NELEM(ess), neg, &num, &den, &e));
	assert_string_equal(e.field, "technical_management");
}

static void
test_mean(void **state)
{
	int64_t		nums[] = { 70000, 80000, 65000 };	/* /10 */
	int64_t		two[] = { 70000, 70001 };
	struct app_err	e;
	int		bp;

	app_err_clear(&e);
	assert_true(panels_mean_bp(nums, 3, 10, &bp, &e));
	assert_int_equal(bp, 7167);		/* 7166.67 */
	assert_true(panels_mean_bp(two, 2, 10, &bp, &e));
	assert_int_equal(bp, 7000);		/* 7000.05 */
	assert_true(panels_mean_bp(nums, 1, 10, &bp, &e));
	assert_int_equal(bp, 7000);
	assert_false(panels_mean_bp(nums, 0, 10, &bp, &e));
}

static void
test_score_check(void **state)
{
	struct scheme	 s;
	struct app_err	 e;
	json_t		*v;
	int		 score;

	memset(&s, 0, sizeof(s));
	s.code = "ESS";
	s.criteria = ess;
	s.ncriteria = NELEM(ess);

	app_err_clear(&e);
	v = json_integer(9);
	assert_true(panels_score_check(&s, "community_policy", v,
	    "scores.community_policy", &score, &e));
	assert_int_equal(score, 9);
	json_decref(v);

	v = json_integer(11);
	assert_false(panels_score_check(&s, "community_policy", v,
	    "scores.community_policy", &score, &e));
	assert_int_equal(e.code, APP_EINVAL);
	assert_string_equal(e.field, "scores.community_policy");
	json_decref(v);

	app_err_clear(&e);
	v = json_integer(-1);
	assert_false(panels_score_check(&s, "budget", v, "scores.budget",
	    &score, &e));
	assert_int_equal(e.code, APP_EINVAL);
	assert_string_equal(e.field, "scores.budget");	/* no such criterion */
	assert_non_null(strstr(e.msg, "no criterion"));
	json_decref(v);

	app_err_clear(&e);
	v = json_real(7.5);
	assert_false(panels_score_check(&s, "community_policy", v,
	    "scores.community_policy", &score, &e));
	assert_int_equal(e.code, APP_EBADREQ);
	json_decref(v);

	app_err_clear(&e);
	v = json_string("7");
	assert_false(panels_score_check(&s, "community_policy", v,
	    "scores.community_policy", &score, &e));
	assert_int_equal(e.code, APP_EBADREQ);
	json_decref(v);
}

static void
test_recommendation_body(void **state)
{
	struct decisions_recommendation	 r;
	struct app_err			 e;
	json_t				*in;

	app_err_clear(&e);
	in = json_pack("{s:s,s:s}", "recommendation", "support", "reasons",
	    "Strong team.");
	assert_true(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_int_equal(r.rec, DECISIONS_SUPPORT);
	assert_int_equal(r.recommended_cents, 5000000);
	assert_null(r.conditions);
	json_decref(in);

	in = json_pack("{s:s,s:s,s:s,s:I}", "recommendation",
	    "support_with_conditions", "reasons", "Good", "conditions",
	    "Drop the travel line", "recommended_cents", (json_int_t)4000000);
	assert_true(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_int_equal(r.recommended_cents, 4000000);
	assert_string_equal(r.conditions, "Drop the travel line");
	json_decref(in);

	/* Conditions without a reduction keep the request. */
	in = json_pack("{s:s,s:s,s:s}", "recommendation",
	    "support_with_conditions", "reasons", "Good", "conditions", "X");
	assert_true(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_int_equal(r.recommended_cents, 5000000);
	json_decref(in);

	in = json_pack("{s:s,s:s}", "recommendation", "not_support",
	    "reasons", "Weak case");
	assert_true(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_int_equal(r.recommended_cents, -1);
	json_decref(in);

	/* Refusals, each naming its field. */
	in = json_pack("{s:s,s:s,s:s,s:I}", "recommendation",
	    "support_with_conditions", "reasons", "Good", "conditions", "X",
	    "recommended_cents", (json_int_t)5000001);
	assert_false(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_int_equal(e.code, APP_EINVAL);
	assert_string_equal(e.field, "recommended_cents");
	json_decref(in);

	app_err_clear(&e);
	in = json_pack("{s:s,s:s}", "recommendation",
	    "support_with_conditions", "reasons", "Good");
	assert_false(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_string_equal(e.field, "conditions");
	json_decref(in);

	app_err_clear(&e);
	in = json_pack("{s:s,s:s,s:s}", "recommendation", "support",
	    "reasons", "Good", "conditions", "X");
	assert_false(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_string_equal(e.field, "conditions");
	json_decref(in);

	app_err_clear(&e);
	in = json_pack("{s:s,s:s,s:I}", "recommendation", "support",
	    "reasons", "Good", "recommended_cents", (json_int_t)1);
	assert_false(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_string_equal(e.field, "recommended_cents");
	json_decref(in);

	app_err_clear(&e);
	in = json_pack("{s:s,s:s}", "recommendation", "maybe", "reasons", "?");
	assert_false(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_string_equal(e.field, "recommendation");
	json_decref(in);

	app_err_clear(&e);
	in = json_pack("{s:s,s:s}", "recommendation", "support", "reasons",
	    "  ");
	assert_false(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_string_equal(e.field, "reasons");
	json_decref(in);

	app_err_clear(&e);
	in = json_pack("{s:s,s:s,s:b}", "recommendation", "support",
	    "reasons", "ok", "unanimous", 1);
	assert_false(decisions_recommendation_from_json(in, 5000000, &r, &e));
	assert_int_equal(e.code, APP_EBADREQ);
	assert_string_equal(e.field, "unanimous");
	json_decref(in);
}

static void
test_outcome(void **state)
{
	enum application_status	to;
	struct app_err		e;

	app_err_clear(&e);
	assert_true(decisions_outcome(0, DECISIONS_PARTNER_NONE, DECISIONS_SUPPORT,
	    &to, &e));
	assert_int_equal(to, APPLICATION_RECOMMENDED);
	assert_true(decisions_outcome(0, DECISIONS_PARTNER_NONE,
	    DECISIONS_SUPPORT_WITH_CONDITIONS, &to, &e));
	assert_int_equal(to, APPLICATION_RECOMMENDED);
	assert_true(decisions_outcome(0, DECISIONS_PARTNER_NONE,
	    DECISIONS_NOT_SUPPORT, &to, &e));
	assert_int_equal(to, APPLICATION_NOT_RECOMMENDED);
	/* MHKJFS: both must support; either side not supporting stops it. */
	assert_true(decisions_outcome(1, DECISIONS_PARTNER_SUPPORTED,
	    DECISIONS_SUPPORT, &to, &e));
	assert_int_equal(to, APPLICATION_RECOMMENDED);
	assert_true(decisions_outcome(1, DECISIONS_PARTNER_NOT_SUPPORTED,
	    DECISIONS_SUPPORT, &to, &e));
	assert_int_equal(to, APPLICATION_NOT_RECOMMENDED);
	assert_true(decisions_outcome(1, DECISIONS_PARTNER_SUPPORTED,
	    DECISIONS_NOT_SUPPORT, &to, &e));
	assert_int_equal(to, APPLICATION_NOT_RECOMMENDED);
	assert_true(decisions_outcome(1, DECISIONS_PARTNER_NONE, DECISIONS_NOT_SUPPORT,
	    &to, &e));
	assert_int_equal(to, APPLICATION_NOT_RECOMMENDED);
	assert_false(decisions_outcome(1, DECISIONS_PARTNER_NONE, DECISIONS_SUPPORT,
	    &to, &e));
	assert_int_equal(e.code, APP_ESTATE);
	assert_string_equal(e.field, "partner_assessment");
}

static void
test_authority(void **state)
{
	struct app_err	e;

	app_err_clear(&e);
	assert_true(decisions_authority_check(MONEY_HKD(1000000),
	    MONEY_HKD(1000000), &e));
	assert_true(decisions_authority_check(MONEY_HKD(1000000), 0, &e));
	assert_false(decisions_authority_check(MONEY_HKD(1000000),
	    MONEY_HKD(1000000) + 1, &e));
	assert_int_equal(e.code, APP_EFORBIDDEN);
	assert_string_equal(e.field, "authority_cents");
	assert_non_null(strstr(e.msg, "HK$1,000,000.00"));
	assert_non_null(strstr(e.msg, "HK$1,000,000.01"));
}

static void
test_caps(void **state)
{
	struct scheme_rules	r;
	struct app_err		e;

	/* RFS-2024: HK$15M a project, HK$45M and 3 projects an applicant. */
	memset(&r, 0, sizeof(r));
	r.id = "RFS-2024";
	r.per_project_cap_cents.present = 1;
	r.per_project_cap_cents.value = MONEY_HKD(15000000);
	r.per_applicant_cap_cents.present = 1;
	r.per_applicant_cap_cents.value = MONEY_HKD(45000000);
	r.max_projects.present = 1;
	r.max_projects.value = 3;

	app_err_clear(&e);
	assert_true(decisions_caps_check(&r, MONEY_HKD(15000000),
	    MONEY_HKD(30000000), 2, 0, 0, &e));
	assert_false(decisions_caps_check(&r, MONEY_HKD(15000000) + 1, 0, 0, 0,
	    0, &e));
	assert_int_equal(e.code, APP_ECONFLICT);
	assert_string_equal(e.field, "per_project_cap_cents");
	app_err_clear(&e);
	assert_false(decisions_caps_check(&r, MONEY_HKD(1), MONEY_HKD(45000000),
	    1, 0, 0, &e));
	assert_string_equal(e.field, "per_applicant_cap_cents");
	app_err_clear(&e);
	assert_false(decisions_caps_check(&r, MONEY_HKD(1), 0, 3, 0, 0, &e));
	assert_string_equal(e.field, "max_projects");

	/* RTH: four people at most. */
	memset(&r, 0, sizeof(r));
	r.id = "RTH-2020";
	r.max_heads.present = 1;
	r.max_heads.value = 4;
	app_err_clear(&e);
	assert_true(decisions_caps_check(&r, 100, 0, 0, 2, 2, &e));
	assert_false(decisions_caps_check(&r, 100, 0, 0, 3, 2, &e));
	assert_string_equal(e.field, "max_heads");
}

static void
test_utf8_cut(void **state)
{
	char	ascii[] = "abcdef";
	char	zh[] = "申請理由";	/* 4 characters, 12 bytes */
	char	shortz[] = "申";

	panels_utf8_cut(ascii, 3);
	assert_string_equal(ascii, "abc");
	panels_utf8_cut(zh, 2);
	assert_string_equal(zh, "申請");
	panels_utf8_cut(shortz, 5);
	assert_string_equal(shortz, "申");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weighted_ess),
		cmocka_unit_test(test_weighted_rounding),
		cmocka_unit_test(test_round_half_up),
		cmocka_unit_test(test_weighted_refuses),
		cmocka_unit_test(test_mean),
		cmocka_unit_test(test_score_check),
		cmocka_unit_test(test_recommendation_body),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_authority),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_utf8_cut),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
