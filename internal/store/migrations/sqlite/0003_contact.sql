-- First contact: invitations sent ("out") and received ("in"). When an
-- invitation ends, its secret and the other side's identity file are wiped;
-- the row stays as the minimal record. Times are Unix milliseconds.

CREATE TABLE invitations (
	id          BLOB NOT NULL,
	direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	peer_url    TEXT NOT NULL,
	identity    BLOB,      -- in: the inviter's identity file, until the end
	purpose     TEXT NOT NULL,
	secret      BLOB,      -- out: the normalised shared secret, until the end
	status      TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'burnt', 'expired')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	ended_at    INTEGER,
	peer        BLOB,      -- the pinned peer, once accepted
	answer      BLOB,      -- the invited side's signed yes
	PRIMARY KEY (id, direction)
) STRICT;
