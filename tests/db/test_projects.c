/*
 * test_projects.c: the projects core against a real PostgreSQL.
 *
 * Without arguments (scripts/test.sh): a cmocka suite in a private
 * database (itf_projects_<pid>, migrated, schemes loaded, dropped at the
 * end), acting as the service's role itf_app:
 *   - projects_create_from_approval() only inside a transaction, only for
 *     an approved application, only over a matching ledger commitment,
 *     once; its tranches sum exactly to the contribution;
 *   - the database's own guards: tranches summing to the contribution at
 *     COMMIT, one live payment per tranche, one payment per idempotency
 *     key, maker-checker, append-only agreement versions;
 *   - a whole payment through the core: prepare, replay, approve, the
 *     ledger paid and verified.
 *
 * As a fixture for tests/integration/payments.test.mjs, on
 * ITF_DATABASE_URL, until the approval decision calls the hook itself:
 *   test_projects approve APPLICATION_ID APPROVED_CENTS
 *	moves the application to approved and, in one transaction as the
 *	approval does, commits the money in the ledger (injecting test funds
 *	first if the block vote is short) and calls
 *	projects_create_from_approval(); prints the project id.
 *   test_projects verify
 *	runs ledger_verify(); prints the result; exits 1 on any violation.
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
#include <sodium.h>

#include "actor.h"
#include "auth.h"
#include "catalogue.h"
#include "dates.h"
#include "db.h"
#include "ledger.h"
#include "migrate.h"
#include "payments.h"
#include "projects.h"
#include "schemes.h"

#include "dbtest.h"

static struct actor	 sys;
static struct actor	 officer, approver, applicant;
static int64_t		 org_id;

struct fixture {
	int64_t		app_id;
	cents_t		amount;
	int		inject;
};

static int64_t	 make_user(struct db *, unsigned, int64_t, struct actor *);
static int64_t	 make_application(struct db *, cents_t);
static int	 approve_fn(struct db *, void *, struct app_err *);
static int	 create_only_fn(struct db *, void *, struct app_err *);
static int	 plain_fn(struct db *, void *, struct app_err *);
static int	 exec_fn(struct db *, void *, struct app_err *);
static int	 fixture_approve(int, char **);
static int	 fixture_verify(void);
static int	 setup_db(void **);
static int	 teardown_db(void **);

static int64_t
make_user(struct db *db, unsigned roles, int64_t org, struct actor *a)
{
	struct user_in	 u;
	struct app_err	 err;
	char		 email[96];
	int64_t		 id;
	static int	 n;

	snprintf(email, sizeof(email), "p%d-%d@example.hk", (int)getpid(),
	    ++n);
	memset(&u, 0, sizeof(u));
	u.email = email;
	u.password = "correct horse battery staple";
	u.org_id = org;
	u.roles = roles;
	app_err_clear(&err);
	if (!auth_user_create(db, &sys, &u, &id, &err))
		fail_msg("user: %s", err.msg);
	app_err_clear(&err);
	if (!auth_actor_load(db, id, a, &err))
		fail_msg("actor: %s", err.msg);
	return (id);
}

/* An ITSP application under assessment, with three milestones. */
static int64_t
make_application(struct db *db, cents_t requested)
{
	struct db_params	 p;
	struct app_err		 err;
	PGresult		*res;
	char			 ref[32];
	int64_t			 id;
	static int		 seq;

	snprintf(ref, sizeof(ref), "ITS/%04d/26", ++seq);
	db_params_init(&p);
	dbp_i64(&p, org_id);
	dbp_str(&p, ref);
	dbp_i64(&p, requested);
	dbp_int(&p, seq);
	app_err_clear(&err);
	res = db_query(db, "INSERT INTO applications (org_id, scheme_code,"
	    " status, title, start_date, end_date, total_cost_cents,"
	    " requested_cents, applicant_cents, rule_version, reference,"
	    " ref_prefix, ref_year, ref_seq, submitted_on, submitted_at)"
	    " VALUES ($1, 'ITSP', 'under_assessment', 'Test project',"
	    " '2027-01-01', '2028-06-30', $3, $3, 0, 'ITSP-2019', $2, 'ITS',"
	    " 26, $4, '2026-11-01', now()) RETURNING id", &p, &err);
	if (res == NULL)
		fail_msg("application: %s", err.msg);
	id = db_i64(res, 0, 0);
	PQclear(res);
	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_i64(&p, requested);
	if (!db_exec(db, "INSERT INTO application_budget_lines (application_id,"
	    " line_no, category, amount_cents) VALUES ($1, 1, 'manpower',"
	    " $2 - $2 / 4), ($1, 2, 'equipment', $2 / 4)", &p, &err))
		fail_msg("application lines: %s", err.msg);
	p.n = 1;
	if (!db_exec(db, "INSERT INTO application_milestones (application_id,"
	    " seq, title, due_date) VALUES ($1, 1, 'Design', '2027-06-30'),"
	    " ($1, 2, 'Prototype', '2027-12-31'), ($1, 3, 'Trial',"
	    " '2028-06-30')", &p, &err))
		fail_msg("application children: %s", err.msg);
	return (id);
}

