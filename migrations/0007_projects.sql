-- 0007: projects, their funding agreements (every version kept), milestones
-- with payment tranches, progress reports, payments (maker-checker, one per
-- tranche, one per idempotency key), variations and refunds.
-- Owned by app/core/projects*.c and app/core/payments.c (docs/api.md,
-- "Projects and payments").  The runner wraps this file in one transaction
-- with its schema_migrations row.
--
-- A project's id IS its application's id: the approval commits the money in
-- the ledger under project_id = application id (ledger_commitments), so the
-- ledger's sub-ledger, the application and the project share one number.
--
-- Invariants held here, not only in C:
--   * the tranches of a project always sum exactly to its government
--     contribution (deferred constraint triggers, checked at COMMIT);
--   * the government contribution never exceeds the approved amount, in the
--     project and in every agreement version;
--   * one live payment per tranche (payments_one_per_tranche) and one
--     payment per idempotency key (payments_idempotency_key_unique);
--   * a payment is approved by someone other than who prepared it, and
--     never for more than its tranche;
--   * agreement versions are append-only.

CREATE TABLE projects (
	id		bigint PRIMARY KEY REFERENCES applications (id),
	org_id		bigint NOT NULL REFERENCES organisations (id),
	scheme_code	text NOT NULL CHECK (scheme_code ~ '^[A-Z]{2,8}$'),
	rule_version	text NOT NULL,
	reference	text NOT NULL,
	title		text NOT NULL,
	status		text NOT NULL DEFAULT 'awaiting_signature' CHECK (status IN
			    ('awaiting_signature', 'active', 'suspended',
			    'refund_due', 'closed', 'terminated')),
	payment_pattern	text NOT NULL CHECK (payment_pattern IN ('milestones',
			    'initial_and_completion', 'on_completion',
			    'monthly_claims', 'single_rebate',
			    'annual_reimbursement', 'co_investment')),
	initial_max_bp	integer NOT NULL CHECK (initial_max_bp BETWEEN 0 AND 10000),
	final_min_bp	integer NOT NULL CHECK (final_min_bp BETWEEN 0 AND 10000),
	initial_bp	integer NOT NULL DEFAULT 0
			    CHECK (initial_bp BETWEEN 0 AND initial_max_bp),
	approved_cents	bigint NOT NULL CHECK (approved_cents > 0),
	government_cents bigint NOT NULL CHECK (government_cents > 0),
	applicant_cents	bigint NOT NULL CHECK (applicant_cents >= 0),
	total_cost_cents bigint NOT NULL CHECK (total_cost_cents >= 0),
	start_date	date NOT NULL,
	end_date	date NOT NULL,
	agreement_version integer NOT NULL DEFAULT 1 CHECK (agreement_version >= 1),
	signed_version	integer,
	signed_at	timestamptz,
	signed_by	bigint REFERENCES users (id),
	signed_as	text CHECK (signed_as IN ('applicant', 'officer')),
	suspended_at	timestamptz,
	suspension_reason text CHECK (length(suspension_reason) BETWEEN 1 AND 4000),
	terminated_at	timestamptz,
	termination_reason text CHECK (length(termination_reason) BETWEEN 1 AND 4000),
	audited_cost_cents bigint CHECK (audited_cost_cents >= 0),
	interest_cents	bigint CHECK (interest_cents >= 0),
	gov_share_cents	bigint CHECK (gov_share_cents >= 0),
	surplus_cents	bigint,
	refund_due_cents bigint NOT NULL DEFAULT 0 CHECK (refund_due_cents >= 0),
	refunded_cents	bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
	closed_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT projects_within_approval CHECK (government_cents <= approved_cents),
	CONSTRAINT projects_period CHECK (end_date > start_date),
	CONSTRAINT projects_signed CHECK (status IN ('awaiting_signature',
	    'terminated') OR (signed_at IS NOT NULL AND signed_version IS NOT NULL)),
	CONSTRAINT projects_suspension_reason CHECK
	    (status <> 'suspended' OR suspension_reason IS NOT NULL),
	CONSTRAINT projects_refund_within_due CHECK (refunded_cents <= refund_due_cents),
	CONSTRAINT projects_closed_refunded CHECK
	    (status <> 'closed' OR refunded_cents = refund_due_cents),
	CONSTRAINT projects_refund_after_close CHECK
	    (status NOT IN ('refund_due', 'closed') OR gov_share_cents IS NOT NULL)
);
CREATE INDEX projects_org ON projects (org_id, id DESC);
CREATE INDEX projects_status ON projects (status, id DESC);
CREATE INDEX projects_scheme ON projects (scheme_code, id DESC);
COMMENT ON TABLE projects IS 'Approved applications with their funding agreement: created in the approval transaction (projects_create_from_approval)';
COMMENT ON COLUMN projects.id IS 'the application''s id, also the ledger''s project_id of its commitment';
COMMENT ON COLUMN projects.rule_version IS 'the scheme rule version the application was judged by (caps for variations)';
COMMENT ON COLUMN projects.status IS 'awaiting_signature -> active <-> suspended; active -> refund_due -> closed (close-out); active -> closed (no refund due); any open state -> terminated';
COMMENT ON COLUMN projects.payment_pattern IS 'the scheme definition''s payment.pattern when the project was created';
COMMENT ON COLUMN projects.initial_max_bp IS 'the scheme''s payment.initial_bp: the most an initial payment may be (0: none)';
COMMENT ON COLUMN projects.final_min_bp IS 'the scheme''s payment.final_min_bp: the least share of the government contribution the final tranche keeps';
COMMENT ON COLUMN projects.initial_bp IS 'the agreed initial payment, in basis points of the government contribution, released on signing';
COMMENT ON COLUMN projects.approved_cents IS 'the government contribution approved (and committed in the ledger); never exceeded';
COMMENT ON COLUMN projects.government_cents IS 'the government contribution of the current agreement version';
COMMENT ON COLUMN projects.applicant_cents IS 'the applicant''s contribution of the current agreement version';
COMMENT ON COLUMN projects.agreement_version IS 'the current agreement version (agreement_versions)';
COMMENT ON COLUMN projects.signed_version IS 'the agreement version that was signed';
COMMENT ON COLUMN projects.signed_as IS 'applicant: signed by the organisation''s user in the system; officer: an officer recorded a signature made on paper';
COMMENT ON COLUMN projects.suspension_reason IS 'why payments are suspended (FCR(2021-22)22 para 31); kept after resumption as the last reason';
COMMENT ON COLUMN projects.audited_cost_cents IS 'eligible cost in the accepted audited accounts';
COMMENT ON COLUMN projects.interest_cents IS 'interest earned on the grant, reported in the accepted audited accounts';
COMMENT ON COLUMN projects.gov_share_cents IS 'at close: the government share of the audited eligible cost';
COMMENT ON COLUMN projects.surplus_cents IS 'at close: paid - government share of audited cost + interest (may be negative)';
COMMENT ON COLUMN projects.refund_due_cents IS 'at close: the refund due from the organisation (surplus, at least 0, at most what was paid)';
COMMENT ON COLUMN projects.refunded_cents IS 'refunds recorded so far (each posted to the ledger)';

