/*
 * test_ledger.c: app/core/ledger.c against a real PostgreSQL.
 *
 * Runs in a private database (itf_ledger_<pid>, created from
 * ITF_DATABASE_URL's server, migrated, dropped at the end), so its entries
 * never meet the integration tests' ledger.  Connections act as the
 * service's role, itf_app.
 *
 *   - the FCR(2021-22)22 scenario through the core, with Better Living,
 *     MRP and RFS commitments that move with the whole-balance transfers;
 *   - refusals: each names the field or the HK$ shortfall and writes nothing;
 *   - the in-transaction primitives inside a caller's transaction;
 *   - two connections racing for the last of the capacity (threads);
 *   - reversals; the database's own guards.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "actor.h"
#include "dates.h"
#include "db.h"
#include "ledger.h"
#include "migrate.h"

#include "dbtest.h"

#define M(d)		MONEY_HKD(d)		/* whole HK dollars */
#define MILLION(d)	MONEY_HKD((int64_t)(d) * 1000000)
#define RACE_ROUNDS	25

static struct actor	 sys;

static int	 day(int, int, int);
static cents_t	 bal(struct db *, const char *);
static void	 counts(struct db *, int64_t *);
static void	 funding(struct ledger_funding *, const char *, cents_t,
		    const char *, int);
static void	 transfer(struct ledger_transfer *, const char *,
		    const char *, cents_t, const char *, int);
static void	 verify(struct db *);
static int	 field_is(const char *, const char *);
static const char *field_name(const char *);
static int	 race_serializable_fn(struct db *, void *, struct app_err *);
static int	 hold_fn(struct db *, void *, struct app_err *);
static void	*hold_thread(void *);
static void	*race_commit(void *);
static void	*race_serializable(void *);
static int	 commit_fn(struct db *, void *, struct app_err *);
static int	 setup_db(void **);
static int	 teardown_db(void **);

static int
day(int y, int m, int d)
{
	int	v;

	assert_true(date_from_ymd(y, m, d, &v));
	return (v);
}

/* Balance of an account on its normal side. */
static cents_t
bal(struct db *db, const char *code)
{
	struct app_err		 err;
	struct db_params	 p;
	PGresult		*res;
	cents_t			 v;

	app_err_clear(&err);
	db_params_init(&p);
	dbp_str(&p, code);
	if ((res = db_query(db, "SELECT CASE normal_side WHEN 'debit' THEN "
	    "balance_cents ELSE -balance_cents END FROM ledger_accounts "
	    "WHERE code = $1", &p, &err)) == NULL || PQntuples(res) != 1)
		fail_msg("no account %s", code);
	v = db_i64(res, 0, 0);
	PQclear(res);
	return (v);
}

/* Rows in the ledger and the audit trail: [entries, postings, audit]. */
static void
counts(struct db *db, int64_t *c)
{
	c[0] = dbtest_q64(db, "SELECT count(*) FROM ledger_entries");
	c[1] = dbtest_q64(db, "SELECT count(*) FROM ledger_postings");
	c[2] = dbtest_q64(db, "SELECT count(*) FROM audit_log");
}

static void
funding(struct ledger_funding *f, const char *account, cents_t amount,
    const char *ref, int approved)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->account, sizeof(f->account), "%s", account);
	f->amount = amount;
	snprintf(f->paper_ref, sizeof(f->paper_ref), "%s", ref);
	f->approved_on = approved;
	f->value_date = LEDGER_TODAY;
}

static void
transfer(struct ledger_transfer *t, const char *from, const char *to,
    cents_t amount, const char *ref, int approved)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->from, sizeof(t->from), "%s", from);
	snprintf(t->to, sizeof(t->to), "%s", to);
	t->amount = amount;
	t->whole_balance = amount == 0;
	snprintf(t->paper_ref, sizeof(t->paper_ref), "%s", ref);
	t->approved_on = approved;
	t->value_date = LEDGER_TODAY;
}

static void
verify(struct db *db)
{
	struct ledger_check	c;
	struct app_err		err;

	app_err_clear(&err);
	assert_true(ledger_verify(db, &sys, &c, &err));
	if (!ledger_check_ok(&c))
		fail_msg("invariant broken: unbalanced %lld short %lld stale "
		    "%lld neg %lld neg-dated %lld clearing %lld project %lld/"
		    "%lld", (long long)c.unbalanced,
		    (long long)c.short_entries, (long long)c.stale_balances,
		    (long long)c.negative_now, (long long)c.negative_dated,
		    (long long)c.clearing_open, (long long)c.project_mismatch,
		    (long long)c.project_negative);
}

/* want NULL: any field. */
static int
field_is(const char *got, const char *want)
{
	return (want == NULL || strcmp(got, want) == 0);
}

static const char *
field_name(const char *f)
{
	return (f != NULL ? f : "(any)");
}

#define OK(call) do {							\
	app_err_clear(&err);						\
	if (!(call))							\
		fail_msg("%s: %s (%s)", #call, err.msg, err.field);	\
} while (0)

