/*
 * schemes.c: load and validate the scheme definitions (docs/schemes.md).
 *
 * Every check reports "FILE: JSON-PATH: problem" through problem() and
 * goes on, so one run lists every problem in every file; the first one
 * also lands in the caller's struct app_err.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "schemes.h"

#define PATH_MAX_LEN	256	/* JSON paths in messages */
#define FIELDS_DEPTH	3	/* lists nest at most this deep */

#define M_REQUIRED	0x01	/* key must be present */
#define M_NULLABLE	0x02	/* a required key may be null */

struct check {
	const char	*file;
	FILE		*report;
	size_t		 nproblems;
	struct app_err	*err;
	json_t		*sources;	/* NULL: cannot check source keys */
};

enum param_kind {
	PARAM_INT,
	PARAM_MONTHLY,
	PARAM_PERIOD
};

struct param_spec {
	const char	*name;
	int		 required;
	enum param_kind	 kind;
	int64_t		 min;
	int64_t		 max;
	size_t		 off;
};

#define PARAM(n, req, kind, lo, hi)					\
	{ #n, req, kind, lo, hi, offsetof(struct scheme_rules, n) }

static const struct param_spec grant_params[] = {
	PARAM(max_cents, 1, PARAM_INT, 0, INT64_MAX),
	PARAM(cost_share_bp, 0, PARAM_INT, 0, 10000),
	{ NULL, 0, PARAM_INT, 0, 0, 0 }
};

static const struct param_spec matching_params[] = {
	PARAM(gov_share_num, 1, PARAM_INT, 0, INT64_MAX),
	PARAM(gov_share_den, 1, PARAM_INT, 1, INT64_MAX),
	PARAM(per_project_cap_cents, 0, PARAM_INT, 0, INT64_MAX),
	PARAM(per_applicant_cap_cents, 0, PARAM_INT, 0, INT64_MAX),
	PARAM(per_applicant_cap_period, 0, PARAM_PERIOD, 0, 0),
	PARAM(max_projects, 0, PARAM_INT, 1, INT64_MAX),
	{ NULL, 0, PARAM_INT, 0, 0, 0 }
};

static const struct param_spec rebate_params[] = {
	PARAM(rate_bp, 1, PARAM_INT, 0, 10000),
	{ NULL, 0, PARAM_INT, 0, 0, 0 }
};

static const struct param_spec allowance_params[] = {
	PARAM(monthly_cents, 1, PARAM_MONTHLY, 0, INT64_MAX),
	PARAM(max_heads, 0, PARAM_INT, 1, INT64_MAX),
	PARAM(max_months, 1, PARAM_INT, 1, INT64_MAX),
	{ NULL, 0, PARAM_INT, 0, 0, 0 }
};

static const struct param_spec block_grant_params[] = {
	PARAM(per_institution_annual_cap_cents, 1, PARAM_INT, 0, INT64_MAX),
	PARAM(per_startup_annual_cap_cents, 1, PARAM_INT, 0, INT64_MAX),
	PARAM(max_years, 0, PARAM_INT, 1, INT64_MAX),
	{ NULL, 0, PARAM_INT, 0, 0, 0 }
};

static const struct param_spec co_investment_params[] = {
	PARAM(gov_share_num, 1, PARAM_INT, 0, INT64_MAX),
	PARAM(gov_share_den, 1, PARAM_INT, 1, INT64_MAX),
	PARAM(per_deal_cap_cents, 0, PARAM_INT, 0, INT64_MAX),
	PARAM(per_company_cap_cents, 0, PARAM_INT, 0, INT64_MAX),
	{ NULL, 0, PARAM_INT, 0, 0, 0 }
};

/* Indexed by enum scheme_model. */
static const struct param_spec *const model_params[] = {
	grant_params, matching_params, rebate_params, allowance_params,
	block_grant_params, co_investment_params
};

static const char *const area_names[] = {
	"rd", "adoption", "talent", "startups", "culture", NULL
};
static const char *const status_names[] = {
	"open", "closed", "merged", NULL
};
static const char *const org_names[] = {
	"company", "university", "rd_centre", "public_body", "other", NULL
};
static const char *const model_names[] = {
	"grant", "matching", "rebate", "allowance", "block_grant",
	"co_investment", NULL
};
static const char *const pattern_names[] = {
	"milestones", "initial_and_completion", "on_completion",
	"monthly_claims", "single_rebate", "annual_reimbursement",
	"co_investment", NULL
};
static const char *const qual_names[] = {
	"bachelor", "master", "doctorate", NULL
};
static const char *const period_names[] = {
	"lifetime", "financial_year", NULL
};
static const char *const field_type_names[] = {
	"string", "text", "integer", "cents", "date", "boolean", "enum",
	"list", NULL
};

static const char *const top_keys[] = {
	"code", "name_en", "name_zh", "area", "launched", "status",
	"status_note_en", "status_note_zh", "merged_into", "closes_on",
	"eligible_applicants", "eligibility_en", "eligibility_zh",
	"funding_model", "reference_prefix", "reference_prefix_source",
	"implementation_partner", "assessment_body", "panel_quorum",
	"partner_assessment", "max_months", "criteria", "payment",
	"application_fields", "rule_versions", "sources", NULL
};
static const char *const value_keys[] = {
	"value", "source", "unconfirmed", "note", NULL
};
static const char *const source_keys[] = {
	"source", "unconfirmed", "note", NULL
};
static const char *const bilingual_keys[] = {
	"en", "zh", NULL
};
static const char *const criterion_keys[] = {
	"id", "name_en", "name_zh", "weight_bp", "max_score", "source",
	"unconfirmed", "note", NULL
};
static const char *const payment_keys[] = {
	"pattern", "initial_bp", "final_min_bp", "source", "unconfirmed",
	"note", "note_en", "note_zh", NULL
};
static const char *const field_keys[] = {
	"name", "type", "required", "max_length", "label_en", "label_zh",
	"values", "item_fields", "max_items", NULL
};
static const char *const rules_keys[] = {
	"id", "effective_from", "source", "params", "unconfirmed", "note",
	NULL
};

static void	problem(struct check *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static const char *path_key(char *, size_t, const char *, const char *);
static const char *path_idx(char *, size_t, const char *, size_t);
static const char *path_trunc(char *, size_t, int);
static int	name_lookup(const char *const *, const char *);
static const char *names_list(const char *const *, char *, size_t);
static int	is_upper_code(const char *, size_t, size_t);
static int	is_ident(const char *);
static void	check_keys(struct check *, json_t *, const char *,
		    const char *const *);
static json_t	*member(struct check *, json_t *, const char *, const char *,
		    int);
static int	want_string(struct check *, json_t *, const char *,
		    const char **);
static int	want_int(struct check *, json_t *, const char *, int64_t,
		    int64_t, int64_t *);
static int	want_source(struct check *, json_t *, const char *,
		    const char **);
static json_t	*want_valobj(struct check *, json_t *, const char *,
		    struct scheme_value *);
static int	get_str(struct check *, json_t *, const char *, const char *,
		    int, const char **);
static int	get_int(struct check *, json_t *, const char *, const char *,
		    int, int64_t, int64_t, int64_t *);
static int	get_bool(struct check *, json_t *, const char *,
		    const char *, int, int *);
static int	get_date(struct check *, json_t *, const char *,
		    const char *, int, int *);
static int	get_enum(struct check *, json_t *, const char *,
		    const char *, int, const char *const *, int *);
static int	get_source(struct check *, json_t *, const char *,
		    const char *, int, const char **);
static int	get_value(struct check *, json_t *, const char *,
		    const char *, int, int64_t, int64_t,
		    struct scheme_value *);
static void	get_bilingual(struct check *, json_t *, const char *,
		    const char *, int, const char **, const char **);
static void	check_sources(struct check *, json_t *);
static void	parse_code(struct check *, json_t *, struct scheme *);
static void	parse_status(struct check *, json_t *, struct scheme *);
static void	parse_eligible(struct check *, json_t *, struct scheme *);
static void	parse_criteria(struct check *, json_t *, struct scheme *);
static void	parse_payment(struct check *, json_t *, struct scheme *);
static void	parse_fields(struct check *, json_t *, const char *, int);
static void	parse_field(struct check *, json_t *, const char *, int);
static void	parse_rule_versions(struct check *, json_t *,
		    struct scheme *, int);
static void	parse_rules(struct check *, json_t *, const char *, int,
		    struct scheme_rules *);
static void	parse_params(struct check *, json_t *, const char *,
		    enum scheme_model, struct scheme_rules *);
static void	parse_monthly(struct check *, json_t *, const char *,
		    struct scheme_rules *);
static void	parse_period(struct check *, json_t *, const char *,
		    struct scheme_rules *);
static void	scheme_parse(struct check *, json_t *, struct scheme *);
static int	scheme_read(struct check *, const char *, struct scheme *);
static void	check_set(struct check *, struct scheme *, size_t, int);
static int	list_dir(struct check *, const char *, char ***, size_t *);
static int	name_cmp(const void *, const void *);
static char	*join_path(const char *, const char *);
static int	set_date(json_t *, const char *, int);

/*
 * Public functions.
 */

int
schemes_load_dir(const char *dir, struct scheme_set *out,
    struct app_err *err)
{
	return (schemes_load_dir_report(dir, out, NULL, NULL, err));
}

int
schemes_load_dir_report(const char *dir, struct scheme_set *out,
    FILE *report, size_t *nproblems, struct app_err *err)
{
	struct check	 ck;
	char		**names, *path;
	size_t		 n, i;
	int		 ok;

	memset(out, 0, sizeof(*out));
	memset(&ck, 0, sizeof(ck));
	ck.file = dir;
	ck.report = report;
	ck.err = err;
	names = NULL;
	n = 0;
	ok = 0;

	if (!list_dir(&ck, dir, &names, &n))
		goto done;
	if (n == 0) {
		problem(&ck, NULL, "no scheme files (*.json) in directory");
		goto done;
	}
	if ((out->v = calloc(n, sizeof(*out->v))) == NULL) {
		problem(&ck, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((path = join_path(dir, names[i])) == NULL) {
			ck.file = dir;
			problem(&ck, NULL, "out of memory");
			break;
		}
		if (scheme_read(&ck, path, &out->v[out->n]))
			out->n++;
		free(path);
	}
	/* merged_into can be resolved only if every file loaded. */
	check_set(&ck, out->v, out->n, ck.nproblems == 0);
	ok = ck.nproblems == 0;

done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!ok)
		schemes_free(out);
	if (nproblems != NULL)
		*nproblems = ck.nproblems;
	return (ok);
}

int
schemes_check_files(char *const *paths, size_t npaths, FILE *report,
    size_t *nproblems, struct app_err *err)
{
	struct check	 ck;
	struct scheme	*v;
	size_t		 i, n;

	memset(&ck, 0, sizeof(ck));
	ck.report = report;
	ck.err = err;
	n = 0;
	if ((v = calloc(npaths > 0 ? npaths : 1, sizeof(*v))) == NULL) {
		ck.file = "schemes";
		problem(&ck, NULL, "out of memory");
	} else {
		for (i = 0; i < npaths; i++) {
			if (scheme_read(&ck, paths[i], &v[n]))
				n++;
		}
		check_set(&ck, v, n, 0);
		for (i = 0; i < n; i++)
			scheme_free(&v[i]);
		free(v);
	}
	if (nproblems != NULL)
		*nproblems = ck.nproblems;
	return (ck.nproblems == 0);
}

int
scheme_load_file(const char *path, struct scheme *out, struct app_err *err)
{
	struct check	ck;

	memset(&ck, 0, sizeof(ck));
	ck.err = err;
	return (scheme_read(&ck, path, out));
}

void
scheme_free(struct scheme *s)
{
	if (s == NULL)
		return;
	free(s->file);
	free(s->criteria);
	free(s->rules);
	if (s->json != NULL)
		json_decref(s->json);
	memset(s, 0, sizeof(*s));
	s->closes_on = SCHEME_NO_DATE;
}

void
schemes_free(struct scheme_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		scheme_free(&set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

const struct scheme *
schemes_find(const struct scheme_set *set, const char *code)
{
	size_t	i;

	if (set == NULL || code == NULL)
		return (NULL);
	for (i = 0; i < set->n; i++) {
		if (strcasecmp(set->v[i].code, code) == 0)
			return (&set->v[i]);
	}
	return (NULL);
}

const struct scheme_rules *
scheme_rules_on(const struct scheme *s, int day)
{
	size_t	i;

	if (s->closes_on != SCHEME_NO_DATE && day > s->closes_on)
		return (NULL);
	for (i = s->nrules; i > 0; i--) {
		if (s->rules[i - 1].effective_from <= day)
			return (&s->rules[i - 1]);
	}
	return (NULL);
}

const struct scheme_rules *
scheme_rules_find(const struct scheme *s, const char *id)
{
	size_t	i;

	for (i = 0; i < s->nrules; i++) {
		if (strcmp(s->rules[i].id, id) == 0)
			return (&s->rules[i]);
	}
	return (NULL);
}

const struct scheme_criterion *
scheme_criterion_find(const struct scheme *s, const char *id)
{
	size_t	i;

	for (i = 0; i < s->ncriteria; i++) {
		if (strcmp(s->criteria[i].id, id) == 0)
			return (&s->criteria[i]);
	}
	return (NULL);
}

int
scheme_accepts_org_type(const struct scheme *s, const char *type)
{
	enum scheme_org_type	t;

	if (type == NULL || !scheme_org_type_parse(type, &t))
		return (0);
	return ((s->eligible & (1U << t)) != 0);
}

json_t *
scheme_summary_json(const struct scheme *s)
{
	json_t	*o, *p;
	int	 ok;

	if ((o = json_object()) == NULL)
		return (NULL);
	ok = json_object_set_new(o, "code", json_string(s->code)) == 0 &&
	    json_object_set_new(o, "name_en", json_string(s->name_en)) == 0 &&
	    json_object_set_new(o, "name_zh", json_string(s->name_zh)) == 0 &&
	    json_object_set_new(o, "area",
	    json_string(scheme_area_name(s->area))) == 0 &&
	    set_date(o, "launched", s->launched) &&
	    json_object_set_new(o, "status",
	    json_string(scheme_status_name(s->status))) == 0 &&
	    json_object_set_new(o, "funding_model",
	    json_string(scheme_model_name(s->funding_model))) == 0 &&
	    json_object_set_new(o, "reference_prefix",
	    json_string(s->reference_prefix)) == 0;
	if (ok && s->partner_en != NULL) {
		p = json_pack("{s:s, s:s}", "en", s->partner_en,
		    "zh", s->partner_zh);
		ok = json_object_set_new(o, "implementation_partner", p) == 0;
	}
	if (ok && s->closes_on != SCHEME_NO_DATE)
		ok = set_date(o, "closes_on", s->closes_on);
	if (ok && s->merged_into != NULL)
		ok = json_object_set_new(o, "merged_into",
		    json_string(s->merged_into)) == 0;
	if (!ok) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

json_t *
scheme_json(const struct scheme *s)
{
	json_t	*o, *arr, *rv;
	size_t	 i;

	if ((o = json_deep_copy(s->json)) == NULL)
		return (NULL);
	arr = json_object_get(o, "rule_versions");
	for (i = 0; i < s->nrules; i++) {
		rv = json_array_get(arr, i);
		if (rv == NULL || !set_date(rv, "effective_to",
		    s->rules[i].effective_to)) {
			json_decref(o);
			return (NULL);
		}
	}
	return (o);
}

json_t *
scheme_rules_json(const struct scheme *s, const struct scheme_rules *r)
{
	json_t	*o;

	if ((o = json_deep_copy(r->json)) == NULL)
		return (NULL);
	if (!set_date(o, "effective_to", r->effective_to) ||
	    json_object_set_new(o, "scheme", json_string(s->code)) != 0) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

const char *
scheme_area_name(enum scheme_area v)
{
	return (area_names[v]);
}

const char *
scheme_status_name(enum scheme_status v)
{
	return (status_names[v]);
}

const char *
scheme_org_type_name(enum scheme_org_type v)
{
	return (org_names[v]);
}

const char *
scheme_model_name(enum scheme_model v)
{
	return (model_names[v]);
}

const char *
scheme_payment_pattern_name(enum scheme_payment_pattern v)
{
	return (pattern_names[v]);
}

const char *
scheme_qualification_name(enum scheme_qualification v)
{
	return (qual_names[v]);
}

int
scheme_org_type_parse(const char *s, enum scheme_org_type *out)
{
	int	i;

	if ((i = name_lookup(org_names, s)) == -1)
		return (0);
	*out = (enum scheme_org_type)i;
	return (1);
}

int
scheme_qualification_parse(const char *s, enum scheme_qualification *out)
{
	int	i;

	if ((i = name_lookup(qual_names, s)) == -1)
		return (0);
	*out = (enum scheme_qualification)i;
	return (1);
}

/*
 * Reporting and paths.
 */

/* Report one problem; path NULL for a whole file or directory. */
static void
problem(struct check *ck, const char *path, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ck->nproblems++;
	if (path == NULL) {
		if (ck->report != NULL)
			fprintf(ck->report, "%s: %s\n", ck->file, msg);
		app_err_set(ck->err, APP_EINVAL, NULL, "%s: %s", ck->file,
		    msg);
	} else {
		if (ck->report != NULL)
			fprintf(ck->report, "%s: %s: %s\n", ck->file, path,
			    msg);
		app_err_set(ck->err, APP_EINVAL, path, "%s: %s: %s",
		    ck->file, path, msg);
	}
}

static const char *
path_key(char *buf, size_t len, const char *parent, const char *key)
{
	int	r;

	if (parent == NULL || *parent == '\0')
		r = snprintf(buf, len, "%s", key);
	else
		r = snprintf(buf, len, "%s.%s", parent, key);
	return (path_trunc(buf, len, r));
}

static const char *
path_idx(char *buf, size_t len, const char *parent, size_t i)
{
	return (path_trunc(buf, len, snprintf(buf, len, "%s[%zu]", parent,
	    i)));
}

/* Mark a path cut short by snprintf() with a trailing "...". */
static const char *
path_trunc(char *buf, size_t len, int r)
{
	if ((r < 0 || (size_t)r >= len) && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return (buf);
}

static int
name_lookup(const char *const *names, const char *s)
{
	int	i;

	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], s) == 0)
			return (i);
	}
	return (-1);
}

static const char *
names_list(const char *const *names, char *buf, size_t len)
{
	size_t	i, off;
	int	r;

	buf[0] = '\0';
	for (i = 0, off = 0; names[i] != NULL; i++) {
		r = snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "",
		    names[i]);
		if (r < 0 || (size_t)r >= len - off)
			break;
		off += (size_t)r;
	}
	return (buf);
}

/* ^[A-Z]{min,max}$ */
static int
is_upper_code(const char *s, size_t min, size_t max)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < 'A' || s[i] > 'Z')
			return (0);
	}
	return (i >= min && i <= max);
}

