/*
 * projects.c: the pure rules of projects: payment plans and tranche
 * splits, rescaling after a variation, the close-out surplus, upload
 * sniffing, names, and the JSON input helpers the projects_*.c files and
 * payments.c share.  No database here except projects_notify().
 */
#include <stdio.h>
#include <string.h>

#include "applications.h"
#include "auth.h"
#include "notify.h"
#include "projects.h"

static const char *const status_names[PROJECT_NSTATUS] = {
	"awaiting_signature", "active", "suspended", "refund_due", "closed",
	"terminated"
};

static long	text_len(const char *, int);
static int	bp_ok(int);

const char *
project_status_name(enum project_status st)
{
	if ((int)st < 0 || st >= PROJECT_NSTATUS)
		return ("unknown");
	return (status_names[st]);
}

int
project_status_parse(const char *s, enum project_status *out)
{
	int	i;

	for (i = 0; s != NULL && i < PROJECT_NSTATUS; i++) {
		if (strcmp(status_names[i], s) == 0) {
			*out = (enum project_status)i;
			return (1);
		}
	}
	return (0);
}

int
project_pattern_parse(const char *s, enum scheme_payment_pattern *out)
{
	int	i;

	for (i = SCHEME_PAY_MILESTONES; s != NULL &&
	    i <= SCHEME_PAY_CO_INVESTMENT; i++) {
		if (strcmp(scheme_payment_pattern_name(
		    (enum scheme_payment_pattern)i), s) == 0) {
			*out = (enum scheme_payment_pattern)i;
			return (1);
		}
	}
	return (0);
}

static int
bp_ok(int bp)
{
	return (bp >= 0 && bp <= PROJECT_BP_FULL);
}

/* Patterns that pay everything on completion. */
static int
pattern_on_completion(enum scheme_payment_pattern p)
{
	return (p == SCHEME_PAY_ON_COMPLETION || p == SCHEME_PAY_SINGLE_REBATE);
}

int
projects_plan_default(enum scheme_payment_pattern pattern, size_t n,
    int initial_max_bp, int final_min_bp, struct project_plan *plan,
    struct app_err *err)
{
	size_t	i;
	int	final, each, rest;

	memset(plan, 0, sizeof(*plan));
	if (n < 1 || n > PROJECT_MILESTONES_MAX)
		return (app_err_set(err, APP_EINVAL, "milestones",
		    "milestones: a project has 1 to %d milestones",
		    PROJECT_MILESTONES_MAX));
	if (!bp_ok(initial_max_bp) || !bp_ok(final_min_bp))
		return (app_err_set(err, APP_EINVAL, "payment",
		    "the scheme's payment shares are out of range"));
	plan->n = n;
	if (pattern == SCHEME_PAY_INITIAL_AND_COMPLETION) {
		plan->initial_bp = initial_max_bp;
		if (PROJECT_BP_FULL - plan->initial_bp < final_min_bp)
			plan->initial_bp = PROJECT_BP_FULL - final_min_bp;
		plan->bp[n - 1] = PROJECT_BP_FULL - plan->initial_bp;
		return (1);
	}
	if (pattern_on_completion(pattern) || n == 1) {
		plan->bp[n - 1] = PROJECT_BP_FULL;
		return (1);
	}
	/* A tranche per milestone; the final at least final_min_bp. */
	final = PROJECT_BP_FULL / (int)n;
	if (final < final_min_bp)
		final = final_min_bp;
	each = (PROJECT_BP_FULL - final) / (int)(n - 1);
	rest = PROJECT_BP_FULL - final - each * (int)(n - 1);
	for (i = 0; i + 1 < n; i++)
		plan->bp[i] = each;
	plan->bp[n - 1] = final + rest;
	return (1);
}

