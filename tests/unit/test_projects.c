/*
 * test_projects.c: the pure rules of app/core/projects.c: payment plans by
 * pattern, tranche splits that sum exactly, rescaling after a lower
 * contribution, the close-out surplus, upload sniffing and display names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "payments.h"
#include "projects.h"

static cents_t
sum(const cents_t *v, size_t n)
{
	cents_t	s;
	size_t	i;

	for (s = 0, i = 0; i < n; i++)
		s += v[i];
	return (s);
}

static void
test_split_exact(void **state)
{
	static const int	 thirds[] = { 3333, 3333, 3334 };
	static const int	 tvp[] = { 2500, 7500 };
	static const int	 one[] = { 10000 };
	static const cents_t	 totals[] = { 0, 1, 2, 99, 100, 101, 9999999,
	    50000000, 123456789, 1000000000000000LL };
	cents_t			 out[3];
	struct app_err		 err;
	size_t			 i;

	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		app_err_clear(&err);
		assert_true(projects_split(totals[i], thirds, 3, out, &err));
		assert_int_equal(sum(out, 3), totals[i]);
		/* Rounded down, the remainder on the last. */
		assert_true(out[0] <= out[2]);
		assert_true(projects_split(totals[i], tvp, 2, out, &err));
		assert_int_equal(sum(out, 2), totals[i]);
		assert_true(projects_split(totals[i], one, 1, out, &err));
		assert_int_equal(out[0], totals[i]);
	}
	/* 100 cents in thirds: 33, 33, 34. */
	assert_true(projects_split(100, thirds, 3, out, &err));
	assert_int_equal(out[0], 33);
	assert_int_equal(out[1], 33);
	assert_int_equal(out[2], 34);
	/* HK$600,000 at 25/75: 150,000 and 450,000 exactly. */
	assert_true(projects_split(60000000, tvp, 2, out, &err));
	assert_int_equal(out[0], 15000000);
	assert_int_equal(out[1], 45000000);
}

static void
test_split_refusals(void **state)
{
	static const int	 short_bp[] = { 3000, 3000 };
	static const int	 neg[] = { -1, 10001 };
	static const int	 big[] = { 10001, -1 };
	cents_t			 out[2];
	struct app_err		 err;

	app_err_clear(&err);
	assert_false(projects_split(100, short_bp, 2, out, &err));
	assert_int_equal(err.code, APP_EINVAL);
	app_err_clear(&err);
	assert_false(projects_split(100, neg, 2, out, &err));
	app_err_clear(&err);
	assert_false(projects_split(100, big, 2, out, &err));
	app_err_clear(&err);
	assert_false(projects_split(-5, short_bp, 0, out, &err));
}

