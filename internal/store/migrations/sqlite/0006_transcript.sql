-- Transcripts: per peer, eight append-only Merkle logs (parley.LogID) kept
-- in tlog's stored-hash layout, their sizes, the signed and cosigned
-- checkpoints, and evidence of a peer's misbehaviour. Read receipts now
-- travel as envelopes, so their push queue goes.

DROP TABLE receipt_outbox;

CREATE TABLE logs (
	peer BLOB NOT NULL REFERENCES peers (fingerprint),
	log  INTEGER NOT NULL CHECK (log BETWEEN 0 AND 7),
	size INTEGER NOT NULL,
	PRIMARY KEY (peer, log)
) STRICT;

CREATE TABLE log_hashes (
	peer BLOB NOT NULL,
	log  INTEGER NOT NULL,
	idx  INTEGER NOT NULL, -- tlog.StoredHashIndex
	hash BLOB NOT NULL,
	PRIMARY KEY (peer, log, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkpoints (
	peer     BLOB NOT NULL,
	log      INTEGER NOT NULL,
	size     INTEGER NOT NULL,
	root     BLOB NOT NULL,
	note     BLOB NOT NULL, -- the signed note, with the cosignature once cosigned
	cosigned INTEGER NOT NULL CHECK (cosigned IN (0, 1)),
	at       INTEGER NOT NULL,
	PRIMARY KEY (peer, log, size)
) STRICT;

CREATE TABLE evidence (
	id     INTEGER PRIMARY KEY,
	peer   BLOB NOT NULL,
	log    INTEGER NOT NULL,
	kind   TEXT NOT NULL, -- equivocation, rollback, inconsistent, bad_cosignature
	data   BLOB NOT NULL,
	detail TEXT NOT NULL,
	at     INTEGER NOT NULL
) STRICT;
