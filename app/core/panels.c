/*
 * panels.c: the panel's own work.  Owns panels, panel_members,
 * panel_meetings, meeting_items, conflict_declarations and panel_scores
 * (migrations/0006_panels.sql); decisions.c owns what comes of it
 * (recommendations, partner_assessments, decisions).
 *
 * Layout: SQL; pure functions (weighted totals, score checks); JSON input
 * helpers; small helpers shared with decisions.c; panels; meetings and
 * agendas; the member's read check; declarations; scores and the
 * scoresheet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "dates.h"
#include "notify.h"
#include "panels.h"

/* Timestamps in JSON: UTC, ISO 8601, to the second. */
#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Roles that read everything here. */
#define PANELS_STAFF	(ROLE_OFFICER | ROLE_APPROVER | ROLE_AUDITOR)

static const char SQL_INSERT_PANEL[] =
    "INSERT INTO panels (scheme_code, name_en, name_zh, quorum, created_by)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";

static const char SQL_SELECT_PANEL[] =
    "SELECT json_build_object('id', p.id, 'scheme', p.scheme_code,"
    " 'name_en', p.name_en, 'name_zh', p.name_zh, 'quorum', p.quorum,"
    " 'created_at', " TS("p.created_at") "),"
    " EXISTS (SELECT 1 FROM panel_members m WHERE m.panel_id = p.id"
    "  AND m.user_id = $2)"
    " FROM panels p WHERE p.id = $1";

static const char SQL_LOCK_PANEL[] =
    "SELECT scheme_code FROM panels WHERE id = $1 FOR UPDATE";

/* $2: only panels the user sits on (NULL: all). */
static const char SQL_LIST_PANELS[] =
    "SELECT coalesce(json_agg(json_build_object('id', p.id, 'scheme',"
    " p.scheme_code, 'name_en', p.name_en, 'name_zh', p.name_zh,"
    " 'quorum', p.quorum, 'members', (SELECT count(*) FROM panel_members m"
    "  WHERE m.panel_id = p.id), 'meetings', (SELECT count(*) FROM"
    "  panel_meetings g WHERE g.panel_id = p.id)) ORDER BY p.id), '[]')"
    " FROM panels p WHERE ($1::text IS NULL OR p.scheme_code = upper($1))"
    " AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM panel_members m"
    "  WHERE m.panel_id = p.id AND m.user_id = $2::bigint))";

/* $2: only this user's appointment (NULL: everyone's). */
static const char SQL_PANEL_MEMBERS[] =
    "SELECT coalesce(json_agg(json_build_object('user_id', u.id, 'name',"
    " u.name, 'email', u.email, 'role', CASE WHEN m.is_chair THEN 'chair'"
    " ELSE 'member' END, 'term_from', m.term_from, 'term_to', m.term_to)"
    " ORDER BY m.is_chair DESC, u.id), '[]'), (SELECT count(*) FROM"
    " panel_members c WHERE c.panel_id = $1)"
    " FROM panel_members m JOIN users u ON u.id = m.user_id"
    " WHERE m.panel_id = $1 AND ($2::bigint IS NULL OR m.user_id = $2::bigint)";

/* $2: only meetings within the user's term (NULL: all). */
static const char SQL_PANEL_MEETINGS[] =
    "SELECT coalesce(json_agg(json_build_object('id', g.id, 'meeting_date',"
    " g.meeting_date, 'venue', g.venue, 'items', (SELECT count(*) FROM"
    " meeting_items i WHERE i.meeting_id = g.id)) ORDER BY g.meeting_date,"
    " g.id), '[]') FROM panel_meetings g WHERE g.panel_id = $1"
    " AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM panel_members m"
    "  WHERE m.panel_id = g.panel_id AND m.user_id = $2::bigint"
    "  AND g.meeting_date BETWEEN m.term_from AND m.term_to))";

static const char SQL_USER_PANELIST[] =
    "SELECT u.active, EXISTS (SELECT 1 FROM user_roles r WHERE"
    " r.user_id = u.id AND r.role = 'panel_member'), u.name, u.email"
    " FROM users u WHERE u.id = $1";

static const char SQL_MEMBER_LOCK[] =
    "SELECT is_chair, term_from::text, term_to::text FROM panel_members"
    " WHERE panel_id = $1 AND user_id = $2 FOR UPDATE";

static const char SQL_DEMOTE_CHAIR[] =
    "UPDATE panel_members SET is_chair = false WHERE panel_id = $1"
    " AND is_chair AND user_id <> $2 RETURNING user_id";

static const char SQL_UPSERT_MEMBER[] =
    "INSERT INTO panel_members (panel_id, user_id, is_chair, term_from,"
    " term_to, appointed_by) VALUES ($1, $2, $3, $4::date, $5::date, $6)"
    " ON CONFLICT (panel_id, user_id) DO UPDATE SET is_chair ="
    " EXCLUDED.is_chair, term_from = EXCLUDED.term_from, term_to ="
    " EXCLUDED.term_to, appointed_by = EXCLUDED.appointed_by,"
    " appointed_at = now()";

static const char SQL_INSERT_MEETING[] =
    "INSERT INTO panel_meetings (panel_id, meeting_date, venue, created_by)"
    " VALUES ($1, $2::date, $3, $4) RETURNING id";

/*
 * A meeting and what the user ($2) is at it: a member whose term covers
 * the date, and whether the chair.
 */
#define MEETING_SELECT							\
    "SELECT g.id, g.panel_id, p.scheme_code, p.quorum, g.meeting_date::text,"\
    " m.user_id IS NOT NULL, coalesce(m.is_chair, false),"		\
    " json_build_object('id', g.id, 'panel', json_build_object('id',"	\
    "  p.id, 'scheme', p.scheme_code, 'name_en', p.name_en, 'name_zh',"	\
    "  p.name_zh, 'quorum', p.quorum), 'meeting_date', g.meeting_date,"	\
    "  'venue', g.venue, 'created_at', " TS("g.created_at") ")"	\
    " FROM panel_meetings g JOIN panels p ON p.id = g.panel_id"		\
    " LEFT JOIN panel_members m ON m.panel_id = g.panel_id"		\
    "  AND m.user_id = $2 AND g.meeting_date BETWEEN m.term_from"	\
    "  AND m.term_to"							\
    " WHERE g.id = $1"

static const char SQL_SELECT_MEETING[] = MEETING_SELECT;
static const char SQL_LOCK_MEETING[] = MEETING_SELECT " FOR UPDATE OF g";

/* The members taking part in a meeting: their term covers its date. */
static const char SQL_PARTICIPANTS[] =
    "SELECT m.user_id, u.name, u.email, m.is_chair FROM panel_meetings g"
    " JOIN panel_members m ON m.panel_id = g.panel_id"
    "  AND g.meeting_date BETWEEN m.term_from AND m.term_to"
    " JOIN users u ON u.id = m.user_id WHERE g.id = $1 ORDER BY m.user_id";

static const char SQL_AGENDA[] =
    "SELECT i.seq, a.id, a.reference, a.scheme_code, a.status, a.title,"
    " o.id, o.name_en, o.name_zh, a.requested_cents, a.total_cost_cents,"
    " d.conflict, d.reason, " TS("d.declared_at") ", a.submitted_on::text"
    " FROM meeting_items i JOIN applications a ON a.id = i.application_id"
    " JOIN organisations o ON o.id = a.org_id"
    " LEFT JOIN conflict_declarations d ON d.meeting_id = i.meeting_id"
    "  AND d.application_id = i.application_id AND d.user_id = $2"
    " WHERE i.meeting_id = $1 ORDER BY i.seq";

static const char SQL_ITEM_OF[] =
    "SELECT meeting_id FROM meeting_items WHERE application_id = $1";

static const char SQL_INSERT_ITEM[] =
    "INSERT INTO meeting_items (meeting_id, application_id, seq, added_by)"
    " SELECT $1, $2, coalesce(max(seq), 0) + 1, $3 FROM meeting_items"
    " WHERE meeting_id = $1";

/*
 * The agenda item of application $1 and what user $2 is at its meeting:
 * a member taking part, the chair, and the member's declaration.
 */
static const char SQL_ITEM_CONTEXT[] =
    "SELECT i.meeting_id, g.panel_id, p.quorum, p.scheme_code,"
    " m.user_id IS NOT NULL, coalesce(m.is_chair, false),"
    " d.conflict IS NOT NULL, coalesce(d.conflict, false), d.reason"
    " FROM meeting_items i JOIN panel_meetings g ON g.id = i.meeting_id"
    " JOIN panels p ON p.id = g.panel_id"
    " LEFT JOIN panel_members m ON m.panel_id = g.panel_id"
    "  AND m.user_id = $2 AND g.meeting_date BETWEEN m.term_from"
    "  AND m.term_to"
    " LEFT JOIN conflict_declarations d ON d.meeting_id = i.meeting_id"
    "  AND d.application_id = i.application_id AND d.user_id = $2"
    " WHERE i.application_id = $1";

