-- 0005: the appropriation ledger (docs/ledger.md): a double-entry ledger in
-- integer HK cents over the heads and subheads of FCR(2021-22)22.
--
-- Sign convention: a posting's amount_cents is positive for a debit and
-- negative for a credit; every entry's postings sum to zero.  An account's
-- balance is the sum of its postings; it is shown on the account's normal
-- side (debit-normal: the sum; credit-normal: minus the sum).
--
-- The invariants live here, not in the C code's good behaviour:
--   * postings and entries are append-only (triggers, and the service role
--     has no UPDATE or DELETE on them); a correction is a reversing entry;
--   * every entry balances with at least two postings, all written in the
--     statement and transaction that wrote the entry (statement trigger) and
--     checked again at COMMIT (deferred constraint trigger);
--   * ledger_accounts.balance_cents is maintained from the postings by the
--     statement trigger alone, and a CHECK keeps every account that may not
--     go negative on its normal side at or above zero;
--   * ledger_commitments keeps each project's outstanding commitment,
--     payments and refunds, with CHECKs: outstanding >= 0, refunds <= paid.

CREATE TABLE ledger_accounts (
	code		text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9.-]{1,31}$'),
	name_en		text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	name_zh		text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
	kind		text NOT NULL CHECK (kind IN ('source', 'clearing',
			    'subhead', 'commitments', 'expenditure', 'income')),
	normal_side	text NOT NULL CHECK (normal_side IN ('debit', 'credit')),
	may_be_negative	boolean NOT NULL DEFAULT false,
	in_fund		boolean NOT NULL,
	head		text,
	subhead		text,
	item		text,
	subhead_of	text REFERENCES ledger_accounts (code),
	sort_order	integer NOT NULL UNIQUE,
	balance_cents	bigint NOT NULL DEFAULT 0,
	last_value_date	date,
	CHECK ((kind = 'commitments') = (subhead_of IS NOT NULL)),
	CONSTRAINT ledger_clearing_nets_to_zero
	    CHECK (kind <> 'clearing' OR balance_cents = 0),
	CONSTRAINT ledger_account_not_negative
	    CHECK (may_be_negative OR CASE normal_side
		WHEN 'debit' THEN balance_cents >= 0
		ELSE balance_cents <= 0 END)
);
COMMENT ON TABLE ledger_accounts IS 'Chart of accounts of the appropriation ledger (docs/ledger.md); fixed by migrations';
COMMENT ON COLUMN ledger_accounts.code IS 'stable code, e.g. H111-101 (Head 111 subhead 101), H111-101.COMMITTED, GRA';
COMMENT ON COLUMN ledger_accounts.name_en IS 'English name';
COMMENT ON COLUMN ledger_accounts.name_zh IS 'Traditional Chinese name, as in the Finance Committee papers';
COMMENT ON COLUMN ledger_accounts.kind IS 'source (general revenue), clearing (Head 184 conduit, nets to zero in every entry), subhead (uncommitted balance = available commitment), commitments (commitments outstanding under subhead_of), expenditure (payments to projects), income (refunds from projects)';
COMMENT ON COLUMN ledger_accounts.normal_side IS 'debit or credit: the side on which the balance is shown as a positive amount';
COMMENT ON COLUMN ledger_accounts.may_be_negative IS 'false: the balance on the normal side may never go below zero (CHECK ledger_account_not_negative)';
COMMENT ON COLUMN ledger_accounts.in_fund IS 'true for the accounts of the Innovation and Technology Fund itself (Head 111 and the fund''s payments and refunds)';
COMMENT ON COLUMN ledger_accounts.head IS 'Head number in the Estimates (111, 135, 184), NULL for the fund''s own accounts';
COMMENT ON COLUMN ledger_accounts.subhead IS 'Subhead number (101, 090, 112, 700) or NULL';
COMMENT ON COLUMN ledger_accounts.item IS 'Item number (801) or NULL';
COMMENT ON COLUMN ledger_accounts.subhead_of IS 'for a commitments account: the subhead account whose commitments it holds';
COMMENT ON COLUMN ledger_accounts.sort_order IS 'order in positions and listings';
COMMENT ON COLUMN ledger_accounts.balance_cents IS 'sum of this account''s postings (debit positive), maintained only by the ledger_postings statement trigger';
COMMENT ON COLUMN ledger_accounts.last_value_date IS 'latest value date among this account''s postings; entries that draw an account down may not be dated before it';