int
projects_plan_check(enum scheme_payment_pattern pattern, int initial_max_bp,
    int final_min_bp, const struct project_plan *plan, struct app_err *err)
{
	char	field[48];
	size_t	i;
	long	sum;

	if (plan->n < 1 || plan->n > PROJECT_MILESTONES_MAX)
		return (app_err_set(err, APP_EINVAL, "milestones",
		    "milestones: a project has 1 to %d milestones",
		    PROJECT_MILESTONES_MAX));
	if (!bp_ok(plan->initial_bp))
		return (app_err_set(err, APP_EINVAL, "initial_bp",
		    "initial_bp: must be 0 to 10000 basis points"));
	if (plan->initial_bp > initial_max_bp)
		return (app_err_set(err, APP_EINVAL, "initial_bp",
		    "initial_bp: the scheme allows an initial payment of at "
		    "most %d basis points", initial_max_bp));
	sum = plan->initial_bp;
	for (i = 0; i < plan->n; i++) {
		snprintf(field, sizeof(field), "milestones[%zu].tranche_bp", i);
		if (!bp_ok(plan->bp[i]))
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: must be 0 to 10000 basis points", field));
		if (pattern_on_completion(pattern) && i + 1 < plan->n &&
		    plan->bp[i] != 0)
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: the scheme pays only on completion", field));
		sum += plan->bp[i];
	}
	if (sum != PROJECT_BP_FULL)
		return (app_err_set(err, APP_EINVAL, "milestones",
		    "milestones: the initial payment and the tranches must "
		    "add up to exactly 10000 basis points, not %ld", sum));
	snprintf(field, sizeof(field), "milestones[%zu].tranche_bp",
	    plan->n - 1);
	if (plan->bp[plan->n - 1] < final_min_bp ||
	    plan->bp[plan->n - 1] == 0)
		return (app_err_set(err, APP_EINVAL, field,
		    "%s: the final tranche must keep at least %d basis points "
		    "(payment.final_min_bp) and more than 0", field,
		    final_min_bp));
	return (1);
}

int
projects_split(cents_t total, const int *bp, size_t n, cents_t *out,
    struct app_err *err)
{
	cents_t	given, part;
	long	sum;
	size_t	i;

	if (n == 0 || total < 0)
		return (app_err_set(err, APP_EINVAL, "bp",
		    "nothing to split"));
	sum = 0;
	for (i = 0; i < n; i++) {
		if (!bp_ok(bp[i]))
			return (app_err_set(err, APP_EINVAL, "bp",
			    "a share is out of range"));
		sum += bp[i];
	}
	if (sum != PROJECT_BP_FULL)
		return (app_err_set(err, APP_EINVAL, "bp",
		    "shares must add up to 10000 basis points, not %ld", sum));
	given = 0;
	for (i = 0; i + 1 < n; i++) {
		if (!money_ratio(total, bp[i], PROJECT_BP_FULL, &part) ||
		    !money_add(given, part, &given))
			return (app_err_set(err, APP_EINVAL, "bp", "overflow"));
		out[i] = part;
	}
	/* given <= total: each part is rounded down. */
	out[n - 1] = total - given;
	return (1);
}

int
projects_plan_amounts(cents_t gov, const struct project_plan *plan,
    cents_t *initial, cents_t *amounts, struct app_err *err)
{
	int	bp[PROJECT_MILESTONES_MAX + 1];
	cents_t	parts[PROJECT_MILESTONES_MAX + 1];
	size_t	i;

	if (plan->n < 1 || plan->n > PROJECT_MILESTONES_MAX)
		return (app_err_set(err, APP_EINVAL, "milestones",
		    "milestones: a project has 1 to %d milestones",
		    PROJECT_MILESTONES_MAX));
	bp[0] = plan->initial_bp;
	for (i = 0; i < plan->n; i++)
		bp[i + 1] = plan->bp[i];
	if (!projects_split(gov, bp, plan->n + 1, parts, err))
		return (0);
	*initial = parts[0];
	for (i = 0; i < plan->n; i++)
		amounts[i] = parts[i + 1];
	return (1);
}