/* As the approval does: approved, committed, project created. */
static int
approve_fn(struct db *db, void *arg, struct app_err *err)
{
	struct fixture		*f = arg;
	struct ledger_funding	 fund;
	struct db_params	 p;
	PGresult		*res;
	cents_t			 avail;

	db_params_init(&p);
	dbp_i64(&p, f->app_id);
	if (!db_exec(db, "UPDATE applications SET status = 'approved',"
	    " decided_at = now(), updated_at = now() WHERE id = $1", &p, err))
		return (0);
	if ((res = db_query(db, "SELECT balance_cents FROM ledger_accounts"
	    " WHERE code = 'H111-101'", NULL, err)) == NULL)
		return (0);
	avail = db_i64(res, 0, 0);
	PQclear(res);
	if (f->inject && avail < f->amount) {
		memset(&fund, 0, sizeof(fund));
		fund.amount = f->amount * 10;
		snprintf(fund.paper_ref, sizeof(fund.paper_ref),
		    "TEST-FIXTURE");
		fund.approved_on = date_today_hk();
		fund.value_date = LEDGER_TODAY;
		if (!ledger_inject(db, &sys, &fund, NULL, err))
			return (0);
	}
	return (ledger_commit(db, &sys, f->app_id, f->amount, NULL,
	    LEDGER_TODAY, "test fixture approval", NULL, err) &&
	    projects_create_from_approval(db, &sys, f->app_id, f->amount,
	    err));
}

/* The hook without a ledger commitment. */
static int
create_only_fn(struct db *db, void *arg, struct app_err *err)
{
	struct fixture		*f = arg;
	struct db_params	 p;

	db_params_init(&p);
	dbp_i64(&p, f->app_id);
	return (db_exec(db, "UPDATE applications SET status = 'approved'"
	    " WHERE id = $1", &p, err) &&
	    projects_create_from_approval(db, &sys, f->app_id, f->amount,
	    err));
}

/* The hook alone, as an approval that forgot to approve would call it. */
static int
plain_fn(struct db *db, void *arg, struct app_err *err)
{
	struct fixture	*f = arg;

	return (projects_create_from_approval(db, &sys, f->app_id, f->amount,
	    err));
}

static int
exec_fn(struct db *db, void *arg, struct app_err *err)
{
	return (db_exec(db, arg, NULL, err));
}

