/*
 * payments.c: preparing, approving and cancelling payments of tranches,
 * idempotently and under maker-checker.  Owns the table payments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "claims.h"
#include "dates.h"
#include "ledger.h"
#include "payments.h"
#include "projects.h"

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define PAYMENT_JSON							\
    "json_build_object('id', x.id, 'project_id', x.project_id,"		\
    " 'reference', p.reference, 'tranche', CASE WHEN t.id IS NULL THEN"\
    "  NULL ELSE json_build_object('id', t.id,"				\
    "  'seq', t.seq, 'kind', t.kind, 'milestone_seq', t.milestone_seq,"	\
    "  'amount_cents', t.amount_cents) END, 'claim', CASE WHEN cl.id IS"\
    "  NULL THEN NULL ELSE json_build_object('id', cl.id, 'kind',"	\
    "  cl.kind, 'period', cl.period, 'version', cl.version,"		\
    "  'payable_cents', cl.payable_cents) END,"				\
    " 'amount_cents', x.amount_cents,"					\
    " 'status', x.status, 'idempotency_key', x.idempotency_key,"	\
    " 'note', x.note, 'prepared_by', json_build_object('id',"		\
    "  x.prepared_by, 'email', pu.email), 'prepared_at', "		\
    TS("x.prepared_at") ", 'approved_by', CASE WHEN x.approved_by IS"	\
    "  NULL THEN NULL ELSE json_build_object('id', x.approved_by,"	\
    "  'email', au.email) END, 'approved_at', " TS("x.approved_at") ","\
    " 'approval_note', x.approval_note, 'ledger_entry_id',"		\
    " x.ledger_entry_id, 'cancelled_at', " TS("x.cancelled_at") ","	\
    " 'cancel_reason', x.cancel_reason)::text"

#define PAYMENT_FROM							\
    " FROM payments x JOIN projects p ON p.id = x.project_id"		\
    " LEFT JOIN project_tranches t ON t.id = x.tranche_id"		\
    " LEFT JOIN claims cl ON cl.id = x.claim_id"			\
    " JOIN users pu ON pu.id = x.prepared_by"				\
    " LEFT JOIN users au ON au.id = x.approved_by"

static const char SQL_GET[] =
    "SELECT " PAYMENT_JSON ", p.org_id" PAYMENT_FROM " WHERE x.id = $1";

/*
 * The list's rows, newest first; the JSON page and the download share them
 * (list_params()).  $1 applicant's organisation or NULL, $2 project,
 * $3 status, $4 cursor.
 */
#define LIST_WHERE							\
    " WHERE ($1::bigint IS NULL OR p.org_id = $1::bigint)"		\
    " AND ($2::bigint IS NULL OR x.project_id = $2::bigint)"		\
    " AND ($3::text IS NULL OR x.status = $3::text)"			\
    " AND ($4::bigint IS NULL OR x.id < $4::bigint)"			\
    " ORDER BY x.id DESC"

/* $5 limit. */
static const char SQL_LIST[] =
    "SELECT x.id, " PAYMENT_JSON PAYMENT_FROM LIST_WHERE " LIMIT $5";

/*
 * The same rows as text columns, for export_query(): the columns everyone
 * sees, then those only staff see (export_cols, EXPORT_STAFF_COLS).
 */
static const char SQL_EXPORT[] =
    "SELECT x.id, x.project_id, p.reference, t.id, t.seq, t.kind,"
    " t.milestone_seq, t.amount_cents, x.amount_cents, x.status, x.note,"
    " " TS("x.prepared_at") ", " TS("x.approved_at") ", x.approval_note,"
    " x.ledger_entry_id, " TS("x.cancelled_at") ", x.cancel_reason,"
    " x.idempotency_key, pu.email, au.email" PAYMENT_FROM LIST_WHERE;

static const struct export_column export_cols[] = {
	{ "id", "Payment ID", "付款編號", EXPORT_INT },
	{ "project_id", "Project ID", "項目編號", EXPORT_INT },
	{ "reference", "Reference", "檔案編號", EXPORT_TEXT },
	{ "tranche.id", "Tranche ID", "分期編號", EXPORT_INT },
	{ "tranche.seq", "Tranche", "期數", EXPORT_INT },
	{ "tranche.kind", "Tranche kind", "分期類別", EXPORT_TEXT },
	{ "tranche.milestone_seq", "Milestone", "里程碑", EXPORT_INT },
	{ "tranche.amount_cents", "Tranche amount (HK$)", "分期金額 (港元)",
	    EXPORT_CENTS },
	{ "amount_cents", "Amount (HK$)", "付款金額 (港元)", EXPORT_CENTS },
	{ "status", "Status", "狀態", EXPORT_TEXT },
	{ "note", "Note", "備註", EXPORT_TEXT },
	{ "prepared_at", "Prepared at (UTC)", "擬備時間 (協調世界時)",
	    EXPORT_TEXT },
	{ "approved_at", "Approved at (UTC)", "批核時間 (協調世界時)",
	    EXPORT_TEXT },
	{ "approval_note", "Approval note", "批核備註", EXPORT_TEXT },
	{ "ledger_entry_id", "Ledger entry", "分類賬記項", EXPORT_INT },
	{ "cancelled_at", "Cancelled at (UTC)", "取消時間 (協調世界時)",
	    EXPORT_TEXT },
	{ "cancel_reason", "Reason cancelled", "取消原因", EXPORT_TEXT },
	/* Staff only, as the JSON list. */
	{ "idempotency_key", "Idempotency key", "冪等鍵", EXPORT_TEXT },
	{ "prepared_by.email", "Prepared by", "擬備人", EXPORT_TEXT },
	{ "approved_by.email", "Approved by", "批核人", EXPORT_TEXT },
};
#define EXPORT_STAFF_COLS	3