INSERT INTO ledger_accounts (code, name_en, name_zh, kind, normal_side,
    may_be_negative, in_fund, head, subhead, item, subhead_of, sort_order)
VALUES
	('GRA', 'General Revenue Account', '政府一般收入帳目',
	    'source', 'credit', true, false, NULL, NULL, NULL, NULL, 10),
	('H184-ITF', 'Head 184 Transfers to Funds: Payment to the Innovation and Technology Fund',
	    '總目184 轉撥各基金的款項：給予創新及科技基金的款項',
	    'clearing', 'debit', false, false, '184', NULL, NULL, NULL, 20),
	('H135-700-801', 'Head 135 Government Secretariat: Innovation and Technology Bureau, Subhead 700 General non-recurrent, Item 801 I&T Fund for Better Living',
	    '總目135 政府總部：創新及科技局 分目700 一般非經常開支 項目801 創科生活基金',
	    'subhead', 'debit', false, false, '135', '700', '801', NULL, 30),
	('H111-101', 'Head 111 Innovation and Technology, Subhead 101 Innovation and Technology (block vote)',
	    '總目111 創新及科技 分目101 創新及科技(整體撥款)',
	    'subhead', 'debit', false, true, '111', '101', NULL, NULL, 40),
	('H111-090', 'Head 111 Innovation and Technology, Subhead 090 Mid-stream Research Programme for Universities (block vote)',
	    '總目111 創新及科技 分目090 院校中游研發計劃(整體撥款)',
	    'subhead', 'debit', false, true, '111', '090', NULL, NULL, 50),
	('H111-112', 'Head 111 Innovation and Technology, Subhead 112 Re-industrialisation Funding Scheme',
	    '總目111 創新及科技 分目112 再工業化資助計劃',
	    'subhead', 'debit', false, true, '111', '112', NULL, NULL, 60),
	('PAYMENTS', 'Payments to projects', '向項目發放的款項',
	    'expenditure', 'debit', false, true, NULL, NULL, NULL, NULL, 90),
	('REFUNDS', 'Refunds from projects', '項目退還的款項',
	    'income', 'credit', false, true, NULL, NULL, NULL, NULL, 95);

INSERT INTO ledger_accounts (code, name_en, name_zh, kind, normal_side,
    may_be_negative, in_fund, head, subhead, item, subhead_of, sort_order)
VALUES
	('H135-700-801.COMMITTED', 'Commitments outstanding: I&T Fund for Better Living (Head 135 Subhead 700 Item 801)',
	    '未履行承擔額：創科生活基金(總目135 分目700 項目801)',
	    'commitments', 'debit', false, false, '135', '700', '801', 'H135-700-801', 35),
	('H111-101.COMMITTED', 'Commitments outstanding: Innovation and Technology (block vote) (Head 111 Subhead 101)',
	    '未履行承擔額：創新及科技(整體撥款)(總目111 分目101)',
	    'commitments', 'debit', false, true, '111', '101', NULL, 'H111-101', 45),
	('H111-090.COMMITTED', 'Commitments outstanding: Mid-stream Research Programme for Universities (Head 111 Subhead 090)',
	    '未履行承擔額：院校中游研發計劃(總目111 分目090)',
	    'commitments', 'debit', false, true, '111', '090', NULL, 'H111-090', 55),
	('H111-112.COMMITTED', 'Commitments outstanding: Re-industrialisation Funding Scheme (Head 111 Subhead 112)',
	    '未履行承擔額：再工業化資助計劃(總目111 分目112)',
	    'commitments', 'debit', false, true, '111', '112', NULL, 'H111-112', 65);