/* call must fail with code (and field), writing nothing. */
#define REFUSED(db, call, want, fld) do {				\
	int64_t	before_[3], after_[3];					\
	counts((db), before_);						\
	app_err_clear(&err);						\
	if ((call))							\
		fail_msg("%s: accepted", #call);			\
	if (err.code != (want))						\
		fail_msg("%s: code %d, want %d: %s", #call, err.code,	\
		    (want), err.msg);					\
	if (!field_is(err.field, (fld)))				\
		fail_msg("%s: field \"%s\", want \"%s\"", #call,	\
		    err.field, field_name(fld));			\
	counts((db), after_);						\
	assert_memory_equal(before_, after_, sizeof(before_));		\
} while (0)

/*
 * FCR(2021-22)22 through the core.  Before the paper: Better Living (Head
 * 135/700/801, $500M approved June 2016) has $120M committed, $75M paid,
 * so $425M undisbursed of which $380M uncommitted (S¶22); MRP (090) and
 * RFS (112) have projects.  Whole-balance transfers carry those projects'
 * commitments into subhead 101.
 */
static void
test_scenario(void **state)
{
	struct db		 db;
	struct app_err		 err;
	struct ledger_funding	 f;
	struct ledger_transfer	 t;
	struct ledger_project	 pj;
	json_t			*pos, *tot, *sub;
	int64_t			 id, id090;
	size_t			 i;
	const int		 fcr = day(2021, 5, 28);

	dbtest_conn(&db);
	/* Opening balances: earlier approvals (docs/ledger.md). */
	funding(&f, "H111-090", MILLION(2000), "FC-2016-06-MRP",
	    day(2016, 6, 1));
	OK(ledger_open_tx(&db, &sys, &f, &id090, &err));
	funding(&f, "H135-700-801", MILLION(500), "FC-2016-06-BL",
	    day(2016, 6, 1));
	OK(ledger_open_tx(&db, &sys, &f, &id, &err));
	assert_int_equal(bal(&db, "GRA"), MILLION(2500));
	assert_int_equal(bal(&db, "H111-090"), MILLION(2000));
	assert_int_equal(bal(&db, "H135-700-801"), MILLION(500));

	/* Better Living: $120M committed, $75M paid (S¶22). */
	OK(ledger_commit_tx(&db, &sys, 9001, MILLION(50), "H135-700-801",
	    day(2017, 9, 1), NULL, NULL, &err));
	OK(ledger_commit_tx(&db, &sys, 9002, MILLION(40), "H135-700-801",
	    day(2017, 10, 1), NULL, NULL, &err));
	OK(ledger_commit_tx(&db, &sys, 9003, MILLION(30), "H135-700-801",
	    day(2018, 1, 2), NULL, NULL, &err));
	OK(ledger_pay_tx(&db, &sys, 9001, MILLION(45), day(2019, 3, 1), NULL,
	    NULL, &err));
	OK(ledger_pay_tx(&db, &sys, 9002, MILLION(30), day(2019, 6, 1), NULL,
	    NULL, &err));
	assert_int_equal(bal(&db, "H135-700-801"), MILLION(380));
	assert_int_equal(bal(&db, "H135-700-801.COMMITTED"), MILLION(45));
	assert_int_equal(bal(&db, "PAYMENTS"), MILLION(75));

	/* MRP: $230M committed, $60M paid. */
	OK(ledger_commit_tx(&db, &sys, 9101, MILLION(100), "H111-090",
	    day(2018, 4, 1), NULL, NULL, &err));
	OK(ledger_commit_tx(&db, &sys, 9102, MILLION(130), "H111-090",
	    day(2018, 5, 1), NULL, NULL, &err));
	OK(ledger_pay_tx(&db, &sys, 9101, MILLION(60), day(2020, 1, 2), NULL,
	    NULL, &err));
	/* RFS: $2bn subhead 112 (May 2020), $55M approved. */
	funding(&f, "H111-112", MILLION(2000), "FC-2020-05-RFS",
	    day(2020, 5, 1));
	OK(ledger_open_tx(&db, &sys, &f, &id, &err));
	OK(ledger_commit_tx(&db, &sys, 9201, MILLION(55), "H111-112",
	    day(2021, 3, 31), NULL, NULL, &err));
	verify(&db);

	/* (a) Inject $4,750M through the new Head 184 subhead. */
	funding(&f, "", MILLION(4750), "FCR(2021-22)22", fcr);
	OK(ledger_inject_tx(&db, &sys, &f, &id, &err));
	assert_int_equal(bal(&db, "H111-101"), MILLION(4750));
	assert_int_equal(bal(&db, "H184-ITF"), 0);
	assert_int_equal(bal(&db, "GRA"), MILLION(2000 + 500 + 2000 + 4750));

	/* (b) The whole of 090 and of 112 to 101, commitments included. */
	transfer(&t, "H111-090", "H111-101", 0, "FCR(2021-22)22", fcr);
	OK(ledger_transfer_tx(&db, &sys, &t, &id, &err));
	assert_int_equal(bal(&db, "H111-090"), 0);
	assert_int_equal(bal(&db, "H111-090.COMMITTED"), 0);
	assert_int_equal(bal(&db, "H111-101"), MILLION(4750 + 1770));
	assert_int_equal(bal(&db, "H111-101.COMMITTED"), MILLION(170));
	OK(ledger_project_get(&db, &sys, 9102, &pj, &err));
	assert_string_equal(pj.subhead, "H111-101");
	assert_int_equal(pj.outstanding, MILLION(130));
	transfer(&t, "H111-112", "H111-101", 0, "FCR(2021-22)22", fcr);
	OK(ledger_transfer_tx(&db, &sys, &t, &id, &err));
	assert_int_equal(bal(&db, "H111-112"), 0);
	assert_int_equal(bal(&db, "H111-101"), MILLION(4750 + 1770 + 1945));
	assert_int_equal(bal(&db, "H111-101.COMMITTED"), MILLION(225));

	/*
	 * (c) Head 135/700/801: $380M is uncommitted, so a named $425M is
	 * refused naming the $45M shortfall; the whole balance ($425M, its
	 * $45M of commitments included) goes through Head 184.
	 */
	transfer(&t, "H135-700-801", "H111-101", MILLION(425),
	    "FCR(2021-22)22", fcr);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err),
	    APP_ECONFLICT, "amount_cents");
	assert_non_null(strstr(err.msg, "HK$45,000,000.00"));
	transfer(&t, "H135-700-801", "H111-101", 0, "FCR(2021-22)22", fcr);
	OK(ledger_transfer_tx(&db, &sys, &t, &id, &err));
	assert_int_equal(dbtest_q64(&db, "SELECT amount_cents FROM "
	    "ledger_entries ORDER BY id DESC LIMIT 1"), MILLION(425));
	assert_int_equal(bal(&db, "H135-700-801"), 0);
	assert_int_equal(bal(&db, "H135-700-801.COMMITTED"), 0);
	assert_int_equal(bal(&db, "H111-101"), MILLION(4750 + 1770 + 1945 +
	    380));
	assert_int_equal(bal(&db, "H111-101.COMMITTED"), MILLION(270));
	assert_int_equal(bal(&db, "H184-ITF"), 0);
	assert_int_equal(dbtest_q64(&db, "SELECT sum(amount_cents) FROM "
	    "ledger_postings WHERE account = 'H184-ITF' AND amount_cents > 0"),
	    MILLION(5175));
	assert_int_equal(bal(&db, "GRA"), MILLION(2000 + 500 + 2000 + 4750));
	assert_int_equal(bal(&db, "PAYMENTS"), MILLION(135));
	verify(&db);

	/* After the merger: Better Living and MRP projects paid from 101. */
	OK(ledger_pay_tx(&db, &sys, 9002, MILLION(10), LEDGER_TODAY, NULL,
	    NULL, &err));
	OK(ledger_project_get(&db, &sys, 9002, &pj, &err));
	assert_string_equal(pj.subhead, "H111-101");
	assert_int_equal(pj.committed, MILLION(40));
	assert_int_equal(pj.paid, MILLION(40));
	assert_int_equal(pj.outstanding, 0);
	OK(ledger_release_tx(&db, &sys, 9201, LEDGER_REMAINDER, LEDGER_TODAY,
	    "completed under budget", NULL, &err));
	OK(ledger_refund_tx(&db, &sys, 9101, MILLION(5), LEDGER_TODAY,
	    "unspent funds", NULL, &err));
	assert_int_equal(bal(&db, "H111-101"), MILLION(8845 + 55 + 5));
	assert_int_equal(bal(&db, "H111-101.COMMITTED"), MILLION(270 - 10 -
	    55));
	assert_int_equal(bal(&db, "REFUNDS"), MILLION(5));

	/* The position as of the eve of the paper, and today. */
	OK(ledger_position(&db, &sys, fcr - 1, &pos, &err));
	tot = json_object_get(pos, "totals");
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "injections_cents")), 0);
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "openings_cents")), MILLION(4500));
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "commitments_cents")), MILLION(405));
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "payments_cents")), MILLION(135));
	/* The Fund (Head 111): 090 and 112, less their commitments. */
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "available_commitment_cents")), MILLION(1770 + 1945));
	sub = json_object_get(pos, "subheads");
	for (i = 0; i < json_array_size(sub); i++) {
		json_t	*s = json_array_get(sub, i);

		if (strcmp(json_string_value(json_object_get(s, "code")),
		    "H135-700-801") != 0)
			continue;
		assert_int_equal(json_integer_value(json_object_get(s,
		    "approved_capacity_cents")), MILLION(425));
		assert_int_equal(json_integer_value(json_object_get(s,
		    "available_commitment_cents")), MILLION(380));
	}
	json_decref(pos);
	OK(ledger_position(&db, &sys, date_today_hk(), &pos, &err));
	tot = json_object_get(pos, "totals");
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "injections_cents")), MILLION(4750));
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "paid_through_head184_cents")), MILLION(5175));
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "releases_cents")), MILLION(55));
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "refunds_cents")), MILLION(5));
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "available_commitment_cents")), MILLION(8905));
	assert_int_equal(json_integer_value(json_object_get(tot,
	    "commitments_outstanding_cents")), MILLION(205));
	json_decref(pos);

	/* The opening of 090 cannot be reversed: its money has moved on. */
	REFUSED(&db, ledger_reverse_tx(&db, &sys, id090, "typo", LEDGER_TODAY,
	    &id, &err), APP_ECONFLICT, "amount_cents");
	assert_non_null(strstr(err.msg, "HK$2,000,000,000.00"));
	verify(&db);
	db_close(&db);
}

