/*
 * orgs.c: applicant organisations and self-registration.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "notify.h"
#include "orgs.h"

#define ORG_COLS \
    "id, name_en, name_zh, org_type, coalesce(br_number, ''), " \
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char SQL_SELECT_ORG[] =
    "SELECT " ORG_COLS " FROM organisations WHERE id = $1";

static const char SQL_INSERT_ORG[] =
    "INSERT INTO organisations (name_en, name_zh, org_type, br_number)"
    " VALUES ($1, $2, $3, $4) RETURNING " ORG_COLS;

/*
 * $1 the search text or NULL: an exact BR number, or a substring of either
 * name with LIKE's wildcards escaped, so "50%" means 50%.
 */
#define ORG_MATCH \
    " FROM organisations, (SELECT '%' || replace(replace(replace($1::text," \
    " '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS pat) q" \
    " WHERE $1::text IS NULL OR br_number = $1" \
    " OR name_en ILIKE q.pat ESCAPE '\\' OR name_zh ILIKE q.pat ESCAPE '\\'"

static const char SQL_COUNT_ORGS[] =
    "SELECT count(*)" ORG_MATCH;

static const char SQL_SEARCH_ORGS[] =
    "SELECT " ORG_COLS ORG_MATCH
    " ORDER BY lower(name_en), id LIMIT $2 OFFSET $3";

static const char *const org_types[] = {
	"company", "university", "rd_centre", "public_body", "other", NULL
};

struct register_tx {
	const struct org_in	*org_in;
	struct user_in		*user_in;
	const char		*email;
	const char		*pwhash;
	struct auth_session	*sess;
	struct org		 org;
	json_t			*user;
};

struct create_tx {
	const struct actor	*actor;
	const struct org_in	*in;
	struct org		*out;
};

static void	org_from_row(const PGresult *, int, struct org *);
static int	org_insert(struct db *, const struct org_in *, const char *,
		    struct org *, struct app_err *);
static int	name_ok(const char *, const char *, const char *,
		    struct app_err *);
static int	register_tx_run(struct db *, void *, struct app_err *);
static int	create_tx_run(struct db *, void *, struct app_err *);

int
orgs_type_ok(const char *s)
{
	int	i;

	for (i = 0; s != NULL && org_types[i] != NULL; i++) {
		if (strcmp(org_types[i], s) == 0)
			return (1);
	}
	return (0);
}

int
orgs_br_ok(const char *s)
{
	int	i;

	if (s == NULL)
		return (0);
	for (i = 0; i < ORG_BR_LEN; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	return (s[i] == '\0');
}

static int
name_ok(const char *s, const char *prefix, const char *key,
    struct app_err *err)
{
	char	f[64];
	size_t	n;

	snprintf(f, sizeof(f), "%s%s", prefix, key);
	if (s == NULL)
		return (app_err_set(err, APP_EBADREQ, f, "\"%s\" is required", f));
	if (!auth_text_ok(s, 1, ORG_NAME_MAX, f, err))
		return (0);
	n = strlen(s);
	if (s[0] == ' ' || s[n - 1] == ' ') {
		return (app_err_set(err, APP_EINVAL, f,
		    "must not start or end with a space"));
	}
	return (1);
}

int
orgs_validate(const struct org_in *in, const char *prefix,
    struct app_err *err)
{
	char	f[64];

	if (!name_ok(in->name_en, prefix, "name_en", err) ||
	    !name_ok(in->name_zh, prefix, "name_zh", err))
		return (0);
	snprintf(f, sizeof(f), "%stype", prefix);
	if (in->type == NULL)
		return (app_err_set(err, APP_EBADREQ, f, "\"%s\" is required", f));
	if (!orgs_type_ok(in->type)) {
		return (app_err_set(err, APP_EINVAL, f, "the type is one of "
		    "company, university, rd_centre, public_body, other"));
	}
	snprintf(f, sizeof(f), "%sbr_number", prefix);
	if (in->br_number == NULL || in->br_number[0] == '\0') {
		if (strcmp(in->type, "company") == 0) {
			return (app_err_set(err, APP_EINVAL, f, "a company "
			    "gives its Business Registration number"));
		}
		return (1);
	}
	if (!orgs_br_ok(in->br_number)) {
		return (app_err_set(err, APP_EINVAL, f, "a Business "
		    "Registration number is 8 digits"));
	}
	return (1);
}

json_t *
orgs_json(const struct org *o)
{
	return (json_pack("{s:I,s:s,s:s,s:s,s:o,s:s}", "id", (json_int_t)o->id,
	    "name_en", o->name_en, "name_zh", o->name_zh, "type", o->type,
	    "br_number", o->br_number[0] != '\0' ?
	    json_string(o->br_number) : json_null(),
	    "created_at", o->created_at));
}

/* Columns as in ORG_COLS. */
static void
org_from_row(const PGresult *res, int row, struct org *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_i64(res, row, 0);
	snprintf(o->name_en, sizeof(o->name_en), "%s", db_str(res, row, 1));
	snprintf(o->name_zh, sizeof(o->name_zh), "%s", db_str(res, row, 2));
	snprintf(o->type, sizeof(o->type), "%s", db_str(res, row, 3));
	snprintf(o->br_number, sizeof(o->br_number), "%s", db_str(res, row, 4));
	snprintf(o->created_at, sizeof(o->created_at), "%s",
	    db_str(res, row, 5));
}

int
orgs_lookup(struct db *db, int64_t id, struct org *o, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, SQL_SELECT_ORG, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such organisation"));
	}
	org_from_row(res, 0, o);
	PQclear(res);
	return (1);
}

