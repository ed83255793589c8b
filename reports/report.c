/*
 * report.c: the report framework: the registry, parameter parsing, the
 * run (one read-only snapshot), the shared workbook writer and the cursor
 * row source.  See report.h.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dates.h"
#include "report.h"

#define REPORT_ROLES	(ROLE_OFFICER | ROLE_FINANCE | ROLE_APPROVER | \
			    ROLE_AUDITOR | ROLE_ADMIN)
#define WIDTH_MIN	6.0
#define WIDTH_MAX	60.0
#define WIDTH_HEAD_MAX	28.0	/* longer headings wrap */

static const char SQL_SCHEME_NAMES[] =
    "SELECT name_en, name_zh FROM schemes WHERE code = $1";

static const char *const P_STATS[] = { "from", "to", "fy", "scheme", NULL };
static const char *const P_CASH[] = { "from", "to", "fy", "on", "scheme",
    NULL };
static const char *const P_BYYEAR[] = { "from", "to", "scheme", "year_basis",
    NULL };
static const char *const P_COMMIT[] = { "on", NULL };
static const char *const P_APPROP[] = { "from", "to", "fy", NULL };
static const char *const P_REGISTER[] = { "scheme", NULL };

struct report_def_entry {
	struct report_def	 def;
	const char *const	*params;
};

static const struct report_def_entry registry[] = {
	{ { "scheme-statistics", "Scheme statistics",
	    "資助計劃統計數字",
	    "Per scheme, grouped by programme area: applications received, "
	    "assessed and approved, success rate, government funding "
	    "approved and applicant / private contribution over a period",
	    report_scheme_statistics }, P_STATS },
	{ { "cash-flow", "Cash flow by financial year",
	    "按財政年度劃分的現金流量",
	    "Payments per scheme and in total by financial year (April to "
	    "March): actual for past years, estimates entered by finance for "
	    "the current and later years, with a chart of the yearly totals",
	    report_cash_flow }, P_CASH },
	{ { "applications-by-year", "Applications received by year",
	    "每年接獲的申請數目",
	    "Applications received per calendar or financial year, for one "
	    "scheme or all", report_applications_by_year }, P_BYYEAR },
	{ { "commitment-position", "Commitment position",
	    "承擔額狀況",
	    "Commitments approved since inception, payments, releases, "
	    "commitments outstanding and available commitment per subhead, "
	    "as at a date", report_commitment_position }, P_COMMIT },
	{ { "appropriation", "Injections, subhead transfers and balances",
	    "注資、分目轉撥及分目結餘",
	    "Fund injections and subhead transfers with their Finance "
	    "Committee paper references and dates, and each subhead's "
	    "balance", report_appropriation }, P_APPROP },
	{ { "project-register", "Project register", "項目登記冊",
	    "Every project: reference, title, organisation, scheme, approved "
	    "amount, period and status, one row per project",
	    report_project_register }, P_REGISTER },
};
#define NREPORTS	(sizeof(registry) / sizeof(registry[0]))

static const struct {
	const char	*name;
	unsigned	 bit;
	const char	*type;
	const char	*help;
} param_info[] = {
	{ "from", REPORT_P_FROM, "date",
	    "first day of the period, YYYY-MM-DD (default: since inception)" },
	{ "to", REPORT_P_TO, "date",
	    "last day of the period, YYYY-MM-DD (default: today)" },
	{ "fy", REPORT_P_FY, "financial_year",
	    "one financial year instead of from/to, e.g. 2020-21" },
	{ "on", REPORT_P_ON, "date",
	    "as at this date, YYYY-MM-DD (default: today)" },
	{ "scheme", REPORT_P_SCHEME, "scheme_code",
	    "one scheme's code, e.g. TVP (default: all schemes)" },
	{ "year_basis", REPORT_P_YEAR_BASIS, "calendar|financial",
	    "count by calendar year (default) or financial year" },
};
#define NPARAMS		(sizeof(param_info) / sizeof(param_info[0]))

static const struct {
	const char	*code;
	const char	*en;
	const char	*zh;
} areas[] = {
	/* FCR(2021-22)22 paragraph 6: the five areas the schemes support. */
	{ "rd", "Support research and development", "支持研究及發展" },
	{ "adoption", "Promote technology adoption", "推動科技應用" },
	{ "talent", "Nurture I&T talent", "培育創科人才" },
	{ "startups", "Support technology start-ups", "支援科技初創企業" },
	{ "culture", "Foster an I&T culture", "培養創科文化" },
};
#define NAREAS		(sizeof(areas) / sizeof(areas[0]))

static const struct report_def_entry	*entry_of(const struct report_def *);
static unsigned	 param_bit(const char *);
static int	 def_takes(const struct report_def *, const char *);
static int	 parse_day(const char *, const char *, int *, struct app_err *);
static int	 run_tx(struct db *, void *, struct app_err *);
static void	 book_check(struct report_book *, lxw_error);
static lxw_format *book_format(struct report_book *, int, enum report_cell);
static void	 sheet_width(struct report_sheet *, int, double);
static double	 text_width(const char *);
static double	 digits_width(int, int, int);
static double	 number_width(double, int);
static int	 udigits(uint64_t);
static double	 int_width(int64_t);
static double	 cents_width(cents_t);
static void	 sheet_title(struct report_sheet *, const char *,
		    lxw_format *);