static const char SQL_BY_KEY[] =
    "SELECT id, request_hash FROM payments WHERE idempotency_key = $1";

static const char SQL_TRANCHE_PROJECT[] =
    "SELECT project_id FROM project_tranches WHERE id = $1";

static const char SQL_TRANCHE[] =
    "SELECT t.amount_cents, t.unlocked_at IS NOT NULL, t.seq, t.kind,"
    " t.milestone_seq, (SELECT x.id FROM payments x WHERE x.tranche_id ="
    " t.id AND x.status <> 'cancelled' LIMIT 1)"
    " FROM project_tranches t WHERE t.id = $1 AND t.project_id = $2";

static const char SQL_INSERT[] =
    "INSERT INTO payments (project_id, tranche_id, amount_cents,"
    " idempotency_key, request_hash, note, prepared_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
static const char SQL_INSERT_CLAIM[] =
    "INSERT INTO payments (project_id, claim_id, amount_cents,"
    " idempotency_key, request_hash, note, prepared_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/* The claim's live payment, if any. */
static const char SQL_CLAIM_PAYMENT[] =
    "SELECT id FROM payments WHERE claim_id = $1 AND status <> 'cancelled'";

static const char SQL_PAYMENT_PROJECT[] =
    "SELECT project_id FROM payments WHERE id = $1";

static const char SQL_LOCK[] =
    "SELECT status, prepared_by, coalesce(approved_by, 0), amount_cents,"
    " coalesce(tranche_id, 0), coalesce(claim_id, 0)"
    " FROM payments WHERE id = $1 FOR UPDATE";

static const char SQL_APPROVE[] =
    "UPDATE payments SET status = 'approved', approved_by = $2,"
    " approved_at = now(), approval_note = $3, ledger_entry_id = $4"
    " WHERE id = $1 AND status = 'prepared'";

static const char SQL_CANCEL[] =
    "UPDATE payments SET status = 'cancelled', cancelled_by = $2,"
    " cancelled_at = now(), cancel_reason = $3"
    " WHERE id = $1 AND status = 'prepared'";

static const char SQL_CANCEL_OPEN[] =
    "UPDATE payments SET status = 'cancelled', cancelled_by = $2,"
    " cancelled_at = now(), cancel_reason = $3"
    " WHERE project_id = $1 AND status = 'prepared' RETURNING id";

static const char SQL_OPEN_COUNT[] =
    "SELECT count(*) FILTER (WHERE status = 'prepared'),"
    " coalesce(sum(amount_cents) FILTER (WHERE status = 'approved'), 0)"
    " FROM payments WHERE project_id = $1";

static const char *const status_names[PAYMENT_NSTATUS] = {
	"prepared", "approved", "cancelled"
};

struct pay_tx {
	const struct actor		*actor;
	const struct payment_request	*req;
	int64_t				 id;
	const char			*text;
	int				 replayed;
};

static int	by_key(struct db *, struct pay_tx *, struct app_err *);
static int	insert_tx(struct db *, struct pay_tx *, const char *, int64_t,
		    const char *, int64_t, cents_t, struct app_err *);
static int	run_tx(struct db *, const struct actor *, int64_t,
		    const char *, int (*)(struct db *, void *,
		    struct app_err *), json_t **, struct app_err *);
static int	list_params(const struct actor *, const struct payment_filter *,
		    struct db_params *, struct app_err *);
static int	prepare_tx(struct db *, void *, struct app_err *);
static int	prepare_claim_tx(struct db *, struct pay_tx *,
		    struct app_err *);
static int	approve_claim_tx(struct db *, struct pay_tx *,
		    const struct project *, int64_t, cents_t, struct app_err *);
static int	lookup_tx(struct db *, void *, struct app_err *);
static int	approve_tx(struct db *, void *, struct app_err *);
static int	approve_post(struct db *, struct pay_tx *, int64_t, cents_t,
		    const char *, struct app_err *);
static int	cancel_tx(struct db *, void *, struct app_err *);
static int	audit_payment(struct db *, const struct actor *, const char *,
		    int64_t, const char *, const char *, const char *,
		    struct app_err *);
static int	payment_project(struct db *, const struct actor *, int64_t,
		    int, struct project *, struct app_err *);
static int	load_payment(struct db *, const struct actor *, int64_t,
		    json_t **, struct app_err *);

