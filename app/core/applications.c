/*
 * applications.c: the pure half of applications (no database): the state
 * table, names and permissions, content validation against the scheme's
 * definition, the funding model's inputs, the split of the contribution
 * over the budget, reference numbers.  applications_db.c holds the SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applications.h"
#include "dates.h"

/*
 * The state table (design.md section 2): draft -> submitted -> screening
 * -> (returned -> resubmitted -> screening) -> under_assessment, and
 * withdrawn from any state before approval.  Then the panel's
 * recommendation (under_assessment -> recommended / not_recommended), the
 * approver's decision (recommended -> approved / rejected, not_recommended
 * -> rejected), and the signature of the project's agreement (approved ->
 * agreement_signed), taken by decisions.c and projects_db.c through
 * applications_transition_tx() once they have applied their own rules;
 * they send their own notifications (with amounts and reasons).
 */
const struct application_transition application_transitions[] = {
	{ APPLICATION_DRAFT, APPLICATION_SUBMITTED, APPLICATION_ACT_SUBMIT,
	    ROLE_APPLICANT, 0, "application.submitted" },
	{ APPLICATION_SUBMITTED, APPLICATION_SCREENING,
	    APPLICATION_ACT_START_SCREENING, ROLE_OFFICER, 0, NULL },
	{ APPLICATION_RESUBMITTED, APPLICATION_SCREENING,
	    APPLICATION_ACT_START_SCREENING, ROLE_OFFICER, 0, NULL },
	{ APPLICATION_SCREENING, APPLICATION_RETURNED, APPLICATION_ACT_RETURN,
	    ROLE_OFFICER, 1, "application.returned" },
	{ APPLICATION_SCREENING, APPLICATION_UNDER_ASSESSMENT,
	    APPLICATION_ACT_ACCEPT, ROLE_OFFICER, 0, "application.accepted" },
	{ APPLICATION_RETURNED, APPLICATION_RESUBMITTED,
	    APPLICATION_ACT_RESUBMIT, ROLE_APPLICANT, 0,
	    "application.resubmitted" },
	{ APPLICATION_DRAFT, APPLICATION_WITHDRAWN, APPLICATION_ACT_WITHDRAW,
	    ROLE_APPLICANT, 0, NULL },
	{ APPLICATION_SUBMITTED, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, ROLE_APPLICANT, 0,
	    "application.withdrawn" },
	{ APPLICATION_SCREENING, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, ROLE_APPLICANT, 0,
	    "application.withdrawn" },
	{ APPLICATION_RETURNED, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, ROLE_APPLICANT, 0,
	    "application.withdrawn" },
	{ APPLICATION_RESUBMITTED, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, ROLE_APPLICANT, 0,
	    "application.withdrawn" },
	{ APPLICATION_UNDER_ASSESSMENT, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, ROLE_APPLICANT, 0,
	    "application.withdrawn" },
	{ APPLICATION_RECOMMENDED, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, ROLE_APPLICANT, 0,
	    "application.withdrawn" },
	{ APPLICATION_NOT_RECOMMENDED, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, ROLE_APPLICANT, 0,
	    "application.withdrawn" },
	{ APPLICATION_UNDER_ASSESSMENT, APPLICATION_RECOMMENDED,
	    APPLICATION_ACT_RECOMMEND, ROLE_OFFICER | ROLE_PANEL, 0, NULL },
	{ APPLICATION_UNDER_ASSESSMENT, APPLICATION_NOT_RECOMMENDED,
	    APPLICATION_ACT_NOT_RECOMMEND, ROLE_OFFICER | ROLE_PANEL, 0, NULL },
	{ APPLICATION_RECOMMENDED, APPLICATION_APPROVED,
	    APPLICATION_ACT_APPROVE, ROLE_APPROVER, 1, NULL },
	{ APPLICATION_RECOMMENDED, APPLICATION_REJECTED,
	    APPLICATION_ACT_REJECT, ROLE_APPROVER, 1, NULL },
	{ APPLICATION_NOT_RECOMMENDED, APPLICATION_REJECTED,
	    APPLICATION_ACT_REJECT, ROLE_APPROVER, 1, NULL },
	{ APPLICATION_APPROVED, APPLICATION_AGREEMENT_SIGNED,
	    APPLICATION_ACT_SIGN, ROLE_APPLICANT | ROLE_OFFICER, 0, NULL },
};
const size_t application_ntransitions =
    sizeof(application_transitions) / sizeof(application_transitions[0]);

static const char *const status_names[APPLICATION_NSTATUS] = {
	"draft", "submitted", "screening", "returned", "resubmitted",
	"under_assessment", "recommended", "not_recommended", "approved",
	"agreement_signed", "rejected", "withdrawn"
};

static const char *const action_names[APPLICATION_NACTION] = {
	"submit", "start_screening", "return", "resubmit", "accept", "withdraw",
	"recommend", "not_recommend", "approve", "reject", "sign"
};

/* What the action is called in error messages. */
static const char *const action_verbs[APPLICATION_NACTION] = {
	"submit", "start screening", "return", "resubmit", "accept",
	"withdraw", "recommend", "not recommend", "approve", "reject",
	"sign the agreement of"
};

/* Who takes it, in error messages ("only ... may"). */
static const char *const action_who[APPLICATION_NACTION] = {
	"the applicant", "officers", "officers", "the applicant", "officers",
	"the applicant", "the panel's chair or an officer",
	"the panel's chair or an officer", "approving officers",
	"approving officers", "the applicant or an officer"
};

static const char *const line_categories[] = {
	"manpower", "equipment", "materials", "services", "travel", "training",
	"patent", "audit", "other", NULL
};

/* Statuses that hold money against cumulative caps. */
static const enum application_status committed_statuses[] = {
	APPLICATION_SUBMITTED, APPLICATION_SCREENING, APPLICATION_RETURNED,
	APPLICATION_RESUBMITTED, APPLICATION_UNDER_ASSESSMENT,
	APPLICATION_RECOMMENDED, APPLICATION_APPROVED,
	APPLICATION_AGREEMENT_SIGNED
};