static void	 filters_line(const struct report_params *, char *, size_t);
static void	 hk_time(time_t, char *, size_t);
static void	 mark(struct report_sheet *, int);
static enum report_cell kind_of(const struct report_sheet *, int);
static PGresult	*cursor_pending(struct report_cursor *, struct app_err *);

struct run_arg {
	const struct report_def	*def;
	struct report_params	*p;
	const char		*out;
};

/*
 * The registry.
 */

static const struct report_def_entry *
entry_of(const struct report_def *def)
{
	size_t	i;

	for (i = 0; i < NREPORTS; i++) {
		if (&registry[i].def == def)
			return (&registry[i]);
	}
	return (NULL);
}

const struct report_def *
report_find(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < NREPORTS; i++) {
		if (strcmp(registry[i].def.name, name) == 0)
			return (&registry[i].def);
	}
	return (NULL);
}

const struct report_def *
report_def_at(size_t i)
{
	return (i < NREPORTS ? &registry[i].def : NULL);
}

const char *const *
report_param_names(const struct report_def *def)
{
	const struct report_def_entry	*e;

	e = entry_of(def);
	return (e != NULL ? e->params : NULL);
}

json_t *
report_list_json(void)
{
	json_t		*list, *params, *r;
	size_t		 i, j, k;

	if ((list = json_array()) == NULL)
		return (NULL);
	for (i = 0; i < NREPORTS; i++) {
		params = json_array();
		for (j = 0; registry[i].params[j] != NULL; j++) {
			for (k = 0; k < NPARAMS; k++) {
				if (strcmp(param_info[k].name,
				    registry[i].params[j]) != 0)
					continue;
				json_array_append_new(params, json_pack(
				    "{s:s,s:s,s:s}", "name", param_info[k].name,
				    "type", param_info[k].type,
				    "description", param_info[k].help));
			}
		}
		r = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}",
		    "name", registry[i].def.name,
		    "title_en", registry[i].def.title_en,
		    "title_zh", registry[i].def.title_zh,
		    "summary", registry[i].def.summary,
		    "parameters", params, "format", "xlsx");
		if (r == NULL || json_array_append_new(list, r) != 0) {
			json_decref(list);
			return (NULL);
		}
	}
	return (json_pack("{s:o,s:I}", "reports", list,
	    "count", (json_int_t)NREPORTS));
}

int
report_may_run(const struct actor *actor, struct app_err *err)
{
	if (!actor_has(actor, REPORT_ROLES)) {
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "reports are for officers, finance, approvers, auditors "
		    "and administrators"));
	}
	return (1);
}

/*
 * Parameters.
 */

static unsigned
param_bit(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < NPARAMS; i++) {
		if (strcmp(param_info[i].name, name) == 0)
			return (param_info[i].bit);
	}
	return (0);
}

static int
def_takes(const struct report_def *def, const char *name)
{
	const char *const	*names;
	size_t			 i;

	if ((names = report_param_names(def)) == NULL)
		return (0);
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], name) == 0)
			return (1);
	}
	return (0);
}

static int
parse_day(const char *name, const char *value, int *out, struct app_err *err)
{
	int	y, m, d;

	if (!date_parse(value, out)) {
		return (app_err_set(err, APP_EBADREQ, name,
		    "%s: \"%.20s\" is not a date (YYYY-MM-DD)", name, value));
	}
	date_to_ymd(*out, &y, &m, &d);
	if (y < REPORT_YEAR_MIN || y > REPORT_YEAR_MAX) {
		return (app_err_set(err, APP_EBADREQ, name,
		    "%s: %s is out of range (%d-01-01 to %d-12-31)", name,
		    value, REPORT_YEAR_MIN, REPORT_YEAR_MAX));
	}
	return (1);
}

void
report_params_init(struct report_params *p)
{
	memset(p, 0, sizeof(*p));
	p->from = p->to = p->on = p->fy = -1;
	p->today = -1;
	p->year_basis = REPORT_YEAR_CALENDAR;
}

