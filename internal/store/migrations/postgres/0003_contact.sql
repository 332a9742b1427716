-- First contact: invitations sent ("out") and received ("in"). When an
-- invitation ends, its secret and the other side's identity file are wiped;
-- the row stays as the minimal record. Times are Unix milliseconds.

CREATE TABLE invitations (
	id          BYTEA NOT NULL,
	direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	peer_url    TEXT NOT NULL,
	identity    BYTEA,      -- in: the inviter's identity file, until the end
	purpose     TEXT NOT NULL,
	secret      BYTEA,      -- out: the normalised shared secret, until the end
	status      TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'burnt', 'expired')),
	attempts    BIGINT NOT NULL DEFAULT 0,
	created_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL,
	ended_at    BIGINT,
	peer        BYTEA,      -- the pinned peer, once accepted
	answer      BYTEA,      -- the invited side's signed yes
	PRIMARY KEY (id, direction)
);
