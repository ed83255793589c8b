-- tests/bench/register.sql: the project register's rows (the query of
-- reports/project_register.c, with its status labels) as tab-separated
-- text, for the floor (xlsx_floor.c) and the peer (exceljs_register.mjs).
-- scripts/bench.sh runs it with psql before timing them, so both read the
-- same rows from a file in memory, never from the database.
\set ON_ERROR_STOP on
COPY (
SELECT pr.reference, pr.title, o.name_en, o.name_zh, pr.scheme_code,
    pr.approved_cents, pr.government_cents,
    coalesce(lc.paid_cents, 0) - coalesce(lc.refunded_cents, 0),
    pr.start_date, pr.end_date,
    CASE pr.status
	WHEN 'awaiting_signature' THEN 'Awaiting signature 待簽署協議'
	WHEN 'active' THEN 'Active 進行中'
	WHEN 'suspended' THEN 'Suspended 暫停發放撥款'
	WHEN 'refund_due' THEN 'Refund due 待退還款項'
	WHEN 'closed' THEN 'Closed 已完成'
	WHEN 'terminated' THEN 'Terminated 已終止'
	ELSE pr.status END
FROM projects pr JOIN organisations o ON o.id = pr.org_id
LEFT JOIN ledger_commitments lc ON lc.project_id = pr.id
ORDER BY pr.id
) TO STDOUT;