static const char SQL_DECLARATION_LOCK[] =
    "SELECT conflict, reason FROM conflict_declarations WHERE"
    " meeting_id = $1 AND application_id = $2 AND user_id = $3 FOR UPDATE";

static const char SQL_INSERT_DECLARATION[] =
    "INSERT INTO conflict_declarations (meeting_id, application_id,"
    " user_id, conflict, reason) VALUES ($1, $2, $3, $4, $5)"
    " RETURNING " TS("declared_at");

static const char SQL_DECLARE_CONFLICT[] =
    "UPDATE conflict_declarations SET conflict = true, reason = $4,"
    " declared_at = now() WHERE meeting_id = $1 AND application_id = $2"
    " AND user_id = $3 RETURNING " TS("declared_at");

static const char SQL_DELETE_MEMBER_SCORES[] =
    "DELETE FROM panel_scores WHERE meeting_id = $1 AND application_id = $2"
    " AND user_id = $3 RETURNING criterion, score";

static const char SQL_DECLARATIONS[] =
    "SELECT d.application_id, a.reference, d.user_id, u.name, u.email,"
    " d.conflict, d.reason, " TS("d.declared_at")
    " FROM conflict_declarations d JOIN meeting_items i"
    "  ON i.meeting_id = d.meeting_id AND i.application_id = d.application_id"
    " JOIN applications a ON a.id = d.application_id"
    " JOIN users u ON u.id = d.user_id"
    " WHERE d.meeting_id = $1 ORDER BY i.seq, d.user_id";

static const char SQL_MEMBER_SCORES[] =
    "SELECT criterion, score FROM panel_scores WHERE meeting_id = $1"
    " AND application_id = $2 AND user_id = $3 ORDER BY criterion";

static const char SQL_UPSERT_SCORE[] =
    "INSERT INTO panel_scores (meeting_id, application_id, user_id,"
    " criterion, score) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (meeting_id, application_id, user_id, criterion)"
    " DO UPDATE SET score = EXCLUDED.score, updated_at = now()";

/* Scores of an item (only unconflicted members have any), by member. */
static const char SQL_ITEM_SCORES[] =
    "SELECT user_id, criterion, score FROM panel_scores"
    " WHERE meeting_id = $1 AND application_id = $2 ORDER BY user_id";

static const char SQL_ITEM_DECLARED[] =
    "SELECT count(*) FILTER (WHERE NOT conflict), count(*) FILTER (WHERE"
    " conflict) FROM conflict_declarations WHERE meeting_id = $1"
    " AND application_id = $2";

/* One meeting as loaded for an actor. */
struct meeting {
	int64_t		 id;
	int64_t		 panel_id;
	char		 scheme[16];
	int		 quorum;
	char		 date[DATE_ISO_LEN];
	int		 participant;	/* the actor takes part */
	int		 chair;		/* ... as the chair */
	json_t		*json;		/* its summary (owned) */
};

/* A meeting's participants, for names and "Member n" labels. */
struct participants {
	size_t		 n;
	int64_t		*ids;
	char		(*names)[256];
};

/* The arguments of one transaction (db_tx_run may run it again). */
struct panels_tx {
	const struct scheme_set	*schemes;
	const struct actor	*actor;
	int64_t			 id;
	const json_t		*body;
	int			 created;
	json_t			*out;		/* built in the tx */
};

static long	text_chars(const char *);
static int64_t	gcd64(int64_t, int64_t);
static int	load_json(struct db *, const char *, const struct db_params *,
		    json_t **, struct app_err *);
static void	reader_actor(struct actor *);
static int	run_tx(struct db *, const struct scheme_set *,
		    const struct actor *, int64_t, const json_t *,
		    int (*)(struct db *, void *, struct app_err *),
		    struct panels_tx *, struct app_err *);
static int	member_tx(struct db *, const struct scheme_set *,
		    const struct actor *, int64_t, const json_t *, const char *,
		    int (*)(struct db *, void *, struct app_err *), json_t **,
		    struct app_err *);
static int	meeting_load(struct db *, const struct actor *, int64_t, int,
		    struct meeting *, struct app_err *);
static int	meeting_may_read(const struct actor *, const struct meeting *,
		    struct app_err *);
static int	participants_load(struct db *, int64_t,
		    struct participants *, struct app_err *);
static void	participants_free(struct participants *);
static json_t	*participant_label(const struct participants *, int64_t,
		    int, int64_t);
static json_t	*scores_json(const struct scheme *, const int *);
static const struct scheme *scheme_of(const struct scheme_set *,
		    const char *, struct app_err *);
static int	agenda_build(struct db *, const struct actor *,
		    const struct meeting *, json_t **, struct app_err *);
static int	member_scores_json(struct db *, const struct scheme *,
		    int64_t, int64_t, int64_t, json_t **, struct app_err *);
static int	create_tx(struct db *, void *, struct app_err *);
static int	appoint_tx(struct db *, void *, struct app_err *);
static int	meeting_create_tx(struct db *, void *, struct app_err *);
static int	agenda_tx(struct db *, void *, struct app_err *);
static int	declare_tx(struct db *, void *, struct app_err *);
static int	score_tx(struct db *, void *, struct app_err *);

/*
 * Pure functions.
 */

static int64_t
gcd64(int64_t a, int64_t b)
{
	int64_t	t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return (a);
}

int
panels_weighted(const struct scheme_criterion *c, size_t n,
    const int *scores, int64_t *num, int64_t *den, struct app_err *err)
{
	__int128	 sum;
	int64_t		 d, g;
	size_t		 i;

	d = 1;
	for (i = 0; i < n; i++) {
		if (c[i].max_score < 1)
			return (app_err_set(err, APP_EINTERNAL, c[i].id,
			    "criterion %s has no maximum score", c[i].id));
		g = gcd64(d, c[i].max_score);
		if (d / g > INT64_MAX / 20000 / c[i].max_score)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "the criteria's maximum scores have no common "
			    "denominator within range"));
		d = d / g * c[i].max_score;
	}
	sum = 0;
	for (i = 0; i < n; i++) {
		if (scores[i] < 0 || scores[i] > c[i].max_score)
			return (app_err_set(err, APP_EINVAL, c[i].id,
			    "%s: must be from 0 to %d", c[i].id,
			    c[i].max_score));
		sum += (__int128)scores[i] * c[i].weight_bp *
		    (d / c[i].max_score);
	}
	if (sum > INT64_MAX)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "weighted total out of range"));
	*num = (int64_t)sum;
	*den = d;
	return (1);
}

int64_t
panels_round(int64_t num, int64_t den)
{
	__int128	n;

	n = ((__int128)num * 2 + den) / ((__int128)den * 2);
	return ((int64_t)n);
}

int
panels_weighted_bp(const struct scheme_criterion *c, size_t n,
    const int *scores, int *bp, struct app_err *err)
{
	int64_t	num, den;

	if (!panels_weighted(c, n, scores, &num, &den, err))
		return (0);
	*bp = (int)panels_round(num, den);
	return (1);
}

int
panels_mean_bp(const int64_t *nums, size_t n, int64_t den, int *bp,
    struct app_err *err)
{
	__int128	sum, d;
	size_t		i;

	if (n == 0 || den <= 0)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "no totals to average"));
	sum = 0;
	for (i = 0; i < n; i++)
		sum += nums[i];
	d = (__int128)den * (__int128)n;
	*bp = (int)((sum * 2 + d) / (d * 2));
	return (1);
}

int
panels_score_check(const struct scheme *s, const char *criterion,
    const json_t *v, const char *path, int *score, struct app_err *err)
{
	const struct scheme_criterion	*c;
	json_int_t			 x;

	if ((c = scheme_criterion_find(s, criterion)) == NULL)
		return (app_err_set(err, APP_EINVAL, path, "%s: %s has no "
		    "criterion \"%.64s\"", path, s->code, criterion));
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, path, "%s: must be a "
		    "whole number (JSON integer)", path));
	x = json_integer_value(v);
	if (x < 0 || x > c->max_score)
		return (app_err_set(err, APP_EINVAL, path, "%s: must be from 0 "
		    "to %d (got %lld)", path, c->max_score, (long long)x));
	*score = (int)x;
	return (1);
}







void
panels_utf8_cut(char *s, size_t max)
{
	unsigned char	*p;
	size_t		 n;

	n = 0;
	for (p = (unsigned char *)s; *p != '\0'; p++) {
		if ((*p & 0xc0) != 0x80 && n++ == max) {
			*p = '\0';
			return;
		}
	}
}

/*
 * JSON input helpers.
 */

