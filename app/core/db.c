/*
 * db.c: libpq wrapper.  Parametrised queries only, SQLSTATE -> app_err
 * mapping, and the transaction runner that retries serialisation failures.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dates.h"
#include "db.h"

#define DB_TX_RETRIES	8
#define DB_STMTS_MAX	512	/* slots of the statement cache */

/* A statement prepared on the connection as "itf_s<slot>". */
struct db_stmt {
	uint64_t	 hash;
	int		 nparams;
	char		*sql;		/* NULL: a free slot */
};

/* db_cache_statements(): open addressing on the text's hash. */
struct db_stmts {
	struct db_stmt	 v[DB_STMTS_MAX];
	size_t		 n;
};

static void	db_log_stderr(const char *);
static void	db_logf(const char *, ...) __attribute__((format(printf, 1, 2)));
static int	db_result_err(struct db *, PGresult *, const char *,
		    struct app_err *);
static int	db_is_down(struct db *);
static PGresult	*db_send(struct db *, const char *, const struct db_params *);
static int	db_resend_safe(const char *);
static void	db_idle_check(struct db *);
static int	db_session_setup(struct db *, struct app_err *);
static uint64_t	db_sql_hash(const char *);
static int	db_cacheable(const char *);
static void	db_stmts_clear(struct db_stmts *);
static PGresult	*db_exec_cached(struct db *, const char *,
		    const struct db_params *);

static void	(*db_log)(const char *) = db_log_stderr;

static void
db_log_stderr(const char *msg)
{
	fprintf(stderr, "db: %s\n", msg);
}

static void
db_logf(const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	db_log(buf);
}

void
db_set_log(void (*fn)(const char *))
{
	db_log = fn != NULL ? fn : db_log_stderr;
}

void
db_default_conninfo(const char *root, char *buf, size_t len)
{
	static const char	*pgvars[] = { "PGHOST", "PGHOSTADDR", "PGPORT",
				    "PGDATABASE", "PGUSER", "PGSERVICE", NULL };
	const char		*v, *port;
	int			 i;

	if ((v = getenv("ITF_DATABASE_URL")) != NULL && *v != '\0') {
		snprintf(buf, len, "%s", v);
		return;
	}
	for (i = 0; pgvars[i] != NULL; i++) {
		if ((v = getenv(pgvars[i])) != NULL && *v != '\0') {
			buf[0] = '\0';	/* libpq reads its environment */
			return;
		}
	}
	port = getenv("ITF_PGPORT");
	if (port == NULL || *port == '\0')
		port = "55432";
	snprintf(buf, len, "host=%s/var/run port=%s dbname=itf user=itf",
	    root != NULL ? root : ".", port);
}

int
db_open(struct db *db, const char *conninfo, struct app_err *err)
{
	char	ci[DB_CONNINFO_MAX + 128];
	char	given[DB_CONNINFO_MAX];

	snprintf(given, sizeof(given), "%s", conninfo != NULL ? conninfo : "");
	memset(db, 0, sizeof(*db));
	memcpy(db->conninfo, given, sizeof(given));
	/*
	 * A URL cannot take extra key=value words, so only add our defaults
	 * to keyword/value strings.  connect_timeout keeps a dead database
	 * from hanging a worker; gssencmode=disable avoids GSSAPI probing.
	 */
	if (strstr(db->conninfo, "://") != NULL)
		snprintf(ci, sizeof(ci), "%s", db->conninfo);
	else
		snprintf(ci, sizeof(ci), "connect_timeout=3 gssencmode=disable "
		    "application_name=itf %s", db->conninfo);
	db->conn = PQconnectdb(ci);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db_logf("connect failed: %s", db->conn != NULL ?
		    PQerrorMessage(db->conn) : "out of memory");
		return (app_err_set(err, APP_EUNAVAIL, NULL,
		    "the database is unavailable"));
	}
	return (db_session_setup(db, err));
}

/* Settings every connection gets, again after a reconnect. */
static int
db_session_setup(struct db *db, struct app_err *err)
{
	static const char	 SQL_ROLE_OK[] =
	    "SELECT 1 FROM pg_roles WHERE rolname = $1 AND "
	    "pg_has_role(current_user, oid, 'MEMBER')";
	struct db_params	 p;
	PGresult		*res;
	char			*ident;
	char			 sql[128];
	int			 ok;

	/* Nothing a request does may run for ever. */
	if (!db_exec(db, "SET statement_timeout = '30s'", NULL, err) ||
	    !db_exec(db, "SET lock_timeout = '10s'", NULL, err) ||
	    !db_exec(db, "SET idle_in_transaction_session_timeout = '60s'",
	    NULL, err))
		return (0);
	if (db->role[0] == '\0')
		return (1);
	db_params_init(&p);
	dbp_str(&p, db->role);
	if ((res = db_query(db, SQL_ROLE_OK, &p, err)) == NULL)
		return (0);
	ok = PQntuples(res) == 1;
	PQclear(res);
	if (!ok)
		return (1);
	if ((ident = PQescapeIdentifier(db->conn, db->role,
	    strlen(db->role))) == NULL)
		return (app_err_set(err, APP_EDB, NULL, "bad role name"));
	snprintf(sql, sizeof(sql), "SET ROLE %s", ident);
	PQfreemem(ident);
	return (db_exec(db, sql, NULL, err));
}