const char *
payment_status_name(enum payment_status st)
{
	if ((int)st < 0 || st >= PAYMENT_NSTATUS)
		return ("unknown");
	return (status_names[st]);
}

int
payment_status_parse(const char *s, enum payment_status *out)
{
	int	i;

	for (i = 0; s != NULL && i < PAYMENT_NSTATUS; i++) {
		if (strcmp(status_names[i], s) == 0) {
			*out = (enum payment_status)i;
			return (1);
		}
	}
	return (0);
}

int
payment_key_ok(const char *s)
{
	size_t	i;

	if (s == NULL || s[0] == '\0')
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= PAYMENT_KEY_MAX || s[i] < 0x21 || s[i] > 0x7e)
			return (0);
	}
	return (1);
}

int
payment_request_hash(const json_t *body, char *out, struct app_err *err)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];
	json_t		*copy;
	char		*text;
	size_t		 i;

	if ((copy = json_deep_copy(body)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	json_object_del(copy, "idempotency_key");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (text == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
	free(text);
	for (i = 0; i < sizeof(h); i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	return (1);
}

int
payments_request_from_json(const json_t *body, const char *header_key,
    struct payment_request *out, struct app_err *err)
{
	static const char *const keys[] = { "project_id", "tranche_id",
		"claim_id", "amount_cents", "note", "idempotency_key", NULL };
	const json_t	*v;
	const char	*key;
	cents_t		 amount;
	int		 present;

	memset(out, 0, sizeof(*out));
	out->amount_cents = -1;
	if (!projects_json_only(body, keys, "", err))
		return (0);
	v = json_object_get(body, "idempotency_key");
	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, "idempotency_key",
		    "idempotency_key: must be a string"));
	key = v != NULL ? json_string_value(v) : NULL;
	if (key != NULL && header_key != NULL && strcmp(key, header_key) != 0)
		return (app_err_set(err, APP_EBADREQ, "idempotency_key",
		    "the Idempotency-Key header and the body's idempotency_key "
		    "differ"));
	if (key == NULL)
		key = header_key;
	if (key == NULL)
		return (app_err_set(err, APP_EBADREQ, "idempotency_key",
		    "an idempotency key is required (Idempotency-Key header "
		    "or idempotency_key), so that a retry never pays twice"));
	if (!payment_key_ok(key))
		return (app_err_set(err, APP_EBADREQ, "idempotency_key",
		    "idempotency_key: 1 to %d printable ASCII characters "
		    "without spaces", PAYMENT_KEY_MAX));
	snprintf(out->key, sizeof(out->key), "%s", key);

	v = json_object_get(body, "claim_id");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v))
			return (app_err_set(err, APP_EBADREQ, "claim_id",
			    "claim_id: must be a whole number"));
		if (json_integer_value(v) <= 0)
			return (app_err_set(err, APP_EINVAL, "claim_id",
			    "claim_id: no such claim"));
		out->claim_id = json_integer_value(v);
		v = json_object_get(body, "tranche_id");
		if (v != NULL && !json_is_null(v))
			return (app_err_set(err, APP_EBADREQ, "claim_id",
			    "a payment pays a tranche_id or a claim_id, not "
			    "both"));
	}
	v = json_object_get(body, "tranche_id");
	if (out->claim_id == 0) {
		if (v == NULL || json_is_null(v))
			return (app_err_set(err, APP_EINVAL, "tranche_id",
			    "tranche_id: is required (or claim_id, for a "
			    "claim)"));
		if (!json_is_integer(v))
			return (app_err_set(err, APP_EBADREQ, "tranche_id",
			    "tranche_id: must be a whole number"));
		if (json_integer_value(v) <= 0)
			return (app_err_set(err, APP_EINVAL, "tranche_id",
			    "tranche_id: no such tranche"));
		out->tranche_id = json_integer_value(v);
	}
	v = json_object_get(body, "project_id");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v))
			return (app_err_set(err, APP_EBADREQ, "project_id",
			    "project_id: must be a whole number"));
		out->project_id = json_integer_value(v);
		if (out->project_id <= 0)
			return (app_err_set(err, APP_EINVAL, "project_id",
			    "project_id: no such project"));
	}
	if (!projects_json_cents(body, "amount_cents", 0, &amount, &present,
	    err))
		return (0);
	if (present) {
		if (amount <= 0)
			return (app_err_set(err, APP_EINVAL, "amount_cents",
			    "amount_cents: must be more than 0"));
		out->amount_cents = amount;
	}
	if (!projects_json_text(body, "note", 0, PROJECT_TEXT_MAX, 1,
	    &out->note, err))
		return (0);
	return (payment_request_hash(body, out->hash, err));
}

/*
 * The payment already made with t->req's key: t->id and t->replayed 0 if
 * none; the same key with another body is APP_ECONFLICT.
 */
