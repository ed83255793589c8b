/*
 * cash_flow.c: the cash-flow report, the table of FCR(2021-22)22
 * paragraph 32 ("財政年度 / 百萬元": 2020-21 5,331; 2021-22 5,062; ...):
 * payments by financial year (April to March, written 2021-22), per
 * scheme and in total, in HK$ million.
 *
 *	past years		actual payments (ledger payment entries, net of
 *				their reversals, by value date)
 *	the current year	actual to date (up to the "as at" date) and the
 *				estimate
 *	later years		the estimate
 *
 * Estimates are what the finance officer entered (table
 * cash_flow_estimates, PUT /api/v1/cash-flow-estimates); an estimate may
 * belong to no scheme ("not allocated").  The total column and the yearly
 * table add actuals for past years and estimates for the current and later
 * years, as the paper does.  A native Excel column chart shows the yearly
 * totals.
 *
 * Tables read: ledger_entries, applications (a ledger project id is its
 * application's id), schemes, cash_flow_estimates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "report.h"

#define CF_YEARS_MAX	40	/* financial years in one workbook */
#define CF_ROWS_MAX	64	/* schemes + not allocated + unmatched */
#define CF_SHEET	"Cash flow"

/* $1 as-at date, $2 scheme (NULL: all).  A reversal counts against the
 * payment it reverses, on its own value date. */
static const char SQL_CF_PAYMENTS[] =
    "SELECT a.scheme_code,"
    " extract(year FROM e.value_date - interval '3 months')::int AS fy,"
    " sum(CASE WHEN e.reverses_id IS NULL THEN e.amount_cents"
    "  ELSE -e.amount_cents END)::bigint"
    " FROM ledger_entries e"
    " LEFT JOIN ledger_entries o ON o.id = e.reverses_id"
    " LEFT JOIN applications a ON a.id = coalesce(e.project_id, o.project_id)"
    " WHERE coalesce(o.kind, e.kind) = 'payment' AND e.value_date <= $1"
    " AND ($2::text IS NULL OR a.scheme_code = $2)"
    " GROUP BY 1, 2";

static const char SQL_CF_ESTIMATES[] =
    "SELECT scheme_code, fy_start, amount_cents FROM cash_flow_estimates"
    " WHERE ($1::text IS NULL OR scheme_code = $1)";

static const char SQL_CF_SCHEMES[] =
    "SELECT code, name_en, name_zh FROM schemes"
    " WHERE ($1::text IS NULL OR code = $1)"
    " ORDER BY CASE area WHEN 'rd' THEN 0 WHEN 'adoption' THEN 1"
    "  WHEN 'talent' THEN 2 WHEN 'startups' THEN 3 ELSE 4 END,"
    "  launched, code";

enum cf_when { CF_PAST, CF_CURRENT, CF_FUTURE };

struct cf_row {
	char		code[REPORT_SCHEME_MAX];
	char		en[REPORT_LABEL_MAX];
	char		zh[REPORT_LABEL_MAX];
	int		used;		/* has data (for the extra rows) */
	cents_t		actual[CF_YEARS_MAX];
	cents_t		estimate[CF_YEARS_MAX];
};

struct cf_head {
	char		en[64];
	char		zh[64];
};

struct cf {
	struct cf_row	 rows[CF_ROWS_MAX];
	int		 nrows;
	int		 unallocated;	/* row index of estimates with no scheme */
	int		 unmatched;	/* row index of payments with no scheme */
	int		 fy0, nfy;	/* first financial year, how many */
	int		 fy_now;	/* the year of the as-at date */
	int		 on;
	struct report_col cols[3 + 2 * CF_YEARS_MAX + 1];
	struct cf_head	 heads[3 + 2 * CF_YEARS_MAX + 1];
	int		 ncols;
};

static int	cf_row_of(struct cf *, const char *);
static int	cf_years(struct cf *, const struct report_params *,
		    PGresult *, PGresult *, struct app_err *);
static void	cf_columns(struct cf *);
static enum cf_when cf_when_of(const struct cf *, int);
static cents_t	cf_figure(const struct cf_row *, const struct cf *, int);
static void	cf_write_row(struct report_sheet *, const struct cf *,
		    const struct cf_row *, int);
static int	cf_chart(struct report_book *, struct report_sheet *,
		    lxw_row_t, lxw_row_t);

