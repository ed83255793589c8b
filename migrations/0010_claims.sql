-- 0010: payment claims of the claim-pattern schemes (RTH and STEM monthly
-- allowance claims, TSSSU annual reimbursement, ITVF co-investment deals),
-- payments that pay a claim instead of a tranche, and the settlement of a
-- terminated project (eligible cost to termination -> refund due).
-- Owned by app/core/claims.c (claims, claim_items), app/core/payments.c
-- (payments.claim_id) and app/core/projects_db.c (the settlement columns);
-- docs/api.md, "Claims".  The runner wraps this file in one transaction with
-- its schema_migrations row.
--
-- Invariants held here, not only in C:
--   * a claim is verified by someone other than who submitted it;
--   * an accepted claim's payable amount is its amount less the advance
--     offset against it, never negative;
--   * one live claim per talent and month (claim_items_one_talent_month) and
--     one live annual claim per project and financial year
--     (claims_one_live_year); a returned claim stops counting, and is
--     corrected at most once (claims_one_correction);
--   * a payment pays exactly one tranche or one claim, at most one live
--     payment per claim, never more than the claim's payable amount and
--     only an accepted claim;
--   * nothing here is deleted.

CREATE TABLE claims (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (id),
	kind		text NOT NULL CHECK (kind IN ('monthly', 'annual',
			    'co_investment')),
	version		integer NOT NULL DEFAULT 1 CHECK (version >= 1),
	previous_id	bigint REFERENCES claims (id),
	status		text NOT NULL DEFAULT 'submitted' CHECK (status IN
			    ('submitted', 'accepted', 'returned')),
	period		text NOT NULL CHECK (length(period) BETWEEN 7 AND 10),
	period_start	date NOT NULL,
	period_end	date NOT NULL,
	rule_version	text NOT NULL,
	expenditure_cents bigint CHECK (expenditure_cents >= 0),
	partner_investment_cents bigint CHECK (partner_investment_cents > 0),
	amount_cents	bigint NOT NULL CHECK (amount_cents > 0),
	advance_offset_cents bigint NOT NULL DEFAULT 0
			    CHECK (advance_offset_cents >= 0),
	payable_cents	bigint NOT NULL CHECK (payable_cents >= 0),
	capped_by	text,
	detail		jsonb NOT NULL DEFAULT '{}'
			    CHECK (jsonb_typeof(detail) = 'object'),
	note		text CHECK (length(note) BETWEEN 1 AND 4000),
	submitted_by	bigint NOT NULL REFERENCES users (id),
	submitted_at	timestamptz NOT NULL DEFAULT now(),
	reviewed_by	bigint REFERENCES users (id),
	reviewed_at	timestamptz,
	review_note	text CHECK (length(review_note) BETWEEN 1 AND 4000),
	CONSTRAINT claims_id_project UNIQUE (id, project_id),
	CONSTRAINT claims_period CHECK (period_end >= period_start),
	CONSTRAINT claims_payable CHECK
	    (payable_cents = amount_cents - advance_offset_cents),
	CONSTRAINT claims_reviewed CHECK
	    ((status = 'submitted') = (reviewed_at IS NULL AND
	    reviewed_by IS NULL)),
	CONSTRAINT claims_not_self_verified CHECK
	    (reviewed_by IS NULL OR reviewed_by <> submitted_by),
	CONSTRAINT claims_return_note CHECK
	    (status <> 'returned' OR review_note IS NOT NULL),
	CONSTRAINT claims_kind_figures CHECK (
	    (kind = 'annual') = (expenditure_cents IS NOT NULL) AND
	    (kind = 'co_investment') = (partner_investment_cents IS NOT NULL)),
	CONSTRAINT claims_version CHECK ((version = 1) = (previous_id IS NULL))
);
CREATE INDEX claims_project ON claims (project_id, id);
CREATE INDEX claims_status ON claims (status, id);
CREATE UNIQUE INDEX claims_one_live_year ON claims (project_id, period)
	WHERE kind = 'annual' AND status <> 'returned';
CREATE UNIQUE INDEX claims_one_correction ON claims (previous_id)
	WHERE previous_id IS NOT NULL;
COMMENT ON TABLE claims IS 'Payment claims of claim-pattern projects (RTH, STEM, TSSSU, ITVF): submitted by the organisation, accepted or returned by an officer; an accepted claim''s payable amount is paid through payments.claim_id';
COMMENT ON COLUMN claims.kind IS 'monthly: allowances for talent-months (monthly_claims); annual: a financial year''s expenditure reimbursed (annual_reimbursement); co_investment: the government''s share of a co-investment deal';
COMMENT ON COLUMN claims.version IS '1 for a new claim; n+1 for the correction of returned claim previous_id';
COMMENT ON COLUMN claims.previous_id IS 'the returned claim this one corrects (kept, never changed again)';
COMMENT ON COLUMN claims.period IS 'YYYY-MM (monthly), a financial year 2021-22 (annual), the investment date YYYY-MM-DD (co_investment)';
COMMENT ON COLUMN claims.period_start IS 'first day of the month or financial year; the investment date';
COMMENT ON COLUMN claims.period_end IS 'last day of the month or financial year; the investment date';
COMMENT ON COLUMN claims.rule_version IS 'the scheme rule version the rates and caps came from (the project''s)';
COMMENT ON COLUMN claims.expenditure_cents IS 'annual: the actual expenditure of the year reported by the organisation';
COMMENT ON COLUMN claims.partner_investment_cents IS 'co_investment: the co-investment partner''s investment in the round';
COMMENT ON COLUMN claims.amount_cents IS 'the government amount claimed, computed (rates, shares and caps), never typed in';
COMMENT ON COLUMN claims.advance_offset_cents IS 'the part of the amount already paid as the project''s advance (initial tranche), recovered from this claim';
COMMENT ON COLUMN claims.payable_cents IS 'amount - advance offset: what a payment of this claim may pay';
COMMENT ON COLUMN claims.capped_by IS 'the scheme cap that reduced the amount, if any';
COMMENT ON COLUMN claims.detail IS 'monthly: the talents claimed with their rates; co_investment: investee and round';
COMMENT ON COLUMN claims.review_note IS 'the officer''s note on acceptance, or the reason for returning it';