/* ^[a-z][a-z0-9_]{0,31}$ */
static int
is_ident(const char *s)
{
	size_t	i;

	if (s[0] < 'a' || s[0] > 'z')
		return (0);
	for (i = 1; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return (0);
	}
	return (i <= 32);
}

/*
 * Typed checks.  want_*() check a value at a path, get_*() a member of an
 * object; both return 1 with *out set when the value is there and valid,
 * else 0 (having reported it, unless an optional key is just absent).
 */

static void
check_keys(struct check *ck, json_t *obj, const char *parent,
    const char *const *allowed)
{
	const char	*key;
	json_t		*v;
	char		 p[PATH_MAX_LEN];

	json_object_foreach(obj, key, v) {
		if (name_lookup(allowed, key) == -1)
			problem(ck, path_key(p, sizeof(p), parent, key),
			    "unknown key");
	}
}

static json_t *
member(struct check *ck, json_t *obj, const char *path, const char *key,
    int flags)
{
	json_t	*v;

	v = json_object_get(obj, key);
	if (v == NULL) {
		if (flags & M_REQUIRED)
			problem(ck, path, "missing");
		return (NULL);
	}
	if (json_is_null(v)) {
		if ((flags & M_REQUIRED) && !(flags & M_NULLABLE))
			problem(ck, path, "must not be null");
		return (NULL);
	}
	return (v);
}