-- The current budget of the agreement (variations reallocate it).
CREATE TABLE project_budget_lines (
	project_id	bigint NOT NULL REFERENCES projects (id),
	line_no		integer NOT NULL CHECK (line_no BETWEEN 1 AND 100),
	category	text NOT NULL,
	description	text NOT NULL DEFAULT '',
	amount_cents	bigint NOT NULL CHECK (amount_cents >= 0),
	government_cents bigint NOT NULL CHECK (government_cents >= 0),
	PRIMARY KEY (project_id, line_no),
	CHECK (government_cents <= amount_cents)
);
COMMENT ON TABLE project_budget_lines IS 'Budget lines of the current agreement version: each line''s cost and government part';

CREATE TABLE project_milestones (
	project_id	bigint NOT NULL REFERENCES projects (id),
	seq		integer NOT NULL CHECK (seq BETWEEN 1 AND 50),
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	deliverables	text NOT NULL DEFAULT '' CHECK (length(deliverables) <= 2000),
	due_date	date NOT NULL,
	tranche_bp	integer NOT NULL CHECK (tranche_bp BETWEEN 0 AND 10000),
	is_final	boolean NOT NULL DEFAULT false,
	report_accepted_at timestamptz,
	accounts_accepted_at timestamptz,
	PRIMARY KEY (project_id, seq),
	CONSTRAINT project_milestones_accounts_final
	    CHECK (accounts_accepted_at IS NULL OR is_final)
);
CREATE UNIQUE INDEX project_milestones_one_final ON project_milestones
	(project_id) WHERE is_final;