static void
test_plan_default(void **state)
{
	struct project_plan	 pl;
	struct app_err		 err;
	cents_t			 initial, amounts[PROJECT_MILESTONES_MAX];
	size_t			 n;
	long			 total;

	app_err_clear(&err);
	/* ITSP-like: milestones, final at least 10%. */
	assert_true(projects_plan_default(SCHEME_PAY_MILESTONES, 3, 0, 1000,
	    &pl, &err));
	assert_int_equal(pl.initial_bp, 0);
	assert_int_equal(pl.bp[0], 3333);
	assert_int_equal(pl.bp[1], 3333);
	assert_int_equal(pl.bp[2], 3334);
	assert_true(projects_plan_check(SCHEME_PAY_MILESTONES, 0, 1000, &pl,
	    &err));
	/* Many milestones: the final keeps its minimum share. */
	assert_true(projects_plan_default(SCHEME_PAY_MILESTONES, 20, 0, 1000,
	    &pl, &err));
	assert_true(pl.bp[19] >= 1000);
	for (total = 0, n = 0; n < 20; n++)
		total += pl.bp[n];
	assert_int_equal(total, 10000);
	assert_true(projects_plan_check(SCHEME_PAY_MILESTONES, 0, 1000, &pl,
	    &err));
	/* TVP: 25% on signing, 75% on completion, nothing in between. */
	assert_true(projects_plan_default(SCHEME_PAY_INITIAL_AND_COMPLETION, 2,
	    2500, 7500, &pl, &err));
	assert_int_equal(pl.initial_bp, 2500);
	assert_int_equal(pl.bp[0], 0);
	assert_int_equal(pl.bp[1], 7500);
	assert_true(projects_plan_check(SCHEME_PAY_INITIAL_AND_COMPLETION,
	    2500, 7500, &pl, &err));
	assert_true(projects_plan_amounts(60000000, &pl, &initial, amounts,
	    &err));
	assert_int_equal(initial, 15000000);
	assert_int_equal(amounts[0], 0);
	assert_int_equal(amounts[1], 45000000);
	/* RFS: everything on completion. */
	assert_true(projects_plan_default(SCHEME_PAY_ON_COMPLETION, 3, 0,
	    10000, &pl, &err));
	assert_int_equal(pl.bp[0], 0);
	assert_int_equal(pl.bp[2], 10000);
	assert_true(projects_plan_check(SCHEME_PAY_ON_COMPLETION, 0, 10000,
	    &pl, &err));
	/* An initial share larger than the final leaves room for. */
	assert_true(projects_plan_default(SCHEME_PAY_INITIAL_AND_COMPLETION, 1,
	    5000, 7000, &pl, &err));
	assert_int_equal(pl.initial_bp, 3000);
	assert_int_equal(pl.bp[0], 7000);
	/* Odd amounts still sum exactly, remainder on the final tranche. */
	assert_true(projects_plan_default(SCHEME_PAY_MILESTONES, 3, 0, 1000,
	    &pl, &err));
	assert_true(projects_plan_amounts(1000001, &pl, &initial, amounts,
	    &err));
	assert_int_equal(initial + amounts[0] + amounts[1] + amounts[2],
	    1000001);
	assert_int_equal(amounts[0], 333300);
	assert_int_equal(amounts[2], 1000001 - 2 * 333300);
	/* No milestones, or too many. */
	app_err_clear(&err);
	assert_false(projects_plan_default(SCHEME_PAY_MILESTONES, 0, 0, 0,
	    &pl, &err));
	app_err_clear(&err);
	assert_false(projects_plan_default(SCHEME_PAY_MILESTONES, 51, 0, 0,
	    &pl, &err));
}

static void
test_plan_check(void **state)
{
	struct project_plan	pl;
	struct app_err		err;

	memset(&pl, 0, sizeof(pl));
	pl.n = 2;
	pl.bp[0] = 9500;
	pl.bp[1] = 500;
	app_err_clear(&err);
	/* Final below final_min_bp. */
	assert_false(projects_plan_check(SCHEME_PAY_MILESTONES, 0, 1000, &pl,
	    &err));
	assert_string_equal(err.field, "milestones[1].tranche_bp");
	/* Not summing to 10000. */
	pl.bp[0] = 8000;
	pl.bp[1] = 1000;
	app_err_clear(&err);
	assert_false(projects_plan_check(SCHEME_PAY_MILESTONES, 0, 1000, &pl,
	    &err));
	assert_string_equal(err.field, "milestones");
	/* An initial payment above the scheme's initial_bp. */
	pl.initial_bp = 3000;
	pl.bp[0] = 0;
	pl.bp[1] = 7000;
	app_err_clear(&err);
	assert_false(projects_plan_check(SCHEME_PAY_INITIAL_AND_COMPLETION,
	    2500, 7000, &pl, &err));
	assert_string_equal(err.field, "initial_bp");
	pl.initial_bp = 2500;
	pl.bp[1] = 7500;
	app_err_clear(&err);
	assert_true(projects_plan_check(SCHEME_PAY_INITIAL_AND_COMPLETION,
	    2500, 7500, &pl, &err));
	/* On completion: nothing before the final milestone. */
	pl.initial_bp = 0;
	pl.bp[0] = 1000;
	pl.bp[1] = 9000;
	app_err_clear(&err);
	assert_false(projects_plan_check(SCHEME_PAY_ON_COMPLETION, 0, 0, &pl,
	    &err));
	assert_string_equal(err.field, "milestones[0].tranche_bp");
	/* A final tranche of nothing is refused even without a minimum. */
	pl.bp[0] = 10000;
	pl.bp[1] = 0;
	app_err_clear(&err);
	assert_false(projects_plan_check(SCHEME_PAY_MILESTONES, 0, 0, &pl,
	    &err));
}

