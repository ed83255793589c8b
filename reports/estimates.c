/*
 * estimates.c: owns table cash_flow_estimates (see estimates.h).
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "dates.h"
#include "estimates.h"
#include "report.h"

#define ESTIMATE_AMOUNT_MAX	((json_int_t)1000000000000000LL)

static const char SQL_SCHEME_EXISTS[] =
    "SELECT 1 FROM schemes WHERE code = $1";

static const char SQL_LOCK_ESTIMATE[] =
    "SELECT amount_cents FROM cash_flow_estimates"
    " WHERE fy_start = $1 AND scheme_code IS NOT DISTINCT FROM $2"
    " FOR UPDATE";

static const char SQL_UPSERT_ESTIMATE[] =
    "INSERT INTO cash_flow_estimates (fy_start, scheme_code, amount_cents,"
    " updated_by, updated_label) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (fy_start, (coalesce(scheme_code, ''))) DO UPDATE SET"
    " amount_cents = EXCLUDED.amount_cents,"
    " updated_by = EXCLUDED.updated_by,"
    " updated_label = EXCLUDED.updated_label, updated_at = now()";

static const char SQL_LIST_ESTIMATES[] =
    "SELECT coalesce(json_agg(json_build_object("
    " 'fy', fy_start::text || '-' || lpad(((fy_start + 1) % 100)::text, 2,"
    "  '0'),"
    " 'scheme', scheme_code, 'amount_cents', amount_cents,"
    " 'updated_by', updated_label, 'updated_at',"
    " to_char(updated_at AT TIME ZONE 'UTC',"
    "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
    " ORDER BY fy_start, scheme_code NULLS LAST), '[]') FROM"
    " cash_flow_estimates";

static const char SQL_EXPORT_ESTIMATES[] =
    "SELECT e.fy_start::text || '-' || lpad(((e.fy_start + 1) % 100)::text,"
    " 2, '0'), e.scheme_code, s.name_en, s.name_zh, e.amount_cents,"
    " e.updated_label, ((e.updated_at AT TIME ZONE 'UTC')"
    "  + interval '8 hours')::date"
    " FROM cash_flow_estimates e LEFT JOIN schemes s ON s.code = e.scheme_code"
    " ORDER BY e.fy_start, e.scheme_code NULLS LAST";

static const struct export_column export_cols[] = {
	{ "fy", "Financial year", "財政年度", EXPORT_TEXT },
	{ "scheme", "Scheme", "資助計劃", EXPORT_TEXT },
	{ NULL, "Scheme (English name)", "計劃名稱 (英文)", EXPORT_TEXT },
	{ NULL, "Scheme (Chinese name)", "計劃名稱 (中文)", EXPORT_TEXT },
	{ "amount_cents", "Estimate (HK$)", "預算 (港元)", EXPORT_CENTS },
	{ "updated_by", "Set by", "設定人", EXPORT_TEXT },
	{ "updated_at", "Set on", "設定日期", EXPORT_DATE },
};

struct estimate {
	int		fy;
	char		scheme[REPORT_SCHEME_MAX];	/* "" = none */
	json_int_t	amount;
};

struct put_arg {
	const struct actor	*actor;
	struct estimate		*v;
	size_t			 n;
};

static int	estimate_parse(const json_t *, size_t, struct estimate *,
		    struct app_err *);
static int	estimates_put_tx(struct db *, void *, struct app_err *);

static int
estimate_parse(const json_t *item, size_t i, struct estimate *e,
    struct app_err *err)
{
	const char	*key;
	json_t		*v;
	char		 field[64];
	size_t		 n, k;

	memset(e, 0, sizeof(*e));
	snprintf(field, sizeof(field), "estimates[%zu]", i);
	if (!json_is_object(item))
		return (app_err_set(err, APP_EBADREQ, field,
		    "%s: an object is required", field));
	json_object_foreach((json_t *)item, key, v) {
		if (strcmp(key, "fy") != 0 && strcmp(key, "scheme") != 0 &&
		    strcmp(key, "amount_cents") != 0) {
			snprintf(field, sizeof(field), "estimates[%zu].%.20s",
			    i, key);
			return (app_err_set(err, APP_EBADREQ, field,
			    "%s: unknown field", field));
		}
	}

