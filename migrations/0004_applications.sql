-- 0004: applications: drafts, submissions, screening, their budget lines and
-- milestones, the status history, and the reference-number counters.
-- Owned by app/core/applications.c (docs/api.md, "Applications").
-- The runner wraps this file in one transaction with its schema_migrations row.

CREATE TABLE applications (
	id		bigserial PRIMARY KEY,
	org_id		bigint NOT NULL REFERENCES organisations (id),
	scheme_code	text NOT NULL CHECK (scheme_code ~ '^[A-Z]{2,8}$'),
	status		text NOT NULL DEFAULT 'draft' CHECK (status IN
			    ('draft', 'submitted', 'screening', 'returned',
			    'resubmitted', 'under_assessment', 'recommended',
			    'not_recommended', 'approved', 'rejected',
			    'withdrawn')),
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	summary		text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
	start_date	date,
	end_date	date,
	fields		jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fields) = 'object'),
	total_cost_cents bigint NOT NULL DEFAULT 0 CHECK (total_cost_cents >= 0),
	basis_cents	bigint CHECK (basis_cents >= 0),
	requested_cents	bigint CHECK (requested_cents >= 0),
	applicant_cents	bigint CHECK (applicant_cents >= 0),
	heads		integer NOT NULL DEFAULT 0 CHECK (heads >= 0),
	rule_version	text,
	capped_by	text,
	reference	text,
	ref_prefix	text,
	ref_year	smallint CHECK (ref_year BETWEEN 0 AND 99),
	ref_seq		integer CHECK (ref_seq >= 1),
	submitted_on	date,
	submitted_at	timestamptz,
	resubmitted_at	timestamptz,
	decided_at	timestamptz,
	return_note	text CHECK (length(return_note) <= 2000),
	created_by	bigint REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	version		integer NOT NULL DEFAULT 1 CHECK (version >= 1),
	CONSTRAINT applications_period CHECK (end_date > start_date),
	CONSTRAINT applications_reference_unique UNIQUE (reference),
	CONSTRAINT applications_ref_parts_unique UNIQUE (ref_prefix, ref_year, ref_seq),
	CONSTRAINT applications_reference_shape CHECK (reference ~ '^[A-Z]{2,5}/[0-9]{4,}/[0-9]{2}$'),
	-- A reference and a submission date come together, at the first
	-- submission; past the draft (and short of a withdrawal) there are
	-- always a reference, a period and the computed request.
	CONSTRAINT applications_reference_dated CHECK
	    ((reference IS NULL) = (submitted_on IS NULL)),
	CONSTRAINT applications_draft_unreferenced CHECK
	    (status <> 'draft' OR reference IS NULL),
	CONSTRAINT applications_submitted_complete CHECK
	    (status IN ('draft', 'withdrawn') OR (reference IS NOT NULL AND
	    requested_cents IS NOT NULL AND rule_version IS NOT NULL AND
	    start_date IS NOT NULL AND end_date IS NOT NULL))
);
COMMENT ON TABLE applications IS 'Funding applications to a scheme, from draft to decision; the state machine is in app/core/applications.c';
COMMENT ON COLUMN applications.org_id IS 'the applicant organisation';
COMMENT ON COLUMN applications.scheme_code IS 'schemes/*.json code the application is made to (the files are the source of truth, so no foreign key)';
COMMENT ON COLUMN applications.status IS 'draft, submitted, screening, returned, resubmitted, under_assessment, recommended, not_recommended, approved, rejected, withdrawn';
COMMENT ON COLUMN applications.fields IS 'the scheme-specific fields named by the definition''s application_fields, validated by type';
COMMENT ON COLUMN applications.total_cost_cents IS 'sum of the budget lines (the total eligible cost)';
COMMENT ON COLUMN applications.basis_cents IS 'the amount the funding model was applied to at submission (budget total, expenditure or partner investment)';
COMMENT ON COLUMN applications.requested_cents IS 'government contribution computed by the funding model at submission, never typed in';
COMMENT ON COLUMN applications.applicant_cents IS 'the applicant''s part as the funding model computed it';
COMMENT ON COLUMN applications.heads IS 'people funded (allowance model: talents or interns), counted against max_heads';
COMMENT ON COLUMN applications.rule_version IS 'id of the scheme rule version in force on submitted_on';
COMMENT ON COLUMN applications.capped_by IS 'the cap that bound requested_cents, or NULL';
COMMENT ON COLUMN applications.reference IS 'PREFIX/NNNN/YY given at first submission; never reused';
COMMENT ON COLUMN applications.submitted_on IS 'Hong Kong date of first submission: the date the scheme rules are judged by';
COMMENT ON COLUMN applications.return_note IS 'the officer''s note when the application was last returned for clarification';
COMMENT ON COLUMN applications.version IS 'incremented on every change; PATCH may name the version it edits';

