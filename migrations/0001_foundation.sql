-- 0001: the foundation: the service's database role, the scheme catalogue
-- and the append-only, hash-chained audit trail.
-- The runner wraps this file in one transaction with its schema_migrations row.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The service runs as itf_app (SET ROLE after connecting): it may read and
-- write the domain tables but only INSERT and SELECT the audit trail.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		CREATE ROLE itf_app NOLOGIN;
	END IF;
	EXECUTE format('GRANT itf_app TO %I', current_user);
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'cannot manage role itf_app; the service keeps the owner role';
END $$;

CREATE TABLE schemes (
	code		text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,8}$'),
	name_en		text NOT NULL,
	name_zh		text NOT NULL,
	area		text NOT NULL CHECK (area IN
			    ('rd', 'adoption', 'talent', 'startups', 'culture')),
	funding_model	text NOT NULL,
	status		text NOT NULL,
	launched	date NOT NULL,
	reference_prefix text NOT NULL,
	definition	jsonb NOT NULL,
	checksum	text NOT NULL,
	loaded_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schemes IS 'Copy of schemes/*.json as last loaded by itfctl schemes load, for joins and reports';
COMMENT ON COLUMN schemes.checksum IS 'sha256 of the definition file';

CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor_id	bigint,
	actor_label	text NOT NULL,
	action		text NOT NULL,
	record_type	text NOT NULL,
	record_id	text NOT NULL,
	before		jsonb,
	after		jsonb,
	reason		text,
	prev_hash	text NOT NULL,
	hash		text NOT NULL
);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
COMMENT ON TABLE audit_log IS 'Append-only audit trail; each row chains the hash of the previous one';
COMMENT ON COLUMN audit_log.actor_id IS 'users.id of who acted; NULL for the system or the CLI';
COMMENT ON COLUMN audit_log.before IS 'the record before the change (NULL on create)';
COMMENT ON COLUMN audit_log.after IS 'the record after the change (NULL on delete)';
COMMENT ON COLUMN audit_log.prev_hash IS 'hash of the row before this one (64 zeros for the first)';
COMMENT ON COLUMN audit_log.hash IS 'sha256 over prev_hash and this row''s content, see audit_row_hash()';

-- The content hash of an audit row.  Used by the insert trigger and by
-- itfctl audit verify, so both compute exactly the same thing.
CREATE FUNCTION audit_row_hash(prev text, id bigint, at timestamptz,
    actor_id bigint, actor_label text, action text, record_type text,
    record_id text, before jsonb, after jsonb, reason text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT encode(digest(convert_to(concat_ws(E'\x1f', prev, id::text,
	    (extract(epoch FROM at) * 1000000)::bigint::text,
	    coalesce(actor_id::text, ''), actor_label, action, record_type,
	    record_id, coalesce(before::text, ''), coalesce(after::text, ''),
	    coalesce(reason, '')), 'UTF8'), 'sha256'), 'hex')
$$;

-- Chain each new row to the last one.  The transaction-scoped advisory
-- lock orders concurrent writers, so the chain is a total order by id.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	last text;
BEGIN
	PERFORM pg_advisory_xact_lock(4242002);
	NEW.id := nextval('audit_log_id_seq');
	NEW.at := clock_timestamp();
	SELECT hash INTO last FROM audit_log ORDER BY id DESC LIMIT 1;
	NEW.prev_hash := coalesce(last, repeat('0', 64));
	NEW.hash := audit_row_hash(NEW.prev_hash, NEW.id, NEW.at, NEW.actor_id,
	    NEW.actor_label, NEW.action, NEW.record_type, NEW.record_id,
	    NEW.before, NEW.after, NEW.reason);
	RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- Even the owner cannot rewrite history through ordinary statements.
CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit trail is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		GRANT USAGE ON SCHEMA public TO itf_app;
		GRANT SELECT ON schemes TO itf_app;
		GRANT SELECT, INSERT ON audit_log TO itf_app;
		GRANT USAGE ON SEQUENCE audit_log_id_seq TO itf_app;
		-- Tables created by later migrations: full DML by default;
		-- migrations that need less revoke it explicitly.
		ALTER DEFAULT PRIVILEGES IN SCHEMA public
		    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO itf_app;
		ALTER DEFAULT PRIVILEGES IN SCHEMA public
		    GRANT USAGE, SELECT ON SEQUENCES TO itf_app;
	END IF;
END $$;