-- The talent-months of a monthly claim.
CREATE TABLE claim_items (
	claim_id	bigint NOT NULL,
	project_id	bigint NOT NULL,
	talent_no	integer NOT NULL CHECK (talent_no BETWEEN 1 AND 100),
	talent_name	text NOT NULL,
	qualification	text,
	month		date NOT NULL CHECK (extract(day FROM month) = 1),
	rate_cents	bigint NOT NULL CHECK (rate_cents > 0),
	live		boolean NOT NULL DEFAULT true,
	PRIMARY KEY (claim_id, talent_no),
	FOREIGN KEY (claim_id, project_id) REFERENCES claims (id, project_id)
);
CREATE UNIQUE INDEX claim_items_one_talent_month ON claim_items
	(project_id, talent_no, month) WHERE live;
COMMENT ON TABLE claim_items IS 'Monthly claims: one row per talent (or intern) and month claimed, at the rule version''s monthly rate';
COMMENT ON COLUMN claim_items.talent_no IS 'the talent''s position (1-based) in the application''s list (RTH talents, STEM interns)';
COMMENT ON COLUMN claim_items.month IS 'the first day of the month claimed';
COMMENT ON COLUMN claim_items.live IS 'false once the claim is returned, so the month can be claimed again';

-- Payments pay a tranche or a claim.
ALTER TABLE payments ALTER COLUMN tranche_id DROP NOT NULL;
ALTER TABLE payments ADD COLUMN claim_id bigint;
ALTER TABLE payments ADD CONSTRAINT payments_claim_fk
	FOREIGN KEY (claim_id, project_id) REFERENCES claims (id, project_id);
ALTER TABLE payments ADD CONSTRAINT payments_one_target
	CHECK ((tranche_id IS NULL) <> (claim_id IS NULL));
CREATE UNIQUE INDEX payments_one_per_claim ON payments (claim_id)
	WHERE status <> 'cancelled' AND claim_id IS NOT NULL;
COMMENT ON COLUMN payments.tranche_id IS 'the tranche paid (milestone-pattern payments); NULL when a claim is paid';
COMMENT ON COLUMN payments.claim_id IS 'the accepted claim paid (claim-pattern payments); NULL when a tranche is paid';

-- A payment never exceeds its tranche, or its claim's payable amount, and
-- pays only an accepted claim; a tranche never shrinks below its payment.
CREATE OR REPLACE FUNCTION payments_within_tranche() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	amt	bigint;
	st	text;
BEGIN
	IF TG_TABLE_NAME = 'payments' THEN
		IF NEW.status = 'cancelled' THEN
			RETURN NEW;
		END IF;
		IF NEW.claim_id IS NOT NULL THEN
			SELECT payable_cents, status INTO amt, st FROM claims
			    WHERE id = NEW.claim_id;
			IF st IS DISTINCT FROM 'accepted' THEN
				RAISE EXCEPTION 'claim % is not accepted', NEW.claim_id;
			END IF;
			IF NEW.amount_cents > amt THEN
				RAISE EXCEPTION 'a payment of % cents exceeds its claim''s payable % cents',
				    NEW.amount_cents, amt;
			END IF;
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

-- A terminated project's settlement: the eligible cost incurred up to
-- termination, whose government share decides the refund due
-- (gov_share_cents, surplus_cents, refund_due_cents as at close-out).
ALTER TABLE projects ADD COLUMN termination_cost_cents bigint
	CHECK (termination_cost_cents >= 0);
ALTER TABLE projects ADD COLUMN termination_interest_cents bigint
	CHECK (termination_interest_cents >= 0);
ALTER TABLE projects ADD COLUMN settled_at timestamptz;
ALTER TABLE projects ADD CONSTRAINT projects_settled_terminated CHECK
	(settled_at IS NULL OR (terminated_at IS NOT NULL AND
	termination_cost_cents IS NOT NULL AND gov_share_cents IS NOT NULL));
COMMENT ON COLUMN projects.status IS 'awaiting_signature -> active <-> suspended; active -> refund_due -> closed (close-out); active -> closed (no refund due); any open state -> terminated; terminated -> refund_due -> closed, or terminated -> closed, by the settlement of a terminated signed project';
COMMENT ON COLUMN projects.termination_cost_cents IS 'terminated projects: the eligible cost incurred up to termination, recorded by an officer';
COMMENT ON COLUMN projects.termination_interest_cents IS 'terminated projects: interest earned on the grant up to the settlement';
COMMENT ON COLUMN projects.settled_at IS 'when the settlement of a terminated project was recorded';

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		GRANT SELECT, INSERT, UPDATE ON claims, claim_items TO itf_app;
		GRANT USAGE, SELECT ON SEQUENCE claims_id_seq TO itf_app;
		REVOKE DELETE, TRUNCATE ON claims, claim_items FROM itf_app;
	END IF;
END $$;