int
orgs_get(struct db *db, const struct actor *actor, int64_t id, struct org *o,
    struct app_err *err)
{
	if (actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR | ROLE_ADMIN))
		return (orgs_lookup(db, id, o, err));
	if (actor_has(actor, ROLE_APPLICANT)) {
		/* Another organisation reads as absent, not as forbidden. */
		if (actor->org_id != id) {
			return (app_err_set(err, APP_ENOTFOUND, "id",
			    "no such organisation"));
		}
		return (orgs_lookup(db, id, o, err));
	}
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "your roles do not read organisations"));
}

int
orgs_search(struct db *db, const struct actor *actor, const char *q,
    int limit, int64_t offset, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	struct org		 o;
	json_t			*list;
	int64_t			 total;
	int			 i;

	*out = NULL;
	if (!actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR | ROLE_ADMIN)) {
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only officers, auditors and administrators search "
		    "organisations"));
	}
	if (q != NULL && q[0] == '\0')
		q = NULL;
	if (q != NULL && !auth_text_ok(q, 1, ORG_NAME_MAX, "q", err))
		return (0);
	if (limit < 1 || limit > ORG_SEARCH_MAX) {
		return (app_err_set(err, APP_EINVAL, "limit",
		    "limit is 1 to %d", ORG_SEARCH_MAX));
	}
	if (offset < 0)
		return (app_err_set(err, APP_EINVAL, "offset", "offset >= 0"));

	db_params_init(&p);
	dbp_str(&p, q);
	if ((res = db_query(db, SQL_COUNT_ORGS, &p, err)) == NULL)
		return (0);
	total = db_i64(res, 0, 0);
	PQclear(res);
	dbp_int(&p, limit);
	dbp_i64(&p, offset);
	if ((res = db_query(db, SQL_SEARCH_ORGS, &p, err)) == NULL)
		return (0);
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		org_from_row(res, i, &o);
		json_array_append_new(list, orgs_json(&o));
	}
	PQclear(res);
	*out = json_pack("{s:o,s:I,s:i,s:I}", "organisations", list,
	    "total", (json_int_t)total, "limit", limit,
	    "offset", (json_int_t)offset);
	return (1);
}

/* Inside a transaction: insert a validated organisation. */
static int
org_insert(struct db *db, const struct org_in *in, const char *prefix,
    struct org *o, struct app_err *err)
{
	struct db_params	 p;
	struct app_err		 e;
	PGresult		*res;
	char			 f[64];

	db_params_init(&p);
	dbp_str(&p, in->name_en);
	dbp_str(&p, in->name_zh);
	dbp_str(&p, in->type);
	dbp_str(&p, in->br_number != NULL && in->br_number[0] != '\0' ?
	    in->br_number : NULL);
	app_err_clear(&e);
	if ((res = db_query(db, SQL_INSERT_ORG, &p, &e)) == NULL) {
		if (e.code == APP_ECONFLICT &&
		    strcmp(e.field, "organisations_br") == 0) {
			snprintf(f, sizeof(f), "%sbr_number", prefix);
			return (app_err_set(err, APP_ECONFLICT, f, "an "
			    "organisation with this Business Registration "
			    "number is already registered"));
		}
		return (app_err_set(err, e.code, e.field, "%s", e.msg));
	}
	org_from_row(res, 0, o);
	PQclear(res);
	return (1);
}

int
orgs_create(struct db *db, const struct actor *actor, const struct org_in *in,
    struct org *out, struct app_err *err)
{
	struct create_tx	tx;

	if (!actor_has(actor, ROLE_OFFICER | ROLE_ADMIN)) {
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only officers and administrators create organisations"));
	}
	if (!orgs_validate(in, "", err))
		return (0);
	tx.actor = actor;
	tx.in = in;
	tx.out = out;
	return (db_tx_run(db, DB_READ_COMMITTED, create_tx_run, &tx, err));
}