int
projects_rescale(cents_t total, const int *bp, const int *fixed,
    const cents_t *cur, size_t n, int final_min_bp, cents_t *out,
    struct app_err *err)
{
	cents_t	fixed_sum, rem, given, part, floor_final;
	long	bp_free;
	size_t	i, last_free;
	int	any_free;

	if (n == 0 || total <= 0)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: must be more than 0"));
	fixed_sum = 0;
	bp_free = 0;
	any_free = 0;
	last_free = 0;
	for (i = 0; i < n; i++) {
		if (fixed[i]) {
			if (!money_add(fixed_sum, cur[i], &fixed_sum))
				return (app_err_set(err, APP_EINVAL,
				    "government_cents", "overflow"));
			out[i] = cur[i];
		} else {
			bp_free += bp[i];
			any_free = 1;
			last_free = i;
		}
	}
	if (total < fixed_sum)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: is below the %lld cents already paid or "
		    "being paid", (long long)fixed_sum));
	rem = total - fixed_sum;
	if (!any_free || fixed[n - 1]) {
		if (rem != 0)
			return (app_err_set(err, APP_EINVAL,
			    "government_cents", "government_cents: the final "
			    "tranche is already paid; the contribution can no "
			    "longer change"));
		return (1);
	}
	if (bp_free <= 0)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: no tranche left to take the change"));
	given = 0;
	for (i = 0; i < n; i++) {
		if (fixed[i] || i == last_free)
			continue;
		if (!money_ratio(rem, bp[i], bp_free, &part))
			return (app_err_set(err, APP_EINVAL,
			    "government_cents", "overflow"));
		out[i] = part;
		given += part;
	}
	out[last_free] = rem - given;
	if (!money_ratio(total, final_min_bp, PROJECT_BP_FULL, &floor_final))
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "overflow"));
	if (out[n - 1] < floor_final)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: the final tranche would fall below "
		    "%d basis points of the contribution (payment.final_min_bp)",
		    final_min_bp));
	return (1);
}

int
projects_surplus(cents_t paid, cents_t government, cents_t total_cost,
    cents_t audited_cost, cents_t interest, struct project_surplus *out,
    struct app_err *err)
{
	cents_t	share, s;

	if (paid < 0)
		return (app_err_set(err, APP_EINVAL, "paid_cents",
		    "paid_cents: must not be negative"));
	if (government <= 0)
		return (app_err_set(err, APP_EINVAL, "government_cents",
		    "government_cents: must be more than 0"));
	if (total_cost < 0)
		return (app_err_set(err, APP_EINVAL, "total_cost_cents",
		    "total_cost_cents: must not be negative"));
	if (audited_cost < 0)
		return (app_err_set(err, APP_EINVAL, "audited_cost_cents",
		    "audited_cost_cents: must not be negative"));
	if (interest < 0)
		return (app_err_set(err, APP_EINVAL, "interest_cents",
		    "interest_cents: must not be negative"));
	if (total_cost > 0) {
		if (!money_ratio(audited_cost, government, total_cost, &share))
			return (app_err_set(err, APP_EINVAL,
			    "audited_cost_cents", "overflow"));
	} else
		share = audited_cost;
	share = money_min(share, government);
	if (!money_sub(paid, share, &s) || !money_add(s, interest, &s))
		return (app_err_set(err, APP_EINVAL, "interest_cents",
		    "overflow"));
	out->share_cents = share;
	out->surplus_cents = s;
	out->refund_due_cents = money_min(money_max(s, 0), paid);
	return (1);
}

/* Is buf UTF-8 text without NUL or other control characters but tab,
 * newline, carriage return and form feed? */
static int
sniff_text(const unsigned char *p, size_t len)
{
	size_t	i, k, need;

	for (i = 0; i < len; ) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			    p[i] != '\r' && p[i] != '\f')
				return (0);
			if (p[i] == 0x7f)
				return (0);
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0 && p[i] >= 0xc2)
			need = 1;
		else if ((p[i] & 0xf0) == 0xe0)
			need = 2;
		else if ((p[i] & 0xf8) == 0xf0 && p[i] <= 0xf4)
			need = 3;
		else
			return (0);
		for (k = 1; k <= need; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return (0);
		}
		i += need + 1;
	}
	return (1);
}

