/*
 * notify.c: notifications, written inside other resources' transactions.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "notify.h"

#define NOTE_COLS \
    "id, to_char(created_at AT TIME ZONE 'UTC'," \
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), kind, record_type, record_id," \
    " message_en, message_zh, to_char(read_at AT TIME ZONE 'UTC'," \
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char SQL_INSERT_NOTE[] =
    "INSERT INTO notifications (user_id, kind, record_type, record_id,"
    " message_en, message_zh) VALUES ($1, $2, $3, $4, $5, $6)";

static const char SQL_INSERT_ORG_NOTES[] =
    "INSERT INTO notifications (user_id, kind, record_type, record_id,"
    " message_en, message_zh)"
    " SELECT u.id, $2, $3, $4, $5, $6 FROM users u"
    " WHERE u.org_id = $1 AND u.active AND EXISTS (SELECT 1 FROM user_roles r"
    "  WHERE r.user_id = u.id AND r.role = 'applicant')";

static const char SQL_COUNT_NOTES[] =
    "SELECT count(*) FILTER (WHERE NOT $2::boolean OR read_at IS NULL),"
    " count(*) FILTER (WHERE read_at IS NULL)"
    " FROM notifications WHERE user_id = $1";

static const char SQL_LIST_NOTES[] =
    "SELECT " NOTE_COLS " FROM notifications"
    " WHERE user_id = $1 AND (NOT $2::boolean OR read_at IS NULL)"
    " ORDER BY id DESC LIMIT $3 OFFSET $4";

static const char SQL_LOCK_NOTE[] =
    "SELECT " NOTE_COLS " FROM notifications"
    " WHERE id = $1 AND user_id = $2 FOR UPDATE";

static const char SQL_MARK_READ[] =
    "UPDATE notifications SET read_at = now() WHERE id = $1"
    " RETURNING " NOTE_COLS;

struct read_tx {
	const struct actor	*actor;
	int64_t			 id;
	json_t			*out;
};

static int	note_args_ok(const char *, const char *, const char *,
		    const char *, struct app_err *);
static int	message_ok(const char *, const char *, struct app_err *);
static void	note_params(struct db_params *, int64_t, const char *,
		    const char *, int64_t, const char *, const char *);
static json_t	*note_json(const PGresult *, int);
static int	read_tx_run(struct db *, void *, struct app_err *);

static int
note_args_ok(const char *kind, const char *record_type, const char *en,
    const char *zh, struct app_err *err)
{
	if (kind == NULL || record_type == NULL || en == NULL || zh == NULL) {
		return (app_err_set(err, APP_EINVAL, NULL, "a notification "
		    "needs a kind, a record type and messages in English and "
		    "Chinese"));
	}
	return (auth_text_ok(kind, 1, NOTIFY_KIND_MAX, "kind", err) &&
	    auth_text_ok(record_type, 1, NOTIFY_KIND_MAX, "record_type", err) &&
	    message_ok(en, "message_en", err) &&
	    message_ok(zh, "message_zh", err));
}

/* A message may have several lines; it must be UTF-8 and not too long. */
static int
message_ok(const char *s, const char *field, struct app_err *err)
{
	long	n;

	if ((n = auth_utf8_len(s)) < 0) {
		return (app_err_set(err, APP_EINVAL, field,
		    "the message is not valid UTF-8"));
	}
	if (n < 1 || n > NOTIFY_MESSAGE_MAX) {
		return (app_err_set(err, APP_EINVAL, field,
		    "a message has 1 to %d characters", NOTIFY_MESSAGE_MAX));
	}
	return (1);
}

static void
note_params(struct db_params *p, int64_t who, const char *kind,
    const char *record_type, int64_t record_id, const char *en,
    const char *zh)
{
	db_params_init(p);
	dbp_i64(p, who);
	dbp_str(p, kind);
	dbp_str(p, record_type);
	dbp_i64(p, record_id);
	dbp_str(p, en);
	dbp_str(p, zh);
}

int
notify_user(struct db *db, int64_t user_id, const char *kind,
    const char *record_type, int64_t record_id, const char *message_en,
    const char *message_zh, struct app_err *err)
{
	struct db_params	p;

	if (!note_args_ok(kind, record_type, message_en, message_zh, err))
		return (0);
	note_params(&p, user_id, kind, record_type, record_id, message_en,
	    message_zh);
	return (db_exec(db, SQL_INSERT_NOTE, &p, err));
}