static void
test_rescale(void **state)
{
	/* Initial 25% paid; final 75% unpaid; contribution lowered. */
	static const int	 bp[] = { 2500, 7500 };
	int			 fixed[] = { 1, 0 };
	cents_t			 cur[] = { 15000000, 45000000 }, out[3];
	static const int	 bp3[] = { 3000, 3000, 4000 };
	int			 fixed3[] = { 1, 0, 0 };
	cents_t			 cur3[] = { 300, 300, 400 };
	struct app_err		 err;

	app_err_clear(&err);
	assert_true(projects_rescale(50000000, bp, fixed, cur, 2, 7500, out,
	    &err) == 0);	/* final 35M < 75% of 50M */
	app_err_clear(&err);
	assert_true(projects_rescale(50000000, bp, fixed, cur, 2, 5000, out,
	    &err));
	assert_int_equal(out[0], 15000000);
	assert_int_equal(out[1], 35000000);
	/* Two free tranches share what remains by their shares. */
	app_err_clear(&err);
	assert_true(projects_rescale(901, bp3, fixed3, cur3, 3, 1000, out,
	    &err));
	assert_int_equal(out[0], 300);
	assert_int_equal(out[1] + out[2], 601);
	assert_int_equal(out[1], 601 * 3000 / 7000);
	/* Below what is already paid. */
	app_err_clear(&err);
	assert_false(projects_rescale(299, bp3, fixed3, cur3, 3, 0, out,
	    &err));
	assert_string_equal(err.field, "government_cents");
	/* Everything paid: no change possible. */
	fixed3[1] = fixed3[2] = 1;
	app_err_clear(&err);
	assert_false(projects_rescale(900, bp3, fixed3, cur3, 3, 0, out,
	    &err));
	app_err_clear(&err);
	assert_true(projects_rescale(1000, bp3, fixed3, cur3, 3, 0, out,
	    &err));
}

static void
test_surplus(void **state)
{
	struct project_surplus	 s;
	struct app_err		 err;

	app_err_clear(&err);
	/* Cost HK$1M, contribution HK$500k (1:1); audited HK$800k, so the
	 * government share is HK$400k; HK$500k paid, HK$1,000 interest. */
	assert_true(projects_surplus(50000000, 50000000, 100000000, 80000000,
	    100000, &s, &err));
	assert_int_equal(s.share_cents, 40000000);
	assert_int_equal(s.surplus_cents, 10100000);
	assert_int_equal(s.refund_due_cents, 10100000);
	/* Spent more than budgeted: the share is capped at the contribution. */
	assert_true(projects_surplus(50000000, 50000000, 100000000, 120000000,
	    0, &s, &err));
	assert_int_equal(s.share_cents, 50000000);
	assert_int_equal(s.refund_due_cents, 0);
	/* Paid less than the share: negative surplus, nothing due. */
	assert_true(projects_surplus(20000000, 50000000, 100000000, 100000000,
	    500, &s, &err));
	assert_int_equal(s.surplus_cents, 20000000 - 50000000 + 500);
	assert_int_equal(s.refund_due_cents, 0);
	/* Refund never above what was paid. */
	assert_true(projects_surplus(100, 1000, 2000, 0, 5000, &s, &err));
	assert_int_equal(s.refund_due_cents, 100);
	/* TVP 3/4 rounding: share rounded down. */
	assert_true(projects_surplus(60000000, 60000000, 80000000, 79999999,
	    0, &s, &err));
	assert_int_equal(s.share_cents, 59999999);	/* 79999999 * 3 / 4 */
	assert_int_equal(s.refund_due_cents, 1);
	/* No cost basis (allowances): the audited cost itself. */
	assert_true(projects_surplus(300, 1000, 0, 250, 0, &s, &err));
	assert_int_equal(s.share_cents, 250);
	assert_int_equal(s.refund_due_cents, 50);
	/* Refusals. */
	app_err_clear(&err);
	assert_false(projects_surplus(-1, 1, 1, 1, 0, &s, &err));
	app_err_clear(&err);
	assert_false(projects_surplus(1, 1, 1, 1, -1, &s, &err));
	assert_string_equal(err.field, "interest_cents");
}

