package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

const livenessCols = `peer, state, changed_at, last_heard_at, last_rtt_us, missed, skew_ms`

func scanLiveness(sc interface{ Scan(...any) error }) (parley.Liveness, error) {
	var l parley.Liveness
	var fp []byte
	var changed int64
	var heard, rtt, skew sql.NullInt64
	if err := sc.Scan(&fp, &l.State, &changed, &heard, &rtt, &l.Missed, &skew); err != nil {
		return l, err
	}
	copy(l.Peer[:], fp)
	l.ChangedAt, l.LastHeard = time.UnixMilli(changed).UTC(), fromMS(heard)
	l.LastRTT = time.Duration(rtt.Int64) * time.Microsecond
	l.Skew = time.Duration(skew.Int64) * time.Millisecond
	return l, nil
}

// Liveness implements parley.HotlineStore.
func (s *DB) Liveness(ctx context.Context, peer envelope.Fingerprint) (parley.Liveness, error) {
	l, err := scanLiveness(s.db.QueryRowContext(ctx, s.q(`SELECT `+livenessCols+` FROM liveness WHERE peer = ?`), peer[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return parley.Liveness{Peer: peer, State: parley.LivenessUnknown}, parley.ErrNotFound
	}
	return l, err
}

// Livenesses implements parley.HotlineStore.
func (s *DB) Livenesses(ctx context.Context) ([]parley.Liveness, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+livenessCols+` FROM liveness`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Liveness
	for rows.Next() {
		l, err := scanLiveness(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

// upsertLiveness writes l; SQLite and PostgreSQL share ON CONFLICT … DO UPDATE.
func (s *DB) upsertLiveness(ctx context.Context, tx *sql.Tx, l parley.Liveness) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO liveness (`+livenessCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (peer) DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at,
		last_heard_at = excluded.last_heard_at, last_rtt_us = excluded.last_rtt_us, missed = excluded.missed, skew_ms = excluded.skew_ms`),
		l.Peer[:], l.State, ms(l.ChangedAt), nullMS(l.LastHeard), l.LastRTT.Microseconds(), l.Missed, l.Skew.Milliseconds())
	return err
}

// RecordPing implements parley.HotlineStore.
func (s *DB) RecordPing(ctx context.Context, peer envelope.Fingerprint, sm parley.Sample, skew time.Duration, downAfter int) (prev, next parley.Liveness, changed bool, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return prev, next, false, err
	}
	defer tx.end(&err)
	prev, err = scanLiveness(tx.QueryRowContext(ctx, s.q(`SELECT `+livenessCols+` FROM liveness WHERE peer = ?`+s.forUpdate), peer[:]))
	if errors.Is(err, sql.ErrNoRows) {
		prev, err = parley.Liveness{Peer: peer}, nil
	}
	if err != nil {
		return prev, next, false, err
	}
	next, changed = parley.NextLiveness(prev, sm, downAfter)
	ok, rtt := 0, any(nil)
	if sm.OK {
		ok, rtt = 1, sm.RTT.Microseconds()
		next.Skew = skew
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO heartbeats (peer, at, ok, rtt_us) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`), peer[:], ms(sm.At), ok, rtt); err != nil {
		return prev, next, false, err
	}
	if err := s.upsertLiveness(ctx, tx.Tx, next); err != nil {
		return prev, next, false, err
	}
	if sm.OK {
		_, err = tx.ExecContext(ctx, s.q(`UPDATE outages SET end_at = ? WHERE peer = ? AND end_at IS NULL`), ms(sm.At), peer[:])
	} else {
		var open int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM outages WHERE peer = ? AND end_at IS NULL`), peer[:]).Scan(&open); err != nil {
			return prev, next, false, err
		}
		if open == 0 {
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO outages (peer, start_at) VALUES (?, ?) ON CONFLICT DO NOTHING`), peer[:], ms(sm.At))
		}
	}
	if err != nil {
		return prev, next, false, err
	}
	return prev, next, changed, nil
}

// HeardFrom implements parley.HotlineStore.
func (s *DB) HeardFrom(ctx context.Context, peer envelope.Fingerprint, at time.Time, skew time.Duration) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	l, err := scanLiveness(tx.QueryRowContext(ctx, s.q(`SELECT `+livenessCols+` FROM liveness WHERE peer = ?`+s.forUpdate), peer[:]))
	if errors.Is(err, sql.ErrNoRows) {
		l, err = parley.Liveness{Peer: peer, State: parley.LivenessUnknown, ChangedAt: at}, nil
	}
	if err != nil {
		return err
	}
	l.LastHeard, l.Skew = at, skew
	if err := s.upsertLiveness(ctx, tx.Tx, l); err != nil {
		return err
	}
	return nil
}

// History implements parley.HotlineStore.
func (s *DB) History(ctx context.Context, peer envelope.Fingerprint, since, until time.Time) (samples []parley.Sample, hours []parley.HourSample, outages []parley.Outage, err error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at, ok, rtt_us FROM heartbeats WHERE peer = ? AND at >= ? AND at < ? ORDER BY at`), peer[:], ms(since), ms(until))
	if err != nil {
		return nil, nil, nil, err
	}
	for rows.Next() {
		var at, ok int64
		var rtt sql.NullInt64
		if err := rows.Scan(&at, &ok, &rtt); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		samples = append(samples, parley.Sample{At: time.UnixMilli(at).UTC(), OK: ok == 1, RTT: time.Duration(rtt.Int64) * time.Microsecond})
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT hour, attempts, ok, rtt_median_us FROM heartbeat_hours WHERE peer = ? AND hour >= ? AND hour < ? ORDER BY hour`), peer[:], ms(since), ms(until))
	if err != nil {
		return nil, nil, nil, err
	}
	for rows.Next() {
		var h parley.HourSample
		var hour int64
		var rtt sql.NullInt64
		if err := rows.Scan(&hour, &h.Attempts, &h.OK, &rtt); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		h.Hour, h.MedianRTT = time.UnixMilli(hour).UTC(), time.Duration(rtt.Int64)*time.Microsecond
		hours = append(hours, h)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT start_at, end_at FROM outages WHERE peer = ? AND start_at < ? AND (end_at IS NULL OR end_at > ?) ORDER BY start_at`), peer[:], ms(until), ms(since))
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var start int64
		var end sql.NullInt64
		if err := rows.Scan(&start, &end); err != nil {
			return nil, nil, nil, err
		}
		outages = append(outages, parley.Outage{Start: time.UnixMilli(start).UTC(), End: fromMS(end)})
	}
	return samples, hours, outages, rows.Err()
}

