// Package store implements the domain's Store on database/sql: SQLite
// (modernc.org/sqlite, no cgo) by default.
//
// Durability: SQLite runs in WAL mode with synchronous=FULL, so a committed
// transaction survives power loss; write transactions begin IMMEDIATE so that
// concurrent writers (a `parley serve` and a `parley send` on the same data
// directory) serialise instead of failing, waiting up to the busy timeout.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	_ "modernc.org/sqlite"
)

// SQLite is a Store in one SQLite database file.
type SQLite struct {
	db *sql.DB
	// wmu serialises this process's write transactions. SQLite allows one
	// writer at a time; waiting on a Go mutex is fair and immediate, where
	// SQLite's busy handler sleeps and retries. Other processes on the same
	// file still serialise through the busy timeout.
	wmu sync.Mutex
}

// exec runs one write statement under the writer lock.
func (s *SQLite) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.db.ExecContext(ctx, q, args...)
}

var _ parley.Store = (*SQLite)(nil)

// OpenSQLite opens (creating if needed) the database at path and applies
// pending migrations.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(30000)", "foreign_keys(1)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := migrate(ctx, db, "sqlite"); err != nil {
		db.Close()
		return nil, err
	}
	return &SQLite{db: db}, nil
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// AddPeer implements parley.PeerStore.
func (s *SQLite) AddPeer(ctx context.Context, p parley.Peer) error {
	fp := p.Fingerprint()
	_, err := s.exec(ctx, `INSERT INTO peers (fingerprint, name, url, signing_key, hpke_key, channel_id, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, fp[:], p.Name, p.URL, p.Identity.SigningKey(), p.Identity.HPKEKey(), p.Channel[:], ms(p.AddedAt))
	if isUnique(err) {
		return fmt.Errorf("add peer %s: %w", p.Name, parley.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add peer %s: %w", p.Name, err)
	}
	return nil
}

const peerCols = `fingerprint, name, url, signing_key, hpke_key, channel_id, added_at`

func scanPeer(sc interface{ Scan(...any) error }) (parley.Peer, error) {
	var p parley.Peer
	var fp, sk, hk, ch []byte
	var added int64
	if err := sc.Scan(&fp, &p.Name, &p.URL, &sk, &hk, &ch, &added); err != nil {
		return p, err
	}
	id, err := envelope.NewPublicIdentity(sk, hk)
	if err != nil {
		return p, fmt.Errorf("stored peer %s: %w", p.Name, err)
	}
	if f := id.Fingerprint(); string(f[:]) != string(fp) {
		return p, fmt.Errorf("stored peer %s: fingerprint does not match its keys (the database was altered)", p.Name)
	}
	p.Identity = id
	copy(p.Channel[:], ch)
	p.AddedAt = time.UnixMilli(added).UTC()
	return p, nil
}

func (s *SQLite) peerWhere(ctx context.Context, where string, arg any) (parley.Peer, error) {
	p, err := scanPeer(s.db.QueryRowContext(ctx, `SELECT `+peerCols+` FROM peers WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return p, parley.ErrNotFound
	}
	return p, err
}

// PeerByName implements parley.PeerStore.
func (s *SQLite) PeerByName(ctx context.Context, name string) (parley.Peer, error) {
	return s.peerWhere(ctx, "name = ?", name)
}

// PeerByFingerprint implements parley.PeerStore.
func (s *SQLite) PeerByFingerprint(ctx context.Context, fp envelope.Fingerprint) (parley.Peer, error) {
	return s.peerWhere(ctx, "fingerprint = ?", fp[:])
}

