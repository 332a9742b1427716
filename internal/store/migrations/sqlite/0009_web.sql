-- The web UI (docs/web.md): analysts' accounts, with an Argon2id password
-- hash and, for supervisors and admins, a TOTP secret; and signed-in
-- sessions, kept by the SHA-256 of the cookie's value, with the CSRF token
-- of their forms.

CREATE TABLE web_users (
	name        TEXT PRIMARY KEY,
	role        TEXT NOT NULL CHECK (role IN ('analyst', 'supervisor', 'admin')),
	password    TEXT NOT NULL,
	totp_secret TEXT,
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE web_sessions (
	id_hash    TEXT PRIMARY KEY,
	user_name  TEXT NOT NULL REFERENCES web_users (name) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
