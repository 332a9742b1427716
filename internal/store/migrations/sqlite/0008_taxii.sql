-- TAXII 2.1: the records of a message become the objects of a collection
-- (a channel's direction). Each record row learns its position in the
-- message's bundle (the primary key, so one bundle may carry several
-- versions of an object), its collection (peer, direction), its version
-- (nanoseconds: modified, else created, else the date added), where its
-- bytes lie in the message body, and its TAXII date_added (microseconds,
-- unique and increasing within a collection; NULL until the record is
-- visible: an inbound message applied in order, an outbound one not refused
-- by the peer). The store fills these for existing rows after this script
-- (backfillRecords). Then the TAXII users, the status of POSTs, and the
-- cursors of `parley taxii pull`.

CREATE TABLE records_v8 (
	message_id  INTEGER NOT NULL REFERENCES messages (id),
	pos         INTEGER NOT NULL, -- index of the object in the message's bundle
	object_id   TEXT NOT NULL,
	type        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	tlp         INTEGER NOT NULL,
	peer        BLOB NOT NULL,
	direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	version     INTEGER,          -- Unix nanoseconds
	added_us    INTEGER,          -- Unix microseconds
	body_offset INTEGER,          -- byte offset of the object in messages.body
	body_length INTEGER,
	PRIMARY KEY (message_id, pos)
) STRICT;
-- Negative positions until backfillRecords sets the real ones.
INSERT INTO records_v8 (message_id, pos, object_id, type, kind, tlp, peer, direction)
	SELECT r.message_id, -ROW_NUMBER() OVER (PARTITION BY r.message_id ORDER BY r.object_id),
		r.object_id, r.type, r.kind, r.tlp, m.peer, m.direction
	FROM records r JOIN messages m ON m.id = r.message_id;
DROP TABLE records;
ALTER TABLE records_v8 RENAME TO records;
CREATE INDEX records_object_id ON records (object_id);
-- Partial: a correlated lookup of one object's versions (which never says
-- added_us IS NOT NULL) cannot pick it over records_versions.
CREATE INDEX records_collection ON records (peer, direction, added_us) WHERE added_us IS NOT NULL;
CREATE INDEX records_versions ON records (peer, direction, object_id, version, added_us, tlp);

-- The next free date_added (microseconds) of each of the peer's collections.
ALTER TABLE peers ADD COLUMN taxii_in_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN taxii_out_us INTEGER NOT NULL DEFAULT 0;

CREATE TABLE taxii_users (
	name       TEXT PRIMARY KEY,
	password   TEXT,               -- Argon2id hash (PHC string); NULL: no password
	token_id   TEXT UNIQUE,        -- public half of the API token; NULL: no token
	token_hash TEXT,               -- Argon2id hash of its secret half
	can_read   TEXT NOT NULL,      -- collection aliases, comma-separated, or *
	can_write  TEXT NOT NULL,
	max_tlp    TEXT NOT NULL,      -- highest TLP the user is shown
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE taxii_statuses (
	id           TEXT PRIMARY KEY,
	user_name    TEXT NOT NULL,
	peer         BLOB NOT NULL,
	requested_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX taxii_statuses_expiry ON taxii_statuses (expires_at);

CREATE TABLE taxii_status_objects (
	status_id   TEXT NOT NULL REFERENCES taxii_statuses (id) ON DELETE CASCADE,
	pos         INTEGER NOT NULL,
	object_id   TEXT NOT NULL,
	version     TEXT NOT NULL,     -- as posted: modified, else created, else ''
	envelope_id BLOB,              -- the outbound message that carries it
	failure     TEXT,              -- why it was not sent
	PRIMARY KEY (status_id, pos)
) STRICT;

CREATE TABLE taxii_cursors (
	source      TEXT NOT NULL,     -- the API root pulled from
	collection  TEXT NOT NULL,
	peer        BLOB NOT NULL,     -- where its objects are sent
	added_after TEXT NOT NULL,     -- the last X-TAXII-Date-Added-Last seen
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (source, collection, peer)
) STRICT;
