/*
 * scheme_statistics.c: the scheme-statistics report, the table of
 * FCR(2021-22)22 paragraph 6: per scheme, grouped by the five programme
 * areas, over a period:
 *
 *	received	applications submitted in the period (submitted_on),
 *			not withdrawn (the paper counts applications "not
 *			including those later withdrawn")
 *	assessed	applications whose assessment was completed in the
 *			period: the first move to recommended, not
 *			recommended, approved or rejected (application_events)
 *	approved	of those assessed, the ones approved by the end of the
 *			period
 *	success rate	approved / assessed ("在已評審的 3854 宗申請中，3623
 *			宗獲批 ... 成功率達 94%")
 *	government funding approved: the approved amount (decisions, else the
 *			project, else the request) of the approved ones
 *	applicant / private contribution: the applicant's part of the approved
 *			ones (the project's agreement, else as computed at
 *			submission)
 *
 * Tables read: schemes, applications, application_events, decisions,
 * projects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/*
 * $1 from (NULL: since inception), $2 to, $3 scheme (NULL: all).
 * Event times are turned into Hong Kong dates (UTC+8, no summer time).
 *
 * One pass: ev reads each application's assessment and approval events
 * once, grouped by application (correlated subqueries per application
 * ran about five times per row once the CTE was inlined: 25 s at 10x the
 * demo volume).  The first such event's date is the date of the earliest
 * event, the conversion to a date being monotonic.  decisions and
 * projects have one row per application at most (their keys), so the
 * joins add no rows.
 */
static const char SQL_STATISTICS[] =
    "WITH ev AS ("
    " SELECT ev.application_id, min(ev.at) AS assessed_at,"
    "  min(ev.at) FILTER (WHERE ev.to_status = 'approved') AS approved_at"
    " FROM application_events ev"
    " WHERE ev.to_status IN ('recommended', 'not_recommended', 'approved',"
    "  'rejected')"
    " GROUP BY ev.application_id),"
    " app AS ("
    " SELECT a.id, a.scheme_code, a.submitted_on, a.status,"
    "  ((ev.assessed_at AT TIME ZONE 'UTC') + interval '8 hours')::date"
    "   AS assessed_on,"
    "  ((ev.approved_at AT TIME ZONE 'UTC') + interval '8 hours')::date"
    "   AS approved_on,"
    "  coalesce(d.approved_cents, pr.approved_cents, a.requested_cents, 0)"
    "   AS gov_cents,"
    "  coalesce(pr.applicant_cents, a.applicant_cents, 0) AS own_cents"
    " FROM applications a"
    " LEFT JOIN ev ON ev.application_id = a.id"
    " LEFT JOIN decisions d ON d.application_id = a.id"
    "   AND d.decision = 'approve'"
    " LEFT JOIN projects pr ON pr.id = a.id"
    " WHERE a.submitted_on IS NOT NULL"
    " AND ($3::text IS NULL OR a.scheme_code = $3)),"
    " f AS (SELECT app.*,"
    "  (app.assessed_on >= coalesce($1::date, '-infinity')"
    "   AND app.assessed_on <= $2::date) AS assessed,"
    "  (app.assessed_on >= coalesce($1::date, '-infinity')"
    "   AND app.assessed_on <= $2::date"
    "   AND app.approved_on <= $2::date) AS approved"
    " FROM app)"
    " SELECT s.code, s.name_en, s.name_zh, s.area,"
    "  count(f.id) FILTER (WHERE f.status <> 'withdrawn'"
    "   AND f.submitted_on >= coalesce($1::date, '-infinity')"
    "   AND f.submitted_on <= $2::date),"
    "  count(f.id) FILTER (WHERE f.assessed),"
    "  count(f.id) FILTER (WHERE f.approved),"
    "  coalesce(sum(f.gov_cents) FILTER (WHERE f.approved), 0)::bigint,"
    "  coalesce(sum(f.own_cents) FILTER (WHERE f.approved), 0)::bigint"
    " FROM schemes s LEFT JOIN f ON f.scheme_code = s.code"
    " WHERE ($3::text IS NULL OR s.code = $3)"
    " GROUP BY s.code, s.name_en, s.name_zh, s.area, s.launched"
    " ORDER BY CASE s.area WHEN 'rd' THEN 0 WHEN 'adoption' THEN 1"
    "  WHEN 'talent' THEN 2 WHEN 'startups' THEN 3 ELSE 4 END,"
    "  s.launched, s.code";

static const struct report_col cols[] = {
	{ "Code", "編號", REPORT_TEXT },
	{ "Scheme (English name)", "計劃名稱 (英文)", REPORT_TEXT },
	{ "Scheme (Chinese name)", "計劃名稱 (中文)", REPORT_TEXT },
	{ "Applications received", "接獲申請數目", REPORT_INT },
	{ "Applications assessed", "已評審申請數目", REPORT_INT },
	{ "Applications approved", "獲批申請數目", REPORT_INT },
	{ "Success rate", "成功率", REPORT_PCT },
	{ "Government funding approved (HK$)", "批出資助額 (港元)",
	    REPORT_MONEY },
	{ "Applicant / private contribution (HK$)",
	    "申請者／私營機構出資 (港元)", REPORT_MONEY },
};
#define NCOLS	((int)(sizeof(cols) / sizeof(cols[0])))

