-- tests/bench/clone.sql: BENCHMARK-ONLY volume multiplier.  Never run it on
-- a database anyone cares about.
--
-- scripts/bench.sh seeds a small base through the real core
-- (itfctl seed demo --scale 0.1, every row written by the core functions),
-- copies that database, and runs this file on the copy to multiply the
-- rows the measured paths read, so 1x/10x/50x volumes exist in minutes
-- instead of the hours a scale-10 replay takes:
--
--	psql -v factor=N -v history=0|1 -v gin=0|1 -f tests/bench/clone.sql
--
-- factor N: N copies in all (the original plus N-1 clones).  Each clone k
-- (1..N-1) gets fresh ids (id + k * (max(id) + 1) of the table it belongs
-- to), fresh references (the sequence number + k * 100000, so the
-- reference keeps its shape and stays unique) and the same organisation,
-- dates, amounts, statuses and texts as its original.
--
-- Cloned: applications, projects (id = application id, as in the core),
-- ledger_commitments of those projects (paid to date for the register),
-- and with history=1 application_events and decisions (what
-- scheme-statistics reads).  Not cloned: organisations (a clone belongs
-- to its original's organisation, so each has N times the applications),
-- budget lines, milestones, panels, payments, the ledger's entries.
--
-- gin=0 leaves out the two trigram (GIN) indexes of applications, which
-- only duplicate screening uses: building them over 1.8 million rows
-- would take minutes of the 15 that make bench has (the 50x volume).
--
-- It BYPASSES THE CORE: no audit rows (the hash-chained audit trail no
-- longer describes every row), no ledger entries behind the cloned
-- commitments (itfctl ledger verify would fail), triggers and foreign-key
-- checks off (session_replication_role = replica; the ids are mapped
-- consistently, so the references hold anyway).  Acceptable for a read
-- benchmark on a throwaway database, nothing else.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET maintenance_work_mem = '256MB';
SET synchronous_commit = off;
BEGIN;
-- bench_copy(table, {column: expression}, FROM ..., WHERE ...) inserts
-- a copy of every row the FROM and WHERE give, each column as it is (x.col)
-- or as the expression given for it, so columns added by later migrations
-- are cloned without editing this file.
CREATE FUNCTION pg_temp.bench_copy(tbl text, overrides jsonb, src text,
    cond text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    cols text;
    exprs text;
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
	string_agg(coalesce(ov.value, 'x.' || quote_ident(a.attname)), ', '
	    ORDER BY a.attnum)
    INTO cols, exprs
    FROM pg_attribute a
    LEFT JOIN jsonb_each_text(overrides) ov ON ov.key = a.attname
    WHERE a.attrelid = tbl::regclass AND a.attnum > 0
    AND NOT a.attisdropped AND a.attgenerated = '';
    EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %s WHERE %s',
	tbl, cols, exprs, src, cond);
END
$f$;
CREATE TEMP TABLE bench_k AS
    SELECT k FROM generate_series(1, :factor - 1) AS k;
CREATE TEMP TABLE bench_off AS SELECT
    (SELECT coalesce(max(id), 0) + 1 FROM applications) AS app,
    (SELECT coalesce(max(id), 0) + 1 FROM application_events) AS ev,
    :gin::int AS gin;

-- Index maintenance costs far more per inserted row than the rows
-- themselves (the trigram GIN indexes most): drop the indexes that no
-- constraint needs and build them again, sorted, after the inserts.
CREATE TEMP TABLE bench_idx AS
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def,
	am.amname AS am
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_am am ON am.oid = c.relam
    WHERE i.indrelid IN ('applications'::regclass, 'projects'::regclass,
	'ledger_commitments'::regclass, 'application_events'::regclass,
	'decisions'::regclass)
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k
	WHERE k.conindid = i.indexrelid);
DO $$DECLARE x record; BEGIN
    FOR x IN SELECT name FROM bench_idx LOOP
	EXECUTE format('DROP INDEX %I', x.name);
    END LOOP;
END$$;

-- An application's reference: PREFIX/NNNN/YY; the clone's NNNN is
-- ref_seq + k * 100000.
SELECT pg_temp.bench_copy('applications', jsonb_build_object(
    'id', 'x.id + k * o.app',
    'reference', $$regexp_replace(x.reference, '/[0-9]+/', '/' || ($$
	|| $$x.ref_seq + k * 100000)::text || '/')$$,
    'ref_seq', 'x.ref_seq + k * 100000'),
    'applications x, bench_k, bench_off o', 'x.id < o.app ORDER BY k, x.id');

SELECT pg_temp.bench_copy('projects', jsonb_build_object(
    'id', 'x.id + k * o.app',
    'reference', $$regexp_replace(x.reference, '/[0-9]+/', '/' || ($$
	|| $$a.ref_seq + k * 100000)::text || '/')$$),
    'projects x JOIN applications a ON a.id = x.id, bench_k, bench_off o',
    'x.id < o.app ORDER BY k, x.id');

SELECT pg_temp.bench_copy('ledger_commitments', jsonb_build_object(
    'project_id', 'x.project_id + k * o.app'),
    'ledger_commitments x JOIN projects p ON p.id = x.project_id, '
    'bench_k, bench_off o', 'x.project_id < o.app');

\if :history
SELECT pg_temp.bench_copy('application_events', jsonb_build_object(
    'id', 'x.id + k * o.ev',
    'application_id', 'x.application_id + k * o.app'),
    'application_events x, bench_k, bench_off o',
    'x.id < o.ev AND x.application_id < o.app ORDER BY k, x.id');

SELECT pg_temp.bench_copy('decisions', jsonb_build_object(
    'application_id', 'x.application_id + k * o.app',
    'ledger_entry_id', 'NULL'),
    'decisions x, bench_k, bench_off o', 'x.application_id < o.app');
\endif

SET max_parallel_maintenance_workers = 2;
DO $$DECLARE x record; BEGIN
    FOR x IN SELECT def FROM bench_idx, bench_off
	WHERE am <> 'gin' OR bench_off.gin = 1 LOOP
	EXECUTE x.def;
    END LOOP;
END$$;

SELECT setval('applications_id_seq', (SELECT max(id) FROM applications));
SELECT setval('application_events_id_seq',
    (SELECT max(id) FROM application_events));
COMMIT;
VACUUM (ANALYZE) applications;
VACUUM (ANALYZE) projects;
VACUUM (ANALYZE) ledger_commitments;
VACUUM (ANALYZE) application_events;
VACUUM (ANALYZE) decisions;
