-- Structured exchange: channel policy on peers; links, deadlines and
-- refusals on messages; an index of the STIX objects each message carried
-- (the objects themselves stay in the message body); refused receipts.
-- Times are Unix milliseconds.

ALTER TABLE peers ADD COLUMN max_tlp TEXT NOT NULL DEFAULT 'amber';
ALTER TABLE peers ADD COLUMN record_kinds TEXT NOT NULL DEFAULT ''; -- comma-separated; empty: any
ALTER TABLE peers ADD COLUMN respond_within BIGINT NOT NULL DEFAULT 259200; -- seconds

ALTER TABLE messages ADD COLUMN respond_by BIGINT;
ALTER TABLE messages ADD COLUMN in_reply_to BYTEA;
ALTER TABLE messages ADD COLUMN withdraws BYTEA;
ALTER TABLE messages ADD COLUMN refusal BIGINT;
ALTER TABLE messages ADD COLUMN refusal_detail TEXT;
ALTER TABLE messages ADD COLUMN overdue_escalated_at BIGINT;
ALTER TABLE messages ADD COLUMN escalations BIGINT NOT NULL DEFAULT 0;

CREATE INDEX messages_in_reply_to ON messages (peer, in_reply_to) WHERE in_reply_to IS NOT NULL;
CREATE INDEX messages_withdraws ON messages (peer, withdraws) WHERE withdraws IS NOT NULL;
CREATE INDEX messages_open ON messages (respond_by) WHERE respond_by IS NOT NULL;

CREATE TABLE records (
	message_id BIGINT NOT NULL REFERENCES messages (id),
	object_id  TEXT NOT NULL,
	type       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	tlp        BIGINT NOT NULL,
	PRIMARY KEY (message_id, object_id)
);

CREATE INDEX records_object_id ON records (object_id);

ALTER TABLE receipts DROP CONSTRAINT receipts_type_check;
ALTER TABLE receipts ADD CONSTRAINT receipts_type_check CHECK (type IN (1, 2, 3));