static void
test_sniff(void **state)
{
	static const unsigned char	 png[] = { 0x89, 'P', 'N', 'G', '\r',
	    '\n', 0x1a, '\n', 0, 0 };
	static const unsigned char	 jpg[] = { 0xff, 0xd8, 0xff, 0xe0 };
	static const unsigned char	 elf[] = { 0x7f, 'E', 'L', 'F', 2, 1 };
	static const unsigned char	 bad8[] = { 'a', 0xc3, 0x28 };
	const char			*ext;

	assert_string_equal(projects_sniff((const unsigned char *)"%PDF-1.7\n",
	    9, &ext), "application/pdf");
	assert_string_equal(ext, "pdf");
	assert_string_equal(projects_sniff(png, sizeof(png), &ext),
	    "image/png");
	assert_string_equal(projects_sniff(jpg, sizeof(jpg), &ext),
	    "image/jpeg");
	assert_string_equal(projects_sniff((const unsigned char *)
	    "PK\003\004rest", 8, &ext), "application/zip");
	assert_string_equal(projects_sniff((const unsigned char *)
	    "date,amount\n2026-01-01,100\n", 27, &ext),
	    "text/plain; charset=utf-8");
	assert_string_equal(projects_sniff((const unsigned char *)
	    "\xe9\xa0\x85\xe7\x9b\xae", 6, &ext), "text/plain; charset=utf-8");
	assert_null(projects_sniff(elf, sizeof(elf), &ext));
	assert_null(projects_sniff(bad8, sizeof(bad8), &ext));
	assert_null(projects_sniff((const unsigned char *)"a\0b", 3, &ext));
	assert_null(projects_sniff(NULL, 0, &ext));
}

static void
test_display_name(void **state)
{
	char	out[PROJECT_FILENAME_MAX * 4 + 1];

	projects_display_name("../../etc/passwd", out, sizeof(out));
	assert_string_equal(out, "passwd");
	projects_display_name("C:\\reports\\q1.pdf", out, sizeof(out));
	assert_string_equal(out, "q1.pdf");
	projects_display_name("a\"b\nc.pdf", out, sizeof(out));
	assert_string_equal(out, "a_b_c.pdf");
	projects_display_name("..", out, sizeof(out));
	assert_string_equal(out, "");
	projects_display_name("報告.pdf", out, sizeof(out));
	assert_string_equal(out, "報告.pdf");
	/* A short buffer never ends inside a UTF-8 character. */
	projects_display_name("報告", out, 5);
	assert_string_equal(out, "報");
}