	snprintf(field, sizeof(field), "estimates[%zu].fy", i);
	v = json_object_get(item, "fy");
	if (v == NULL)
		return (app_err_set(err, APP_EINVAL, field, "%s: required",
		    field));
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, field,
		    "%s: a string such as \"2022-23\" is required", field));
	if (!fy_parse(json_string_value(v), &e->fy))
		return (app_err_set(err, APP_EINVAL, field, "%s: \"%.20s\" is "
		    "not a financial year such as 2022-23", field,
		    json_string_value(v)));
	if (e->fy < REPORT_FY_MIN || e->fy > REPORT_FY_MAX)
		return (app_err_set(err, APP_EINVAL, field, "%s: out of range "
		    "(1999-00 to 2100-01)", field));

	snprintf(field, sizeof(field), "estimates[%zu].scheme", i);
	v = json_object_get(item, "scheme");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v))
			return (app_err_set(err, APP_EBADREQ, field,
			    "%s: a scheme code or null is required", field));
		key = json_string_value(v);
		n = strlen(key);
		for (k = 0; k < n; k++) {
			if (key[k] < 'A' || key[k] > 'Z')
				break;
		}
		if (n < 2 || n >= sizeof(e->scheme) || k != n)
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: \"%.20s\" is not a scheme code", field, key));
		memcpy(e->scheme, key, n + 1);
	}

	snprintf(field, sizeof(field), "estimates[%zu].amount_cents", i);
	v = json_object_get(item, "amount_cents");
	if (v == NULL)
		return (app_err_set(err, APP_EINVAL, field, "%s: required",
		    field));
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, field,
		    "%s: an integer number of cents is required", field));
	e->amount = json_integer_value(v);
	if (e->amount < 0 || e->amount > ESTIMATE_AMOUNT_MAX)
		return (app_err_set(err, APP_EINVAL, field,
		    "%s: must be 0 to %lld", field,
		    (long long)ESTIMATE_AMOUNT_MAX));
	return (1);
}

static int
estimates_put_tx(struct db *db, void *arg, struct app_err *err)
{
	struct put_arg		*a = arg;
	struct db_params	 p;
	PGresult		*res;
	json_t			*before, *after;
	char			 id[32], fy[FY_LABEL_LEN], field[64];
	size_t			 i;
	int			 ok, found;
	json_int_t		 old;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].scheme[0] == '\0')
			continue;
		db_params_init(&p);
		dbp_str(&p, a->v[i].scheme);
		if ((res = db_query(db, SQL_SCHEME_EXISTS, &p, err)) == NULL)
			return (0);
		found = PQntuples(res) == 1;
		PQclear(res);
		if (!found) {
			snprintf(field, sizeof(field), "estimates[%zu].scheme",
			    i);
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: no scheme with code \"%s\"", field,
			    a->v[i].scheme));
		}
	}
	for (i = 0; i < a->n; i++) {
		db_params_init(&p);
		dbp_int(&p, a->v[i].fy);
		dbp_str(&p, a->v[i].scheme[0] != '\0' ? a->v[i].scheme : NULL);
		if ((res = db_query(db, SQL_LOCK_ESTIMATE, &p, err)) == NULL)
			return (0);
		found = PQntuples(res) == 1;
		old = found ? (json_int_t)db_i64(res, 0, 0) : 0;
		PQclear(res);
		if (found && old == a->v[i].amount)
			continue;	/* unchanged: nothing to audit */
		dbp_i64(&p, (int64_t)a->v[i].amount);
		if (a->actor->user_id > 0)
			dbp_i64(&p, a->actor->user_id);
		else
			dbp_null(&p);
		dbp_str(&p, a->actor->label);
		if (!db_exec(db, SQL_UPSERT_ESTIMATE, &p, err))
			return (0);
		fy_label(a->v[i].fy, fy, sizeof(fy));
		snprintf(id, sizeof(id), "%s/%s", fy, a->v[i].scheme[0] ?
		    a->v[i].scheme : "-");
		before = found ? json_pack("{s:s,s:s?,s:I}", "fy", fy,
		    "scheme", a->v[i].scheme[0] ? a->v[i].scheme : NULL,
		    "amount_cents", old) : NULL;
		after = json_pack("{s:s,s:s?,s:I}", "fy", fy, "scheme",
		    a->v[i].scheme[0] ? a->v[i].scheme : NULL, "amount_cents",
		    a->v[i].amount);
		ok = audit_write(db, a->actor, "cash_flow_estimate.set",
		    "cash_flow_estimate", id, before, after, NULL, err);
		json_decref(before);
		json_decref(after);
		if (!ok)
			return (0);
	}
	return (1);
}