/* Statuses approvers read: waiting for their decision, or decided. */
static const enum application_status decidable_statuses[] = {
	APPLICATION_RECOMMENDED, APPLICATION_NOT_RECOMMENDED,
	APPLICATION_APPROVED, APPLICATION_AGREEMENT_SIGNED,
	APPLICATION_REJECTED
};

static long	text_chars(const char *, int);
static int	text_check(const json_t *, long, long, int, const char *,
		    json_t **, struct app_err *);
static int	date_value(const json_t *, const char *, int *,
		    struct app_err *);
static int	int_value(const json_t *, const char *, int64_t *,
		    struct app_err *);
static int	in_list(const char *, const char *const *);
static const json_t *field_def(const json_t *, const char *);
static int	apply_lines(const json_t *, json_t **, struct app_err *);
static int	apply_milestones(const json_t *, json_t **,
		    struct app_err *);
static int	apply_fields(const struct scheme *, json_t *, const json_t *,
		    struct app_err *);
static int	budget_is_basis(const struct scheme *, const json_t **);
static const json_t *talent_def(const struct scheme *);
static void	remap_funding_err(const struct app_err *, const char *,
		    const struct scheme *, struct app_err *);
static unsigned	action_roles(enum application_action);
static int	status_in(enum application_status,
		    const enum application_status *, size_t);
static int	later_may(const struct actor *, int64_t,
		    enum application_status, enum application_action,
		    const struct application_transition **,
		    struct app_err *);

/*
 * Names, the state table and permissions.
 */

const char *
application_status_name(enum application_status st)
{
	if ((int)st < 0 || st >= APPLICATION_NSTATUS)
		return ("unknown");
	return (status_names[st]);
}

int
application_status_parse(const char *s, enum application_status *out)
{
	int	i;

	for (i = 0; s != NULL && i < APPLICATION_NSTATUS; i++) {
		if (strcmp(status_names[i], s) == 0) {
			*out = (enum application_status)i;
			return (1);
		}
	}
	return (0);
}

const char *
application_action_name(enum application_action a)
{
	if ((int)a < 0 || a >= APPLICATION_NACTION)
		return ("unknown");
	return (action_names[a]);
}

int
application_action_parse(const char *s, enum application_action *out)
{
	int	i;

	for (i = 0; s != NULL && i < APPLICATION_NACTION; i++) {
		if (strcmp(action_names[i], s) == 0) {
			*out = (enum application_action)i;
			return (1);
		}
	}
	return (0);
}

const struct application_transition *
application_transition_find(enum application_status from,
    enum application_action action)
{
	size_t	i;

	for (i = 0; i < application_ntransitions; i++) {
		if (application_transitions[i].from == from &&
		    application_transitions[i].action == action)
			return (&application_transitions[i]);
	}
	return (NULL);
}

/* The roles that may take action from some status. */
static unsigned
action_roles(enum application_action action)
{
	unsigned	roles;
	size_t		i;

	roles = 0;
	for (i = 0; i < application_ntransitions; i++) {
		if (application_transitions[i].action == action)
			roles |= application_transitions[i].roles;
	}
	return (roles);
}

int
application_may_list(const struct actor *actor, struct app_err *err)
{
	if (actor_has(actor, ROLE_APPLICANT | ROLE_OFFICER | ROLE_AUDITOR |
	    ROLE_APPROVER))
		return (1);
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "your role has no access to applications"));
}

int
application_may_read(const struct actor *actor, int64_t org_id,
    struct app_err *err)
{
	if (actor_has(actor, ROLE_OFFICER | ROLE_AUDITOR))
		return (1);
	if (actor_has(actor, ROLE_APPLICANT)) {
		if (actor->org_id != 0 && actor->org_id == org_id)
			return (1);
		/* Another organisation's application does not exist for you. */
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	}
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "your role has no access to applications"));
}

int
application_may_view(const struct actor *actor, int64_t org_id,
    enum application_status st, struct app_err *err)
{
	if (actor_has(actor, ROLE_APPLICANT | ROLE_OFFICER | ROLE_AUDITOR) ||
	    !actor_has(actor, ROLE_APPROVER))
		return (application_may_read(actor, org_id, err));
	/* An approver reads what is waiting for its decision, or decided. */
	if (application_status_decidable(st))
		return (1);
	return (app_err_set(err, APP_EFORBIDDEN, "status",
	    "approving officers read an application once it is recommended "
	    "or not recommended; this one is %s",
	    application_status_name(st)));
}

int
application_may_act(const struct actor *actor, enum application_action action,
    struct app_err *err)
{
	unsigned	roles;

	if ((int)action < 0 || action >= APPLICATION_NACTION)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "unknown application action"));
	roles = action_roles(action);
	if (actor_has(actor, roles))
		return (1);
	if (actor_has(actor, ROLE_AUDITOR) &&
	    !actor_has(actor, ROLE_OFFICER | ROLE_APPLICANT))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "auditors read applications but change nothing"));
	if (action < APPLICATION_NACTION_OWN &&
	    !actor_has(actor, ROLE_APPLICANT | ROLE_OFFICER))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "your role has no access to applications"));
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "only %s may %s an application", action_who[action],
	    action_verbs[action]));
}

int
application_may(const struct actor *actor, int64_t org_id,
    enum application_status from, enum application_action action,
    const struct application_transition **t, struct app_err *err)
{
	unsigned	roles;

	*t = NULL;
	/* What the role can never do is refused before looking further. */
	if (!application_may_act(actor, action, err))
		return (0);
	if (action >= APPLICATION_NACTION_OWN)
		return (later_may(actor, org_id, from, action, t, err));
	if (!application_may_read(actor, org_id, err))
		return (0);
	roles = action_roles(action);
	/* The system actor (the CLI) acts for any organisation. */
	if ((roles & ROLE_APPLICANT) && actor->user_id != 0 &&
	    actor->org_id != org_id)
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	if ((roles & ROLE_OFFICER) && actor->org_id != 0 &&
	    actor->org_id == org_id)
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "an officer may not screen an application of their own "
		    "organisation"));
	if ((*t = application_transition_find(from, action)) == NULL)
		return (app_err_set(err, APP_ESTATE, "status",
		    "cannot %s an application that is %s", action_verbs[action],
		    application_status_name(from)));
	return (1);
}