/* Each refusal names the field or the shortfall and writes nothing. */
static void
test_refusals(void **state)
{
	struct db		 db;
	struct app_err		 err;
	struct ledger_funding	 f;
	struct ledger_transfer	 t;
	struct actor		 who;
	json_t			*pos;
	int64_t			 id;
	int			 i;
	cents_t			 avail;
	char			 want[160], b1[MONEY_FMT_MAX];
	const int		 today = date_today_hk();

	dbtest_conn(&db);
	funding(&f, "H111-101", M(1000), "FCR(2099-00)1", today);
	OK(ledger_inject_tx(&db, &sys, &f, &id, &err));
	avail = bal(&db, "H111-101");

	/* Over the available commitment: 409, the shortfall in HK$. */
	REFUSED(&db, ledger_commit_tx(&db, &sys, 7001, avail + 150, NULL,
	    LEDGER_TODAY, NULL, &id, &err), APP_ECONFLICT, "amount_cents");
	snprintf(want, sizeof(want), "by %s", money_format(150, b1,
	    sizeof(b1)));
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "available commitment under H111-101"));
	/* Amounts. */
	REFUSED(&db, ledger_commit_tx(&db, &sys, 7001, 0, NULL, LEDGER_TODAY,
	    NULL, &id, &err), APP_EINVAL, "amount_cents");
	REFUSED(&db, ledger_commit_tx(&db, &sys, 7001, -5, NULL, LEDGER_TODAY,
	    NULL, &id, &err), APP_EINVAL, "amount_cents");
	REFUSED(&db, ledger_commit_tx(&db, &sys, 0, 5, NULL, LEDGER_TODAY,
	    NULL, &id, &err), APP_EINVAL, "project_id");
	f.amount = -1;
	REFUSED(&db, ledger_inject_tx(&db, &sys, &f, &id, &err), APP_EINVAL,
	    "amount_cents");
	f.amount = LEDGER_AMOUNT_MAX + 1;
	REFUSED(&db, ledger_inject_tx(&db, &sys, &f, &id, &err), APP_EINVAL,
	    "amount_cents");
	/* Accounts. */
	REFUSED(&db, ledger_commit_tx(&db, &sys, 7001, 5, "H111-999",
	    LEDGER_TODAY, NULL, &id, &err), APP_EINVAL, "subhead");
	funding(&f, "H135-700-801", M(5), "FCR(2099-00)1", today);
	REFUSED(&db, ledger_inject_tx(&db, &sys, &f, &id, &err), APP_EINVAL,
	    "subhead");
	funding(&f, "PAYMENTS", M(5), "X", today);
	REFUSED(&db, ledger_open_tx(&db, &sys, &f, &id, &err), APP_EINVAL,
	    "account");
	transfer(&t, "H111-101", "H111-101", M(1), "FCR(2099-00)1", today);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "to");
	transfer(&t, "H111-101", "NOPE", M(1), "FCR(2099-00)1", today);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "to");
	transfer(&t, "GRA", "H111-101", M(1), "FCR(2099-00)1", today);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "from");
	transfer(&t, "H111-101", "H135-700-801", M(1), "FCR(2099-00)1", today);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "to");
	transfer(&t, "H111-101", "H111-090", avail + 1, "FCR(2099-00)1",
	    today);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err),
	    APP_ECONFLICT, "amount_cents");
	assert_non_null(strstr(err.msg, "by HK$0.01"));
	transfer(&t, "H111-112", "H111-090", 0, "FCR(2099-00)1", today);
	if (bal(&db, "H111-112") == 0 && bal(&db, "H111-112.COMMITTED") == 0)
		REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err),
		    APP_ECONFLICT, "from");
	/* Paper reference and dates. */
	transfer(&t, "H111-101", "H111-090", M(1), "", today);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "paper_ref");
	transfer(&t, "H111-101", "H111-090", M(1), "FCR\n1", today);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "paper_ref");
	transfer(&t, "H111-101", "H111-090", M(1), "FCR(2099-00)1", today + 1);
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "approved_on");
	transfer(&t, "H111-101", "H111-090", M(1), "FCR(2099-00)1", today);
	t.value_date = today - 1;
	REFUSED(&db, ledger_transfer_tx(&db, &sys, &t, &id, &err), APP_EINVAL,
	    "value_date");
	/* Back-dated draw on an account that has moved since. */
	REFUSED(&db, ledger_commit_tx(&db, &sys, 7001, 5, NULL, day(2000, 1,
	    3), NULL, &id, &err), APP_ECONFLICT, "value_date");
	REFUSED(&db, ledger_commit_tx(&db, &sys, 7001, 5, NULL, today + 1,
	    NULL, &id, &err), APP_EINVAL, "value_date");
	/* Projects: pay, release, refund beyond what there is. */
	OK(ledger_commit_tx(&db, &sys, 7001, M(100), NULL, LEDGER_TODAY, NULL,
	    &id, &err));
	REFUSED(&db, ledger_pay_tx(&db, &sys, 7001, M(100) + 1, LEDGER_TODAY,
	    NULL, &id, &err), APP_ECONFLICT, "amount_cents");
	assert_non_null(strstr(err.msg, "by HK$0.01"));
	REFUSED(&db, ledger_pay_tx(&db, &sys, 7999, 1, LEDGER_TODAY, NULL, &id,
	    &err), APP_ECONFLICT, "amount_cents");
	OK(ledger_pay_tx(&db, &sys, 7001, M(40), LEDGER_TODAY, NULL, &id,
	    &err));
	REFUSED(&db, ledger_refund_tx(&db, &sys, 7001, M(41), LEDGER_TODAY,
	    NULL, &id, &err), APP_ECONFLICT, "amount_cents");
	assert_non_null(strstr(err.msg, "HK$1.00"));
	REFUSED(&db, ledger_release_tx(&db, &sys, 7001, M(61), LEDGER_TODAY,
	    NULL, &id, &err), APP_ECONFLICT, "amount_cents");
	OK(ledger_release_tx(&db, &sys, 7001, LEDGER_REMAINDER, LEDGER_TODAY,
	    "terminated", &id, &err));
	REFUSED(&db, ledger_release_tx(&db, &sys, 7001, LEDGER_REMAINDER,
	    LEDGER_TODAY, NULL, &id, &err), APP_ECONFLICT, "amount_cents");
	/* A new commitment for 7001 under another subhead: nothing is left. */
	funding(&f, "H111-090", M(10), "FCR(2099-00)2", today);
	OK(ledger_open_tx(&db, &sys, &f, &id, &err));
	OK(ledger_commit_tx(&db, &sys, 7001, M(10), "H111-090", LEDGER_TODAY,
	    NULL, &id, &err));
	REFUSED(&db, ledger_commit_tx(&db, &sys, 7001, M(1), "H111-101",
	    LEDGER_TODAY, NULL, &id, &err), APP_ECONFLICT, "subhead");

	/* Roles, decided in core. */
	memset(&who, 0, sizeof(who));
	snprintf(who.label, sizeof(who.label), "tester");
	funding(&f, "H111-101", M(5), "FCR(2099-00)1", today);
	who.roles = ROLE_AUDITOR | ROLE_APPROVER | ROLE_OFFICER | ROLE_ADMIN;
	REFUSED(&db, ledger_inject_tx(&db, &who, &f, &id, &err),
	    APP_EFORBIDDEN, NULL);
	transfer(&t, "H111-101", "H111-090", M(1), "FCR(2099-00)1", today);
	REFUSED(&db, ledger_transfer_tx(&db, &who, &t, &id, &err),
	    APP_EFORBIDDEN, NULL);
	REFUSED(&db, ledger_reverse_tx(&db, &who, id, "x", LEDGER_TODAY, &id,
	    &err), APP_EFORBIDDEN, NULL);
	who.roles = ROLE_APPLICANT | ROLE_PANEL | ROLE_OFFICER;
	REFUSED(&db, ledger_commit_tx(&db, &who, 7002, 5, NULL, LEDGER_TODAY,
	    NULL, &id, &err), APP_EFORBIDDEN, NULL);
	REFUSED(&db, ledger_pay_tx(&db, &who, 7002, 5, LEDGER_TODAY, NULL, &id,
	    &err), APP_EFORBIDDEN, NULL);
	app_err_clear(&err);
	assert_false(ledger_position(&db, &who, today, &pos, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	for (i = 0; i < 4; i++) {
		who.roles = (unsigned[]){ ROLE_AUDITOR, ROLE_APPROVER,
		    ROLE_FINANCE, ROLE_ADMIN }[i];
		app_err_clear(&err);
		assert_true(ledger_position(&db, &who, today, &pos, &err));
		json_decref(pos);
	}
	verify(&db);
	db_close(&db);
}

struct caller {
	int64_t		 project;
	cents_t		 amount;
	int		 fail_after;
	int64_t		 entry;
};

/* The approval code's transaction: its own write, then the commitment. */
static int
commit_fn(struct db *db, void *arg, struct app_err *err)
{
	struct caller	*c = arg;

	if (!db_exec(db, "SELECT 1", NULL, err) ||
	    !ledger_commit(db, &sys, c->project, c->amount, NULL,
	    LEDGER_TODAY, "approved", &c->entry, err))
		return (0);
	if (c->fail_after)
		return (app_err_set(err, APP_ESTATE, NULL, "approval failed"));
	return (1);
}

/* ledger_commit() joins the caller's transaction and its fate. */
static void
test_in_caller_tx(void **state)
{
	struct db		 db;
	struct app_err		 err;
	struct ledger_funding	 f;
	struct caller		 c;
	int64_t			 before[3], after[3], id;
	cents_t			 avail;

	dbtest_conn(&db);
	funding(&f, "H111-101", M(500), "FCR(2099-00)3", date_today_hk());
	OK(ledger_inject_tx(&db, &sys, &f, &id, &err));
	avail = bal(&db, "H111-101");
	counts(&db, before);
	memset(&c, 0, sizeof(c));
	c.project = 8001;
	c.amount = M(200);
	c.fail_after = 1;
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_SERIALIZABLE, commit_fn, &c, &err));
	assert_int_equal(err.code, APP_ESTATE);
	counts(&db, after);
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(bal(&db, "H111-101"), avail);

	c.fail_after = 0;
	OK(db_tx_run(&db, DB_SERIALIZABLE, commit_fn, &c, &err));
	counts(&db, after);
	assert_int_equal(after[0], before[0] + 1);
	assert_int_equal(after[1], before[1] + 2);
	assert_int_equal(after[2], before[2] + 1);	/* one audit row */
	assert_int_equal(bal(&db, "H111-101"), avail - M(200));
	assert_int_equal(dbtest_q64(&db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'ledger.commitment' AND record_type = 'ledger_entry'"),
	    dbtest_q64(&db, "SELECT count(*) FROM ledger_entries WHERE kind = "
	    "'commitment'"));
	/* A refusal inside the caller's transaction leaves it usable. */
	c.project = 8002;
	c.amount = bal(&db, "H111-101") + 1;
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, commit_fn, &c, &err));
	assert_int_equal(err.code, APP_ECONFLICT);
	assert_non_null(strstr(err.msg, "by HK$0.01"));
	verify(&db);
	db_close(&db);
}