int
db_set_role(struct db *db, const char *role, struct app_err *err)
{
	snprintf(db->role, sizeof(db->role), "%s", role);
	if (db->conn == NULL || db_is_down(db))
		return (1);	/* applied at the next connect */
	return (db_session_setup(db, err));
}

void
db_close(struct db *db)
{
	if (db->stmts != NULL) {
		db_stmts_clear(db->stmts);
		free(db->stmts);
		db->stmts = NULL;
	}
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
}

static uint64_t
db_sql_hash(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;	/* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (h);
}

/* Statements worth preparing: plain DML and queries, not BEGIN or SET. */
static int
db_cacheable(const char *sql)
{
	static const char	*const kw[] = { "SELECT", "INSERT", "UPDATE",
				    "DELETE", "WITH", NULL };
	size_t			 i, n;

	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '(')
		sql++;
	for (i = 0; kw[i] != NULL; i++) {
		n = strlen(kw[i]);
		if (strncasecmp(sql, kw[i], n) == 0)
			return (1);
	}
	return (0);
}

static void
db_stmts_clear(struct db_stmts *c)
{
	size_t	i;

	for (i = 0; i < DB_STMTS_MAX; i++) {
		free(c->v[i].sql);
		c->v[i].sql = NULL;
	}
	c->n = 0;
}

int
db_cache_statements(struct db *db, int on, struct app_err *err)
{
	if (!on) {
		if (db->stmts == NULL)
			return (1);
		db_stmts_clear(db->stmts);
		free(db->stmts);
		db->stmts = NULL;
		/* Free the names, so a cache turned on again can reuse them. */
		if (db->conn != NULL && !db_is_down(db))
			PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
		return (1);
	}
	if (db->stmts == NULL &&
	    (db->stmts = calloc(1, sizeof(*db->stmts))) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/*
 * Run sql as the statement prepared for its text, preparing it first if
 * this connection has not seen it.  A text that does not prepare (an error
 * in it) answers with the server's error, as PQexecParams() would; a full
 * cache runs the text unprepared.
 */
static PGresult *
db_exec_cached(struct db *db, const char *sql, const struct db_params *p)
{
	struct db_stmts	*c = db->stmts;
	struct db_stmt	*s;
	PGresult	*res;
	uint64_t	 h;
	size_t		 i, probes;
	char		 name[32], drop[48];
	int		 n;

	h = db_sql_hash(sql);
	n = p != NULL ? p->n : 0;
	s = NULL;
	for (i = h % DB_STMTS_MAX, probes = 0; probes < DB_STMTS_MAX;
	    i = (i + 1) % DB_STMTS_MAX, probes++) {
		s = &c->v[i];
		if (s->sql == NULL)
			break;
		if (s->hash == h && s->nparams == n && strcmp(s->sql, sql) == 0)
			break;
	}
	snprintf(name, sizeof(name), "itf_s%zu", i);
	if (probes < DB_STMTS_MAX && s->sql == NULL) {
		if (c->n >= DB_STMTS_MAX * 3 / 4)
			s = NULL;	/* full enough: run it unprepared */
		else {
			res = PQprepare(db->conn, name, sql, n, NULL);
			if (res == NULL ||
			    PQresultStatus(res) != PGRES_COMMAND_OK)
				return (res);
			PQclear(res);
			if ((s->sql = strdup(sql)) == NULL) {
				/* Unrecorded: drop it, the slot stays free. */
				snprintf(drop, sizeof(drop), "DEALLOCATE %s",
				    name);
				PQclear(PQexec(db->conn, drop));
				s = NULL;
			} else {
				s->hash = h;
				s->nparams = n;
				c->n++;
			}
		}
	} else if (probes == DB_STMTS_MAX)
		s = NULL;
	if (s == NULL)
		return (PQexecParams(db->conn, sql, n, NULL,
		    p != NULL ? p->v : NULL, NULL, NULL, 0));
	return (PQexecPrepared(db->conn, name, n, p != NULL ? p->v : NULL,
	    NULL, NULL, 0));
}

static int
db_is_down(struct db *db)
{
	return (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK);
}

/*
 * An idle connection whose server went away (a restart, a failover, an idle
 * session killed) looks alive until a statement is sent on it, and then only
 * a read may be sent again (db_query()).  An idle session is sent nothing,
 * so anything to read is the server's goodbye and the end of the socket:
 * read it without waiting (libpq then marks the connection bad), so that it
 * is renewed before the request's first statement, whatever that is.
 * Bounded: a few reads at most.
 */
static void
db_idle_check(struct db *db)
{
	struct pollfd	pfd;
	int		i;

	pfd.fd = PQsocket(db->conn);
	pfd.events = POLLIN;
	for (i = 0; i < 4 && pfd.fd >= 0 && !db_is_down(db); i++) {
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) != 1 || !PQconsumeInput(db->conn))
			return;
	}
}

