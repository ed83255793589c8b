/*
 * projects_db.c: projects in the database: creation in the approval
 * transaction, reads and lists, the schedule before signing, signing,
 * suspension, termination, close-out and refunds.  Owns the tables
 * projects, project_budget_lines, project_milestones, project_tranches,
 * agreement_versions and project_refunds (migrations/0007_projects.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applications.h"
#include "audit.h"
#include "dates.h"
#include "ledger.h"
#include "payments.h"
#include "projects.h"

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* A milestone of project p (alias m) is overdue on $2 (today). */
#define OVERDUE(m, p)							\
    "(" p ".status IN ('active', 'suspended') AND " m ".due_date < $2::date"\
    " AND NOT EXISTS (SELECT 1 FROM progress_reports r0"		\
    "  WHERE r0.project_id = " m ".project_id AND r0.milestone_seq = "	\
    m ".seq AND r0.kind = 'progress'"					\
    "  AND r0.status IN ('submitted', 'accepted')))"

#define PROJECT_COLS							\
    "id, org_id, scheme_code, rule_version, reference, status,"		\
    " payment_pattern, initial_max_bp, final_min_bp, initial_bp,"	\
    " approved_cents, government_cents, applicant_cents,"		\
    " total_cost_cents, start_date, end_date, agreement_version,"	\
    " signed_at IS NOT NULL, audited_cost_cents IS NOT NULL,"		\
    " coalesce(audited_cost_cents, 0), coalesce(interest_cents, 0),"	\
    " refund_due_cents, refunded_cents"

static const char SQL_LOAD[] =
    "SELECT " PROJECT_COLS " FROM projects WHERE id = $1";
static const char SQL_LOAD_LOCK[] =
    "SELECT " PROJECT_COLS " FROM projects WHERE id = $1 FOR UPDATE";

static const char SQL_APP_ROW[] =
    "SELECT a.org_id, a.scheme_code, a.status, a.reference, a.title,"
    " a.start_date, a.end_date, a.total_cost_cents, a.requested_cents,"
    " a.rule_version, (SELECT s.definition->'payment' FROM schemes s"
    "  WHERE s.code = a.scheme_code)::text,"
    " EXISTS (SELECT 1 FROM projects p WHERE p.id = a.id)"
    " FROM applications a WHERE a.id = $1 FOR UPDATE OF a";

static const char SQL_APP_LINES[] =
    "SELECT line_no, category, description, amount_cents"
    " FROM application_budget_lines WHERE application_id = $1"
    " ORDER BY line_no";

static const char SQL_APP_MILESTONES[] =
    "SELECT title, deliverables, due_date FROM application_milestones"
    " WHERE application_id = $1 ORDER BY due_date, seq";

static const char SQL_INSERT_PROJECT[] =
    "INSERT INTO projects (id, org_id, scheme_code, rule_version, reference,"
    " title, payment_pattern, initial_max_bp, final_min_bp, initial_bp,"
    " approved_cents, government_cents, applicant_cents, total_cost_cents,"
    " start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
    " $10, $11, $12, $13, $14, $15, $16)";

static const char SQL_INSERT_LINES[] =
    "INSERT INTO project_budget_lines (project_id, line_no, category,"
    " description, amount_cents, government_cents)"
    " SELECT $1, x.line_no, x.category, coalesce(x.description, ''),"
    " x.amount_cents, x.government_cents"
    " FROM jsonb_to_recordset($2::jsonb) AS x(line_no integer,"
    " category text, description text, amount_cents bigint,"
    " government_cents bigint)";

static const char SQL_DELETE_TRANCHES[] =
    "DELETE FROM project_tranches WHERE project_id = $1";
static const char SQL_DELETE_MILESTONES[] =
    "DELETE FROM project_milestones WHERE project_id = $1";

static const char SQL_INSERT_MILESTONES[] =
    "INSERT INTO project_milestones (project_id, seq, title, deliverables,"
    " due_date, tranche_bp, is_final)"
    " SELECT $1, x.seq, x.title, coalesce(x.deliverables, ''), x.due_date,"
    " x.tranche_bp, x.is_final"
    " FROM jsonb_to_recordset($2::jsonb) AS x(seq integer, title text,"
    " deliverables text, due_date date, tranche_bp integer,"
    " is_final boolean)";

static const char SQL_INSERT_TRANCHES[] =
    "INSERT INTO project_tranches (project_id, seq, kind, milestone_seq, bp,"
    " amount_cents)"
    " SELECT $1, x.seq, x.kind, x.milestone_seq, x.bp, x.amount_cents"
    " FROM jsonb_to_recordset($2::jsonb) AS x(seq integer, kind text,"
    " milestone_seq integer, bp integer, amount_cents bigint)";

static const char SQL_SNAPSHOT[] =
    "INSERT INTO agreement_versions (project_id, version, approved_cents,"
    " government_cents, applicant_cents, total_cost_cents, start_date,"
    " end_date, initial_bp, budget, milestones, tranches, reason,"
    " variation_id, created_by, created_label)"
    " SELECT p.id, p.agreement_version, p.approved_cents, p.government_cents,"
    " p.applicant_cents, p.total_cost_cents, p.start_date, p.end_date,"
    " p.initial_bp,"
    " (SELECT coalesce(jsonb_agg(jsonb_build_object('line_no', l.line_no,"
    "  'category', l.category, 'description', l.description,"
    "  'amount_cents', l.amount_cents, 'government_cents',"
    "  l.government_cents) ORDER BY l.line_no), '[]')"
    "  FROM project_budget_lines l WHERE l.project_id = p.id),"
    " (SELECT coalesce(jsonb_agg(jsonb_build_object('seq', m.seq,"
    "  'title', m.title, 'deliverables', m.deliverables, 'due_date',"
    "  m.due_date, 'tranche_bp', m.tranche_bp, 'final', m.is_final)"
    "  ORDER BY m.seq), '[]')"
    "  FROM project_milestones m WHERE m.project_id = p.id),"
    " (SELECT coalesce(jsonb_agg(jsonb_build_object('seq', t.seq,"
    "  'kind', t.kind, 'milestone_seq', t.milestone_seq, 'bp', t.bp,"
    "  'amount_cents', t.amount_cents) ORDER BY t.seq), '[]')"
    "  FROM project_tranches t WHERE t.project_id = p.id),"
    " $2, $3, $4, $5 FROM projects p WHERE p.id = $1";

static const char SQL_OVERDUE[] =
    "SELECT m.seq, m.title, m.due_date, $2::date - m.due_date"
    " FROM project_milestones m JOIN projects p ON p.id = m.project_id"
    " WHERE m.project_id = $1 AND " OVERDUE("m", "p")
    " ORDER BY m.due_date, m.seq";

static const char SQL_SIGN[] =
    "UPDATE projects SET status = 'active', signed_version ="
    " agreement_version, signed_at = now(), signed_by = $2, signed_as = $3,"
    " updated_at = now() WHERE id = $1 AND status = 'awaiting_signature'";
static const char SQL_UNLOCK_INITIAL[] =
    "UPDATE project_tranches SET unlocked_at = now()"
    " WHERE project_id = $1 AND kind = 'initial' AND unlocked_at IS NULL";

static const char SQL_SET_STATUS[] =
    "UPDATE projects SET status = $2, updated_at = now() WHERE id = $1";
static const char SQL_SUSPEND[] =
    "UPDATE projects SET status = 'suspended', suspended_at = now(),"
    " suspension_reason = $2, updated_at = now() WHERE id = $1";
static const char SQL_TERMINATE[] =
    "UPDATE projects SET status = 'terminated', terminated_at = now(),"
    " termination_reason = $2, updated_at = now() WHERE id = $1";
static const char SQL_SCHEDULE_PROJECT[] =
    "UPDATE projects SET initial_bp = $2, agreement_version ="
    " agreement_version + 1, updated_at = now() WHERE id = $1";
static const char SQL_FINAL_STATE[] =
    "SELECT report_accepted_at IS NOT NULL, accounts_accepted_at IS NOT NULL"
    " FROM project_milestones WHERE project_id = $1 AND is_final";
static const char SQL_CLOSE[] =
    "UPDATE projects SET gov_share_cents = $2, surplus_cents = $3,"
    " refund_due_cents = $4, status = CASE WHEN $4::bigint > 0"
    " THEN 'refund_due' ELSE 'closed' END, closed_at = CASE WHEN"
    " $4::bigint > 0 THEN NULL ELSE now() END, updated_at = now()"
    " WHERE id = $1";
static const char SQL_REFUND[] =
    "UPDATE projects SET refunded_cents = refunded_cents + $2,"
    " status = CASE WHEN refunded_cents + $2 = refund_due_cents"
    " THEN 'closed' ELSE status END,"
    " closed_at = CASE WHEN refunded_cents + $2 = refund_due_cents"
    " THEN now() ELSE closed_at END, updated_at = now() WHERE id = $1";
static const char SQL_SETTLE[] =
    "UPDATE projects SET termination_cost_cents = $2,"
    " termination_interest_cents = $3, gov_share_cents = $4,"
    " surplus_cents = $5, refund_due_cents = $6, status = CASE WHEN"
    " $6::bigint > 0 THEN 'refund_due' ELSE 'closed' END, closed_at ="
    " CASE WHEN $6::bigint > 0 THEN NULL ELSE now() END, settled_at = now(),"
    " updated_at = now() WHERE id = $1 AND status = 'terminated'";
static const char SQL_INSERT_REFUND[] =
    "INSERT INTO project_refunds (project_id, amount_cents, reference,"
    " ledger_entry_id, recorded_by) VALUES ($1, $2, $3, $4, $5)"
    " RETURNING id";