static int
want_string(struct check *ck, json_t *v, const char *path, const char **out)
{
	const char	*s;

	if (!json_is_string(v)) {
		problem(ck, path, "must be a string");
		return (0);
	}
	s = json_string_value(v);
	if (*s == '\0') {
		problem(ck, path, "must not be empty");
		return (0);
	}
	if (strlen(s) != json_string_length(v)) {
		problem(ck, path, "must not contain NUL characters");
		return (0);
	}
	*out = s;
	return (1);
}

static int
want_int(struct check *ck, json_t *v, const char *path, int64_t min,
    int64_t max, int64_t *out)
{
	int64_t	n;

	if (json_is_integer(v)) {
		n = json_integer_value(v);
		if (n >= min && n <= max) {
			*out = n;
			return (1);
		}
	}
	if (min == 1 && (max == INT64_MAX || max == INT32_MAX))
		problem(ck, path, "must be a positive integer");
	else if (min == 0 && (max == INT64_MAX || max == INT32_MAX))
		problem(ck, path, "must be a non-negative integer");
	else
		problem(ck, path, "must be an integer from %lld to %lld",
		    (long long)min, (long long)max);
	return (0);
}

static int
want_source(struct check *ck, json_t *v, const char *path, const char **out)
{
	const char	*s;

	if (!want_string(ck, v, path, &s))
		return (0);
	if (ck->sources != NULL && json_object_get(ck->sources, s) == NULL) {
		problem(ck, path, "source \"%s\" is not a key of sources", s);
		return (0);
	}
	*out = s;
	return (1);
}