// Peers implements parley.PeerStore.
func (s *SQLite) Peers(ctx context.Context) ([]parley.Peer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+peerCols+` FROM peers ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []parley.Peer
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// Enqueue implements parley.OutboxStore.
func (s *SQLite) Enqueue(ctx context.Context, peer envelope.Fingerprint, n int, seal func(uint64) ([]parley.Outgoing, error)) (err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT next_out_seq FROM peers WHERE fingerprint = ?`, peer[:]).Scan(&next); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return parley.ErrNotFound
		}
		return err
	}
	outs, err := seal(uint64(next))
	if err != nil {
		return err
	}
	if len(outs) != n {
		panic("store: seal returned the wrong number of envelopes")
	}
	now := time.Now().UnixMilli()
	msgStmt, err := tx.PrepareContext(ctx, `INSERT INTO messages (envelope_id, direction, peer, channel_id, seq, kind, sent_at, stored_at, applied_at, state, envelope, hash, salt, body)
		VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer msgStmt.Close()
	obStmt, err := tx.PrepareContext(ctx, `INSERT INTO outbox (message_id, peer, seq, queued_at) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer obStmt.Close()
	for i, o := range outs {
		h := o.Env.Header
		if h.Seq != uint64(next)+uint64(i) || h.Recipient != peer {
			panic("store: sealed envelope does not match its allocated sequence number or peer")
		}
		hash := envelope.Hash(o.Wire)
		res, err := msgStmt.ExecContext(ctx, h.ID[:], peer[:], h.Channel[:], int64(h.Seq), int64(h.Kind), ms(h.Time), now, now, o.Wire, hash[:], o.Salt, o.Body)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := obStmt.ExecContext(ctx, id, peer[:], int64(h.Seq), now); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE peers SET next_out_seq = ? WHERE fingerprint = ?`, next+int64(n), peer[:]); err != nil {
		return err
	}
	return tx.Commit()
}

const msgCols = `m.envelope_id, m.direction, m.peer, p.name, m.channel_id, m.seq, m.kind, m.sent_at, m.stored_at,
	m.state, m.envelope, m.hash, m.salt, m.body, m.delivered_at, m.read_at`

func scanMessage(sc interface{ Scan(...any) error }) (parley.Message, error) {
	var m parley.Message
	var id, fp, ch, hash []byte
	var seq, kind, sent, stored int64
	var dir string
	var delivered, read sql.NullInt64
	if err := sc.Scan(&id, &dir, &fp, &m.PeerName, &ch, &seq, &kind, &sent, &stored, &m.State, &m.Envelope, &hash, &m.Salt, &m.Body, &delivered, &read); err != nil {
		return m, err
	}
	copy(m.ID[:], id)
	copy(m.Peer[:], fp)
	copy(m.Channel[:], ch)
	copy(m.Hash[:], hash)
	m.Direction = parley.Direction(dir)
	m.Seq, m.Kind = uint64(seq), envelope.Kind(kind)
	m.SentAt, m.StoredAt = time.UnixMilli(sent).UTC(), time.UnixMilli(stored).UTC()
	m.DeliveredAt, m.ReadAt = fromMS(delivered), fromMS(read)
	return m, nil
}

// Pending implements parley.OutboxStore.
func (s *SQLite) Pending(ctx context.Context, peer envelope.Fingerprint, max, maxBytes int) ([]parley.Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+msgCols+` FROM outbox o JOIN messages m ON m.id = o.message_id
		JOIN peers p ON p.fingerprint = m.peer WHERE o.peer = ? ORDER BY o.seq LIMIT ?`, peer[:], max)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Message
	size := 0
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && size+len(m.Envelope) > maxBytes {
			break
		}
		size += len(m.Envelope)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Acknowledge implements parley.OutboxStore.
func (s *SQLite) Acknowledge(ctx context.Context, peer envelope.Fingerprint, rs []*envelope.Receipt) (err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	now := time.Now().UnixMilli()
	for _, r := range rs {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE peer = ? AND direction = 'out' AND envelope_id = ? AND seq = ? AND hash = ?`,
			peer[:], r.Envelope[:], int64(r.Seq), r.Hash[:]).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return parley.Errorf(parley.CodeUnknownMessage, -1, "receipt names envelope %s, which was not sent to this peer", r.Envelope)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO receipts (message_id, type, raw, signed_at, stored_at) VALUES (?, ?, ?, ?, ?)`,
			id, int64(r.Type), r.Raw, ms(r.Time), now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET state = 'delivered', delivered_at = COALESCE(delivered_at, ?) WHERE id = ?`, ms(r.Time), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE message_id = ?`, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// RecordAttempt implements parley.OutboxStore.
func (s *SQLite) RecordAttempt(ctx context.Context, peer envelope.Fingerprint, at time.Time, attemptErr error) error {
	var err error
	if attemptErr == nil {
		_, err = s.exec(ctx, `UPDATE peers SET last_delivery_at = ?, last_error = NULL, last_error_at = NULL WHERE fingerprint = ?`, ms(at), peer[:])
	} else {
		_, err = s.exec(ctx, `UPDATE peers SET last_error = ?, last_error_at = ? WHERE fingerprint = ?`, attemptErr.Error(), ms(at), peer[:])
	}
	return err
}

// Receive implements parley.InboxStore.
func (s *SQLite) Receive(ctx context.Context, peer envelope.Fingerprint, window uint64, in []parley.Incoming) (res []parley.Result, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT next_in_seq FROM peers WHERE fingerprint = ?`, peer[:]).Scan(&next); err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	res = make([]parley.Result, len(in))
	inserted := make([]bool, len(in))
	for i, x := range in {
		h := x.Env.Header
		hash := envelope.Hash(x.Wire)
		var id int64
		var storedHash []byte
		err := tx.QueryRowContext(ctx, `SELECT id, hash FROM messages WHERE peer = ? AND direction = 'in' AND envelope_id = ?`,
			peer[:], h.ID[:]).Scan(&id, &storedHash)
		switch {
		case err == nil && string(storedHash) == string(hash[:]):
			var raw []byte
			if err := tx.QueryRowContext(ctx, `SELECT raw FROM receipts WHERE message_id = ? AND type = 1`, id).Scan(&raw); err != nil {
				return nil, fmt.Errorf("duplicate envelope %s has no stored receipt: %w", h.ID, err)
			}
			res[i] = parley.Result{Status: "duplicate", Receipt: raw}
			continue
		case err == nil:
			return nil, parley.Errorf(parley.CodeEnvelopeConflict, i, "envelope id %s was already used for different bytes", h.ID)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE peer = ? AND direction = 'in' AND seq = ?`, peer[:], int64(h.Seq)).Scan(&taken); err != nil {
			return nil, err
		}
		if taken > 0 || h.Seq < uint64(next) {
			return nil, parley.Errorf(parley.CodeSequenceReused, i, "sequence number %d was already used by another envelope (replay?)", h.Seq)
		}
		if h.Seq >= uint64(next)+window {
			return nil, parley.Errorf(parley.CodeSequenceWindow, i, "sequence number %d is too far ahead of the next expected %d (window %d)", h.Seq, next, window)
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO messages (envelope_id, direction, peer, channel_id, seq, kind, sent_at, stored_at, state, envelope, hash, salt, body)
			VALUES (?, 'in', ?, ?, ?, ?, ?, ?, 'held', ?, ?, ?, ?)`,
			h.ID[:], peer[:], h.Channel[:], int64(h.Seq), int64(h.Kind), ms(h.Time), now, x.Wire, hash[:], x.Salt, x.Body)
		if err != nil {
			return nil, err
		}
		id, err = r.LastInsertId()
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO receipts (message_id, type, raw, signed_at, stored_at) VALUES (?, 1, ?, ?, ?)`,
			id, x.Receipt.Raw, ms(x.Receipt.Time), now); err != nil {
			return nil, err
		}
		res[i] = parley.Result{Receipt: x.Receipt.Raw}
		inserted[i] = true
	}
	// Apply held envelopes in sequence order while there is no gap.
	newNext := next
	for {
		r, err := tx.ExecContext(ctx, `UPDATE messages SET state = 'applied', applied_at = ? WHERE peer = ? AND direction = 'in' AND seq = ? AND state = 'held'`, now, peer[:], newNext)
		if err != nil {
			return nil, err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			break
		}
		newNext++
	}
	if newNext != next {
		if _, err := tx.ExecContext(ctx, `UPDATE peers SET next_in_seq = ? WHERE fingerprint = ?`, newNext, peer[:]); err != nil {
			return nil, err
		}
	}
	for i, x := range in {
		if inserted[i] {
			if x.Env.Header.Seq < uint64(newNext) {
				res[i].Status = "stored"
			} else {
				res[i].Status = "held"
			}
		}
	}
	return res, tx.Commit()
}

// Message implements parley.MessageStore.
func (s *SQLite) Message(ctx context.Context, id envelope.ID) (parley.Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, `SELECT `+msgCols+` FROM messages m JOIN peers p ON p.fingerprint = m.peer
		WHERE m.envelope_id = ? ORDER BY m.direction = 'in' DESC LIMIT 1`, id[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return m, parley.ErrNotFound
	}
	return m, err
}

// Messages implements parley.MessageStore.
func (s *SQLite) Messages(ctx context.Context, f parley.Filter) ([]parley.Message, error) {
	var where []string
	var args []any
	if f.Direction != "" {
		where = append(where, "m.direction = ?")
		args = append(args, string(f.Direction))
	}
	if f.Peer != nil {
		where = append(where, "m.peer = ?")
		args = append(args, f.Peer[:])
	}
	if f.Unread {
		where = append(where, "m.read_at IS NULL")
	}
	if len(f.States) > 0 {
		where = append(where, "m.state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	q := `SELECT ` + msgCols + ` FROM messages m JOIN peers p ON p.fingerprint = m.peer`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY m.applied_at IS NULL, m.applied_at, m.peer, m.direction, m.seq"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MarkRead implements parley.MessageStore.
func (s *SQLite) MarkRead(ctx context.Context, id envelope.ID, at time.Time, r *envelope.Receipt) (ok bool, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var rowid int64
	var peer []byte
	err = tx.QueryRowContext(ctx, `SELECT id, peer FROM messages WHERE envelope_id = ? AND direction = 'in' AND peer = ?`, id[:], r.Sender[:]).Scan(&rowid, &peer)
	if errors.Is(err, sql.ErrNoRows) {
		return false, parley.ErrNotFound
	} else if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL`, ms(at), rowid)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO receipts (message_id, type, raw, signed_at, stored_at) VALUES (?, 2, ?, ?, ?)`, rowid, r.Raw, ms(r.Time), ms(at)); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO receipt_outbox (peer, raw) VALUES (?, ?)`, peer, r.Raw); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Receipts implements parley.MessageStore.
