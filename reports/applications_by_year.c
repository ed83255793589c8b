/*
 * applications_by_year.c: the applications-by-year report, the table of
 * FCR(2021-22)22 paragraph 24 ("年份 / 申請數目": 2016 (11-12月) 15;
 * 2017 577; ...): applications received per calendar year (or financial
 * year), for one scheme or for every scheme side by side.
 *
 * Received = submitted (submitted_on) and not withdrawn, as the paper
 * counts ("撇除其後撤回 ... 的申請").  Every year from the first to the last
 * with an application is listed, zero years included; the first and last
 * submission dates of each year show where a year is only partly covered
 * (the paper's "2016 (11-12月)" and "2021 (截至2月底)").
 *
 * Tables read: applications, schemes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "report.h"

#define BY_YEARS_MAX	120
#define BY_SCHEMES_MAX	64

/*
 * $1 from, $2 to (NULL: open), $3 scheme (NULL: all), $4 financial
 * (boolean): year, scheme, count, first and last submission date.
 */
static const char SQL_BY_YEAR[] =
    "SELECT CASE WHEN $4::boolean"
    "  THEN extract(year FROM a.submitted_on - interval '3 months')"
    "  ELSE extract(year FROM a.submitted_on) END::int AS y,"
    " a.scheme_code, count(*), min(a.submitted_on), max(a.submitted_on)"
    " FROM applications a"
    " WHERE a.submitted_on IS NOT NULL AND a.status <> 'withdrawn'"
    " AND ($1::date IS NULL OR a.submitted_on >= $1)"
    " AND ($2::date IS NULL OR a.submitted_on <= $2)"
    " AND ($3::text IS NULL OR a.scheme_code = $3)"
    " GROUP BY 1, 2 ORDER BY 1, 2";

/* The schemes that appear, in programme-area order. */
static const char SQL_BY_SCHEMES[] =
    "SELECT code, name_en, name_zh FROM schemes"
    " WHERE code = ANY($1::text[])"
    " ORDER BY CASE area WHEN 'rd' THEN 0 WHEN 'adoption' THEN 1"
    "  WHEN 'talent' THEN 2 WHEN 'startups' THEN 3 ELSE 4 END,"
    "  launched, code";

struct by_year {
	int		 y0, ny;
	int		 nschemes;
	char		 code[BY_SCHEMES_MAX][REPORT_SCHEME_MAX];
	char		 en[BY_SCHEMES_MAX][REPORT_LABEL_MAX];
	char		 zh[BY_SCHEMES_MAX][REPORT_LABEL_MAX];
	int64_t		 count[BY_YEARS_MAX][BY_SCHEMES_MAX];
	int		 first[BY_YEARS_MAX];
	int		 last[BY_YEARS_MAX];
	struct report_col cols[BY_SCHEMES_MAX + 4];
	char		 head[BY_SCHEMES_MAX][REPORT_LABEL_MAX];
};

static int	by_schemes(struct db *, struct by_year *, PGresult *,
		    const char *, struct app_err *);
static int	by_scheme_index(const struct by_year *, const char *);

static int
by_scheme_index(const struct by_year *b, const char *code)
{
	int	i;

	for (i = 0; code != NULL && i < b->nschemes; i++) {
		if (strcmp(b->code[i], code) == 0)
			return (i);
	}
	return (-1);
}

/*
 * Load the names of the schemes present in res, in area order; with one
 * scheme asked for, that scheme even if it has no application.
 */