/*
 * A value object {value, source, unconfirmed, note}: checks all but the
 * value and returns the value (NULL, reported, if missing).
 */
static json_t *
want_valobj(struct check *ck, json_t *v, const char *path,
    struct scheme_value *out)
{
	json_t		*val;
	const char	*note;
	char		 p[PATH_MAX_LEN];
	int		 b;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(v)) {
		problem(ck, path, "must be a value object {\"value\": ..., "
		    "\"source\": ...}");
		return (NULL);
	}
	check_keys(ck, v, path, value_keys);
	get_source(ck, v, path, "source", M_REQUIRED, &out->source);
	if (get_bool(ck, v, path, "unconfirmed", 0, &b))
		out->unconfirmed = b;
	get_str(ck, v, path, "note", 0, &note);
	val = member(ck, v, path_key(p, sizeof(p), path, "value"), "value",
	    M_REQUIRED);
	return (val);
}

static int
get_str(struct check *ck, json_t *obj, const char *parent, const char *key,
    int flags, const char **out)
{
	json_t	*v;
	char	 p[PATH_MAX_LEN];

	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return (0);
	return (want_string(ck, v, p, out));
}

static int
get_int(struct check *ck, json_t *obj, const char *parent, const char *key,
    int flags, int64_t min, int64_t max, int64_t *out)
{
	json_t	*v;
	char	 p[PATH_MAX_LEN];

	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return (0);
	return (want_int(ck, v, p, min, max, out));
}

static int
get_bool(struct check *ck, json_t *obj, const char *parent, const char *key,
    int flags, int *out)
{
	json_t	*v;
	char	 p[PATH_MAX_LEN];

	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return (0);
	if (!json_is_boolean(v)) {
		problem(ck, p, "must be true or false");
		return (0);
	}
	*out = json_is_true(v);
	return (1);
}

static int
get_date(struct check *ck, json_t *obj, const char *parent, const char *key,
    int flags, int *out)
{
	json_t	*v;
	char	 p[PATH_MAX_LEN];

	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return (0);
	if (!json_is_string(v) || !date_parse(json_string_value(v), out)) {
		problem(ck, p, "must be a date YYYY-MM-DD");
		return (0);
	}
	return (1);
}

static int
get_enum(struct check *ck, json_t *obj, const char *parent, const char *key,
    int flags, const char *const *names, int *out)
{
	json_t	*v;
	char	 p[PATH_MAX_LEN], list[200];
	int	 i;

	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return (0);
	if (!json_is_string(v) ||
	    (i = name_lookup(names, json_string_value(v))) == -1) {
		problem(ck, p, "must be one of %s",
		    names_list(names, list, sizeof(list)));
		return (0);
	}
	*out = i;
	return (1);
}

static int
get_source(struct check *ck, json_t *obj, const char *parent,
    const char *key, int flags, const char **out)
{
	json_t	*v;
	char	 p[PATH_MAX_LEN];

	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return (0);
	return (want_source(ck, v, p, out));
}

static int
get_value(struct check *ck, json_t *obj, const char *parent, const char *key,
    int flags, int64_t min, int64_t max, struct scheme_value *out)
{
	json_t	*v, *val;
	char	 p[PATH_MAX_LEN], pv[PATH_MAX_LEN];
	size_t	 before;

	memset(out, 0, sizeof(*out));
	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return (0);
	before = ck->nproblems;
	if ((val = want_valobj(ck, v, p, out)) == NULL)
		return (0);
	if (!want_int(ck, val, path_key(pv, sizeof(pv), p, "value"), min,
	    max, &out->value) || ck->nproblems != before)
		return (0);
	out->present = 1;
	return (1);
}

/* An object {en, zh}; with M_NULLABLE null leaves both NULL. */
static void
get_bilingual(struct check *ck, json_t *obj, const char *parent,
    const char *key, int flags, const char **en, const char **zh)
{
	json_t		*v;
	char		 p[PATH_MAX_LEN];
	const char	*e, *z;

	*en = *zh = NULL;
	path_key(p, sizeof(p), parent, key);
	if ((v = member(ck, obj, p, key, flags)) == NULL)
		return;
	if (!json_is_object(v)) {
		problem(ck, p, "must be an object {\"en\": ..., \"zh\": ...}");
		return;
	}
	check_keys(ck, v, p, bilingual_keys);
	e = z = NULL;
	get_str(ck, v, p, "en", M_REQUIRED, &e);
	get_str(ck, v, p, "zh", M_REQUIRED, &z);
	if (e != NULL && z != NULL) {
		*en = e;
		*zh = z;
	}
}

/*
 * The parts of a definition.
 */