int
report_param_set(const struct report_def *def, struct report_params *p,
    const char *name, const char *value, struct app_err *err)
{
	unsigned	bit;
	size_t		i, n;
	char		label[FY_LABEL_LEN];

	if ((bit = param_bit(name)) == 0) {
		return (app_err_set(err, APP_EBADREQ, name,
		    "unknown parameter \"%.32s\"", name));
	}
	if (!def_takes(def, name)) {
		return (app_err_set(err, APP_EBADREQ, name,
		    "report %s does not take \"%s\"", def->name, name));
	}
	if (p->given & bit) {
		return (app_err_set(err, APP_EBADREQ, name,
		    "%s: given twice", name));
	}
	if (value == NULL || *value == '\0') {
		return (app_err_set(err, APP_EBADREQ, name,
		    "%s: a value is required", name));
	}
	switch (bit) {
	case REPORT_P_FROM:
		if (!parse_day(name, value, &p->from, err))
			return (0);
		break;
	case REPORT_P_TO:
		if (!parse_day(name, value, &p->to, err))
			return (0);
		break;
	case REPORT_P_ON:
		if (!parse_day(name, value, &p->on, err))
			return (0);
		break;
	case REPORT_P_FY:
		if (!fy_parse(value, &p->fy)) {
			p->fy = -1;
			return (app_err_set(err, APP_EBADREQ, name,
			    "fy: \"%.20s\" is not a financial year such as "
			    "2020-21", value));
		}
		if (p->fy < REPORT_FY_MIN || p->fy > REPORT_FY_MAX) {
			p->fy = -1;
			return (app_err_set(err, APP_EBADREQ, name,
			    "fy: %.8s is out of range (%s to %d-%02d)", value,
			    fy_label(REPORT_FY_MIN, label, sizeof(label)),
			    REPORT_FY_MAX, (REPORT_FY_MAX + 1) % 100));
		}
		break;
	case REPORT_P_SCHEME:
		n = strlen(value);
		for (i = 0; i < n; i++) {
			if (!((value[i] >= 'A' && value[i] <= 'Z') ||
			    (value[i] >= 'a' && value[i] <= 'z')))
				break;
		}
		if (n < 2 || n >= REPORT_SCHEME_MAX || i != n) {
			return (app_err_set(err, APP_EBADREQ, name,
			    "scheme: \"%.20s\" is not a scheme code", value));
		}
		for (i = 0; i < n; i++)
			p->scheme[i] = (char)(value[i] >= 'a' ?
			    value[i] - 'a' + 'A' : value[i]);
		p->scheme[n] = '\0';
		break;
	case REPORT_P_YEAR_BASIS:
		if (strcmp(value, "calendar") == 0)
			p->year_basis = REPORT_YEAR_CALENDAR;
		else if (strcmp(value, "financial") == 0)
			p->year_basis = REPORT_YEAR_FINANCIAL;
		else
			return (app_err_set(err, APP_EBADREQ, name,
			    "year_basis: \"%.20s\" is neither calendar nor "
			    "financial", value));
		break;
	}
	p->given |= bit;
	return (1);
}

int
report_params_check(const struct report_def *def, struct report_params *p,
    struct app_err *err)
{
	char	a[DATE_ISO_LEN], b[DATE_ISO_LEN];

	(void)def;
	if ((p->given & REPORT_P_FY) &&
	    (p->given & (REPORT_P_FROM | REPORT_P_TO))) {
		return (app_err_set(err, APP_EBADREQ, "fy",
		    "fy: give either fy or from/to, not both"));
	}
	if (p->given & REPORT_P_FY)
		fy_bounds(p->fy, &p->from, &p->to);
	if (p->from >= 0 && p->to >= 0 && p->from > p->to) {
		return (app_err_set(err, APP_EBADREQ, "from",
		    "from: %s is after to (%s)",
		    date_format(p->from, a, sizeof(a)),
		    date_format(p->to, b, sizeof(b))));
	}
	return (1);
}

/*
 * Running.
 */

static int
run_tx(struct db *db, void *arg, struct app_err *err)
{
	struct run_arg		*a = arg;
	struct db_params	 q;
	PGresult		*res;
	int			 found;

	if (!db_exec(db, "SET TRANSACTION READ ONLY", NULL, err))
		return (0);
	a->p->scheme_en[0] = a->p->scheme_zh[0] = '\0';
	if (a->p->scheme[0] != '\0') {
		db_params_init(&q);
		dbp_str(&q, a->p->scheme);
		if ((res = db_query(db, SQL_SCHEME_NAMES, &q, err)) == NULL)
			return (0);
		if ((found = PQntuples(res) == 1)) {
			snprintf(a->p->scheme_en, sizeof(a->p->scheme_en), "%s",
			    db_str(res, 0, 0));
			snprintf(a->p->scheme_zh, sizeof(a->p->scheme_zh), "%s",
			    db_str(res, 0, 1));
		}
		PQclear(res);
		if (!found) {
			return (app_err_set(err, APP_EBADREQ, "scheme",
			    "scheme: no scheme with code \"%s\"",
			    a->p->scheme));
		}
	}
	return (a->def->build(db, a->p, a->out, err));
}

int
report_run(const struct report_def *def, struct db *db,
    struct report_params *p, const char *out_path, struct app_err *err)
{
	struct run_arg	a;

	if (!report_params_check(def, p, err))
		return (0);
	p->today = date_today_hk();
	p->generated = time(NULL);
	a.def = def;
	a.p = p;
	a.out = out_path;
	if (!db_tx_run(db, DB_REPEATABLE_READ, run_tx, &a, err)) {
		(void)unlink(out_path);
		return (0);
	}
	return (1);
}

void
report_filename(const struct report_def *def, const struct report_params *p,
    char *buf, size_t len)
{
	char	a[DATE_ISO_LEN], b[DATE_ISO_LEN], fy[FY_LABEL_LEN];
	char	scheme[REPORT_SCHEME_MAX + 1];

	snprintf(scheme, sizeof(scheme), "%s%s", p->scheme[0] ? "-" : "",
	    p->scheme);
	if (p->given & REPORT_P_FY) {
		snprintf(buf, len, "%s%s-%s.xlsx", def->name, scheme,
		    fy_label(p->fy, fy, sizeof(fy)));
	} else if (p->from >= 0 || p->to >= 0) {
		snprintf(buf, len, "%s%s-%s-%s.xlsx", def->name, scheme,
		    p->from >= 0 ? date_format(p->from, a, sizeof(a)) :
		    "inception", date_format(p->to >= 0 ? p->to :
		    date_today_hk(), b, sizeof(b)));
	} else {
		snprintf(buf, len, "%s%s-%s.xlsx", def->name, scheme,
		    date_format(p->on >= 0 ? p->on : date_today_hk(), a,
		    sizeof(a)));
	}
}

