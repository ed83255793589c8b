/*
 * test_ledger_props.c: a few thousand random ledger operations, valid and
 * invalid, through the core functions (seeded PRNG; LEDGER_SEED and
 * LEDGER_OPS override the seed and the count).
 *
 * Before each operation the test reads the ledger's state and predicts,
 * from the rules in docs/ledger.md, whether it must succeed or be refused
 * (and with which error code), and for a success the exact change to every
 * account balance.  After it, it checks the prediction and every invariant
 * (ledger_verify: all entries balance, cached balances equal the postings,
 * no restricted balance below zero today or as of any day, the clearing
 * account nets to zero in every entry, the project sub-ledger matches, the
 * available commitment >= 0), and that a refusal wrote nothing while a
 * success wrote one entry and one audit row.
 *
 * Runs in a private database like test_ledger.c (LEDGER_KEEP_DB=1 keeps
 * it for a look afterwards).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "actor.h"
#include "dates.h"
#include "db.h"
#include "ledger.h"
#include "migrate.h"

#include "dbtest.h"

#define NACC		16
#define NPROJ		40
#define DEFAULT_OPS	2000
#define DEFAULT_SEED	20210528ULL

/* The ledger as the test sees it before an operation. */
struct state {
	int		 n;
	char		 code[NACC][LEDGER_CODE_MAX];
	char		 kind[NACC][16];
	char		 sub_of[NACC][LEDGER_CODE_MAX];
	int		 in_fund[NACC];
	cents_t		 bal[NACC];		/* normal side */
	int		 last[NACC];		/* -1 none */
	int		 p_exists[NPROJ + 1];
	char		 p_acct[NPROJ + 1][LEDGER_CODE_MAX];
	cents_t		 p_out[NPROJ + 1];
	cents_t		 p_paid[NPROJ + 1];
	cents_t		 p_ref[NPROJ + 1];
	int		 p_last[NPROJ + 1];
	int64_t		 entries, postings, audit, max_entry;
};

/* A prediction: ok, or the error code; for ok, balance deltas. */
struct expect {
	int		 known;		/* 0: no prediction (reversals) */
	int		 ok;
	enum app_errcode code;
	cents_t		 delta[NACC];	/* normal side */
};

static struct actor	 sys;
static struct actor	 nobody;
static uint64_t		 rng;

static const char *const subheads[] = { "H111-101", "H111-090", "H111-112",
    "H135-700-801" };

static uint64_t	 next(void);
static int64_t	 pick(int64_t, int64_t);
static void	 load(struct db *, struct state *);
static int	 idx(const struct state *, const char *);
static int	 sub_idx(const struct state *, const char *);
static int	 com_idx(const struct state *, const char *);
static void	 deny(struct expect *, enum app_errcode);
static void	 add(struct expect *, const struct state *, const char *,
		    cents_t);
static cents_t	 amount_for(cents_t);
static int	 pick_date(int, int, int *);
static const char *pick_subhead(int);
static void	 check(struct db *, const struct state *,
		    const struct expect *, int, const struct app_err *,
		    int64_t, const char *);
static int	 setup_db(void **);
static int	 teardown_db(void **);

/* xorshift64*: small, seeded, the same sequence everywhere. */
static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL);
}

/* Uniform in [lo, hi]. */
static int64_t
pick(int64_t lo, int64_t hi)
{
	return (lo + (int64_t)(next() % (uint64_t)(hi - lo + 1)));
}