static int
by_key(struct db *db, struct pay_tx *t, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int			 same;

	t->id = 0;
	t->replayed = 0;
	db_params_init(&p);
	dbp_str(&p, t->req->key);
	if ((res = db_query(db, SQL_BY_KEY, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) == 1) {
		t->id = db_i64(res, 0, 0);
		same = strcmp(db_str(res, 0, 1), t->req->hash) == 0;
		PQclear(res);
		if (!same)
			return (app_err_set(err, APP_ECONFLICT,
			    "idempotency_key", "this idempotency key was used "
			    "for payment %lld with a different request; use a "
			    "new key for a new payment", (long long)t->id));
		t->replayed = 1;
		return (1);
	}
	PQclear(res);
	return (1);
}

/*
 * The prepared payment of t->req: its row (sql inserts it on the tranche
 * or the claim, ref_key ref_id) and its audit row; t->id is its id.
 */
static int
insert_tx(struct db *db, struct pay_tx *t, const char *sql,
    int64_t project_id, const char *ref_key, int64_t ref_id, cents_t amount,
    struct app_err *err)
{
	const struct payment_request	*req = t->req;
	struct db_params		 p;
	PGresult			*res;
	json_t				*a;
	int				 ok;

	db_params_init(&p);
	dbp_i64(&p, project_id);
	dbp_i64(&p, ref_id);
	dbp_i64(&p, amount);
	dbp_str(&p, req->key);
	dbp_str(&p, req->hash);
	dbp_str(&p, req->note);
	dbp_i64(&p, t->actor->user_id);
	if ((res = db_query(db, sql, &p, err)) == NULL)
		return (0);
	t->id = db_i64(res, 0, 0);
	PQclear(res);
	a = json_pack("{s:I,s:s,s:I,s:I,s:I,s:s}", "id", (json_int_t)t->id,
	    "status", "prepared", "project_id", (json_int_t)project_id,
	    ref_key, (json_int_t)ref_id, "amount_cents", (json_int_t)amount,
	    "idempotency_key", req->key);
	ok = audit_write_id(db, t->actor, "payment.prepare", "payment", t->id,
	    NULL, a, req->note, err);
	json_decref(a);
	return (ok);
}

static int
audit_payment(struct db *db, const struct actor *actor, const char *action,
    int64_t id, const char *from, const char *to, const char *reason,
    struct app_err *err)
{
	json_t	*b, *a;
	int	 ok;

	b = from != NULL ? json_pack("{s:I,s:s}", "id", (json_int_t)id,
	    "status", from) : NULL;
	a = json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", to);
	ok = audit_write_id(db, actor, action, "payment", id, b, a, reason,
	    err);
	json_decref(b);
	json_decref(a);
	return (ok);
}

static int
prepare_tx(struct db *db, void *arg, struct app_err *err)
{
	struct pay_tx			*t = arg;
	const struct payment_request	*req = t->req;
	struct project			 pr;
	struct db_params		 p;
	PGresult			*res;
	cents_t				 tranche, amount;
	int64_t				 project_id, existing;
	int				 unlocked, seq;
	char				 kind[16];

	t->replayed = 0;
	t->id = 0;
	if (!actor_has(t->actor, ROLE_OFFICER))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only officers prepare payments"));
	if (t->actor->user_id <= 0)
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "a payment is prepared by a signed-in officer"));
	if (!by_key(db, t, err))
		return (0);
	if (t->replayed)
		return (1);
	if (req->claim_id > 0)
		return (prepare_claim_tx(db, t, err));
	db_params_init(&p);
	dbp_i64(&p, req->tranche_id);
	if ((res = db_query(db, SQL_TRANCHE_PROJECT, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EINVAL, "tranche_id",
		    "tranche_id: no such tranche"));
	}
	project_id = db_i64(res, 0, 0);
	PQclear(res);
	if (req->project_id != 0 && req->project_id != project_id)
		return (app_err_set(err, APP_EINVAL, "project_id",
		    "project_id: tranche %lld belongs to project %lld",
		    (long long)req->tranche_id, (long long)project_id));
	if (!projects_load(db, t->actor, project_id, 1, &pr, err))
		return (0);
	/* A twin request may have committed while we waited for the lock. */
	if (!by_key(db, t, err))
		return (0);
	if (t->replayed)
		return (1);
	if (!projects_payable_tx(db, &pr, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, req->tranche_id);
	dbp_i64(&p, project_id);
	if ((res = db_query(db, SQL_TRANCHE, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EINVAL, "tranche_id",
		    "tranche_id: no such tranche"));
	}
	tranche = db_i64(res, 0, 0);
	unlocked = db_bool(res, 0, 1);
	seq = db_int(res, 0, 2);
	snprintf(kind, sizeof(kind), "%s", db_str(res, 0, 3));
	existing = db_isnull(res, 0, 5) ? 0 : db_i64(res, 0, 5);
	PQclear(res);
	if (existing != 0)
		return (app_err_set(err, APP_ECONFLICT, "tranche_id",
		    "tranche %d of project %s already has payment %lld; a "
		    "tranche is paid once", seq, pr.reference,
		    (long long)existing));
	/* A project paid by claims pays no milestone tranche (claims.h). */
	if (claims_pattern(pr.pattern) && strcmp(kind, "initial") != 0) {
		if (!claims_live_count_tx(db, project_id, &existing, err))
			return (0);
		if (existing > 0)
			return (app_err_set(err, APP_ESTATE, "tranche_id",
			    "project %s is paid by claims: its %s tranche %d "
			    "is not paid", pr.reference, kind, seq));
	}
	if (!unlocked)
		return (app_err_set(err, APP_ESTATE, "tranche_id", "the %s "
		    "tranche %d of project %s is not unlocked: %s", kind, seq,
		    pr.reference, strcmp(kind, "final") == 0 ? "it needs the "
		    "final report and the audited accounts accepted" :
		    strcmp(kind, "initial") == 0 ? "it is released on "
		    "signing" : "its milestone report is not accepted"));
	amount = req->amount_cents < 0 ? tranche : req->amount_cents;
	if (amount <= 0 || amount > tranche)
		return (app_err_set(err, APP_EINVAL, "amount_cents",
		    "amount_cents: %lld is above the unlocked amount of this "
		    "tranche, %lld", (long long)amount, (long long)tranche));
	return (insert_tx(db, t, SQL_INSERT, project_id, "tranche_id",
	    req->tranche_id, amount, err));
}