CREATE TABLE ledger_entries (
	id		bigserial PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('opening', 'injection',
			    'transfer', 'commitment', 'payment', 'release',
			    'refund', 'reversal')),
	value_date	date NOT NULL CHECK (value_date >= DATE '1999-06-30'),
	approved_on	date CHECK (approved_on >= DATE '1999-06-30'),
	paper_ref	text CHECK (paper_ref IS NULL OR
			    (length(paper_ref) BETWEEN 1 AND 64 AND
			    paper_ref !~ '[[:cntrl:]]')),
	amount_cents	bigint NOT NULL CHECK (amount_cents > 0 AND
			    amount_cents <= 1000000000000000),
	project_id	bigint CHECK (project_id > 0),
	from_account	text REFERENCES ledger_accounts (code),
	to_account	text REFERENCES ledger_accounts (code),
	whole_balance	boolean NOT NULL DEFAULT false,
	reverses_id	bigint UNIQUE REFERENCES ledger_entries (id),
	narrative	text CHECK (narrative IS NULL OR
			    length(narrative) BETWEEN 1 AND 500),
	actor_id	bigint REFERENCES users (id),
	actor_label	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	created_txid	bigint NOT NULL DEFAULT txid_current(),
	UNIQUE (id, value_date),
	CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
	CHECK (kind <> 'reversal' OR narrative IS NOT NULL),
	CHECK (kind NOT IN ('opening', 'injection', 'transfer') OR
	    (paper_ref IS NOT NULL AND approved_on IS NOT NULL)),
	CHECK (kind NOT IN ('commitment', 'payment', 'release', 'refund') OR
	    project_id IS NOT NULL),
	CHECK (approved_on IS NULL OR approved_on <= value_date),
	CHECK (NOT whole_balance OR kind = 'transfer'),
	CHECK (kind <> 'transfer' OR (from_account IS NOT NULL AND
	    to_account IS NOT NULL AND from_account <> to_account))
);
CREATE INDEX ledger_entries_kind ON ledger_entries (kind, value_date);
CREATE INDEX ledger_entries_value_date ON ledger_entries (value_date, id);
CREATE INDEX ledger_entries_paper ON ledger_entries (paper_ref)
	WHERE paper_ref IS NOT NULL;
CREATE INDEX ledger_entries_project ON ledger_entries (project_id)
	WHERE project_id IS NOT NULL;
COMMENT ON TABLE ledger_entries IS 'Journal entries (append-only); each has balanced postings in ledger_postings';
COMMENT ON COLUMN ledger_entries.id IS 'entry number; the audit row of the operation has record_type ledger_entry and this id';
COMMENT ON COLUMN ledger_entries.kind IS 'opening, injection, transfer, commitment, payment, release, refund, or reversal (of reverses_id)';
COMMENT ON COLUMN ledger_entries.value_date IS 'the day the entry takes effect; positions as of a day sum postings up to it';
COMMENT ON COLUMN ledger_entries.approved_on IS 'Finance Committee approval date (openings, injections, transfers)';
COMMENT ON COLUMN ledger_entries.paper_ref IS 'Finance Committee paper reference, e.g. FCR(2021-22)22';
COMMENT ON COLUMN ledger_entries.amount_cents IS 'the amount moved, in HK cents (a whole-balance transfer: the whole balance moved)';
COMMENT ON COLUMN ledger_entries.project_id IS 'the project (or approved application) a commitment, payment, release or refund belongs to';
COMMENT ON COLUMN ledger_entries.from_account IS 'transfers: the subhead the money left';
COMMENT ON COLUMN ledger_entries.to_account IS 'transfers, injections, openings, commitments: the subhead the money reached';
COMMENT ON COLUMN ledger_entries.whole_balance IS 'transfers: true when the whole balance of from_account (uncommitted and committed) moved';
COMMENT ON COLUMN ledger_entries.reverses_id IS 'reversals: the entry this one reverses (at most one reversal per entry)';
COMMENT ON COLUMN ledger_entries.narrative IS 'free text; for a reversal, the reason (required)';
COMMENT ON COLUMN ledger_entries.actor_id IS 'users.id of who entered it; NULL for the system or the CLI';
COMMENT ON COLUMN ledger_entries.actor_label IS 'email of who entered it, or itfctl';
COMMENT ON COLUMN ledger_entries.created_at IS 'when it was entered (not its value date)';
COMMENT ON COLUMN ledger_entries.created_txid IS 'transaction that wrote the entry: its postings must come from the same one';