struct racer {
	struct db		*db;
	pthread_barrier_t	*go;
	int64_t			 project;
	cents_t			 amount;
	int			 ok;
	struct app_err		 err;
};

static void *
race_commit(void *arg)
{
	struct racer	*r = arg;

	app_err_clear(&r->err);
	pthread_barrier_wait(r->go);
	r->ok = ledger_commit_tx(r->db, &sys, r->project, r->amount,
	    "H111-112", LEDGER_TODAY, NULL, NULL, &r->err);
	return (NULL);
}

static int
race_serializable_fn(struct db *db, void *arg, struct app_err *err)
{
	struct racer	*r = arg;

	/* The caller read something first: its snapshot is now fixed. */
	return (db_exec(db, "SELECT count(*) FROM ledger_entries", NULL,
	    err) && ledger_commit(db, &sys, r->project, r->amount, "H111-112",
	    LEDGER_TODAY, NULL, NULL, err));
}

static void *
race_serializable(void *arg)
{
	struct racer	*r = arg;

	app_err_clear(&r->err);
	pthread_barrier_wait(r->go);
	r->ok = db_tx_run(r->db, DB_SERIALIZABLE, race_serializable_fn, r,
	    &r->err);
	return (NULL);
}

/*
 * Two connections, two threads, the last of the capacity: exactly one
 * commitment wins; the other is refused naming the shortfall.  Run both
 * with the READ COMMITTED wrapper (the loser waits for the winner's lock,
 * then sees its balance) and inside a caller's SERIALIZABLE transaction
 * (the loser gets a serialisation failure, is retried, then refused).
 */