static void
load(struct db *db, struct state *s)
{
	struct app_err	 err;
	PGresult	*res;
	int		 i, p;

	memset(s, 0, sizeof(*s));
	app_err_clear(&err);
	res = db_query(db, "SELECT code, kind, coalesce(subhead_of, ''), "
	    "in_fund, CASE normal_side WHEN 'debit' THEN balance_cents ELSE "
	    "-balance_cents END, last_value_date FROM ledger_accounts ORDER BY "
	    "sort_order", NULL, &err);
	assert_non_null(res);
	s->n = PQntuples(res);
	assert_true(s->n <= NACC);
	for (i = 0; i < s->n; i++) {
		snprintf(s->code[i], LEDGER_CODE_MAX, "%s", db_str(res, i, 0));
		snprintf(s->kind[i], 16, "%s", db_str(res, i, 1));
		snprintf(s->sub_of[i], LEDGER_CODE_MAX, "%s",
		    db_str(res, i, 2));
		s->in_fund[i] = db_bool(res, i, 3);
		s->bal[i] = db_i64(res, i, 4);
		s->last[i] = db_date(res, i, 5);
	}
	PQclear(res);
	res = db_query(db, "SELECT project_id, account, outstanding_cents, "
	    "paid_cents, refunded_cents, last_value_date FROM "
	    "ledger_commitments", NULL, &err);
	assert_non_null(res);
	for (i = 0; i < PQntuples(res); i++) {
		p = (int)db_i64(res, i, 0);
		assert_true(p >= 1 && p <= NPROJ);
		s->p_exists[p] = 1;
		snprintf(s->p_acct[p], LEDGER_CODE_MAX, "%s",
		    db_str(res, i, 1));
		s->p_out[p] = db_i64(res, i, 2);
		s->p_paid[p] = db_i64(res, i, 3);
		s->p_ref[p] = db_i64(res, i, 4);
		s->p_last[p] = db_date(res, i, 5);
	}
	PQclear(res);
	res = db_query(db, "SELECT (SELECT count(*) FROM ledger_entries), "
	    "(SELECT count(*) FROM ledger_postings), (SELECT count(*) FROM "
	    "audit_log), (SELECT coalesce(max(id), 0) FROM ledger_entries)",
	    NULL, &err);
	assert_non_null(res);
	s->entries = db_i64(res, 0, 0);
	s->postings = db_i64(res, 0, 1);
	s->audit = db_i64(res, 0, 2);
	s->max_entry = db_i64(res, 0, 3);
	PQclear(res);
}

static int
idx(const struct state *s, const char *code)
{
	int	i;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->code[i], code) == 0)
			return (i);
	}
	return (-1);
}

/* Index of code if it is a subhead, else -1. */
static int
sub_idx(const struct state *s, const char *code)
{
	int	i;

	if (code == NULL || (i = idx(s, code)) < 0 ||
	    strcmp(s->kind[i], "subhead") != 0)
		return (-1);
	return (i);
}

/* Index of the commitments account of subhead code. */
static int
com_idx(const struct state *s, const char *code)
{
	int	i;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->sub_of[i], code) == 0)
			return (i);
	}
	return (-1);
}

static void
deny(struct expect *e, enum app_errcode code)
{
	if (e->ok) {
		e->ok = 0;
		e->code = code;
	}
}

/* A normal-side change to an account. */
static void
add(struct expect *e, const struct state *s, const char *code, cents_t d)
{
	int	i;

	assert_true((i = idx(s, code)) >= 0);
	e->delta[i] += d;
}

/* Mostly a fraction of have, sometimes a little more, sometimes nonsense. */
static cents_t
amount_for(cents_t have)
{
	int64_t	r = pick(0, 99);

	if (r < 3)
		return (-pick(0, 1000));		/* zero or negative */
	if (r < 12 || have <= 0)
		return (have + pick(1, 100000));	/* just over */
	if (r < 20)
		return (have);				/* all of it */
	return (pick(1, have));
}

/*
 * The value date: usually the clock, sometimes back-dated, sometimes in
 * the future.  *bad gets 1 for a future date (refused outright).
 */
static int
pick_date(int clock, int today, int *bad)
{
	int64_t	r = pick(0, 99);

	*bad = 0;
	if (r < 4) {
		*bad = 1;
		return (today + (int)pick(1, 30));
	}
	if (r < 12)
		return (clock - (int)pick(1, 400));
	return (clock);
}

static const char *
pick_subhead(int unknown_ok)
{
	if (unknown_ok && pick(0, 49) == 0)
		return (pick(0, 1) ? "H111-999" : "PAYMENTS");
	return (subheads[pick(0, 3)]);
}