/* Characters of valid UTF-8 s; -1 for a control character other than
 * line breaks and tabs. */
static long
text_chars(const char *s)
{
	const unsigned char	*p;
	long			 n;

	n = 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') ||
		    *p == 0x7f)
			return (-1);
		if ((*p & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

int
panels_json_text(const json_t *obj, const char *key, long min, long max,
    const char **out, struct app_err *err)
{
	const json_t	*v;
	const char	*s;
	long		 n;

	*out = NULL;
	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		if (min > 0)
			return (app_err_set(err, APP_EINVAL, key,
			    "%s: is required", key));
		return (1);
	}
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, key,
		    "%s: must be a string", key));
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || (n = text_chars(s)) < 0)
		return (app_err_set(err, APP_EINVAL, key, "%s: must not "
		    "contain control characters other than line breaks and "
		    "tabs", key));
	if (n > max)
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: at most %ld characters (got %ld)", key, max, n));
	if (min > 0 && s[strspn(s, " \t\r\n")] == '\0')
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: must not be empty", key));
	*out = s;
	return (1);
}

/* An integer field in min..max; absent or null is 1 with *out untouched
 * unless required. */
int
panels_json_int(const json_t *obj, const char *key, int required,
    int64_t min, int64_t max, int64_t *out, struct app_err *err)
{
	const json_t	*v;
	json_int_t	 x;

	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return (app_err_set(err, APP_EINVAL, key,
			    "%s: is required", key));
		return (1);
	}
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, key,
		    "%s: must be a whole number (JSON integer)", key));
	x = json_integer_value(v);
	if (x < min || x > max)
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: must be from %lld to %lld", key, (long long)min,
		    (long long)max));
	*out = x;
	return (1);
}

int
panels_json_date(const json_t *obj, const char *key, int required, int *day,
    struct app_err *err)
{
	const json_t	*v;

	*day = -1;
	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return (app_err_set(err, APP_EINVAL, key,
			    "%s: is required (YYYY-MM-DD)", key));
		return (1);
	}
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, key,
		    "%s: must be a date string YYYY-MM-DD", key));
	if (!date_parse(json_string_value(v), day))
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: must be a real date written YYYY-MM-DD", key));
	return (1);
}

/* A required boolean. */
int
panels_json_bool(const json_t *obj, const char *key, int *out,
    struct app_err *err)
{
	const json_t	*v;

	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v))
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: is required (true or false)", key));
	if (!json_is_boolean(v))
		return (app_err_set(err, APP_EBADREQ, key,
		    "%s: must be true or false", key));
	*out = json_is_true(v);
	return (1);
}

/*
 * Small helpers.
 */

/* Run sql whose first column of its one row is JSON; *out gets it. */
static int
load_json(struct db *db, const char *sql, const struct db_params *p,
    json_t **out, struct app_err *err)
{
	PGresult	*res;
	json_error_t	 jerr;

	*out = NULL;
	if ((res = db_query(db, sql, p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1 || db_isnull(res, 0, 0)) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id", "not found"));
	}
	*out = json_loads(db_str(res, 0, 0), JSON_DECODE_ANY, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad JSON"));
	return (1);
}

/* The actor core code loads applications as, once it has decided access. */
static void
reader_actor(struct actor *a)
{
	actor_system(a, "panels");
}

void
panels_dbp_user(struct db_params *p, const struct actor *actor)
{
	if (actor->user_id > 0)
		dbp_i64(p, actor->user_id);
	else
		dbp_null(p);
}

int
panels_staff(const struct actor *actor)
{
	return (actor_has(actor, PANELS_STAFF));
}

int
panels_officer_only(const struct actor *actor, const char *what,
    struct app_err *err)
{
	if (actor_has(actor, ROLE_OFFICER))
		return (1);
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "only secretariat officers %s", what));
}

/* Officers do not act on their own organisation's applications. */
int
panels_not_own_org(const struct actor *actor, const struct application *app,
    struct app_err *err)
{
	if (actor->user_id != 0 && actor->org_id != 0 &&
	    actor->org_id == app->org_id)
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "you may not act on an application of your own "
		    "organisation"));
	return (1);
}

/* fn in a transaction of its own, on *a filled from the arguments. */
static int
run_tx(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t id, const json_t *body,
    int (*fn)(struct db *, void *, struct app_err *), struct panels_tx *a,
    struct app_err *err)
{
	memset(a, 0, sizeof(*a));
	a->schemes = schemes;
	a->actor = actor;
	a->id = id;
	a->body = body;
	return (db_tx_run(db, DB_READ_COMMITTED, fn, a, err));
}

/*
 * A panel member's own act on application app_id (what they do, for the
 * refusal): fn in a transaction of its own; *out is what fn built.
 */
static int
member_tx(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t app_id, const json_t *body,
    const char *what, int (*fn)(struct db *, void *, struct app_err *),
    json_t **out, struct app_err *err)
{
	struct panels_tx	a;

	*out = NULL;
	if (!actor_has(actor, ROLE_PANEL))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "only panel members %s", what));
	if (!run_tx(db, schemes, actor, app_id, body, fn, &a, err))
		return (0);
	*out = a.out;
	return (1);
}

static const struct scheme *
scheme_of(const struct scheme_set *schemes, const char *code,
    struct app_err *err)
{
	const struct scheme	*s;

	if ((s = schemes_find(schemes, code)) == NULL)
		app_err_set(err, APP_EINTERNAL, NULL, "scheme %s is not "
		    "loaded", code);
	return (s);
}

/*
 * Panels.
 */

int
panels_create(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, const json_t *body, json_t **out,
    struct app_err *err)
{
	struct panels_tx	a;

	*out = NULL;
	if (!panels_officer_only(actor, "set up panels", err) ||
	    !run_tx(db, schemes, actor, 0, body, create_tx, &a, err))
		return (0);
	return (panels_get_json(db, actor, a.id, out, err));
}

static int
create_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const	 keys[] = { "scheme", "name_en",
	    "name_zh", "quorum", NULL };
	struct panels_tx		*a = arg;
	const struct scheme		*s;
	struct db_params		 p;
	PGresult			*res;
	json_t				*after;
	const char			*code, *en, *zh;
	int64_t				 quorum;
	int				 ok;

	if (!auth_json_only(a->body, keys, "", err) ||
	    !panels_json_text(a->body, "scheme", 1, 8, &code, err))
		return (0);
	if ((s = schemes_find(a->schemes, code)) == NULL)
		return (app_err_set(err, APP_EINVAL, "scheme", "scheme: no "
		    "scheme with code \"%.16s\"", code));
	quorum = s->panel_quorum > 0 ? s->panel_quorum : 3;
	if (!panels_json_text(a->body, "name_en", 1, PANEL_NAME_MAX, &en,
	    err) ||
	    !panels_json_text(a->body, "name_zh", 1, PANEL_NAME_MAX, &zh,
	    err) ||
	    !panels_json_int(a->body, "quorum", 0, 1, PANEL_QUORUM_MAX,
	    &quorum, err))
		return (0);
	if (strchr(en, '\n') != NULL || strchr(zh, '\n') != NULL)
		return (app_err_set(err, APP_EINVAL, strchr(en, '\n') != NULL ?
		    "name_en" : "name_zh", "a panel's name is one line"));
	db_params_init(&p);
	dbp_str(&p, s->code);
	dbp_str(&p, en);
	dbp_str(&p, zh);
	dbp_i64(&p, quorum);
	panels_dbp_user(&p, a->actor);
	if ((res = db_query(db, SQL_INSERT_PANEL, &p, err)) == NULL)
		return (0);
	a->id = db_i64(res, 0, 0);
	PQclear(res);
	after = json_pack("{s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)a->id,
	    "scheme", s->code, "name_en", en, "name_zh", zh, "quorum",
	    (json_int_t)quorum);
	ok = audit_write_id(db, a->actor, "panel.create", "panel", a->id, NULL,
	    after, NULL, err);
	json_decref(after);
	return (ok);
}

int
panels_list_json(struct db *db, const struct actor *actor,
    const char *scheme, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	json_t			*list;

	*out = NULL;
	db_params_init(&p);
	dbp_str(&p, scheme != NULL && scheme[0] != '\0' ? scheme : NULL);
	if (panels_staff(actor))
		dbp_null(&p);
	else if (actor_has(actor, ROLE_PANEL))
		dbp_i64(&p, actor->user_id);
	else
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "your role has no access to panels"));
	if (!load_json(db, SQL_LIST_PANELS, &p, &list, err))
		return (0);
	*out = json_pack("{s:o}", "panels", list);
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}