static const char SQL_MS_PROGRESS[] =
    "UPDATE project_milestones SET report_accepted_at = now()"
    " WHERE project_id = $1 AND seq = $2 RETURNING is_final";
static const char SQL_MS_ACCOUNTS[] =
    "UPDATE project_milestones SET accounts_accepted_at = now()"
    " WHERE project_id = $1 AND seq = $2 AND is_final RETURNING is_final";
static const char SQL_PROJECT_AUDITED[] =
    "UPDATE projects SET audited_cost_cents = $2, interest_cents = $3,"
    " updated_at = now() WHERE id = $1";
static const char SQL_UNLOCK_MILESTONE[] =
    "UPDATE project_tranches t SET unlocked_at = now()"
    " FROM project_milestones m"
    " WHERE t.project_id = $1 AND t.milestone_seq = $2"
    " AND m.project_id = t.project_id AND m.seq = t.milestone_seq"
    " AND t.unlocked_at IS NULL AND m.report_accepted_at IS NOT NULL"
    " AND (t.kind = 'milestone' OR m.accounts_accepted_at IS NOT NULL)";

/* $1 id, $2 today. */
static const char SQL_GET[] =
    "SELECT json_build_object('id', p.id, 'reference', p.reference,"
    " 'title', p.title, 'scheme', p.scheme_code, 'rule_version',"
    " p.rule_version, 'status', p.status,"
    " 'organisation', json_build_object('id', o.id, 'name_en', o.name_en,"
    "  'name_zh', o.name_zh),"
    " 'payment', json_build_object('pattern', p.payment_pattern,"
    "  'initial_max_bp', p.initial_max_bp, 'final_min_bp', p.final_min_bp,"
    "  'pays_by', CASE WHEN p.payment_pattern NOT IN ('monthly_claims',"
    "   'annual_reimbursement', 'co_investment') THEN 'tranches'"
    "   WHEN EXISTS (SELECT 1 FROM payments x JOIN project_tranches t0"
    "    ON t0.id = x.tranche_id WHERE x.project_id = p.id AND x.status <>"
    "    'cancelled' AND t0.kind <> 'initial') THEN 'tranches'"
    "   ELSE 'claims' END),"
    " 'agreement', json_build_object('version', p.agreement_version,"
    "  'signed_version', p.signed_version, 'signed_at', " TS("p.signed_at")
    "  , 'signed_as', p.signed_as, 'approved_cents', p.approved_cents,"
    "  'government_cents', p.government_cents, 'applicant_cents',"
    "  p.applicant_cents, 'total_cost_cents', p.total_cost_cents,"
    "  'start_date', p.start_date, 'end_date', p.end_date,"
    "  'initial_bp', p.initial_bp,"
    "  'budget_lines', (SELECT coalesce(json_agg(json_build_object("
    "   'line_no', l.line_no, 'category', l.category, 'description',"
    "   l.description, 'amount_cents', l.amount_cents, 'government_cents',"
    "   l.government_cents) ORDER BY l.line_no), '[]')"
    "   FROM project_budget_lines l WHERE l.project_id = p.id)),"
    " 'milestones', (SELECT coalesce(json_agg(json_build_object('seq', m.seq,"
    "  'title', m.title, 'deliverables', m.deliverables, 'due_date',"
    "  m.due_date, 'tranche_bp', m.tranche_bp, 'final', m.is_final,"
    "  'report_accepted_at', " TS("m.report_accepted_at") ","
    "  'accounts_accepted_at', " TS("m.accounts_accepted_at") ","
    "  'days_overdue', CASE WHEN " OVERDUE("m", "p")
    "   THEN $2::date - m.due_date END,"
    "  'reports', (SELECT coalesce(json_agg(json_build_object('id', r.id,"
    "   'kind', r.kind, 'status', r.status, 'submitted_at', "
    TS("r.submitted_at") ", 'expenditure_cents', r.expenditure_cents,"
    "   'audited_cost_cents', r.audited_cost_cents, 'interest_cents',"
    "   r.interest_cents, 'has_file', r.file_stored IS NOT NULL,"
    "   'reviewed_at', " TS("r.reviewed_at") ", 'review_note',"
    "   r.review_note) ORDER BY r.id), '[]') FROM progress_reports r"
    "   WHERE r.project_id = p.id AND r.milestone_seq = m.seq))"
    "  ORDER BY m.seq), '[]') FROM project_milestones m"
    "  WHERE m.project_id = p.id),"
    " 'tranches', (SELECT coalesce(json_agg(json_build_object('id', t.id,"
    "  'seq', t.seq, 'kind', t.kind, 'milestone_seq', t.milestone_seq,"
    "  'bp', t.bp, 'amount_cents', t.amount_cents, 'unlocked_at', "
    TS("t.unlocked_at") ", 'state', CASE"
    "   WHEN EXISTS (SELECT 1 FROM payments x WHERE x.tranche_id = t.id"
    "    AND x.status = 'approved') THEN 'paid'"
    "   WHEN EXISTS (SELECT 1 FROM payments x WHERE x.tranche_id = t.id"
    "    AND x.status = 'prepared') THEN 'payment_prepared'"
    "   WHEN t.unlocked_at IS NOT NULL THEN 'unlocked' ELSE 'locked' END,"
    "  'paid_cents', (SELECT coalesce(sum(x.amount_cents), 0) FROM payments"
    "   x WHERE x.tranche_id = t.id AND x.status = 'approved'))"
    "  ORDER BY t.seq), '[]') FROM project_tranches t"
    "  WHERE t.project_id = p.id),"
    " 'claims', (SELECT coalesce(json_agg(json_build_object('id', c.id,"
    "  'kind', c.kind, 'version', c.version, 'previous_id', c.previous_id,"
    "  'status', c.status, 'period', c.period, 'amount_cents',"
    "  c.amount_cents, 'advance_offset_cents', c.advance_offset_cents,"
    "  'payable_cents', c.payable_cents, 'capped_by', c.capped_by,"
    "  'submitted_at', " TS("c.submitted_at") ", 'reviewed_at', "
    TS("c.reviewed_at") ", 'review_note', c.review_note) ORDER BY c.id),"
    "  '[]') FROM claims c WHERE c.project_id = p.id),"
    " 'payments', (SELECT coalesce(json_agg(json_build_object('id', x.id,"
    "  'tranche_id', x.tranche_id, 'claim_id', x.claim_id,"
    "  'amount_cents', x.amount_cents,"
    "  'status', x.status, 'prepared_at', " TS("x.prepared_at") ","
    "  'approved_at', " TS("x.approved_at") ", 'cancelled_at', "
    TS("x.cancelled_at") ", 'ledger_entry_id', x.ledger_entry_id)"
    "  ORDER BY x.id), '[]') FROM payments x WHERE x.project_id = p.id),"
    " 'paid_cents', (SELECT coalesce(sum(x.amount_cents), 0) FROM payments x"
    "  WHERE x.project_id = p.id AND x.status = 'approved'),"
    " 'holds', (SELECT coalesce(json_agg(h.v ORDER BY h.k, h.s), '[]') FROM ("
    "  SELECT 0 AS k, 0 AS s, json_build_object('kind', 'suspended',"
    "   'since', " TS("p.suspended_at") ", 'reason', p.suspension_reason)"
    "   AS v WHERE p.status = 'suspended'"
    "  UNION ALL SELECT 1, m.seq, json_build_object('kind',"
    "   'overdue_report', 'milestone_seq', m.seq, 'title', m.title,"
    "   'due_date', m.due_date, 'days_overdue', $2::date - m.due_date)"
    "   FROM project_milestones m WHERE m.project_id = p.id AND "
    OVERDUE("m", "p") ") h),"
    " 'suspension', CASE WHEN p.suspended_at IS NULL THEN NULL ELSE"
    "  json_build_object('since', " TS("p.suspended_at") ", 'reason',"
    "  p.suspension_reason, 'current', p.status = 'suspended') END,"
    " 'termination', CASE WHEN p.terminated_at IS NULL THEN NULL ELSE"
    "  json_build_object('at', " TS("p.terminated_at") ", 'reason',"
    "  p.termination_reason, 'eligible_cost_cents',"
    "  p.termination_cost_cents, 'interest_cents',"
    "  p.termination_interest_cents, 'settled_at', " TS("p.settled_at")
    "  ) END,"
    " 'audited_accounts', CASE WHEN p.audited_cost_cents IS NULL THEN NULL"
    "  ELSE json_build_object('audited_cost_cents', p.audited_cost_cents,"
    "  'interest_cents', p.interest_cents) END,"
    " 'close_out', CASE WHEN p.gov_share_cents IS NULL THEN NULL ELSE"
    "  json_build_object('gov_share_cents', p.gov_share_cents,"
    "  'surplus_cents', p.surplus_cents, 'refund_due_cents',"
    "  p.refund_due_cents, 'refunded_cents', p.refunded_cents,"
    "  'closed_at', " TS("p.closed_at") ") END,"
    " 'refunds', (SELECT coalesce(json_agg(json_build_object('id', f.id,"
    "  'amount_cents', f.amount_cents, 'reference', f.reference,"
    "  'ledger_entry_id', f.ledger_entry_id, 'recorded_at', "
    TS("f.recorded_at") ") ORDER BY f.id), '[]') FROM project_refunds f"
    "  WHERE f.project_id = p.id),"
    " 'variations', (SELECT coalesce(json_agg(json_build_object('id', v.id,"
    "  'status', v.status, 'request', v.request, 'reason', v.reason,"
    "  'requested_at', " TS("v.requested_at") ", 'decided_at', "
    TS("v.decided_at") ", 'decision_note', v.decision_note,"
    "  'agreement_version', v.agreement_version) ORDER BY v.id), '[]')"
    "  FROM project_variations v WHERE v.project_id = p.id),"
    " 'agreement_versions', (SELECT coalesce(json_agg(json_build_object("
    "  'version', a.version, 'reason', a.reason, 'variation_id',"
    "  a.variation_id, 'approved_cents', a.approved_cents,"
    "  'government_cents', a.government_cents, 'applicant_cents',"
    "  a.applicant_cents, 'total_cost_cents', a.total_cost_cents,"
    "  'start_date', a.start_date, 'end_date', a.end_date, 'initial_bp',"
    "  a.initial_bp, 'budget_lines', a.budget, 'milestones', a.milestones,"
    "  'tranches', a.tranches, 'created_by', a.created_label,"
    "  'created_at', " TS("a.created_at") ") ORDER BY a.version), '[]')"
    "  FROM agreement_versions a WHERE a.project_id = p.id),"
    " 'created_at', " TS("p.created_at") ", 'updated_at', "
    TS("p.updated_at") ")::text"
    " FROM projects p JOIN organisations o ON o.id = p.org_id"
    " WHERE p.id = $1";