struct totals {
	int64_t		received, assessed, approved;
	cents_t		gov, own;
};

static void	totals_row(struct report_sheet *, const char *,
		    const struct totals *, int);
static void	totals_add(struct totals *, const struct totals *);
static const char *area_name(const char *);

static const char *
area_name(const char *code)
{
	return (report_area_en(code) != NULL ? report_area_en(code) : code);
}

static void
totals_add(struct totals *t, const struct totals *r)
{
	t->received += r->received;
	t->assessed += r->assessed;
	t->approved += r->approved;
	t->gov += r->gov;
	t->own += r->own;
}

static void
totals_row(struct report_sheet *s, const char *label, const struct totals *t,
    int style)
{
	report_row(s, style);
	report_text(s, 1, label);
	report_int(s, 3, t->received);
	report_int(s, 4, t->assessed);
	report_int(s, 5, t->approved);
	report_ratio(s, 6, t->approved, t->assessed);
	report_cents(s, 7, t->gov);
	report_cents(s, 8, t->own);
	report_row_end(s);
}

int
report_scheme_statistics(struct db *db, const struct report_params *p,
    const char *out, struct app_err *err)
{
	struct report_book	 book;
	struct report_sheet	 sh;
	struct db_params	 q;
	struct totals		 area, all, r;
	PGresult		*res;
	const char		*code, *prev;
	char			 period[256], label[256];
	int			 i, n;

	db_params_init(&q);
	if (p->from >= 0)
		dbp_date(&q, p->from);
	else
		dbp_null(&q);
	dbp_date(&q, p->to >= 0 ? p->to : p->today);
	dbp_str(&q, p->scheme[0] != '\0' ? p->scheme : NULL);
	if ((res = db_query(db, SQL_STATISTICS, &q, err)) == NULL)
		return (0);

	if (!report_book_open(&book, report_find("scheme-statistics"), p, out,
	    0, err)) {
		PQclear(res);
		return (0);
	}
	report_period_line(p, 0, period, sizeof(period));
	report_sheet_add(&book, &sh, "Scheme statistics", NULL, NULL, period);
	report_sheet_columns(&sh, cols, NCOLS, 3);

	memset(&area, 0, sizeof(area));
	memset(&all, 0, sizeof(all));
	prev = NULL;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		code = db_str(res, i, 3);
		if (prev == NULL || strcmp(prev, code) != 0) {
			if (prev != NULL) {
				snprintf(label, sizeof(label), "Subtotal: %s "
				    "小計", area_name(prev));
				totals_row(&sh, label, &area, REPORT_ROW_TOTAL);
			}
			memset(&area, 0, sizeof(area));
			snprintf(label, sizeof(label), "%s %s",
			    area_name(code), report_area_zh(code) ?
			    report_area_zh(code) : "");
			report_row(&sh, REPORT_ROW_GROUP);
			report_text(&sh, 0, label);
			report_row_end(&sh);
			prev = code;
		}
		r.received = db_i64(res, i, 4);
		r.assessed = db_i64(res, i, 5);
		r.approved = db_i64(res, i, 6);
		r.gov = db_i64(res, i, 7);
		r.own = db_i64(res, i, 8);
		totals_add(&area, &r);
		totals_add(&all, &r);

		report_row(&sh, REPORT_ROW_PLAIN);
		report_value(&sh, 0, res, i, 0);
		report_value(&sh, 1, res, i, 1);
		report_value(&sh, 2, res, i, 2);
		report_int(&sh, 3, r.received);
		report_int(&sh, 4, r.assessed);
		report_int(&sh, 5, r.approved);
		report_ratio(&sh, 6, r.approved, r.assessed);
		report_cents(&sh, 7, r.gov);
		report_cents(&sh, 8, r.own);
		report_row_end(&sh);
	}
	if (prev != NULL) {
		snprintf(label, sizeof(label), "Subtotal: %s 小計",
		    area_name(prev));
		totals_row(&sh, label, &area, REPORT_ROW_TOTAL);
	}
	totals_row(&sh, "Total 總計", &all, REPORT_ROW_TOTAL);
	PQclear(res);

	report_sheet_skip(&sh, 1);
	report_sheet_note(&sh, "Received: submitted in the period, not "
	    "withdrawn. Assessed: assessment completed in the period. "
	    "Approved: of those assessed, approved by the end of the period. "
	    "Success rate = approved / assessed.");
	report_sheet_note(&sh, "接獲申請：期內提交而未撤回的申請。已評審："
	    "期內完成評審的申請。獲批：已評審申請中於期末前獲批的申請。"
	    "成功率 = 獲批 / 已評審。");
	report_sheet_fit(&sh);
	return (report_book_close(&book, err));
}