int
panels_get_json(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*panel, *members, *meetings;
	json_error_t		 jerr;
	int			 member, all;
	int64_t			 count;

	*out = NULL;
	if (!panels_staff(actor) && !actor_has(actor, ROLE_PANEL))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "your role has no access to panels"));
	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_i64(&p, actor->user_id);
	if ((res = db_query(db, SQL_SELECT_PANEL, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such panel"));
	}
	panel = json_loads(db_str(res, 0, 0), 0, &jerr);
	member = db_bool(res, 0, 1);
	PQclear(res);
	if (panel == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad JSON"));
	all = panels_staff(actor);
	if (!all && !member) {
		json_decref(panel);
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such panel"));
	}
	/* Staff see every member; a member its own appointment. */
	db_params_init(&p);
	dbp_i64(&p, id);
	if (all)
		dbp_null(&p);
	else
		dbp_i64(&p, actor->user_id);
	if ((res = db_query(db, SQL_PANEL_MEMBERS, &p, err)) == NULL) {
		json_decref(panel);
		return (0);
	}
	members = json_loads(db_str(res, 0, 0), 0, &jerr);
	count = db_i64(res, 0, 1);
	PQclear(res);
	if (!load_json(db, SQL_PANEL_MEETINGS, &p, &meetings, err)) {
		json_decref(members);
		json_decref(panel);
		return (0);
	}
	json_object_set_new(panel, "members", members != NULL ? members :
	    json_array());
	json_object_set_new(panel, "members_count", json_integer(count));
	json_object_set_new(panel, "meetings", meetings);
	*out = panel;
	return (1);
}

int
panels_member_appoint(struct db *db, const struct actor *actor,
    int64_t panel_id, const json_t *body, int *created, json_t **out,
    struct app_err *err)
{
	struct panels_tx	a;

	*out = NULL;
	*created = 0;
	if (!panels_officer_only(actor, "appoint panel members", err) ||
	    !run_tx(db, NULL, actor, panel_id, body, appoint_tx, &a, err))
		return (0);
	*created = a.created;
	return (panels_get_json(db, actor, panel_id, out, err));
}

static int
appoint_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const	 keys[] = { "user_id", "role",
	    "term_from", "term_to", NULL };
	struct panels_tx		*a = arg;
	struct db_params		 p;
	PGresult			*res;
	json_t				*before, *after;
	const char			*role;
	char				 f[DATE_ISO_LEN], t[DATE_ISO_LEN];
	int64_t				 user_id, demoted;
	int				 from, to, chair, ok;

	if (!auth_json_only(a->body, keys, "", err) ||
	    !panels_json_int(a->body, "user_id", 1, 1, INT64_MAX, &user_id,
	    err) ||
	    !panels_json_text(a->body, "role", 0, 16, &role, err) ||
	    !panels_json_date(a->body, "term_from", 1, &from, err) ||
	    !panels_json_date(a->body, "term_to", 1, &to, err))
		return (0);
	if (role != NULL && strcmp(role, "chair") != 0 &&
	    strcmp(role, "member") != 0)
		return (app_err_set(err, APP_EINVAL, "role",
		    "role: must be chair or member"));
	chair = role != NULL && strcmp(role, "chair") == 0;
	if (to < from)
		return (app_err_set(err, APP_EINVAL, "term_to",
		    "term_to: the term cannot end before it starts"));

	db_params_init(&p);
	dbp_i64(&p, a->id);
	if ((res = db_query(db, SQL_LOCK_PANEL, &p, err)) == NULL)
		return (0);
	ok = PQntuples(res) == 1;
	PQclear(res);
	if (!ok)
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such panel"));

	/* Only users holding the panel_member role sit on panels. */
	db_params_init(&p);
	dbp_i64(&p, user_id);
	if ((res = db_query(db, SQL_USER_PANELIST, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EINVAL, "user_id",
		    "user_id: no user %lld", (long long)user_id));
	}
	if (!db_bool(res, 0, 0) || !db_bool(res, 0, 1)) {
		ok = db_bool(res, 0, 0);
		PQclear(res);
		return (app_err_set(err, APP_EINVAL, "user_id",
		    "user_id: user %lld %s", (long long)user_id, ok ?
		    "does not hold the panel_member role; only panel members "
		    "may be appointed" : "is disabled"));
	}
	PQclear(res);

	db_params_init(&p);
	dbp_i64(&p, a->id);
	dbp_i64(&p, user_id);
	if ((res = db_query(db, SQL_MEMBER_LOCK, &p, err)) == NULL)
		return (0);
	before = NULL;
	if (PQntuples(res) == 1)
		before = json_pack("{s:I,s:s,s:s,s:s}", "user_id",
		    (json_int_t)user_id, "role", db_bool(res, 0, 0) ? "chair" :
		    "member", "term_from", db_str(res, 0, 1), "term_to",
		    db_str(res, 0, 2));
	a->created = before == NULL;
	PQclear(res);

	demoted = 0;
	if (chair) {
		if ((res = db_query(db, SQL_DEMOTE_CHAIR, &p, err)) == NULL) {
			json_decref(before);
			return (0);
		}
		if (PQntuples(res) == 1)
			demoted = db_i64(res, 0, 0);
		PQclear(res);
	}
	dbp_bool(&p, chair);
	dbp_date(&p, from);
	dbp_date(&p, to);
	panels_dbp_user(&p, a->actor);
	if (!db_exec(db, SQL_UPSERT_MEMBER, &p, err)) {
		json_decref(before);
		return (0);
	}
	after = json_pack("{s:I,s:s,s:s,s:s}", "user_id", (json_int_t)user_id,
	    "role", chair ? "chair" : "member", "term_from",
	    date_format(from, f, sizeof(f)), "term_to",
	    date_format(to, t, sizeof(t)));
	if (demoted > 0)
		json_object_set_new(after, "previous_chair_now_member",
		    json_integer(demoted));
	ok = audit_write_id(db, a->actor, a->created ? "panel.member.appoint" :
	    "panel.member.reappoint", "panel", a->id, before, after, NULL,
	    err);
	json_decref(before);
	json_decref(after);
	return (ok);
}

/*
 * Meetings and agendas.
 */

static int
meeting_load(struct db *db, const struct actor *actor, int64_t id, int lock,
    struct meeting *m, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;

	memset(m, 0, sizeof(*m));
	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_i64(&p, actor->user_id);
	if ((res = db_query(db, lock ? SQL_LOCK_MEETING : SQL_SELECT_MEETING,
	    &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such meeting"));
	}
	m->id = db_i64(res, 0, 0);
	m->panel_id = db_i64(res, 0, 1);
	snprintf(m->scheme, sizeof(m->scheme), "%s", db_str(res, 0, 2));
	m->quorum = db_int(res, 0, 3);
	snprintf(m->date, sizeof(m->date), "%s", db_str(res, 0, 4));
	m->participant = actor->user_id > 0 && db_bool(res, 0, 5);
	m->chair = m->participant && db_bool(res, 0, 6);
	m->json = json_loads(db_str(res, 0, 7), 0, &jerr);
	PQclear(res);
	if (m->json == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad JSON"));
	return (1);
}

/* Staff read every meeting; a member those it takes part in. */
static int
meeting_may_read(const struct actor *actor, const struct meeting *m,
    struct app_err *err)
{
	if (panels_staff(actor))
		return (1);
	if (actor_has(actor, ROLE_PANEL)) {
		if (m->participant)
			return (1);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such meeting"));
	}
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "your role has no access to panel meetings"));
}

int
panels_meeting_create(struct db *db, const struct actor *actor,
    const json_t *body, json_t **out, struct app_err *err)
{
	struct panels_tx	a;

	*out = NULL;
	if (!panels_officer_only(actor, "arrange panel meetings", err) ||
	    !run_tx(db, NULL, actor, 0, body, meeting_create_tx, &a, err))
		return (0);
	return (panels_meeting_get_json(db, actor, a.id, out, err));
}

static int
meeting_create_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const	 keys[] = { "panel_id", "meeting_date",
	    "venue", NULL };
	struct panels_tx		*a = arg;
	struct db_params		 p;
	PGresult			*res;
	json_t				*after;
	const char			*venue;
	char				 d[DATE_ISO_LEN];
	int64_t				 panel_id;
	int				 day, ok;

	if (!auth_json_only(a->body, keys, "", err) ||
	    !panels_json_int(a->body, "panel_id", 1, 1, INT64_MAX, &panel_id,
	    err) ||
	    !panels_json_date(a->body, "meeting_date", 1, &day, err) ||
	    !panels_json_text(a->body, "venue", 0, PANEL_VENUE_MAX, &venue,
	    err))
		return (0);
	if (venue != NULL && venue[strspn(venue, " \t\r\n")] == '\0')
		venue = NULL;
	db_params_init(&p);
	dbp_i64(&p, panel_id);
	if ((res = db_query(db, SQL_LOCK_PANEL, &p, err)) == NULL)
		return (0);
	ok = PQntuples(res) == 1;
	PQclear(res);
	if (!ok)
		return (app_err_set(err, APP_EINVAL, "panel_id",
		    "panel_id: no panel %lld", (long long)panel_id));
	dbp_date(&p, day);
	dbp_str(&p, venue);
	panels_dbp_user(&p, a->actor);
	if ((res = db_query(db, SQL_INSERT_MEETING, &p, err)) == NULL)
		return (0);
	a->id = db_i64(res, 0, 0);
	PQclear(res);
	after = json_pack("{s:I,s:I,s:s,s:s?}", "id", (json_int_t)a->id,
	    "panel_id", (json_int_t)panel_id, "meeting_date",
	    date_format(day, d, sizeof(d)), "venue", venue);
	ok = audit_write_id(db, a->actor, "meeting.create", "meeting", a->id,
	    NULL, after, NULL, err);
	json_decref(after);
	return (ok);
}

static int
participants_load(struct db *db, int64_t meeting_id, struct participants *ps,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	const char		*name;
	int			 i, n;

	memset(ps, 0, sizeof(*ps));
	db_params_init(&p);
	dbp_i64(&p, meeting_id);
	if ((res = db_query(db, SQL_PARTICIPANTS, &p, err)) == NULL)
		return (0);
	n = PQntuples(res);
	ps->ids = calloc(n > 0 ? (size_t)n : 1, sizeof(*ps->ids));
	ps->names = calloc(n > 0 ? (size_t)n : 1, sizeof(*ps->names));
	if (ps->ids == NULL || ps->names == NULL) {
		PQclear(res);
		participants_free(ps);
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	}
	for (i = 0; i < n; i++) {
		ps->ids[i] = db_i64(res, i, 0);
		name = db_str(res, i, 1);
		snprintf(ps->names[i], sizeof(ps->names[i]), "%s",
		    name != NULL && name[0] != '\0' ? name : db_str(res, i, 2));
	}
	ps->n = (size_t)n;
	PQclear(res);
	return (1);
}

static void
participants_free(struct participants *ps)
{
	free(ps->ids);
	free(ps->names);
	memset(ps, 0, sizeof(*ps));
}

/*
 * How user_id appears to the viewer: officers see {user_id, name}; others
 * "Member n" by the member's place among the meeting's participants (by
 * user id, so stable), with "you": true on their own line.
 */
static json_t *
participant_label(const struct participants *ps, int64_t user_id,
    int named, int64_t viewer)
{
	char	label[32];
	size_t	i;

	for (i = 0; i < ps->n && ps->ids[i] != user_id; i++)
		;
	if (named)
		return (json_pack("{s:I,s:s}", "user_id", (json_int_t)user_id,
		    "name", i < ps->n ? ps->names[i] : "(former member)"));
	if (i < ps->n)
		snprintf(label, sizeof(label), "Member %zu", i + 1);
	else
		snprintf(label, sizeof(label), "Former member");
	if (user_id == viewer)
		return (json_pack("{s:s,s:b}", "label", label, "you", 1));
	return (json_pack("{s:s}", "label", label));
}

int
panels_meeting_get_json(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	struct meeting		 m;
	struct participants	 ps;
	json_t			*members, *agenda, *me;
	size_t			 i, n;

	*out = NULL;
	if (!meeting_load(db, actor, id, 0, &m, err))
		return (0);
	if (!meeting_may_read(actor, &m, err) ||
	    !participants_load(db, m.id, &ps, err)) {
		json_decref(m.json);
		return (0);
	}
	members = json_array();
	for (i = 0; panels_staff(actor) && i < ps.n; i++) {
		json_array_append_new(members, json_pack("{s:I,s:s}",
		    "user_id", (json_int_t)ps.ids[i], "name", ps.names[i]));
	}
	n = ps.n;
	participants_free(&ps);
	if (!agenda_build(db, actor, &m, &agenda, err)) {
		json_decref(members);
		json_decref(m.json);
		return (0);
	}
	json_object_set_new(m.json, "participants", members);
	json_object_set_new(m.json, "participants_count",
	    json_integer((json_int_t)n));
	if (m.participant) {
		me = json_pack("{s:s}", "role", m.chair ? "chair" : "member");
		json_object_set_new(m.json, "you", me);
	}
	json_object_set_new(m.json, "agenda", agenda);
	*out = m.json;
	return (1);
}

/* The agenda as the actor may see it (see panels_agenda_json()). */
static int
agenda_build(struct db *db, const struct actor *actor,
    const struct meeting *m, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*list, *app, *decl, *item;
	int			 i, n, withheld;

	*out = NULL;
	db_params_init(&p);
	dbp_i64(&p, m->id);
	dbp_i64(&p, actor->user_id);
	if ((res = db_query(db, SQL_AGENDA, &p, err)) == NULL)
		return (0);
	list = json_array();
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		withheld = !panels_staff(actor) && !db_isnull(res, i, 11) &&
		    db_bool(res, i, 11);
		if (withheld) {
			app = json_pack("{s:I,s:s?}", "id",
			    (json_int_t)db_i64(res, i, 1), "reference",
			    db_str(res, i, 2));
		} else {
			app = json_pack("{s:I,s:s?,s:s,s:s,s:s,s:{s:I,s:s,s:s},"
			    "s:I,s:I,s:s?}", "id",
			    (json_int_t)db_i64(res, i, 1),
			    "reference", db_str(res, i, 2), "scheme",
			    db_str(res, i, 3), "status", db_str(res, i, 4),
			    "title", db_str(res, i, 5), "organisation", "id",
			    (json_int_t)db_i64(res, i, 6), "name_en",
			    db_str(res, i, 7), "name_zh", db_str(res, i, 8),
			    "requested_cents", (json_int_t)db_i64(res, i, 9),
			    "total_cost_cents", (json_int_t)db_i64(res, i, 10),
			    "submitted_on", db_str(res, i, 14));
		}
		decl = json_null();
		if (m->participant && !db_isnull(res, i, 11))
			decl = json_pack("{s:b,s:s?,s:s}", "conflict",
			    db_bool(res, i, 11), "reason", db_str(res, i, 12),
			    "declared_at", db_str(res, i, 13));
		item = json_pack("{s:i,s:o}", "seq", db_int(res, i, 0),
		    "application", app);
		if (m->participant)
			json_object_set_new(item, "your_declaration", decl);
		else
			json_decref(decl);
		if (withheld)
			json_object_set_new(item, "withheld", json_true());
		json_array_append_new(list, item);
	}
	PQclear(res);
	*out = list;
	return (1);
}

