/*
 * commitment_position.c: the commitment-position report (FCR(2021-22)22
 * paragraph 5: "基金自1999年成立以來 ... 總承擔額約227億元 ... 基金尚餘
 * 可用承擔額為41億元"), as at a date, per subhead of the fund and in total:
 *
 *	projects			projects with a commitment (net of
 *					reversals) under the subhead
 *	commitments approved		every commitment since inception, net of
 *					reversals
 *	payments, releases		what left the commitments
 *	commitments transferred (net)	commitments moved in or out by subhead
 *					transfers of a whole balance
 *	commitments outstanding		= approved - payments - releases +
 *					transferred
 *	available commitment		the subhead's uncommitted balance
 *
 * Everything is summed from the ledger's postings with a value date on or
 * before the date (migrations/0005_ledger.sql: a subhead account holds the
 * uncommitted balance, its .COMMITTED account the commitments
 * outstanding; a reversal's lines count under the kind of the entry it
 * reverses).
 *
 * Tables read: ledger_accounts, ledger_entries, ledger_postings.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

/* $1 the as-at date. */
static const char SQL_POSITION[] =
    "WITH k AS (SELECT e.id, coalesce(o.kind, e.kind) AS kind"
    "  FROM ledger_entries e"
    "  LEFT JOIN ledger_entries o ON o.id = e.reverses_id"
    "  WHERE e.value_date <= $1::date)"
    " SELECT s.code, s.name_en, s.name_zh,"
    " (SELECT count(*) FROM (SELECT p2.project_id FROM ledger_postings p2"
    "   JOIN k k2 ON k2.id = p2.entry_id WHERE p2.account = c.code"
    "   AND k2.kind = 'commitment' AND p2.project_id IS NOT NULL"
    "   GROUP BY p2.project_id HAVING sum(p2.amount_cents) > 0) x),"
    " coalesce(sum(p.amount_cents) FILTER (WHERE p.account = c.code"
    "   AND k.kind = 'commitment'), 0)::bigint,"
    " coalesce(-sum(p.amount_cents) FILTER (WHERE p.account = c.code"
    "   AND k.kind = 'payment'), 0)::bigint,"
    " coalesce(-sum(p.amount_cents) FILTER (WHERE p.account = c.code"
    "   AND k.kind = 'release'), 0)::bigint,"
    " coalesce(sum(p.amount_cents) FILTER (WHERE p.account = c.code"
    "   AND k.kind NOT IN ('commitment', 'payment', 'release')), 0)::bigint,"
    " coalesce(sum(p.amount_cents) FILTER (WHERE p.account = c.code),"
    "   0)::bigint,"
    " coalesce(sum(p.amount_cents) FILTER (WHERE p.account = s.code),"
    "   0)::bigint"
    " FROM ledger_accounts s"
    " JOIN ledger_accounts c ON c.subhead_of = s.code"
    " LEFT JOIN ledger_postings p ON p.account IN (s.code, c.code)"
    "   AND p.value_date <= $1::date"
    " LEFT JOIN k ON k.id = p.entry_id"
    " WHERE s.kind = 'subhead' AND s.in_fund"
    " GROUP BY s.code, s.name_en, s.name_zh, s.sort_order, c.code"
    " ORDER BY s.sort_order";

static const struct report_col cols[] = {
	{ "Account", "帳目", REPORT_TEXT },
	{ "Subhead", "分目", REPORT_TEXT },
	{ "Subhead (Chinese)", "分目 (中文)", REPORT_TEXT },
	{ "Projects with commitments", "有承擔額的項目數目", REPORT_INT },
	{ "Commitments approved since inception (HK$)",
	    "自成立以來批出的承擔額 (港元)", REPORT_MONEY },
	{ "Payments (HK$)", "已發放款項 (港元)", REPORT_MONEY },
	{ "Commitments released (HK$)", "已解除承擔額 (港元)", REPORT_MONEY },
	{ "Commitments transferred, net (HK$)", "轉撥承擔額淨額 (港元)",
	    REPORT_MONEY },
	{ "Commitments outstanding (HK$)", "未履行承擔額 (港元)",
	    REPORT_MONEY },
	{ "Available commitment (HK$)", "可用承擔額 (港元)", REPORT_MONEY },
};
#define NCOLS	((int)(sizeof(cols) / sizeof(cols[0])))
#define NSUMS	7	/* columns 3 .. 9 */

int
report_commitment_position(struct db *db, const struct report_params *p,
    const char *out, struct app_err *err)
{
	struct report_book	 book;
	struct report_sheet	 sh;
	struct db_params	 q;
	PGresult		*res;
	int64_t			 sum[NSUMS];
	char			 period[128];
	int			 i, j, n;

	db_params_init(&q);
	dbp_date(&q, p->on >= 0 ? p->on : p->today);
	if ((res = db_query(db, SQL_POSITION, &q, err)) == NULL)
		return (0);
	if (!report_book_open(&book, report_find("commitment-position"), p,
	    out, 0, err)) {
		PQclear(res);
		return (0);
	}
	report_period_line(p, 1, period, sizeof(period));
	report_sheet_add(&book, &sh, "Commitment position", NULL, NULL,
	    period);
	report_sheet_columns(&sh, cols, NCOLS, 3);
	memset(sum, 0, sizeof(sum));
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		report_row(&sh, REPORT_ROW_PLAIN);
		for (j = 0; j < NCOLS; j++)
			report_value(&sh, j, res, i, j);
		for (j = 0; j < NSUMS; j++)
			sum[j] += db_i64(res, i, 3 + j);
		report_row_end(&sh);
	}
	PQclear(res);
	report_row(&sh, REPORT_ROW_TOTAL);
	report_text(&sh, 1, "Innovation and Technology Fund: total");
	report_text(&sh, 2, "創新及科技基金總計");
	report_int(&sh, 3, sum[0]);
	for (j = 1; j < NSUMS; j++)
		report_cents(&sh, 3 + j, sum[j]);
	report_row_end(&sh);
	report_sheet_skip(&sh, 1);
	report_sheet_note(&sh, "Commitments outstanding = approved - payments "
	    "- released + transferred. 未履行承擔額 = 批出 - 已發放 - 已解除 "
	    "+ 轉撥。Available commitment: the subhead's uncommitted balance "
	    "可用承擔額：分目未作承擔的結餘。");
	report_sheet_fit(&sh);
	return (report_book_close(&book, err));
}