CREATE INDEX project_milestones_due ON project_milestones (due_date)
	WHERE report_accepted_at IS NULL;
COMMENT ON TABLE project_milestones IS 'Milestones of the current agreement: deliverables, due date and payment tranche share; the last is final';
COMMENT ON COLUMN project_milestones.tranche_bp IS 'this milestone''s tranche in basis points of the government contribution (0: no payment on this milestone)';
COMMENT ON COLUMN project_milestones.is_final IS 'the final milestone: its tranche also waits for the audited accounts';
COMMENT ON COLUMN project_milestones.report_accepted_at IS 'when the milestone''s progress report (the final report, for the final milestone) was accepted';
COMMENT ON COLUMN project_milestones.accounts_accepted_at IS 'final milestone only: when the audited accounts were accepted';

CREATE TABLE project_tranches (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id),
	seq		integer NOT NULL CHECK (seq BETWEEN 0 AND 50),
	kind		text NOT NULL CHECK (kind IN ('initial', 'milestone', 'final')),
	milestone_seq	integer,
	bp		integer NOT NULL CHECK (bp BETWEEN 1 AND 10000),
	amount_cents	bigint NOT NULL CHECK (amount_cents >= 0),
	unlocked_at	timestamptz,
	CONSTRAINT project_tranches_seq_unique UNIQUE (project_id, seq),
	CONSTRAINT project_tranches_id_project UNIQUE (id, project_id),
	FOREIGN KEY (project_id, milestone_seq)
	    REFERENCES project_milestones (project_id, seq),
	CHECK ((kind = 'initial') = (milestone_seq IS NULL)),
	CHECK (seq = coalesce(milestone_seq, 0))
);
COMMENT ON TABLE project_tranches IS 'Payment tranches: an initial payment (seq 0) and one per milestone with a share; they sum exactly to the government contribution';
COMMENT ON COLUMN project_tranches.kind IS 'initial (released on signing), milestone (on the milestone''s accepted report), final (on the final report and the audited accounts)';
COMMENT ON COLUMN project_tranches.bp IS 'share of the government contribution in basis points';
COMMENT ON COLUMN project_tranches.amount_cents IS 'the tranche: government contribution x bp / 10000, rounded down, the remainder on the last tranche';
COMMENT ON COLUMN project_tranches.unlocked_at IS 'when the tranche became payable';

-- Agreement versions: a full copy of the agreement's figures each time it
-- changes (approval, an officer's adjustment before signing, an approved
-- variation), so every earlier figure stays readable.
CREATE TABLE agreement_versions (
	project_id	bigint NOT NULL REFERENCES projects (id),
	version		integer NOT NULL CHECK (version >= 1),
	approved_cents	bigint NOT NULL CHECK (approved_cents > 0),
	government_cents bigint NOT NULL CHECK (government_cents > 0),
	applicant_cents	bigint NOT NULL CHECK (applicant_cents >= 0),
	total_cost_cents bigint NOT NULL CHECK (total_cost_cents >= 0),
	start_date	date NOT NULL,
	end_date	date NOT NULL,
	initial_bp	integer NOT NULL CHECK (initial_bp BETWEEN 0 AND 10000),
	budget		jsonb NOT NULL CHECK (jsonb_typeof(budget) = 'array'),
	milestones	jsonb NOT NULL CHECK (jsonb_typeof(milestones) = 'array'),
	tranches	jsonb NOT NULL CHECK (jsonb_typeof(tranches) = 'array'),
	reason		text NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
	variation_id	bigint,
	created_by	bigint REFERENCES users (id),
	created_label	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, version),
	CONSTRAINT agreement_versions_within_approval
	    CHECK (government_cents <= approved_cents)
);
COMMENT ON TABLE agreement_versions IS 'Every version of every funding agreement (append-only): figures, budget, milestones and tranches as they stood';
COMMENT ON COLUMN agreement_versions.reason IS 'approval, adjusted before signing, or variation N';
COMMENT ON COLUMN agreement_versions.variation_id IS 'the approved variation that made this version, if any';