int
report_tmpdir(const char *root, char *buf, size_t len, struct app_err *err)
{
	const char	*env;
	char		 var[1024];

	if ((env = getenv("ITF_TMPDIR")) != NULL && *env != '\0') {
		snprintf(buf, len, "%s", env);
	} else {
		snprintf(var, sizeof(var), "%s/var", root != NULL ? root : ".");
		if (mkdir(var, 0755) == -1 && errno != EEXIST)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "cannot create %s", var));
		snprintf(buf, len, "%s/tmp", var);
	}
	if (mkdir(buf, 0700) == -1 && errno != EEXIST)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "cannot create the temporary directory"));
	return (1);
}

/*
 * The workbook writer.
 */

static void
book_check(struct report_book *b, lxw_error e)
{
	if (e != LXW_NO_ERROR && !b->failed) {
		b->failed = 1;
		b->lxw_err = e;
	}
}

int
report_book_open(struct report_book *b, const struct report_def *def,
    const struct report_params *p, const char *out_path, int constant_memory,
    struct app_err *err)
{
	static const char	*nums[] = { NULL, "#,##0", "#,##0.00",
				    "#,##0.0,,", "0.0%", "yyyy-mm-dd" };
	lxw_workbook_options	 opt;
	lxw_doc_properties	 props;
	char			 title[256], *slash;
	int			 t, k;

	memset(b, 0, sizeof(*b));
	b->def = def;
	b->p = p;
	b->constant_memory = constant_memory;
	b->sheet_rows = REPORT_SHEET_ROWS;
	if (snprintf(b->path, sizeof(b->path), "%s", out_path) >=
	    (int)sizeof(b->path))
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "output path too long"));
	/* Temporary files beside the output, not in a shared /tmp. */
	snprintf(b->tmpdir, sizeof(b->tmpdir), "%s", out_path);
	if ((slash = strrchr(b->tmpdir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(b->tmpdir, sizeof(b->tmpdir), ".");
	memset(&opt, 0, sizeof(opt));
	opt.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
	opt.tmpdir = b->tmpdir;
	opt.use_zip64 = LXW_TRUE;
	if ((b->wb = workbook_new_opt(out_path, &opt)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "cannot create the workbook"));

	b->f_title = workbook_add_format(b->wb);
	format_set_bold(b->f_title);
	format_set_font_size(b->f_title, 14);
	b->f_sub = workbook_add_format(b->wb);
	format_set_font_color(b->f_sub, 0x404040);
	b->f_note = workbook_add_format(b->wb);
	format_set_italic(b->f_note);
	format_set_font_color(b->f_note, 0x404040);
	b->f_head = workbook_add_format(b->wb);
	format_set_bold(b->f_head);
	format_set_bg_color(b->f_head, 0xDCE6F1);
	format_set_text_wrap(b->f_head);
	format_set_align(b->f_head, LXW_ALIGN_VERTICAL_TOP);
	format_set_top(b->f_head, LXW_BORDER_THIN);
	b->f_head_zh = workbook_add_format(b->wb);
	format_set_bold(b->f_head_zh);
	format_set_bg_color(b->f_head_zh, 0xDCE6F1);
	format_set_text_wrap(b->f_head_zh);
	format_set_align(b->f_head_zh, LXW_ALIGN_VERTICAL_TOP);
	format_set_bottom(b->f_head_zh, LXW_BORDER_THIN);
	b->f_group = workbook_add_format(b->wb);
	format_set_bold(b->f_group);
	format_set_bg_color(b->f_group, 0xF2F2F2);
	for (t = 0; t < 2; t++) {
		for (k = 0; k <= REPORT_DATE; k++) {
			b->f_fmt[t][k] = workbook_add_format(b->wb);
			if (nums[k] != NULL)
				format_set_num_format(b->f_fmt[t][k], nums[k]);
			if (t == 1) {
				format_set_bold(b->f_fmt[t][k]);
				format_set_top(b->f_fmt[t][k], LXW_BORDER_THIN);
			}
		}
	}

	snprintf(title, sizeof(title), "%s %s", def->title_en, def->title_zh);
	memset(&props, 0, sizeof(props));
	props.title = title;
	props.subject = "Innovation and Technology Fund 創新及科技基金";
	props.author = "ITF grant administration";
	props.company = "Innovation and Technology Commission 創新科技署";
	props.comments = "Figures taken from the ITF database when generated";
	props.created = p->generated;
	book_check(b, workbook_set_properties(b->wb, &props));
	return (1);
}

void
report_book_abort(struct report_book *b)
{
	if (b->wb != NULL)
		lxw_workbook_free(b->wb);
	b->wb = NULL;
	(void)unlink(b->path);
}

int
report_book_close(struct report_book *b, struct app_err *err)
{
	lxw_error	e;

	if (b->failed) {
		report_book_abort(b);
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "writing the workbook failed (%s)",
		    lxw_strerror(b->lxw_err)));
	}
	e = workbook_close(b->wb);	/* frees it */
	b->wb = NULL;
	if (e != LXW_NO_ERROR) {
		(void)unlink(b->path);
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "writing the workbook failed (%s)", lxw_strerror(e)));
	}
	return (1);
}