/*
 * Prepare a payment of an accepted claim (the key is new): at most its
 * payable amount, one live payment per claim, the project payable.
 */
static int
prepare_claim_tx(struct db *db, struct pay_tx *t, struct app_err *err)
{
	const struct payment_request	*req = t->req;
	struct claim_ref		 c;
	struct project			 pr;
	struct db_params		 p;
	PGresult			*res;
	cents_t				 amount;
	int64_t				 existing;

	if (!claims_ref_tx(db, req->claim_id, 0, &c, err))
		return (0);
	if (req->project_id != 0 && req->project_id != c.project_id)
		return (app_err_set(err, APP_EINVAL, "project_id",
		    "project_id: claim %lld belongs to project %lld",
		    (long long)c.id, (long long)c.project_id));
	if (!projects_load(db, t->actor, c.project_id, 1, &pr, err))
		return (0);
	/* A twin request may have committed while we waited for the lock. */
	if (!by_key(db, t, err))
		return (0);
	if (t->replayed)
		return (1);
	if (!projects_payable_tx(db, &pr, err) ||
	    !claims_ref_tx(db, req->claim_id, 1, &c, err))
		return (0);
	if (c.status != CLAIM_ACCEPTED)
		return (app_err_set(err, APP_ESTATE, "claim_id", "claim %lld "
		    "of project %s is %s: only an accepted claim is paid",
		    (long long)c.id, pr.reference,
		    claim_status_name(c.status)));
	db_params_init(&p);
	dbp_i64(&p, c.id);
	if ((res = db_query(db, SQL_CLAIM_PAYMENT, &p, err)) == NULL)
		return (0);
	existing = PQntuples(res) > 0 ? db_i64(res, 0, 0) : 0;
	PQclear(res);
	if (existing != 0)
		return (app_err_set(err, APP_ECONFLICT, "claim_id", "claim "
		    "%lld of project %s already has payment %lld; a claim is "
		    "paid once", (long long)c.id, pr.reference,
		    (long long)existing));
	if (c.payable_cents <= 0)
		return (app_err_set(err, APP_ESTATE, "claim_id", "claim %lld "
		    "is covered by the advance already paid: nothing is "
		    "payable", (long long)c.id));
	amount = req->amount_cents < 0 ? c.payable_cents : req->amount_cents;
	if (amount <= 0 || amount > c.payable_cents)
		return (app_err_set(err, APP_EINVAL, "amount_cents",
		    "amount_cents: %lld is above the payable amount of this "
		    "claim, %lld", (long long)amount,
		    (long long)c.payable_cents));
	return (insert_tx(db, t, SQL_INSERT_CLAIM, pr.id, "claim_id", c.id,
	    amount, err));
}

/* The payment already made with the key (after a unique violation). */
static int
lookup_tx(struct db *db, void *arg, struct app_err *err)
{
	struct pay_tx	*t = arg;

	if (!by_key(db, t, err))
		return (0);
	if (!t->replayed)
		return (app_err_set(err, APP_ECONFLICT, "idempotency_key",
		    "a concurrent request interfered; try again"));
	return (1);
}

int
payments_prepare(struct db *db, const struct actor *actor,
    const struct payment_request *req, int *created, json_t **out,
    struct app_err *err)
{
	struct pay_tx	t;
	struct app_err	e;