CREATE TABLE progress_reports (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL,
	milestone_seq	integer NOT NULL,
	kind		text NOT NULL CHECK (kind IN ('progress', 'audited_accounts')),
	status		text NOT NULL DEFAULT 'submitted'
			    CHECK (status IN ('submitted', 'accepted', 'returned')),
	body		text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
	expenditure_cents bigint NOT NULL CHECK (expenditure_cents >= 0),
	audited_cost_cents bigint CHECK (audited_cost_cents >= 0),
	interest_cents	bigint CHECK (interest_cents >= 0),
	file_name	text CHECK (length(file_name) BETWEEN 1 AND 200),
	file_stored	text UNIQUE CHECK (file_stored ~ '^[0-9a-f]{32}$'),
	file_size	bigint CHECK (file_size BETWEEN 1 AND 5242880),
	file_type	text,
	file_sha256	text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
	submitted_by	bigint NOT NULL REFERENCES users (id),
	submitted_at	timestamptz NOT NULL DEFAULT now(),
	reviewed_by	bigint REFERENCES users (id),
	reviewed_at	timestamptz,
	review_note	text CHECK (length(review_note) BETWEEN 1 AND 4000),
	FOREIGN KEY (project_id, milestone_seq)
	    REFERENCES project_milestones (project_id, seq),
	CONSTRAINT progress_reports_accounts CHECK ((kind = 'audited_accounts') =
	    (audited_cost_cents IS NOT NULL AND interest_cents IS NOT NULL)),
	CONSTRAINT progress_reports_file CHECK ((file_stored IS NULL) =
	    (file_size IS NULL) AND (file_stored IS NULL) = (file_type IS NULL)
	    AND (file_stored IS NULL) = (file_sha256 IS NULL)),
	CONSTRAINT progress_reports_reviewed CHECK
	    ((status = 'submitted') = (reviewed_at IS NULL)),
	CONSTRAINT progress_reports_return_note CHECK
	    (status <> 'returned' OR review_note IS NOT NULL)
);
-- A milestone has at most one report of each kind waiting or accepted.
CREATE UNIQUE INDEX progress_reports_one_open ON progress_reports
	(project_id, milestone_seq, kind) WHERE status IN ('submitted', 'accepted');
CREATE INDEX progress_reports_project ON progress_reports (project_id, id);
COMMENT ON TABLE progress_reports IS 'Progress reports (the final report on the final milestone) and audited accounts, with an optional attached file; an officer accepts or returns each';
COMMENT ON COLUMN progress_reports.kind IS 'progress: a milestone report (on the final milestone, the final report); audited_accounts: the audited project accounts (final milestone only)';
COMMENT ON COLUMN progress_reports.expenditure_cents IS 'expenditure to date reported by the organisation';
COMMENT ON COLUMN progress_reports.audited_cost_cents IS 'audited accounts: the audited eligible cost';
COMMENT ON COLUMN progress_reports.interest_cents IS 'audited accounts: interest earned on the grant';
COMMENT ON COLUMN progress_reports.file_name IS 'the client''s file name, for display only; never used to build a path';
COMMENT ON COLUMN progress_reports.file_stored IS 'the server-chosen name of the stored file (128 random bits in hex) under ITF_UPLOAD_DIR';
COMMENT ON COLUMN progress_reports.file_type IS 'media type sniffed from the content, not taken from the client';
COMMENT ON COLUMN progress_reports.file_sha256 IS 'sha256 of the stored content';

