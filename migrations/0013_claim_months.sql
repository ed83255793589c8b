-- 0013: a monthly claim (RTH, STEM) may cover several consecutive months of
-- its talents at once (claims.c, "months"; docs/api.md, "Claims"): a
-- claim's items are one row per talent and month, so the key of
-- claim_items takes the month.  One live claim per talent and month is
-- still claim_items_one_talent_month.  The runner wraps this file in one
-- transaction with its schema_migrations row.

ALTER TABLE claim_items DROP CONSTRAINT claim_items_pkey;
ALTER TABLE claim_items ADD CONSTRAINT claim_items_pkey
	PRIMARY KEY (claim_id, talent_no, month);
COMMENT ON TABLE claim_items IS 'Monthly claims: one row per talent (or intern) and month claimed, at the rule version''s monthly rate; a claim may cover several consecutive months';