static void
check_sources(struct check *ck, json_t *root)
{
	json_t		*v, *t;
	const char	*key, *s;
	char		 p[PATH_MAX_LEN];
	size_t		 before;

	ck->sources = NULL;
	if ((v = member(ck, root, "sources", "sources", M_REQUIRED)) == NULL)
		return;
	if (!json_is_object(v)) {
		problem(ck, "sources", "must be an object of citations");
		return;
	}
	if (json_object_size(v) == 0) {
		problem(ck, "sources", "must not be empty");
		return;
	}
	before = ck->nproblems;
	json_object_foreach(v, key, t) {
		path_key(p, sizeof(p), "sources", key);
		if (*key == '\0')
			problem(ck, p, "source keys must not be empty");
		else
			want_string(ck, t, p, &s);
	}
	if (ck->nproblems == before)
		ck->sources = v;
}

static void
parse_code(struct check *ck, json_t *root, struct scheme *s)
{
	const char	*code, *base;
	char		 want[32];
	size_t		 i;

	if (!get_str(ck, root, "", "code", M_REQUIRED, &code))
		return;
	if (!is_upper_code(code, 2, 8)) {
		problem(ck, "code", "must match ^[A-Z]{2,8}$");
		return;
	}
	s->code = code;
	base = strrchr(ck->file, '/');
	base = base != NULL ? base + 1 : ck->file;
	for (i = 0; code[i] != '\0'; i++)
		want[i] = code[i] - 'A' + 'a';
	snprintf(want + i, sizeof(want) - i, ".json");
	if (strcmp(base, want) != 0)
		problem(ck, "code", "\"%s\" does not match the file name "
		    "(expected %s)", code, want);
}

static void
parse_status(struct check *ck, json_t *root, struct scheme *s)
{
	const char	*into;
	int		 st;

	st = -1;
	if (get_enum(ck, root, "", "status", M_REQUIRED, status_names, &st))
		s->status = (enum scheme_status)st;
	get_str(ck, root, "", "status_note_en", 0, &s->status_note_en);
	get_str(ck, root, "", "status_note_zh", 0, &s->status_note_zh);
	if (get_str(ck, root, "", "merged_into", 0, &into)) {
		if (!is_upper_code(into, 2, 8))
			problem(ck, "merged_into", "must be a scheme code "
			    "(^[A-Z]{2,8}$)");
		else if (st != -1 && st != SCHEME_STATUS_MERGED)
			problem(ck, "merged_into", "only allowed when status "
			    "is \"merged\"");
		else if (s->code != NULL && strcmp(into, s->code) == 0)
			problem(ck, "merged_into", "must name another scheme");
		else
			s->merged_into = into;
	} else if (st == SCHEME_STATUS_MERGED &&
	    json_object_get(root, "merged_into") == NULL)
		problem(ck, "merged_into", "missing (required when status is "
		    "\"merged\")");
	else if (st == SCHEME_STATUS_MERGED &&
	    json_is_null(json_object_get(root, "merged_into")))
		problem(ck, "merged_into", "must not be null when status is "
		    "\"merged\"");
}

static void
parse_eligible(struct check *ck, json_t *root, struct scheme *s)
{
	json_t	*arr, *v;
	size_t	 i;
	char	 p[PATH_MAX_LEN], list[200];
	int	 t;

	arr = member(ck, root, "eligible_applicants", "eligible_applicants",
	    M_REQUIRED);
	if (arr == NULL)
		return;
	if (!json_is_array(arr)) {
		problem(ck, "eligible_applicants", "must be an array");
		return;
	}
	json_array_foreach(arr, i, v) {
		path_idx(p, sizeof(p), "eligible_applicants", i);
		if (!json_is_string(v) ||
		    (t = name_lookup(org_names, json_string_value(v))) == -1)
			problem(ck, p, "must be one of %s",
			    names_list(org_names, list, sizeof(list)));
		else if (s->eligible & (1U << t))
			problem(ck, p, "duplicate \"%s\"", org_names[t]);
		else
			s->eligible |= 1U << t;
	}
}

static void
parse_criteria(struct check *ck, json_t *root, struct scheme *s)
{
	json_t			*arr, *v;
	struct scheme_criterion	*c;
	size_t			 i, j, n;
	int64_t			 w, m, sum;
	char			 p[PATH_MAX_LEN], pi[PATH_MAX_LEN];
	int			 weights_ok, b;
	const char		*note;

	if ((arr = member(ck, root, "criteria", "criteria", M_REQUIRED)) ==
	    NULL)
		return;
	if (!json_is_array(arr)) {
		problem(ck, "criteria", "must be an array");
		return;
	}
	if ((n = json_array_size(arr)) == 0) {
		problem(ck, "criteria", "must have at least one criterion");
		return;
	}
	if ((s->criteria = calloc(n, sizeof(*s->criteria))) == NULL) {
		problem(ck, "criteria", "out of memory");
		return;
	}
	s->ncriteria = n;
	sum = 0;
	weights_ok = 1;
	json_array_foreach(arr, i, v) {
		c = &s->criteria[i];
		path_idx(p, sizeof(p), "criteria", i);
		if (!json_is_object(v)) {
			problem(ck, p, "must be an object");
			weights_ok = 0;
			continue;
		}
		check_keys(ck, v, p, criterion_keys);
		if (get_str(ck, v, p, "id", M_REQUIRED, &c->id)) {
			path_key(pi, sizeof(pi), p, "id");
			if (!is_ident(c->id)) {
				problem(ck, pi,
				    "must match ^[a-z][a-z0-9_]{0,31}$");
				c->id = NULL;
			}
			for (j = 0; c->id != NULL && j < i; j++) {
				if (s->criteria[j].id != NULL &&
				    strcmp(s->criteria[j].id, c->id) == 0) {
					problem(ck, pi, "duplicate id \"%s\" "
					    "(also criteria[%zu])", c->id, j);
					break;
				}
			}
		}
		get_str(ck, v, p, "name_en", M_REQUIRED, &c->name_en);
		get_str(ck, v, p, "name_zh", M_REQUIRED, &c->name_zh);
		if (get_int(ck, v, p, "weight_bp", M_REQUIRED, 0, 10000, &w)) {
			c->weight_bp = (int)w;
			sum += w;
		} else
			weights_ok = 0;
		if (get_int(ck, v, p, "max_score", M_REQUIRED, 1, INT32_MAX,
		    &m))
			c->max_score = (int)m;
		get_source(ck, v, p, "source", M_REQUIRED, &c->source);
		get_bool(ck, v, p, "unconfirmed", 0, &b);
		get_str(ck, v, p, "note", 0, &note);
	}
	if (weights_ok && sum != 10000)
		problem(ck, "criteria", "weight_bp values sum to %lld, "
		    "not 10000", (long long)sum);
}

