-- TAXII 2.1: see the SQLite migration of the same name for the meaning of
-- each column. The records table gains its collection, position, version,
-- body span and date_added; the store fills them for existing rows after
-- this script (backfillRecords).

ALTER TABLE records DROP CONSTRAINT records_pkey;
ALTER TABLE records ADD COLUMN pos BIGINT;
ALTER TABLE records ADD COLUMN peer BYTEA;
ALTER TABLE records ADD COLUMN direction TEXT CHECK (direction IN ('in', 'out'));
ALTER TABLE records ADD COLUMN version BIGINT;
ALTER TABLE records ADD COLUMN added_us BIGINT;
ALTER TABLE records ADD COLUMN body_offset BIGINT;
ALTER TABLE records ADD COLUMN body_length BIGINT;
UPDATE records r SET pos = -x.rn, peer = m.peer, direction = m.direction
	FROM (SELECT message_id, object_id, ROW_NUMBER() OVER (PARTITION BY message_id ORDER BY object_id) AS rn FROM records) x,
		messages m
	WHERE x.message_id = r.message_id AND x.object_id = r.object_id AND m.id = r.message_id;
ALTER TABLE records ALTER COLUMN pos SET NOT NULL;
ALTER TABLE records ALTER COLUMN peer SET NOT NULL;
ALTER TABLE records ALTER COLUMN direction SET NOT NULL;
ALTER TABLE records ADD PRIMARY KEY (message_id, pos);
-- Partial: a correlated lookup of one object's versions (which never says
-- added_us IS NOT NULL) cannot pick it over records_versions.
CREATE INDEX records_collection ON records (peer, direction, added_us) WHERE added_us IS NOT NULL;
CREATE INDEX records_versions ON records (peer, direction, object_id, version, added_us, tlp);

ALTER TABLE peers ADD COLUMN taxii_in_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN taxii_out_us BIGINT NOT NULL DEFAULT 0;

CREATE TABLE taxii_users (
	name       TEXT PRIMARY KEY,
	password   TEXT,
	token_id   TEXT UNIQUE,
	token_hash TEXT,
	can_read   TEXT NOT NULL,
	can_write  TEXT NOT NULL,
	max_tlp    TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE taxii_statuses (
	id           TEXT PRIMARY KEY,
	user_name    TEXT NOT NULL,
	peer         BYTEA NOT NULL,
	requested_at BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL
);
CREATE INDEX taxii_statuses_expiry ON taxii_statuses (expires_at);

CREATE TABLE taxii_status_objects (
	status_id   TEXT NOT NULL REFERENCES taxii_statuses (id) ON DELETE CASCADE,
	pos         BIGINT NOT NULL,
	object_id   TEXT NOT NULL,
	version     TEXT NOT NULL,
	envelope_id BYTEA,
	failure     TEXT,
	PRIMARY KEY (status_id, pos)
);

CREATE TABLE taxii_cursors (
	source      TEXT NOT NULL,
	collection  TEXT NOT NULL,
	peer        BYTEA NOT NULL,
	added_after TEXT NOT NULL,
	updated_at  BIGINT NOT NULL,
	PRIMARY KEY (source, collection, peer)
);
