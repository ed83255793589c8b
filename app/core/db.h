/*
 * db.h: a thin libpq wrapper shared by the Kore module, the CLI and tests.
 *
 * Every query is parametrised (text parameters, text results).  Errors are
 * mapped to app_err codes here so callers never look at SQLSTATEs, and the
 * SQL error text goes only to the log hook, never to a client.
 *
 * Each process (each Kore worker, the CLI, a test) owns its struct db; a
 * connection never carries an open transaction out of db_tx_run().
 */
#ifndef ITF_DB_H
#define ITF_DB_H

#include <stdint.h>
#include <libpq-fe.h>

#include "errors.h"

#define DB_MAXPARAMS	32
#define DB_CONNINFO_MAX	1024

struct db_stmts;

struct db {
	PGconn		*conn;
	char		 conninfo[DB_CONNINFO_MAX];
	int		 in_tx;
	int		 retryable;	/* last error was 40001 / 40P01 */
	char		 role[32];	/* SET ROLE after every (re)connect */
	struct db_stmts	*stmts;		/* db_cache_statements(), or NULL */
};

struct db_params {
	int		 n;
	const char	*v[DB_MAXPARAMS];
	char		 buf[DB_MAXPARAMS][24];
};

enum db_isolation {
	DB_READ_COMMITTED,
	DB_REPEATABLE_READ,
	DB_SERIALIZABLE
};

/* Where diagnostics go (default: stderr).  The Kore module sets kore_log. */
void	db_set_log(void (*)(const char *msg));

/*
 * The connection string used when none is given: ITF_DATABASE_URL if set;
 * else "" (libpq's own PGHOST/PGDATABASE/... environment) if any of those is
 * set; else the project's private cluster under root/var (socket directory
 * root/var/run, port ITF_PGPORT or 55432, database itf).
 */
void	db_default_conninfo(const char *root, char *buf, size_t len);

int	db_open(struct db *, const char *conninfo, struct app_err *);
void	db_close(struct db *);
/*
 * Run as role (e.g. "itf_app", which cannot rewrite the audit trail) on this
 * connection and after every reconnect, if the role exists and the login
 * user may assume it; otherwise keep the login role.
 */
int	db_set_role(struct db *, const char *role, struct app_err *);
/*
 * Prepare each distinct statement (SELECT, INSERT, UPDATE, DELETE, WITH)
 * once on this connection and run it by name afterwards, instead of having
 * the server parse and plan its text on every call.  Off by default, so
 * the service's connections behave exactly as before; itfctl seed demo
 * turns it on, as it runs the core's statements millions of times on one
 * connection.  The cache (at most a few hundred statements; others run
 * unprepared) follows the connection: it is emptied on reconnect and freed
 * by db_close() or by turning it off.  0 (APP_EINTERNAL) if out of memory.
 */
int	db_cache_statements(struct db *, int on, struct app_err *);
/* Reconnect if the connection is bad; 0 (APP_EUNAVAIL) if still down. */
int	db_ensure(struct db *, struct app_err *);

void	db_params_init(struct db_params *);
void	dbp_str(struct db_params *, const char *);	/* NULL -> SQL NULL */
void	dbp_i64(struct db_params *, int64_t);
void	dbp_int(struct db_params *, int);
void	dbp_bool(struct db_params *, int);
void	dbp_date(struct db_params *, int day);		/* day number */
void	dbp_null(struct db_params *);

/*
 * Run sql; returns the result (caller PQclear()s) or NULL with err set.
 * params may be NULL.
 */
PGresult	*db_query(struct db *, const char *, const struct db_params *,
		    struct app_err *);
/* Run sql and discard the result. */
int		 db_exec(struct db *, const char *, const struct db_params *,
		    struct app_err *);
/* Run a parameterless script (several statements), e.g. a migration. */
int		 db_exec_script(struct db *, const char *, struct app_err *);

/*
 * Run fn inside one transaction at the given isolation level; COMMIT if it
 * returns 1, ROLLBACK otherwise.  Serialisation failures and deadlocks are
 * retried a few times, so fn must have no effect outside the database
 * (other than on arg, which it must be able to redo).
 */
int	db_tx_run(struct db *, enum db_isolation,
	    int (*fn)(struct db *, void *, struct app_err *), void *,
	    struct app_err *);

/* Row getters.  Strings point into res: copy them before PQclear(). */
const char	*db_str(const PGresult *, int row, int col);	/* NULL if SQL NULL */
int64_t		 db_i64(const PGresult *, int row, int col);	/* 0 if NULL */
int		 db_int(const PGresult *, int row, int col);
int		 db_bool(const PGresult *, int row, int col);
int		 db_isnull(const PGresult *, int row, int col);
/* A date column (YYYY-MM-DD) as a day number; -1 if NULL. */
int		 db_date(const PGresult *, int row, int col);

#endif