CREATE TABLE ledger_postings (
	id		bigserial PRIMARY KEY,
	entry_id	bigint NOT NULL,
	line		smallint NOT NULL CHECK (line >= 1),
	account		text NOT NULL REFERENCES ledger_accounts (code),
	amount_cents	bigint NOT NULL CHECK (amount_cents <> 0 AND
			    amount_cents BETWEEN -1000000000000000 AND
			    1000000000000000),
	value_date	date NOT NULL,
	project_id	bigint CHECK (project_id > 0),
	UNIQUE (entry_id, line),
	FOREIGN KEY (entry_id, value_date)
	    REFERENCES ledger_entries (id, value_date)
);
CREATE INDEX ledger_postings_account ON ledger_postings (account, value_date);
CREATE INDEX ledger_postings_project ON ledger_postings (project_id, account)
	WHERE project_id IS NOT NULL;
COMMENT ON TABLE ledger_postings IS 'Postings (append-only): the debit and credit lines of each entry';
COMMENT ON COLUMN ledger_postings.id IS 'posting number, in the order written';
COMMENT ON COLUMN ledger_postings.entry_id IS 'the entry this line belongs to';
COMMENT ON COLUMN ledger_postings.line IS 'line number within the entry, from 1';
COMMENT ON COLUMN ledger_postings.account IS 'ledger_accounts.code';
COMMENT ON COLUMN ledger_postings.amount_cents IS 'HK cents, positive = debit, negative = credit; the lines of an entry sum to zero';
COMMENT ON COLUMN ledger_postings.value_date IS 'the entry''s value date (enforced by the foreign key)';
COMMENT ON COLUMN ledger_postings.project_id IS 'the project whose commitment, payment or refund this line moves';

CREATE TABLE ledger_commitments (
	project_id	bigint PRIMARY KEY CHECK (project_id > 0),
	account		text NOT NULL REFERENCES ledger_accounts (code),
	outstanding_cents bigint NOT NULL DEFAULT 0
			    CHECK (outstanding_cents >= 0),
	paid_cents	bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
	refunded_cents	bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
	last_value_date	date NOT NULL,
	CONSTRAINT ledger_refund_within_payments
	    CHECK (refunded_cents <= paid_cents)
);
CREATE INDEX ledger_commitments_account ON ledger_commitments (account,
	project_id) WHERE outstanding_cents > 0;
COMMENT ON TABLE ledger_commitments IS 'Per-project sub-ledger, maintained from the postings by the statement trigger only';
COMMENT ON COLUMN ledger_commitments.project_id IS 'project (or approved application) id given by the approval code';
COMMENT ON COLUMN ledger_commitments.account IS 'the commitments account (e.g. H111-101.COMMITTED) holding the outstanding commitment';
COMMENT ON COLUMN ledger_commitments.outstanding_cents IS 'committed and neither paid nor released: sum of the project''s postings on account';
COMMENT ON COLUMN ledger_commitments.paid_cents IS 'payments to the project: sum of its PAYMENTS postings';
COMMENT ON COLUMN ledger_commitments.refunded_cents IS 'refunds from the project: minus the sum of its REFUNDS postings';
COMMENT ON COLUMN ledger_commitments.last_value_date IS 'latest value date of the project''s postings; its later entries may not be dated before it';

