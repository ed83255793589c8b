-- 0012: self-registration throttling (issue 9).  One row per registration
-- admitted for a client address; app/core/auth.c (auth_register_admit())
-- refuses the next one while the address has AUTH_THROTTLE_REGISTER rows
-- within AUTH_REGISTER_WINDOW, and deletes the row again when the
-- registration is refused for its input (nothing else is written then).
-- Owned by app/core/auth.c.  The runner wraps this file in one transaction
-- with its schema_migrations row.

CREATE TABLE register_attempts (
	id		bigserial PRIMARY KEY,
	address		text NOT NULL CHECK (length(address) BETWEEN 1 AND 64),
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX register_attempts_address ON register_attempts (address, at);
COMMENT ON TABLE register_attempts IS 'Self-registrations admitted per client address, for throttling';
COMMENT ON COLUMN register_attempts.address IS 'client address as the throttle keys it: IPv4, or an IPv6 /64 (behind a trusted proxy, from X-Forwarded-For)';
COMMENT ON COLUMN register_attempts.at IS 'when the registration was admitted';