func (s *SQLite) Receipts(ctx context.Context, peer envelope.Fingerprint, dir parley.Direction, id envelope.ID) (map[envelope.ReceiptType]*envelope.Receipt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.raw FROM receipts r JOIN messages m ON m.id = r.message_id
		WHERE m.peer = ? AND m.direction = ? AND m.envelope_id = ?`, peer[:], string(dir), id[:])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[envelope.ReceiptType]*envelope.Receipt{}
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		r, err := envelope.ParseReceipt(raw)
		if err != nil {
			return nil, fmt.Errorf("stored receipt for %s: %w", id, err)
		}
		out[r.Type] = r
	}
	return out, rows.Err()
}

// PendingReceipts implements parley.MessageStore.
func (s *SQLite) PendingReceipts(ctx context.Context, peer envelope.Fingerprint, max int) ([]int64, [][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, raw FROM receipt_outbox WHERE peer = ? ORDER BY id LIMIT ?`, peer[:], max)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var keys []int64
	var raws [][]byte
	for rows.Next() {
		var k int64
		var raw []byte
		if err := rows.Scan(&k, &raw); err != nil {
			return nil, nil, err
		}
		keys, raws = append(keys, k), append(raws, raw)
	}
	return keys, raws, rows.Err()
}

// ReceiptsSent implements parley.MessageStore.
func (s *SQLite) ReceiptsSent(ctx context.Context, keys []int64) (err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `DELETE FROM receipt_outbox WHERE id = ?`, k); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// StoreReadReceipts implements parley.MessageStore.
func (s *SQLite) StoreReadReceipts(ctx context.Context, peer envelope.Fingerprint, rs []*envelope.Receipt) (err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	now := time.Now().UnixMilli()
	for i, r := range rs {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE peer = ? AND direction = 'out' AND envelope_id = ? AND seq = ? AND hash = ?`,
			peer[:], r.Envelope[:], int64(r.Seq), r.Hash[:]).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return parley.Errorf(parley.CodeUnknownMessage, i, "receipt names envelope %s, which this node did not send to you", r.Envelope)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO receipts (message_id, type, raw, signed_at, stored_at) VALUES (?, ?, ?, ?, ?)`,
			id, int64(r.Type), r.Raw, ms(r.Time), now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET read_at = COALESCE(read_at, ?) WHERE id = ?`, ms(r.Time), id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Status implements parley.MessageStore.
func (s *SQLite) Status(ctx context.Context) ([]parley.PeerStatus, error) {
	peers, err := s.Peers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]parley.PeerStatus, 0, len(peers))
	for _, p := range peers {
		fp := p.Fingerprint()
		st := parley.PeerStatus{Peer: p}
		var lastDel, lastErrAt sql.NullInt64
		var lastErr sql.NullString
		err := s.db.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM outbox WHERE peer = ?1),
			(SELECT COUNT(*) FROM receipt_outbox WHERE peer = ?1),
			(SELECT COUNT(*) FROM messages WHERE peer = ?1 AND direction = 'in' AND state = 'held'),
			(SELECT COUNT(*) FROM messages WHERE peer = ?1 AND direction = 'out'),
			(SELECT COUNT(*) FROM messages WHERE peer = ?1 AND direction = 'in'),
			last_delivery_at, last_error, last_error_at FROM peers WHERE fingerprint = ?1`, fp[:]).
			Scan(&st.QueueDepth, &st.ReceiptQueue, &st.Held, &st.Sent, &st.Received, &lastDel, &lastErr, &lastErrAt)
		if err != nil {
			return nil, err
		}
		st.LastDelivery, st.LastError, st.LastErrorAt = fromMS(lastDel), lastErr.String, fromMS(lastErrAt)
		out = append(out, st)
	}
	return out, nil
}