int
panels_agenda_json(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	struct meeting	 m;
	json_t		*agenda;

	*out = NULL;
	if (!meeting_load(db, actor, id, 0, &m, err))
		return (0);
	if (!meeting_may_read(actor, &m, err) ||
	    !agenda_build(db, actor, &m, &agenda, err)) {
		json_decref(m.json);
		return (0);
	}
	json_decref(m.json);
	*out = json_pack("{s:I,s:s,s:o}", "meeting_id", (json_int_t)m.id,
	    "meeting_date", m.date, "agenda", agenda);
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}

int
panels_agenda_add(struct db *db, const struct actor *actor, int64_t id,
    const json_t *body, json_t **out, struct app_err *err)
{
	struct panels_tx	a;

	*out = NULL;
	if (!panels_officer_only(actor, "set meeting agendas", err) ||
	    !run_tx(db, NULL, actor, id, body, agenda_tx, &a, err))
		return (0);
	return (panels_agenda_json(db, actor, id, out, err));
}

static int
agenda_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const	 keys[] = { "application_ids", NULL };
	struct panels_tx		*a = arg;
	struct meeting			 m;
	struct application		 app;
	struct actor			 reader;
	struct db_params		 p;
	struct app_err			 e;
	PGresult			*res;
	const json_t			*ids, *v;
	json_t				*added;
	char				 f[48];
	int64_t				 app_id;
	size_t				 i, j;
	int				 ok, busy;

	if (!auth_json_only(a->body, keys, "", err))
		return (0);
	ids = json_object_get(a->body, "application_ids");
	if (ids == NULL || json_is_null(ids))
		return (app_err_set(err, APP_EINVAL, "application_ids",
		    "application_ids: is required"));
	if (!json_is_array(ids))
		return (app_err_set(err, APP_EBADREQ, "application_ids",
		    "application_ids: must be an array of application ids"));
	if (json_array_size(ids) == 0 ||
	    json_array_size(ids) > PANEL_AGENDA_MAX)
		return (app_err_set(err, APP_EINVAL, "application_ids",
		    "application_ids: give 1 to %d applications",
		    PANEL_AGENDA_MAX));
	if (!meeting_load(db, a->actor, a->id, 1, &m, err))
		return (0);
	json_decref(m.json);
	reader_actor(&reader);
	added = json_array();
	json_array_foreach(ids, i, v) {
		snprintf(f, sizeof(f), "application_ids[%zu]", i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			json_decref(added);
			return (app_err_set(err, APP_EBADREQ, f, "%s: must be "
			    "an application id (a positive JSON integer)", f));
		}
		app_id = json_integer_value(v);
		for (j = 0; j < i; j++) {
			if (json_integer_value(json_array_get(ids, j)) ==
			    app_id) {
				json_decref(added);
				return (app_err_set(err, APP_EINVAL, f,
				    "%s: application %lld is listed twice", f,
				    (long long)app_id));
			}
		}
		app_err_clear(&e);
		if (!applications_load(db, &reader, app_id, 1, &app, &e)) {
			json_decref(added);
			if (e.code != APP_ENOTFOUND) {
				*err = e;
				return (0);
			}
			return (app_err_set(err, APP_EINVAL, f,
			    "%s: there is no application %lld", f,
			    (long long)app_id));
		}
		ok = panels_not_own_org(a->actor, &app, err);
		if (ok && app.status != APPLICATION_UNDER_ASSESSMENT)
			ok = app_err_set(err, APP_EINVAL, f, "%s: application "
			    "%s is %s; only applications under assessment go "
			    "on an agenda", f, app.reference,
			    application_status_name(app.status));
		if (ok && strcmp(app.scheme, m.scheme) != 0)
			ok = app_err_set(err, APP_EINVAL, f, "%s: application "
			    "%s is for %s; this panel assesses %s", f,
			    app.reference, app.scheme, m.scheme);
		if (!ok) {
			json_decref(added);
			return (0);
		}
		db_params_init(&p);
		dbp_i64(&p, app_id);
		if ((res = db_query(db, SQL_ITEM_OF, &p, err)) == NULL) {
			json_decref(added);
			return (0);
		}
		busy = PQntuples(res) == 1 ? (int)db_i64(res, 0, 0) : 0;
		PQclear(res);
		if (busy) {
			json_decref(added);
			return (app_err_set(err, APP_ECONFLICT, f, "%s: "
			    "application %s is already on the agenda of "
			    "meeting %d", f, app.reference, busy));
		}
		db_params_init(&p);
		dbp_i64(&p, m.id);
		dbp_i64(&p, app_id);
		panels_dbp_user(&p, a->actor);
		if (!db_exec(db, SQL_INSERT_ITEM, &p, err)) {
			json_decref(added);
			return (0);
		}
		json_array_append_new(added, json_pack("{s:I,s:s}", "id",
		    (json_int_t)app_id, "reference", app.reference));
	}
	v = json_pack("{s:o}", "added", added);
	ok = audit_write_id(db, a->actor, "meeting.agenda.add", "meeting",
	    m.id, NULL, v, NULL, err);
	json_decref((json_t *)v);
	return (ok);
}