/*
 * The list's rows, newest first; the JSON page and the download share
 * them (list_params()).  $1 applicant's organisation (NULL for staff),
 * $2 today, $3 organisation filter, $4 scheme, $5 statuses, $6 on_hold,
 * $7 cursor.
 */
#define LIST_PAID							\
    "(SELECT coalesce(sum(x.amount_cents), 0) FROM payments x"		\
    " WHERE x.project_id = p.id AND x.status = 'approved')"
#define LIST_ON_HOLD	"(p.status = 'suspended' OR od.days IS NOT NULL)"
#define LIST_FROM							\
    " FROM projects p JOIN organisations o ON o.id = p.org_id"		\
    " CROSS JOIN LATERAL (SELECT max($2::date - m.due_date) AS days"	\
    "  FROM project_milestones m WHERE m.project_id = p.id AND "	\
    OVERDUE("m", "p") ") od"						\
    " WHERE ($1::bigint IS NULL OR p.org_id = $1::bigint)"		\
    " AND ($3::bigint IS NULL OR p.org_id = $3::bigint)"		\
    " AND ($4::text IS NULL OR p.scheme_code = $4::text)"		\
    " AND ($5::text[] IS NULL OR p.status = ANY ($5::text[]))"		\
    " AND ($6::boolean IS NULL OR " LIST_ON_HOLD " = $6::boolean)"	\
    " AND ($7::bigint IS NULL OR p.id < $7::bigint)"			\
    " ORDER BY p.id DESC"

/* $8 limit. */
static const char SQL_LIST[] =
    "SELECT p.id, json_build_object('id', p.id, 'reference', p.reference,"
    " 'title', p.title, 'scheme', p.scheme_code, 'status', p.status,"
    " 'organisation', json_build_object('id', o.id, 'name_en', o.name_en,"
    "  'name_zh', o.name_zh), 'government_cents', p.government_cents,"
    " 'approved_cents', p.approved_cents,"
    " 'paid_cents', " LIST_PAID ","
    " 'start_date', p.start_date, 'end_date', p.end_date,"
    " 'on_hold', " LIST_ON_HOLD ","
    " 'days_overdue', od.days)::text" LIST_FROM " LIMIT $8";

/* The same rows as text columns, for export_query(): see export_cols. */
static const char SQL_EXPORT[] =
    "SELECT p.id, p.reference, p.title, p.scheme_code, p.status, o.id,"
    " o.name_en, o.name_zh, p.government_cents, p.approved_cents, "
    LIST_PAID ", p.start_date, p.end_date, " LIST_ON_HOLD ", od.days"
    LIST_FROM;

static const struct export_column export_cols[] = {
	{ "id", "Project ID", "項目編號", EXPORT_INT },
	{ "reference", "Reference", "檔案編號", EXPORT_TEXT },
	{ "title", "Title", "項目名稱", EXPORT_TEXT },
	{ "scheme", "Scheme", "資助計劃", EXPORT_TEXT },
	{ "status", "Status", "狀態", EXPORT_TEXT },
	{ "organisation.id", "Organisation ID", "機構編號", EXPORT_INT },
	{ "organisation.name_en", "Organisation (English name)",
	    "機構名稱 (英文)", EXPORT_TEXT },
	{ "organisation.name_zh", "Organisation (Chinese name)",
	    "機構名稱 (中文)", EXPORT_TEXT },
	{ "government_cents", "Government contribution (HK$)",
	    "政府資助額 (港元)", EXPORT_CENTS },
	{ "approved_cents", "Approved (HK$)", "批准金額 (港元)",
	    EXPORT_CENTS },
	{ "paid_cents", "Paid (HK$)", "已付款額 (港元)", EXPORT_CENTS },
	{ "start_date", "Start date", "開始日期", EXPORT_DATE },
	{ "end_date", "End date", "完成日期", EXPORT_DATE },
	{ "on_hold", "Payments on hold", "暫停付款", EXPORT_BOOL },
	{ "days_overdue", "Days a report is overdue", "報告逾期日數",
	    EXPORT_INT },
};

/* The arguments of one transaction (db_tx_run may run it again). */
struct proj_tx {
	const struct actor	*actor;
	int64_t			 id;
	const char		*text;
	const json_t		*body;
	int64_t			 result_id;
};

static void	project_from_row(const PGresult *, int, struct project *);
static int	list_params(const struct actor *, const struct project_filter *,
		    struct db_params *, char *, size_t, char *, size_t,
		    struct app_err *);
static int	actor_user(const struct actor *, struct db_params *);
static int	staff_only(const struct actor *, unsigned, const char *,
		    struct app_err *);
static int	write_schedule_tx(struct db *, int64_t, const json_t *,
		    const struct project_plan *, cents_t, struct app_err *);
static int	parse_schedule(const struct project *, const json_t *,
		    json_t **, struct project_plan *, struct app_err *);
static int	audit_project(struct db *, const struct actor *,
		    const char *, const struct project *,
		    const struct project *, const char *, struct app_err *);
static int	reload(struct db *, const struct actor *, int64_t,
		    struct project *, struct app_err *);
static int	move_application_signed(struct db *, const struct actor *,
		    int64_t, const char *, struct app_err *);
static int	run_get(struct db *, const struct actor *, int64_t,
		    json_t **, struct app_err *);
static int	run_tx(struct db *, const struct actor *, int64_t,
		    const char *, const json_t *,
		    int (*)(struct db *, void *, struct app_err *), json_t **,
		    struct app_err *);
static int	apply_tx(struct db *, const struct proj_tx *, const char *,
		    const struct db_params *, const char *,
		    const struct project *, const char *, struct app_err *);
static int	schedule_tx(struct db *, void *, struct app_err *);
static int	sign_tx(struct db *, void *, struct app_err *);
static int	suspend_tx(struct db *, void *, struct app_err *);
static int	resume_tx(struct db *, void *, struct app_err *);
static int	terminate_tx(struct db *, void *, struct app_err *);
static int	close_tx(struct db *, void *, struct app_err *);
static int	refund_tx(struct db *, void *, struct app_err *);
static int	settle_tx(struct db *, void *, struct app_err *);

/*
 * Loading and access.
 */

static void
project_from_row(const PGresult *res, int r, struct project *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_i64(res, r, 0);
	p->org_id = db_i64(res, r, 1);
	snprintf(p->scheme, sizeof(p->scheme), "%s", db_str(res, r, 2));
	snprintf(p->rule_version, sizeof(p->rule_version), "%s",
	    db_str(res, r, 3));
	snprintf(p->reference, sizeof(p->reference), "%s", db_str(res, r, 4));
	if (!project_status_parse(db_str(res, r, 5), &p->status))
		p->status = PROJECT_NSTATUS;
	if (!project_pattern_parse(db_str(res, r, 6), &p->pattern))
		p->pattern = SCHEME_PAY_MILESTONES;
	p->initial_max_bp = db_int(res, r, 7);
	p->final_min_bp = db_int(res, r, 8);
	p->initial_bp = db_int(res, r, 9);
	p->approved_cents = db_i64(res, r, 10);
	p->government_cents = db_i64(res, r, 11);
	p->applicant_cents = db_i64(res, r, 12);
	p->total_cost_cents = db_i64(res, r, 13);
	p->start_date = db_date(res, r, 14);
	p->end_date = db_date(res, r, 15);
	p->agreement_version = db_int(res, r, 16);
	p->is_signed = db_bool(res, r, 17);
	p->audited = db_bool(res, r, 18);
	p->audited_cost_cents = db_i64(res, r, 19);
	p->interest_cents = db_i64(res, r, 20);
	p->refund_due_cents = db_i64(res, r, 21);
	p->refunded_cents = db_i64(res, r, 22);
}

int
projects_load(struct db *db, const struct actor *actor, int64_t id, int lock,
    struct project *p, struct app_err *err)
{
	struct db_params	 params;
	PGresult		*res;

