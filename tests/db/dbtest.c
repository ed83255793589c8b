/*
 * dbtest.c: the private database of a tests/db test (dbtest.h).
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

#include "dbtest.h"
#include "migrate.h"

char		dbtest_ci[1024];
char		dbtest_name[64];

static char	base_ci[900];

int
dbtest_create(const char *prog, const char *prefix, struct db *keep)
{
	const char	*url, *root;
	struct db	 admin, own, *db;
	struct app_err	 err;
	char		 ci[1100], sql[128], dir[1024];
	int		 applied;

	if ((url = getenv("ITF_DATABASE_URL")) == NULL || *url == '\0' ||
	    strstr(url, "://") != NULL) {
		fprintf(stderr, "%s: needs ITF_DATABASE_URL as key=value words "
		    "(scripts/test.sh sets it)\n", prog);
		return (-1);
	}
	snprintf(base_ci, sizeof(base_ci), "%s", url);
	snprintf(dbtest_name, sizeof(dbtest_name), "%s_%d", prefix,
	    (int)getpid());
	snprintf(ci, sizeof(ci), "%s dbname=postgres", base_ci);
	app_err_clear(&err);
	if (!db_open(&admin, ci, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return (-1);
	}
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", dbtest_name);
	db_exec(&admin, sql, NULL, &err);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbtest_name);
	if (!db_exec(&admin, sql, NULL, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		db_close(&admin);
		return (-1);
	}
	db_close(&admin);
	snprintf(dbtest_ci, sizeof(dbtest_ci), "%s dbname=%s", base_ci,
	    dbtest_name);
	root = getenv("ITF_ROOT");
	snprintf(dir, sizeof(dir), "%s/migrations", root != NULL ? root : ".");
	db = keep != NULL ? keep : &own;
	if (!db_open(db, dbtest_ci, &err) ||
	    !migrate_run(db, dir, NULL, &applied, &err)) {
		fprintf(stderr, "%s: migrate: %s (%s)\n", prog, err.msg,
		    err.field);
		return (-1);
	}
	if (keep == NULL)
		db_close(db);
	return (0);
}

int
dbtest_drop(void)
{
	struct db	admin;
	struct app_err	err;
	char		ci[1100], sql[128];

	snprintf(ci, sizeof(ci), "%s dbname=postgres", base_ci);
	app_err_clear(&err);
	if (db_open(&admin, ci, &err)) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s "
		    "WITH (FORCE)", dbtest_name);
		db_exec(&admin, sql, NULL, &err);
		db_close(&admin);
	}
	return (0);
}

void
dbtest_conn(struct db *db)
{
	struct app_err	err;

	app_err_clear(&err);
	if (!db_open(db, dbtest_ci, &err) ||
	    !db_set_role(db, "itf_app", &err))
		fail_msg("connect: %s", err.msg);
}

int64_t
dbtest_q64(struct db *db, const char *sql)
{
	struct app_err	 err;
	PGresult	*res;
	int64_t		 v;

	app_err_clear(&err);
	if ((res = db_query(db, sql, NULL, &err)) == NULL)
		fail_msg("%s: %s", sql, err.msg);
	v = db_i64(res, 0, 0);
	PQclear(res);
	return (v);
}