/*
 * The format of a cell.  A plain text cell gets NULL, the default format:
 * its own format has no property set, so it is the default one, and
 * libxlsxwriter, which caches the index only of formats it adds, would
 * hash it again for every cell to find index 0.  Neither the rows nor the
 * columns carry a format here, so NULL writes the same XML.
 */
static lxw_format *
book_format(struct report_book *b, int style, enum report_cell kind)
{
	if (kind == REPORT_TEXT) {
		if (style == REPORT_ROW_GROUP)
			return (b->f_group);
		if (style == REPORT_ROW_PLAIN)
			return (NULL);
	}
	return (b->f_fmt[style == REPORT_ROW_TOTAL ? 1 : 0][kind]);
}

/* Display width of UTF-8 text: East Asian characters count two. */
static double
text_width(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	double			 w = 0;

	for (; *u != '\0'; u++) {
		if (*u < 0x80)
			w += 1;
		else if (*u >= 0xE0)
			w += 2;		/* 3- and 4-byte sequences: CJK */
		else if (*u >= 0xC0)
			w += 1;
	}
	return (w);
}

static double
digits_width(int digits, int decimals, int negative)
{
	return ((double)(digits + (digits - 1) / 3 + (decimals ? decimals +
	    1 : 0) + (negative ? 1 : 0)));
}

/* Width of v shown with thousands separators and decimals places. */
static double
number_width(double v, int decimals)
{
	char	buf[64];
	int	n;

	n = snprintf(buf, sizeof(buf), "%.0f", v < 0 ? -v : v);
	return (digits_width(n > 0 ? n : 1, decimals, v < 0));
}

static int
udigits(uint64_t u)
{
	int	n;

	for (n = 1; u >= 10; n++)
		u /= 10;
	return (n);
}

/* number_width((double)v, 0) without printing: integers are exact. */
static double
int_width(int64_t v)
{
	uint64_t	u;

	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	return (digits_width(udigits(u), 0, v < 0));
}

/*
 * number_width(cents / 100.0, 2) without printing.  "%.0f" rounds the
 * dollars to the nearest integer, a half to the even one; c / 100.0 is
 * off the exact value by far less than a cent, and n + 0.5 is exact, so
 * the same rounding in integers gives the same digits (below 2^53 cents).
 */
static double
cents_width(cents_t c)
{
	uint64_t	u, q, r;

	u = c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c;
	q = u / 100;
	r = u % 100;
	if (r > 50 || (r == 50 && (q & 1)))
		q++;
	return (digits_width(udigits(q), 2, c < 0));
}

static void
sheet_width(struct report_sheet *s, int col, double w)
{
	if (col < 0 || col >= REPORT_COLS_MAX)
		return;
	if (w > s->width[col])
		s->width[col] = w;
}