	db_params_init(&params);
	dbp_i64(&params, id);
	if ((res = db_query(db, lock ? SQL_LOAD_LOCK : SQL_LOAD, &params,
	    err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		/* Roles without access learn nothing either way. */
		if (!projects_is_staff(actor) &&
		    !actor_has(actor, ROLE_APPLICANT))
			return (app_err_set(err, APP_EFORBIDDEN, NULL,
			    "your role does not give access to projects"));
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such project"));
	}
	project_from_row(res, 0, p);
	PQclear(res);
	return (projects_may_read(actor, p->org_id, err));
}

int
projects_load_by(struct db *db, const struct actor *actor, const char *sql,
    int64_t id, int lock, const char *what, const char *forbidden,
    struct project *pr, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int64_t			 project_id;

	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, sql, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		if (forbidden != NULL && !projects_is_staff(actor) &&
		    !actor_has(actor, ROLE_APPLICANT))
			return (app_err_set(err, APP_EFORBIDDEN, NULL, "%s",
			    forbidden));
		return (app_err_set(err, APP_ENOTFOUND, "id", "no such %s",
		    what));
	}
	project_id = db_i64(res, 0, 0);
	PQclear(res);
	if (!projects_load(db, actor, project_id, lock, pr, err)) {
		if (err->code == APP_ENOTFOUND)
			snprintf(err->msg, sizeof(err->msg), "no such %s",
			    what);
		return (0);
	}
	return (1);
}

/* Re-read a project after a change (for the audit row). */
static int
reload(struct db *db, const struct actor *actor, int64_t id,
    struct project *p, struct app_err *err)
{
	return (projects_load(db, actor, id, 0, p, err));
}

/* The acting user's id as a parameter (NULL for the system actor). */
static int
actor_user(const struct actor *actor, struct db_params *p)
{
	if (actor != NULL && actor->user_id > 0)
		dbp_i64(p, actor->user_id);
	else
		dbp_null(p);
	return (1);
}

/* Only roles in anyof may do what; auditors are told they only read. */
static int
staff_only(const struct actor *actor, unsigned anyof, const char *what,
    struct app_err *err)
{
	if (actor_has(actor, anyof))
		return (1);
	if (actor_has(actor, ROLE_AUDITOR | ROLE_ADMIN))
		return (app_err_set(err, APP_EFORBIDDEN, NULL,
		    "auditors and administrators only read projects"));
	return (app_err_set(err, APP_EFORBIDDEN, NULL,
	    "only %s", what));
}

json_t *
projects_brief_json(const struct project *p)
{
	char	s[DATE_ISO_LEN], e[DATE_ISO_LEN];

	return (json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:i,s:i,s:I,s:I}",
	    "id", (json_int_t)p->id, "reference", p->reference,
	    "status", project_status_name(p->status),
	    "approved_cents", (json_int_t)p->approved_cents,
	    "government_cents", (json_int_t)p->government_cents,
	    "applicant_cents", (json_int_t)p->applicant_cents,
	    "start_date", date_format(p->start_date, s, sizeof(s)),
	    "end_date", date_format(p->end_date, e, sizeof(e)),
	    "agreement_version", p->agreement_version,
	    "initial_bp", p->initial_bp,
	    "refund_due_cents", (json_int_t)p->refund_due_cents,
	    "refunded_cents", (json_int_t)p->refunded_cents));
}

static int
audit_project(struct db *db, const struct actor *actor, const char *action,
    const struct project *before, const struct project *after,
    const char *reason, struct app_err *err)
{
	json_t	*b, *a;
	int	 ok;

	b = before != NULL ? projects_brief_json(before) : NULL;
	a = after != NULL ? projects_brief_json(after) : NULL;
	ok = audit_write_id(db, actor, action, "project",
	    after != NULL ? after->id : before->id, b, a, reason, err);
	json_decref(b);
	json_decref(a);
	return (ok);
}

int
projects_payable_tx(struct db *db, const struct project *p,
    struct app_err *err)
{
	struct db_params	 params;
	PGresult		*res;
	char			 today[DATE_ISO_LEN];
	int			 ok;

	switch (p->status) {
	case PROJECT_ACTIVE:
		break;
	case PROJECT_SUSPENDED:
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "suspended: no payment can be prepared or approved until "
		    "it is resumed", p->reference));
	case PROJECT_AWAITING_SIGNATURE:
		return (app_err_set(err, APP_ESTATE, "status", "project %s: "
		    "the agreement is not signed yet", p->reference));
	default:
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s: it pays nothing more", p->reference,
		    project_status_name(p->status)));
	}
	db_params_init(&params);
	dbp_i64(&params, p->id);
	dbp_str(&params, date_format(projects_today(), today, sizeof(today)));
	if ((res = db_query(db, SQL_OVERDUE, &params, err)) == NULL)
		return (0);
	ok = 1;
	if (PQntuples(res) > 0) {
		ok = app_err_set(err, APP_ESTATE, "holds", "payments of project "
		    "%s are on hold: the report for milestone %d (%.80s) was "
		    "due on %s and is %d day(s) overdue", p->reference,
		    db_int(res, 0, 0), db_str(res, 0, 1), db_str(res, 0, 2),
		    db_int(res, 0, 3));
	}
	PQclear(res);
	return (ok);
}

int
projects_snapshot_tx(struct db *db, const struct actor *actor, int64_t id,
    const char *reason, int64_t variation_id, struct app_err *err)
{
	struct db_params	p;

	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_str(&p, reason);
	if (variation_id > 0)
		dbp_i64(&p, variation_id);
	else
		dbp_null(&p);
	actor_user(actor, &p);
	dbp_str(&p, actor != NULL ? actor->label : "system");
	return (db_exec(db, SQL_SNAPSHOT, &p, err));
}

/*
 * Replace the milestones (a JSON array of {title, deliverables, due_date},
 * in order) and the tranches of project id by plan for government
 * contribution gov.
 */
static int
write_schedule_tx(struct db *db, int64_t id, const json_t *ms,
    const struct project_plan *plan, cents_t gov, struct app_err *err)
{
	struct db_params	 p;
	cents_t			 initial, amounts[PROJECT_MILESTONES_MAX];
	json_t			*mrows, *trows, *m;
	char			*mtext, *ttext;
	size_t			 i;
	int			 ok, last;

	if (json_array_size(ms) != plan->n)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "schedule and plan differ"));
	if (!projects_plan_amounts(gov, plan, &initial, amounts, err))
		return (0);
	mrows = json_array();
	trows = json_array();
	if (plan->initial_bp > 0)
		json_array_append_new(trows, json_pack("{s:i,s:s,s:n,s:i,s:I}",
		    "seq", 0, "kind", "initial", "milestone_seq",
		    "bp", plan->initial_bp, "amount_cents",
		    (json_int_t)initial));
	for (i = 0; i < plan->n; i++) {
		m = json_array_get(ms, i);
		last = i + 1 == plan->n;
		json_array_append_new(mrows, json_pack("{s:i,s:O,s:O,s:O,s:i,"
		    "s:b}", "seq", (int)i + 1,
		    "title", json_object_get(m, "title"),
		    "deliverables", json_object_get(m, "deliverables"),
		    "due_date", json_object_get(m, "due_date"),
		    "tranche_bp", plan->bp[i], "is_final", last));
		if (plan->bp[i] > 0)
			json_array_append_new(trows, json_pack("{s:i,s:s,s:i,"
			    "s:i,s:I}", "seq", (int)i + 1,
			    "kind", last ? "final" : "milestone",
			    "milestone_seq", (int)i + 1, "bp", plan->bp[i],
			    "amount_cents", (json_int_t)amounts[i]));
	}
	mtext = json_dumps(mrows, JSON_COMPACT);
	ttext = json_dumps(trows, JSON_COMPACT);
	json_decref(mrows);
	json_decref(trows);
	ok = mtext != NULL && ttext != NULL;
	if (!ok)
		app_err_set(err, APP_EINTERNAL, NULL, "out of memory");
	db_params_init(&p);
	dbp_i64(&p, id);
	ok = ok && db_exec(db, SQL_DELETE_TRANCHES, &p, err) &&
	    db_exec(db, SQL_DELETE_MILESTONES, &p, err);
	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_str(&p, mtext);
	ok = ok && db_exec(db, SQL_INSERT_MILESTONES, &p, err);
	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_str(&p, ttext);
	ok = ok && db_exec(db, SQL_INSERT_TRANCHES, &p, err);
	free(mtext);
	free(ttext);
	return (ok);
}

/*
 * Creation in the approval transaction.
 */