static int
by_schemes(struct db *db, struct by_year *b, PGresult *res,
    const char *only, struct app_err *err)
{
	struct db_params	 q;
	PGresult		*sch;
	char			*arr, *w;
	size_t			 n;
	int			 i;

	n = 3 + ((size_t)PQntuples(res) + 1) * (REPORT_SCHEME_MAX + 1);
	if ((arr = malloc(n)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	w = arr;
	*w++ = '{';
	if (only != NULL)
		w += snprintf(w, n - 1, "%.8s", only);
	for (i = 0; only == NULL && i < PQntuples(res); i++) {
		/* Codes are [A-Z]{2,8} (CHECK): no quoting needed. */
		w += snprintf(w, n - (size_t)(w - arr), "%s%.8s",
		    i > 0 ? "," : "", db_str(res, i, 1));
	}
	*w++ = '}';
	*w = '\0';
	db_params_init(&q);
	dbp_str(&q, arr);
	sch = db_query(db, SQL_BY_SCHEMES, &q, err);
	free(arr);
	if (sch == NULL)
		return (0);
	for (i = 0; i < PQntuples(sch) && i < BY_SCHEMES_MAX; i++) {
		snprintf(b->code[i], sizeof(b->code[i]), "%s", db_str(sch, i, 0));
		snprintf(b->en[i], sizeof(b->en[i]), "%s", db_str(sch, i, 1));
		snprintf(b->zh[i], sizeof(b->zh[i]), "%s", db_str(sch, i, 2));
	}
	b->nschemes = i;
	PQclear(sch);
	return (1);
}

int
report_applications_by_year(struct db *db, const struct report_params *p,
    const char *out, struct app_err *err)
{
	struct report_book	 book;
	struct report_sheet	 sh;
	struct db_params	 q;
	struct by_year		*b;
	PGresult		*res;
	char			 period[256], label[FY_LABEL_LEN + 16];
	int			 i, j, y, k, ncols, fin, day, ok;
	int64_t			 rowsum, colsum[BY_SCHEMES_MAX], grand;

	fin = p->year_basis == REPORT_YEAR_FINANCIAL;
	db_params_init(&q);
	if (p->from >= 0)
		dbp_date(&q, p->from);
	else
		dbp_null(&q);
	if (p->to >= 0)
		dbp_date(&q, p->to);
	else
		dbp_null(&q);
	dbp_str(&q, p->scheme[0] != '\0' ? p->scheme : NULL);
	dbp_bool(&q, fin);
	if ((res = db_query(db, SQL_BY_YEAR, &q, err)) == NULL)
		return (0);
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		PQclear(res);
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	}
	ok = 0;
	if (!by_schemes(db, b, res, p->scheme[0] != '\0' ? p->scheme : NULL,
	    err))
		goto out;
	if (PQntuples(res) > 0) {
		b->y0 = db_int(res, 0, 0);
		b->ny = db_int(res, PQntuples(res) - 1, 0) - b->y0 + 1;
	}
	if (b->ny > BY_YEARS_MAX) {
		app_err_set(err, APP_EBADREQ, "from", "the period covers %d "
		    "years; this report shows at most %d", b->ny, BY_YEARS_MAX);
		goto out;
	}
	for (y = 0; y < b->ny; y++)
		b->first[y] = b->last[y] = -1;
	for (i = 0; i < PQntuples(res); i++) {
		y = db_int(res, i, 0) - b->y0;
		if ((j = by_scheme_index(b, db_str(res, i, 1))) < 0)
			continue;
		b->count[y][j] += db_i64(res, i, 2);
		if (date_parse(db_str(res, i, 3), &day) &&
		    (b->first[y] < 0 || day < b->first[y]))
			b->first[y] = day;
		if (date_parse(db_str(res, i, 4), &day) && day > b->last[y])
			b->last[y] = day;
	}

	/* Year, one column per scheme, total (with several), first, last. */
	ncols = 0;
	b->cols[ncols].en = fin ? "Financial year" : "Year";
	b->cols[ncols].zh = fin ? "財政年度" : "年份";
	b->cols[ncols++].kind = REPORT_TEXT;
	for (j = 0; j < b->nschemes; j++) {
		snprintf(b->head[j], sizeof(b->head[j]), "%.8s %.240s", b->code[j],
		    b->zh[j]);
		b->cols[ncols].en = b->nschemes == 1 ?
		    "Applications received" : b->code[j];
		b->cols[ncols].zh = b->nschemes == 1 ? "申請數目" : b->head[j];
		b->cols[ncols++].kind = REPORT_INT;
	}
	if (b->nschemes != 1) {
		b->cols[ncols].en = "Total applications received";
		b->cols[ncols].zh = "申請總數";
		b->cols[ncols++].kind = REPORT_INT;
	}
	b->cols[ncols].en = "First received";
	b->cols[ncols].zh = "最早接獲日期";
	b->cols[ncols++].kind = REPORT_DATE;
	b->cols[ncols].en = "Last received";
	b->cols[ncols].zh = "最後接獲日期";
	b->cols[ncols++].kind = REPORT_DATE;

	if (!report_book_open(&book, report_find("applications-by-year"), p,
	    out, 0, err))
		goto out;
	report_period_line(p, 0, period, sizeof(period));
	report_sheet_add(&book, &sh, "Applications by year", NULL, NULL,
	    period);
	if (b->nschemes == 1) {
		snprintf(period, sizeof(period), "%.8s %.120s %.120s",
		    b->code[0], b->en[0], b->zh[0]);
		report_sheet_note(&sh, period);
	}
	report_sheet_columns(&sh, b->cols, ncols, 1);
	memset(colsum, 0, sizeof(colsum));
	grand = 0;
	for (y = 0; y < b->ny; y++) {
		report_row(&sh, REPORT_ROW_PLAIN);
		if (fin)
			fy_label(b->y0 + y, label, sizeof(label));
		else
			snprintf(label, sizeof(label), "%d", b->y0 + y);
		report_text(&sh, 0, label);
		rowsum = 0;
		for (j = 0; j < b->nschemes; j++) {
			report_int(&sh, 1 + j, b->count[y][j]);
			rowsum += b->count[y][j];
			colsum[j] += b->count[y][j];
		}
		k = 1 + b->nschemes;
		if (b->nschemes != 1)
			report_int(&sh, k++, rowsum);
		report_date(&sh, k++, b->first[y]);
		report_date(&sh, k, b->last[y]);
		grand += rowsum;
		report_row_end(&sh);
	}
	report_row(&sh, REPORT_ROW_TOTAL);
	report_text(&sh, 0, "Total 總計");
	for (j = 0; j < b->nschemes; j++)
		report_int(&sh, 1 + j, colsum[j]);
	if (b->nschemes != 1)
		report_int(&sh, 1 + b->nschemes, grand);
	report_row_end(&sh);
	report_sheet_skip(&sh, 1);
	report_sheet_note(&sh, "Applications received: submitted, not "
	    "including those later withdrawn 接獲申請：已提交的申請，不包括"
	    "其後撤回的申請");
	report_sheet_fit(&sh);
	ok = report_book_close(&book, err);
out:
	PQclear(res);
	free(b);
	return (ok);
}
