/*
 * audit.c: writing, listing and verifying the audit trail.
 * The table and its hash chain are defined in migrations/0001_foundation.sql.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

static const char SQL_INSERT_AUDIT[] =
    "INSERT INTO audit_log (actor_id, actor_label, action, record_type,"
    " record_id, before, after, reason, prev_hash, hash)"
    " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, '', '')";

/*
 * Recompute every row's hash in id order and compare with the stored
 * chain; return the first row that disagrees.
 */
static const char SQL_VERIFY_AUDIT[] =
    "SELECT coalesce(min(id) FILTER (WHERE NOT ok), 0), count(*) FROM ("
    " SELECT id, prev_hash = coalesce(lag(hash) OVER w, repeat('0', 64))"
    "   AND hash = audit_row_hash(prev_hash, id, at, actor_id, actor_label,"
    "   action, record_type, record_id, before, after, reason) AS ok"
    " FROM audit_log WINDOW w AS (ORDER BY id)) c";

static const char SQL_LIST_AUDIT[] =
    "SELECT coalesce(json_agg(json_build_object('id', id, 'at', "
    " to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " 'actor_id', actor_id, 'actor', actor_label, 'action', action,"
    " 'record_type', record_type, 'record_id', record_id, 'before', before,"
    " 'after', after, 'reason', reason, 'hash', hash) ORDER BY id), '[]')"
    " FROM (SELECT * FROM audit_log WHERE record_type = $1"
    " AND ($2::text IS NULL OR record_id = $2) AND id > $3"
    " ORDER BY id LIMIT $4) a";

int
audit_write(struct db *db, const struct actor *actor, const char *action,
    const char *record_type, const char *record_id, const json_t *before,
    const json_t *after, const char *reason, struct app_err *err)
{
	struct db_params	 p;
	char			*b, *a;
	int			 ok;

	b = before != NULL ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY) : NULL;
	a = after != NULL ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY) : NULL;
	db_params_init(&p);
	if (actor != NULL && actor->user_id > 0)
		dbp_i64(&p, actor->user_id);
	else
		dbp_null(&p);
	dbp_str(&p, actor != NULL ? actor->label : "system");
	dbp_str(&p, action);
	dbp_str(&p, record_type);
	dbp_str(&p, record_id);
	dbp_str(&p, b);
	dbp_str(&p, a);
	dbp_str(&p, reason);
	ok = db_exec(db, SQL_INSERT_AUDIT, &p, err);
	free(b);
	free(a);
	return (ok);
}

int
audit_write_id(struct db *db, const struct actor *actor, const char *action,
    const char *record_type, int64_t record_id, const json_t *before,
    const json_t *after, const char *reason, struct app_err *err)
{
	char	id[24];

	snprintf(id, sizeof(id), "%lld", (long long)record_id);
	return (audit_write(db, actor, action, record_type, id, before, after,
	    reason, err));
}

int
audit_verify(struct db *db, int64_t *broken, int64_t *rows,
    struct app_err *err)
{
	PGresult	*res;

	if ((res = db_query(db, SQL_VERIFY_AUDIT, NULL, err)) == NULL)
		return (0);
	*broken = db_i64(res, 0, 0);
	*rows = db_i64(res, 0, 1);
	PQclear(res);
	return (1);
}

int
audit_list(struct db *db, const struct actor *actor, const char *record_type,
    const char *record_id, int64_t after_id, int limit, json_t **out,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;

	if (!actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR | ROLE_ADMIN)) {
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only officers and auditors read the audit trail"));
	}
	if (limit <= 0 || limit > 500)
		limit = 100;
	db_params_init(&p);
	dbp_str(&p, record_type);
	dbp_str(&p, record_id);
	dbp_i64(&p, after_id);
	dbp_int(&p, limit);
	if ((res = db_query(db, SQL_LIST_AUDIT, &p, err)) == NULL)
		return (0);
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad audit JSON"));
	return (1);
}