int
projects_create_from_approval(struct db *db, const struct actor *actor,
    int64_t application_id, cents_t approved_cents, struct app_err *err)
{
	struct db_params	 p;
	struct ledger_project	 lp;
	struct project_plan	 plan;
	struct project		 pr;
	enum scheme_payment_pattern pattern;
	PGresult		*res;
	json_t			*pay, *lines, *ms, *v;
	json_error_t		 jerr;
	cents_t			*amounts, *gov, total_cost, requested;
	cents_t			 applicant;
	char			 scheme[16], rule[64], ref[PROJECT_REF_MAX];
	char			 title[1024];
	char			 start[DATE_ISO_LEN], end[DATE_ISO_LEN];
	char			*ltext, en[512], zh[512], amt[MONEY_FMT_MAX];
	int64_t			 org_id;
	int			 n, i, initial_max, final_min, ok, exists;

	if (db == NULL || !db->in_tx)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "projects_create_from_approval must run inside the "
		    "approval transaction"));
	if (approved_cents <= 0)
		return (app_err_set(err, APP_EINVAL, "approved_cents",
		    "approved_cents: must be more than 0"));

	db_params_init(&p);
	dbp_i64(&p, application_id);
	if ((res = db_query(db, SQL_APP_ROW, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "application_id",
		    "no such application"));
	}
	if (strcmp(db_str(res, 0, 2), "approved") != 0) {
		app_err_set(err, APP_ESTATE, "status", "application %lld is %s; "
		    "a project is created only for an approved application",
		    (long long)application_id, db_str(res, 0, 2));
		PQclear(res);
		return (0);
	}
	org_id = db_i64(res, 0, 0);
	snprintf(scheme, sizeof(scheme), "%s", db_str(res, 0, 1));
	snprintf(ref, sizeof(ref), "%s", db_str(res, 0, 3) != NULL ?
	    db_str(res, 0, 3) : "");
	snprintf(title, sizeof(title), "%s", db_str(res, 0, 4));
	snprintf(start, sizeof(start), "%s", db_str(res, 0, 5));
	snprintf(end, sizeof(end), "%s", db_str(res, 0, 6));
	total_cost = db_i64(res, 0, 7);
	requested = db_isnull(res, 0, 8) ? -1 : db_i64(res, 0, 8);
	snprintf(rule, sizeof(rule), "%s", db_str(res, 0, 9) != NULL ?
	    db_str(res, 0, 9) : "");
	pay = db_isnull(res, 0, 10) ? NULL :
	    json_loads(db_str(res, 0, 10), 0, &jerr);
	exists = db_bool(res, 0, 11);
	PQclear(res);

	if (exists) {
		json_decref(pay);
		return (app_err_set(err, APP_ECONFLICT, "application_id",
		    "application %lld already has its project",
		    (long long)application_id));
	}
	if (requested >= 0 && approved_cents > requested) {
		json_decref(pay);
		return (app_err_set(err, APP_EINVAL, "approved_cents",
		    "approved_cents: %lld is more than the %lld requested",
		    (long long)approved_cents, (long long)requested));
	}
	if (pay == NULL || !json_is_object(pay) ||
	    !project_pattern_parse(json_string_value(json_object_get(pay,
	    "pattern")), &pattern)) {
		json_decref(pay);
		return (app_err_set(err, APP_EINTERNAL, "scheme", "scheme %s has "
		    "no payment pattern in the database (run itfctl schemes "
		    "load)", scheme));
	}
	v = json_object_get(json_object_get(pay, "initial_bp"), "value");
	initial_max = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	v = json_object_get(json_object_get(pay, "final_min_bp"), "value");
	final_min = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	json_decref(pay);

	/* The approval must have committed exactly this under this id. */
	if (!ledger_project_get(db, actor, application_id, &lp, err))
		return (0);
	if (lp.outstanding != approved_cents)
		return (app_err_set(err, APP_ECONFLICT, "approved_cents",
		    "the ledger holds %lld cents of outstanding commitment for "
		    "project %lld, not the %lld approved: commit the approved "
		    "amount with project_id = application id first",
		    (long long)lp.outstanding, (long long)application_id,
		    (long long)approved_cents));

	/* Budget lines, the government part re-split pro rata. */
	if ((res = db_query(db, SQL_APP_LINES, &p, err)) == NULL)
		return (0);
	n = PQntuples(res);
	amounts = calloc((size_t)n + 1, sizeof(*amounts));
	gov = calloc((size_t)n + 1, sizeof(*gov));
	lines = json_array();
	ok = amounts != NULL && gov != NULL && lines != NULL;
	for (i = 0; ok && i < n; i++)
		amounts[i] = db_i64(res, i, 3);
	if (ok && !application_allocate(amounts, (size_t)n, approved_cents,
	    gov))
		ok = 0;
	for (i = 0; ok && i < n; i++) {
		ok = json_array_append_new(lines, json_pack("{s:i,s:s,s:s,s:I,"
		    "s:I}", "line_no", db_int(res, i, 0),
		    "category", db_str(res, i, 1),
		    "description", db_str(res, i, 2),
		    "amount_cents", (json_int_t)amounts[i],
		    "government_cents", (json_int_t)gov[i])) == 0;
	}
	PQclear(res);
	free(amounts);
	free(gov);
	ltext = ok ? json_dumps(lines, JSON_COMPACT) : NULL;
	json_decref(lines);
	if (ltext == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "could not share the contribution over the budget"));

	/* Milestones in due-date order; at least one, the last final. */
	if ((res = db_query(db, SQL_APP_MILESTONES, &p, err)) == NULL) {
		free(ltext);
		return (0);
	}
	ms = json_array();
	for (i = 0; i < PQntuples(res) && i < PROJECT_MILESTONES_MAX; i++)
		json_array_append_new(ms, json_pack("{s:s,s:s,s:s}",
		    "title", db_str(res, i, 0), "deliverables",
		    db_str(res, i, 1), "due_date", db_str(res, i, 2)));
	PQclear(res);
	if (json_array_size(ms) == 0)
		json_array_append_new(ms, json_pack("{s:s,s:s,s:s}",
		    "title", "Project completion", "deliverables",
		    "Final report and audited accounts", "due_date", end));

	applicant = total_cost > approved_cents ? total_cost - approved_cents :
	    0;
	ok = projects_plan_default(pattern, json_array_size(ms), initial_max,
	    final_min, &plan, err) &&
	    projects_plan_check(pattern, initial_max, final_min, &plan, err);
	if (ok) {
		db_params_init(&p);
		dbp_i64(&p, application_id);
		dbp_i64(&p, org_id);
		dbp_str(&p, scheme);
		dbp_str(&p, rule);
		dbp_str(&p, ref);
		dbp_str(&p, title);
		dbp_str(&p, scheme_payment_pattern_name(pattern));
		dbp_int(&p, initial_max);
		dbp_int(&p, final_min);
		dbp_int(&p, plan.initial_bp);
		dbp_i64(&p, approved_cents);
		dbp_i64(&p, approved_cents);
		dbp_i64(&p, applicant);
		dbp_i64(&p, total_cost);
		dbp_str(&p, start);
		dbp_str(&p, end);
		ok = db_exec(db, SQL_INSERT_PROJECT, &p, err);
	}
	if (ok) {
		db_params_init(&p);
		dbp_i64(&p, application_id);
		dbp_str(&p, ltext);
		ok = db_exec(db, SQL_INSERT_LINES, &p, err) &&
		    write_schedule_tx(db, application_id, ms, &plan,
		    approved_cents, err) &&
		    projects_snapshot_tx(db, actor, application_id,
		    "approval", 0, err);
	}
	free(ltext);
	json_decref(ms);
	if (!ok || !projects_load(db, actor, application_id, 0, &pr, err) ||
	    !audit_project(db, actor, "project.create", NULL, &pr, NULL, err))
		return (0);
	money_format(approved_cents, amt, sizeof(amt));
	snprintf(en, sizeof(en), "Project %s was approved with a government "
	    "contribution of %s. The funding agreement is ready to sign.",
	    ref, amt);
	snprintf(zh, sizeof(zh), "項目 %s 已獲批，政府資助額為 %s。資助協議已備妥，"
	    "可予簽署。", ref, amt);
	return (projects_notify(db, org_id, "project.created", "project",
	    application_id, en, zh, err));
}

/*
 * Reads.
 */

static int
run_get(struct db *db, const struct actor *actor, int64_t id, json_t **out,
    struct app_err *err)
{
	struct db_params	 p;
	struct ledger_project	 lp;
	struct app_err		 lerr;
	PGresult		*res;
	json_error_t		 jerr;
	char			 today[DATE_ISO_LEN];

	*out = NULL;
	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_str(&p, date_format(projects_today(), today, sizeof(today)));
	if ((res = db_query(db, SQL_GET, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id",
		    "no such project"));
	}
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "bad project JSON"));
	json_object_set_new(*out, "today", json_string(today));
	/* Staff see the ledger's own view of the project's money. */
	app_err_clear(&lerr);
	if (projects_is_staff(actor) &&
	    ledger_project_get(db, actor, id, &lp, &lerr)) {
		json_object_set_new(*out, "ledger", json_pack("{s:s,s:I,s:I,"
		    "s:I,s:I,s:I}", "account", lp.account,
		    "committed_cents", (json_int_t)lp.committed,
		    "released_cents", (json_int_t)lp.released,
		    "paid_cents", (json_int_t)lp.paid,
		    "refunded_cents", (json_int_t)lp.refunded,
		    "outstanding_cents", (json_int_t)lp.outstanding));
	}
	return (1);
}

/*
 * fn in a transaction of its own with id, text and body as its proj_tx,
 * then the project as run_get() shows it.
 */
static int
run_tx(struct db *db, const struct actor *actor, int64_t id,
    const char *text, const json_t *body,
    int (*fn)(struct db *, void *, struct app_err *), json_t **out,
    struct app_err *err)
{
	struct proj_tx	t;

	memset(&t, 0, sizeof(t));
	t.actor = actor;
	t.id = id;
	t.text = text;
	t.body = body;
	if (!db_tx_run(db, DB_READ_COMMITTED, fn, &t, err))
		return (0);
	return (run_get(db, actor, id, out, err));
}

/*
 * The change of t's project: sql with p, then the audit row action from
 * before to the project as it now is, with why.
 */
static int
apply_tx(struct db *db, const struct proj_tx *t, const char *sql,
    const struct db_params *p, const char *action,
    const struct project *before, const char *why, struct app_err *err)
{
	struct project	after;

	return (db_exec(db, sql, p, err) &&
	    reload(db, t->actor, t->id, &after, err) &&
	    audit_project(db, t->actor, action, before, &after, why, err));
}

int
projects_get_json(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	struct project	p;

	*out = NULL;
	if (!projects_load(db, actor, id, 0, &p, err))
		return (0);
	return (run_get(db, actor, id, out, err));
}

/*
 * $1..$7 of LIST_FROM: an applicant sees its organisation's projects, staff
 * all; then today and the filters.  today and statuses are the buffers the
 * parameters point into.
 */