CREATE TABLE payments (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id),
	tranche_id	bigint NOT NULL,
	amount_cents	bigint NOT NULL CHECK (amount_cents > 0),
	status		text NOT NULL DEFAULT 'prepared'
			    CHECK (status IN ('prepared', 'approved', 'cancelled')),
	idempotency_key	text NOT NULL CHECK (idempotency_key ~ '^[!-~]{1,128}$'),
	request_hash	text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
	note		text CHECK (length(note) BETWEEN 1 AND 4000),
	prepared_by	bigint NOT NULL REFERENCES users (id),
	prepared_at	timestamptz NOT NULL DEFAULT now(),
	approved_by	bigint REFERENCES users (id),
	approved_at	timestamptz,
	approval_note	text CHECK (length(approval_note) BETWEEN 1 AND 4000),
	ledger_entry_id	bigint,
	cancelled_by	bigint REFERENCES users (id),
	cancelled_at	timestamptz,
	cancel_reason	text CHECK (length(cancel_reason) BETWEEN 1 AND 4000),
	CONSTRAINT payments_idempotency_key_unique UNIQUE (idempotency_key),
	FOREIGN KEY (tranche_id, project_id)
	    REFERENCES project_tranches (id, project_id),
	CONSTRAINT payments_maker_checker CHECK
	    (approved_by IS NULL OR approved_by <> prepared_by),
	CONSTRAINT payments_approved CHECK ((status = 'approved') =
	    (approved_by IS NOT NULL AND approved_at IS NOT NULL AND
	    ledger_entry_id IS NOT NULL)),
	CONSTRAINT payments_cancelled CHECK ((status = 'cancelled') =
	    (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL))
);
-- One payment per tranche (a cancelled one does not count).
CREATE UNIQUE INDEX payments_one_per_tranche ON payments (tranche_id)
	WHERE status <> 'cancelled';
CREATE INDEX payments_project ON payments (project_id, id DESC);
CREATE INDEX payments_status ON payments (status, id DESC);
COMMENT ON TABLE payments IS 'Payments of tranches: prepared by an officer with an idempotency key, approved by a different approver or finance officer, which posts the ledger payment in the same transaction';
COMMENT ON COLUMN payments.idempotency_key IS 'client-chosen key (Idempotency-Key header or body field): the same key never makes a second payment';
COMMENT ON COLUMN payments.request_hash IS 'sha256 of the canonical request body; the same key with another body is refused';
COMMENT ON COLUMN payments.ledger_entry_id IS 'the ledger payment entry written in the approving transaction';

CREATE TABLE project_variations (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id),
	status		text NOT NULL DEFAULT 'requested'
			    CHECK (status IN ('requested', 'approved', 'rejected')),
	request		jsonb NOT NULL CHECK (jsonb_typeof(request) = 'object'),
	reason		text NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
	requested_by	bigint NOT NULL REFERENCES users (id),
	requested_at	timestamptz NOT NULL DEFAULT now(),
	decided_by	bigint REFERENCES users (id),
	decided_at	timestamptz,
	decision_note	text CHECK (length(decision_note) BETWEEN 1 AND 4000),
	agreement_version integer,
	CONSTRAINT project_variations_decided CHECK
	    ((status = 'requested') = (decided_at IS NULL)),
	CONSTRAINT project_variations_version CHECK
	    ((status = 'approved') = (agreement_version IS NOT NULL))
);
CREATE UNIQUE INDEX project_variations_one_open ON project_variations
	(project_id) WHERE status = 'requested';
COMMENT ON TABLE project_variations IS 'Change requests to an active project (budget reallocation, extension, milestone changes, a lower government contribution); an approved one makes a new agreement version';
COMMENT ON COLUMN project_variations.request IS 'the requested changes: budget_lines, end_date, milestones, government_cents';
COMMENT ON COLUMN project_variations.agreement_version IS 'the agreement version the approval made';