static void
test_race_last_capacity(void **state)
{
	struct db		 db[2], admin;
	struct racer		 r[2];
	pthread_barrier_t	 go;
	pthread_t		 th[2];
	struct app_err		 err;
	struct ledger_funding	 f;
	int64_t			 id, project;
	int			 round, i, wins, mode;
	cents_t			 cap;

	dbtest_conn(&admin);
	dbtest_conn(&db[0]);
	dbtest_conn(&db[1]);
	project = 50000;
	for (mode = 0; mode < 2; mode++) {
		for (round = 0; round < RACE_ROUNDS; round++) {
			/* Top the subhead up to exactly cap. */
			cap = M(1000) + round;
			assert_int_equal(bal(&admin, "H111-112"), 0);
			funding(&f, "H111-112", cap, "FCR(2099-00)9",
			    date_today_hk());
			OK(ledger_open_tx(&admin, &sys, &f, &id, &err));
			assert_int_equal(pthread_barrier_init(&go, NULL, 2), 0);
			for (i = 0; i < 2; i++) {
				memset(&r[i], 0, sizeof(r[i]));
				r[i].db = &db[i];
				r[i].go = &go;
				r[i].project = ++project;
				/* Each alone fits; both do not. */
				r[i].amount = i == 0 ? cap : cap - 1;
				assert_int_equal(pthread_create(&th[i], NULL,
				    mode == 0 ? race_commit :
				    race_serializable, &r[i]), 0);
			}
			for (i = 0; i < 2; i++)
				pthread_join(th[i], NULL);
			pthread_barrier_destroy(&go);
			wins = r[0].ok + r[1].ok;
			if (wins != 1)
				fail_msg("round %d mode %d: %d winners "
				    "(%s / %s)", round, mode, wins,
				    r[0].err.msg, r[1].err.msg);
			i = r[0].ok ? 1 : 0;	/* the loser */
			assert_int_equal(r[i].err.code, APP_ECONFLICT);
			assert_non_null(strstr(r[i].err.msg,
			    "available commitment under H111-112"));
			assert_non_null(strstr(r[i].err.msg, "HK$"));
			/* Empty the subhead for the next round. */
			if (bal(&admin, "H111-112") > 0)
				OK(ledger_commit_tx(&admin, &sys, ++project,
				    bal(&admin, "H111-112"), "H111-112",
				    LEDGER_TODAY, NULL, NULL, &err));
			assert_true(bal(&admin, "H111-112") == 0);
		}
	}
	verify(&admin);
	db_close(&db[0]);
	db_close(&db[1]);
	db_close(&admin);
}