static int
list_params(const struct actor *actor, const struct project_filter *f,
    struct db_params *p, char *today, size_t tlen, char *statuses,
    size_t slen, struct app_err *err)
{
	int	i;

	if (!projects_may_list(actor, err))
		return (0);
	db_params_init(p);
	if (projects_is_staff(actor))
		dbp_null(p);
	else
		dbp_i64(p, actor->org_id > 0 ? actor->org_id : -1);
	dbp_str(p, date_format(projects_today(), today, tlen));
	if (f->org_id > 0)
		dbp_i64(p, f->org_id);
	else
		dbp_null(p);
	dbp_str(p, f->scheme);
	if (f->statuses != 0) {
		snprintf(statuses, slen, "{");
		for (i = 0; i < PROJECT_NSTATUS; i++) {
			if ((f->statuses & (1U << i)) == 0)
				continue;
			if (statuses[1] != '\0')
				strncat(statuses, ",", slen -
				    strlen(statuses) - 1);
			strncat(statuses, project_status_name(
			    (enum project_status)i), slen -
			    strlen(statuses) - 1);
		}
		strncat(statuses, "}", slen - strlen(statuses) - 1);
		dbp_str(p, statuses);
	} else
		dbp_null(p);
	if (f->on_hold >= 0)
		dbp_bool(p, f->on_hold);
	else
		dbp_null(p);
	if (f->before_id > 0)
		dbp_i64(p, f->before_id);
	else
		dbp_null(p);
	return (1);
}

int
projects_list_json(struct db *db, const struct actor *actor,
    const struct project_filter *f, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*list, *item;
	json_error_t		 jerr;
	char			 today[DATE_ISO_LEN], statuses[256];
	int			 i, n, limit;

	*out = NULL;
	if (!list_params(actor, f, &p, today, sizeof(today), statuses,
	    sizeof(statuses), err))
		return (0);
	limit = f->limit > 0 && f->limit <= PROJECT_LIST_MAX ? f->limit :
	    PROJECT_LIST_DEFAULT;
	dbp_int(&p, limit + 1);
	if ((res = db_query(db, SQL_LIST, &p, err)) == NULL)
		return (0);
	list = json_array();
	n = PQntuples(res);
	for (i = 0; i < n && i < limit; i++) {
		if ((item = json_loads(db_str(res, i, 1), 0, &jerr)) != NULL)
			json_array_append_new(list, item);
	}
	*out = json_pack("{s:o,s:i,s:o}", "projects", list, "limit", limit,
	    "next_cursor", n > limit ? json_sprintf("%lld",
	    (long long)db_i64(res, limit - 1, 0)) : json_null());
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

int
projects_export(struct db *db, const void *arg, const char *path,
    struct app_err *err)
{
	const struct projects_export	*x = arg;
	struct project_filter		 f;
	struct export_options		 o;
	struct db_params		 p;
	char				 today[DATE_ISO_LEN], statuses[256];

	memset(&f, 0, sizeof(f));
	f.statuses = x->statuses;
	f.scheme = x->scheme[0] != '\0' ? x->scheme : NULL;
	f.org_id = x->org_id;
	f.on_hold = x->on_hold;
	if (!list_params(&x->actor, &f, &p, today, sizeof(today), statuses,
	    sizeof(statuses), err))
		return (0);
	memset(&o, 0, sizeof(o));
	o.format = x->format;
	o.path = path;
	o.title_en = "Projects";
	o.title_zh = "項目";
	o.filters = x->filters[0] != '\0' ? x->filters : NULL;
	o.cols = export_cols;
	o.ncols = sizeof(export_cols) / sizeof(export_cols[0]);
	o.bom = x->bom;
	return (export_run(&o, db, SQL_EXPORT, &p, err));
}

/*
 * The schedule before signing.
 */

/*
 * Parse {initial_bp?, milestones: [...]} for project pr into ms (a new
 * array of {title, deliverables, due_date}) and plan.
 */
static int
parse_schedule(const struct project *pr, const json_t *body, json_t **ms,
    struct project_plan *plan, struct app_err *err)
{
	static const char *const top[] = { "initial_bp", "milestones", NULL };
	static const char *const keys[] = { "title", "deliverables",
		"due_date", "tranche_bp", NULL };
	const json_t	*arr, *m, *v;
	const char	*title, *deliv, *due;
	char		 f[128], prefix[48];
	size_t		 i;
	int		 day, prev;

	*ms = NULL;
	memset(plan, 0, sizeof(*plan));
	if (!projects_json_only(body, top, "", err))
		return (0);
	plan->initial_bp = pr->initial_bp;
	if ((v = json_object_get(body, "initial_bp")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_integer(v))
			return (app_err_set(err, APP_EBADREQ, "initial_bp",
			    "initial_bp: must be a whole number"));
		if (json_integer_value(v) < 0 || json_integer_value(v) >
		    PROJECT_BP_FULL)
			return (app_err_set(err, APP_EINVAL, "initial_bp",
			    "initial_bp: must be 0 to 10000 basis points"));
		plan->initial_bp = (int)json_integer_value(v);
	}
	arr = json_object_get(body, "milestones");
	if (arr == NULL || !json_is_array(arr))
		return (app_err_set(err, arr == NULL ? APP_EINVAL : APP_EBADREQ,
		    "milestones", "milestones: an array of milestones is "
		    "required"));
	if (json_array_size(arr) < 1 || json_array_size(arr) >
	    PROJECT_MILESTONES_MAX)
		return (app_err_set(err, APP_EINVAL, "milestones",
		    "milestones: a project has 1 to %d milestones",
		    PROJECT_MILESTONES_MAX));
	*ms = json_array();
	plan->n = json_array_size(arr);
	prev = -1;
	json_array_foreach(arr, i, m) {
		snprintf(prefix, sizeof(prefix), "milestones[%zu].", i);
		if (!projects_json_only(m, keys, prefix, err))
			goto fail;
		if (!projects_json_text(m, "title", 1, PROJECT_TITLE_MAX, 0,
		    &title, err) ||
		    !projects_json_text(m, "deliverables", 0,
		    PROJECT_DELIVERABLES_MAX, 1, &deliv, err) ||
		    !projects_json_text(m, "due_date", 1, 10, 0, &due, err)) {
			projects_err_prefix(err, prefix);
			goto fail;
		}
		snprintf(f, sizeof(f), "%sdue_date", prefix);
		if (!date_parse(due, &day)) {
			app_err_set(err, APP_EINVAL, f, "%s: must be a real date "
			    "written YYYY-MM-DD", f);
			goto fail;
		}
		if (day < pr->start_date || day > pr->end_date) {
			app_err_set(err, APP_EINVAL, f, "%s: must fall within "
			    "the project period", f);
			goto fail;
		}
		if (day < prev) {
			app_err_set(err, APP_EINVAL, f, "%s: milestones are "
			    "listed in the order they fall due", f);
			goto fail;
		}
		prev = day;
		snprintf(f, sizeof(f), "%stranche_bp", prefix);
		v = json_object_get(m, "tranche_bp");
		if (v == NULL || !json_is_integer(v)) {
			app_err_set(err, v == NULL ? APP_EINVAL : APP_EBADREQ, f,
			    "%s: a whole number of basis points is required",
			    f);
			goto fail;
		}
		if (json_integer_value(v) < 0 || json_integer_value(v) >
		    PROJECT_BP_FULL) {
			app_err_set(err, APP_EINVAL, f, "%s: must be 0 to 10000 "
			    "basis points", f);
			goto fail;
		}
		plan->bp[i] = (int)json_integer_value(v);
		json_array_append_new(*ms, json_pack("{s:s,s:s,s:s}",
		    "title", title, "deliverables", deliv != NULL ? deliv : "",
		    "due_date", due));
	}
	if (!projects_plan_check(pr->pattern, pr->initial_max_bp,
	    pr->final_min_bp, plan, err))
		goto fail;
	return (1);
fail:
	json_decref(*ms);
	*ms = NULL;
	return (0);
}

static int
schedule_tx(struct db *db, void *arg, struct app_err *err)
{
	struct proj_tx		*t = arg;
	struct project		 before, after;
	struct project_plan	 plan;
	struct db_params	 p;
	json_t			*ms;
	int			 ok;

	if (!projects_load(db, t->actor, t->id, 1, &before, err) ||
	    !staff_only(t->actor, ROLE_OFFICER, "officers adjust the schedule",
	    err))
		return (0);
	if (before.status != PROJECT_AWAITING_SIGNATURE)
		return (app_err_set(err, APP_ESTATE, "status", "the schedule "
		    "changes only before the agreement is signed; project %s "
		    "is %s (a signed agreement changes by variation)",
		    before.reference, project_status_name(before.status)));
	if (!parse_schedule(&before, t->body, &ms, &plan, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_int(&p, plan.initial_bp);
	ok = db_exec(db, SQL_SCHEDULE_PROJECT, &p, err) &&
	    write_schedule_tx(db, t->id, ms, &plan, before.government_cents,
	    err) &&
	    projects_snapshot_tx(db, t->actor, t->id, "schedule adjusted "
	    "before signing", 0, err) &&
	    reload(db, t->actor, t->id, &after, err) &&
	    audit_project(db, t->actor, "project.schedule", &before, &after,
	    NULL, err);
	json_decref(ms);
	return (ok);
}

int
projects_schedule_set(struct db *db, const struct actor *actor, int64_t id,
    const json_t *body, json_t **out, struct app_err *err)
{
	*out = NULL;
	return (run_tx(db, actor, id, NULL, body, schedule_tx, out, err));
}

/*
 * Signing.
 */

/*
 * The application moves to agreement_signed along the applications state
 * table (applications_transition_tx(): its event, the audit row
 * "application.sign"), in the signing transaction.  sign_tx() has decided
 * who signs; agreement_signed counts against cumulative caps as approved
 * did (application_status_committed()).
 */
static int
move_application_signed(struct db *db, const struct actor *actor,
    int64_t id, const char *note, struct app_err *err)
{
	struct application	app;
	struct actor		reader;

	actor_system(&reader, "projects");
	return (applications_load(db, &reader, id, 1, &app, err) &&
	    applications_transition_tx(db, actor, &app, APPLICATION_ACT_SIGN,
	    note, err));
}

static int
sign_tx(struct db *db, void *arg, struct app_err *err)
{
	struct proj_tx		*t = arg;
	struct project		 before, after;
	struct db_params	 p;
	const char		*as;
	char			 en[300], zh[300];

	if (!projects_load(db, t->actor, t->id, 1, &before, err))
		return (0);
	if (actor_has(t->actor, ROLE_OFFICER))
		as = "officer";
	else if (actor_has(t->actor, ROLE_APPLICANT) &&
	    !projects_is_staff(t->actor))
		as = "applicant";	/* projects_load checked the org */
	else
		return (staff_only(t->actor, ROLE_OFFICER | ROLE_APPLICANT,
		    "the organisation or an officer signs the agreement", err));
	if (before.status != PROJECT_AWAITING_SIGNATURE)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; only an agreement awaiting signature is signed",
		    before.reference, project_status_name(before.status)));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	actor_user(t->actor, &p);
	dbp_str(&p, as);
	if (!db_exec(db, SQL_SIGN, &p, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	if (!db_exec(db, SQL_UNLOCK_INITIAL, &p, err) ||
	    !move_application_signed(db, t->actor, t->id, t->text, err) ||
	    !reload(db, t->actor, t->id, &after, err) ||
	    !audit_project(db, t->actor, "project.sign", &before, &after,
	    t->text, err))
		return (0);
	snprintf(en, sizeof(en), "The funding agreement of project %s is "
	    "signed; the project is active.", before.reference);
	snprintf(zh, sizeof(zh), "項目 %s 的資助協議已簽署，項目已開展。",
	    before.reference);
	return (projects_notify(db, before.org_id, "project.signed", "project",
	    t->id, en, zh, err));
}

int
projects_sign(struct db *db, const struct actor *actor, int64_t id,
    const char *note, json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_text_ok(note, "note", 0, PROJECT_NOTE_MAX, 1, err))
		return (0);
	return (run_tx(db, actor, id, note, NULL, sign_tx, out, err));
}

/*
 * Suspension, resumption, termination.
 */

static int
suspend_tx(struct db *db, void *arg, struct app_err *err)
{
	struct proj_tx		*t = arg;
	struct project		 before;
	struct db_params	 p;
	char			 en[PROJECT_TEXT_MAX + 300];
	char			 zh[PROJECT_TEXT_MAX + 300];

	if (!projects_load(db, t->actor, t->id, 1, &before, err) ||
	    !staff_only(t->actor, ROLE_OFFICER, "officers suspend projects",
	    err))
		return (0);
	if (before.status != PROJECT_ACTIVE)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; only an active project is suspended", before.reference,
		    project_status_name(before.status)));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_str(&p, t->text);
	if (!apply_tx(db, t, SQL_SUSPEND, &p, "project.suspend", &before,
	    t->text, err))
		return (0);
	snprintf(en, sizeof(en), "Payments to project %s are suspended "
	    "(FCR(2021-22)22 para 31). Reason: %s", before.reference, t->text);
	snprintf(zh, sizeof(zh), "項目 %s 的撥款已暫停（FCR(2021-22)22 第31段）。"
	    "原因：%s", before.reference, t->text);
	return (projects_notify(db, before.org_id, "project.suspended",
	    "project", t->id, en, zh, err));
}

