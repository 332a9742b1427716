-- Core schema: peers, messages in both directions, the outbox, receipts and
-- the queue of read receipts to push. Times are Unix milliseconds.

CREATE TABLE peers (
	fingerprint      BYTEA PRIMARY KEY,
	name             TEXT NOT NULL UNIQUE,
	url              TEXT NOT NULL,
	signing_key      BYTEA NOT NULL,
	hpke_key         BYTEA NOT NULL,
	channel_id       BYTEA NOT NULL UNIQUE,
	purpose          TEXT NOT NULL DEFAULT 'liaison' CHECK (purpose IN ('social', 'liaison', 'hotline')),
	added_at         BIGINT NOT NULL,
	next_out_seq     BIGINT NOT NULL DEFAULT 1, -- next sequence number to allocate
	next_in_seq      BIGINT NOT NULL DEFAULT 1, -- next sequence number to apply
	next_out_flash   BIGINT NOT NULL DEFAULT 1, -- the same two counters for the flash lane
	next_in_flash    BIGINT NOT NULL DEFAULT 1,
	last_delivery_at BIGINT,
	last_error       TEXT,
	last_error_at    BIGINT
);

CREATE TABLE messages (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	envelope_id  BYTEA NOT NULL,
	direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	peer         BYTEA NOT NULL REFERENCES peers (fingerprint),
	channel_id   BYTEA NOT NULL,
	lane         BIGINT NOT NULL DEFAULT 0 CHECK (lane IN (0, 1)), -- 0 normal, 1 flash
	seq          BIGINT NOT NULL CHECK (seq > 0),
	kind         BIGINT NOT NULL,
	sent_at      BIGINT NOT NULL,
	stored_at    BIGINT NOT NULL,
	applied_at   BIGINT, -- inbound: when made visible in order; outbound: when queued
	state        TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'held', 'applied')),
	envelope     BYTEA NOT NULL,
	hash         BYTEA NOT NULL,
	salt         BYTEA NOT NULL,
	body         BYTEA NOT NULL,
	delivered_at BIGINT,
	read_at      BIGINT,
	escalated_at BIGINT, -- outbound flash: when its missing read receipt was last escalated
	UNIQUE (peer, direction, envelope_id),
	UNIQUE (peer, direction, lane, seq)
);

CREATE INDEX messages_envelope_id ON messages (envelope_id);
CREATE INDEX messages_order ON messages (applied_at, peer, direction, seq);

CREATE TABLE outbox (
	message_id BIGINT PRIMARY KEY REFERENCES messages (id),
	peer       BYTEA NOT NULL,
	lane       BIGINT NOT NULL DEFAULT 0,
	seq        BIGINT NOT NULL,
	queued_at  BIGINT NOT NULL,
	claimed_until BIGINT -- lease of a delivery worker (milliseconds; NULL when unclaimed)
);

CREATE INDEX outbox_peer_seq ON outbox (peer, lane, seq);

CREATE TABLE receipts (
	message_id BIGINT NOT NULL REFERENCES messages (id),
	type       BIGINT NOT NULL CHECK (type IN (1, 2)),
	raw        BYTEA NOT NULL,
	signed_at  BIGINT NOT NULL,
	stored_at  BIGINT NOT NULL,
	PRIMARY KEY (message_id, type)
);

CREATE TABLE receipt_outbox (
	id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	peer BYTEA NOT NULL,
	raw  BYTEA NOT NULL
);

CREATE INDEX receipt_outbox_peer ON receipt_outbox (peer, id);