int
estimates_put(struct db *db, const struct actor *actor, const json_t *body,
    json_t **out, struct app_err *err)
{
	struct estimate	 v[ESTIMATES_PUT_MAX];
	struct put_arg	 a;
	const char	*key;
	json_t		*list, *val;
	char		 field[64];
	size_t		 i, j, n;

	*out = NULL;
	if (!actor_has(actor, ROLE_FINANCE))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only finance officers enter cash-flow estimates"));
	json_object_foreach((json_t *)body, key, val) {
		if (strcmp(key, "estimates") != 0)
			return (app_err_set(err, APP_EBADREQ, key,
			    "%.40s: unknown field", key));
	}
	list = json_object_get(body, "estimates");
	if (list == NULL)
		return (app_err_set(err, APP_EINVAL, "estimates",
		    "estimates: required"));
	if (!json_is_array(list))
		return (app_err_set(err, APP_EBADREQ, "estimates",
		    "estimates: an array is required"));
	n = json_array_size(list);
	if (n == 0 || n > ESTIMATES_PUT_MAX)
		return (app_err_set(err, APP_EINVAL, "estimates",
		    "estimates: 1 to %d are required", ESTIMATES_PUT_MAX));
	for (i = 0; i < n; i++) {
		if (!estimate_parse(json_array_get(list, i), i, &v[i], err))
			return (0);
		for (j = 0; j < i; j++) {
			if (v[j].fy == v[i].fy &&
			    strcmp(v[j].scheme, v[i].scheme) == 0) {
				snprintf(field, sizeof(field),
				    "estimates[%zu]", i);
				return (app_err_set(err, APP_EINVAL, field,
				    "%s: the same year and scheme as "
				    "estimates[%zu]", field, j));
			}
		}
	}
	a.actor = actor;
	a.v = v;
	a.n = n;
	if (!db_tx_run(db, DB_SERIALIZABLE, estimates_put_tx, &a, err))
		return (0);
	return (estimates_list(db, actor, out, err));
}

int
estimates_list(struct db *db, const struct actor *actor, json_t **out,
    struct app_err *err)
{
	PGresult	*res;
	json_t		*list;
	json_error_t	 jerr;

	*out = NULL;
	if (!report_may_run(actor, err))
		return (0);
	if ((res = db_query(db, SQL_LIST_ESTIMATES, NULL, err)) == NULL)
		return (0);
	list = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (list == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "bad estimates JSON"));
	*out = json_pack("{s:o,s:I}", "estimates", list, "count",
	    (json_int_t)json_array_size(list));
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

int
estimates_export(struct db *db, const void *arg, const char *path,
    struct app_err *err)
{
	const struct estimates_export	*a = arg;
	struct export_options		 o;
	struct export_writer		 w;

	if (!report_may_run(&a->actor, err))
		return (0);
	memset(&o, 0, sizeof(o));
	o.format = a->format;
	o.path = path;
	o.title_en = "Cash-flow estimates";
	o.title_zh = "現金流量預算";
	o.filters = NULL;
	o.cols = export_cols;
	o.ncols = sizeof(export_cols) / sizeof(export_cols[0]);
	o.bom = a->bom;
	if (!export_open(&w, &o, err))
		return (0);
	if (!export_query(&w, db, SQL_EXPORT_ESTIMATES, NULL, err)) {
		export_abort(&w);
		return (0);
	}
	return (export_close(&w, err));
}
