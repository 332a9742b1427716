-- Structured exchange: channel policy on peers; links, deadlines and
-- refusals on messages; an index of the STIX objects each message carried
-- (the objects themselves stay in the message body); refused receipts.
-- Times are Unix milliseconds.

ALTER TABLE peers ADD COLUMN max_tlp TEXT NOT NULL DEFAULT 'amber';
ALTER TABLE peers ADD COLUMN record_kinds TEXT NOT NULL DEFAULT ''; -- comma-separated; empty: any
ALTER TABLE peers ADD COLUMN respond_within INTEGER NOT NULL DEFAULT 259200; -- seconds

ALTER TABLE messages ADD COLUMN respond_by INTEGER;     -- warning or request: its deadline
ALTER TABLE messages ADD COLUMN in_reply_to BLOB;       -- response: the envelope id it answers
ALTER TABLE messages ADD COLUMN withdraws BLOB;         -- withdrawal: the envelope id it withdraws
ALTER TABLE messages ADD COLUMN refusal INTEGER;        -- refused content: the signed reason code
ALTER TABLE messages ADD COLUMN refusal_detail TEXT;    -- inbound: what triggered it (local only)
ALTER TABLE messages ADD COLUMN overdue_escalated_at INTEGER;
ALTER TABLE messages ADD COLUMN escalations INTEGER NOT NULL DEFAULT 0;

CREATE INDEX messages_in_reply_to ON messages (peer, in_reply_to) WHERE in_reply_to IS NOT NULL;
CREATE INDEX messages_withdraws ON messages (peer, withdraws) WHERE withdraws IS NOT NULL;
CREATE INDEX messages_open ON messages (respond_by) WHERE respond_by IS NOT NULL;

CREATE TABLE records (
	message_id INTEGER NOT NULL REFERENCES messages (id),
	object_id  TEXT NOT NULL,
	type       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	tlp        INTEGER NOT NULL,
	PRIMARY KEY (message_id, object_id)
) STRICT;

CREATE INDEX records_object_id ON records (object_id);

-- Receipts gain type 3 (refused); SQLite cannot alter a CHECK, so the table
-- is rebuilt (nothing references it).
CREATE TABLE receipts_v4 (
	message_id INTEGER NOT NULL REFERENCES messages (id),
	type       INTEGER NOT NULL CHECK (type IN (1, 2, 3)),
	raw        BLOB NOT NULL,
	signed_at  INTEGER NOT NULL,
	stored_at  INTEGER NOT NULL,
	PRIMARY KEY (message_id, type)
) STRICT;
INSERT INTO receipts_v4 SELECT message_id, type, raw, signed_at, stored_at FROM receipts;
DROP TABLE receipts;
ALTER TABLE receipts_v4 RENAME TO receipts;