static void
hk_time(time_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		hk;

	hk = t + 8 * 3600;
	if (gmtime_r(&hk, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S HKT (UTC+8)", &tm) == 0)
		snprintf(buf, len, "?");
}

static void
filters_line(const struct report_params *p, char *buf, size_t len)
{
	size_t	n;

	n = (size_t)snprintf(buf, len, "Filters 篩選條件: ");
	if (n >= len)
		return;
	if (p->scheme[0] != '\0') {
		n += (size_t)snprintf(buf + n, len - n,
		    "scheme 計劃 = %s %s %s", p->scheme, p->scheme_en,
		    p->scheme_zh);
	} else {
		n += (size_t)snprintf(buf + n, len - n,
		    "all schemes 所有計劃");
	}
	if (n < len && (p->given & REPORT_P_YEAR_BASIS)) {
		snprintf(buf + n, len - n, "; year basis 年度基準 = %s",
		    p->year_basis == REPORT_YEAR_FINANCIAL ?
		    "financial year (April-March) 財政年度" :
		    "calendar year 曆年");
	}
}

void
report_period_line(const struct report_params *p, int as_at, char *buf,
    size_t len)
{
	char	a[DATE_ISO_LEN], b[DATE_ISO_LEN], fy[FY_LABEL_LEN];
	int	today;

	today = p->today >= 0 ? p->today : date_today_hk();
	if (as_at) {
		snprintf(buf, len, "As at 截至: %s",
		    date_format(p->on >= 0 ? p->on : today, a, sizeof(a)));
	} else if (p->given & REPORT_P_FY) {
		snprintf(buf, len, "Period 期間: financial year %s 財政年度 "
		    "(%s to 至 %s)", fy_label(p->fy, fy, sizeof(fy)),
		    date_format(p->from, a, sizeof(a)),
		    date_format(p->to, b, sizeof(b)));
	} else if (p->from >= 0) {
		snprintf(buf, len, "Period 期間: %s to 至 %s",
		    date_format(p->from, a, sizeof(a)),
		    date_format(p->to >= 0 ? p->to : today, b, sizeof(b)));
	} else {
		snprintf(buf, len, "Period 期間: since inception 自成立以來 "
		    "to 至 %s", date_format(p->to >= 0 ? p->to : today, b,
		    sizeof(b)));
	}
}

static void
sheet_title(struct report_sheet *s, const char *text, lxw_format *f)
{
	book_check(s->book, worksheet_write_string(s->ws, s->row, 0, text, f));
	s->row++;
}

int
report_sheet_add(struct report_book *b, struct report_sheet *s,
    const char *name, const char *subtitle_en, const char *subtitle_zh,
    const char *period)
{
	char	line[1024], when[64];

	memset(s, 0, sizeof(*s));
	s->book = b;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->subtitle_en = subtitle_en;
	s->subtitle_zh = subtitle_zh;
	if ((s->has_period = period != NULL))
		snprintf(s->period, sizeof(s->period), "%s", period);
	s->number = 1;
	if ((s->ws = workbook_add_worksheet(b->wb, name)) == NULL) {
		book_check(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return (0);
	}
	snprintf(line, sizeof(line), "%s %s", b->def->title_en,
	    b->def->title_zh);
	sheet_title(s, line, b->f_title);
	snprintf(line, sizeof(line), "Innovation and Technology Fund "
	    "創新及科技基金%s%s%s%s", subtitle_en ? " - " : "",
	    subtitle_en ? subtitle_en : "", subtitle_zh ? " " : "",
	    subtitle_zh ? subtitle_zh : "");
	sheet_title(s, line, b->f_sub);
	if (period != NULL)
		sheet_title(s, period, b->f_sub);
	if (b->filters != NULL)
		snprintf(line, sizeof(line), "Filters 篩選條件: %s", b->filters);
	else
		filters_line(b->p, line, sizeof(line));
	sheet_title(s, line, b->f_sub);
	hk_time(b->p->generated, when, sizeof(when));
	snprintf(line, sizeof(line), "Generated 製備時間: %s", when);
	sheet_title(s, line, b->f_sub);
	s->row++;
	return (!b->failed);
}

int
report_sheet_columns(struct report_sheet *s, const struct report_col *cols,
    int ncols, int freeze_cols)
{
	int	c, first;

	if (ncols > REPORT_COLS_MAX)
		ncols = REPORT_COLS_MAX;
	first = s->cols == NULL;
	s->cols = cols;
	s->ncols = ncols;
	s->head_row = s->row;
	/* Row by row: constant_memory mode cannot go back to a row. */
	for (c = 0; c < ncols; c++) {
		book_check(s->book, worksheet_write_string(s->ws, s->row,
		    (lxw_col_t)c, cols[c].en, s->book->f_head));
		sheet_width(s, c, text_width(cols[c].en) < WIDTH_HEAD_MAX ?
		    text_width(cols[c].en) : WIDTH_HEAD_MAX);
	}
	for (c = 0; c < ncols; c++) {
		book_check(s->book, worksheet_write_string(s->ws, s->row + 1,
		    (lxw_col_t)c, cols[c].zh, s->book->f_head_zh));
		sheet_width(s, c, text_width(cols[c].zh) < WIDTH_HEAD_MAX ?
		    text_width(cols[c].zh) : WIDTH_HEAD_MAX);
	}
	s->row += 2;
	if (first) {
		worksheet_freeze_panes(s->ws, s->row, (lxw_col_t)freeze_cols);
		s->freeze_cols = freeze_cols;
	}
	return (!s->book->failed);
}

int
report_sheet_room(struct report_sheet *s, int autofilter)
{
	struct report_sheet	 next;
	char			 name[REPORT_SHEET_NAME_MAX], num[16];
	int			 n;

	if (s->book->failed)
		return (0);
	if (s->row < s->book->sheet_rows)
		return (1);
	if (s->cols == NULL) {
		book_check(s->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
		return (0);
	}
	if (autofilter)
		report_sheet_autofilter(s);
	report_sheet_fit(s);
	n = snprintf(num, sizeof(num), " %d", s->number + 1);
	snprintf(name, sizeof(name), "%.*s%s",
	    (int)(sizeof(name) - 1) - n, s->name, num);
	if (!report_sheet_add(s->book, &next, name, s->subtitle_en,
	    s->subtitle_zh, s->has_period ? s->period : NULL) ||
	    !report_sheet_columns(&next, s->cols, s->ncols, s->freeze_cols))
		return (0);
	snprintf(next.name, sizeof(next.name), "%s", s->name);
	next.number = s->number + 1;
	memcpy(next.width, s->width, sizeof(next.width));
	*s = next;
	if (s->row >= s->book->sheet_rows) {
		book_check(s->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
		return (0);
	}
	return (1);
}

void
report_sheet_note(struct report_sheet *s, const char *text)
{
	book_check(s->book, worksheet_write_string(s->ws, s->row, 0, text,
	    s->book->f_note));
	s->row++;
}

void
report_sheet_skip(struct report_sheet *s, int n)
{
	s->row += (lxw_row_t)n;
}

void
report_sheet_fit(struct report_sheet *s)
{
	double	w;
	int	c;

	for (c = 0; c < REPORT_COLS_MAX; c++) {
		if (s->width[c] <= 0)
			continue;
		w = s->width[c] + 2;
		if (w < WIDTH_MIN)
			w = WIDTH_MIN;
		if (w > WIDTH_MAX)
			w = WIDTH_MAX;
		book_check(s->book, worksheet_set_column(s->ws, (lxw_col_t)c,
		    (lxw_col_t)c, w, NULL));
	}
}

void
report_sheet_autofilter(struct report_sheet *s)
{
	if (s->ncols == 0 || s->row <= s->head_row + 2)
		return;
	book_check(s->book, worksheet_autofilter(s->ws, s->head_row + 1, 0,
	    s->row - 1, (lxw_col_t)(s->ncols - 1)));
}

/*
 * Rows and cells.
 */

void
report_row(struct report_sheet *s, int style)
{
	s->style = style;
	memset(s->written, 0, sizeof(s->written));
}

static void
mark(struct report_sheet *s, int col)
{
	if (col >= 0 && col < REPORT_COLS_MAX)
		s->written[col] = 1;
}

static enum report_cell
kind_of(const struct report_sheet *s, int col)
{
	if (s->cols == NULL || col < 0 || col >= s->ncols)
		return (REPORT_TEXT);
	return (s->cols[col].kind);
}

void
report_text(struct report_sheet *s, int col, const char *text)
{
	if (text == NULL) {
		report_blank(s, col);
		return;
	}
	book_check(s->book, worksheet_write_string(s->ws, s->row,
	    (lxw_col_t)col, text, book_format(s->book, s->style,
	    REPORT_TEXT)));
	/*
	 * Only data rows size a column: labels of total and group rows may
	 * run over into the empty cells beside them.  Text is never wider
	 * than its bytes, and a width of WIDTH_MAX - 2 or more ends up as
	 * WIDTH_MAX anyway: what cannot widen the column is not measured.
	 */
	if (s->style == REPORT_ROW_PLAIN && col >= 0 &&
	    col < REPORT_COLS_MAX && s->width[col] < WIDTH_MAX - 2 &&
	    (double)strlen(text) > s->width[col])
		sheet_width(s, col, text_width(text));
	mark(s, col);
}

void
report_int(struct report_sheet *s, int col, int64_t v)
{
	book_check(s->book, worksheet_write_number(s->ws, s->row,
	    (lxw_col_t)col, (double)v, book_format(s->book, s->style,
	    REPORT_INT)));
	sheet_width(s, col, int_width(v));
	mark(s, col);
}

void
report_cents(struct report_sheet *s, int col, cents_t cents)
{
	enum report_cell	kind;
	double			dollars;

	kind = kind_of(s, col) == REPORT_MILLION ? REPORT_MILLION :
	    REPORT_MONEY;
	/* A double holds any amount below HK$90 trillion to the cent. */
	dollars = (double)cents / 100.0;
	book_check(s->book, worksheet_write_number(s->ws, s->row,
	    (lxw_col_t)col, dollars, book_format(s->book, s->style, kind)));
	sheet_width(s, col, kind == REPORT_MILLION ?
	    number_width(dollars / 1e6, 1) : cents_width(cents));
	mark(s, col);
}

void
report_ratio(struct report_sheet *s, int col, int64_t num, int64_t den)
{
	if (den == 0) {
		report_blank(s, col);
		return;
	}
	book_check(s->book, worksheet_write_number(s->ws, s->row,
	    (lxw_col_t)col, (double)num / (double)den,
	    book_format(s->book, s->style, REPORT_PCT)));
	sheet_width(s, col, 7);
	mark(s, col);
}

void
report_date(struct report_sheet *s, int col, int day)
{
	lxw_datetime	dt;
	int		y, m, d;

	if (day < 0) {
		report_blank(s, col);
		return;
	}
	date_to_ymd(day, &y, &m, &d);
	memset(&dt, 0, sizeof(dt));
	dt.year = y;
	dt.month = m;
	dt.day = d;
	book_check(s->book, worksheet_write_datetime(s->ws, s->row,
	    (lxw_col_t)col, &dt, book_format(s->book, s->style,
	    REPORT_DATE)));
	sheet_width(s, col, 10);
	mark(s, col);
}

void
report_blank(struct report_sheet *s, int col)
{
	/* Blank cells only matter for the shading of total/group rows. */
	if (s->style == REPORT_ROW_PLAIN)
		return;
	book_check(s->book, worksheet_write_blank(s->ws, s->row,
	    (lxw_col_t)col, book_format(s->book, s->style, kind_of(s, col))));
	mark(s, col);
}

void
report_value(struct report_sheet *s, int col, const PGresult *res, int row,
    int field)
{
	const char	*v;
	int		 day;

	if ((v = db_str(res, row, field)) == NULL) {
		report_blank(s, col);
		return;
	}
	switch (kind_of(s, col)) {
	case REPORT_TEXT:
		report_text(s, col, v);
		break;
	case REPORT_INT:
		report_int(s, col, strtoll(v, NULL, 10));
		break;
	case REPORT_MONEY:
	case REPORT_MILLION:
		report_cents(s, col, strtoll(v, NULL, 10));
		break;
	case REPORT_PCT:
		book_check(s->book, worksheet_write_number(s->ws, s->row,
		    (lxw_col_t)col, strtod(v, NULL), book_format(s->book,
		    s->style, REPORT_PCT)));
		mark(s, col);
		break;
	case REPORT_DATE:
		report_date(s, col, date_parse(v, &day) ? day : -1);
		break;
	}
}

void
report_row_end(struct report_sheet *s)
{
	int	c;

	if (s->style != REPORT_ROW_PLAIN) {
		for (c = 0; c < s->ncols; c++) {
			if (!s->written[c])
				report_blank(s, c);
		}
	}
	s->row++;
	s->style = REPORT_ROW_PLAIN;
}

/*
 * Areas.
 */

const char *
report_area_en(const char *code)
{
	size_t	i;

	for (i = 0; code != NULL && i < NAREAS; i++) {
		if (strcmp(areas[i].code, code) == 0)
			return (areas[i].en);
	}
	return (NULL);
}

const char *
report_area_zh(const char *code)
{
	size_t	i;

	for (i = 0; code != NULL && i < NAREAS; i++) {
		if (strcmp(areas[i].code, code) == 0)
			return (areas[i].zh);
	}
	return (NULL);
}

int
report_area_rank(const char *code)
{
	size_t	i;

	for (i = 0; code != NULL && i < NAREAS; i++) {
		if (strcmp(areas[i].code, code) == 0)
			return ((int)i);
	}
	return ((int)NAREAS);
}

/*
 * The cursor row source.
 */

int
report_cursor_open(struct report_cursor *c, struct db *db, const char *sql,
    const struct db_params *params, struct app_err *err)
{
	static const char	 head[] =
	    "DECLARE report_rows NO SCROLL CURSOR FOR ";
	char			*decl;
	size_t			 n;
	int			 ok;

	memset(c, 0, sizeof(*c));
	c->db = db;
	n = sizeof(head) + strlen(sql);
	if ((decl = malloc(n)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	snprintf(decl, n, "%s%s", head, sql);
	ok = db_exec(db, decl, params, err);
	free(decl);
	c->open = ok;
	return (ok);
}

/*
 * The result of the FETCH sent ahead, or NULL with err set as db_query()
 * sets it (app/core/db.c keeps its classification to itself: connection
 * lost, timeout, anything else).
 */
static PGresult *
cursor_pending(struct report_cursor *c, struct app_err *err)
{
	PGresult	*res, *more;
	const char	*state;

	c->pending = 0;
	res = PQgetResult(c->db->conn);
	while ((more = PQgetResult(c->db->conn)) != NULL)
		PQclear(more);
	if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK)
		return (res);
	c->db->retryable = 0;
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state == NULL || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0 ||
	    PQstatus(c->db->conn) != CONNECTION_OK) {
		app_err_set(err, APP_EUNAVAIL, NULL,
		    "the database is unavailable");
	} else if (strcmp(state, "57014") == 0 ||
	    strcmp(state, "55P03") == 0) {
		app_err_set(err, APP_EUNAVAIL, NULL,
		    "the database did not answer in time");
	} else {
		c->db->retryable = strcmp(state, "40001") == 0 ||
		    strcmp(state, "40P01") == 0;
		app_err_set(err, APP_EDB, NULL, "database error");
	}
	PQclear(res);
	return (NULL);
}

int
report_cursor_next(struct report_cursor *c, const PGresult **res, int *row,
    struct app_err *err)
{
	char	sql[64];

	if (c->res != NULL && c->row < c->nrows) {
		*res = c->res;
		*row = c->row++;
		return (1);
	}
	if (c->done || !c->open)
		return (0);
	PQclear(c->res);
	c->res = NULL;
	c->row = c->nrows = 0;
	snprintf(sql, sizeof(sql), "FETCH FORWARD %d FROM report_rows",
	    REPORT_FETCH_ROWS);
	if (c->pending)
		c->res = cursor_pending(c, err);
	else
		c->res = db_query(c->db, sql, NULL, err);
	if (c->res == NULL) {
		c->done = 1;
		return (0);
	}
	if ((c->nrows = PQntuples(c->res)) == 0) {
		c->done = 1;
		return (0);
	}
	/* A full batch: ask for the next one while this one is written.  If
	 * it cannot be sent, the next call sends it the plain way. */
	if (c->nrows == REPORT_FETCH_ROWS && PQsendQuery(c->db->conn, sql))
		c->pending = 1;
	*res = c->res;
	*row = c->row++;
	return (1);
}

void
report_cursor_close(struct report_cursor *c)
{
	struct app_err	 e;
	PGresult	*res;

	PQclear(c->res);
	c->res = NULL;
	if (c->pending) {
		/* Read the FETCH sent ahead, so the connection is free. */
		while ((res = PQgetResult(c->db->conn)) != NULL)
			PQclear(res);
		c->pending = 0;
	}
	if (c->open) {
		/* After an error the transaction is aborted and rolls back,
		 * which closes the cursor anyway. */
		app_err_clear(&e);
		if (PQtransactionStatus(c->db->conn) == PQTRANS_INTRANS)
			(void)db_exec(c->db, "CLOSE report_rows", NULL, &e);
	}
	c->open = 0;
}