	*out = NULL;
	*created = 0;
	memset(&t, 0, sizeof(t));
	t.actor = actor;
	t.req = req;
	app_err_clear(&e);
	if (!db_tx_run(db, DB_READ_COMMITTED, prepare_tx, &t, &e)) {
		/* Lost a race on the key: answer with the winner. */
		if (e.code != APP_ECONFLICT ||
		    strcmp(e.field, "payments_idempotency_key_unique") != 0) {
			if (e.code == APP_ECONFLICT &&
			    strcmp(e.field, "payments_one_per_tranche") == 0)
				return (app_err_set(err, APP_ECONFLICT,
				    "tranche_id", "the tranche already has a "
				    "payment; a tranche is paid once"));
			if (e.code == APP_ECONFLICT &&
			    strcmp(e.field, "payments_one_per_claim") == 0)
				return (app_err_set(err, APP_ECONFLICT,
				    "claim_id", "the claim already has a "
				    "payment; a claim is paid once"));
			*err = e;
			return (0);
		}
		if (!db_tx_run(db, DB_READ_COMMITTED, lookup_tx, &t, err))
			return (0);
	}
	*created = !t.replayed;
	return (load_payment(db, actor, t.id, out, err));
}

/* Lock (or read) the project of payment id, as actor may see it. */
static int
payment_project(struct db *db, const struct actor *actor, int64_t id,
    int lock, struct project *pr, struct app_err *err)
{
	return (projects_load_by(db, actor, SQL_PAYMENT_PROJECT, id, lock,
	    "payment", "your role does not give access to payments", pr,
	    err));
}

/*
 * The posting of an approved payment, in its transaction: the ledger's
 * payment against the project's commitment, the payment marked approved
 * with its entry, and the audit row.
 */
static int
approve_post(struct db *db, struct pay_tx *t, int64_t project_id,
    cents_t amount, const char *narrative, struct app_err *err)
{
	struct db_params	p;
	int64_t			entry;

	if (!ledger_pay(db, t->actor, project_id, amount, LEDGER_TODAY,
	    narrative, &entry, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_i64(&p, t->actor->user_id);
	dbp_str(&p, t->text);
	dbp_i64(&p, entry);
	return (db_exec(db, SQL_APPROVE, &p, err) &&
	    audit_payment(db, t->actor, "payment.approve", t->id, "prepared",
	    "approved", t->text, err));
}

static int
approve_tx(struct db *db, void *arg, struct app_err *err)
{
	struct pay_tx		*t = arg;
	struct project		 pr;
	struct db_params	 p;
	PGresult		*res;
	cents_t			 amount, tranche;
	int64_t			 preparer, approver, tranche_id, claim_id;
	int			 unlocked, seq;
	char			 status[16], narrative[300], en[400], zh[400];
	char			 amt[MONEY_FMT_MAX];

	t->replayed = 0;
	if (!payment_project(db, t->actor, t->id, 1, &pr, err))
		return (0);
	if (!actor_has(t->actor, ROLE_APPROVER | ROLE_FINANCE))
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "only approvers "
		    "and finance officers approve payments"));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	if ((res = db_query(db, SQL_LOCK, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such payment"));
	}
	snprintf(status, sizeof(status), "%s", db_str(res, 0, 0));
	preparer = db_i64(res, 0, 1);
	approver = db_i64(res, 0, 2);
	amount = db_i64(res, 0, 3);
	tranche_id = db_i64(res, 0, 4);
	claim_id = db_i64(res, 0, 5);
	PQclear(res);
	if (strcmp(status, "approved") == 0) {
		if (approver == t->actor->user_id) {
			t->replayed = 1;	/* the same approval again */
			return (1);
		}
		return (app_err_set(err, APP_ESTATE, "status", "payment %lld "
		    "is already approved", (long long)t->id));
	}
	if (strcmp(status, "prepared") != 0)
		return (app_err_set(err, APP_ESTATE, "status", "payment %lld "
		    "is %s", (long long)t->id, status));
	if (t->actor->user_id <= 0)
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "a payment is "
		    "approved by a signed-in user"));
	if (preparer == t->actor->user_id)
		return (app_err_set(err, APP_EFORBIDDEN, "approved_by",
		    "maker-checker: whoever prepared a payment cannot approve "
		    "it; a different approver or finance officer must"));
	if (!projects_payable_tx(db, &pr, err))
		return (0);
	if (claim_id != 0)
		return (approve_claim_tx(db, t, &pr, claim_id, amount, err));
	db_params_init(&p);
	dbp_i64(&p, tranche_id);
	dbp_i64(&p, pr.id);
	if ((res = db_query(db, SQL_TRANCHE, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EINTERNAL, "tranche_id",
		    "the payment's tranche is missing"));
	}
	tranche = db_i64(res, 0, 0);
	unlocked = db_bool(res, 0, 1);
	seq = db_int(res, 0, 2);
	PQclear(res);
	if (!unlocked)
		return (app_err_set(err, APP_ESTATE, "tranche_id", "tranche %d "
		    "is not unlocked", seq));
	if (amount > tranche)
		return (app_err_set(err, APP_EINVAL, "amount_cents", "the "
		    "payment of %lld cents is above its tranche of %lld cents",
		    (long long)amount, (long long)tranche));
	snprintf(narrative, sizeof(narrative), "payment %lld of project %s, "
	    "tranche %d", (long long)t->id, pr.reference, seq);
	if (!approve_post(db, t, pr.id, amount, narrative, err))
		return (0);
	money_format(amount, amt, sizeof(amt));
	snprintf(en, sizeof(en), "A payment of %s to project %s (tranche %d) "
	    "is approved.", amt, pr.reference, seq);
	snprintf(zh, sizeof(zh), "項目 %s 第 %d 期撥款 %s 已獲批准發放。",
	    pr.reference, seq, amt);
	return (projects_notify(db, pr.org_id, "payment.approved", "project",
	    pr.id, en, zh, err));
}