static void
parse_payment(struct check *ck, json_t *root, struct scheme *s)
{
	struct scheme_payment	*pay;
	json_t			*v;
	const char		*note;
	int			 pat, b;

	pay = &s->payment;
	if ((v = member(ck, root, "payment", "payment", M_REQUIRED)) == NULL)
		return;
	if (!json_is_object(v)) {
		problem(ck, "payment", "must be an object");
		return;
	}
	check_keys(ck, v, "payment", payment_keys);
	if (get_enum(ck, v, "payment", "pattern", M_REQUIRED, pattern_names,
	    &pat))
		pay->pattern = (enum scheme_payment_pattern)pat;
	get_value(ck, v, "payment", "initial_bp", 0, 0, 10000,
	    &pay->initial_bp);
	get_value(ck, v, "payment", "final_min_bp", 0, 0, 10000,
	    &pay->final_min_bp);
	get_source(ck, v, "payment", "source", 0, &pay->source);
	get_bool(ck, v, "payment", "unconfirmed", 0, &b);
	get_str(ck, v, "payment", "note", 0, &note);
	get_str(ck, v, "payment", "note_en", 0, &note);
	get_str(ck, v, "payment", "note_zh", 0, &note);
	if (pay->initial_bp.present && pay->final_min_bp.present &&
	    pay->initial_bp.value + pay->final_min_bp.value > 10000)
		problem(ck, "payment.final_min_bp.value", "initial_bp (%lld) "
		    "and final_min_bp (%lld) add up to more than 10000",
		    (long long)pay->initial_bp.value,
		    (long long)pay->final_min_bp.value);
}

static void
parse_fields(struct check *ck, json_t *arr, const char *path, int depth)
{
	json_t		*v, *w;
	size_t		 i, j;
	char		 p[PATH_MAX_LEN], pn[PATH_MAX_LEN];
	const char	*name, *other;

	if (!json_is_array(arr)) {
		problem(ck, path, "must be an array");
		return;
	}
	json_array_foreach(arr, i, v) {
		path_idx(p, sizeof(p), path, i);
		parse_field(ck, v, p, depth);
		/* Names unique within one list. */
		w = json_is_object(v) ? json_object_get(v, "name") : NULL;
		if (!json_is_string(w) || *(name = json_string_value(w)) == 0)
			continue;
		for (j = 0; j < i; j++) {
			w = json_array_get(arr, j);
			w = json_is_object(w) ? json_object_get(w, "name") :
			    NULL;
			if (!json_is_string(w))
				continue;
			other = json_string_value(w);
			if (strcmp(other, name) == 0) {
				problem(ck, path_key(pn, sizeof(pn), p, "name"),
				    "duplicate name \"%s\" (also %s[%zu])",
				    name, path, j);
				break;
			}
		}
	}
}

static void
parse_field(struct check *ck, json_t *v, const char *p, int depth)
{
	json_t		*vals, *item, *x;
	size_t		 k, j;
	int		 type, b;
	int64_t		 n;
	char		 pk[PATH_MAX_LEN], px[PATH_MAX_LEN];
	const char	*str;

	if (!json_is_object(v)) {
		problem(ck, p, "must be an object");
		return;
	}
	check_keys(ck, v, p, field_keys);
	get_str(ck, v, p, "name", M_REQUIRED, &str);
	get_str(ck, v, p, "label_en", M_REQUIRED, &str);
	get_str(ck, v, p, "label_zh", M_REQUIRED, &str);
	get_bool(ck, v, p, "required", 0, &b);
	type = -1;
	get_enum(ck, v, p, "type", M_REQUIRED, field_type_names, &type);
	if (type == -1)
		return;

	path_key(pk, sizeof(pk), p, "max_length");
	if (get_int(ck, v, p, "max_length", 0, 1, INT64_MAX, &n) &&
	    strcmp(field_type_names[type], "string") != 0 &&
	    strcmp(field_type_names[type], "text") != 0)
		problem(ck, pk, "only allowed for types string and text");

	path_key(pk, sizeof(pk), p, "values");
	vals = json_object_get(v, "values");
	if (strcmp(field_type_names[type], "enum") != 0) {
		if (vals != NULL)
			problem(ck, pk, "only allowed for type enum");
	} else if ((vals = member(ck, v, pk, "values", M_REQUIRED)) != NULL) {
		if (!json_is_array(vals) || json_array_size(vals) == 0)
			problem(ck, pk, "must be a non-empty array of strings");
		else {
			json_array_foreach(vals, k, x) {
				path_idx(px, sizeof(px), pk, k);
				if (!want_string(ck, x, px, &str))
					continue;
				for (j = 0; j < k; j++) {
					if (json_equal(x,
					    json_array_get(vals, j))) {
						problem(ck, px, "duplicate "
						    "value \"%s\"", str);
						break;
					}
				}
			}
		}
	}

	path_key(pk, sizeof(pk), p, "item_fields");
	item = json_object_get(v, "item_fields");
	if (strcmp(field_type_names[type], "list") != 0) {
		if (item != NULL)
			problem(ck, pk, "only allowed for type list");
		path_key(pk, sizeof(pk), p, "max_items");
		if (json_object_get(v, "max_items") != NULL)
			problem(ck, pk, "only allowed for type list");
		return;
	}
	get_int(ck, v, p, "max_items", 0, 1, INT64_MAX, &n);
	if ((item = member(ck, v, pk, "item_fields", M_REQUIRED)) == NULL)
		return;
	if (depth >= FIELDS_DEPTH)
		problem(ck, pk, "lists may nest at most %d deep",
		    FIELDS_DEPTH);
	else if (json_is_array(item) && json_array_size(item) == 0)
		problem(ck, pk, "must have at least one field");
	else
		parse_fields(ck, item, pk, depth + 1);
}

static void
parse_monthly(struct check *ck, json_t *v, const char *p,
    struct scheme_rules *r)
{
	struct scheme_value	 w;
	json_t			*val, *x;
	const char		*key;
	char			 pv[PATH_MAX_LEN], pq[PATH_MAX_LEN];
	size_t			 before;
	int			 q;

	before = ck->nproblems;
	if ((val = want_valobj(ck, v, p, &w)) == NULL)
		return;
	path_key(pv, sizeof(pv), p, "value");
	if (json_is_integer(val)) {
		if (!want_int(ck, val, pv, 0, INT64_MAX, &w.value) ||
		    ck->nproblems != before)
			return;
		w.present = 1;
		for (q = 0; q < SCHEME_QUAL_COUNT; q++)
			r->monthly_cents[q] = w;
		r->monthly_flat = 1;
		return;
	}
	if (!json_is_object(val) || json_object_size(val) == 0) {
		problem(ck, pv, "must be a non-negative integer or an object "
		    "of rates by qualification (bachelor, master, doctorate)");
		return;
	}
	json_object_foreach(val, key, x) {
		path_key(pq, sizeof(pq), pv, key);
		if ((q = name_lookup(qual_names, key)) == -1) {
			problem(ck, pq, "unknown qualification (bachelor, "
			    "master, doctorate)");
			continue;
		}
		if (want_int(ck, x, pq, 0, INT64_MAX, &w.value)) {
			r->monthly_cents[q] = w;
			r->monthly_cents[q].present = 1;
		}
	}
	if (ck->nproblems != before) {
		for (q = 0; q < SCHEME_QUAL_COUNT; q++)
			r->monthly_cents[q].present = 0;
	}
}