int
db_ensure(struct db *db, struct app_err *err)
{
	struct db_stmts	*stmts;
	char		 role[sizeof(db->role)];
	int		 ok;

	if (db->conn == NULL) {
		memcpy(role, db->role, sizeof(role));
		stmts = db->stmts;	/* db_open() clears the struct */
		ok = db_open(db, db->conninfo, err);
		memcpy(db->role, role, sizeof(role));
		if ((db->stmts = stmts) != NULL)
			db_stmts_clear(stmts);
		return (ok && db_session_setup(db, err));
	}
	if (!db->in_tx)
		db_idle_check(db);
	if (!db_is_down(db))
		return (1);
	PQreset(db->conn);
	/* A new server session: nothing is prepared on it yet. */
	if (db->stmts != NULL)
		db_stmts_clear(db->stmts);
	if (db_is_down(db)) {
		return (app_err_set(err, APP_EUNAVAIL, NULL,
		    "the database is unavailable"));
	}
	db->in_tx = 0;
	return (db_session_setup(db, err));
}

void
db_params_init(struct db_params *p)
{
	p->n = 0;
}

static const char **
dbp_slot(struct db_params *p)
{
	if (p->n >= DB_MAXPARAMS)
		abort();	/* a programming error, not input */
	return (&p->v[p->n++]);
}

void
dbp_str(struct db_params *p, const char *s)
{
	*dbp_slot(p) = s;
}

void
dbp_null(struct db_params *p)
{
	*dbp_slot(p) = NULL;
}

void
dbp_i64(struct db_params *p, int64_t v)
{
	int	i = p->n;

	snprintf(p->buf[i], sizeof(p->buf[i]), "%lld", (long long)v);
	*dbp_slot(p) = p->buf[i];
}

void
dbp_int(struct db_params *p, int v)
{
	dbp_i64(p, v);
}

void
dbp_bool(struct db_params *p, int v)
{
	*dbp_slot(p) = v ? "true" : "false";
}

void
dbp_date(struct db_params *p, int day)
{
	int	i = p->n;

	date_format(day, p->buf[i], sizeof(p->buf[i]));
	*dbp_slot(p) = p->buf[i];
}

static int
db_result_err(struct db *db, PGresult *res, const char *sql,
    struct app_err *err)
{
	const char	*state, *msg, *constraint;

	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	msg = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);
	constraint = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	db->retryable = state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0);

	if (state == NULL || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0 || db_is_down(db)) {
		db_logf("connection lost: %s", msg);
		return (app_err_set(err, APP_EUNAVAIL, NULL,
		    "the database is unavailable"));
	}
	if (db->retryable) {
		return (app_err_set(err, APP_ECONFLICT, NULL,
		    "a concurrent change interfered; try again"));
	}
	if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0) {
		db_logf("timeout: %s", msg);
		return (app_err_set(err, APP_EUNAVAIL, NULL,
		    "the database did not answer in time"));
	}
	if (strcmp(state, "23505") == 0) {
		return (app_err_set(err, APP_ECONFLICT,
		    constraint != NULL ? constraint : NULL,
		    "a record with the same key already exists"));
	}
	if (strncmp(state, "23", 2) == 0) {
		db_logf("integrity %s (%s): %s", state,
		    constraint != NULL ? constraint : "-", msg);
		return (app_err_set(err, APP_ECONFLICT,
		    constraint != NULL ? constraint : NULL,
		    "the change would break a rule of the data (%s)",
		    constraint != NULL ? constraint : state));
	}
	if (strcmp(state, "P0001") == 0) {
		/* RAISE EXCEPTION from our own functions: a rule refusal. */
		return (app_err_set(err, APP_ECONFLICT, NULL, "%s",
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)));
	}
	db_logf("error %s: %s [sql: %.200s]", state, msg, sql);
	return (app_err_set(err, APP_EDB, NULL, "database error"));
}