const char *
projects_sniff(const unsigned char *p, size_t len, const char **ext)
{
	static const unsigned char	png[] = { 0x89, 'P', 'N', 'G', '\r',
					    '\n', 0x1a, '\n' };

	*ext = "bin";
	if (p == NULL || len == 0)
		return (NULL);
	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0) {
		*ext = "pdf";
		return ("application/pdf");
	}
	if (len >= sizeof(png) && memcmp(p, png, sizeof(png)) == 0) {
		*ext = "png";
		return ("image/png");
	}
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
		*ext = "jpg";
		return ("image/jpeg");
	}
	if (len >= 4 && memcmp(p, "PK\003\004", 4) == 0) {
		*ext = "zip";
		return ("application/zip");
	}
	if (sniff_text(p, len)) {
		*ext = "txt";
		return ("text/plain; charset=utf-8");
	}
	return (NULL);
}

void
projects_display_name(const char *in, char *out, size_t len)
{
	const char	*base, *s;
	size_t		 o, chars;
	unsigned char	 c;

	if (len == 0)
		return;
	out[0] = '\0';
	if (in == NULL)
		return;
	base = in;
	for (s = in; *s != '\0'; s++) {
		if (*s == '/' || *s == '\\')
			base = s + 1;
	}
	o = 0;
	chars = 0;
	for (s = base; *s != '\0' && o + 1 < len; s++) {
		c = (unsigned char)*s;
		if ((c & 0xc0) != 0x80) {
			if (chars == PROJECT_FILENAME_MAX)
				break;
			chars++;
		}
		if (c < 0x20 || c == 0x7f || c == '"')
			c = '_';
		out[o++] = (char)c;
	}
	/* Do not end inside a UTF-8 sequence. */
	while (o > 0 && ((unsigned char)out[o - 1] & 0x80) != 0) {
		size_t	start = o - 1;
		size_t	need;

		while (start > 0 && ((unsigned char)out[start] & 0xc0) == 0x80)
			start--;
		c = (unsigned char)out[start];
		need = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		    (c & 0xf8) == 0xf0 ? 4 : 0;
		if (need != 0 && o - start == need)
			break;
		o = start;
	}
	out[o] = '\0';
	/*
	 * The name goes into a text column and JSON: bytes that are not
	 * UTF-8 (a client's Latin-1 name, say) become '_' rather than a
	 * database error.
	 */
	if (auth_utf8_len(out) < 0) {
		for (o = 0; out[o] != '\0'; o++) {
			if ((unsigned char)out[o] >= 0x80)
				out[o] = '_';
		}
	}
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		out[0] = '\0';
}

/*
 * Characters in s, or -1 if it holds a control character (with multiline,
 * newline, carriage return and tab are allowed).  jansson strings are
 * valid UTF-8.
 */
static long
text_len(const char *s, int multiline)
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

int
projects_json_text(const json_t *obj, const char *key, long min, long max,
    int multiline, const char **out, struct app_err *err)
{
	const json_t	*v;
	const char	*s, *p;
	long		 n;
	int		 blank;

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
	if (strlen(s) != json_string_length(v))
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: must not contain NUL", key));
	if ((n = text_len(s, multiline)) < 0)
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: must not contain control characters", key));
	blank = 1;
	for (p = s; *p != '\0'; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			blank = 0;
	}
	if (n < min || n > max || (min > 0 && blank))
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: must have %ld to %ld characters%s", key, min, max,
		    min > 0 ? ", not only spaces" : ""));
	*out = n == 0 ? NULL : s;
	return (1);
}