/*
 * The later moves, taken by decisions.c and projects_db.c once they have
 * decided the finer rules (the chair, conflicts, quorum, authority, who
 * may see the project): the organisation's own applicant signs for it;
 * staff never move their own organisation's application; the table.
 */
static int
later_may(const struct actor *actor, int64_t org_id,
    enum application_status from, enum application_action action,
    const struct application_transition **t, struct app_err *err)
{
	unsigned	roles;

	roles = action_roles(action);
	if (actor->user_id != 0 && actor_has(actor, ROLE_APPLICANT) &&
	    !actor_has(actor, roles & ~(unsigned)ROLE_APPLICANT)) {
		if (actor->org_id == 0 || actor->org_id != org_id)
			return (app_err_set(err, APP_ENOTFOUND, "id",
			    "no such application"));
	} else if (actor->org_id != 0 && actor->org_id == org_id)
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "you may not %s an application of your own organisation",
		    action_verbs[action]));
	if ((*t = application_transition_find(from, action)) == NULL)
		return (app_err_set(err, APP_ESTATE, "status",
		    "cannot %s an application that is %s", action_verbs[action],
		    application_status_name(from)));
	return (1);
}

static int
status_in(enum application_status st, const enum application_status *set,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (set[i] == st)
			return (1);
	}
	return (0);
}

int
application_status_committed(enum application_status st)
{
	return (status_in(st, committed_statuses, sizeof(committed_statuses) /
	    sizeof(committed_statuses[0])));
}

int
application_status_decidable(enum application_status st)
{
	return (status_in(st, decidable_statuses, sizeof(decidable_statuses) /
	    sizeof(decidable_statuses[0])));
}

int
application_status_editable(enum application_status st)
{
	return (st == APPLICATION_DRAFT || st == APPLICATION_RETURNED);
}

int
application_may_edit(const struct actor *actor, int64_t org_id,
    enum application_status st, struct app_err *err)
{
	/* Editing is the applicant's, like submitting. */
	if (!application_may_act(actor, APPLICATION_ACT_SUBMIT, err) ||
	    !application_may_read(actor, org_id, err))
		return (0);
	if (actor->user_id != 0 && actor->org_id != org_id)
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such application"));
	if (!application_status_editable(st))
		return (app_err_set(err, APP_ESTATE, "status",
		    "only a draft or a returned application can be edited; "
		    "this one is %s", application_status_name(st)));
	return (1);
}

/*
 * Content validation (pure).
 */

/*
 * Characters in s (valid UTF-8, as jansson guarantees), or -1 if it holds
 * a control character (newline, carriage return and tab are allowed when
 * multiline is set).
 */
static long
text_chars(const char *s, int multiline)
{
	const unsigned char	*p;
	long			 n;

	n = 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			if (!multiline || (*p != '\n' && *p != '\r' &&
			    *p != '\t'))
				return (-1);
		}
		if ((*p & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/*
 * v must be a string of min..max characters (min 1 also means "not only
 * spaces"); *out gets a new reference to a copy.
 */
static int
text_check(const json_t *v, long min, long max, int multiline,
    const char *path, json_t **out, struct app_err *err)
{
	const char	*s;
	long		 n;

	*out = NULL;
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, path,
		    "%s: must be a string", path));
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) ||
	    (n = text_chars(s, multiline)) < 0)
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: must not contain control characters%s", path,
		    multiline ? " other than line breaks and tabs" : ""));
	if (n > max)
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: at most %ld characters (got %ld)", path, max, n));
	if (min > 0 && s[strspn(s, " \t\r\n")] == '\0')
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: must not be empty", path));
	if (n < min)
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: at least %ld characters", path, min));
	*out = json_string(s);
	return (*out != NULL ? 1 : app_err_set(err, APP_EINTERNAL, NULL,
	    "out of memory"));
}

static int
date_value(const json_t *v, const char *path, int *day, struct app_err *err)
{
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, path,
		    "%s: must be a date string YYYY-MM-DD", path));
	if (!date_parse(json_string_value(v), day))
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: must be a real date written YYYY-MM-DD", path));
	return (1);
}

/* A non-negative JSON integer (int64 by construction: jansson refuses
 * larger literals when parsing). */
static int
int_value(const json_t *v, const char *path, int64_t *out,
    struct app_err *err)
{
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, path,
		    "%s: must be a whole number (JSON integer)", path));
	if (json_integer_value(v) < 0)
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: must not be negative", path));
	*out = json_integer_value(v);
	return (1);
}

static int
in_list(const char *s, const char *const *list)
{
	size_t	i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return (1);
	}
	return (0);
}

/* The definition named name in a fields array, or NULL. */
static const json_t *
field_def(const json_t *defs, const char *name)
{
	const json_t	*d;
	size_t		 i;

	json_array_foreach(defs, i, d) {
		if (strcmp(json_string_value(json_object_get(d, "name")),
		    name) == 0)
			return (d);
	}
	return (NULL);
}

