-- Hotline liveness: the state of each peer, raw heartbeat samples (kept a
-- day, then folded into hourly rows) and outages (runs of failed heartbeats).
-- Times are Unix milliseconds; round trips are microseconds.

CREATE TABLE liveness (
	peer          BLOB PRIMARY KEY REFERENCES peers (fingerprint),
	state         TEXT NOT NULL CHECK (state IN ('unknown', 'up', 'down')),
	changed_at    INTEGER NOT NULL,
	last_heard_at INTEGER,
	last_rtt_us   INTEGER,
	missed        INTEGER NOT NULL DEFAULT 0,
	skew_ms       INTEGER
) STRICT;

CREATE TABLE heartbeats (
	peer   BLOB NOT NULL,
	at     INTEGER NOT NULL,
	ok     INTEGER NOT NULL CHECK (ok IN (0, 1)),
	rtt_us INTEGER,
	PRIMARY KEY (peer, at)
) STRICT;

CREATE TABLE heartbeat_hours (
	peer          BLOB NOT NULL,
	hour          INTEGER NOT NULL, -- start of the hour
	attempts      INTEGER NOT NULL,
	ok            INTEGER NOT NULL,
	rtt_median_us INTEGER,
	PRIMARY KEY (peer, hour)
) STRICT;

CREATE TABLE outages (
	peer     BLOB NOT NULL,
	start_at INTEGER NOT NULL, -- the first failed heartbeat
	end_at   INTEGER,          -- the next successful one; NULL while it lasts
	PRIMARY KEY (peer, start_at)
) STRICT;