int
projects_suspend(struct db *db, const struct actor *actor, int64_t id,
    const char *reason, json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_text_arg(reason, "reason", 1, PROJECT_TEXT_MAX, &reason,
	    err))
		return (0);
	return (run_tx(db, actor, id, reason, NULL, suspend_tx, out, err));
}

static int
resume_tx(struct db *db, void *arg, struct app_err *err)
{
	struct proj_tx		*t = arg;
	struct project		 before;
	struct db_params	 p;
	char			 en[300], zh[300];

	if (!projects_load(db, t->actor, t->id, 1, &before, err) ||
	    !staff_only(t->actor, ROLE_OFFICER, "officers resume projects",
	    err))
		return (0);
	if (before.status != PROJECT_SUSPENDED)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; only a suspended project is resumed", before.reference,
		    project_status_name(before.status)));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_str(&p, "active");
	if (!apply_tx(db, t, SQL_SET_STATUS, &p, "project.resume", &before,
	    t->text, err))
		return (0);
	snprintf(en, sizeof(en), "Project %s is resumed; payments may be made "
	    "again.", before.reference);
	snprintf(zh, sizeof(zh), "項目 %s 已恢復，可再次發放撥款。",
	    before.reference);
	return (projects_notify(db, before.org_id, "project.resumed",
	    "project", t->id, en, zh, err));
}

int
projects_resume(struct db *db, const struct actor *actor, int64_t id,
    const char *note, json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_text_ok(note, "note", 0, PROJECT_TEXT_MAX, 1, err))
		return (0);
	return (run_tx(db, actor, id, note, NULL, resume_tx, out, err));
}

static int
terminate_tx(struct db *db, void *arg, struct app_err *err)
{
	struct proj_tx		*t = arg;
	struct project		 before;
	struct ledger_project	 lp;
	struct db_params	 p;
	int64_t			 cancelled;
	char			 en[PROJECT_TEXT_MAX + 300];
	char			 zh[PROJECT_TEXT_MAX + 300];

	if (!projects_load(db, t->actor, t->id, 1, &before, err) ||
	    !staff_only(t->actor, ROLE_OFFICER, "officers terminate projects",
	    err))
		return (0);
	if (before.status != PROJECT_AWAITING_SIGNATURE &&
	    before.status != PROJECT_ACTIVE &&
	    before.status != PROJECT_SUSPENDED)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s and cannot be terminated", before.reference,
		    project_status_name(before.status)));
	if (!payments_cancel_open_tx(db, t->actor, t->id, "project terminated",
	    &cancelled, err) ||
	    !ledger_project_get(db, t->actor, t->id, &lp, err))
		return (0);
	if (lp.outstanding > 0 && !ledger_release(db, t->actor, t->id,
	    LEDGER_REMAINDER, LEDGER_TODAY, t->text, NULL, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_str(&p, t->text);
	if (!apply_tx(db, t, SQL_TERMINATE, &p, "project.terminate", &before,
	    t->text, err))
		return (0);
	snprintf(en, sizeof(en), "Project %s is terminated; the remaining "
	    "commitment is released. Reason: %s", before.reference, t->text);
	snprintf(zh, sizeof(zh), "項目 %s 已終止，餘下承擔額已撥回。原因：%s",
	    before.reference, t->text);
	return (projects_notify(db, before.org_id, "project.terminated",
	    "project", t->id, en, zh, err));
}

int
projects_terminate(struct db *db, const struct actor *actor, int64_t id,
    const char *reason, json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_text_arg(reason, "reason", 1, PROJECT_TEXT_MAX, &reason,
	    err))
		return (0);
	return (run_tx(db, actor, id, reason, NULL, terminate_tx, out, err));
}

/*
 * Close-out and refunds.
 */

static int
close_tx(struct db *db, void *arg, struct app_err *err)
{
	struct proj_tx		*t = arg;
	struct project		 before;
	struct project_surplus	 s;
	struct ledger_project	 lp;
	struct db_params	 p;
	PGresult		*res;
	cents_t			 paid;
	int64_t			 open;
	int			 report, accounts;
	char			 en[400], zh[400], amt[MONEY_FMT_MAX];

	if (!projects_load(db, t->actor, t->id, 1, &before, err) ||
	    !staff_only(t->actor, ROLE_OFFICER, "officers close projects",
	    err))
		return (0);
	if (before.status != PROJECT_ACTIVE)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; only an active project is closed", before.reference,
		    project_status_name(before.status)));
	db_params_init(&p);
	dbp_i64(&p, t->id);
	if ((res = db_query(db, SQL_FINAL_STATE, &p, err)) == NULL)
		return (0);
	report = PQntuples(res) == 1 && db_bool(res, 0, 0);
	accounts = PQntuples(res) == 1 && db_bool(res, 0, 1);
	PQclear(res);
	if (!report || !accounts || !before.audited)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "closed after the final report and the audited accounts "
		    "are accepted", before.reference));
	if (!payments_open_count_tx(db, t->id, &open, &paid, err))
		return (0);
	if (open > 0)
		return (app_err_set(err, APP_ESTATE, "payments", "project %s "
		    "has a payment waiting for approval; approve or cancel it "
		    "first", before.reference));
	if (!ledger_project_get(db, t->actor, t->id, &lp, err))
		return (0);
	if (lp.paid != paid)
		return (app_err_set(err, APP_EINTERNAL, NULL, "project %s: the "
		    "ledger shows %lld cents paid, the payments %lld",
		    before.reference, (long long)lp.paid, (long long)paid));
	if (!projects_surplus(paid, before.government_cents,
	    before.total_cost_cents, before.audited_cost_cents,
	    before.interest_cents, &s, err))
		return (0);
	if (lp.outstanding > 0 && !ledger_release(db, t->actor, t->id,
	    LEDGER_REMAINDER, LEDGER_TODAY, "close-out: unpaid commitment "
	    "released", NULL, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_i64(&p, s.share_cents);
	dbp_i64(&p, s.surplus_cents);
	dbp_i64(&p, s.refund_due_cents);
	if (!apply_tx(db, t, SQL_CLOSE, &p, "project.close", &before,
	    t->text, err))
		return (0);
	money_format(s.refund_due_cents, amt, sizeof(amt));
	if (s.refund_due_cents > 0) {
		snprintf(en, sizeof(en), "Project %s is closed out: a refund of "
		    "%s is due (surplus of payments over the government share "
		    "of the audited cost, plus interest).", before.reference,
		    amt);
		snprintf(zh, sizeof(zh), "項目 %s 已完成結算：須退還 %s（已發放款項"
		    "超出經審計成本中政府應佔部分的餘額，連利息）。",
		    before.reference, amt);
	} else {
		snprintf(en, sizeof(en), "Project %s is closed; no refund is "
		    "due.", before.reference);
		snprintf(zh, sizeof(zh), "項目 %s 已結束，無須退款。",
		    before.reference);
	}
	return (projects_notify(db, before.org_id, "project.closed", "project",
	    t->id, en, zh, err));
}

int
projects_close(struct db *db, const struct actor *actor, int64_t id,
    const char *note, json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!projects_text_ok(note, "note", 0, PROJECT_TEXT_MAX, 1, err))
		return (0);
	return (run_tx(db, actor, id, note, NULL, close_tx, out, err));
}