/* The outcome against the prediction, then every invariant. */
static void
check(struct db *db, const struct state *before, const struct expect *e,
    int ok, const struct app_err *err, int64_t op, const char *what)
{
	struct state		after;
	struct ledger_check	c;
	struct app_err		verr;
	int			i;

	load(db, &after);
	if (e->known && ok != e->ok)
		fail_msg("op %lld (%s): %s, predicted %s: %s", (long long)op,
		    what, ok ? "accepted" : "refused", e->ok ? "accepted" :
		    "refused", ok ? "" : err->msg);
	if (e->known && !ok && err->code != e->code)
		fail_msg("op %lld (%s): code %d, predicted %d: %s",
		    (long long)op, what, err->code, e->code, err->msg);
	if (!ok && (err->code == APP_EDB || err->code == APP_EINTERNAL ||
	    err->code == APP_EUNAVAIL))
		fail_msg("op %lld (%s): %s", (long long)op, what, err->msg);
	if (ok) {
		assert_int_equal(after.entries, before->entries + 1);
		assert_int_equal(after.audit, before->audit + 1);
		assert_true(after.postings >= before->postings + 2);
	} else {
		assert_int_equal(after.entries, before->entries);
		assert_int_equal(after.postings, before->postings);
		assert_int_equal(after.audit, before->audit);
	}
	for (i = 0; i < after.n; i++) {
		if (!ok || e->known) {
			if (after.bal[i] != before->bal[i] +
			    (ok ? e->delta[i] : 0))
				fail_msg("op %lld (%s): %s is %lld, predicted "
				    "%lld", (long long)op, what, after.code[i],
				    (long long)after.bal[i],
				    (long long)(before->bal[i] +
				    (ok ? e->delta[i] : 0)));
		}
	}
	app_err_clear(&verr);
	assert_true(ledger_verify(db, &sys, &c, &verr));
	if (!ledger_check_ok(&c))
		fail_msg("op %lld (%s): invariant broken: unbalanced %lld "
		    "short %lld stale %lld neg %lld neg-dated %lld clearing "
		    "%lld project %lld/%lld available %lld", (long long)op,
		    what,
		    (long long)c.unbalanced, (long long)c.short_entries,
		    (long long)c.stale_balances, (long long)c.negative_now,
		    (long long)c.negative_dated, (long long)c.clearing_open,
		    (long long)c.project_mismatch,
		    (long long)c.project_negative, (long long)c.available);
}

