/*
 * cmd_db.c: itfctl migrate, migrate status, audit verify.
 */
#include <stdio.h>

#include "audit.h"
#include "cli.h"
#include "migrate.h"

int
cmd_migrate(int argc, char **argv)
{
	struct db	db;
	struct app_err	err;
	int		applied;

	app_err_clear(&err);
	cli_db_open(&db);
	if (!migrate_run(&db, cli_path(0, "migrations"), stdout, &applied,
	    &err)) {
		db_close(&db);
		return (cli_fail(&err));
	}
	printf("%d migration%s applied; database up to date\n", applied,
	    applied == 1 ? "" : "s");
	db_close(&db);
	return (0);
}

int
cmd_migrate_status(int argc, char **argv)
{
	struct db	db;
	struct app_err	err;
	int		pending;

	app_err_clear(&err);
	cli_db_open(&db);
	if (!migrate_pending(&db, cli_path(0, "migrations"), &pending, &err)) {
		db_close(&db);
		return (cli_fail(&err));
	}
	db_close(&db);
	printf("%d migration%s pending\n", pending, pending == 1 ? "" : "s");
	return (pending == 0 ? 0 : 1);
}

int
cmd_audit_verify(int argc, char **argv)
{
	struct db	db;
	struct app_err	err;
	int64_t		broken, rows;

	app_err_clear(&err);
	cli_db_open(&db);
	if (!audit_verify(&db, &broken, &rows, &err)) {
		db_close(&db);
		return (cli_fail(&err));
	}
	db_close(&db);
	if (broken != 0) {
		printf("audit trail BROKEN at row %lld (%lld rows checked)\n",
		    (long long)broken, (long long)rows);
		return (1);
	}
	printf("audit trail intact: %lld rows\n", (long long)rows);
	return (0);
}