static int
refund_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const keys[] = { "amount_cents", "reference",
		NULL };
	struct proj_tx		*t = arg;
	struct project		 before;
	struct db_params	 p;
	PGresult		*res;
	const char		*ref;
	cents_t			 amount, left;
	int64_t			 entry;
	char			 narrative[300];

	if (!projects_load(db, t->actor, t->id, 1, &before, err) ||
	    !staff_only(t->actor, ROLE_OFFICER | ROLE_FINANCE,
	    "officers and finance record refunds", err) ||
	    !projects_json_only(t->body, keys, "", err) ||
	    !projects_json_cents(t->body, "amount_cents", 1, &amount, NULL,
	    err) ||
	    !projects_json_text(t->body, "reference", 0, 200, 0, &ref, err))
		return (0);
	if (before.status != PROJECT_REFUND_DUE)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; refunds are recorded when a refund is due",
		    before.reference, project_status_name(before.status)));
	left = before.refund_due_cents - before.refunded_cents;
	if (amount <= 0 || amount > left)
		return (app_err_set(err, APP_EINVAL, "amount_cents",
		    "amount_cents: must be 1 to %lld (the refund still due)",
		    (long long)left));
	snprintf(narrative, sizeof(narrative), "refund %s of %s%s%s",
	    before.status == PROJECT_REFUND_DUE && before.audited ?
	    "at close-out" : "due", before.reference, ref != NULL ? ", " : "",
	    ref != NULL ? ref : "");
	if (!ledger_refund(db, t->actor, t->id, amount, LEDGER_TODAY,
	    narrative, &entry, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_i64(&p, amount);
	dbp_str(&p, ref);
	dbp_i64(&p, entry);
	actor_user(t->actor, &p);
	if ((res = db_query(db, SQL_INSERT_REFUND, &p, err)) == NULL)
		return (0);
	t->result_id = db_i64(res, 0, 0);
	PQclear(res);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_i64(&p, amount);
	return (apply_tx(db, t, SQL_REFUND, &p, "project.refund", &before,
	    ref, err));
}

int
projects_refund(struct db *db, const struct actor *actor, int64_t id,
    const json_t *body, json_t **out, struct app_err *err)
{
	*out = NULL;
	return (run_tx(db, actor, id, NULL, body, refund_tx, out, err));
}

/*
 * The settlement of a terminated project: the eligible cost incurred up to
 * termination decides the refund due, as the audited cost does at
 * close-out (projects_surplus); the refund itself is recorded with
 * POST .../refund (refund_tx), which closes the project.
 */
static int
settle_tx(struct db *db, void *arg, struct app_err *err)
{
	static const char *const keys[] = { "eligible_cost_cents",
		"interest_cents", "note", NULL };
	struct proj_tx		*t = arg;
	struct project		 before;
	struct project_surplus	 s;
	struct ledger_project	 lp;
	struct db_params	 p;
	const char		*note;
	cents_t			 cost, interest, paid;
	int64_t			 open;
	char			 en[600], zh[600], amt[MONEY_FMT_MAX];
	char			 share[MONEY_FMT_MAX], paidf[MONEY_FMT_MAX];

	if (!projects_load(db, t->actor, t->id, 1, &before, err) ||
	    !staff_only(t->actor, ROLE_OFFICER, "officers record the cost of "
	    "a terminated project", err) ||
	    !projects_json_only(t->body, keys, "", err) ||
	    !projects_json_cents(t->body, "eligible_cost_cents", 1, &cost,
	    NULL, err) ||
	    !projects_json_text(t->body, "note", 0, PROJECT_TEXT_MAX, 1, &note,
	    err))
		return (0);
	interest = 0;
	if (!projects_json_cents(t->body, "interest_cents", 0, &interest, NULL,
	    err))
		return (0);
	if (before.status != PROJECT_TERMINATED)
		return (app_err_set(err, APP_ESTATE, "status", "project %s is "
		    "%s; only a terminated project is settled this way, and "
		    "once", before.reference,
		    project_status_name(before.status)));
	if (!before.is_signed)
		return (app_err_set(err, APP_ESTATE, "status", "project %s was "
		    "terminated before its agreement was signed: nothing was "
		    "paid and it stays terminated", before.reference));
	if (!payments_open_count_tx(db, t->id, &open, &paid, err) ||
	    !ledger_project_get(db, t->actor, t->id, &lp, err))
		return (0);
	if (open > 0)
		return (app_err_set(err, APP_ESTATE, "payments", "project %s "
		    "has a payment waiting for approval", before.reference));
	if (lp.paid != paid)
		return (app_err_set(err, APP_EINTERNAL, NULL, "project %s: the "
		    "ledger shows %lld cents paid, the payments %lld",
		    before.reference, (long long)lp.paid, (long long)paid));
	if (!projects_surplus(paid, before.government_cents,
	    before.total_cost_cents, cost, interest, &s, err))
		return (0);
	/* Termination released the commitment; anything left goes too. */
	if (lp.outstanding > 0 && !ledger_release(db, t->actor, t->id,
	    LEDGER_REMAINDER, LEDGER_TODAY, "settlement of a terminated "
	    "project: unpaid commitment released", NULL, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, t->id);
	dbp_i64(&p, cost);
	dbp_i64(&p, interest);
	dbp_i64(&p, s.share_cents);
	dbp_i64(&p, s.surplus_cents);
	dbp_i64(&p, s.refund_due_cents);
	if (!apply_tx(db, t, SQL_SETTLE, &p, "project.settle", &before,
	    note, err))
		return (0);
	money_format(s.refund_due_cents, amt, sizeof(amt));
	money_format(s.share_cents, share, sizeof(share));
	money_format(paid, paidf, sizeof(paidf));
	if (s.refund_due_cents > 0) {
		snprintf(en, sizeof(en), "Terminated project %s: of %s paid, "
		    "the government share of the eligible cost incurred up to "
		    "termination is %s; a refund of %s is due.",
		    before.reference, paidf, share, amt);
		snprintf(zh, sizeof(zh), "已終止項目 %s：已發放 %s，終止前所涉合資格"
		    "成本中政府應佔部分為 %s；須退還 %s。", before.reference,
		    paidf, share, amt);
	} else {
		snprintf(en, sizeof(en), "Terminated project %s is settled and "
		    "closed; no refund is due.", before.reference);
		snprintf(zh, sizeof(zh), "已終止項目 %s 已完成結算並結束，無須退款。",
		    before.reference);
	}
	return (projects_notify(db, before.org_id, "project.settled",
	    "project", t->id, en, zh, err));
}

int
projects_settle_termination(struct db *db, const struct actor *actor,
    int64_t id, const json_t *body, json_t **out, struct app_err *err)
{
	*out = NULL;
	return (run_tx(db, actor, id, NULL, body, settle_tx, out, err));
}

/*
 * For projects_reports.c: an accepted report on milestone seq.
 */
int
projects_milestone_accepted_tx(struct db *db, int64_t project_id, int seq,
    const char *kind, cents_t audited_cost, cents_t interest,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	int			 n, accounts;

	accounts = strcmp(kind, "audited_accounts") == 0;
	db_params_init(&p);
	dbp_i64(&p, project_id);
	dbp_int(&p, seq);
	if ((res = db_query(db, accounts ? SQL_MS_ACCOUNTS : SQL_MS_PROGRESS,
	    &p, err)) == NULL)
		return (0);
	n = PQntuples(res);
	PQclear(res);
	if (n != 1)
		return (app_err_set(err, APP_EINVAL, "milestone", "audited "
		    "accounts belong to the final milestone"));
	if (accounts) {
		db_params_init(&p);
		dbp_i64(&p, project_id);
		dbp_i64(&p, audited_cost);
		dbp_i64(&p, interest);
		if (!db_exec(db, SQL_PROJECT_AUDITED, &p, err))
			return (0);
	}
	db_params_init(&p);
	dbp_i64(&p, project_id);
	dbp_int(&p, seq);
	return (db_exec(db, SQL_UNLOCK_MILESTONE, &p, err));
}