int
application_field_check(const json_t *def, const json_t *value,
    int submission, const char *path, struct app_err *err)
{
	const json_t	*items, *item, *x, *vals, *idef;
	const char	*type, *key;
	json_t		*copy;
	char		 p[160];
	int64_t		 n;
	size_t		 i, j;
	int		 day, required, found;
	long		 max;

	type = json_string_value(json_object_get(def, "type"));
	required = json_is_true(json_object_get(def, "required"));
	if (type == NULL)
		return (app_err_set(err, APP_EINTERNAL, path,
		    "%s: the definition has no type", path));
	if (strcmp(type, "string") == 0 || strcmp(type, "text") == 0) {
		x = json_object_get(def, "max_length");
		max = json_is_integer(x) ? (long)json_integer_value(x) :
		    strcmp(type, "text") == 0 ? APPLICATION_FIELD_TEXT_MAX :
		    APPLICATION_FIELD_STRING_MAX;
		if (!text_check(value, submission && required ? 1 : 0, max,
		    strcmp(type, "text") == 0, path, &copy, err))
			return (0);
		json_decref(copy);
		return (1);
	}
	if (strcmp(type, "integer") == 0 || strcmp(type, "cents") == 0)
		return (int_value(value, path, &n, err));
	if (strcmp(type, "date") == 0)
		return (date_value(value, path, &day, err));
	if (strcmp(type, "boolean") == 0) {
		if (!json_is_boolean(value))
			return (app_err_set(err, APP_EBADREQ, path,
			    "%s: must be true or false", path));
		return (1);
	}
	if (strcmp(type, "enum") == 0) {
		vals = json_object_get(def, "values");
		if (!json_is_string(value))
			return (app_err_set(err, APP_EBADREQ, path,
			    "%s: must be a string", path));
		json_array_foreach(vals, i, x) {
			if (json_equal(x, (json_t *)value))
				return (1);
		}
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: \"%.40s\" is not one of the allowed values", path,
		    json_string_value(value)));
	}
	if (strcmp(type, "list") != 0)
		return (app_err_set(err, APP_EINTERNAL, path,
		    "%s: unknown field type %s", path, type));

	if (!json_is_array(value))
		return (app_err_set(err, APP_EBADREQ, path,
		    "%s: must be an array", path));
	x = json_object_get(def, "max_items");
	if (json_is_integer(x) &&
	    (json_int_t)json_array_size(value) > json_integer_value(x))
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: at most %lld item(s)", path,
		    (long long)json_integer_value(x)));
	if (submission && required && json_array_size(value) == 0)
		return (app_err_set(err, APP_EINVAL, path,
		    "%s: at least one item is required", path));
	items = json_object_get(def, "item_fields");
	json_array_foreach(value, i, item) {
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (!json_is_object(item))
			return (app_err_set(err, APP_EBADREQ, p,
			    "%s: must be an object", p));
		json_object_foreach((json_t *)item, key, x) {
			snprintf(p, sizeof(p), "%s[%zu].%s", path, i, key);
			if ((idef = field_def(items, key)) == NULL)
				return (app_err_set(err, APP_EBADREQ, p,
				    "%s: unknown field", p));
			if (json_is_null(x))
				continue;
			if (!application_field_check(idef, x, submission, p,
			    err))
				return (0);
		}
		if (!submission)
			continue;
		json_array_foreach(items, j, idef) {
			key = json_string_value(json_object_get(idef, "name"));
			x = json_object_get(item, key);
			found = x != NULL && !json_is_null(x);
			if (!found && json_is_true(json_object_get(idef,
			    "required"))) {
				snprintf(p, sizeof(p), "%s[%zu].%s", path, i,
				    key);
				return (app_err_set(err, APP_EINVAL, p,
				    "%s: is required", p));
			}
		}
	}
	return (1);
}

/* Validate budget lines into a new normalised array *out. */
static int
apply_lines(const json_t *v, json_t **out, struct app_err *err)
{
	static const char *const keys[] = {
		"category", "description", "amount_cents", NULL
	};
	const json_t	*line, *x;
	json_t		*arr, *o, *desc;
	const char	*key;
	char		 p[96];
	int64_t		 amount;
	cents_t		 total;
	size_t		 i;

	*out = NULL;
	if (!json_is_array(v))
		return (app_err_set(err, APP_EBADREQ, "budget_lines",
		    "budget_lines: must be an array"));
	if (json_array_size(v) > APPLICATION_LINES_MAX)
		return (app_err_set(err, APP_EINVAL, "budget_lines",
		    "budget_lines: at most %d lines", APPLICATION_LINES_MAX));
	arr = json_array();
	total = 0;
	json_array_foreach(v, i, line) {
		snprintf(p, sizeof(p), "budget_lines[%zu]", i);
		if (!json_is_object(line)) {
			json_decref(arr);
			return (app_err_set(err, APP_EBADREQ, p,
			    "%s: must be an object", p));
		}
		json_object_foreach((json_t *)line, key, x) {
			if (in_list(key, keys))
				continue;
			snprintf(p, sizeof(p), "budget_lines[%zu].%.40s", i,
			    key);
			json_decref(arr);
			if (strcmp(key, "government_cents") == 0 ||
			    strcmp(key, "applicant_cents") == 0)
				return (app_err_set(err, APP_EBADREQ, p,
				    "%s: the shares are computed by the "
				    "scheme's funding model, not typed in", p));
			return (app_err_set(err, APP_EBADREQ, p,
			    "%s: unknown field", p));
		}
		snprintf(p, sizeof(p), "budget_lines[%zu].category", i);
		x = json_object_get(line, "category");
		if (x == NULL || json_is_null(x)) {
			json_decref(arr);
			return (app_err_set(err, APP_EINVAL, p,
			    "%s: is required", p));
		}
		if (!json_is_string(x)) {
			json_decref(arr);
			return (app_err_set(err, APP_EBADREQ, p,
			    "%s: must be a string", p));
		}
		if (!in_list(json_string_value(x), line_categories)) {
			json_decref(arr);
			return (app_err_set(err, APP_EINVAL, p,
			    "%s: must be one of manpower, equipment, "
			    "materials, services, travel, training, patent, "
			    "audit, other", p));
		}
		desc = NULL;
		snprintf(p, sizeof(p), "budget_lines[%zu].description", i);
		x = json_object_get(line, "description");
		if (x != NULL && !json_is_null(x) && !text_check(x, 0,
		    APPLICATION_LINE_DESC_MAX, 0, p, &desc, err)) {
			json_decref(arr);
			return (0);
		}
		snprintf(p, sizeof(p), "budget_lines[%zu].amount_cents", i);
		x = json_object_get(line, "amount_cents");
		if (x == NULL || json_is_null(x)) {
			json_decref(desc);
			json_decref(arr);
			return (app_err_set(err, APP_EINVAL, p,
			    "%s: is required", p));
		}
		if (!int_value(x, p, &amount, err)) {
			json_decref(desc);
			json_decref(arr);
			return (0);
		}
		if (!money_add(total, amount, &total)) {
			json_decref(desc);
			json_decref(arr);
			return (app_err_set(err, APP_EINVAL, "budget_lines",
			    "budget_lines: the total is too large"));
		}
		o = json_pack("{s:O,s:o,s:I}", "category",
		    json_object_get(line, "category"), "description",
		    desc != NULL ? desc : json_string(""),
		    "amount_cents", (json_int_t)amount);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
		}
	}
	*out = arr;
	return (1);
}