int
notify_org(struct db *db, int64_t org_id, const char *kind,
    const char *record_type, int64_t record_id, const char *message_en,
    const char *message_zh, struct app_err *err)
{
	struct db_params	p;

	if (!note_args_ok(kind, record_type, message_en, message_zh, err))
		return (0);
	note_params(&p, org_id, kind, record_type, record_id, message_en,
	    message_zh);
	return (db_exec(db, SQL_INSERT_ORG_NOTES, &p, err));
}

/* Columns as in NOTE_COLS. */
static json_t *
note_json(const PGresult *res, int row)
{
	return (json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:b,s:s?}",
	    "id", (json_int_t)db_i64(res, row, 0),
	    "created_at", db_str(res, row, 1),
	    "kind", db_str(res, row, 2),
	    "record_type", db_str(res, row, 3),
	    "record_id", (json_int_t)db_i64(res, row, 4),
	    "message_en", db_str(res, row, 5),
	    "message_zh", db_str(res, row, 6),
	    "read", !db_isnull(res, row, 7),
	    "read_at", db_str(res, row, 7)));
}

int
notify_list(struct db *db, const struct actor *actor, int unread_only,
    int limit, int64_t offset, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*list;
	int64_t			 total, unread;
	int			 i;

	*out = NULL;
	if (actor == NULL || actor->user_id <= 0) {
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "sign in to read notifications"));
	}
	if (limit < 1 || limit > NOTIFY_PAGE_MAX) {
		return (app_err_set(err, APP_EINVAL, "limit",
		    "limit is 1 to %d", NOTIFY_PAGE_MAX));
	}
	if (offset < 0)
		return (app_err_set(err, APP_EINVAL, "offset", "offset >= 0"));
	db_params_init(&p);
	dbp_i64(&p, actor->user_id);
	dbp_bool(&p, unread_only);
	if ((res = db_query(db, SQL_COUNT_NOTES, &p, err)) == NULL)
		return (0);
	total = db_i64(res, 0, 0);
	unread = db_i64(res, 0, 1);
	PQclear(res);
	dbp_int(&p, limit);
	dbp_i64(&p, offset);
	if ((res = db_query(db, SQL_LIST_NOTES, &p, err)) == NULL)
		return (0);
	list = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(list, note_json(res, i));
	PQclear(res);
	*out = json_pack("{s:o,s:I,s:I,s:i,s:I}", "notifications", list,
	    "total", (json_int_t)total, "unread", (json_int_t)unread,
	    "limit", limit, "offset", (json_int_t)offset);
	return (1);
}

int
notify_mark_read(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	struct read_tx	tx;

	*out = NULL;
	if (actor == NULL || actor->user_id <= 0) {
		return (app_err_set(err, APP_EUNAUTH, NULL,
		    "sign in to read notifications"));
	}
	tx.actor = actor;
	tx.id = id;
	tx.out = NULL;
	if (!db_tx_run(db, DB_READ_COMMITTED, read_tx_run, &tx, err)) {
		json_decref(tx.out);
		return (0);
	}
	*out = tx.out;
	return (1);
}

static int
read_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct read_tx		*tx = arg;
	struct db_params	 p;
	PGresult		*res;
	json_t			*after;
	int			 ok;

	json_decref(tx->out);
	tx->out = NULL;
	db_params_init(&p);
	dbp_i64(&p, tx->id);
	dbp_i64(&p, tx->actor->user_id);
	if ((res = db_query(db, SQL_LOCK_NOTE, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such notification"));
	}
	if (!db_isnull(res, 0, 7)) {
		tx->out = note_json(res, 0);	/* already read */
		PQclear(res);
		return (1);
	}
	PQclear(res);
	db_params_init(&p);
	dbp_i64(&p, tx->id);
	if ((res = db_query(db, SQL_MARK_READ, &p, err)) == NULL)
		return (0);
	tx->out = note_json(res, 0);
	PQclear(res);
	after = json_pack("{s:s}", "read_at",
	    json_string_value(json_object_get(tx->out, "read_at")));
	ok = audit_write_id(db, tx->actor, "notification.read",
	    "notification", tx->id, NULL, after, NULL, err);
	json_decref(after);
	return (ok);
}