static PGresult *
db_send(struct db *db, const char *sql, const struct db_params *p)
{
	if (db->stmts != NULL && db_cacheable(sql))
		return (db_exec_cached(db, sql, p));
	return (PQexecParams(db->conn, sql, p != NULL ? p->n : 0, NULL,
	    p != NULL ? p->v : NULL, NULL, NULL, 0));
}

/* A statement that changes nothing: SELECT ... or BEGIN ... */
static int
db_resend_safe(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n')
		sql++;
	return (strncasecmp(sql, "SELECT", 6) == 0 ||
	    strncasecmp(sql, "BEGIN", 5) == 0);
}

PGresult *
db_query(struct db *db, const char *sql, const struct db_params *p,
    struct app_err *err)
{
	PGresult	*res;
	ExecStatusType	 st;

	if (db->conn == NULL) {
		app_err_set(err, APP_EUNAVAIL, NULL,
		    "the database is unavailable");
		return (NULL);
	}
	res = db_send(db, sql, p);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return (res);
	/*
	 * The server went away since this connection's last statement (a
	 * restart, a failover, an idle connection killed): libpq finds out
	 * only now.  Outside a transaction, a statement that changes nothing
	 * (a read, or the BEGIN of db_tx_run()) is sent once more on a new
	 * connection, so the first request after the database's return is
	 * served instead of answered 503.  Nothing else is resent: it might
	 * have taken effect before the connection died.
	 */
	if (!db->in_tx && db_is_down(db) && db_resend_safe(sql)) {
		PQclear(res);
		if (!db_ensure(db, err))
			return (NULL);
		db_logf("reconnected to the database; sending again");
		res = db_send(db, sql, p);
		st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
			return (res);
	}
	db_result_err(db, res, sql, err);
	PQclear(res);
	return (NULL);
}

int
db_exec(struct db *db, const char *sql, const struct db_params *p,
    struct app_err *err)
{
	PGresult	*res;

	if ((res = db_query(db, sql, p, err)) == NULL)
		return (0);
	PQclear(res);
	return (1);
}

int
db_exec_script(struct db *db, const char *sql, struct app_err *err)
{
	PGresult	*res;
	ExecStatusType	 st;

	res = PQexec(db->conn, sql);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		PQclear(res);
		return (1);
	}
	if (res != NULL && err != NULL && err->code == APP_OK) {
		app_err_set(err, APP_EDB, NULL, "%s",
		    PQresultErrorMessage(res));
	} else {
		db_result_err(db, res, "(script)", err);
	}
	PQclear(res);
	return (0);
}

int
db_tx_run(struct db *db, enum db_isolation iso,
    int (*fn)(struct db *, void *, struct app_err *), void *arg,
    struct app_err *err)
{
	static const char	*begin[] = {
		"BEGIN ISOLATION LEVEL READ COMMITTED",
		"BEGIN ISOLATION LEVEL REPEATABLE READ",
		"BEGIN ISOLATION LEVEL SERIALIZABLE"
	};
	struct app_err		 e;
	int			 attempt, ok;

	if (db->in_tx)
		abort();	/* nested transactions are a programming error */
	for (attempt = 0; attempt < DB_TX_RETRIES; attempt++) {
		app_err_clear(&e);
		db->retryable = 0;
		if (!db_ensure(db, &e) || !db_exec(db, begin[iso], NULL, &e)) {
			*err = e;
			return (0);
		}
		db->in_tx = 1;
		ok = fn(db, arg, &e);
		if (ok)
			ok = db_exec(db, "COMMIT", NULL, &e);
		else
			PQclear(PQexec(db->conn, "ROLLBACK"));
		db->in_tx = 0;
		if (ok)
			return (1);
		if (!db->retryable)
			break;
		/* Serialisation failure: back off a little and retry. */
		usleep((useconds_t)(1000 * (attempt + 1) +
		    (unsigned)(rand() % 1000)));
	}
	if (err != NULL && err->code == APP_OK)
		*err = e;
	return (0);
}

const char *
db_str(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return (NULL);
	return (PQgetvalue(res, row, col));
}

int64_t
db_i64(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return (0);
	return (strtoll(PQgetvalue(res, row, col), NULL, 10));
}

int
db_int(const PGresult *res, int row, int col)
{
	return ((int)db_i64(res, row, col));
}

int
db_bool(const PGresult *res, int row, int col)
{
	return (!PQgetisnull(res, row, col) &&
	    PQgetvalue(res, row, col)[0] == 't');
}

int
db_isnull(const PGresult *res, int row, int col)
{
	return (PQgetisnull(res, row, col));
}

int
db_date(const PGresult *res, int row, int col)
{
	int	day;

	if (PQgetisnull(res, row, col) ||
	    !date_parse(PQgetvalue(res, row, col), &day))
		return (-1);
	return (day);
}