/*
 * Approve a prepared payment of claim claim_id (maker-checker already
 * checked): the claim still accepted and covering the amount; the approver
 * not the officer who verified the claim; ledger_pay in this transaction.
 */
static int
approve_claim_tx(struct db *db, struct pay_tx *t, const struct project *pr,
    int64_t claim_id, cents_t amount, struct app_err *err)
{
	struct claim_ref	 c;
	char			 narrative[300], en[400], zh[400];
	char			 amt[MONEY_FMT_MAX];

	if (!claims_ref_tx(db, claim_id, 1, &c, err))
		return (0);
	if (c.reviewed_by == t->actor->user_id)
		return (app_err_set(err, APP_EFORBIDDEN, "approved_by",
		    "whoever verified a claim cannot approve its payment; a "
		    "different approver or finance officer must"));
	if (c.status != CLAIM_ACCEPTED || amount > c.payable_cents)
		return (app_err_set(err, APP_ESTATE, "claim_id", "claim %lld "
		    "no longer covers this payment", (long long)c.id));
	snprintf(narrative, sizeof(narrative), "payment %lld of project %s, "
	    "claim %lld (%s)", (long long)t->id, pr->reference,
	    (long long)c.id, c.period);
	if (!approve_post(db, t, pr->id, amount, narrative, err))
		return (0);
	money_format(amount, amt, sizeof(amt));
	snprintf(en, sizeof(en), "A payment of %s to project %s (claim %lld, "
	    "%s) is approved.", amt, pr->reference, (long long)c.id,
	    c.period);
	snprintf(zh, sizeof(zh), "項目 %s 申領 %lld（%s）的款項 %s 已獲批准發放。",
	    pr->reference, (long long)c.id, c.period, amt);
	return (projects_notify(db, pr->org_id, "payment.approved", "project",
	    pr->id, en, zh, err));
}

int
payments_approve(struct db *db, const struct actor *actor, int64_t id,
    const char *note, json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_text_arg(note, "note", 0, PROJECT_TEXT_MAX, &note, err))
		return (0);
	return (run_tx(db, actor, id, note, approve_tx, out, err));
}

static int
cancel_tx(struct db *db, void *arg, struct app_err *err)
{
	struct pay_tx		*t = arg;
	struct project		 pr;
	struct db_params	 p;
	PGresult		*res;
	char			 status[16];

	if (!payment_project(db, t->actor, t->id, 1, &pr, err))
		return (0);
	if (!actor_has(t->actor, ROLE_OFFICER | ROLE_APPROVER | ROLE_FINANCE))
		return (app_err_set(err, APP_EFORBIDDEN, NULL, "only officers, "
		    "approvers and finance officers cancel payments"));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	if ((res = db_query(db, SQL_LOCK, &p, err)) == NULL)
		return (0);
	snprintf(status, sizeof(status), "%s", db_str(res, 0, 0));
	PQclear(res);
	if (strcmp(status, "prepared") != 0)
		return (app_err_set(err, APP_ESTATE, "status", "payment %lld "
		    "is %s; only a prepared payment is cancelled",
		    (long long)t->id, status));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	if (t->actor->user_id > 0)
		dbp_i64(&p, t->actor->user_id);
	else
		dbp_null(&p);
	dbp_str(&p, t->text);
	return (db_exec(db, SQL_CANCEL, &p, err) &&
	    audit_payment(db, t->actor, "payment.cancel", t->id, "prepared",
	    "cancelled", t->text, err));
}

int
payments_cancel(struct db *db, const struct actor *actor, int64_t id,
    const char *reason, json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_text_arg(reason, "reason", 1, PROJECT_TEXT_MAX, &reason,
	    err))
		return (0);
	return (run_tx(db, actor, id, reason, cancel_tx, out, err));
}

/* fn on payment id with text, in a transaction; then the payment. */
static int
run_tx(struct db *db, const struct actor *actor, int64_t id,
    const char *text, int (*fn)(struct db *, void *, struct app_err *),
    json_t **out, struct app_err *err)
{
	struct pay_tx	t;

	memset(&t, 0, sizeof(t));
	t.actor = actor;
	t.id = id;
	t.text = text;
	if (!db_tx_run(db, DB_READ_COMMITTED, fn, &t, err))
		return (0);
	return (load_payment(db, actor, id, out, err));
}