-- Keyset pagination (ORDER BY id DESC) under each filter.
CREATE INDEX applications_org ON applications (org_id, id DESC);
CREATE INDEX applications_scheme ON applications (scheme_code, status, id DESC);
CREATE INDEX applications_status ON applications (status, id DESC);
CREATE INDEX applications_submitted ON applications (submitted_on, id DESC)
	WHERE submitted_on IS NOT NULL;
-- Cumulative caps: an organisation's applications to one scheme.
CREATE INDEX applications_org_scheme ON applications (org_id, scheme_code, status);
-- Duplicate-funding screening: similar titles and summaries (pg_trgm).
CREATE INDEX applications_title_trgm ON applications USING gin (title gin_trgm_ops);
CREATE INDEX applications_summary_trgm ON applications USING gin (summary gin_trgm_ops);

CREATE TABLE application_budget_lines (
	application_id	bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	line_no		integer NOT NULL CHECK (line_no BETWEEN 1 AND 100),
	category	text NOT NULL CHECK (category IN ('manpower', 'equipment',
			    'materials', 'services', 'travel', 'training',
			    'patent', 'audit', 'other')),
	description	text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
	amount_cents	bigint NOT NULL CHECK (amount_cents >= 0),
	government_cents bigint CHECK (government_cents >= 0),
	applicant_cents	bigint CHECK (applicant_cents >= 0),
	PRIMARY KEY (application_id, line_no),
	CHECK (government_cents IS NULL OR
	    government_cents + applicant_cents = amount_cents)
);
COMMENT ON TABLE application_budget_lines IS 'Budget of an application; the lines sum to applications.total_cost_cents';
COMMENT ON COLUMN application_budget_lines.government_cents IS 'this line''s part of the computed government contribution (pro rata, remainder on the last line); NULL until submission';
COMMENT ON COLUMN application_budget_lines.applicant_cents IS 'amount_cents - government_cents; NULL until submission';

CREATE TABLE application_milestones (
	application_id	bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	seq		integer NOT NULL CHECK (seq BETWEEN 1 AND 50),
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	deliverables	text NOT NULL DEFAULT '' CHECK (length(deliverables) <= 2000),
	due_date	date NOT NULL,
	PRIMARY KEY (application_id, seq)
);
COMMENT ON TABLE application_milestones IS 'Milestones proposed in an application; due dates fall within its project period';

-- The status history: one row per transition, written in the same
-- transaction as the change and its audit row.  Append-only for the service.
CREATE TABLE application_events (
	id		bigserial PRIMARY KEY,
	application_id	bigint NOT NULL REFERENCES applications (id),
	at		timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor_id	bigint REFERENCES users (id),
	actor_label	text NOT NULL,
	action		text NOT NULL,
	from_status	text,
	to_status	text NOT NULL,
	note		text CHECK (length(note) <= 2000)
);
CREATE INDEX application_events_app ON application_events (application_id, id);
COMMENT ON TABLE application_events IS 'Status history of each application (who, when, from, to, why); the audit trail holds the same with the record before and after';
COMMENT ON COLUMN application_events.note IS 'the reason given: the officer''s note on a return, the applicant''s on a withdrawal';

-- Reference numbers: one counter per prefix and two-digit year, bumped in
-- the submitting transaction, so a number once committed is never reused.
CREATE TABLE application_ref_counters (
	prefix		text NOT NULL CHECK (prefix ~ '^[A-Z]{2,5}$'),
	year		smallint NOT NULL CHECK (year BETWEEN 0 AND 99),
	last_seq	integer NOT NULL CHECK (last_seq >= 1),
	PRIMARY KEY (prefix, year)
);
COMMENT ON TABLE application_ref_counters IS 'Last reference sequence given per prefix and year: TVP/0001/21 is (TVP, 21, 1)';

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		REVOKE UPDATE, DELETE, TRUNCATE ON application_events FROM itf_app;
		REVOKE DELETE, TRUNCATE ON applications FROM itf_app;
		REVOKE DELETE, TRUNCATE ON application_ref_counters FROM itf_app;
	END IF;
END $$;