static void
test_payment_key_and_hash(void **state)
{
	json_t		*a, *b, *c;
	char		 ha[PAYMENT_HASH_HEX + 1], hb[PAYMENT_HASH_HEX + 1];
	char		 hc[PAYMENT_HASH_HEX + 1];
	struct app_err	 err;

	assert_true(payment_key_ok("pay-2026-0001"));
	assert_false(payment_key_ok(""));
	assert_false(payment_key_ok("has space"));
	assert_false(payment_key_ok("\xe9\xa0\x85"));
	app_err_clear(&err);
	a = json_loads("{\"tranche_id\":3,\"amount_cents\":100,"
	    "\"idempotency_key\":\"k1\"}", 0, NULL);
	b = json_loads("{\"amount_cents\":100,  \"tranche_id\":3}", 0, NULL);
	c = json_loads("{\"amount_cents\":101,\"tranche_id\":3}", 0, NULL);
	assert_true(payment_request_hash(a, ha, &err));
	assert_true(payment_request_hash(b, hb, &err));
	assert_true(payment_request_hash(c, hc, &err));
	assert_string_equal(ha, hb);
	assert_string_not_equal(ha, hc);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void
test_payment_request(void **state)
{
	struct payment_request	 r;
	struct app_err		 err;
	json_t			*in;

	app_err_clear(&err);
	in = json_loads("{\"tranche_id\":7}", 0, NULL);
	assert_false(payments_request_from_json(in, NULL, &r, &err));
	assert_string_equal(err.field, "idempotency_key");
	app_err_clear(&err);
	assert_true(payments_request_from_json(in, "key-1", &r, &err));
	assert_int_equal(r.tranche_id, 7);
	assert_int_equal(r.amount_cents, -1);
	assert_string_equal(r.key, "key-1");
	json_decref(in);
	in = json_loads("{\"tranche_id\":7,\"idempotency_key\":\"a\"}", 0,
	    NULL);
	app_err_clear(&err);
	assert_false(payments_request_from_json(in, "b", &r, &err));
	assert_int_equal(err.code, APP_EBADREQ);
	json_decref(in);
	in = json_loads("{\"tranche_id\":7,\"amount_cents\":1.5}", 0, NULL);
	app_err_clear(&err);
	assert_false(payments_request_from_json(in, "k", &r, &err));
	assert_string_equal(err.field, "amount_cents");
	json_decref(in);
	in = json_loads("{\"tranche_id\":7,\"amount_cents\":0}", 0, NULL);
	app_err_clear(&err);
	assert_false(payments_request_from_json(in, "k", &r, &err));
	assert_int_equal(err.code, APP_EINVAL);
	json_decref(in);
	in = json_loads("{\"tranche_id\":7,\"payee\":\"x\"}", 0, NULL);
	app_err_clear(&err);
	assert_false(payments_request_from_json(in, "k", &r, &err));
	assert_string_equal(err.field, "payee");
	json_decref(in);
}

static void
test_names(void **state)
{
	enum project_status		st;
	enum scheme_payment_pattern	pt;

	assert_true(project_status_parse("refund_due", &st));
	assert_int_equal(st, PROJECT_REFUND_DUE);
	assert_string_equal(project_status_name(PROJECT_AWAITING_SIGNATURE),
	    "awaiting_signature");
	assert_false(project_status_parse("paid", &st));
	assert_true(project_pattern_parse("initial_and_completion", &pt));
	assert_int_equal(pt, SCHEME_PAY_INITIAL_AND_COMPLETION);
	assert_false(project_pattern_parse("weekly", &pt));
}

/*
 * projects_text_arg() judges a note or reason as the handlers did by
 * packing it into {key: s} for projects_json_text(): empty is absent, and
 * text that is not UTF-8 is absent too (json_pack refuses it).
 */
static void
test_text_arg(void **state)
{
	struct app_err	 err;
	const char	*out, *s = "checked by the officer";
	char		 big[PROJECT_TEXT_MAX + 2];

	app_err_clear(&err);
	assert_true(projects_text_arg(s, "note", 0, PROJECT_TEXT_MAX, &out,
	    &err));
	assert_ptr_equal(out, s);
	out = s;
	assert_true(projects_text_arg(NULL, "note", 0, PROJECT_TEXT_MAX,
	    &out, &err));
	assert_null(out);
	out = s;
	assert_true(projects_text_arg("", "note", 0, PROJECT_TEXT_MAX, &out,
	    &err));
	assert_null(out);
	out = s;
	assert_true(projects_text_arg("\xff\xfe", "note", 0, PROJECT_TEXT_MAX,
	    &out, &err));
	assert_null(out);
	assert_true(projects_text_arg("line one\nline two", "note", 0,
	    PROJECT_TEXT_MAX, &out, &err));
	assert_non_null(out);

	assert_false(projects_text_arg(NULL, "reason", 1, PROJECT_TEXT_MAX,
	    &out, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.field, "reason");
	assert_string_equal(err.msg, "reason: is required");
	assert_false(projects_text_arg("\xff", "reason", 1, PROJECT_TEXT_MAX,
	    &out, &err));
	assert_string_equal(err.msg, "reason: is required");
	assert_false(projects_text_arg("   ", "reason", 1, PROJECT_TEXT_MAX,
	    &out, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_false(projects_text_arg("a\001b", "reason", 1,
	    PROJECT_TEXT_MAX, &out, &err));
	assert_int_equal(err.code, APP_EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(projects_text_arg(big, "reason", 1, PROJECT_TEXT_MAX,
	    &out, &err));
	assert_int_equal(err.code, APP_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_exact),
		cmocka_unit_test(test_split_refusals),
		cmocka_unit_test(test_plan_default),
		cmocka_unit_test(test_plan_check),
		cmocka_unit_test(test_rescale),
		cmocka_unit_test(test_surplus),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_display_name),
		cmocka_unit_test(test_payment_key_and_hash),
		cmocka_unit_test(test_payment_request),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_text_arg),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