static int
cf_row_of(struct cf *cf, const char *code)
{
	int	i;

	if (code == NULL)
		return (cf->unmatched);
	for (i = 0; i < cf->nrows; i++) {
		if (strcmp(cf->rows[i].code, code) == 0)
			return (i);
	}
	return (cf->unmatched);
}

static enum cf_when
cf_when_of(const struct cf *cf, int k)
{
	if (cf->fy0 + k < cf->fy_now)
		return (CF_PAST);
	return (cf->fy0 + k == cf->fy_now ? CF_CURRENT : CF_FUTURE);
}

/* What year k adds to the total: the actual, or (now and later) the
 * estimate. */
static cents_t
cf_figure(const struct cf_row *r, const struct cf *cf, int k)
{
	return (cf_when_of(cf, k) == CF_PAST ? r->actual[k] : r->estimate[k]);
}

/*
 * The financial years: those of from/to when given, else from the first
 * year with a payment or an estimate to the last year with an estimate
 * (at least up to the as-at year).
 */
static int
cf_years(struct cf *cf, const struct report_params *p, PGresult *pay,
    PGresult *est, struct app_err *err)
{
	int	lo, hi, i, y;

	lo = hi = cf->fy_now;
	for (i = 0; i < PQntuples(pay); i++) {
		y = db_int(pay, i, 1);
		lo = y < lo ? y : lo;
		hi = y > hi ? y : hi;
	}
	for (i = 0; i < PQntuples(est); i++) {
		y = db_int(est, i, 1);
		lo = y < lo ? y : lo;
		hi = y > hi ? y : hi;
	}
	if (p->from >= 0)
		lo = fy_of(p->from);
	if (p->to >= 0)
		hi = fy_of(p->to);
	if (hi < lo)
		hi = lo;
	if (hi - lo + 1 > CF_YEARS_MAX) {
		return (app_err_set(err, APP_EBADREQ,
		    p->from >= 0 ? "from" : "to", "the period covers %d "
		    "financial years; a cash-flow report shows at most %d",
		    hi - lo + 1, CF_YEARS_MAX));
	}
	cf->fy0 = lo;
	cf->nfy = hi - lo + 1;
	return (1);
}

static void
cf_columns(struct cf *cf)
{
	static const char	*fixed[3][2] = {
		{ "Code", "編號" },
		{ "Scheme (English name)", "計劃名稱 (英文)" },
		{ "Scheme (Chinese name)", "計劃名稱 (中文)" },
	};
	char			 fy[FY_LABEL_LEN];
	int			 c, k;

	for (c = 0; c < 3; c++) {
		cf->cols[c].en = fixed[c][0];
		cf->cols[c].zh = fixed[c][1];
		cf->cols[c].kind = REPORT_TEXT;
	}
	for (k = 0; k < cf->nfy; k++) {
		fy_label(cf->fy0 + k, fy, sizeof(fy));
		switch (cf_when_of(cf, k)) {
		case CF_PAST:
			snprintf(cf->heads[c].en, sizeof(cf->heads[c].en),
			    "%s Actual", fy);
			snprintf(cf->heads[c].zh, sizeof(cf->heads[c].zh),
			    "%s年度 實際", fy);
			c++;
			break;
		case CF_CURRENT:
			snprintf(cf->heads[c].en, sizeof(cf->heads[c].en),
			    "%s Actual to date", fy);
			snprintf(cf->heads[c].zh, sizeof(cf->heads[c].zh),
			    "%s年度 截至日期實際", fy);
			c++;
			/* FALLTHROUGH */
		case CF_FUTURE:
			snprintf(cf->heads[c].en, sizeof(cf->heads[c].en),
			    "%s Estimate", fy);
			snprintf(cf->heads[c].zh, sizeof(cf->heads[c].zh),
			    "%s年度 預算", fy);
			c++;
			break;
		}
	}
	snprintf(cf->heads[c].en, sizeof(cf->heads[c].en), "Total");
	snprintf(cf->heads[c].zh, sizeof(cf->heads[c].zh), "總計");
	c++;
	cf->ncols = c;
	for (c = 3; c < cf->ncols; c++) {
		cf->cols[c].en = cf->heads[c].en;
		cf->cols[c].zh = cf->heads[c].zh;
		cf->cols[c].kind = REPORT_MILLION;
	}
}

