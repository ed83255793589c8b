/*
 * catalogue.c: owns the schemes table.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "catalogue.h"

static const char SQL_SELECT_CHECKSUM[] =
    "SELECT checksum FROM schemes WHERE code = $1 FOR UPDATE";
static const char SQL_UPSERT_SCHEME[] =
    "INSERT INTO schemes (code, name_en, name_zh, area, funding_model,"
    " status, launched, reference_prefix, definition, checksum)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)"
    " ON CONFLICT (code) DO UPDATE SET name_en = $2, name_zh = $3,"
    " area = $4, funding_model = $5, status = $6, launched = $7,"
    " reference_prefix = $8, definition = $9::jsonb, checksum = $10,"
    " loaded_at = now()";

struct store_arg {
	const struct scheme_set	*set;
	const struct actor	*actor;
	int			 changed;
};

static int	catalogue_store_tx(struct db *, void *, struct app_err *);

static int
catalogue_store_tx(struct db *db, void *arg, struct app_err *err)
{
	struct store_arg	*a = arg;
	struct db_params	 p;
	PGresult		*res;
	json_t			*sum, *def;
	unsigned char		 h[crypto_hash_sha256_BYTES];
	char			 hex[sizeof(h) * 2 + 1];
	char			*text;
	size_t			 i;
	int			 same, ok;

	a->changed = 0;
	for (i = 0; i < a->set->n; i++) {
		sum = scheme_summary_json(&a->set->v[i]);
		def = scheme_json(&a->set->v[i]);
		text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
		if (sum == NULL || def == NULL || text == NULL) {
			json_decref(sum);
			json_decref(def);
			free(text);
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
		}
		crypto_hash_sha256(h, (unsigned char *)text, strlen(text));
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));

		db_params_init(&p);
		dbp_str(&p, json_string_value(json_object_get(sum, "code")));
		ok = (res = db_query(db, SQL_SELECT_CHECKSUM, &p, err)) != NULL;
		same = ok && PQntuples(res) == 1 &&
		    strcmp(db_str(res, 0, 0), hex) == 0;
		PQclear(res);
		if (ok && !same) {
			db_params_init(&p);
			dbp_str(&p, json_string_value(json_object_get(sum,
			    "code")));
			dbp_str(&p, json_string_value(json_object_get(sum,
			    "name_en")));
			dbp_str(&p, json_string_value(json_object_get(sum,
			    "name_zh")));
			dbp_str(&p, json_string_value(json_object_get(sum,
			    "area")));
			dbp_str(&p, json_string_value(json_object_get(sum,
			    "funding_model")));
			dbp_str(&p, json_string_value(json_object_get(sum,
			    "status")));
			dbp_str(&p, json_string_value(json_object_get(sum,
			    "launched")));
			dbp_str(&p, json_string_value(json_object_get(def,
			    "reference_prefix")));
			dbp_str(&p, text);
			dbp_str(&p, hex);
			ok = db_exec(db, SQL_UPSERT_SCHEME, &p, err) &&
			    audit_write(db, a->actor, "scheme.load", "scheme",
			    json_string_value(json_object_get(sum, "code")),
			    NULL, sum, "definition loaded from schemes/", err);
			a->changed++;
		}
		json_decref(sum);
		json_decref(def);
		free(text);
		if (!ok)
			return (0);
	}
	return (1);
}

int
catalogue_store(struct db *db, const struct scheme_set *set,
    const struct actor *actor, int *changed, struct app_err *err)
{
	struct store_arg	a;

	a.set = set;
	a.actor = actor;
	a.changed = 0;
	if (!db_tx_run(db, DB_READ_COMMITTED, catalogue_store_tx, &a, err))
		return (0);
	*changed = a.changed;
	return (1);
}
