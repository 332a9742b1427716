-- The open door (docs/opendoor.md): anonymous visitors and their sealed
-- items. Nothing here identifies a visitor: no address, no user agent, and
-- dates only ('YYYY-MM-DD', UTC), never times. An item's data key, wrapped
-- to each recipient, lives in opendoor_keys, a table of small rows that
-- SQLite overwrites on delete (secure_delete): deleting those rows destroys
-- the item (crypto-shredding), whatever remains of its body.

CREATE TABLE opendoor_visitors (
	id         BLOB PRIMARY KEY,          -- random, unrelated to the codename
	lookup     BLOB NOT NULL UNIQUE,      -- derived from the codename (Argon2id)
	verifier   BLOB NOT NULL,             -- derived from the codename (Argon2id)
	reply_key  BLOB NOT NULL,             -- the visitor's reply public key
	created_on TEXT NOT NULL              -- YYYY-MM-DD
) STRICT;

CREATE TABLE opendoor_items (
	id         BLOB PRIMARY KEY,
	visitor    BLOB NOT NULL REFERENCES opendoor_visitors (id),
	kind       TEXT NOT NULL CHECK (kind IN ('submission', 'reply')),
	created_on TEXT NOT NULL,             -- YYYY-MM-DD
	body       BLOB NOT NULL              -- ciphertext under the item's data key
) STRICT;

CREATE INDEX opendoor_items_visitor ON opendoor_items (visitor, kind, created_on);
CREATE INDEX opendoor_items_date ON opendoor_items (created_on);

CREATE TABLE opendoor_keys (
	item        BLOB PRIMARY KEY REFERENCES opendoor_items (id),
	org_key     BLOB NOT NULL,            -- the data key wrapped to the open-door key
	visitor_key BLOB                      -- replies: wrapped to the visitor's reply key
) STRICT;