/*
 * What a member may read.
 */

int
panels_item_context(struct db *db, const struct actor *actor, int64_t app_id,
    struct panels_item *it, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	memset(it, 0, sizeof(*it));
	db_params_init(&p);
	dbp_i64(&p, app_id);
	dbp_i64(&p, actor->user_id);
	if ((res = db_query(db, SQL_ITEM_CONTEXT, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "the application is on no meeting's agenda"));
	}
	it->meeting_id = db_i64(res, 0, 0);
	it->panel_id = db_i64(res, 0, 1);
	it->quorum = db_int(res, 0, 2);
	snprintf(it->scheme, sizeof(it->scheme), "%s", db_str(res, 0, 3));
	it->participant = actor->user_id > 0 && db_bool(res, 0, 4);
	it->chair = it->participant && db_bool(res, 0, 5);
	it->declared = db_bool(res, 0, 6);
	it->conflict = db_bool(res, 0, 7);
	PQclear(res);
	return (1);
}

int
panels_member_may_read(struct db *db, const struct actor *actor,
    int64_t application_id, struct app_err *err)
{
	struct panels_item	it;
	struct app_err	e;

	if (!actor_has(actor, ROLE_PANEL) || actor->user_id <= 0)
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	app_err_clear(&e);
	if (!panels_item_context(db, actor, application_id, &it, &e)) {
		if (e.code != APP_ENOTFOUND) {
			*err = e;
			return (0);
		}
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	}
	if (!it.participant)
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	if (it.conflict)
		return (app_err_set(err, APP_EFORBIDDEN, "id",
		    "you declared a conflict of interest on this application: "
		    "you may not read its details"));
	return (1);
}

/*
 * Declarations.
 */

int
panels_declare(struct db *db, const struct actor *actor, int64_t app_id,
    const json_t *body, json_t **out, struct app_err *err)
{
	return (member_tx(db, NULL, actor, app_id, body, "declare conflicts "
	    "of interest", declare_tx, out, err));
}

static int
declare_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const	 keys[] = { "conflict", "reason",
	    NULL };
	struct panels_tx		*a = arg;
	struct application		 app;
	struct actor			 reader;
	struct panels_item			 it;
	struct db_params		 p;
	PGresult			*res;
	json_t				*before, *after, *removed;
	const char			*reason;
	char				 at[40];
	int				 conflict, had, had_conflict, i, n;
	int				 ok;

	json_decref(a->out);	/* from an attempt db_tx_run retried */
	a->out = NULL;
	if (!auth_json_only(a->body, keys, "", err) ||
	    !panels_json_bool(a->body, "conflict", &conflict, err) ||
	    !panels_json_text(a->body, "reason", 0, PANEL_REASON_MAX, &reason,
	    err))
		return (0);
	if (conflict && reason == NULL)
		return (app_err_set(err, APP_EINVAL, "reason",
		    "reason: is required with a conflict: say what the "
		    "interest is"));
	if (!conflict && reason != NULL)
		return (app_err_set(err, APP_EINVAL, "reason",
		    "reason: only a declared conflict carries a reason"));
	if (conflict && reason[strspn(reason, " \t\r\n")] == '\0')
		return (app_err_set(err, APP_EINVAL, "reason",
		    "reason: must not be empty"));

	reader_actor(&reader);
	if (!applications_load(db, &reader, a->id, 1, &app, err) ||
	    !panels_item_context(db, a->actor, a->id, &it, err))
		return (0);
	if (!it.participant)
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "the application is on no agenda of a meeting you take "
		    "part in"));
	if (app.status != APPLICATION_UNDER_ASSESSMENT)
		return (app_err_set(err, APP_ESTATE, "status",
		    "the application is %s; declarations are made while it "
		    "is under assessment",
		    application_status_name(app.status)));

	db_params_init(&p);
	dbp_i64(&p, it.meeting_id);
	dbp_i64(&p, app.id);
	dbp_i64(&p, a->actor->user_id);
	if ((res = db_query(db, SQL_DECLARATION_LOCK, &p, err)) == NULL)
		return (0);
	had = PQntuples(res) == 1;
	had_conflict = had && db_bool(res, 0, 0);
	before = had ? json_pack("{s:b,s:s?}", "conflict", had_conflict,
	    "reason", db_str(res, 0, 1)) : NULL;
	PQclear(res);

	if (had && had_conflict && !conflict) {
		json_decref(before);
		return (app_err_set(err, APP_ESTATE, "conflict",
		    "conflict: a declared conflict of interest cannot be "
		    "withdrawn"));
	}
	if (had && had_conflict == conflict) {
		/* The same declaration again: nothing changes. */
		a->out = json_pack("{s:I,s:I,s:b,s:O}", "application_id",
		    (json_int_t)app.id, "meeting_id",
		    (json_int_t)it.meeting_id, "conflict", conflict,
		    "reason", json_object_get(before, "reason"));
		json_decref(before);
		return (1);
	}

	removed = NULL;
	if (had) {
		/* No conflict becomes a conflict: the scores go first. */
		if ((res = db_query(db, SQL_DELETE_MEMBER_SCORES, &p, err)) ==
		    NULL) {
			json_decref(before);
			return (0);
		}
		removed = json_object();
		n = PQntuples(res);
		for (i = 0; i < n; i++)
			json_object_set_new(removed, db_str(res, i, 0),
			    json_integer(db_int(res, i, 1)));
		PQclear(res);
		json_object_set_new(before, "scores", removed);
	}
	if (had)
		dbp_str(&p, reason);		/* it becomes a conflict */
	else {
		dbp_bool(&p, conflict);
		dbp_str(&p, reason);
	}
	if ((res = db_query(db, had ? SQL_DECLARE_CONFLICT :
	    SQL_INSERT_DECLARATION, &p, err)) == NULL) {
		json_decref(before);
		return (0);
	}
	snprintf(at, sizeof(at), "%s", db_str(res, 0, 0));
	PQclear(res);
	after = json_pack("{s:I,s:I,s:b,s:s?}", "meeting_id",
	    (json_int_t)it.meeting_id, "user_id",
	    (json_int_t)a->actor->user_id, "conflict", conflict, "reason",
	    reason);
	ok = audit_write_id(db, a->actor, "conflict.declare", "application",
	    app.id, before, after, reason, err);
	json_decref(before);
	json_decref(after);
	if (!ok)
		return (0);
	a->out = json_pack("{s:I,s:I,s:b,s:s?,s:s}", "application_id",
	    (json_int_t)app.id, "meeting_id", (json_int_t)it.meeting_id,
	    "conflict", conflict, "reason", reason, "declared_at", at);
	return (a->out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}