static void
cf_write_row(struct report_sheet *s, const struct cf *cf,
    const struct cf_row *r, int style)
{
	cents_t	total;
	int	c, k;

	report_row(s, style);
	if (r->code[0] != '\0')
		report_text(s, 0, r->code);
	report_text(s, 1, r->en);
	report_text(s, 2, r->zh);
	total = 0;
	for (c = 3, k = 0; k < cf->nfy; k++) {
		switch (cf_when_of(cf, k)) {
		case CF_PAST:
			report_cents(s, c++, r->actual[k]);
			break;
		case CF_CURRENT:
			report_cents(s, c++, r->actual[k]);
			/* FALLTHROUGH */
		case CF_FUTURE:
			report_cents(s, c++, r->estimate[k]);
			break;
		}
		total += cf_figure(r, cf, k);
	}
	report_cents(s, c, total);
	report_row_end(s);
}

/* A column chart of the yearly table's figures, rows first..last. */
static int
cf_chart(struct report_book *b, struct report_sheet *s, lxw_row_t first,
    lxw_row_t last)
{
	lxw_chart		*chart;
	lxw_chart_series	*series;

	if ((chart = workbook_add_chart(b->wb, LXW_CHART_COLUMN)) == NULL)
		return (0);
	series = chart_add_series(chart, NULL, NULL);
	if (series == NULL)
		return (0);
	chart_series_set_categories(series, CF_SHEET, first, 0, last, 0);
	chart_series_set_values(series, CF_SHEET, first, 2, last, 2);
	chart_series_set_name(series, "HK$ million 百萬港元");
	chart_title_set_name(chart, "Cash flow by financial year "
	    "按財政年度劃分的現金流量 (HK$ million 百萬港元)");
	chart_axis_set_num_format(chart->y_axis, "#,##0,,");
	chart_axis_set_name(chart->x_axis, "Financial year 財政年度");
	chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
	return (worksheet_insert_chart(s->ws, first - 2, 4, chart) ==
	    LXW_NO_ERROR);
}

