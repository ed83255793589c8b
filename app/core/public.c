/*
 * public.c: the public register of funded projects (public.h).  Reads
 * projects, organisations and decisions; writes nothing.
 *
 * The text search finds titles through their trigram index on
 * applications (applications_title_trgm; a project's title is its
 * application's, copied at approval and never changed) and organisation
 * names by a scan of organisations (name_zh has no index; the table has a
 * row per applicant), each as a hashed subplan.  The other filters follow
 * projects' own indexes (projects_scheme, projects_org, projects_status),
 * newest first by id.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "public.h"

/* The application's title or either organisation name contains $1. */
/*
 * The public status: a terminated project stays "terminated" after its
 * settlement (refund_due, closed).
 */
#define PUBLIC_STATUS							\
    "(CASE WHEN p.status = 'terminated' OR p.terminated_at IS NOT NULL"	\
    "  THEN 'terminated'"						\
    "  WHEN p.status = 'awaiting_signature' THEN 'approved'"		\
    "  WHEN p.status IN ('active', 'suspended') THEN 'ongoing'"		\
    "  ELSE 'completed' END)"

#define PUBLIC_MATCH							\
    " FROM projects p JOIN organisations o ON o.id = p.org_id"		\
    " LEFT JOIN decisions d ON d.application_id = p.id"		\
    " CROSS JOIN (SELECT '%' || replace(replace(replace($1::text,"	\
    " '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS pat) q"		\
    " WHERE ($1::text IS NULL OR p.reference = upper($1::text)"		\
    "  OR p.id IN (SELECT a.id FROM applications a"			\
    "   WHERE a.title ILIKE q.pat ESCAPE '\\')"				\
    "  OR p.org_id IN (SELECT x.id FROM organisations x"		\
    "   WHERE x.name_en ILIKE q.pat ESCAPE '\\'"			\
    "   OR x.name_zh ILIKE q.pat ESCAPE '\\'))"				\
    " AND ($2::text IS NULL OR p.scheme_code = $2::text)"		\
    " AND ($3::bigint IS NULL OR p.org_id = $3::bigint)"		\
    " AND ($4::integer IS NULL OR extract(year FROM"			\
    "  coalesce(d.decided_at, p.created_at) AT TIME ZONE"		\
    "  'Asia/Hong_Kong') = $4::integer)"				\
    " AND ($5::text[] IS NULL OR " PUBLIC_STATUS " = ANY ($5::text[]))"

static const char SQL_COUNT[] =
    "SELECT count(*)" PUBLIC_MATCH;

/* Only the published fields: see public.h. */
static const char SQL_LIST[] =
    "SELECT p.id, json_build_object('reference', p.reference,"
    " 'title', p.title, 'scheme', p.scheme_code,"
    " 'organisation', json_build_object('id', o.id, 'name_en', o.name_en,"
    "  'name_zh', o.name_zh),"
    " 'approved_cents', p.approved_cents,"
    " 'start_date', p.start_date, 'end_date', p.end_date,"
    " 'approved_on', to_char(coalesce(d.decided_at, p.created_at)"
    "  AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM-DD'),"
    " 'status', " PUBLIC_STATUS ")::text"
    PUBLIC_MATCH
    " AND ($6::bigint IS NULL OR p.id < $6::bigint)"
    " ORDER BY p.id DESC LIMIT $7";

static const char *const public_names[PUBLIC_NSTATUS] = {
	"approved", "ongoing", "completed", "terminated"
};

static void	public_params(const struct public_filter *, struct db_params *,
		    char *, size_t);

const char *
public_status_name(enum public_status s)
{
	if ((int)s < 0 || s >= PUBLIC_NSTATUS)
		return ("");
	return (public_names[s]);
}

int
public_status_parse(const char *s, enum public_status *out)
{
	int	i;

	for (i = 0; s != NULL && i < PUBLIC_NSTATUS; i++) {
		if (strcmp(s, public_names[i]) == 0) {
			*out = (enum public_status)i;
			return (1);
		}
	}
	return (0);
}

int
public_q_ok(const char *q, struct app_err *err)
{
	long	n;

	if (q == NULL || (n = auth_text_chars(q)) < 0)
		return (app_err_set(err, APP_EBADREQ, "q",
		    "q: text without control characters"));
	if (n < 1 || n > PUBLIC_Q_MAX)
		return (app_err_set(err, APP_EBADREQ, "q",
		    "q: 1 to %d characters", PUBLIC_Q_MAX));
	return (1);
}

/* $1..$5 of both queries; statuses is the buffer for $5. */
static void
public_params(const struct public_filter *f, struct db_params *p,
    char *statuses, size_t len)
{
	int	i;

	db_params_init(p);
	dbp_str(p, f->q);
	dbp_str(p, f->scheme);
	if (f->org_id > 0)
		dbp_i64(p, f->org_id);
	else
		dbp_null(p);
	if (f->year > 0)
		dbp_int(p, f->year);
	else
		dbp_null(p);
	if (f->statuses == 0) {
		dbp_null(p);
		return;
	}
	snprintf(statuses, len, "{");
	for (i = 0; i < PUBLIC_NSTATUS; i++) {
		if ((f->statuses & (1U << i)) == 0)
			continue;
		if (statuses[1] != '\0')
			strncat(statuses, ",", len - strlen(statuses) - 1);
		strncat(statuses, public_names[i],
		    len - strlen(statuses) - 1);
	}
	strncat(statuses, "}", len - strlen(statuses) - 1);
	dbp_str(p, statuses);
}

int
public_projects_json(struct db *db, const struct public_filter *f,
    json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*list, *item;
	json_error_t		 jerr;
	json_int_t		 total;
	char			 statuses[128];
	int			 i, n, limit;

	*out = NULL;
	if (f->q != NULL && !public_q_ok(f->q, err))
		return (0);
	limit = f->limit > 0 && f->limit <= PUBLIC_LIST_MAX ? f->limit :
	    PUBLIC_LIST_DEFAULT;

	public_params(f, &p, statuses, sizeof(statuses));
	if ((res = db_query(db, SQL_COUNT, &p, err)) == NULL)
		return (0);
	total = (json_int_t)db_i64(res, 0, 0);
	PQclear(res);

	public_params(f, &p, statuses, sizeof(statuses));
	if (f->before_id > 0)
		dbp_i64(&p, f->before_id);
	else
		dbp_null(&p);
	dbp_int(&p, limit + 1);
	if ((res = db_query(db, SQL_LIST, &p, err)) == NULL)
		return (0);
	if ((list = json_array()) == NULL) {
		PQclear(res);
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	}
	n = PQntuples(res);
	for (i = 0; i < n && i < limit; i++) {
		if ((item = json_loads(db_str(res, i, 1), 0, &jerr)) == NULL) {
			json_decref(list);
			PQclear(res);
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "bad project JSON"));
		}
		json_array_append_new(list, item);
	}
	*out = json_pack("{s:o,s:I,s:i,s:o}", "projects", list,
	    "total", total, "limit", limit, "next_cursor", n > limit ?
	    json_sprintf("%lld", (long long)db_i64(res, limit - 1, 0)) :
	    json_null());
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}