int
panels_declarations_json(struct db *db, const struct actor *actor,
    int64_t id, json_t **out, struct app_err *err)
{
	struct meeting		 m;
	struct participants	 ps;
	struct db_params	 p;
	PGresult		*res;
	json_t			*items, *item, *decls, *d;
	int64_t			 app_id, last, uid;
	int			 i, n, named, own;

	*out = NULL;
	if (!meeting_load(db, actor, id, 0, &m, err))
		return (0);
	json_decref(m.json);
	if (!meeting_may_read(actor, &m, err) ||
	    !participants_load(db, m.id, &ps, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, m.id);
	if ((res = db_query(db, SQL_DECLARATIONS, &p, err)) == NULL) {
		participants_free(&ps);
		return (0);
	}
	/* Who declared what is for the secretariat and the auditors. */
	named = actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR);
	items = json_array();
	decls = NULL;
	last = 0;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		app_id = db_i64(res, i, 0);
		if (app_id != last) {
			decls = json_array();
			item = json_pack("{s:I,s:s?,s:o}", "application_id",
			    (json_int_t)app_id, "reference",
			    db_str(res, i, 1), "declarations", decls);
			json_array_append_new(items, item);
			last = app_id;
		}
		uid = db_i64(res, i, 2);
		own = uid == actor->user_id;
		d = json_pack("{s:o,s:b,s:s}", "member", participant_label(&ps,
		    uid, named, actor->user_id), "conflict", db_bool(res, i, 5),
		    "declared_at", db_str(res, i, 7));
		/* Reasons: to those who see names, and their author. */
		if ((named || own) && !db_isnull(res, i, 6))
			json_object_set_new(d, "reason",
			    json_string(db_str(res, i, 6)));
		json_array_append_new(decls, d);
	}
	PQclear(res);
	participants_free(&ps);
	*out = json_pack("{s:I,s:s,s:o}", "meeting_id", (json_int_t)m.id,
	    "meeting_date", m.date, "items", items);
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}

/*
 * Scores.
 */

int
panels_score(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t app_id, const json_t *body,
    json_t **out, struct app_err *err)
{
	return (member_tx(db, schemes, actor, app_id, body, "score "
	    "applications", score_tx, out, err));
}

static int
score_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const	 keys[] = { "scores", NULL };
	struct panels_tx		*a = arg;
	struct application		 app;
	struct actor			 reader;
	struct panels_item			 it;
	const struct scheme		*s;
	struct db_params		 p;
	PGresult			*res;
	const json_t			*scores, *v;
	json_t				*before, *after;
	const char			*key;
	char				 path[96];
	int				*vals, score, i, n, ok;
	size_t				 k;

	json_decref(a->out);	/* from an attempt db_tx_run retried */
	a->out = NULL;
	if (!auth_json_only(a->body, keys, "", err))
		return (0);
	scores = json_object_get(a->body, "scores");
	if (scores == NULL || json_is_null(scores))
		return (app_err_set(err, APP_EINVAL, "scores",
		    "scores: is required ({\"criterion\": score, ...})"));
	if (!json_is_object(scores))
		return (app_err_set(err, APP_EBADREQ, "scores",
		    "scores: must be an object of criterion: score"));
	if (json_object_size(scores) == 0)
		return (app_err_set(err, APP_EINVAL, "scores",
		    "scores: score at least one criterion"));

	reader_actor(&reader);
	if (!applications_load(db, &reader, a->id, 1, &app, err) ||
	    !panels_item_context(db, a->actor, a->id, &it, err))
		return (0);
	if (!it.participant)
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "the application is on no agenda of a meeting you take "
		    "part in"));
	if (it.conflict)
		return (app_err_set(err, APP_EFORBIDDEN, "conflict",
		    "you declared a conflict of interest on this application: "
		    "you may not score it"));
	if (!it.declared)
		return (app_err_set(err, APP_ESTATE, "conflict",
		    "declare whether you have a conflict of interest "
		    "(POST .../conflicts) before scoring"));
	if (app.status != APPLICATION_UNDER_ASSESSMENT)
		return (app_err_set(err, APP_ESTATE, "status",
		    "the application is %s; scores are given while it is "
		    "under assessment", application_status_name(app.status)));
	if ((s = scheme_of(a->schemes, app.scheme, err)) == NULL)
		return (0);

	/* Every score is checked before any is written. */
	vals = calloc(s->ncriteria > 0 ? s->ncriteria : 1, sizeof(*vals));
	if (vals == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	for (k = 0; k < s->ncriteria; k++)
		vals[k] = -1;
	json_object_foreach((json_t *)scores, key, v) {
		snprintf(path, sizeof(path), "scores.%.64s", key);
		if (!panels_score_check(s, key, v, path, &score, err)) {
			free(vals);
			return (0);
		}
		vals[scheme_criterion_find(s, key) - s->criteria] = score;
	}

	db_params_init(&p);
	dbp_i64(&p, it.meeting_id);
	dbp_i64(&p, app.id);
	dbp_i64(&p, a->actor->user_id);
	if ((res = db_query(db, SQL_MEMBER_SCORES, &p, err)) == NULL) {
		free(vals);
		return (0);
	}
	before = json_object();
	n = PQntuples(res);
	for (i = 0; i < n; i++)
		json_object_set_new(before, db_str(res, i, 0),
		    json_integer(db_int(res, i, 1)));
	PQclear(res);
	after = scores_json(s, vals);
	ok = 1;
	for (k = 0; ok && k < s->ncriteria; k++) {
		if (vals[k] < 0)
			continue;
		db_params_init(&p);
		dbp_i64(&p, it.meeting_id);
		dbp_i64(&p, app.id);
		dbp_i64(&p, a->actor->user_id);
		dbp_str(&p, s->criteria[k].id);
		dbp_int(&p, vals[k]);
		ok = db_exec(db, SQL_UPSERT_SCORE, &p, err);
	}
	free(vals);
	ok = ok && audit_write_id(db, a->actor, "score.record", "application",
	    app.id, json_object_size(before) > 0 ? before : NULL, after, NULL,
	    err);
	json_decref(before);
	json_decref(after);
	return (ok && member_scores_json(db, s, it.meeting_id, app.id,
	    a->actor->user_id, &a->out, err));
}

/* {criterion: score} of the scored criteria in vals. */
static json_t *
scores_json(const struct scheme *s, const int *vals)
{
	json_t	*o;
	size_t	 k;

	o = json_object();
	for (k = 0; k < s->ncriteria; k++) {
		if (vals[k] >= 0)
			json_object_set_new(o, s->criteria[k].id,
			    json_integer(vals[k]));
	}
	return (o);
}

/* One member's scores of an item, complete or not, with the total. */
static int
member_scores_json(struct db *db, const struct scheme *s, int64_t meeting_id,
    int64_t app_id, int64_t user_id, json_t **out, struct app_err *err)
{
	struct panels_scorer	*sc;
	size_t		 n, i;
	int		 bp, *vals;
	json_t		*missing;

	*out = NULL;
	if (!panels_item_scorers(db, s, meeting_id, app_id, &sc, &n, err))
		return (0);
	for (i = 0; i < n && sc[i].user_id != user_id; i++)
		;
	vals = i < n ? sc[i].scores : NULL;
	missing = json_array();
	for (bp = 0; (size_t)bp < s->ncriteria; bp++) {
		if (vals == NULL || vals[bp] < 0)
			json_array_append_new(missing,
			    json_string(s->criteria[bp].id));
	}
	*out = json_pack("{s:I,s:I,s:o,s:b,s:o}", "application_id",
	    (json_int_t)app_id, "meeting_id", (json_int_t)meeting_id,
	    "scores", vals != NULL ? scores_json(s, vals) : json_object(),
	    "complete", i < n && sc[i].complete, "missing", missing);
	if (*out != NULL && i < n && sc[i].complete &&
	    panels_weighted_bp(s->criteria, s->ncriteria, sc[i].scores, &bp,
	    err))
		json_object_set_new(*out, "weighted_total_bp",
		    json_integer(bp));
	else if (*out != NULL)
		json_object_set_new(*out, "weighted_total_bp", json_null());
	panels_scorers_free(sc, n);
	if (err->code != APP_OK) {
		json_decref(*out);
		*out = NULL;
		return (0);
	}
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}

