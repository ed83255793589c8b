/*
 * cmd_ledger.c: itfctl ledger verify.
 *
 * Runs ledger_verify() (every invariant of docs/ledger.md against the
 * stored postings) in one read-only snapshot, prints what each check
 * found, and exits 1 if any invariant is broken (or the check could not
 * run), 0 otherwise; scripts and monitoring can rely on the status.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ledger.h"
#include "money.h"

struct verify_arg {
	const struct actor	*actor;
	struct ledger_check	 c;
};

static int	verify_tx(struct db *, void *, struct app_err *);

static int
verify_tx(struct db *db, void *arg, struct app_err *err)
{
	struct verify_arg	*a = arg;

	return (db_exec(db, "SET TRANSACTION READ ONLY", NULL, err) &&
	    ledger_verify(db, a->actor, &a->c, err));
}

int
cmd_ledger_verify(int argc, char **argv)
{
	static const struct {
		const char	*what;
		size_t		 off;
	} checks[] = {
		{ "entries whose lines do not sum to zero",
		    offsetof(struct ledger_check, unbalanced) },
		{ "entries with fewer than two lines",
		    offsetof(struct ledger_check, short_entries) },
		{ "accounts whose balance differs from their postings",
		    offsetof(struct ledger_check, stale_balances) },
		{ "restricted accounts below zero now",
		    offsetof(struct ledger_check, negative_now) },
		{ "restricted accounts below zero on some day",
		    offsetof(struct ledger_check, negative_dated) },
		{ "entries leaving the clearing account open",
		    offsetof(struct ledger_check, clearing_open) },
		{ "projects whose sub-ledger differs from the postings",
		    offsetof(struct ledger_check, project_mismatch) },
		{ "projects overdrawn on some day",
		    offsetof(struct ledger_check, project_negative) },
	};
	struct verify_arg	a;
	struct actor		actor;
	struct db		db;
	struct app_err		err;
	char			m[MONEY_FMT_MAX];
	int64_t			n;
	size_t			i;
	int			ok;

	if (argc > 0) {
		fprintf(stderr, "usage: itfctl ledger verify\n");
		return (2);
	}
	app_err_clear(&err);
	cli_actor(&actor);
	memset(&a, 0, sizeof(a));
	a.actor = &actor;
	cli_db_open(&db);
	ok = db_tx_run(&db, DB_REPEATABLE_READ, verify_tx, &a, &err);
	db_close(&db);
	if (!ok)
		return (cli_fail(&err));
	printf("%lld ledger entries checked\n", (long long)a.c.entries);
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		memcpy(&n, (const char *)&a.c + checks[i].off, sizeof(n));
		printf("  %-54s %lld%s\n", checks[i].what, (long long)n,
		    n != 0 ? "  BROKEN" : "");
	}
	money_format(a.c.available, m, sizeof(m));
	printf("  %-54s %s%s\n", "available commitment of the fund", m,
	    a.c.available < 0 ? "  BROKEN" : "");
	if (!ledger_check_ok(&a.c)) {
		printf("ledger BROKEN: an invariant does not hold "
		    "(docs/ledger.md)\n");
		return (1);
	}
	printf("ledger intact: every invariant holds\n");
	return (0);
}