struct holder {
	struct db	*db;
	int		 ok;
	struct app_err	 err;
	struct timespec	 done;
};

static int
hold_fn(struct db *db, void *arg, struct app_err *err)
{
	struct holder	*h = arg;

	if (!ledger_commit(db, &sys, 60001, M(600), "H111-112", LEDGER_TODAY,
	    NULL, NULL, err))
		return (0);
	usleep(300 * 1000);	/* hold the locks while the other one waits */
	clock_gettime(CLOCK_MONOTONIC, &h->done);
	return (1);
}

static void *
hold_thread(void *arg)
{
	struct holder	*h = arg;

	app_err_clear(&h->err);
	h->ok = db_tx_run(h->db, DB_READ_COMMITTED, hold_fn, h, &h->err);
	return (NULL);
}

/* The second writer waits for the first one's locks, then is refused. */
static void
test_race_waits(void **state)
{
	struct db		 db[2];
	struct holder		 h;
	pthread_t		 th;
	struct app_err		 err;
	struct ledger_funding	 f;
	struct timespec		 t1;
	int64_t			 id;
	int			 ok;

	dbtest_conn(&db[0]);
	dbtest_conn(&db[1]);
	funding(&f, "H111-112", M(1000), "FCR(2099-00)10", date_today_hk());
	OK(ledger_open_tx(&db[0], &sys, &f, &id, &err));
	memset(&h, 0, sizeof(h));
	h.db = &db[0];
	assert_int_equal(pthread_create(&th, NULL, hold_thread, &h), 0);
	usleep(100 * 1000);
	app_err_clear(&err);
	ok = ledger_commit_tx(&db[1], &sys, 60002, M(600), "H111-112",
	    LEDGER_TODAY, NULL, NULL, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	assert_true(h.ok);
	assert_false(ok);
	assert_int_equal(err.code, APP_ECONFLICT);
	assert_non_null(strstr(err.msg, "(HK$400.00) by HK$200.00"));
	/* It answered only after the holder committed. */
	assert_true(t1.tv_sec > h.done.tv_sec || (t1.tv_sec == h.done.tv_sec &&
	    t1.tv_nsec >= h.done.tv_nsec));
	OK(ledger_commit_tx(&db[1], &sys, 60002, M(400), "H111-112",
	    LEDGER_TODAY, NULL, NULL, &err));
	verify(&db[0]);
	db_close(&db[0]);
	db_close(&db[1]);
}

static void
test_reversals(void **state)
{
	struct db		 db;
	struct app_err		 err;
	struct ledger_funding	 f;
	struct ledger_transfer	 t;
	struct ledger_project	 pj;
	json_t			*e;
	int64_t			 inj, com, pay, xfer, rev, id;
	cents_t			 a101, a090;
	const int		 today = date_today_hk();

	dbtest_conn(&db);
	funding(&f, "H111-090", M(300), "FCR(2099-00)20", today);
	OK(ledger_open_tx(&db, &sys, &f, &inj, &err));
	OK(ledger_commit_tx(&db, &sys, 70001, M(100), "H111-090",
	    LEDGER_TODAY, NULL, &com, &err));
	OK(ledger_pay_tx(&db, &sys, 70001, M(30), LEDGER_TODAY, NULL, &pay,
	    &err));
	a101 = bal(&db, "H111-101");
	a090 = bal(&db, "H111-090");
	transfer(&t, "H111-090", "H111-101", 0, "FCR(2099-00)21", today);
	OK(ledger_transfer_tx(&db, &sys, &t, &xfer, &err));
	assert_int_equal(bal(&db, "H111-101"), a101 + a090);

	/* The payment came out of 090's commitments, which have moved. */
	REFUSED(&db, ledger_reverse_tx(&db, &sys, pay, "wrong amount",
	    LEDGER_TODAY, &rev, &err), APP_ECONFLICT, "project_id");
	/* Reverse the transfer: money and commitment go back to 090. */
	OK(ledger_reverse_tx(&db, &sys, xfer, "entered too early",
	    LEDGER_TODAY, &rev, &err));
	assert_int_equal(bal(&db, "H111-101"), a101);
	assert_int_equal(bal(&db, "H111-090"), a090);
	OK(ledger_project_get(&db, &sys, 70001, &pj, &err));
	assert_string_equal(pj.subhead, "H111-090");
	assert_int_equal(pj.outstanding, M(70));
	OK(ledger_entry_get(&db, &sys, xfer, &e, &err));
	assert_int_equal(json_integer_value(json_object_get(e, "reversed_by")),
	    rev);
	json_decref(e);
	OK(ledger_entry_get(&db, &sys, rev, &e, &err));
	assert_string_equal(json_string_value(json_object_get(e, "kind")),
	    "reversal");
	assert_string_equal(json_string_value(json_object_get(e,
	    "narrative")), "entered too early");
	json_decref(e);
	/* Not twice; not a reversal; not without a reason; not unknown. */
	REFUSED(&db, ledger_reverse_tx(&db, &sys, xfer, "again", LEDGER_TODAY,
	    &id, &err), APP_ECONFLICT, "id");
	REFUSED(&db, ledger_reverse_tx(&db, &sys, rev, "undo", LEDGER_TODAY,
	    &id, &err), APP_ECONFLICT, "id");
	REFUSED(&db, ledger_reverse_tx(&db, &sys, com, "", LEDGER_TODAY, &id,
	    &err), APP_EINVAL, "reason");
	REFUSED(&db, ledger_reverse_tx(&db, &sys, 99999999, "x", LEDGER_TODAY,
	    &id, &err), APP_ENOTFOUND, "id");
	REFUSED(&db, ledger_reverse_tx(&db, &sys, com, "x", day(2001, 1, 1),
	    &id, &err), APP_EINVAL, "value_date");
	/* The commitment has been partly paid: only the payment comes back. */
	REFUSED(&db, ledger_reverse_tx(&db, &sys, com, "duplicate",
	    LEDGER_TODAY, &id, &err), APP_ECONFLICT, "amount_cents");
	assert_non_null(strstr(err.msg, "HK$30.00"));
	OK(ledger_reverse_tx(&db, &sys, pay, "paid in error", LEDGER_TODAY,
	    &id, &err));
	OK(ledger_reverse_tx(&db, &sys, com, "duplicate", LEDGER_TODAY, &id,
	    &err));
	OK(ledger_project_get(&db, &sys, 70001, &pj, &err));
	assert_int_equal(pj.outstanding, 0);
	assert_int_equal(pj.committed, 0);
	assert_int_equal(pj.paid, 0);
	assert_int_equal(bal(&db, "H111-090"), a090 + M(100));
	OK(ledger_reverse_tx(&db, &sys, inj, "opened twice", LEDGER_TODAY, &id,
	    &err));
	verify(&db);
	db_close(&db);
}

/* The database refuses what the C code never does. */
static void
test_db_guards(void **state)
{
	static const char *const bad[] = {
		"UPDATE ledger_accounts SET balance_cents = 1"
		" WHERE code = 'GRA'",
		"UPDATE ledger_accounts SET name_en = 'x' WHERE code = 'GRA'",
		"DELETE FROM ledger_accounts WHERE code = 'GRA'",
		"UPDATE ledger_entries SET amount_cents = 1",
		"DELETE FROM ledger_postings",
		"UPDATE ledger_commitments SET outstanding_cents = 0",
		"INSERT INTO ledger_commitments (project_id, account,"
		" last_value_date) VALUES (1, 'H111-101.COMMITTED', now())",
		/* An entry whose postings do not balance. */
		"WITH e AS (INSERT INTO ledger_entries (kind, value_date,"
		" approved_on, paper_ref, amount_cents, to_account,"
		" actor_label) VALUES ('opening', current_date, current_date,"
		" 'X', 5, 'H111-101', 't') RETURNING id, value_date)"
		" INSERT INTO ledger_postings (entry_id, line, account,"
		" amount_cents, value_date) SELECT id, 1, 'H111-101', 5,"
		" value_date FROM e",
		/* One that draws an account below zero. */
		"WITH e AS (INSERT INTO ledger_entries (kind, value_date,"
		" approved_on, paper_ref, amount_cents, from_account,"
		" to_account, actor_label) VALUES ('transfer', current_date,"
		" current_date, 'X', 1, 'H111-112', 'H111-101', 't')"
		" RETURNING id, value_date)"
		" INSERT INTO ledger_postings (entry_id, line, account,"
		" amount_cents, value_date) SELECT id, l, a, m, value_date FROM"
		" e, (VALUES (1, 'H111-112', -999999999999), (2, 'H111-101',"
		" 999999999999)) v(l, a, m)",
		/* An entry without postings (caught at COMMIT). */
		"INSERT INTO ledger_entries (kind, value_date, approved_on,"
		" paper_ref, amount_cents, to_account, actor_label) VALUES"
		" ('opening', current_date, current_date, 'X', 5, 'H111-101',"
		" 't')",
		NULL
	};
	struct db	 db;
	struct app_err	 err;
	int64_t		 before[3], after[3];
	int		 i, ok;

	dbtest_conn(&db);
	counts(&db, before);
	for (i = 0; bad[i] != NULL; i++) {
		app_err_clear(&err);
		ok = db_exec(&db, "BEGIN", NULL, &err) &&
		    db_exec(&db, bad[i], NULL, &err) &&
		    db_exec(&db, "COMMIT", NULL, &err);
		if (ok)
			fail_msg("accepted: %s", bad[i]);
		PQclear(PQexec(db.conn, "ROLLBACK"));
	}
	counts(&db, after);
	assert_memory_equal(before, after, sizeof(before));
	verify(&db);
	db_close(&db);
}

/* A private database on the same server, migrated from migrations/. */
static int
setup_db(void **state)
{
	if (dbtest_create("test_ledger", "itf_ledger", NULL) != 0)
		return (-1);
	actor_system(&sys, "test_ledger");
	return (0);
}

static int
teardown_db(void **state)
{
	return (dbtest_drop());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_in_caller_tx),
		cmocka_unit_test(test_race_last_capacity),
		cmocka_unit_test(test_race_waits),
		cmocka_unit_test(test_reversals),
		cmocka_unit_test(test_db_guards),
	};

	return (cmocka_run_group_tests(tests, setup_db, teardown_db));
}
