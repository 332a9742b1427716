-- Core schema: peers, messages in both directions, the outbox, receipts and
-- the queue of read receipts to push. Times are Unix milliseconds.

CREATE TABLE peers (
	fingerprint      BLOB PRIMARY KEY,
	name             TEXT NOT NULL UNIQUE,
	url              TEXT NOT NULL,
	signing_key      BLOB NOT NULL,
	hpke_key         BLOB NOT NULL,
	channel_id       BLOB NOT NULL UNIQUE,
	purpose          TEXT NOT NULL DEFAULT 'liaison' CHECK (purpose IN ('social', 'liaison', 'hotline')),
	added_at         INTEGER NOT NULL,
	next_out_seq     INTEGER NOT NULL DEFAULT 1, -- next sequence number to allocate
	next_in_seq      INTEGER NOT NULL DEFAULT 1, -- next sequence number to apply
	next_out_flash   INTEGER NOT NULL DEFAULT 1, -- the same two counters for the flash lane
	next_in_flash    INTEGER NOT NULL DEFAULT 1,
	last_delivery_at INTEGER,
	last_error       TEXT,
	last_error_at    INTEGER
) STRICT;

CREATE TABLE messages (
	id           INTEGER PRIMARY KEY,
	envelope_id  BLOB NOT NULL,
	direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	peer         BLOB NOT NULL REFERENCES peers (fingerprint),
	channel_id   BLOB NOT NULL,
	lane         INTEGER NOT NULL DEFAULT 0 CHECK (lane IN (0, 1)), -- 0 normal, 1 flash
	seq          INTEGER NOT NULL CHECK (seq > 0),
	kind         INTEGER NOT NULL,
	sent_at      INTEGER NOT NULL,
	stored_at    INTEGER NOT NULL,
	applied_at   INTEGER, -- inbound: when made visible in order; outbound: when queued
	state        TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'held', 'applied')),
	envelope     BLOB NOT NULL,
	hash         BLOB NOT NULL,
	salt         BLOB NOT NULL,
	body         BLOB NOT NULL,
	delivered_at INTEGER,
	read_at      INTEGER,
	escalated_at INTEGER, -- outbound flash: when its missing read receipt was last escalated
	UNIQUE (peer, direction, envelope_id),
	UNIQUE (peer, direction, lane, seq)
) STRICT;

CREATE INDEX messages_envelope_id ON messages (envelope_id);
CREATE INDEX messages_order ON messages (applied_at, peer, direction, seq);

CREATE TABLE outbox (
	message_id INTEGER PRIMARY KEY REFERENCES messages (id),
	peer       BLOB NOT NULL,
	lane       INTEGER NOT NULL DEFAULT 0,
	seq        INTEGER NOT NULL,
	queued_at  INTEGER NOT NULL,
	claimed_until INTEGER -- lease of a delivery worker (PostgreSQL only; unused on SQLite)
) STRICT;

CREATE INDEX outbox_peer_seq ON outbox (peer, lane, seq);

CREATE TABLE receipts (
	message_id INTEGER NOT NULL REFERENCES messages (id),
	type       INTEGER NOT NULL CHECK (type IN (1, 2)),
	raw        BLOB NOT NULL,
	signed_at  INTEGER NOT NULL,
	stored_at  INTEGER NOT NULL,
	PRIMARY KEY (message_id, type)
) STRICT;

CREATE TABLE receipt_outbox (
	id   INTEGER PRIMARY KEY,
	peer BLOB NOT NULL,
	raw  BLOB NOT NULL
) STRICT;

CREATE INDEX receipt_outbox_peer ON receipt_outbox (peer, id);
