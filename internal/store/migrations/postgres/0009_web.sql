-- The web UI: see the SQLite migration of the same name.

CREATE TABLE web_users (
	name        TEXT PRIMARY KEY,
	role        TEXT NOT NULL CHECK (role IN ('analyst', 'supervisor', 'admin')),
	password    TEXT NOT NULL,
	totp_secret TEXT,
	created_at  BIGINT NOT NULL
);

CREATE TABLE web_sessions (
	id_hash    TEXT PRIMARY KEY,
	user_name  TEXT NOT NULL REFERENCES web_users (name) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