static void
test_random_operations(void **state)
{
	struct db		 db;
	struct state		 s;
	struct expect		 e;
	struct app_err		 err;
	struct ledger_funding	 f;
	struct ledger_transfer	 t;
	const struct actor	*who;
	const char		*env, *sh, *what;
	int64_t			 op, nops, id, p;
	int			 today, clock, vd, bad, kind, ok, j, k, h;
	int			 fi, ti, ci;
	cents_t			 amt, req, total;
	int64_t			 stat_ok, stat_refused, per_kind[10][2];

	rng = (env = getenv("LEDGER_SEED")) != NULL ?
	    strtoull(env, NULL, 10) : DEFAULT_SEED;
	if (rng == 0)
		rng = DEFAULT_SEED;
	nops = (env = getenv("LEDGER_OPS")) != NULL ? atoll(env) : DEFAULT_OPS;
	print_message("seed %llu, %lld operations\n", (unsigned long long)rng,
	    (long long)nops);
	app_err_clear(&err);
	assert_true(db_open(&db, dbtest_ci, &err));
	assert_true(db_set_role(&db, "itf_app", &err));
	today = date_today_hk();
	assert_true(date_from_ymd(2016, 1, 4, &clock));
	stat_ok = stat_refused = 0;
	memset(per_kind, 0, sizeof(per_kind));

	for (op = 1; op <= nops; op++) {
		load(&db, &s);
		memset(&e, 0, sizeof(e));
		e.known = 1;
		e.ok = 1;
		if (clock < today && pick(0, 2) == 0)
			clock++;
		vd = pick_date(clock, today, &bad);
		who = pick(0, 99) == 0 ? &nobody : &sys;
		if (who == &nobody)
			deny(&e, APP_EFORBIDDEN);
		app_err_clear(&err);
		id = 0;
		ok = 0;
		kind = (int)pick(0, 9);
		switch (kind) {
		case 0:		/* opening balance */
		case 1:		/* injection */
			what = kind == 0 ? "opening" : "injection";
			memset(&f, 0, sizeof(f));
			sh = kind == 0 || pick(0, 3) ? pick_subhead(1) : "";
			snprintf(f.account, sizeof(f.account), "%s", sh);
			f.amount = pick(0, 30) == 0 ? -pick(0, 5) :
			    MONEY_HKD(pick(1, 5000000));
			snprintf(f.paper_ref, sizeof(f.paper_ref),
			    "FCR(2099-00)%lld", (long long)op);
			f.approved_on = bad ? vd : vd - (int)pick(0, 5);
			f.value_date = bad ? LEDGER_TODAY : vd;
			if (f.amount <= 0)
				deny(&e, APP_EINVAL);
			fi = sub_idx(&s, sh[0] != '\0' ? sh : "H111-101");
			if (fi < 0 || (kind == 1 && !s.in_fund[fi]))
				deny(&e, APP_EINVAL);
			if (bad || f.value_date < f.approved_on)
				deny(&e, APP_EINVAL);
			if (e.ok) {
				add(&e, &s, "GRA", f.amount);
				add(&e, &s, s.code[fi], f.amount);
			}
			ok = kind == 0 ? ledger_open_tx(&db, who, &f, &id,
			    &err) : ledger_inject_tx(&db, who, &f, &id, &err);
			break;
		case 2:		/* transfer */
			what = "transfer";
			memset(&t, 0, sizeof(t));
			sh = pick_subhead(1);
			snprintf(t.from, sizeof(t.from), "%s", sh);
			sh = pick(0, 1) ? "H111-101" : pick_subhead(1);
			snprintf(t.to, sizeof(t.to), "%s", sh);
			fi = sub_idx(&s, t.from);
			ti = sub_idx(&s, t.to);
			t.whole_balance = pick(0, 3) == 0;
			snprintf(t.paper_ref, sizeof(t.paper_ref),
			    "FCR(2099-00)%lld", (long long)op);
			t.approved_on = bad ? vd : vd - (int)pick(0, 5);
			t.value_date = bad ? LEDGER_TODAY : vd;
			if (!t.whole_balance)
				t.amount = amount_for(fi >= 0 ? s.bal[fi] : 0);
			if (!t.whole_balance && t.amount <= 0)
				deny(&e, APP_EINVAL);
			if (fi < 0 || ti < 0 || fi == ti || !s.in_fund[ti])
				deny(&e, APP_EINVAL);
			if (bad || t.value_date < t.approved_on)
				deny(&e, APP_EINVAL);
			if (!e.ok)
				goto run_transfer;
			ci = com_idx(&s, t.from);
			if (!t.whole_balance) {
				if (s.bal[fi] < t.amount)
					deny(&e, APP_ECONFLICT);
				if (s.last[fi] >= 0 && vd < s.last[fi])
					deny(&e, APP_ECONFLICT);
				add(&e, &s, t.from, -t.amount);
				add(&e, &s, t.to, t.amount);
				goto run_transfer;
			}
			total = s.bal[fi] + s.bal[ci];
			if (total == 0)
				deny(&e, APP_ECONFLICT);
			if (s.bal[fi] > 0 && s.last[fi] >= 0 &&
			    vd < s.last[fi])
				deny(&e, APP_ECONFLICT);
			if (s.bal[ci] > 0 && s.last[ci] >= 0 &&
			    vd < s.last[ci])
				deny(&e, APP_ECONFLICT);
			for (j = 1; j <= NPROJ; j++) {
				if (s.p_exists[j] && s.p_out[j] > 0 &&
				    strcmp(s.p_acct[j], s.code[ci]) == 0 &&
				    vd < s.p_last[j])
					deny(&e, APP_ECONFLICT);
			}
			add(&e, &s, t.from, -s.bal[fi]);
			add(&e, &s, s.code[ci], -s.bal[ci]);
			add(&e, &s, t.to, s.bal[fi]);
			add(&e, &s, s.code[com_idx(&s, t.to)], s.bal[ci]);
run_transfer:
			ok = ledger_transfer_tx(&db, who, &t, &id, &err);
			break;
		case 3:		/* commitment */
		case 4:
			what = "commitment";
			p = pick(0, 60) == 0 ? 0 : pick(1, NPROJ);
			sh = pick(0, 2) == 0 ? NULL : pick_subhead(1);
			h = -1;
			if (p > 0 && s.p_exists[p]) {
				h = idx(&s, s.p_acct[p]);
				h = sub_idx(&s, s.sub_of[h]);
			}
			fi = sh != NULL ? sub_idx(&s, sh) : -1;
			if (sh == NULL)
				fi = h >= 0 ? h : sub_idx(&s, "H111-101");
			else if (h >= 0 && fi >= 0 && fi != h &&
			    s.p_out[p] > 0)
				fi = h;		/* refused below */
			amt = amount_for(fi >= 0 ? s.bal[fi] : 0);
			if (p <= 0 || amt <= 0)
				deny(&e, APP_EINVAL);
			if (sh != NULL && sub_idx(&s, sh) < 0)
				deny(&e, APP_EINVAL);
			if (bad)
				deny(&e, APP_EINVAL);
			if (!e.ok)
				goto run_commit;
			if (sh != NULL && h >= 0 && sub_idx(&s, sh) != h &&
			    s.p_out[p] > 0)
				deny(&e, APP_ECONFLICT);
			if (s.p_exists[p] && vd < s.p_last[p])
				deny(&e, APP_ECONFLICT);
			if (s.bal[fi] < amt)
				deny(&e, APP_ECONFLICT);
			if (s.last[fi] >= 0 && vd < s.last[fi])
				deny(&e, APP_ECONFLICT);
			add(&e, &s, s.code[fi], -amt);
			add(&e, &s, s.code[com_idx(&s, s.code[fi])], amt);
run_commit:
			ok = ledger_commit_tx(&db, who, p, amt, sh, vd, NULL,
			    &id, &err);
			break;
		case 5:		/* payment */
		case 6:		/* release */
		case 7:		/* refund */
			what = kind == 5 ? "payment" : kind == 6 ? "release" :
			    "refund";
			p = pick(1, NPROJ);
			/* Mostly a project with something to pay or refund. */
			for (j = 0; j < 3 * NPROJ && pick(0, 4) != 0; j++) {
				if (kind == 7 ? s.p_paid[p] > s.p_ref[p] :
				    s.p_out[p] > 0)
					break;
				p = pick(1, NPROJ);
			}
			h = s.p_exists[p] ? idx(&s, s.p_acct[p]) : -1;
			fi = h >= 0 ? sub_idx(&s, s.sub_of[h]) :
			    sub_idx(&s, "H111-101");
			ci = com_idx(&s, s.code[fi]);
			if (kind == 7)
				req = amount_for(s.p_paid[p] - s.p_ref[p]);
			else if (kind == 6 && pick(0, 3) == 0)
				req = LEDGER_REMAINDER;
			else
				req = amount_for(s.p_out[p]);
			amt = req;
			if (req <= 0 && req != LEDGER_REMAINDER)
				deny(&e, APP_EINVAL);
			if (bad)
				deny(&e, APP_EINVAL);
			if (!e.ok)
				goto run_project;
			if (req == LEDGER_REMAINDER) {
				/* Nothing outstanding: refused first. */
				if (s.p_out[p] == 0) {
					deny(&e, APP_ECONFLICT);
					goto run_project;
				}
				amt = s.p_out[p];
			}
			if (s.p_exists[p] && vd < s.p_last[p])
				deny(&e, APP_ECONFLICT);
			if (kind == 7) {
				if (s.p_paid[p] - s.p_ref[p] < amt)
					deny(&e, APP_ECONFLICT);
				add(&e, &s, "REFUNDS", amt);
				add(&e, &s, s.code[fi], amt);
			} else {
				if (s.p_out[p] < amt)
					deny(&e, APP_ECONFLICT);
				if (s.last[ci] >= 0 && vd < s.last[ci])
					deny(&e, APP_ECONFLICT);
				add(&e, &s, s.code[ci], -amt);
				add(&e, &s, kind == 5 ? "PAYMENTS" :
				    s.code[fi], amt);
			}
run_project:
			if (kind == 5)
				ok = ledger_pay_tx(&db, who, p, req, vd, NULL,
				    &id, &err);
			else if (kind == 6)
				ok = ledger_release_tx(&db, who, p, req, vd,
				    NULL, &id, &err);
			else
				ok = ledger_refund_tx(&db, who, p, req, vd,
				    NULL, &id, &err);
			break;
		default:	/* reversal: outcome not predicted */
			what = "reversal";
			e.known = who == &nobody;
			id = s.max_entry > 0 ? pick(1, s.max_entry + 2) : 1;
			/*
			 * On the clock: one dated today would freeze the
			 * accounts it draws on for the operations after it.
			 */
			ok = ledger_reverse_tx(&db, who, id, pick(0, 20) ?
			    "property test" : "", vd, &id, &err);
			break;
		}
		check(&db, &s, &e, ok, &err, op, what);
		if (ok)
			stat_ok++;
		else
			stat_refused++;
		per_kind[kind][ok ? 0 : 1]++;
	}
	print_message("%lld accepted, %lld refused\n", (long long)stat_ok,
	    (long long)stat_refused);
	for (k = 0; k < 10; k++)
		print_message("  kind %d: %lld accepted, %lld refused\n", k,
		    (long long)per_kind[k][0], (long long)per_kind[k][1]);
	/* Both outcomes occurred for every kind of operation. */
	for (k = 0; k < 10; k++) {
		assert_true(per_kind[k][0] > 0);
		assert_true(per_kind[k][1] > 0);
	}
	db_close(&db);
}

static int
setup_db(void **state)
{
	if (dbtest_create("test_ledger_props", "itf_ledger_props", NULL) != 0)
		return (-1);
	actor_system(&sys, "test_ledger_props");
	memset(&nobody, 0, sizeof(nobody));
	nobody.roles = ROLE_APPLICANT;
	snprintf(nobody.label, sizeof(nobody.label), "applicant");
	return (0);
}

static int
teardown_db(void **state)
{
	if (getenv("LEDGER_KEEP_DB") != NULL) {
		fprintf(stderr, "kept database %s\n", dbtest_name);
		return (0);
	}
	return (dbtest_drop());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_operations),
	};

	return (cmocka_run_group_tests(tests, setup_db, teardown_db));
}