static void
test_create_guards(void **state)
{
	struct db	 db;
	struct app_err	 err;
	struct fixture	 f;

	dbtest_conn(&db);
	f.app_id = make_application(&db, 100000000);
	f.amount = 90000000;
	f.inject = 1;
	/* Outside a transaction: refused. */
	app_err_clear(&err);
	assert_false(projects_create_from_approval(&db, &sys, f.app_id,
	    f.amount, &err));
	assert_int_equal(err.code, APP_EINTERNAL);
	/* Not approved (still under assessment). */
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, plain_fn, &f, &err));
	assert_int_equal(err.code, APP_ESTATE);
	/* No commitment in the ledger: refused, nothing written. */
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, create_only_fn, &f,
	    &err));
	assert_int_equal(err.code, APP_ECONFLICT);
	assert_int_equal(dbtest_q64(&db, "SELECT count(*) FROM projects"), 0);
	/* Above the request: refused. */
	f.amount = 100000001;
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, approve_fn, &f, &err));
	assert_int_equal(err.code, APP_EINVAL);
	/* The real thing. */
	f.amount = 90000000;
	app_err_clear(&err);
	if (!db_tx_run(&db, DB_READ_COMMITTED, approve_fn, &f, &err))
		fail_msg("approve: %s (%s)", err.msg, err.field);
	assert_int_equal(dbtest_q64(&db, "SELECT count(*) FROM projects"), 1);
	/* ITSP: a tranche per milestone, summing exactly. */
	assert_int_equal(dbtest_q64(&db, "SELECT count(*) FROM"
	    " project_tranches"), 3);
	assert_int_equal(dbtest_q64(&db, "SELECT sum(amount_cents) FROM"
	    " project_tranches"), 90000000);
	assert_int_equal(dbtest_q64(&db, "SELECT amount_cents FROM"
	    " project_tranches WHERE kind = 'final'"), 90000000 - 2 * 29997000);
	assert_int_equal(dbtest_q64(&db, "SELECT count(*) FROM"
	    " agreement_versions"), 1);
	assert_int_equal(dbtest_q64(&db, "SELECT sum(government_cents) FROM"
	    " project_budget_lines"), 90000000);
	assert_int_equal(dbtest_q64(&db, "SELECT count(*) FROM audit_log WHERE"
	    " action = 'project.create'"), 1);
	/* Twice: refused (the ledger commitment no longer matches either). */
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, create_only_fn, &f,
	    &err));
	assert_int_equal(err.code, APP_ECONFLICT);
	db_close(&db);
}

static void
test_db_guards(void **state)
{
	struct db	 db;
	struct app_err	 err;
	char		 sql[512];
	int64_t		 pid, tid;

	dbtest_conn(&db);
	pid = dbtest_q64(&db, "SELECT min(id) FROM projects");
	tid = dbtest_q64(&db, "SELECT min(id) FROM project_tranches");
	/* A tranche changed alone no longer sums: refused at COMMIT. */
	snprintf(sql, sizeof(sql), "UPDATE project_tranches SET amount_cents"
	    " = amount_cents + 1 WHERE id = %lld", (long long)tid);
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, exec_fn, sql, &err));
	/* The contribution above the approval: refused. */
	snprintf(sql, sizeof(sql), "UPDATE projects SET government_cents ="
	    " approved_cents + 1 WHERE id = %lld", (long long)pid);
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, exec_fn, sql, &err));
	/* Agreement versions are append-only. */
	snprintf(sql, sizeof(sql), "UPDATE agreement_versions SET reason ="
	    " 'x' WHERE project_id = %lld", (long long)pid);
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, exec_fn, sql, &err));
	/* Maker-checker and one live payment per tranche, one per key. */
	snprintf(sql, sizeof(sql), "INSERT INTO payments (project_id,"
	    " tranche_id, amount_cents, idempotency_key, request_hash,"
	    " prepared_by, status, approved_by, approved_at, ledger_entry_id)"
	    " VALUES (%lld, %lld, 1, 'g1', repeat('a', 64), %lld, 'approved',"
	    " %lld, now(), 1)", (long long)pid, (long long)tid,
	    (long long)officer.user_id, (long long)officer.user_id);
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, exec_fn, sql, &err));
	snprintf(sql, sizeof(sql), "INSERT INTO payments (project_id,"
	    " tranche_id, amount_cents, idempotency_key, request_hash,"
	    " prepared_by) VALUES (%lld, %lld, 1, 'g2', repeat('a', 64), %lld),"
	    " (%lld, %lld, 1, 'g3', repeat('a', 64), %lld)", (long long)pid,
	    (long long)tid, (long long)officer.user_id, (long long)pid,
	    (long long)tid, (long long)officer.user_id);
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, exec_fn, sql, &err));
	assert_string_equal(err.field, "payments_one_per_tranche");
	snprintf(sql, sizeof(sql), "INSERT INTO payments (project_id,"
	    " tranche_id, amount_cents, idempotency_key, request_hash,"
	    " prepared_by, status, cancelled_at, cancel_reason) VALUES"
	    " (%lld, %lld, 1, 'g4', repeat('a', 64), %lld, 'cancelled', now(),"
	    " 'x'), (%lld, %lld, 1, 'g4', repeat('a', 64), %lld, 'cancelled',"
	    " now(), 'x')", (long long)pid, (long long)tid,
	    (long long)officer.user_id, (long long)pid, (long long)tid,
	    (long long)officer.user_id);
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, exec_fn, sql, &err));
	assert_string_equal(err.field, "payments_idempotency_key_unique");
	/* Above its tranche. */
	snprintf(sql, sizeof(sql), "INSERT INTO payments (project_id,"
	    " tranche_id, amount_cents, idempotency_key, request_hash,"
	    " prepared_by) VALUES (%lld, %lld, 999999999999, 'g5',"
	    " repeat('a', 64), %lld)", (long long)pid, (long long)tid,
	    (long long)officer.user_id);
	app_err_clear(&err);
	assert_false(db_tx_run(&db, DB_READ_COMMITTED, exec_fn, sql, &err));
	assert_int_equal(dbtest_q64(&db, "SELECT count(*) FROM payments"), 0);
	db_close(&db);
}

