/*
 * appropriation.c: the appropriation report (FCR(2021-22)22 paragraphs
 * 2, 19-23): the fund injections and subhead transfers approved by the
 * Finance Committee, with the paper reference, the approval date and the
 * value date of each, over a period; and, as at the end of the period,
 * each subhead's balance: uncommitted (available), committed, and total.
 *
 * Opening balances (earlier approvals brought into the ledger) are listed
 * with the injections; a reversal of any of these is listed on its own
 * date with a negative amount.  An injection or opening comes from the
 * General Revenue Account (GRA), an injection through Head 184.
 *
 * Tables read: ledger_entries, ledger_postings, ledger_accounts.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

/* $1 from (NULL: since inception), $2 to. */
static const char SQL_MOVEMENTS[] =
    "SELECT e.value_date, coalesce(e.approved_on, o.approved_on),"
    " coalesce(e.paper_ref, o.paper_ref), e.kind, coalesce(o.kind, e.kind),"
    " coalesce(e.from_account, o.from_account, 'GRA'),"
    " coalesce(e.to_account, o.to_account),"
    " coalesce(o.whole_balance, e.whole_balance),"
    " CASE WHEN e.reverses_id IS NULL THEN e.amount_cents"
    "  ELSE -e.amount_cents END::bigint, e.narrative, e.id, e.reverses_id"
    " FROM ledger_entries e"
    " LEFT JOIN ledger_entries o ON o.id = e.reverses_id"
    " WHERE coalesce(o.kind, e.kind) IN ('opening', 'injection', 'transfer')"
    " AND ($1::date IS NULL OR e.value_date >= $1) AND e.value_date <= $2"
    " ORDER BY e.value_date, e.id";

/* $1 the date of the balances. */
static const char SQL_BALANCES[] =
    "SELECT s.code, s.head, s.subhead, s.item, s.name_en, s.name_zh,"
    " s.in_fund,"
    " coalesce((SELECT sum(p.amount_cents) FROM ledger_postings p"
    "   WHERE p.account = s.code AND p.value_date <= $1), 0)::bigint,"
    " coalesce((SELECT sum(p.amount_cents) FROM ledger_postings p"
    "   JOIN ledger_accounts c ON c.code = p.account"
    "   WHERE c.subhead_of = s.code AND p.value_date <= $1), 0)::bigint"
    " FROM ledger_accounts s WHERE s.kind = 'subhead'"
    " ORDER BY s.sort_order";

static const struct report_col mcols[] = {
	{ "Value date", "生效日期", REPORT_DATE },
	{ "Approved on", "批准日期", REPORT_DATE },
	{ "Paper reference", "文件編號", REPORT_TEXT },
	{ "Type", "類別", REPORT_TEXT },
	{ "From", "轉出", REPORT_TEXT },
	{ "To", "轉入", REPORT_TEXT },
	{ "Whole balance", "全數轉撥", REPORT_TEXT },
	{ "Amount (HK$)", "金額 (港元)", REPORT_MONEY },
	{ "Narrative", "說明", REPORT_TEXT },
	{ "Entry no.", "記項編號", REPORT_INT },
};
#define NMCOLS	((int)(sizeof(mcols) / sizeof(mcols[0])))

static const struct report_col bcols[] = {
	{ "Account", "帳目", REPORT_TEXT },
	{ "Head", "總目", REPORT_TEXT },
	{ "Subhead", "分目", REPORT_TEXT },
	{ "Item", "項目", REPORT_TEXT },
	{ "Name (English)", "名稱 (英文)", REPORT_TEXT },
	{ "Name (Chinese)", "名稱 (中文)", REPORT_TEXT },
	{ "In the fund", "屬基金", REPORT_TEXT },
	{ "Uncommitted balance (HK$)", "未作承擔的結餘 (港元)", REPORT_MONEY },
	{ "Commitments outstanding (HK$)", "未履行承擔額 (港元)",
	    REPORT_MONEY },
	{ "Balance (HK$)", "結餘 (港元)", REPORT_MONEY },
};
#define NBCOLS	((int)(sizeof(bcols) / sizeof(bcols[0])))

static const char	*kind_label(const char *, const char *);

static const char *
kind_label(const char *kind, const char *original)
{
	if (strcmp(kind, "reversal") == 0) {
		if (strcmp(original, "injection") == 0)
			return ("Reversal of injection 撤銷注資");
		if (strcmp(original, "transfer") == 0)
			return ("Reversal of transfer 撤銷轉撥");
		return ("Reversal of opening balance 撤銷期初結餘");
	}
	if (strcmp(kind, "injection") == 0)
		return ("Injection 注資");
	if (strcmp(kind, "transfer") == 0)
		return ("Subhead transfer 分目轉撥");
	return ("Opening balance 期初結餘");
}