static int
create_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct create_tx	*tx = arg;
	json_t			*after;
	int			 ok;

	if (!org_insert(db, tx->in, "", tx->out, err))
		return (0);
	after = orgs_json(tx->out);
	ok = audit_write_id(db, tx->actor, "organisation.create",
	    "organisation", tx->out->id, NULL, after, NULL, err);
	json_decref(after);
	return (ok);
}

int
orgs_register(struct db *db, const json_t *in, struct auth_session *sess,
    json_t **out, struct app_err *err)
{
	static const char *const	 top[] = { "organisation", "user", NULL };
	static const char *const	 ofields[] = { "name_en", "name_zh",
					    "type", "br_number", NULL };
	static const char *const	 ufields[] = { "email", "password",
					    "name", NULL };
	struct register_tx		 tx;
	struct org_in			 oi;
	struct user_in			 ui;
	const json_t			*jo, *ju;
	char				 email[AUTH_EMAIL_MAX + 1];
	char				 pwhash[AUTH_PWHASH_LEN];

	*out = NULL;
	if (!auth_json_only(in, top, "", err))
		return (0);
	jo = json_object_get(in, "organisation");
	ju = json_object_get(in, "user");
	if (!json_is_object(jo)) {
		return (app_err_set(err, APP_EBADREQ, "organisation",
		    "\"organisation\" must be an object"));
	}
	if (!json_is_object(ju)) {
		return (app_err_set(err, APP_EBADREQ, "user",
		    "\"user\" must be an object"));
	}
	memset(&oi, 0, sizeof(oi));
	memset(&ui, 0, sizeof(ui));
	if (!auth_json_only(jo, ofields, "organisation.", err) ||
	    !auth_json_only(ju, ufields, "user.", err) ||
	    !auth_json_str(jo, "name_en", 1, "organisation.", &oi.name_en,
	    err) ||
	    !auth_json_str(jo, "name_zh", 1, "organisation.", &oi.name_zh,
	    err) ||
	    !auth_json_str(jo, "type", 1, "organisation.", &oi.type, err) ||
	    !auth_json_str(jo, "br_number", 0, "organisation.",
	    &oi.br_number, err) ||
	    !auth_json_str(ju, "email", 1, "user.", &ui.email, err) ||
	    !auth_json_str(ju, "password", 1, "user.", &ui.password, err) ||
	    !auth_json_str(ju, "name", 0, "user.", &ui.name, err))
		return (0);
	ui.roles = ROLE_APPLICANT;
	/* Stands for the organisation made in the same transaction. */
	ui.org_id = INT64_MAX;
	if (!orgs_validate(&oi, "organisation.", err) ||
	    !auth_user_validate(&ui, "user.", email, sizeof(email), err) ||
	    !auth_password_hash(ui.password, pwhash, err))
		return (0);

	memset(&tx, 0, sizeof(tx));
	tx.org_in = &oi;
	tx.user_in = &ui;
	tx.email = email;
	tx.pwhash = pwhash;
	tx.sess = sess;
	if (!db_tx_run(db, DB_READ_COMMITTED, register_tx_run, &tx, err)) {
		json_decref(tx.user);
		return (0);
	}
	*out = json_pack("{s:o,s:o}", "organisation", orgs_json(&tx.org),
	    "user", tx.user);
	return (1);
}

static int
register_tx_run(struct db *db, void *arg, struct app_err *err)
{
	struct register_tx	*tx = arg;
	struct actor		 self;
	json_t			*after;
	char			 en[1024], zh[1024];
	int64_t			 uid;
	int			 ok;

	json_decref(tx->user);
	tx->user = NULL;
	if (!org_insert(db, tx->org_in, "organisation.", &tx->org, err))
		return (0);
	tx->user_in->org_id = tx->org.id;
	if (!auth_user_insert(db, NULL, tx->user_in, tx->email, tx->pwhash,
	    "user.", &uid, err))
		return (0);
	/* The new user registers their organisation. */
	memset(&self, 0, sizeof(self));
	self.user_id = uid;
	self.org_id = tx->org.id;
	self.roles = ROLE_APPLICANT;
	snprintf(self.label, sizeof(self.label), "%s", tx->email);
	after = orgs_json(&tx->org);
	ok = audit_write_id(db, &self, "organisation.register",
	    "organisation", tx->org.id, NULL, after, NULL, err);
	json_decref(after);
	if (!ok)
		return (0);
	snprintf(en, sizeof(en), "Welcome. %s is registered with the "
	    "Innovation and Technology Fund; you can now apply to its "
	    "schemes.", tx->org.name_en);
	snprintf(zh, sizeof(zh), "歡迎。%s已在創新及科技基金登記，"
	    "現可申請基金轄下的計劃。", tx->org.name_zh);
	return (notify_user(db, uid, "organisation.registered",
	    "organisation", tx->org.id, en, zh, err) &&
	    auth_session_insert(db, &self, uid, tx->email, NULL, tx->sess,
	    err) &&
	    auth_user_json(db, &self, uid, &tx->user, err));
}
