/*
 * project_register.c: the project-register report: every project, one
 * row each: reference, title, organisation, scheme, approved amount, the
 * current agreement's government contribution, paid to date, period and
 * status (FCR(2021-22)22 paragraph 30: the key particulars of funded
 * projects are published).
 *
 * The register may run to hundreds of thousands of rows, so it never holds
 * them: the rows come through a server-side cursor, a batch of
 * REPORT_FETCH_ROWS at a time (report_cursor_*), and the workbook is
 * written in libxlsxwriter's constant_memory mode, where each row leaves
 * memory when the next begins.  Memory use is the same for 100 rows or
 * 200,000.  Past Excel's 1,048,576 rows a sheet, the register continues
 * on further sheets ("Project register 2", ...) with the same title block
 * and header (report_sheet_room()); the total row ends the last one.
 *
 * Tables read: projects, organisations, ledger_commitments.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

/* $1 scheme (NULL: all). */
static const char SQL_REGISTER[] =
    "SELECT pr.reference, pr.title, o.name_en, o.name_zh, pr.scheme_code,"
    " pr.approved_cents, pr.government_cents,"
    " coalesce(lc.paid_cents, 0) - coalesce(lc.refunded_cents, 0),"
    " pr.start_date, pr.end_date, pr.status"
    " FROM projects pr JOIN organisations o ON o.id = pr.org_id"
    " LEFT JOIN ledger_commitments lc ON lc.project_id = pr.id"
    " WHERE ($1::text IS NULL OR pr.scheme_code = $1)"
    " ORDER BY pr.id";

static const struct report_col cols[] = {
	{ "Reference", "編號", REPORT_TEXT },
	{ "Project title", "項目名稱", REPORT_TEXT },
	{ "Organisation (English name)", "機構名稱 (英文)", REPORT_TEXT },
	{ "Organisation (Chinese name)", "機構名稱 (中文)", REPORT_TEXT },
	{ "Scheme", "資助計劃", REPORT_TEXT },
	{ "Approved amount (HK$)", "批出金額 (港元)", REPORT_MONEY },
	{ "Government contribution (HK$)", "政府資助額 (港元)", REPORT_MONEY },
	{ "Paid to date, net of refunds (HK$)", "已發放款項 (扣除退款) (港元)",
	    REPORT_MONEY },
	{ "Start date", "開始日期", REPORT_DATE },
	{ "End date", "完結日期", REPORT_DATE },
	{ "Status", "狀況", REPORT_TEXT },
};
#define NCOLS	((int)(sizeof(cols) / sizeof(cols[0])))

static const struct {
	const char	*status;
	const char	*label;
} statuses[] = {
	{ "awaiting_signature", "Awaiting signature 待簽署協議" },
	{ "active", "Active 進行中" },
	{ "suspended", "Suspended 暫停發放撥款" },
	{ "refund_due", "Refund due 待退還款項" },
	{ "closed", "Closed 已完成" },
	{ "terminated", "Terminated 已終止" },
};

static const char	*status_label(const char *);

static const char *
status_label(const char *status)
{
	size_t	i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		if (strcmp(statuses[i].status, status) == 0)
			return (statuses[i].label);
	}
	return (status);
}

int
report_project_register(struct db *db, const struct report_params *p,
    const char *out, struct app_err *err)
{
	struct report_book	 book;
	struct report_sheet	 sh;
	struct report_cursor	 cur;
	struct db_params	 q;
	const PGresult		*res;
	int64_t			 count;
	cents_t			 approved, gov, paid;
	char			 line[128];
	int			 row, c;

	if (!report_book_open(&book, report_find("project-register"), p, out,
	    1, err))
		return (0);
	report_period_line(p, 1, line, sizeof(line));
	report_sheet_add(&book, &sh, "Project register", NULL, NULL, line);
	report_sheet_columns(&sh, cols, NCOLS, 1);

	db_params_init(&q);
	dbp_str(&q, p->scheme[0] != '\0' ? p->scheme : NULL);
	if (!report_cursor_open(&cur, db, SQL_REGISTER, &q, err)) {
		report_book_abort(&book);
		return (0);
	}
	count = 0;
	approved = gov = paid = 0;
	while (report_cursor_next(&cur, &res, &row, err)) {
		if (!report_sheet_room(&sh, 1))
			break;
		report_row(&sh, REPORT_ROW_PLAIN);
		for (c = 0; c < 10; c++)
			report_value(&sh, c, res, row, c);
		report_text(&sh, 10, status_label(db_str(res, row, 10)));
		report_row_end(&sh);
		count++;
		approved += db_i64(res, row, 5);
		gov += db_i64(res, row, 6);
		paid += db_i64(res, row, 7);
	}
	report_cursor_close(&cur);
	if (err->code != APP_OK) {
		report_book_abort(&book);
		return (0);
	}
	report_sheet_autofilter(&sh);
	(void)report_sheet_room(&sh, 0);	/* a failure shows at close */
	report_row(&sh, REPORT_ROW_TOTAL);
	snprintf(line, sizeof(line), "Total: %lld projects 總計：%lld 個項目",
	    (long long)count, (long long)count);
	report_text(&sh, 0, line);
	report_cents(&sh, 5, approved);
	report_cents(&sh, 6, gov);
	report_cents(&sh, 7, paid);
	report_row_end(&sh);
	report_sheet_fit(&sh);
	return (report_book_close(&book, err));
}