static void
test_payment_core(void **state)
{
	struct db		 db;
	struct app_err		 err;
	struct payment_request	 req;
	struct ledger_check	 chk;
	json_t			*body, *out;
	char			 sql[256];
	int64_t			 pid, tid, pay;
	int			 created;

	dbtest_conn(&db);
	pid = dbtest_q64(&db, "SELECT min(id) FROM projects");
	app_err_clear(&err);
	/* Not signed: no payment. */
	tid = dbtest_q64(&db, "SELECT id FROM project_tranches WHERE seq = 1");
	body = json_pack("{s:I}", "tranche_id", (json_int_t)tid);
	assert_true(payments_request_from_json(body, "core-1", &req, &err));
	assert_false(payments_prepare(&db, &officer, &req, &created, &out,
	    &err));
	assert_int_equal(err.code, APP_ESTATE);
	app_err_clear(&err);
	if (!projects_sign(&db, &applicant, pid, NULL, &out, &err))
		fail_msg("sign: %s", err.msg);
	json_decref(out);
	/* Signed, but milestone 1 not accepted: the tranche is locked. */
	app_err_clear(&err);
	assert_false(payments_prepare(&db, &officer, &req, &created, &out,
	    &err));
	assert_int_equal(err.code, APP_ESTATE);
	/* Accept its report (directly: the report path is tested by HTTP). */
	snprintf(sql, sizeof(sql), "UPDATE project_tranches SET unlocked_at ="
	    " now() WHERE id = %lld", (long long)tid);
	assert_true(db_exec(&db, sql, NULL, &err));
	app_err_clear(&err);
	if (!payments_prepare(&db, &officer, &req, &created, &out, &err))
		fail_msg("prepare: %s", err.msg);
	assert_int_equal(created, 1);
	pay = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	/* The same key and body: the same payment, not a new one. */
	app_err_clear(&err);
	assert_true(payments_prepare(&db, &officer, &req, &created, &out,
	    &err));
	assert_int_equal(created, 0);
	assert_int_equal(json_integer_value(json_object_get(out, "id")), pay);
	json_decref(out);
	/* Self-approval refused; approval by another posts to the ledger. */
	app_err_clear(&err);
	assert_false(payments_approve(&db, &officer, pay, NULL, &out, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	app_err_clear(&err);
	if (!payments_approve(&db, &approver, pay, "checked", &out, &err))
		fail_msg("approve: %s", err.msg);
	json_decref(out);
	snprintf(sql, sizeof(sql), "SELECT paid_cents FROM ledger_commitments"
	    " WHERE project_id = %lld", (long long)pid);
	assert_int_equal(dbtest_q64(&db, sql), 29997000);
	app_err_clear(&err);
	assert_true(ledger_verify(&db, &sys, &chk, &err));
	assert_true(ledger_check_ok(&chk));
	json_decref(body);
	db_close(&db);
}

static int
setup_db(void **state)
{
	struct scheme_set	 set;
	const char		*root;
	struct db		 db;
	struct app_err		 err;
	char			 dir[1024];
	int			 changed;

	actor_system(&sys, "test_projects");
	if (dbtest_create("test_projects", "itf_projects", &db) != 0)
		return (-1);
	root = getenv("ITF_ROOT");
	snprintf(dir, sizeof(dir), "%s/schemes", root != NULL ? root : ".");
	app_err_clear(&err);
	if (!schemes_load_dir(dir, &set, &err) ||
	    !catalogue_store(&db, &set, &sys, &changed, &err)) {
		fprintf(stderr, "test_projects: schemes: %s\n", err.msg);
		return (-1);
	}
	schemes_free(&set);
	org_id = dbtest_q64(&db, "INSERT INTO organisations (name_en, name_zh,"
	    " org_type) VALUES ('Test University', '測試大學', 'university')"
	    " RETURNING id");
	db_close(&db);
	dbtest_conn(&db);
	make_user(&db, ROLE_OFFICER, 0, &officer);
	make_user(&db, ROLE_APPROVER, 0, &approver);
	make_user(&db, ROLE_APPLICANT, org_id, &applicant);
	db_close(&db);
	return (0);
}

static int
teardown_db(void **state)
{
	return (dbtest_drop());
}

/* Fixture: approve APPLICATION_ID APPROVED_CENTS on ITF_DATABASE_URL. */
static int
fixture_approve(int argc, char **argv)
{
	struct db	 db;
	struct app_err	 err;
	struct fixture	 f;
	char		 ci[DB_CONNINFO_MAX], *end;

	if (argc != 4)
		return (2);
	memset(&f, 0, sizeof(f));
	f.app_id = strtoll(argv[2], &end, 10);
	f.amount = strtoll(argv[3], &end, 10);
	f.inject = 1;
	actor_system(&sys, "test fixture (approval)");
	db_default_conninfo(getenv("ITF_ROOT"), ci, sizeof(ci));
	app_err_clear(&err);
	if (!db_open(&db, ci, &err) || !db_set_role(&db, "itf_app", &err) ||
	    !db_tx_run(&db, DB_READ_COMMITTED, approve_fn, &f, &err)) {
		fprintf(stderr, "test_projects approve: %s (%s)\n", err.msg,
		    err.field);
		db_close(&db);
		return (1);
	}
	db_close(&db);
	printf("%lld\n", (long long)f.app_id);
	return (0);
}

static int
fixture_verify(void)
{
	struct db		db;
	struct app_err		err;
	struct ledger_check	c;
	char			ci[DB_CONNINFO_MAX];

	actor_system(&sys, "test fixture (verify)");
	db_default_conninfo(getenv("ITF_ROOT"), ci, sizeof(ci));
	app_err_clear(&err);
	if (!db_open(&db, ci, &err) || !db_set_role(&db, "itf_app", &err) ||
	    !ledger_verify(&db, &sys, &c, &err)) {
		fprintf(stderr, "test_projects verify: %s\n", err.msg);
		db_close(&db);
		return (1);
	}
	db_close(&db);
	printf("{\"ok\":%s,\"entries\":%lld,\"unbalanced\":%lld,"
	    "\"stale_balances\":%lld,\"negative_now\":%lld,"
	    "\"project_mismatch\":%lld,\"project_negative\":%lld,"
	    "\"available\":%lld}\n", ledger_check_ok(&c) ? "true" : "false",
	    (long long)c.entries, (long long)c.unbalanced,
	    (long long)c.stale_balances, (long long)c.negative_now,
	    (long long)c.project_mismatch, (long long)c.project_negative,
	    (long long)c.available);
	return (ledger_check_ok(&c) ? 0 : 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_guards),
		cmocka_unit_test(test_db_guards),
		cmocka_unit_test(test_payment_core),
	};

	if (sodium_init() < 0)
		return (1);
	if (argc >= 2 && strcmp(argv[1], "approve") == 0)
		return (fixture_approve(argc, argv));
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return (fixture_verify());
	return (cmocka_run_group_tests(tests, setup_db, teardown_db));
}