/* Validate milestones into a new normalised array *out. */
static int
apply_milestones(const json_t *v, json_t **out, struct app_err *err)
{
	static const char *const keys[] = {
		"title", "deliverables", "due_date", NULL
	};
	const json_t	*ms, *x;
	json_t		*arr, *o, *title, *deliv;
	const char	*key;
	char		 p[96];
	size_t		 i;
	int		 day;

	*out = NULL;
	if (!json_is_array(v))
		return (app_err_set(err, APP_EBADREQ, "milestones",
		    "milestones: must be an array"));
	if (json_array_size(v) > APPLICATION_MILESTONES_MAX)
		return (app_err_set(err, APP_EINVAL, "milestones",
		    "milestones: at most %d", APPLICATION_MILESTONES_MAX));
	arr = json_array();
	json_array_foreach(v, i, ms) {
		title = deliv = NULL;
		snprintf(p, sizeof(p), "milestones[%zu]", i);
		if (!json_is_object(ms)) {
			app_err_set(err, APP_EBADREQ, p, "%s: must be an "
			    "object", p);
			goto bad;
		}
		json_object_foreach((json_t *)ms, key, x) {
			if (in_list(key, keys))
				continue;
			snprintf(p, sizeof(p), "milestones[%zu].%.40s", i, key);
			app_err_set(err, APP_EBADREQ, p, "%s: unknown field",
			    p);
			goto bad;
		}
		snprintf(p, sizeof(p), "milestones[%zu].title", i);
		x = json_object_get(ms, "title");
		if (x == NULL || json_is_null(x)) {
			app_err_set(err, APP_EINVAL, p, "%s: is required", p);
			goto bad;
		}
		if (!text_check(x, 1, APPLICATION_TITLE_MAX, 0, p, &title,
		    err))
			goto bad;
		snprintf(p, sizeof(p), "milestones[%zu].deliverables", i);
		x = json_object_get(ms, "deliverables");
		if (x != NULL && !json_is_null(x) && !text_check(x, 0,
		    APPLICATION_DELIVERABLES_MAX, 1, p, &deliv, err))
			goto bad;
		snprintf(p, sizeof(p), "milestones[%zu].due_date", i);
		x = json_object_get(ms, "due_date");
		if (x == NULL || json_is_null(x)) {
			app_err_set(err, APP_EINVAL, p, "%s: is required", p);
			goto bad;
		}
		if (!date_value(x, p, &day, err))
			goto bad;
		o = json_pack("{s:o,s:o,s:O}", "title", title, "deliverables",
		    deliv != NULL ? deliv : json_string(""), "due_date", x);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
		}
	}
	*out = arr;
	return (1);
bad:
	json_decref(title);
	json_decref(deliv);
	json_decref(arr);
	return (0);
}

/* Merge in "fields" key by key into content's fields. */
static int
apply_fields(const struct scheme *s, json_t *content, const json_t *v,
    struct app_err *err)
{
	const json_t	*def, *x;
	json_t		*fields;
	const char	*key;
	char		 p[96];

	if (!json_is_object(v))
		return (app_err_set(err, APP_EBADREQ, "fields",
		    "fields: must be an object"));
	fields = json_object_get(content, "fields");
	if (!json_is_object(fields)) {
		fields = json_object();
		json_object_set_new(content, "fields", fields);
	}
	json_object_foreach((json_t *)v, key, x) {
		snprintf(p, sizeof(p), "fields.%.80s", key);
		if ((def = field_def(s->application_fields, key)) == NULL)
			return (app_err_set(err, APP_EBADREQ, p, "%s: %s has "
			    "no such application field", p, s->code));
		if (json_is_null(x)) {
			json_object_del(fields, key);
			continue;
		}
		if (!application_field_check(def, x, 0, p, err))
			return (0);
		json_object_set_new(fields, key, json_deep_copy(x));
	}
	return (1);
}

int
application_content_apply(const struct scheme *s, json_t *content,
    const json_t *in, const char *const *skip, struct app_err *err)
{
	const json_t	*v;
	json_t		*copy;
	const char	*key;
	int		 day;

	if (!json_is_object(in))
		return (app_err_set(err, APP_EBADREQ, NULL,
		    "the body must be a JSON object"));
	json_object_foreach((json_t *)in, key, v) {
		if (skip != NULL && in_list(key, skip))
			continue;
		copy = NULL;
		if (strcmp(key, "title") == 0) {
			if (json_is_null(v))
				return (app_err_set(err, APP_EINVAL, "title",
				    "title: is required"));
			if (!text_check(v, 1, APPLICATION_TITLE_MAX, 0, "title",
			    &copy, err))
				return (0);
		} else if (strcmp(key, "summary") == 0) {
			if (json_is_null(v))
				copy = json_string("");
			else if (!text_check(v, 0, APPLICATION_SUMMARY_MAX, 1,
			    "summary", &copy, err))
				return (0);
		} else if (strcmp(key, "start_date") == 0 ||
		    strcmp(key, "end_date") == 0) {
			if (json_is_null(v)) {
				json_object_del(content, key);
				continue;
			}
			if (!date_value(v, key, &day, err))
				return (0);
			copy = json_deep_copy(v);
		} else if (strcmp(key, "budget_lines") == 0) {
			if (json_is_null(v))
				copy = json_array();
			else if (!apply_lines(v, &copy, err))
				return (0);
		} else if (strcmp(key, "milestones") == 0) {
			if (json_is_null(v))
				copy = json_array();
			else if (!apply_milestones(v, &copy, err))
				return (0);
		} else if (strcmp(key, "fields") == 0) {
			if (json_is_null(v)) {
				json_object_set_new(content, "fields",
				    json_object());
				continue;
			}
			if (!apply_fields(s, content, v, err))
				return (0);
			continue;
		} else
			return (app_err_set(err, APP_EBADREQ, key,
			    "unknown field \"%.60s\"", key));
		if (copy == NULL ||
		    json_object_set_new(content, key, copy) != 0)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
	}
	return (1);
}