int
payments_cancel_open_tx(struct db *db, const struct actor *actor,
    int64_t project_id, const char *reason, int64_t *n, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int			 i;

	db_params_init(&p);
	dbp_i64(&p, project_id);
	if (actor != NULL && actor->user_id > 0)
		dbp_i64(&p, actor->user_id);
	else
		dbp_null(&p);
	dbp_str(&p, reason);
	if ((res = db_query(db, SQL_CANCEL_OPEN, &p, err)) == NULL)
		return (0);
	*n = PQntuples(res);
	for (i = 0; i < PQntuples(res); i++) {
		if (!audit_payment(db, actor, "payment.cancel",
		    db_i64(res, i, 0), "prepared", "cancelled", reason, err)) {
			PQclear(res);
			return (0);
		}
	}
	PQclear(res);
	return (1);
}

int
payments_open_count_tx(struct db *db, int64_t project_id, int64_t *open,
    cents_t *paid, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	db_params_init(&p);
	dbp_i64(&p, project_id);
	if ((res = db_query(db, SQL_OPEN_COUNT, &p, err)) == NULL)
		return (0);
	*open = db_i64(res, 0, 0);
	*paid = db_i64(res, 0, 1);
	PQclear(res);
	return (1);
}

/* Payment id as JSON; applicants do not see who handled it. */
static int
load_payment(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;
	int64_t			 org;

	*out = NULL;
	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, SQL_GET, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such payment"));
	}
	org = db_i64(res, 0, 1);
	if (!projects_may_read(actor, org, err)) {
		PQclear(res);
		if (err->code == APP_ENOTFOUND)
			snprintf(err->msg, sizeof(err->msg), "no such payment");
		return (0);
	}
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "bad payment JSON"));
	if (!projects_is_staff(actor)) {
		json_object_del(*out, "prepared_by");
		json_object_del(*out, "approved_by");
		json_object_del(*out, "idempotency_key");
	}
	return (1);
}

int
payments_get_json(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_is_staff(actor) && !actor_has(actor, ROLE_APPLICANT))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "your role does not give access to payments"));
	return (load_payment(db, actor, id, out, err));
}

int
payments_may_list(const struct actor *actor, struct app_err *err)
{
	if (projects_is_staff(actor) || actor_has(actor, ROLE_APPLICANT))
		return (1);
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "your role does not give access to payments"));
}

/* $1..$4 of LIST_WHERE: an applicant its organisation's, staff all. */
static int
list_params(const struct actor *actor, const struct payment_filter *f,
    struct db_params *p, struct app_err *err)
{
	if (!payments_may_list(actor, err))
		return (0);
	db_params_init(p);
	if (projects_is_staff(actor))
		dbp_null(p);
	else
		dbp_i64(p, actor->org_id > 0 ? actor->org_id : -1);
	if (f->project_id > 0)
		dbp_i64(p, f->project_id);
	else
		dbp_null(p);
	dbp_str(p, f->status >= 0 ? payment_status_name(
	    (enum payment_status)f->status) : NULL);
	if (f->before_id > 0)
		dbp_i64(p, f->before_id);
	else
		dbp_null(p);
	return (1);
}

int
payments_list_json(struct db *db, const struct actor *actor,
    const struct payment_filter *f, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*list, *item;
	json_error_t		 jerr;
	int			 i, n, limit, staff;

	*out = NULL;
	if (!list_params(actor, f, &p, err))
		return (0);
	staff = projects_is_staff(actor);
	limit = f->limit > 0 && f->limit <= PAYMENT_LIST_MAX ? f->limit :
	    PAYMENT_LIST_DEFAULT;
	dbp_int(&p, limit + 1);
	if ((res = db_query(db, SQL_LIST, &p, err)) == NULL)
		return (0);
	list = json_array();
	n = PQntuples(res);
	for (i = 0; i < n && i < limit; i++) {
		if ((item = json_loads(db_str(res, i, 1), 0, &jerr)) == NULL)
			continue;
		if (!staff) {
			json_object_del(item, "prepared_by");
			json_object_del(item, "approved_by");
			json_object_del(item, "idempotency_key");
		}
		json_array_append_new(list, item);
	}
	*out = json_pack("{s:o,s:i,s:o}", "payments", list, "limit", limit,
	    "next_cursor", n > limit ? json_sprintf("%lld",
	    (long long)db_i64(res, limit - 1, 0)) : json_null());
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

int
payments_export(struct db *db, const void *arg, const char *path,
    struct app_err *err)
{
	const struct payments_export	*x = arg;
	struct payment_filter		 f;
	struct export_options		 o;
	struct db_params		 p;

	memset(&f, 0, sizeof(f));
	f.project_id = x->project_id;
	f.status = x->status;
	if (!list_params(&x->actor, &f, &p, err))
		return (0);
	memset(&o, 0, sizeof(o));
	o.format = x->format;
	o.path = path;
	o.title_en = "Payments";
	o.title_zh = "付款";
	o.filters = x->filters[0] != '\0' ? x->filters : NULL;
	o.cols = export_cols;
	o.ncols = sizeof(export_cols) / sizeof(export_cols[0]);
	/* Applicants do not see who handled their payments, nor the keys. */
	if (!projects_is_staff(&x->actor))
		o.ncols -= EXPORT_STAFF_COLS;
	o.bom = x->bom;
	return (export_run(&o, db, SQL_EXPORT, &p, err));
}
