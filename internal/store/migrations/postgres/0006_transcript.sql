-- Transcripts: per peer, eight append-only Merkle logs (parley.LogID) kept
-- in tlog's stored-hash layout, their sizes, the signed and cosigned
-- checkpoints, and evidence of a peer's misbehaviour. Read receipts now
-- travel as envelopes, so their push queue goes.

DROP TABLE receipt_outbox;

CREATE TABLE logs (
	peer BYTEA NOT NULL REFERENCES peers (fingerprint),
	log  BIGINT NOT NULL CHECK (log BETWEEN 0 AND 7),
	size BIGINT NOT NULL,
	PRIMARY KEY (peer, log)
);

CREATE TABLE log_hashes (
	peer BYTEA NOT NULL,
	log  BIGINT NOT NULL,
	idx  BIGINT NOT NULL, -- tlog.StoredHashIndex
	hash BYTEA NOT NULL,
	PRIMARY KEY (peer, log, idx)
);

CREATE TABLE checkpoints (
	peer     BYTEA NOT NULL,
	log      BIGINT NOT NULL,
	size     BIGINT NOT NULL,
	root     BYTEA NOT NULL,
	note     BYTEA NOT NULL,
	cosigned BIGINT NOT NULL CHECK (cosigned IN (0, 1)),
	at       BIGINT NOT NULL,
	PRIMARY KEY (peer, log, size)
);

CREATE TABLE evidence (
	id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	peer   BYTEA NOT NULL,
	log    BIGINT NOT NULL,
	kind   TEXT NOT NULL,
	data   BYTEA NOT NULL,
	detail TEXT NOT NULL,
	at     BIGINT NOT NULL
);