/* A date member of content as a day number, -1 if absent. */
int
application_content_date(const json_t *content, const char *key)
{
	const char	*s;
	int		 day;

	s = json_string_value(json_object_get(content, key));
	if (s == NULL || !date_parse(s, &day))
		return (-1);
	return (day);
}

int
application_budget_total(const json_t *content, cents_t *total,
    struct app_err *err)
{
	const json_t	*line;
	size_t		 i;

	*total = 0;
	json_array_foreach(json_object_get(content, "budget_lines"), i, line) {
		if (!money_add(*total, json_integer_value(json_object_get(line,
		    "amount_cents")), total)) {
			*total = 0;
			return (app_err_set(err, APP_EINVAL, "budget_lines",
			    "budget_lines: the total is too large"));
		}
	}
	return (1);
}

int
application_period_last_day(int start, int64_t months)
{
	int	y, m, d, day;

	if (months < 1)
		return (start - 1);
	if (months > 12 * 1000)
		months = 12 * 1000;
	date_to_ymd(start, &y, &m, &d);
	m += (int)months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	/* The same day of the month, months later, is the first day out. */
	if (date_from_ymd(y, m, d, &day))
		return (day - 1);
	/* No such day (31 January + 1 month): the month's last day. */
	if (m == 12) {
		y++;
		m = 1;
	} else
		m++;
	date_from_ymd(y, m, 1, &day);
	return (day - 1);
}

/*
 * Does the funding model work on the budget?  For rebate and
 * co_investment *basis gets the first required cents field (NULL: none,
 * the budget is the basis).
 */
static int
budget_is_basis(const struct scheme *s, const json_t **basis)
{
	const json_t	*d;
	const char	*type;
	size_t		 i;

	*basis = NULL;
	switch (s->funding_model) {
	case SCHEME_MODEL_GRANT:
	case SCHEME_MODEL_MATCHING:
	case SCHEME_MODEL_BLOCK_GRANT:
		return (1);
	case SCHEME_MODEL_ALLOWANCE:
		return (0);
	case SCHEME_MODEL_REBATE:
	case SCHEME_MODEL_CO_INVESTMENT:
		break;
	}
	json_array_foreach(s->application_fields, i, d) {
		type = json_string_value(json_object_get(d, "type"));
		if (type != NULL && strcmp(type, "cents") == 0 &&
		    json_is_true(json_object_get(d, "required"))) {
			*basis = d;
			return (0);
		}
	}
	return (1);
}

/* The allowance model's people: the first list whose items have months. */
static const json_t *
talent_def(const struct scheme *s)
{
	const json_t	*d, *m;
	const char	*type;
	size_t		 i;

	json_array_foreach(s->application_fields, i, d) {
		type = json_string_value(json_object_get(d, "type"));
		if (type == NULL || strcmp(type, "list") != 0)
			continue;
		m = field_def(json_object_get(d, "item_fields"), "months");
		if (m != NULL && strcmp(json_string_value(json_object_get(m,
		    "type")), "integer") == 0)
			return (d);
	}
	return (NULL);
}

int
application_content_check(const struct scheme *s, const json_t *content,
    int submission, struct app_err *err)
{
	const json_t	*ms, *def, *fields, *v, *basis;
	const char	*name, *key;
	char		 a[DATE_ISO_LEN], b[DATE_ISO_LEN], p[96];
	int		 start, end, due, last;
	cents_t		 total;
	size_t		 i;

	start = application_content_date(content, "start_date");
	end = application_content_date(content, "end_date");
	if (start >= 0 && end >= 0 && end <= start)
		return (app_err_set(err, APP_EINVAL, "end_date",
		    "end_date: must be after start_date"));
	if (!application_budget_total(content, &total, err))
		return (0);
	json_array_foreach(json_object_get(content, "milestones"), i, ms) {
		due = application_content_date(ms, "due_date");
		if (start >= 0 && end >= 0 && (due < start || due > end)) {
			snprintf(p, sizeof(p), "milestones[%zu].due_date", i);
			return (app_err_set(err, APP_EINVAL, p, "%s: must fall "
			    "within the project period, %s to %s", p,
			    date_format(start, a, sizeof(a)),
			    date_format(end, b, sizeof(b))));
		}
	}
	if (!submission)
		return (1);

	v = json_object_get(content, "summary");
	if (!json_is_string(v) ||
	    json_string_value(v)[strspn(json_string_value(v), " \t\r\n")] ==
	    '\0')
		return (app_err_set(err, APP_EINVAL, "summary",
		    "summary: is required for submission"));
	if (start < 0)
		return (app_err_set(err, APP_EINVAL, "start_date",
		    "start_date: is required for submission"));
	if (end < 0)
		return (app_err_set(err, APP_EINVAL, "end_date",
		    "end_date: is required for submission"));
	if (s->max_months.present) {
		last = application_period_last_day(start, s->max_months.value);
		if (end > last)
			return (app_err_set(err, APP_EINVAL, "end_date",
			    "end_date: %s projects last at most %lld months; "
			    "one starting on %s must end by %s", s->code,
			    (long long)s->max_months.value,
			    date_format(start, a, sizeof(a)),
			    date_format(last, b, sizeof(b))));
	}
	if (budget_is_basis(s, &basis)) {
		if (json_array_size(json_object_get(content,
		    "budget_lines")) == 0)
			return (app_err_set(err, APP_EINVAL, "budget_lines",
			    "budget_lines: at least one budget line is "
			    "required; %s's contribution is computed on them",
			    s->code));
		if (total == 0)
			return (app_err_set(err, APP_EINVAL, "budget_lines",
			    "budget_lines: the total eligible cost must be "
			    "more than zero"));
	}
	if (s->payment.pattern == SCHEME_PAY_MILESTONES &&
	    json_array_size(json_object_get(content, "milestones")) == 0)
		return (app_err_set(err, APP_EINVAL, "milestones",
		    "milestones: %s pays by milestones; at least one is "
		    "required", s->code));

	fields = json_object_get(content, "fields");
	json_object_foreach((json_t *)fields, key, v) {
		if (field_def(s->application_fields, key) == NULL) {
			snprintf(p, sizeof(p), "fields.%.80s", key);
			return (app_err_set(err, APP_EINVAL, p, "%s: is no "
			    "longer an application field of %s; remove it",
			    p, s->code));
		}
	}
	json_array_foreach(s->application_fields, i, def) {
		name = json_string_value(json_object_get(def, "name"));
		snprintf(p, sizeof(p), "fields.%.80s", name);
		v = json_object_get(fields, name);
		if (v == NULL || json_is_null(v)) {
			if (json_is_true(json_object_get(def, "required")))
				return (app_err_set(err, APP_EINVAL, p,
				    "%s: is required by %s", p, s->code));
			continue;
		}
		if (!application_field_check(def, v, 1, p, err))
			return (0);
	}
	return (1);
}