/*
 * Every scorer of an item with its scores by criterion index; complete
 * ones carry their exact weighted total (num over the scheme's common
 * denominator).  Scores exist only beside a no-conflict declaration (the
 * foreign key in 0006), so these are the unconflicted scorers.
 */
int
panels_item_scorers(struct db *db, const struct scheme *s, int64_t meeting_id,
    int64_t app_id, struct panels_scorer **out, size_t *nout,
    struct app_err *err)
{
	const struct scheme_criterion	*c;
	struct db_params		 p;
	PGresult			*res;
	struct panels_scorer			*sc;
	int64_t				 uid, den;
	size_t				 n, k;
	int				 i, rows;

	*out = NULL;
	*nout = 0;
	db_params_init(&p);
	dbp_i64(&p, meeting_id);
	dbp_i64(&p, app_id);
	if ((res = db_query(db, SQL_ITEM_SCORES, &p, err)) == NULL)
		return (0);
	rows = PQntuples(res);
	sc = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*sc));
	if (sc == NULL) {
		PQclear(res);
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	}
	n = 0;
	for (i = 0; i < rows; i++) {
		uid = db_i64(res, i, 0);
		if (n == 0 || sc[n - 1].user_id != uid) {
			sc[n].user_id = uid;
			sc[n].scores = malloc((s->ncriteria > 0 ?
			    s->ncriteria : 1) * sizeof(int));
			if (sc[n].scores == NULL) {
				PQclear(res);
				panels_scorers_free(sc, n);
				return (app_err_set(err, APP_EINTERNAL, NULL,
				    "out of memory"));
			}
			for (k = 0; k < s->ncriteria; k++)
				sc[n].scores[k] = -1;
			n++;
		}
		/* A criterion the definition has since dropped is ignored. */
		if ((c = scheme_criterion_find(s, db_str(res, i, 1))) != NULL)
			sc[n - 1].scores[c - s->criteria] = db_int(res, i, 2);
	}
	PQclear(res);
	for (k = 0; k < n; k++) {
		sc[k].complete = 1;
		for (i = 0; (size_t)i < s->ncriteria; i++) {
			if (sc[k].scores[i] < 0 ||
			    sc[k].scores[i] > s->criteria[i].max_score)
				sc[k].complete = 0;
		}
		if (sc[k].complete && !panels_weighted(s->criteria,
		    s->ncriteria, sc[k].scores, &sc[k].num, &den, err)) {
			panels_scorers_free(sc, n);
			return (0);
		}
	}
	*out = sc;
	*nout = n;
	return (1);
}

/* The common denominator of s's weighted totals (panels_weighted()). */
int
panels_scheme_den(const struct scheme *s, int64_t *den, struct app_err *err)
{
	int	*zero;
	int64_t	 num;
	int	 ok;

	if ((zero = calloc(s->ncriteria > 0 ? s->ncriteria : 1,
	    sizeof(*zero))) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	ok = panels_weighted(s->criteria, s->ncriteria, zero, &num, den, err);
	free(zero);
	return (ok);
}

void
panels_scorers_free(struct panels_scorer *sc, size_t n)
{
	size_t	i;

	for (i = 0; sc != NULL && i < n; i++)
		free(sc[i].scores);
	free(sc);
}

int
panels_scoresheet_json(struct db *db, const struct scheme_set *schemes,
    const struct actor *actor, int64_t id, json_t **out, struct app_err *err)
{
	struct meeting		 m;
	struct participants	 ps;
	const struct scheme	*s;
	struct panels_scorer		*sc;
	struct db_params	 p;
	PGresult		*res, *dres;
	json_t			*items, *item, *list, *line, *crit;
	int64_t			*nums, den, app_id;
	size_t			 n, k, complete;
	int			 i, rows, named, bp, conflicted, ok;
	char			 status[32];

	*out = NULL;
	if (!meeting_load(db, actor, id, 0, &m, err))
		return (0);
	json_decref(m.json);
	if (!meeting_may_read(actor, &m, err))
		return (0);
	if ((s = scheme_of(schemes, m.scheme, err)) == NULL ||
	    !participants_load(db, m.id, &ps, err))
		return (0);
	named = actor_has(actor, ROLE_OFFICER);
	if (!panels_scheme_den(s, &den, err)) {
		participants_free(&ps);
		return (0);
	}
	db_params_init(&p);
	dbp_i64(&p, m.id);
	dbp_i64(&p, actor->user_id);
	if ((res = db_query(db, SQL_AGENDA, &p, err)) == NULL) {
		participants_free(&ps);
		return (0);
	}
	crit = json_array();
	for (k = 0; k < s->ncriteria; k++)
		json_array_append_new(crit, json_pack("{s:s,s:s?,s:s?,s:i,s:i}",
		    "id", s->criteria[k].id, "name_en", s->criteria[k].name_en,
		    "name_zh", s->criteria[k].name_zh, "weight_bp",
		    s->criteria[k].weight_bp, "max_score",
		    s->criteria[k].max_score));
	items = json_array();
	rows = PQntuples(res);
	ok = 1;
	for (i = 0; ok && i < rows; i++) {
		app_id = db_i64(res, i, 1);
		/* A member sees nothing of an item it is conflicted on. */
		if (!panels_staff(actor) && !db_isnull(res, i, 11) &&
		    db_bool(res, i, 11)) {
			json_array_append_new(items, json_pack("{s:I,s:s?,s:b}",
			    "application_id", (json_int_t)app_id, "reference",
			    db_str(res, i, 2), "withheld", 1));
			continue;
		}
		snprintf(status, sizeof(status), "%s", db_str(res, i, 4));
		if (!panels_item_scorers(db, s, m.id, app_id, &sc, &n, err)) {
			ok = 0;
			break;
		}
		db_params_init(&p);
		dbp_i64(&p, m.id);
		dbp_i64(&p, app_id);
		if ((dres = db_query(db, SQL_ITEM_DECLARED, &p, err)) == NULL) {
			panels_scorers_free(sc, n);
			ok = 0;
			break;
		}
		conflicted = db_int(dres, 0, 1);
		item = json_pack("{s:I,s:s?,s:s,s:s,s:I,s:i,s:i}",
		    "application_id", (json_int_t)app_id, "reference",
		    db_str(res, i, 2), "title", db_str(res, i, 5), "status",
		    status, "requested_cents", (json_int_t)db_i64(res, i, 9),
		    "declared_no_conflict", db_int(dres, 0, 0), "conflicted",
		    conflicted);
		PQclear(dres);
		nums = calloc(n > 0 ? n : 1, sizeof(*nums));
		if (nums == NULL) {
			panels_scorers_free(sc, n);
			json_decref(item);
			ok = app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory");
			break;
		}
		list = json_array();
		complete = 0;
		for (k = 0; k < n; k++) {
			line = json_pack("{s:o,s:o,s:b,s:o}", "member",
			    participant_label(&ps, sc[k].user_id, named,
			    actor->user_id), "scores", scores_json(s,
			    sc[k].scores), "complete", sc[k].complete,
			    "weighted_total_bp", sc[k].complete ?
			    json_integer(panels_round(sc[k].num, den)) :
			    json_null());
			if (sc[k].complete)
				nums[complete++] = sc[k].num;
			json_array_append_new(list, line);
		}
		json_object_set_new(item, "scorers", list);
		json_object_set_new(item, "complete_scorers",
		    json_integer((json_int_t)complete));
		json_object_set_new(item, "quorum", json_integer(m.quorum));
		json_object_set_new(item, "quorum_met",
		    json_boolean((int)complete >= m.quorum));
		if (ok && complete > 0 && panels_mean_bp(nums, complete, den,
		    &bp, err))
			json_object_set_new(item, "mean_weighted_total_bp",
			    json_integer(bp));
		else
			json_object_set_new(item, "mean_weighted_total_bp",
			    json_null());
		json_object_set_new(item, "decidable", json_boolean(
		    (int)complete >= m.quorum &&
		    strcmp(status, "under_assessment") == 0));
		free(nums);
		panels_scorers_free(sc, n);
		json_array_append_new(items, item);
		if (err->code != APP_OK)
			ok = 0;
	}
	PQclear(res);
	participants_free(&ps);
	if (!ok) {
		json_decref(items);
		json_decref(crit);
		return (0);
	}
	*out = json_pack("{s:I,s:s,s:s,s:i,s:b,s:o,s:o}", "meeting_id",
	    (json_int_t)m.id, "meeting_date", m.date, "scheme", m.scheme,
	    "quorum", m.quorum, "members_named", named, "criteria", crit,
	    "items", items);
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}
