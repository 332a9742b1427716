package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// metaColNames are the message columns a parley.Meta fills, in metaCols'
// order.
var metaColNames = []string{"respond_by", "in_reply_to", "withdraws", "refusal", "refusal_detail"}

func metaCols(m parley.Meta) []any {
	row := []any{nil, nil, nil, nil, nil}
	if !m.RespondBy.IsZero() {
		row[0] = ms(m.RespondBy)
	}
	if m.InReplyTo != nil {
		row[1] = m.InReplyTo[:]
	}
	if m.Withdraws != nil {
		row[2] = m.Withdraws[:]
	}
	if m.Refusal != nil {
		row[3], row[4] = int64(m.Refusal.Reason), m.Refusal.Detail
	}
	return row
}

// appendRecords adds the record rows of the message stored under id, on
// the channel with peer in direction dir. added is the date_added
// (microseconds) of its first object, the others following by position;
// -1 leaves them without one (not yet visible).
func appendRecords(rows [][]any, id int64, peer envelope.Fingerprint, dir parley.Direction, m *parley.Meta, added int64) [][]any {
	if m == nil || m.Refusal != nil {
		return rows
	}
	for _, r := range m.Records {
		var version, addedUS, off, length any
		if !r.Version.IsZero() {
			version = r.Version.UnixNano()
		}
		if added >= 0 {
			a := added + int64(r.Pos)
			addedUS = a
			if version == nil {
				version = a * 1000
			}
		}
		if r.Length > 0 {
			off, length = int64(r.Offset), int64(r.Length)
		}
		rows = append(rows, []any{id, int64(r.Pos), r.ObjectID, r.Type, r.Kind, int64(r.TLP), peer[:], string(dir), version, addedUS, off, length})
	}
	return rows
}

var recordCols = []string{"message_id", "pos", "object_id", "type", "kind", "tlp", "peer", "direction", "version", "added_us", "body_offset", "body_length"}

func (s *DB) insertRecords(ctx context.Context, tx *sql.Tx, rows [][]any) error {
	return s.insertRows(ctx, tx, "records", recordCols, rows, "", "", nil)
}

// nextAdded is the date_added of the first of n objects added now to a
// collection whose next free date_added is counter.
func nextAdded(counter int64) int64 { return max(time.Now().UnixMicro(), counter) }