int
application_eligible(const struct scheme *s, const char *org_type, int day,
    const struct scheme_rules **r, struct app_err *err)
{
	char	list[128], a[DATE_ISO_LEN], b[DATE_ISO_LEN];
	int	t;

	*r = NULL;
	if (!scheme_accepts_org_type(s, org_type)) {
		list[0] = '\0';
		for (t = SCHEME_ORG_COMPANY; t <= SCHEME_ORG_OTHER; t++) {
			if ((s->eligible & (1U << t)) == 0)
				continue;
			if (list[0] != '\0')
				strncat(list, ", ", sizeof(list) -
				    strlen(list) - 1);
			strncat(list, scheme_org_type_name(
			    (enum scheme_org_type)t), sizeof(list) -
			    strlen(list) - 1);
		}
		return (app_err_set(err, APP_EINVAL, "org_type", "%s does not "
		    "accept applications from organisations of type %s "
		    "(eligible: %s)", s->code, org_type != NULL ? org_type :
		    "(none)", list));
	}
	if (s->status != SCHEME_STATUS_OPEN && s->closes_on == SCHEME_NO_DATE)
		return (app_err_set(err, APP_EINVAL, "scheme", "%s is %s%s%s "
		    "and accepts no applications", s->code,
		    scheme_status_name(s->status),
		    s->merged_into != NULL ? " into " : "",
		    s->merged_into != NULL ? s->merged_into : ""));
	if ((*r = scheme_rules_on(s, day)) != NULL)
		return (1);
	date_format(day, a, sizeof(a));
	if (s->closes_on != SCHEME_NO_DATE && day > s->closes_on)
		return (app_err_set(err, APP_EINVAL, "scheme", "%s accepts no "
		    "applications on %s: it closed after %s%s%s", s->code, a,
		    date_format(s->closes_on, b, sizeof(b)),
		    s->merged_into != NULL ? " and was merged into " : "",
		    s->merged_into != NULL ? s->merged_into : ""));
	return (app_err_set(err, APP_EINVAL, "scheme", "%s accepts no "
	    "applications on %s: its first rules take effect on %s", s->code,
	    a, date_format(s->nrules > 0 ? s->rules[0].effective_from : day, b,
	    sizeof(b))));
}

size_t
application_talent_count(const struct scheme *s, const json_t *content)
{
	const json_t	*def;

	if ((def = talent_def(s)) == NULL)
		return (0);
	return (json_array_size(json_object_get(json_object_get(content,
	    "fields"), json_string_value(json_object_get(def, "name")))));
}

int
application_funding_input(const struct scheme *s, const json_t *content,
    struct funding_input *in, struct funding_talent *talents,
    const char **basis_field, struct app_err *err)
{
	static char	 field[96];
	const json_t	*basis, *def, *items, *item, *q;
	const char	*name;
	cents_t		 total;
	size_t		 i;

	funding_input_init(in);
	*basis_field = "budget_lines";
	if (s->funding_model == SCHEME_MODEL_ALLOWANCE) {
		if ((def = talent_def(s)) == NULL)
			return (app_err_set(err, APP_EINTERNAL, "fields",
			    "%s has no list of people with months", s->code));
		name = json_string_value(json_object_get(def, "name"));
		snprintf(field, sizeof(field), "fields.%.80s", name);
		*basis_field = field;
		items = json_object_get(json_object_get(content, "fields"),
		    name);
		json_array_foreach(items, i, item) {
			talents[i].count = 1;
			talents[i].months = json_integer_value(
			    json_object_get(item, "months"));
			talents[i].qualification = SCHEME_QUAL_BACHELOR;
			q = json_object_get(item, "qualification");
			if (json_is_string(q) && !scheme_qualification_parse(
			    json_string_value(q), &talents[i].qualification)) {
				snprintf(field, sizeof(field),
				    "fields.%.40s[%zu].qualification", name, i);
				return (app_err_set(err, APP_EINVAL, field,
				    "%s: unknown qualification", field));
			}
		}
		in->talents = talents;
		in->ntalents = json_array_size(items);
		return (1);
	}
	if (!budget_is_basis(s, &basis)) {
		name = json_string_value(json_object_get(basis, "name"));
		snprintf(field, sizeof(field), "fields.%.80s", name);
		*basis_field = field;
		in->eligible_cost_cents = json_integer_value(json_object_get(
		    json_object_get(content, "fields"), name));
		return (1);
	}
	if (!application_budget_total(content, &total, err))
		return (0);
	in->eligible_cost_cents = total;
	return (1);
}

