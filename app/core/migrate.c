/*
 * migrate.c: the migration runner.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "migrate.h"

#define MIGRATE_MAX	512
#define MIGRATE_LOCK	"4242001"	/* pg_advisory_lock key */

struct migration {
	char	name[128];	/* file name */
	char	version[5];	/* "0001" */
};

static const char SQL_CREATE_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_SELECT_APPLIED[] =
    "SELECT checksum, name FROM schema_migrations WHERE version = $1";
static const char SQL_INSERT_APPLIED[] =
    "INSERT INTO schema_migrations (version, name, checksum) "
    "VALUES ($1, $2, $3)";

static int	migrate_list(const char *, struct migration *, int *,
		    struct app_err *);
static int	migrate_cmp(const void *, const void *);
static char	*migrate_read(const char *, const char *, char *, size_t,
		    struct app_err *);
static int	migrate_walk(struct db *, const char *, FILE *, int *, int,
		    struct app_err *);
static int	migrate_one(struct db *, const char *, const struct migration *,
		    FILE *, int *, int, struct app_err *);

static int
migrate_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct migration *)a)->name,
	    ((const struct migration *)b)->name));
}

static int
migrate_list(const char *dir, struct migration *v, int *n,
    struct app_err *err)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 len;
	int		 i;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		return (app_err_set(err, APP_EINVAL, "dir",
		    "%s: cannot open the migrations directory", dir));
	}
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 9 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		for (i = 0; i < 4; i++) {
			if (!isdigit((unsigned char)e->d_name[i]))
				break;
		}
		if (i != 4 || e->d_name[4] != '_' ||
		    len >= sizeof(v[0].name) || *n >= MIGRATE_MAX) {
			closedir(d);
			return (app_err_set(err, APP_EINVAL, "dir",
			    "%s/%s: a migration is named NNNN_what.sql",
			    dir, e->d_name));
		}
		snprintf(v[*n].name, sizeof(v[*n].name), "%s", e->d_name);
		memcpy(v[*n].version, e->d_name, 4);
		v[*n].version[4] = '\0';
		(*n)++;
	}
	closedir(d);
	qsort(v, (size_t)*n, sizeof(v[0]), migrate_cmp);
	for (i = 1; i < *n; i++) {
		if (strcmp(v[i].version, v[i - 1].version) == 0) {
			return (app_err_set(err, APP_EINVAL, "dir",
			    "%s and %s share the number %s", v[i - 1].name,
			    v[i].name, v[i].version));
		}
	}
	return (1);
}

/* Read a whole file into a malloc'd string; sets hex to its sha256. */
static char *
migrate_read(const char *dir, const char *name, char *hex, size_t hexlen,
    struct app_err *err)
{
	char		 path[1024];
	unsigned char	 sum[crypto_hash_sha256_BYTES];
	FILE		*f;
	char		*buf;
	long		 len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		app_err_set(err, APP_EINVAL, "file", "%s: cannot read", path);
		return (NULL);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)len + 1)) == NULL) {
		fclose(f);
		app_err_set(err, APP_EINVAL, "file", "%s: cannot read", path);
		return (NULL);
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		app_err_set(err, APP_EINVAL, "file", "%s: short read", path);
		return (NULL);
	}
	fclose(f);
	buf[len] = '\0';
	crypto_hash_sha256(sum, (const unsigned char *)buf, (size_t)len);
	sodium_bin2hex(hex, hexlen, sum, sizeof(sum));
	return (buf);
}

/*
 * Apply one migration unless it is recorded; refuse a recorded one whose
 * checksum differs.  With dry_run only count what is pending.
 */
static int
migrate_one(struct db *db, const char *dir, const struct migration *m,
    FILE *out, int *applied, int dry_run, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	char			 hex[crypto_hash_sha256_BYTES * 2 + 1];
	char			*sql;
	int			 ok;

	if ((sql = migrate_read(dir, m->name, hex, sizeof(hex), err)) == NULL)
		return (0);
	db_params_init(&p);
	dbp_str(&p, m->version);
	if ((res = db_query(db, SQL_SELECT_APPLIED, &p, err)) == NULL) {
		free(sql);
		return (0);
	}
	if (PQntuples(res) == 1) {
		ok = strcmp(db_str(res, 0, 0), hex) == 0;
		if (!ok) {
			app_err_set(err, APP_ECONFLICT, "migration",
			    "%s was changed after it was applied (recorded "
			    "sha256 %.12s..., file now %.12s...); never edit an "
			    "applied migration, add a new one", m->name,
			    db_str(res, 0, 0), hex);
		}
		PQclear(res);
		free(sql);
		return (ok);
	}
	PQclear(res);
	if (dry_run) {
		(*applied)++;
		free(sql);
		return (1);
	}

	ok = db_exec(db, "BEGIN", NULL, err);
	if (ok && !db_exec_script(db, sql, err)) {
		app_err_set(err, APP_EDB, "migration", "%s failed", m->name);
		snprintf(err->field, sizeof(err->field), "%.63s", m->name);
		ok = 0;
	}
	if (ok) {
		db_params_init(&p);
		dbp_str(&p, m->version);
		dbp_str(&p, m->name);
		dbp_str(&p, hex);
		ok = db_exec(db, SQL_INSERT_APPLIED, &p, err) &&
		    db_exec(db, "COMMIT", NULL, err);
	}
	if (!ok)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	else {
		(*applied)++;
		if (out != NULL)
			fprintf(out, "applied %s\n", m->name);
	}
	free(sql);
	return (ok);
}

static int
migrate_walk(struct db *db, const char *dir, FILE *out, int *count,
    int dry_run, struct app_err *err)
{
	struct migration	*v;
	int			 n, i, ok;

	*count = 0;
	if ((v = calloc(MIGRATE_MAX, sizeof(*v))) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	ok = migrate_list(dir, v, &n, err) &&
	    db_exec(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", NULL,
	    err);
	if (!ok) {
		free(v);
		return (0);
	}
	ok = db_exec(db, "SET client_min_messages = warning", NULL, err) &&
	    db_exec(db, SQL_CREATE_TABLE, NULL, err);
	for (i = 0; ok && i < n; i++)
		ok = migrate_one(db, dir, &v[i], out, count, dry_run, err);
	PQclear(PQexec(db->conn,
	    "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
	free(v);
	return (ok);
}

int
migrate_run(struct db *db, const char *dir, FILE *out, int *applied,
    struct app_err *err)
{
	return (migrate_walk(db, dir, out, applied, 0, err));
}

int
migrate_pending(struct db *db, const char *dir, int *pending,
    struct app_err *err)
{
	return (migrate_walk(db, dir, NULL, pending, 1, err));
}