int
report_appropriation(struct db *db, const struct report_params *p,
    const char *out, struct app_err *err)
{
	struct report_book	 book;
	struct report_sheet	 mv, bal;
	struct db_params	 q;
	PGresult		*m, *b;
	cents_t			 injected, opened, un, co, t_un, t_co;
	char			 period[256], asat[128];
	struct report_params	 end;
	int			 i, c, n, to;

	to = p->to >= 0 ? p->to : p->today;
	db_params_init(&q);
	if (p->from >= 0)
		dbp_date(&q, p->from);
	else
		dbp_null(&q);
	dbp_date(&q, to);
	if ((m = db_query(db, SQL_MOVEMENTS, &q, err)) == NULL)
		return (0);
	db_params_init(&q);
	dbp_date(&q, to);
	if ((b = db_query(db, SQL_BALANCES, &q, err)) == NULL) {
		PQclear(m);
		return (0);
	}
	if (!report_book_open(&book, report_find("appropriation"), p, out, 0,
	    err)) {
		PQclear(m);
		PQclear(b);
		return (0);
	}

	report_period_line(p, 0, period, sizeof(period));
	report_sheet_add(&book, &mv, "Injections and transfers",
	    "Injections and subhead transfers", "注資及分目轉撥", period);
	report_sheet_columns(&mv, mcols, NMCOLS, 0);
	injected = opened = 0;
	n = PQntuples(m);
	for (i = 0; i < n; i++) {
		report_row(&mv, REPORT_ROW_PLAIN);
		report_value(&mv, 0, m, i, 0);
		report_value(&mv, 1, m, i, 1);
		report_value(&mv, 2, m, i, 2);
		report_text(&mv, 3, kind_label(db_str(m, i, 3),
		    db_str(m, i, 4)));
		report_value(&mv, 4, m, i, 5);
		report_value(&mv, 5, m, i, 6);
		report_text(&mv, 6, db_bool(m, i, 7) ? "Yes 是" : NULL);
		report_value(&mv, 7, m, i, 8);
		report_value(&mv, 8, m, i, 9);
		report_value(&mv, 9, m, i, 10);
		report_row_end(&mv);
		if (strcmp(db_str(m, i, 4), "injection") == 0)
			injected += db_i64(m, i, 8);
		else if (strcmp(db_str(m, i, 4), "opening") == 0)
			opened += db_i64(m, i, 8);
	}
	report_row(&mv, REPORT_ROW_TOTAL);
	report_text(&mv, 3, "Total injections 注資總額");
	report_cents(&mv, 7, injected);
	report_row_end(&mv);
	report_row(&mv, REPORT_ROW_TOTAL);
	report_text(&mv, 3, "Total opening balances 期初結餘總額");
	report_cents(&mv, 7, opened);
	report_row_end(&mv);
	report_sheet_fit(&mv);

	end = *p;
	end.on = to;
	report_period_line(&end, 1, asat, sizeof(asat));
	report_sheet_add(&book, &bal, "Subhead balances", "Subhead balances",
	    "分目結餘", asat);
	report_sheet_columns(&bal, bcols, NBCOLS, 1);
	t_un = t_co = 0;
	n = PQntuples(b);
	for (i = 0; i < n; i++) {
		un = db_i64(b, i, 7);
		co = db_i64(b, i, 8);
		report_row(&bal, REPORT_ROW_PLAIN);
		for (c = 0; c < 6; c++)
			report_value(&bal, c, b, i, c);
		report_text(&bal, 6, db_bool(b, i, 6) ? "Yes 是" : "No 否");
		report_cents(&bal, 7, un);
		report_cents(&bal, 8, co);
		report_cents(&bal, 9, un + co);
		report_row_end(&bal);
		if (db_bool(b, i, 6)) {
			t_un += un;
			t_co += co;
		}
	}
	report_row(&bal, REPORT_ROW_TOTAL);
	report_text(&bal, 4, "Innovation and Technology Fund: total");
	report_text(&bal, 5, "創新及科技基金總計");
	report_cents(&bal, 7, t_un);
	report_cents(&bal, 8, t_co);
	report_cents(&bal, 9, t_un + t_co);
	report_row_end(&bal);
	report_sheet_fit(&bal);
	PQclear(m);
	PQclear(b);
	return (report_book_close(&book, err));
}