CREATE TABLE project_refunds (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id),
	amount_cents	bigint NOT NULL CHECK (amount_cents > 0),
	reference	text CHECK (length(reference) BETWEEN 1 AND 200),
	ledger_entry_id	bigint NOT NULL,
	recorded_by	bigint REFERENCES users (id),
	recorded_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_refunds_project ON project_refunds (project_id, id);
COMMENT ON TABLE project_refunds IS 'Refunds received from an organisation at close-out, each posted to the ledger (ledger_refund)';
COMMENT ON COLUMN project_refunds.reference IS 'the receipt or cheque reference';

-- The tranches of a project sum exactly to its government contribution.
-- Checked at COMMIT, after every statement of the transaction has run.
CREATE FUNCTION project_tranches_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	pid	bigint;
	gov	bigint;
	total	numeric;
BEGIN
	IF TG_TABLE_NAME = 'projects' THEN
		pid := NEW.id;
	ELSIF TG_OP = 'DELETE' THEN
		pid := OLD.project_id;
	ELSE
		pid := NEW.project_id;
	END IF;
	SELECT government_cents INTO gov FROM projects WHERE id = pid;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT coalesce(sum(amount_cents), 0) INTO total
	    FROM project_tranches WHERE project_id = pid;
	IF total <> gov THEN
		RAISE EXCEPTION 'the tranches of project % sum to % cents, not its government contribution of % cents',
		    pid, total, gov;
	END IF;
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER project_tranches_sum AFTER INSERT OR UPDATE OR DELETE
	ON project_tranches DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION project_tranches_check();
CREATE CONSTRAINT TRIGGER projects_tranches_sum AFTER INSERT OR UPDATE
	ON projects DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION project_tranches_check();

-- A payment never exceeds its tranche, and a tranche never shrinks below
-- its live payment.
CREATE FUNCTION payments_within_tranche() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	amt	bigint;
BEGIN
	IF TG_TABLE_NAME = 'payments' THEN
		IF NEW.status = 'cancelled' THEN
			RETURN NEW;
		END IF;
		SELECT amount_cents INTO amt FROM project_tranches
		    WHERE id = NEW.tranche_id;
		IF NEW.amount_cents > amt THEN
			RAISE EXCEPTION 'a payment of % cents exceeds its tranche of % cents',
			    NEW.amount_cents, amt;
		END IF;
	ELSIF EXISTS (SELECT 1 FROM payments WHERE tranche_id = NEW.id
	    AND status <> 'cancelled' AND amount_cents > NEW.amount_cents) THEN
		RAISE EXCEPTION 'tranche % cannot shrink below its payment', NEW.id;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER payments_within_tranche BEFORE INSERT OR UPDATE ON payments
	FOR EACH ROW EXECUTE FUNCTION payments_within_tranche();
CREATE TRIGGER project_tranches_cover_payments BEFORE UPDATE ON project_tranches
	FOR EACH ROW EXECUTE FUNCTION payments_within_tranche();

-- Agreement versions never change.
CREATE FUNCTION agreement_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'agreement versions are append-only: a change is a new version';
END $$;
CREATE TRIGGER agreement_versions_no_update BEFORE UPDATE OR DELETE
	ON agreement_versions FOR EACH ROW
	EXECUTE FUNCTION agreement_versions_immutable();
CREATE TRIGGER agreement_versions_no_truncate BEFORE TRUNCATE
	ON agreement_versions FOR EACH STATEMENT
	EXECUTE FUNCTION agreement_versions_immutable();

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		REVOKE DELETE, TRUNCATE ON projects, agreement_versions,
		    progress_reports, payments, project_variations,
		    project_refunds FROM itf_app;
		REVOKE UPDATE ON agreement_versions, project_refunds FROM itf_app;
		-- project_milestones, project_tranches, project_budget_lines:
		-- replaced as a whole while the agreement is unsigned.
		REVOKE TRUNCATE ON project_milestones, project_tranches,
		    project_budget_lines FROM itf_app;
	END IF;
END $$;