// CompactHeartbeats implements parley.HotlineStore: whole hours before
// before are folded (attempts, answered, median round trip) and their raw
// samples deleted, in one transaction.
func (s *DB) CompactHeartbeats(ctx context.Context, before time.Time) (err error) {
	cut := before.UTC().Truncate(time.Hour)
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	type key struct {
		peer string
		hour int64
	}
	type fold struct {
		attempts, ok int
		rtts         []int64
	}
	folds := map[key]*fold{}
	var order []key
	rows, err := tx.QueryContext(ctx, s.q(`SELECT peer, at, ok, rtt_us FROM heartbeats WHERE at < ? ORDER BY peer, at`), ms(cut))
	if err != nil {
		return err
	}
	for rows.Next() {
		var peer []byte
		var at, ok int64
		var rtt sql.NullInt64
		if err := rows.Scan(&peer, &at, &ok, &rtt); err != nil {
			rows.Close()
			return err
		}
		k := key{string(peer), at - at%3_600_000}
		f := folds[k]
		if f == nil {
			f = &fold{}
			folds[k] = f
			order = append(order, k)
		}
		f.attempts++
		if ok == 1 {
			f.ok++
			f.rtts = append(f.rtts, rtt.Int64)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range order {
		f := folds[k]
		var med any
		if len(f.rtts) > 0 {
			slices.Sort(f.rtts)
			med = f.rtts[len(f.rtts)/2]
		}
		// A fold may meet an earlier partial fold of the same hour.
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO heartbeat_hours (peer, hour, attempts, ok, rtt_median_us) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (peer, hour) DO UPDATE SET attempts = heartbeat_hours.attempts + excluded.attempts, ok = heartbeat_hours.ok + excluded.ok,
			rtt_median_us = COALESCE(excluded.rtt_median_us, heartbeat_hours.rtt_median_us)`), []byte(k.peer), k.hour, f.attempts, f.ok, med); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM heartbeats WHERE at < ?`), ms(cut)); err != nil {
		return err
	}
	return nil
}

// ClaimOverdueFlash implements parley.HotlineStore.
func (s *DB) ClaimOverdueFlash(ctx context.Context, cutoff, now time.Time) (msgs []parley.Message, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end(&err)
	rows, err := tx.QueryContext(ctx, s.q(`UPDATE messages SET escalated_at = ?
		WHERE direction = 'out' AND lane = 1 AND read_at IS NULL AND refusal IS NULL AND stored_at <= ?
		AND (escalated_at IS NULL OR escalated_at <= ?) RETURNING id`), ms(now), ms(cutoff), ms(cutoff))
	if err != nil {
		return nil, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = s.queryIn(ctx, tx.Tx, `SELECT `+msgCols+` FROM messages m JOIN peers p ON p.fingerprint = m.peer WHERE m.id IN IN_LIST`, nil, ids, func(r *sql.Rows) error {
		m, err := scanMessage(r)
		if err == nil {
			msgs = append(msgs, m)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// SetPurpose implements parley.HotlineStore.
func (s *DB) SetPurpose(ctx context.Context, peer envelope.Fingerprint, purpose string) error {
	res, err := s.exec(ctx, s.q(`UPDATE peers SET purpose = ? WHERE fingerprint = ?`), purpose, peer[:])
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return parley.ErrNotFound
	}
	return nil
}