static void
parse_period(struct check *ck, json_t *v, const char *p,
    struct scheme_rules *r)
{
	json_t	*val;
	char	 pv[PATH_MAX_LEN];
	size_t	 before;
	int	 i;

	before = ck->nproblems;
	if ((val = want_valobj(ck, v, p, &r->per_applicant_cap_period)) ==
	    NULL)
		return;
	if (!json_is_string(val) ||
	    (i = name_lookup(period_names, json_string_value(val))) == -1) {
		problem(ck, path_key(pv, sizeof(pv), p, "value"),
		    "must be \"lifetime\" or \"financial_year\"");
		return;
	}
	if (ck->nproblems != before)
		return;
	r->cap_period = (enum scheme_cap_period)i;
	r->per_applicant_cap_period.present = 1;
}

static void
parse_params(struct check *ck, json_t *params, const char *path,
    enum scheme_model model, struct scheme_rules *r)
{
	const struct param_spec	*spec, *sp;
	const char		*key;
	json_t			*v;
	char			 p[PATH_MAX_LEN];

	spec = model_params[model];
	json_object_foreach(params, key, v) {
		for (sp = spec; sp->name != NULL; sp++) {
			if (strcmp(sp->name, key) == 0)
				break;
		}
		if (sp->name == NULL)
			problem(ck, path_key(p, sizeof(p), path, key),
			    "not a parameter of the %s model",
			    model_names[model]);
	}
	for (sp = spec; sp->name != NULL; sp++) {
		path_key(p, sizeof(p), path, sp->name);
		v = json_object_get(params, sp->name);
		if (v == NULL || json_is_null(v)) {
			if (sp->required)
				problem(ck, p, "missing (required by the %s "
				    "model)", model_names[model]);
			continue;
		}
		switch (sp->kind) {
		case PARAM_INT:
			get_value(ck, params, path, sp->name, 0, sp->min,
			    sp->max, (struct scheme_value *)(void *)
			    ((char *)r + sp->off));
			break;
		case PARAM_MONTHLY:
			parse_monthly(ck, v, p, r);
			break;
		case PARAM_PERIOD:
			parse_period(ck, v, p, r);
			break;
		}
	}
	if (r->gov_share_num.present && r->gov_share_den.present &&
	    r->gov_share_num.value > r->gov_share_den.value)
		problem(ck, path_key(p, sizeof(p), path, "gov_share_num.value"),
		    "must not exceed gov_share_den (%lld): the government's "
		    "share is at most 1", (long long)r->gov_share_den.value);
	if (!r->cost_share_bp.present)
		r->cost_share_bp.value = 10000;
}

static void
parse_rules(struct check *ck, json_t *v, const char *p, int model,
    struct scheme_rules *r)
{
	json_t		*params;
	const char	*note;
	char		 pp[PATH_MAX_LEN];
	int		 b;

	r->effective_from = SCHEME_NO_DATE;
	r->effective_to = SCHEME_NO_DATE;
	r->json = v;
	if (!json_is_object(v)) {
		problem(ck, p, "must be an object");
		return;
	}
	check_keys(ck, v, p, rules_keys);
	get_str(ck, v, p, "id", M_REQUIRED, &r->id);
	get_date(ck, v, p, "effective_from", M_REQUIRED, &r->effective_from);
	get_source(ck, v, p, "source", M_REQUIRED, &r->source);
	get_bool(ck, v, p, "unconfirmed", 0, &b);
	get_str(ck, v, p, "note", 0, &note);
	path_key(pp, sizeof(pp), p, "params");
	if ((params = member(ck, v, pp, "params", M_REQUIRED)) == NULL)
		return;
	if (!json_is_object(params)) {
		problem(ck, pp, "must be an object");
		return;
	}
	if (model != -1)
		parse_params(ck, params, pp, (enum scheme_model)model, r);
}

static void
parse_rule_versions(struct check *ck, json_t *root, struct scheme *s,
    int model)
{
	json_t			*arr, *v;
	struct scheme_rules	*r;
	size_t			 i, j, n;
	char			 p[PATH_MAX_LEN], pk[PATH_MAX_LEN];
	char			 d[DATE_ISO_LEN];

	if ((arr = member(ck, root, "rule_versions", "rule_versions",
	    M_REQUIRED)) == NULL)
		return;
	if (!json_is_array(arr)) {
		problem(ck, "rule_versions", "must be an array");
		return;
	}
	if ((n = json_array_size(arr)) == 0) {
		problem(ck, "rule_versions", "must have at least one version");
		return;
	}
	if ((s->rules = calloc(n, sizeof(*s->rules))) == NULL) {
		problem(ck, "rule_versions", "out of memory");
		return;
	}
	s->nrules = n;
	json_array_foreach(arr, i, v) {
		r = &s->rules[i];
		path_idx(p, sizeof(p), "rule_versions", i);
		parse_rules(ck, v, p, model, r);
		for (j = 0; r->id != NULL && j < i; j++) {
			if (s->rules[j].id != NULL &&
			    strcmp(s->rules[j].id, r->id) == 0) {
				problem(ck, path_key(pk, sizeof(pk), p, "id"),
				    "duplicate id \"%s\" (also "
				    "rule_versions[%zu])", r->id, j);
				break;
			}
		}
		if (i > 0 && r->effective_from != SCHEME_NO_DATE &&
		    s->rules[i - 1].effective_from != SCHEME_NO_DATE &&
		    r->effective_from <= s->rules[i - 1].effective_from)
			problem(ck, path_key(pk, sizeof(pk), p,
			    "effective_from"), "must be after "
			    "rule_versions[%zu].effective_from (%s)", i - 1,
			    date_format(s->rules[i - 1].effective_from, d,
			    sizeof(d)));
	}
	for (i = 0; i + 1 < n; i++) {
		if (s->rules[i + 1].effective_from != SCHEME_NO_DATE)
			s->rules[i].effective_to =
			    s->rules[i + 1].effective_from - 1;
	}
	s->rules[n - 1].effective_to = s->closes_on;
}

