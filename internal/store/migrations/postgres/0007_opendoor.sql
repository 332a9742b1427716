-- The open door (docs/opendoor.md): anonymous visitors and their sealed
-- items. Nothing here identifies a visitor: no address, no user agent, and
-- dates only ('YYYY-MM-DD', UTC), never times. An item's data key, wrapped
-- to each recipient, lives in opendoor_keys: deleting those rows destroys
-- the item (crypto-shredding). PostgreSQL keeps deleted row versions until
-- VACUUM reuses their space, and in its write-ahead log and backups; see
-- docs/opendoor.md.

CREATE TABLE opendoor_visitors (
	id         BYTEA PRIMARY KEY,         -- random, unrelated to the codename
	lookup     BYTEA NOT NULL UNIQUE,     -- derived from the codename (Argon2id)
	verifier   BYTEA NOT NULL,            -- derived from the codename (Argon2id)
	reply_key  BYTEA NOT NULL,            -- the visitor's reply public key
	created_on TEXT NOT NULL              -- YYYY-MM-DD
);

CREATE TABLE opendoor_items (
	id         BYTEA PRIMARY KEY,
	visitor    BYTEA NOT NULL REFERENCES opendoor_visitors (id),
	kind       TEXT NOT NULL CHECK (kind IN ('submission', 'reply')),
	created_on TEXT NOT NULL,             -- YYYY-MM-DD
	body       BYTEA NOT NULL             -- ciphertext under the item's data key
);

CREATE INDEX opendoor_items_visitor ON opendoor_items (visitor, kind, created_on);
CREATE INDEX opendoor_items_date ON opendoor_items (created_on);

CREATE TABLE opendoor_keys (
	item        BYTEA PRIMARY KEY REFERENCES opendoor_items (id),
	org_key     BYTEA NOT NULL,           -- the data key wrapped to the open-door key
	visitor_key BYTEA                     -- replies: wrapped to the visitor's reply key
);