-- Apply one statement's postings: check that each entry touched was written
-- in this transaction and balances with at least two lines, then move the
-- account balances and the per-project sub-ledger.  One UPDATE per account
-- per statement, so an entry passing through a clearing account never shows
-- it a non-zero balance.  SECURITY DEFINER: the service role cannot write
-- these tables itself.
CREATE FUNCTION ledger_postings_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	r		record;
	c		ledger_commitments%ROWTYPE;
	inc		text;
	n_inc		integer;
	other		numeric;
	here		numeric;
BEGIN
	SELECT DISTINCT n.entry_id INTO r FROM new_rows n
	    JOIN ledger_entries e ON e.id = n.entry_id
	    WHERE e.created_txid <> txid_current() LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'ledger entry % was written by an earlier transaction; postings are written with their entry', r.entry_id;
	END IF;
	SELECT p.entry_id, sum(p.amount_cents) AS total, count(*) AS lines
	    INTO r FROM ledger_postings p
	    WHERE p.entry_id IN (SELECT entry_id FROM new_rows)
	    GROUP BY p.entry_id
	    HAVING sum(p.amount_cents) <> 0 OR count(*) < 2 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'ledger entry % does not balance (% lines, sum % cents)',
		    r.entry_id, r.lines, r.total;
	END IF;

	UPDATE ledger_accounts a
	    SET balance_cents = a.balance_cents + d.delta,
		last_value_date = greatest(a.last_value_date, d.last)
	    FROM (SELECT account, sum(amount_cents)::bigint AS delta,
		max(value_date) AS last FROM new_rows GROUP BY account) d
	    WHERE a.code = d.account;

	FOR r IN SELECT n.project_id,
	    coalesce(sum(n.amount_cents) FILTER (WHERE a.kind = 'commitments'), 0)::bigint AS d_out,
	    coalesce(sum(n.amount_cents) FILTER (WHERE a.kind = 'expenditure'), 0)::bigint AS d_paid,
	    coalesce(-sum(n.amount_cents) FILTER (WHERE a.kind = 'income'), 0)::bigint AS d_ref,
	    count(*) FILTER (WHERE a.kind IN ('commitments', 'expenditure', 'income')) AS touched,
	    max(n.value_date) AS last
	    FROM new_rows n JOIN ledger_accounts a ON a.code = n.account
	    WHERE n.project_id IS NOT NULL
	    GROUP BY n.project_id ORDER BY n.project_id
	LOOP
		IF r.touched = 0 THEN
			CONTINUE;
		END IF;
		-- The commitments account that receives money for the project.
		SELECT min(n.account), count(*) INTO inc, n_inc FROM (
		    SELECT n.account FROM new_rows n
		    JOIN ledger_accounts a ON a.code = n.account
		    WHERE n.project_id = r.project_id AND a.kind = 'commitments'
		    GROUP BY n.account HAVING sum(n.amount_cents) > 0) n;
		IF n_inc > 1 THEN
			RAISE EXCEPTION 'project % would hold commitments under two subheads', r.project_id;
		END IF;
		SELECT * INTO c FROM ledger_commitments
		    WHERE project_id = r.project_id FOR UPDATE;
		IF NOT FOUND THEN
			IF inc IS NULL THEN
				RAISE EXCEPTION 'project % has no commitment in the ledger', r.project_id;
			END IF;
			INSERT INTO ledger_commitments (project_id, account,
			    outstanding_cents, paid_cents, refunded_cents,
			    last_value_date)
			    VALUES (r.project_id, inc, r.d_out, r.d_paid,
			    r.d_ref, r.last);
		ELSE
			UPDATE ledger_commitments SET
			    account = coalesce(inc, c.account),
			    outstanding_cents = c.outstanding_cents + r.d_out,
			    paid_cents = c.paid_cents + r.d_paid,
			    refunded_cents = c.refunded_cents + r.d_ref,
			    last_value_date = greatest(c.last_value_date, r.last)
			    WHERE project_id = r.project_id;
		END IF;
		SELECT * INTO c FROM ledger_commitments
		    WHERE project_id = r.project_id;
		-- All of the outstanding commitment sits on one account.
		SELECT coalesce(sum(p.amount_cents) FILTER (WHERE p.account = c.account), 0),
		    coalesce(sum(p.amount_cents) FILTER (WHERE p.account <> c.account), 0)
		    INTO here, other
		    FROM ledger_postings p JOIN ledger_accounts a ON a.code = p.account
		    WHERE p.project_id = r.project_id AND a.kind = 'commitments';
		IF here <> c.outstanding_cents OR other <> 0 THEN
			RAISE EXCEPTION 'project % would hold commitments under two subheads', r.project_id;
		END IF;
	END LOOP;
	RETURN NULL;
