-- Hotline liveness: the state of each peer, raw heartbeat samples (kept a
-- day, then folded into hourly rows) and outages (runs of failed heartbeats).
-- Times are Unix milliseconds; round trips are microseconds.

CREATE TABLE liveness (
	peer          BYTEA PRIMARY KEY REFERENCES peers (fingerprint),
	state         TEXT NOT NULL CHECK (state IN ('unknown', 'up', 'down')),
	changed_at    BIGINT NOT NULL,
	last_heard_at BIGINT,
	last_rtt_us   BIGINT,
	missed        BIGINT NOT NULL DEFAULT 0,
	skew_ms       BIGINT
);

CREATE TABLE heartbeats (
	peer   BYTEA NOT NULL,
	at     BIGINT NOT NULL,
	ok     BIGINT NOT NULL CHECK (ok IN (0, 1)),
	rtt_us BIGINT,
	PRIMARY KEY (peer, at)
);

CREATE TABLE heartbeat_hours (
	peer          BYTEA NOT NULL,
	hour          BIGINT NOT NULL, -- start of the hour
	attempts      BIGINT NOT NULL,
	ok            BIGINT NOT NULL,
	rtt_median_us BIGINT,
	PRIMARY KEY (peer, hour)
);

CREATE TABLE outages (
	peer     BYTEA NOT NULL,
	start_at BIGINT NOT NULL, -- the first failed heartbeat
	end_at   BIGINT,          -- the next successful one; NULL while it lasts
	PRIMARY KEY (peer, start_at)
);