// showApplied gives the records of the inbound messages from peer on lane
// with sequence numbers in [from, to), just applied, their dates added, in
// sequence order, starting at *counter (the peer's taxii_in_us), which it
// advances.
func (s *DB) showApplied(ctx context.Context, tx *sql.Tx, peer envelope.Fingerprint, lane int, from, to int64, counter *int64) error {
	type msg struct{ id, n int64 }
	var ms []msg
	rows, err := tx.QueryContext(ctx, s.q(`SELECT r.message_id, COUNT(*) FROM records r JOIN messages m ON m.id = r.message_id
		WHERE m.peer = ? AND m.direction = 'in' AND m.lane = ? AND m.seq >= ? AND m.seq < ? GROUP BY r.message_id, m.seq ORDER BY m.seq`), peer[:], lane, from, to)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m msg
		if err := rows.Scan(&m.id, &m.n); err != nil {
			rows.Close()
			return err
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		base := nextAdded(*counter)
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE records SET added_us = ? + pos, version = COALESCE(version, (? + pos) * 1000) WHERE message_id = ?`), base, base, m.id); err != nil {
			return err
		}
		*counter = base + m.n
	}
	return nil
}

// policyRow is a policy as the peers table stores it.
func policyRow(p parley.Policy) [3]any {
	tlp := p.MaxTLP
	if tlp == 0 {
		tlp = parley.DefaultMaxTLP
	}
	within := p.RespondWithin
	if within == 0 {
		within = parley.DefaultRespondWithin
	}
	return [3]any{tlp.String(), strings.Join(p.Kinds, ","), int64(within / time.Second)}
}

// SetPolicy implements parley.RecordStore.
func (s *DB) SetPolicy(ctx context.Context, peer envelope.Fingerprint, p parley.Policy) error {
	if err := parley.ValidPurpose(p.Purpose); err != nil {
		return err
	}
	row := policyRow(p)
	res, err := s.exec(ctx, s.q(`UPDATE peers SET purpose = ?, max_tlp = ?, record_kinds = ?, respond_within = ? WHERE fingerprint = ?`),
		p.Purpose, row[0], row[1], row[2], peer[:])
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return parley.ErrNotFound
	}
	return nil
}

// MessageBy implements parley.MessageStore.
func (s *DB) MessageBy(ctx context.Context, peer envelope.Fingerprint, dir parley.Direction, id envelope.ID) (parley.Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, s.q(`SELECT `+msgCols+` FROM messages m JOIN peers p ON p.fingerprint = m.peer
		WHERE m.peer = ? AND m.direction = ? AND m.envelope_id = ?`), peer[:], string(dir), id[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return m, parley.ErrNotFound
	}
	return m, err
}

// countedAs is the condition for the message aliased a to count: outbound
// ones not refused by the peer, inbound ones applied in order and not
// refused here.
func countedAs(a string) string {
	return a + ".refusal IS NULL AND (" + a + ".direction = 'out' OR " + a + ".state = 'applied')"
}

// Obligations implements parley.RecordStore. Answers and withdrawals are
// found at read time, so receiving a response needs no update of the
// warning it answers (and a held response counts once applied).
func (s *DB) Obligations(ctx context.Context, f parley.ObligationFilter) ([]parley.Obligation, error) {
	q := `SELECT * FROM (SELECT m.envelope_id, m.direction, m.peer, p.name, m.kind, m.seq, m.sent_at, m.respond_by,
		CASE WHEN m.direction = 'out' THEN m.delivered_at ELSE m.applied_at END, m.read_at,
		(SELECT MIN(a.sent_at) FROM messages a WHERE a.peer = m.peer AND a.direction <> m.direction AND a.in_reply_to = m.envelope_id AND ` + countedAs("a") + `) AS answered_at,
		(SELECT MIN(w.sent_at) FROM messages w WHERE w.peer = m.peer AND w.direction = m.direction AND w.withdraws = m.envelope_id AND ` + countedAs("w") + `) AS withdrawn_at,
		m.overdue_escalated_at, m.escalations
		FROM messages m JOIN peers p ON p.fingerprint = m.peer
		WHERE m.respond_by IS NOT NULL AND ` + countedAs("m")
	var args []any
	if f.Peer != nil {
		q += ` AND m.peer = ?`
		args = append(args, f.Peer[:])
	}
	if !f.Since.IsZero() {
		q += ` AND m.sent_at >= ?`
		args = append(args, ms(f.Since))
	}
	q += `) o`
	if f.OpenOnly {
		q += ` WHERE answered_at IS NULL AND withdrawn_at IS NULL`
	}
	q += ` ORDER BY sent_at, seq`
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Obligation
	for rows.Next() {
		var o parley.Obligation
		var id, fp []byte
		var dir string
		var kind, seq, sent, by, escalations int64
		var delivered, read, answered, withdrawn, escalated sql.NullInt64
		if err := rows.Scan(&id, &dir, &fp, &o.PeerName, &kind, &seq, &sent, &by, &delivered, &read, &answered, &withdrawn, &escalated, &escalations); err != nil {
			return nil, err
		}
		copy(o.ID[:], id)
		copy(o.Peer[:], fp)
		o.Direction, o.Kind, o.Seq = parley.Direction(dir), envelope.Kind(kind), uint64(seq)
		o.SentAt, o.RespondBy = time.UnixMilli(sent).UTC(), time.UnixMilli(by).UTC()
		o.DeliveredAt, o.ReadAt, o.AnsweredAt = fromMS(delivered), fromMS(read), fromMS(answered)
		o.WithdrawnAt, o.EscalatedAt, o.Escalations = fromMS(withdrawn), fromMS(escalated), int(escalations)
		out = append(out, o)
	}
	return out, rows.Err()
}

// MarkEscalated implements parley.RecordStore.
func (s *DB) MarkEscalated(ctx context.Context, os []parley.Obligation, at, due time.Time) (marked []parley.Obligation, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end(&err)
	for _, o := range os {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE messages SET overdue_escalated_at = ?, escalations = escalations + 1
			WHERE peer = ? AND direction = ? AND envelope_id = ? AND (overdue_escalated_at IS NULL OR overdue_escalated_at <= ?)`),
			ms(at), o.Peer[:], string(o.Direction), o.ID[:], ms(due))
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			o.EscalatedAt, o.Escalations = at.Truncate(time.Millisecond).UTC(), o.Escalations+1
			marked = append(marked, o)
		}
	}
	return marked, nil
}

// KindCounts implements parley.RecordStore.
func (s *DB) KindCounts(ctx context.Context, since time.Time) ([]parley.KindCount, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT m.peer, p.name, m.direction, m.kind, COUNT(*) FROM messages m JOIN peers p ON p.fingerprint = m.peer
		WHERE m.sent_at >= ? AND `+countedAs("m")+` GROUP BY m.peer, p.name, m.direction, m.kind ORDER BY p.name, m.direction, m.kind`), ms(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.KindCount
	for rows.Next() {
		var c parley.KindCount
		var fp []byte
		var dir string
		var kind int64
		if err := rows.Scan(&fp, &c.PeerName, &dir, &kind, &c.Count); err != nil {
			return nil, err
		}
		copy(c.Peer[:], fp)
		c.Direction, c.Kind = parley.Direction(dir), envelope.Kind(kind)
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordOrigins implements parley.RecordStore.
func (s *DB) RecordOrigins(ctx context.Context, objectIDs []string) (map[string][]envelope.Fingerprint, error) {
	out := map[string][]envelope.Fingerprint{}
	if len(objectIDs) == 0 {
		return out, nil
	}
	ids := make([]any, len(objectIDs))
	for i, id := range objectIDs {
		ids[i] = id
	}
	seen := map[string]map[envelope.Fingerprint]bool{}
	err := s.queryIn(ctx, s.db, `SELECT DISTINCT r.object_id, m.peer FROM records r JOIN messages m ON m.id = r.message_id
		WHERE m.direction = 'in' AND r.object_id IN IN_LIST`, nil, ids, func(rows *sql.Rows) error {
		var oid string
		var fp []byte
		if err := rows.Scan(&oid, &fp); err != nil {
			return err
		}
		f := envelope.Fingerprint(fp)
		if seen[oid] == nil {
			seen[oid] = map[envelope.Fingerprint]bool{}
		}
		if !seen[oid][f] {
			seen[oid][f] = true
			out[oid] = append(out[oid], f)
		}
		return nil
	})
	return out, err
}