int
application_allocate(const cents_t *amounts, size_t n,
    cents_t government_cents, cents_t *gov)
{
	cents_t	total, g, given, rem, room;
	size_t	i;

	total = 0;
	for (i = 0; i < n; i++) {
		gov[i] = 0;
		if (amounts[i] < 0 || !money_add(total, amounts[i], &total))
			return (0);
	}
	if (total == 0 || government_cents <= 0)
		return (1);
	g = money_min(government_cents, total);
	given = 0;
	for (i = 0; i < n; i++) {
		if (!money_ratio(amounts[i], g, total, &gov[i]))
			return (0);
		given += gov[i];	/* <= g: each part is rounded down */
	}
	/* The remainder goes to the last line with room. */
	rem = g - given;
	for (i = n; i > 0 && rem > 0; i--) {
		room = amounts[i - 1] - gov[i - 1];
		if (room > rem)
			room = rem;
		gov[i - 1] += room;
		rem -= room;
	}
	return (1);
}

int
application_reference_format(const char *prefix, int year, int seq,
    char *buf, size_t len)
{
	int	n;

	n = snprintf(buf, len, "%s/%04d/%02d", prefix, seq, year % 100);
	return (n > 0 && (size_t)n < len);
}

int
application_today(void)
{
	const char	*v;
	int		 day;

	if ((v = getenv("ITF_FAKE_TODAY")) != NULL && date_parse(v, &day))
		return (day);
	return (date_today_hk());
}

/* A note: required (1..max characters) or optional (0..max). */
int
application_note_check(const char *note, int required, const char *field,
    struct app_err *err)
{
	json_t	*v, *copy;
	int	 ok;

	if (note == NULL) {
		if (required)
			return (app_err_set(err, APP_EINVAL, field, "%s: is "
			    "required: say what the applicant must clarify",
			    field));
		return (1);
	}
	v = json_string(note);
	ok = v != NULL && text_check(v, required ? 1 : 0,
	    APPLICATION_NOTE_MAX, 1, field, &copy, err);
	if (ok)
		json_decref(copy);
	json_decref(v);
	return (ok);
}

/* Name the application's field, not the model's input, in err. */
static void
remap_funding_err(const struct app_err *fe, const char *basis,
    const struct scheme *s, struct app_err *err)
{
	struct app_err	e;
	const json_t	*def;
	const char	*list;

	e = *fe;
	if (strcmp(fe->field, "eligible_cost_cents") == 0)
		snprintf(e.field, sizeof(e.field), "%s", basis);
	else if (strncmp(fe->field, "talents", 7) == 0 &&
	    (def = talent_def(s)) != NULL) {
		list = json_string_value(json_object_get(def, "name"));
		snprintf(e.field, sizeof(e.field), "fields.%s%s", list,
		    fe->field + 7);
	}
	if (err != NULL && err->code == APP_OK)
		*err = e;
}


void
application_cap_window(const struct scheme *s, const struct scheme_rules *r,
    int day, int *from, int *to)
{
	*from = *to = -1;
	if ((s->funding_model == SCHEME_MODEL_MATCHING &&
	    r->per_applicant_cap_cents.present &&
	    r->cap_period == SCHEME_PERIOD_FINANCIAL_YEAR) ||
	    s->funding_model == SCHEME_MODEL_BLOCK_GRANT)
		fy_bounds(fy_of(day), from, to);
}

int
application_compute(const struct scheme *s, const struct scheme_rules *r,
    const json_t *content, const struct application_priors *pr,
    struct application_funding *out, struct app_err *err)
{
	struct funding_input	 in;
	struct funding_talent	*talents;
	struct app_err		 fe;
	const json_t		*line;
	const char		*basis;
	cents_t			*amounts, *shares;
	size_t			 i, n;
	int			 ok;

	memset(out, 0, sizeof(*out));
	n = application_talent_count(s, content);
	if ((talents = calloc(n > 0 ? n : 1, sizeof(*talents))) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	ok = application_funding_input(s, content, &in, talents, &basis, err);
	if (ok) {
		in.prior_approved_cents = pr->committed_cents;
		in.prior_projects = pr->projects;
		in.institution_prior_cents = pr->committed_cents;
		in.prior_heads = pr->heads;
		app_err_clear(&fe);
		if (!funding_compute(s, r, &in, &out->result, &fe)) {
			remap_funding_err(&fe, basis, s, err);
			ok = 0;
		}
	}
	out->heads = (int64_t)in.ntalents;
	out->basis_cents = s->funding_model == SCHEME_MODEL_ALLOWANCE ? -1 :
	    in.eligible_cost_cents;
	free(talents);
	if (!ok)
		return (0);

	/* Each budget line's part of the contribution. */
	n = json_array_size(json_object_get(content, "budget_lines"));
	amounts = calloc(n > 0 ? n : 1, sizeof(*amounts));
	shares = calloc(n > 0 ? n : 1, sizeof(*shares));
	out->line_shares = json_array();
	ok = amounts != NULL && shares != NULL && out->line_shares != NULL;
	if (ok) {
		json_array_foreach(json_object_get(content, "budget_lines"), i,
		    line)
			amounts[i] = json_integer_value(json_object_get(line,
			    "amount_cents"));
		ok = application_allocate(amounts, n,
		    out->result.government_cents, shares);
		for (i = 0; ok && i < n; i++)
			ok = json_array_append_new(out->line_shares,
			    json_integer(shares[i])) == 0;
	}
	free(amounts);
	free(shares);
	if (!ok) {
		json_decref(out->line_shares);
		out->line_shares = NULL;
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "could not share the contribution over the budget"));
	}
	return (1);
}
