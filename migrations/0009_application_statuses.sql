-- 0009: an application whose project's funding agreement is signed is
-- agreement_signed (approved -> agreement_signed, taken by the signature in
-- app/core/projects_db.c through the applications state table).  It counts
-- against cumulative caps as approved does (application_status_committed()).
-- Owned by app/core/applications.c.  The runner wraps this file in one
-- transaction with its schema_migrations row.

ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check
	CHECK (status IN ('draft', 'submitted', 'screening', 'returned',
	    'resubmitted', 'under_assessment', 'recommended', 'not_recommended',
	    'approved', 'agreement_signed', 'rejected', 'withdrawn'));
COMMENT ON COLUMN applications.status IS 'draft, submitted, screening, returned, resubmitted, under_assessment, recommended, not_recommended, approved, agreement_signed (the project''s agreement is signed), rejected, withdrawn';

-- Projects signed before this status existed: their applications move on
-- now, each with its history row and audit row, as a signature writes them.
CREATE TEMPORARY TABLE m0009_signed ON COMMIT DROP AS
	SELECT a.id, a.reference FROM applications a
	JOIN projects p ON p.id = a.id
	WHERE a.status = 'approved' AND p.signed_at IS NOT NULL;

UPDATE applications SET status = 'agreement_signed', updated_at = now(),
	version = version + 1
	WHERE id IN (SELECT id FROM m0009_signed);

INSERT INTO application_events (application_id, actor_label, action,
    from_status, to_status, note)
	SELECT id, 'migration 0009', 'sign', 'approved', 'agreement_signed',
	    'the agreement was signed before the status agreement_signed existed'
	FROM m0009_signed ORDER BY id;

INSERT INTO audit_log (actor_label, action, record_type, record_id, before,
    after, reason, prev_hash, hash)
	SELECT 'migration 0009', 'application.sign', 'application', id::text,
	    jsonb_build_object('status', 'approved'),
	    jsonb_build_object('status', 'agreement_signed', 'reference',
	    reference),
	    'the agreement was signed before the status agreement_signed existed',
	    '', ''
	FROM m0009_signed ORDER BY id;
