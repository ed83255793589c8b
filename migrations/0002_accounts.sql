-- 0002: organisations, users and roles, sessions, login throttling,
-- notifications.

CREATE TABLE organisations (
	id		bigserial PRIMARY KEY,
	name_en		text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	name_zh		text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
	org_type	text NOT NULL CHECK (org_type IN
			    ('company', 'university', 'rd_centre', 'public_body', 'other')),
	br_number	text CHECK (br_number ~ '^[0-9]{8}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (org_type <> 'company' OR br_number IS NOT NULL)
);
CREATE UNIQUE INDEX organisations_br ON organisations (br_number)
	WHERE br_number IS NOT NULL;
CREATE INDEX organisations_name_trgm ON organisations
	USING gin (name_en gin_trgm_ops);
COMMENT ON TABLE organisations IS 'Applicant organisations: companies, universities, R&D centres, public bodies';
COMMENT ON COLUMN organisations.br_number IS 'Business Registration number (8 digits), required for companies';

CREATE TABLE users (
	id		bigserial PRIMARY KEY,
	email		text NOT NULL CHECK (email = lower(email) AND
			    length(email) BETWEEN 3 AND 254),
	name		text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
	password_hash	text NOT NULL,
	org_id		bigint REFERENCES organisations (id),
	active		boolean NOT NULL DEFAULT true,
	authority_cents	bigint NOT NULL DEFAULT 0 CHECK (authority_cents >= 0),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_org ON users (org_id);
COMMENT ON COLUMN users.password_hash IS 'Argon2id string from libsodium crypto_pwhash_str';
COMMENT ON COLUMN users.authority_cents IS 'approver''s financial authority: the largest amount they may approve';

CREATE TABLE user_roles (
	user_id		bigint NOT NULL REFERENCES users (id),
	role		text NOT NULL CHECK (role IN ('applicant', 'officer',
			    'panel_member', 'approver', 'finance', 'auditor', 'admin')),
	PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
	token_hash	text PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	last_seen_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);
COMMENT ON COLUMN sessions.token_hash IS 'sha256 (hex) of the session token; the token itself is never stored';

CREATE TABLE login_attempts (
	id		bigserial PRIMARY KEY,
	email		text NOT NULL,
	address		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	success		boolean NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

CREATE TABLE notifications (
	id		bigserial PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	kind		text NOT NULL,
	record_type	text NOT NULL,
	record_id	bigint NOT NULL,
	message_en	text NOT NULL,
	message_zh	text NOT NULL,
	read_at		timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
COMMENT ON TABLE notifications IS 'Each user''s inbox; written in the same transaction as the change it reports';