/* Fill s from root, reporting every problem. */
static void
scheme_parse(struct check *ck, json_t *root, struct scheme *s)
{
	json_t		*v;
	const char	*str;
	char		 d[DATE_ISO_LEN];
	int64_t		 n;
	int		 i, model, b, launched_ok;

	if (!json_is_object(root)) {
		problem(ck, "$", "must be an object");
		return;
	}
	check_sources(ck, root);
	check_keys(ck, root, "", top_keys);
	parse_code(ck, root, s);
	get_str(ck, root, "", "name_en", M_REQUIRED, &s->name_en);
	get_str(ck, root, "", "name_zh", M_REQUIRED, &s->name_zh);
	if (get_enum(ck, root, "", "area", M_REQUIRED, area_names, &i))
		s->area = (enum scheme_area)i;
	launched_ok = get_date(ck, root, "", "launched", M_REQUIRED,
	    &s->launched);
	parse_status(ck, root, s);
	if (get_date(ck, root, "", "closes_on", 0, &i)) {
		s->closes_on = i;
		if (launched_ok && i < s->launched)
			problem(ck, "closes_on", "must not be before launched "
			    "(%s)", date_format(s->launched, d, sizeof(d)));
	}
	parse_eligible(ck, root, s);
	get_str(ck, root, "", "eligibility_en", M_REQUIRED,
	    &s->eligibility_en);
	get_str(ck, root, "", "eligibility_zh", M_REQUIRED,
	    &s->eligibility_zh);
	model = -1;
	if (get_enum(ck, root, "", "funding_model", M_REQUIRED, model_names,
	    &model))
		s->funding_model = (enum scheme_model)model;
	if (get_str(ck, root, "", "reference_prefix", M_REQUIRED, &str)) {
		if (!is_upper_code(str, 2, 5))
			problem(ck, "reference_prefix",
			    "must match ^[A-Z]{2,5}$");
		else
			s->reference_prefix = str;
	}
	if ((v = member(ck, root, "reference_prefix_source",
	    "reference_prefix_source", M_REQUIRED)) != NULL) {
		if (!json_is_object(v))
			problem(ck, "reference_prefix_source", "must be a "
			    "source object {\"source\": ...}");
		else {
			check_keys(ck, v, "reference_prefix_source",
			    source_keys);
			get_source(ck, v, "reference_prefix_source", "source",
			    M_REQUIRED, &str);
			get_bool(ck, v, "reference_prefix_source",
			    "unconfirmed", 0, &b);
			get_str(ck, v, "reference_prefix_source", "note", 0,
			    &str);
		}
	}
	get_bilingual(ck, root, "", "implementation_partner",
	    M_REQUIRED | M_NULLABLE, &s->partner_en, &s->partner_zh);
	get_bilingual(ck, root, "", "assessment_body", M_REQUIRED,
	    &s->assessment_en, &s->assessment_zh);
	if (get_int(ck, root, "", "panel_quorum", M_REQUIRED, 1, INT32_MAX,
	    &n))
		s->panel_quorum = (int)n;
	if (get_bool(ck, root, "", "partner_assessment", 0, &b))
		s->partner_assessment = b;
	get_value(ck, root, "", "max_months", M_REQUIRED, 1, INT64_MAX,
	    &s->max_months);
	parse_criteria(ck, root, s);
	parse_payment(ck, root, s);
	if ((v = member(ck, root, "application_fields", "application_fields",
	    M_REQUIRED)) != NULL) {
		parse_fields(ck, v, "application_fields", 1);
		s->application_fields = v;
	}
	parse_rule_versions(ck, root, s, model);
	if (s->closes_on != SCHEME_NO_DATE && s->nrules > 0 &&
	    s->rules[s->nrules - 1].effective_from != SCHEME_NO_DATE &&
	    s->closes_on < s->rules[s->nrules - 1].effective_from)
		problem(ck, "closes_on", "must not be before "
		    "rule_versions[%zu].effective_from (%s)", s->nrules - 1,
		    date_format(s->rules[s->nrules - 1].effective_from, d,
		    sizeof(d)));
	s->sources = ck->sources;
}

/* Read and check one file into s; 1 if it had no problem. */
static int
scheme_read(struct check *ck, const char *path, struct scheme *s)
{
	json_error_t	 jerr;
	json_t		*root;
	FILE		*fp;
	size_t		 before;

	memset(s, 0, sizeof(*s));
	s->closes_on = SCHEME_NO_DATE;
	ck->file = path;
	ck->sources = NULL;
	before = ck->nproblems;
	if ((fp = fopen(path, "r")) == NULL) {
		problem(ck, NULL, "cannot open: %s", strerror(errno));
		return (0);
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (root == NULL) {
		problem(ck, "$", "invalid JSON at line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return (0);
	}
	s->json = root;
	if ((s->file = strdup(path)) == NULL)
		problem(ck, NULL, "out of memory");
	else
		scheme_parse(ck, root, s);
	if (ck->nproblems != before) {
		scheme_free(s);
		return (0);
	}
	return (1);
}

/* Checks across a set: unique codes and, if resolve, merged_into. */
static void
check_set(struct check *ck, struct scheme *v, size_t n, int resolve)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		ck->file = v[i].file;
		for (j = 0; j < i; j++) {
			if (strcasecmp(v[i].code, v[j].code) == 0) {
				problem(ck, "code", "duplicate code \"%s\" "
				    "(also in %s)", v[i].code, v[j].file);
				break;
			}
		}
		if (!resolve || v[i].merged_into == NULL)
			continue;
		for (j = 0; j < n; j++) {
			if (strcmp(v[j].code, v[i].merged_into) == 0)
				break;
		}
		if (j == n)
			problem(ck, "merged_into", "no scheme \"%s\" among the "
			    "loaded files", v[i].merged_into);
	}
}

/* The *.json names in dir (not dot files, regular files only). */
static int
list_dir(struct check *ck, const char *dir, char ***names, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**v, **nv, *path;
	size_t		 len, cap;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		problem(ck, NULL, "cannot open directory: %s",
		    strerror(errno));
		return (0);
	}
	v = NULL;
	cap = 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if ((path = join_path(dir, de->d_name)) == NULL)
			goto nomem;
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		free(path);
		if (*n == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL)
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), name_cmp);
	*names = v;
	return (1);

nomem:
	closedir(d);
	while (*n > 0)
		free(v[--(*n)]);
	free(v);
	problem(ck, NULL, "out of memory");
	return (0);
}

/* dir/name in a new string, or NULL if out of memory. */
static char *
join_path(const char *dir, const char *name)
{
	size_t	 len, dlen;
	char	*p;

	dlen = strlen(dir);
	len = dlen + strlen(name) + 2;
	if ((p = malloc(len)) == NULL)
		return (NULL);
	snprintf(p, len, "%s%s%s", dir,
	    dlen == 0 || dir[dlen - 1] == '/' ? "" : "/", name);
	return (p);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Set key to day as YYYY-MM-DD, or null for SCHEME_NO_DATE. */
static int
set_date(json_t *o, const char *key, int day)
{
	char	d[DATE_ISO_LEN];

	if (day == SCHEME_NO_DATE)
		return (json_object_set_new(o, key, json_null()) == 0);
	return (json_object_set_new(o, key,
	    json_string(date_format(day, d, sizeof(d)))) == 0);
}