int
report_cash_flow(struct db *db, const struct report_params *p,
    const char *out, struct app_err *err)
{
	static const struct report_col	 ycols[] = {
		{ "Financial year", "財政年度", REPORT_TEXT },
		{ "Basis", "基礎", REPORT_TEXT },
		{ "HK$ million", "百萬元", REPORT_MILLION },
	};
	struct report_book		 book;
	struct report_sheet		 sh;
	struct db_params		 q;
	struct cf			*cf;
	struct cf_row			 total;
	PGresult			*pay, *est, *sch;
	char				 period[256], fy[FY_LABEL_LEN];
	char				 a[DATE_ISO_LEN];
	int				 i, k, r, ok;
	cents_t				 yearly, grand;
	lxw_row_t			 first;

	pay = est = sch = NULL;
	ok = 0;
	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	cf->on = p->on >= 0 ? p->on : p->today;
	cf->fy_now = fy_of(cf->on);

	db_params_init(&q);
	dbp_date(&q, cf->on);
	dbp_str(&q, p->scheme[0] != '\0' ? p->scheme : NULL);
	if ((pay = db_query(db, SQL_CF_PAYMENTS, &q, err)) == NULL)
		goto out;
	db_params_init(&q);
	dbp_str(&q, p->scheme[0] != '\0' ? p->scheme : NULL);
	if ((est = db_query(db, SQL_CF_ESTIMATES, &q, err)) == NULL ||
	    (sch = db_query(db, SQL_CF_SCHEMES, &q, err)) == NULL)
		goto out;
	if (!cf_years(cf, p, pay, est, err))
		goto out;

	for (i = 0; i < PQntuples(sch) && cf->nrows < CF_ROWS_MAX - 2; i++) {
		snprintf(cf->rows[i].code, sizeof(cf->rows[i].code), "%s",
		    db_str(sch, i, 0));
		snprintf(cf->rows[i].en, sizeof(cf->rows[i].en), "%s",
		    db_str(sch, i, 1));
		snprintf(cf->rows[i].zh, sizeof(cf->rows[i].zh), "%s",
		    db_str(sch, i, 2));
		cf->rows[i].used = 1;
		cf->nrows++;
	}
	cf->unallocated = cf->nrows++;
	snprintf(cf->rows[cf->unallocated].en, REPORT_LABEL_MAX,
	    "Not allocated to a scheme");
	snprintf(cf->rows[cf->unallocated].zh, REPORT_LABEL_MAX,
	    "未按計劃分配");
	cf->unmatched = cf->nrows++;
	snprintf(cf->rows[cf->unmatched].en, REPORT_LABEL_MAX,
	    "Payments not matched to a scheme");
	snprintf(cf->rows[cf->unmatched].zh, REPORT_LABEL_MAX,
	    "未能配對計劃的付款");

	for (i = 0; i < PQntuples(pay); i++) {
		k = db_int(pay, i, 1) - cf->fy0;
		if (k < 0 || k >= cf->nfy)
			continue;
		r = cf_row_of(cf, db_str(pay, i, 0));
		cf->rows[r].actual[k] += db_i64(pay, i, 2);
		cf->rows[r].used = 1;
	}
	for (i = 0; i < PQntuples(est); i++) {
		k = db_int(est, i, 1) - cf->fy0;
		if (k < 0 || k >= cf->nfy)
			continue;
		r = db_isnull(est, i, 0) ? cf->unallocated :
		    cf_row_of(cf, db_str(est, i, 0));
		cf->rows[r].estimate[k] += db_i64(est, i, 2);
		cf->rows[r].used = 1;
	}

	cf_columns(cf);
	if (!report_book_open(&book, report_find("cash-flow"), p, out, 0, err))
		goto out;
	snprintf(period, sizeof(period), "Financial years 財政年度: %s to 至 "
	    "%d-%02d; actual payments as at 實際付款截至 %s",
	    fy_label(cf->fy0, fy, sizeof(fy)), cf->fy0 + cf->nfy - 1,
	    (cf->fy0 + cf->nfy) % 100, date_format(cf->on, a, sizeof(a)));
	report_sheet_add(&book, &sh, CF_SHEET, NULL, NULL, period);
	report_sheet_note(&sh, "HK$ million 百萬港元 (each cell holds the "
	    "exact amount in HK$ 儲存格載有以港元計的準確金額)");
	report_sheet_columns(&sh, cf->cols, cf->ncols, 3);

	memset(&total, 0, sizeof(total));
	snprintf(total.en, sizeof(total.en), "Total");
	snprintf(total.zh, sizeof(total.zh), "總計");
	for (r = 0; r < cf->nrows; r++) {
		if (!cf->rows[r].used)
			continue;
		cf_write_row(&sh, cf, &cf->rows[r], REPORT_ROW_PLAIN);
		for (k = 0; k < cf->nfy; k++) {
			total.actual[k] += cf->rows[r].actual[k];
			total.estimate[k] += cf->rows[r].estimate[k];
		}
	}
	cf_write_row(&sh, cf, &total, REPORT_ROW_TOTAL);

	/* The paper's table: one figure per year, and the chart of it. */
	report_sheet_skip(&sh, 2);
	report_sheet_note(&sh, "Expenditure by financial year 按財政年度劃分的"
	    "開支: actual for past years, estimates for the current and later "
	    "years 過往年度為實際開支，本年度及以後年度為預算");
	report_sheet_columns(&sh, ycols, 3, 0);
	first = sh.row;
	grand = 0;
	for (k = 0; k < cf->nfy; k++) {
		yearly = cf_figure(&total, cf, k);
		grand += yearly;
		report_row(&sh, REPORT_ROW_PLAIN);
		report_text(&sh, 0, fy_label(cf->fy0 + k, fy, sizeof(fy)));
		report_text(&sh, 1, cf_when_of(cf, k) == CF_PAST ?
		    "Actual 實際" : "Estimate 預算");
		report_cents(&sh, 2, yearly);
		report_row_end(&sh);
	}
	report_row(&sh, REPORT_ROW_TOTAL);
	report_text(&sh, 0, "Total 總計");
	report_cents(&sh, 2, grand);
	report_row_end(&sh);
	if (!cf_chart(&book, &sh, first, first + (lxw_row_t)cf->nfy - 1)) {
		report_book_abort(&book);
		app_err_set(err, APP_EINTERNAL, NULL, "cannot add the chart");
		goto out;
	}
	report_sheet_skip(&sh, 1);
	snprintf(period, sizeof(period), "Actual: ledger payments net of "
	    "reversals, by value date, to %s 實際：截至該日的帳冊付款 (已扣除撤銷)"
	    ". Estimate: as entered by finance 預算：財務人員輸入的數字.",
	    date_format(cf->on, a, sizeof(a)));
	report_sheet_note(&sh, period);
	report_sheet_fit(&sh);
	ok = report_book_close(&book, err);
out:
	PQclear(pay);
	PQclear(est);
	PQclear(sch);
	free(cf);
	return (ok);
}
