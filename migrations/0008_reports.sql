-- 0008: the cash-flow estimates the finance officer enters for the
-- cash-flow report (reports/cash_flow.c; PUT /api/v1/cash-flow-estimates).
-- Owned by reports/estimates.c.  The runner wraps this file in one
-- transaction with its schema_migrations row.

CREATE TABLE cash_flow_estimates (
	fy_start	smallint NOT NULL CHECK (fy_start BETWEEN 1999 AND 2100),
	scheme_code	text REFERENCES schemes (code),
	amount_cents	bigint NOT NULL CHECK (amount_cents >= 0 AND
			    amount_cents <= 1000000000000000),
	updated_by	bigint REFERENCES users (id),
	updated_label	text NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);
-- One estimate per financial year and scheme; one per year with no scheme.
CREATE UNIQUE INDEX cash_flow_estimates_key ON cash_flow_estimates
	(fy_start, (coalesce(scheme_code, '')));
COMMENT ON TABLE cash_flow_estimates IS 'Estimated payments per financial year and scheme, entered by finance; the cash-flow report shows them beside actual payments';
COMMENT ON COLUMN cash_flow_estimates.fy_start IS 'the financial year by its first year: 2021 is 2021-22 (1 April 2021 to 31 March 2022)';
COMMENT ON COLUMN cash_flow_estimates.scheme_code IS 'the scheme, or NULL for an estimate not allocated to a scheme';
COMMENT ON COLUMN cash_flow_estimates.amount_cents IS 'estimated payments in the year, HK cents';
COMMENT ON COLUMN cash_flow_estimates.updated_by IS 'users.id of who last set it; NULL for the CLI';
COMMENT ON COLUMN cash_flow_estimates.updated_label IS 'email of who last set it, or itfctl';
COMMENT ON COLUMN cash_flow_estimates.updated_at IS 'when it was last set; every change is also in the audit trail';

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		-- An estimate is revised (audited), never deleted.
		REVOKE DELETE, TRUNCATE ON cash_flow_estimates FROM itf_app;
	END IF;
END $$;
