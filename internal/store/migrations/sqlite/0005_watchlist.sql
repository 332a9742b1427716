-- The local watchlist and the hits that received person records raised
-- against it. Hits are local: they are never sent to a peer.

CREATE TABLE watchlist (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	aliases       TEXT NOT NULL DEFAULT '', -- '|'-separated
	dob           TEXT NOT NULL DEFAULT '',
	nationalities TEXT NOT NULL DEFAULT '', -- '|'-separated
	added_at      INTEGER NOT NULL
) STRICT;

-- version counts changes to the watchlist, so that running nodes reload it.
CREATE TABLE watchlist_version (
	one     INTEGER PRIMARY KEY CHECK (one = 1),
	version INTEGER NOT NULL
) STRICT;
INSERT INTO watchlist_version (one, version) VALUES (1, 0);

CREATE TABLE hits (
	message_id  INTEGER NOT NULL REFERENCES messages (id),
	object_id   TEXT NOT NULL,
	entry_id    TEXT NOT NULL,
	person_name TEXT NOT NULL,
	entry_name  TEXT NOT NULL,
	score       REAL NOT NULL,
	evidence    TEXT NOT NULL,
	PRIMARY KEY (message_id, object_id, entry_id)
) STRICT;