END $$;
CREATE TRIGGER ledger_postings_apply AFTER INSERT ON ledger_postings
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_apply();

-- Checked again at COMMIT for every entry: it has balanced postings (so an
-- entry without postings cannot be committed either), and a reversal does
-- not reverse a reversal.
CREATE FUNCTION ledger_entry_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	total	numeric;
	lines	bigint;
BEGIN
	SELECT coalesce(sum(amount_cents), 0), count(*) INTO total, lines
	    FROM ledger_postings WHERE entry_id = NEW.id;
	IF lines < 2 OR total <> 0 THEN
		RAISE EXCEPTION 'ledger entry % does not balance (% lines, sum % cents)',
		    NEW.id, lines, total;
	END IF;
	IF NEW.reverses_id IS NOT NULL AND EXISTS (SELECT 1 FROM ledger_entries
	    WHERE id = NEW.reverses_id AND kind = 'reversal') THEN
		RAISE EXCEPTION 'a reversal cannot itself be reversed';
	END IF;
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entries
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION ledger_entry_check();

-- Entries and postings never change.
CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the ledger is append-only: correct an entry with a reversing entry';
END $$;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE OR DELETE
	ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE
	ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE OR DELETE
	ON ledger_postings FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE
	ON ledger_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();

-- Balances and the sub-ledger move only inside ledger_postings_apply()
-- (trigger depth 2); no other UPDATE passes.  The service role holds UPDATE
-- on these tables only so that it may lock rows with SELECT ... FOR UPDATE.
-- A later migration that renames an account disables this trigger for the
-- length of its own transaction.
CREATE FUNCTION ledger_balances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'ledger accounts and commitments are never deleted';
	END IF;
	IF pg_trigger_depth() < 2 THEN
		RAISE EXCEPTION 'ledger balances change only through postings';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE OR DELETE
	ON ledger_accounts FOR EACH ROW EXECUTE FUNCTION ledger_balances_guard();
CREATE TRIGGER ledger_commitments_guard BEFORE UPDATE OR DELETE
	ON ledger_commitments FOR EACH ROW EXECUTE FUNCTION ledger_balances_guard();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE
	ON ledger_accounts FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER ledger_commitments_no_truncate BEFORE TRUNCATE
	ON ledger_commitments FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		REVOKE ALL ON ledger_accounts, ledger_entries, ledger_postings,
		    ledger_commitments FROM itf_app;
		GRANT SELECT, UPDATE ON ledger_accounts, ledger_commitments
		    TO itf_app;
		GRANT SELECT, INSERT ON ledger_entries, ledger_postings
		    TO itf_app;
		GRANT USAGE, SELECT ON SEQUENCE ledger_entries_id_seq,
		    ledger_postings_id_seq TO itf_app;
	END IF;
END $$;