int
projects_text_ok(const char *s, const char *field, long min, long max,
    int multiline, struct app_err *err)
{
	json_t		*o;
	const char	*out;
	int		 ok;

	if (s == NULL) {
		if (min > 0)
			return (app_err_set(err, APP_EINVAL, field,
			    "%s: is required", field));
		return (1);
	}
	if ((o = json_object()) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	if (json_object_set_new(o, field, json_string(s)) != 0) {
		json_decref(o);
		return (app_err_set(err, APP_EINVAL, field,
		    "%s: must be UTF-8 text", field));
	}
	ok = projects_json_text(o, field, min, max, multiline, &out, err);
	json_decref(o);
	return (ok);
}

int
projects_text_arg(const char *s, const char *key, long min, long max,
    const char **out, struct app_err *err)
{
	json_t		*o;
	const char	*v;
	int		 ok;

	/* Not UTF-8: json_pack() fails and the key is absent, as it was. */
	o = json_pack("{s:s?}", key, s);
	ok = projects_json_text(o, key, min, max, 1, &v, err);
	json_decref(o);
	*out = ok && v != NULL ? s : NULL;
	return (ok);
}

int
projects_json_cents(const json_t *obj, const char *key, int required,
    cents_t *out, int *present, struct app_err *err)
{
	const json_t	*v;

	if (present != NULL)
		*present = 0;
	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return (app_err_set(err, APP_EINVAL, key,
			    "%s: is required", key));
		return (1);
	}
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, key,
		    "%s: must be a whole number of cents", key));
	if (json_integer_value(v) < 0)
		return (app_err_set(err, APP_EINVAL, key,
		    "%s: must not be negative", key));
	*out = json_integer_value(v);
	if (present != NULL)
		*present = 1;
	return (1);
}

int
projects_json_only(const json_t *obj, const char *const *allowed,
    const char *prefix, struct app_err *err)
{
	const char	*key;
	json_t		*v;
	size_t		 i;
	int		 ok;

	if (!json_is_object(obj))
		return (app_err_set(err, APP_EBADREQ, prefix,
		    "%s: must be an object", prefix[0] != '\0' ? prefix :
		    "the body"));
	json_object_foreach((json_t *)obj, key, v) {
		ok = 0;
		for (i = 0; allowed[i] != NULL; i++) {
			if (strcmp(allowed[i], key) == 0)
				ok = 1;
		}
		if (!ok)
			return (app_err_set(err, APP_EBADREQ, key,
			    "unknown field \"%s%.60s\"", prefix, key));
	}
	return (1);
}

int
projects_today(void)
{
	return (application_today());
}

int
projects_is_staff(const struct actor *a)
{
	return (actor_has(a, ROLE_OFFICER | ROLE_AUDITOR | ROLE_APPROVER |
	    ROLE_FINANCE | ROLE_ADMIN));
}

int
projects_may_list(const struct actor *a, struct app_err *err)
{
	if (projects_is_staff(a) || actor_has(a, ROLE_APPLICANT))
		return (1);
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "your role does not give access to projects"));
}

int
projects_may_read(const struct actor *a, int64_t org_id, struct app_err *err)
{
	if (projects_is_staff(a))
		return (1);
	if (actor_has(a, ROLE_APPLICANT)) {
		if (a->org_id != 0 && a->org_id == org_id)
			return (1);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such project"));
	}
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "your role does not give access to projects"));
}

int
projects_notify(struct db *db, int64_t org_id, const char *kind,
    const char *record_type, int64_t record_id, const char *en,
    const char *zh, struct app_err *err)
{
	return (notify_org(db, org_id, kind, record_type, record_id, en, zh,
	    err));
}

void
projects_err_prefix(struct app_err *err, const char *prefix)
{
	char	f[sizeof(err->field)];

	if (err == NULL || strncmp(err->field, prefix, strlen(prefix)) == 0)
		return;
	snprintf(f, sizeof(f), "%.31s%.31s", prefix, err->field);
	memcpy(err->field, f, sizeof(f));
}
