// Package store implements the domain's Store on database/sql, for SQLite
// (modernc.org/sqlite, no cgo; the default) and PostgreSQL (pgx). One
// implementation serves both; the dialect differences (placeholders, row
// locks, outbox claims, writer serialisation) are confined to a few fields
// set by OpenSQLite and OpenPostgres.
//
// Durability: SQLite runs in WAL mode with synchronous=FULL, so a committed
// transaction survives power loss; PostgreSQL commits are durable by its own
// defaults (synchronous_commit=on). Every use case is one transaction.
//
// Concurrency: SQLite has one writer at a time; write transactions begin
// IMMEDIATE and are serialised in process by a mutex, across processes by the
// busy timeout. Only one `serve` delivers from an SQLite file. PostgreSQL
// allows several `serve` processes on one database: sequence numbers are
// allocated under a row lock on the peer, and outbox entries are claimed with
// a lease (FOR UPDATE SKIP LOCKED), so no envelope is sent by two workers at
// once and a dead worker's claims expire.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// DB is a Store on a SQL database.
type DB struct {
	db      *sql.DB
	dialect string // "sqlite" or "postgres"
	// wmu serialises this process's write transactions on SQLite, which
	// allows one writer at a time: waiting on a Go mutex is fair and
	// immediate, where SQLite's busy handler sleeps and retries. Nil on
	// PostgreSQL.
	wmu *sync.Mutex
	// forUpdate locks the rows a transaction reads before writing them:
	// " FOR UPDATE" on PostgreSQL, empty on SQLite (IMMEDIATE transactions
	// already hold the write lock).
	forUpdate string
	// claims: outbox entries are leased to one worker at a time
	// (PostgreSQL, where several serve processes may share a database).
	claims bool
	// perRow ends a correlated EXISTS subquery that must run per row with
	// an index lookup: " OFFSET 0" on PostgreSQL, whose planner otherwise
	// turns it into an anti join that, without statistics on a fresh
	// table, rescans the whole collection per row. Empty on SQLite.
	perRow string
}

var _ parley.Store = (*DB)(nil)

// Dialect returns "sqlite" or "postgres".
func (s *DB) Dialect() string { return s.dialect }

// q rewrites ? placeholders to $1, $2… for PostgreSQL. Queries in this
// package contain no literal question marks.
func (s *DB) q(query string) string {
	if s.dialect != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lock takes the process writer lock where the dialect needs one.
func (s *DB) lock() func() {
	if s.wmu == nil {
		return func() {}
	}
	s.wmu.Lock()
	return s.wmu.Unlock
}

// writeTx is a write transaction holding the writer lock.
type writeTx struct {
	*sql.Tx
	unlock func()
}

// begin starts a write transaction under the writer lock. Pair it with
// `defer tx.end(&err)` in a function whose error result is named err.
func (s *DB) begin(ctx context.Context) (*writeTx, error) {
	unlock := s.lock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		unlock()
		return nil, err
	}
	return &writeTx{Tx: tx, unlock: unlock}, nil
}

// end commits the transaction if *err is nil and rolls it back otherwise,
// then releases the writer lock.
func (t *writeTx) end(err *error) {
	if *err == nil {
		*err = t.Commit()
	} else {
		t.Rollback()
	}
	t.unlock()
}

// exec runs one write statement under the writer lock.
func (s *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	defer s.lock()()
	return s.db.ExecContext(ctx, q, args...)
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// AddPeer implements parley.PeerStore.
func (s *DB) AddPeer(ctx context.Context, p parley.Peer) error {
	fp := p.Fingerprint()
	purpose := p.Purpose
	if purpose == "" {
		purpose = "liaison"
	}
	pol := policyRow(parley.Policy{MaxTLP: p.MaxTLP, Kinds: p.Kinds, RespondWithin: p.RespondWithin})
	_, err := s.exec(ctx, s.q(`INSERT INTO peers (fingerprint, name, url, signing_key, hpke_key, channel_id, added_at, purpose, max_tlp, record_kinds, respond_within)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), fp[:], p.Name, p.URL, p.Identity.SigningKey(), p.Identity.HPKEKey(), p.Channel[:], ms(p.AddedAt), purpose, pol[0], pol[1], pol[2])
	if isUnique(err) {
		return fmt.Errorf("add peer %s: %w", p.Name, parley.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add peer %s: %w", p.Name, err)
	}
	return nil
}

const peerCols = `fingerprint, name, url, signing_key, hpke_key, channel_id, added_at, purpose, max_tlp, record_kinds, respond_within`

func scanPeer(sc interface{ Scan(...any) error }) (parley.Peer, error) {
	var p parley.Peer
	var fp, sk, hk, ch []byte
	var added, within int64
	var tlp, kinds string
	if err := sc.Scan(&fp, &p.Name, &p.URL, &sk, &hk, &ch, &added, &p.Purpose, &tlp, &kinds, &within); err != nil {
		return p, err
	}
	var err error
	if p.MaxTLP, err = stix.ParseTLP(tlp); err != nil {
		return p, fmt.Errorf("stored peer %s: %w", p.Name, err)
	}
	if p.Kinds, err = parley.ParseKinds(kinds); err != nil {
		return p, fmt.Errorf("stored peer %s: %w", p.Name, err)
	}
	p.RespondWithin = time.Duration(within) * time.Second
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

func (s *DB) peerWhere(ctx context.Context, where string, arg any) (parley.Peer, error) {
	p, err := scanPeer(s.db.QueryRowContext(ctx, s.q(`SELECT `+peerCols+` FROM peers WHERE `+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return p, parley.ErrNotFound
	}
	return p, err
}

// PeerByName implements parley.PeerStore.
func (s *DB) PeerByName(ctx context.Context, name string) (parley.Peer, error) {
	return s.peerWhere(ctx, "name = ?", name)
}

// PeerByFingerprint implements parley.PeerStore.
func (s *DB) PeerByFingerprint(ctx context.Context, fp envelope.Fingerprint) (parley.Peer, error) {
	return s.peerWhere(ctx, "fingerprint = ?", fp[:])
}

// Peers implements parley.PeerStore.
func (s *DB) Peers(ctx context.Context) ([]parley.Peer, error) {
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
func (s *DB) Enqueue(ctx context.Context, peer envelope.Fingerprint, flash bool, n int, seal func(uint64) ([]parley.Outgoing, error)) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	return s.enqueueTx(ctx, tx.Tx, peer, flash, n, seal)
}

// recordCount is the number of records the envelopes carry.
func recordCount(outs []parley.Outgoing) int {
	n := 0
	for _, o := range outs {
		n += len(o.Meta.Records)
	}
	return n
}

// enqueueTx allocates n sequence numbers on a lane, seals and stores the
// envelopes with their outbox entries, in tx.
func (s *DB) enqueueTx(ctx context.Context, tx *sql.Tx, peer envelope.Fingerprint, flash bool, n int, seal func(uint64) ([]parley.Outgoing, error)) error {
	counter, lane := "next_out_seq", 0
	if flash {
		counter, lane = "next_out_flash", 1
	}
	var next, added int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT `+counter+`, taxii_out_us FROM peers WHERE fingerprint = ?`+s.forUpdate), peer[:]).Scan(&next, &added); err != nil {
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
	rows := make([][]any, len(outs))
	seqByID := map[envelope.ID]int64{}
	metaByID := map[envelope.ID]*parley.Meta{}
	// Dates added in the outbound collection, in sequence order.
	addedByID := map[envelope.ID]int64{}
	if n := recordCount(outs); n > 0 {
		added = nextAdded(added)
	}
	for i, o := range outs {
		h := o.Env.Header
		if h.Seq != uint64(next)+uint64(i) || h.Recipient != peer || h.Flash != flash {
			panic("store: sealed envelope does not match its allocated sequence number or peer")
		}
		hash := envelope.Hash(o.Wire)
		rows[i] = append([]any{h.ID[:], "out", peer[:], h.Channel[:], lane, int64(h.Seq), int64(h.Kind), ms(h.Time), now, now, parley.StateQueued, o.Wire, hash[:], o.Salt, o.Body}, metaCols(o.Meta)...)
		seqByID[h.ID] = int64(h.Seq)
		metaByID[h.ID] = &outs[i].Meta
		addedByID[h.ID] = added
		added += int64(len(o.Meta.Records))
	}
	var outbox, records [][]any
	err = s.insertRows(ctx, tx, "messages", append([]string{"envelope_id", "direction", "peer", "channel_id", "lane", "seq", "kind", "sent_at", "stored_at", "applied_at", "state", "envelope", "hash", "salt", "body"}, metaColNames...),
		rows, "", "id, envelope_id", func(r *sql.Rows) error {
			var id int64
			var eid []byte
			if err := r.Scan(&id, &eid); err != nil {
				return err
			}
			outbox = append(outbox, []any{id, peer[:], lane, seqByID[envelope.ID(eid)], now})
			records = appendRecords(records, id, peer, parley.Outbound, metaByID[envelope.ID(eid)], addedByID[envelope.ID(eid)])
			return nil
		})
	if err != nil {
		return err
	}
	if err := s.insertRecords(ctx, tx, records); err != nil {
		return err
	}
	if err := s.insertRows(ctx, tx, "outbox", []string{"message_id", "peer", "lane", "seq", "queued_at"}, outbox, "", "", nil); err != nil {
		return err
	}
	entries := make([][32]byte, len(outs))
	for i, o := range outs {
		entries[i] = envelope.Hash(o.Wire)
	}
	if err := s.appendLog(ctx, tx, peer, parley.LogOut+parley.LogID(lane), entries); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE peers SET `+counter+` = ?, taxii_out_us = ? WHERE fingerprint = ?`), next+int64(n), added, peer[:]); err != nil {
		return err
	}
	return nil
}

const msgCols = `m.envelope_id, m.direction, m.peer, p.name, m.channel_id, m.lane, m.seq, m.kind, m.sent_at, m.stored_at,
	m.state, m.envelope, m.hash, m.salt, m.body, m.delivered_at, m.read_at, m.refusal`

func scanMessage(sc interface{ Scan(...any) error }) (parley.Message, error) {
	var m parley.Message
	var id, fp, ch, hash []byte
	var lane, seq, kind, sent, stored int64
	var dir string
	var delivered, read, refusal sql.NullInt64
	if err := sc.Scan(&id, &dir, &fp, &m.PeerName, &ch, &lane, &seq, &kind, &sent, &stored, &m.State, &m.Envelope, &hash, &m.Salt, &m.Body, &delivered, &read, &refusal); err != nil {
		return m, err
	}
	m.Refusal = envelope.Reason(refusal.Int64)
	copy(m.ID[:], id)
	copy(m.Peer[:], fp)
	copy(m.Channel[:], ch)
	copy(m.Hash[:], hash)
	m.Direction = parley.Direction(dir)
	m.Seq, m.Kind, m.Flash = uint64(seq), envelope.Kind(kind), lane == 1
	m.SentAt, m.StoredAt = time.UnixMilli(sent).UTC(), time.UnixMilli(stored).UTC()
	m.DeliveredAt, m.ReadAt = fromMS(delivered), fromMS(read)
	return m, nil
}

// Claim implements parley.OutboxStore.
func (s *DB) Claim(ctx context.Context, peer envelope.Fingerprint, flash bool, max, maxBytes int, lease time.Duration) (msgs []parley.Message, err error) {
	lane := 0
	if flash {
		lane = 1
	}
	// Without claims (SQLite: one delivering process) this is a plain read;
	// with claims it is a write transaction that leases what it read.
	var qr interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	} = s.db
	var tx *writeTx
	if s.claims {
		if tx, err = s.begin(ctx); err != nil {
			return nil, err
		}
		defer tx.end(&err)
		qr = tx
	}
	now := time.Now().UnixMilli()
	q := `SELECT ` + msgCols + ` FROM outbox o JOIN messages m ON m.id = o.message_id
		JOIN peers p ON p.fingerprint = m.peer WHERE o.peer = ? AND o.lane = ?`
	args := []any{peer[:], lane}
	if s.claims {
		q += ` AND (o.claimed_until IS NULL OR o.claimed_until < ?) ORDER BY o.seq LIMIT ? FOR UPDATE OF o SKIP LOCKED`
		args = append(args, now, max)
	} else {
		q += ` ORDER BY o.seq LIMIT ?`
		args = append(args, max)
	}
	rows, err := qr.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, err
	}
	size := 0
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if len(msgs) > 0 && size+len(m.Envelope) > maxBytes {
			break
		}
		size += len(m.Envelope)
		msgs = append(msgs, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s.claims && len(msgs) > 0 {
		ids := make([]any, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID[:]
		}
		if err := s.execIn(ctx, tx.Tx, `UPDATE outbox SET claimed_until = ? WHERE message_id IN (SELECT id FROM messages WHERE peer = ? AND direction = 'out' AND envelope_id IN IN_LIST)`,
			[]any{now + lease.Milliseconds(), peer[:]}, ids); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// Release implements parley.OutboxStore.
func (s *DB) Release(ctx context.Context, peer envelope.Fingerprint, ids []envelope.ID) error {
	if !s.claims {
		return nil
	}
	for _, id := range ids {
		if _, err := s.exec(ctx, s.q(`UPDATE outbox SET claimed_until = NULL WHERE message_id = (SELECT id FROM messages WHERE peer = ? AND direction = 'out' AND envelope_id = ?)`),
			peer[:], id[:]); err != nil {
			return err
		}
	}
	return nil
}

// Acknowledge implements parley.OutboxStore.
func (s *DB) Acknowledge(ctx context.Context, peer envelope.Fingerprint, rs []*envelope.Receipt) (err error) {
	if len(rs) == 0 {
		return nil
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	type sent struct {
		id   int64
		seq  uint64
		hash []byte
	}
	found := map[envelope.ID]sent{}
	eids := make([]any, len(rs))
	for i, r := range rs {
		eids[i] = r.Envelope[:]
	}
	err = s.queryIn(ctx, tx.Tx, `SELECT id, envelope_id, seq, hash FROM messages WHERE peer = ? AND direction = 'out' AND envelope_id IN IN_LIST`,
		[]any{peer[:]}, eids, func(r *sql.Rows) error {
			var x sent
			var eid []byte
			var seq int64
			if err := r.Scan(&x.id, &eid, &seq, &x.hash); err != nil {
				return err
			}
			x.seq = uint64(seq)
			found[envelope.ID(eid)] = x
			return nil
		})
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	var receipts [][]any
	var ids []any
	for _, r := range rs {
		x, ok := found[r.Envelope]
		if !ok || x.seq != r.Seq || string(x.hash) != string(r.Hash[:]) {
			return parley.Errorf(parley.CodeUnknownMessage, -1, "receipt names envelope %s, which was not sent to this peer", r.Envelope)
		}
		receipts = append(receipts, []any{x.id, int64(r.Type), r.Raw, ms(r.Time), now})
		ids = append(ids, x.id)
	}
	if err := s.insertRows(ctx, tx.Tx, "receipts", []string{"message_id", "type", "raw", "signed_at", "stored_at"}, receipts, " ON CONFLICT DO NOTHING", "", nil); err != nil {
		return err
	}
	if err := s.execIn(ctx, tx.Tx, `UPDATE messages SET state = 'delivered', delivered_at = COALESCE(delivered_at, ?) WHERE id IN IN_LIST`, []any{now}, ids); err != nil {
		return err
	}
	for _, r := range rs {
		if r.Type == envelope.Refused {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE messages SET refusal = ? WHERE id = ?`), int64(r.Reason), found[r.Envelope].id); err != nil {
				return err
			}
			// What the peer refused leaves the outbound collection.
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE records SET added_us = NULL WHERE message_id = ?`), found[r.Envelope].id); err != nil {
				return err
			}
		}
	}
	if err := s.appendTheirReceipts(ctx, tx.Tx, peer); err != nil {
		return err
	}
	if err := s.execIn(ctx, tx.Tx, `DELETE FROM outbox WHERE message_id IN IN_LIST`, nil, ids); err != nil {
		return err
	}
	return nil
}

// RecordAttempt implements parley.OutboxStore.
func (s *DB) RecordAttempt(ctx context.Context, peer envelope.Fingerprint, at time.Time, attemptErr error) error {
	var err error
	if attemptErr == nil {
		_, err = s.exec(ctx, s.q(`UPDATE peers SET last_delivery_at = ?, last_error = NULL, last_error_at = NULL WHERE fingerprint = ?`), ms(at), peer[:])
	} else {
		_, err = s.exec(ctx, s.q(`UPDATE peers SET last_error = ?, last_error_at = ? WHERE fingerprint = ?`), attemptErr.Error(), ms(at), peer[:])
	}
	return err
}

// Receive implements parley.InboxStore.
func (s *DB) Receive(ctx context.Context, peer envelope.Fingerprint, window uint64, in []parley.Incoming) (res []parley.Result, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end(&err)
	// Lock the peer row first: it serialises receivers of one peer.
	var nextNormal, nextFlash, added int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT next_in_seq, next_in_flash, taxii_in_us FROM peers WHERE fingerprint = ?`+s.forUpdate), peer[:]).Scan(&nextNormal, &nextFlash, &added); err != nil {
		return nil, err
	}
	addedBefore := added
	res = make([]parley.Result, len(in))
	for lane, next := range []int64{nextNormal, nextFlash} {
		var idx []int
		for i, x := range in {
			if x.Env.Header.Flash == (lane == 1) {
				idx = append(idx, i)
			}
		}
		if len(idx) > 0 {
			if err := s.receiveLane(ctx, tx.Tx, peer, lane, next, window, in, idx, res, &added); err != nil {
				return nil, err
			}
		}
	}
	if added != addedBefore {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE peers SET taxii_in_us = ? WHERE fingerprint = ?`), added, peer[:]); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// receiveLane stores the items in[idx] of one lane, whose next expected
// sequence number is next, and fills res at the same indexes. *added is
// the next free date_added of the peer's inbound collection.
func (s *DB) receiveLane(ctx context.Context, tx *sql.Tx, peer envelope.Fingerprint, lane int, next int64, window uint64, in []parley.Incoming, idx []int, res []parley.Result, added *int64) error {
	// What is already stored under these envelope ids or sequence numbers.
	type stored struct {
		id   int64
		eid  envelope.ID
		hash []byte
	}
	byID, bySeq := map[envelope.ID]stored{}, map[uint64]stored{}
	eids, seqs := make([]any, len(idx)), make([]any, len(idx))
	for k, i := range idx {
		eids[k], seqs[k] = in[i].Env.Header.ID[:], int64(in[i].Env.Header.Seq)
	}
	scan := func(r *sql.Rows) error {
		var st stored
		var eid []byte
		var seq, l int64
		if err := r.Scan(&st.id, &eid, &seq, &l, &st.hash); err != nil {
			return err
		}
		st.eid = envelope.ID(eid)
		byID[st.eid] = st
		if l == int64(lane) {
			bySeq[uint64(seq)] = st
		}
		return nil
	}
	const lookup = `SELECT id, envelope_id, seq, lane, hash FROM messages WHERE peer = ? AND direction = 'in' AND `
	if err := s.queryIn(ctx, tx, lookup+`envelope_id IN IN_LIST`, []any{peer[:]}, eids, scan); err != nil {
		return err
	}
	if err := s.queryIn(ctx, tx, lookup+`lane = ? AND seq IN IN_LIST`, []any{peer[:], lane}, seqs, scan); err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	var newRows [][]any
	receiptFor := map[envelope.ID]*envelope.Receipt{}
	metaByID := map[envelope.ID]*parley.Meta{}
	var dupIDs []any
	dupIndex := map[int64][]int{}
	for _, i := range idx {
		x := in[i]
		h := x.Env.Header
		hash := envelope.Hash(x.Wire)
		if st, ok := byID[h.ID]; ok {
			if string(st.hash) != string(hash[:]) {
				return parley.Errorf(parley.CodeEnvelopeConflict, i, "envelope id %s was already used for different bytes", h.ID)
			}
			res[i].Status = "duplicate"
			if st.id > 0 {
				dupIDs = append(dupIDs, st.id)
				dupIndex[st.id] = append(dupIndex[st.id], i)
			} else { // repeated within this batch: same receipt as its first copy
				res[i].Receipt = receiptFor[h.ID].Raw
			}
			continue
		}
		if _, taken := bySeq[h.Seq]; taken || h.Seq < uint64(next) {
			return parley.Errorf(parley.CodeSequenceReused, i, "sequence number %d was already used by another envelope (replay?)", h.Seq)
		}
		if h.Seq >= uint64(next)+window {
			return parley.Errorf(parley.CodeSequenceWindow, i, "sequence number %d is too far ahead of the next expected %d (window %d)", h.Seq, next, window)
		}
		st := stored{eid: h.ID, hash: hash[:]}
		byID[h.ID], bySeq[h.Seq] = st, st
		receiptFor[h.ID] = x.Receipt
		newRows = append(newRows, append([]any{h.ID[:], "in", peer[:], h.Channel[:], lane, int64(h.Seq), int64(h.Kind), ms(h.Time), now, parley.StateHeld, x.Wire, hash[:], x.Salt, x.Body}, metaCols(x.Meta)...))
		metaByID[h.ID] = &in[i].Meta
		res[i] = parley.Result{Receipt: x.Receipt.Raw}
	}
	if len(dupIDs) > 0 {
		err := s.queryIn(ctx, tx, `SELECT message_id, raw FROM receipts WHERE type IN (1, 3) AND message_id IN IN_LIST`, nil, dupIDs, func(r *sql.Rows) error {
			var id int64
			var raw []byte
			if err := r.Scan(&id, &raw); err != nil {
				return err
			}
			for _, i := range dupIndex[id] {
				res[i].Receipt = raw
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range dupIDs {
			for _, i := range dupIndex[id.(int64)] {
				if res[i].Receipt == nil {
					return fmt.Errorf("duplicate envelope %s has no stored receipt", in[i].Env.Header.ID)
				}
			}
		}
	}
	var receipts, records, hits [][]any
	err := s.insertRows(ctx, tx, "messages", append([]string{"envelope_id", "direction", "peer", "channel_id", "lane", "seq", "kind", "sent_at", "stored_at", "state", "envelope", "hash", "salt", "body"}, metaColNames...),
		newRows, "", "id, envelope_id", func(r *sql.Rows) error {
			var id int64
			var eid []byte
			if err := r.Scan(&id, &eid); err != nil {
				return err
			}
			rc := receiptFor[envelope.ID(eid)]
			receipts = append(receipts, []any{id, int64(rc.Type), rc.Raw, ms(rc.Time), now})
			records = appendRecords(records, id, peer, parley.Inbound, metaByID[envelope.ID(eid)], -1)
			hits = appendHits(hits, id, metaByID[envelope.ID(eid)])
			return nil
		})
	if err != nil {
		return err
	}
	if err := s.insertRecords(ctx, tx, records); err != nil {
		return err
	}
	if err := s.insertHits(ctx, tx, hits); err != nil {
		return err
	}
	var reads []*envelope.Receipt
	for _, i := range idx {
		if res[i].Status == "" && in[i].Meta.ReadReceipt != nil && in[i].Meta.Refusal == nil {
			reads = append(reads, in[i].Meta.ReadReceipt)
		}
	}
	if err := s.storeReadReceipts(ctx, tx, peer, reads); err != nil {
		return err
	}
	if err := s.insertRows(ctx, tx, "receipts", []string{"message_id", "type", "raw", "signed_at", "stored_at"}, receipts, "", "", nil); err != nil {
		return err
	}
	// Apply held envelopes in sequence order while there is no gap.
	newNext := next
	rows, err := tx.QueryContext(ctx, s.q(`SELECT seq FROM messages WHERE peer = ? AND direction = 'in' AND lane = ? AND state = 'held' AND seq >= ? ORDER BY seq`), peer[:], lane, next)
	if err != nil {
		return err
	}
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return err
		}
		if seq != newNext {
			break
		}
		newNext++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if newNext != next {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE messages SET state = 'applied', applied_at = ? WHERE peer = ? AND direction = 'in' AND lane = ? AND state = 'held' AND seq >= ? AND seq < ?`),
			now, peer[:], lane, next, newNext); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE peers SET `+[]string{"next_in_seq", "next_in_flash"}[lane]+` = ? WHERE fingerprint = ?`), newNext, peer[:]); err != nil {
			return err
		}
		if err := s.appendApplied(ctx, tx, peer, lane, next, newNext); err != nil {
			return err
		}
		if err := s.showApplied(ctx, tx, peer, lane, next, newNext, added); err != nil {
			return err
		}
	}
	for _, i := range idx {
		x := in[i]
		if res[i].Status == "" {
			if x.Env.Header.Seq < uint64(newNext) {
				res[i].Status = "stored"
			} else {
				res[i].Status = "held"
			}
		}
	}
	return nil
}

// Message implements parley.MessageStore.
func (s *DB) Message(ctx context.Context, id envelope.ID) (parley.Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, s.q(`SELECT `+msgCols+` FROM messages m JOIN peers p ON p.fingerprint = m.peer
		WHERE m.envelope_id = ? ORDER BY m.direction = 'in' DESC LIMIT 1`), id[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return m, parley.ErrNotFound
	}
	return m, err
}

// Messages implements parley.MessageStore.
func (s *DB) Messages(ctx context.Context, f parley.Filter) ([]parley.Message, error) {
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
	if !f.Receipts {
		where = append(where, "m.kind <> 5")
	}
	if f.Unread {
		where = append(where, "m.read_at IS NULL AND m.refusal IS NULL")
	}
	if !f.Since.IsZero() {
		where = append(where, "m.applied_at >= ?")
		args = append(args, ms(f.Since))
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
	q += " ORDER BY m.applied_at IS NULL, m.applied_at, m.peer, m.direction, m.lane, m.seq"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
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
func (s *DB) MarkRead(ctx context.Context, id envelope.ID, at time.Time, r *envelope.Receipt, seal func(seq uint64) (parley.Outgoing, error)) (ok bool, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.end(&err)
	var rowid, lane int64
	err = tx.QueryRowContext(ctx, s.q(`SELECT id, lane FROM messages WHERE envelope_id = ? AND direction = 'in' AND peer = ?`), id[:], r.Sender[:]).Scan(&rowid, &lane)
	if errors.Is(err, sql.ErrNoRows) {
		return false, parley.ErrNotFound
	} else if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL`), ms(at), rowid)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO receipts (message_id, type, raw, signed_at, stored_at) VALUES (?, 2, ?, ?, ?)`), rowid, r.Raw, ms(r.Time), ms(at)); err != nil {
		return false, err
	}
	// The read receipt travels as an envelope on the lane of what was read.
	err = s.enqueueTx(ctx, tx.Tx, r.Sender, lane == 1, 1, func(seq uint64) ([]parley.Outgoing, error) {
		o, err := seal(seq)
		return []parley.Outgoing{o}, err
	})
	return err == nil, err
}

// Receipts implements parley.MessageStore.
func (s *DB) Receipts(ctx context.Context, peer envelope.Fingerprint, dir parley.Direction, id envelope.ID) (map[envelope.ReceiptType]*envelope.Receipt, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT r.raw FROM receipts r JOIN messages m ON m.id = r.message_id
		WHERE m.peer = ? AND m.direction = ? AND m.envelope_id = ?`), peer[:], string(dir), id[:])
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

// storeReadReceipts stores verified read receipts for envelopes this node
// sent to peer and marks them read, in tx. Idempotent.
func (s *DB) storeReadReceipts(ctx context.Context, tx *sql.Tx, peer envelope.Fingerprint, rs []*envelope.Receipt) error {
	now := time.Now().UnixMilli()
	for i, r := range rs {
		var id int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM messages WHERE peer = ? AND direction = 'out' AND envelope_id = ? AND seq = ? AND hash = ?`),
			peer[:], r.Envelope[:], int64(r.Seq), r.Hash[:]).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return parley.Errorf(parley.CodeUnknownMessage, i, "read receipt names envelope %s, which this node did not send to you", r.Envelope)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO receipts (message_id, type, raw, signed_at, stored_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			id, int64(r.Type), r.Raw, ms(r.Time), now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE messages SET read_at = COALESCE(read_at, ?) WHERE id = ?`), ms(r.Time), id); err != nil {
			return err
		}
	}
	return nil
}

// Status implements parley.MessageStore.
func (s *DB) Status(ctx context.Context) ([]parley.PeerStatus, error) {
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
		err := s.db.QueryRowContext(ctx, s.q(`SELECT
			(SELECT COUNT(*) FROM outbox WHERE peer = ?),
			(SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.peer = ? AND m.kind = 5),
			(SELECT COUNT(*) FROM messages WHERE peer = ? AND direction = 'in' AND state = 'held'),
			(SELECT COUNT(*) FROM messages WHERE peer = ? AND direction = 'out' AND kind <> 5),
			(SELECT COUNT(*) FROM messages WHERE peer = ? AND direction = 'in' AND kind <> 5),
			last_delivery_at, last_error, last_error_at FROM peers WHERE fingerprint = ?`), fp[:], fp[:], fp[:], fp[:], fp[:], fp[:]).
			Scan(&st.QueueDepth, &st.ReceiptQueue, &st.Held, &st.Sent, &st.Received, &lastDel, &lastErr, &lastErrAt)
		if err != nil {
			return nil, err
		}
		st.LastDelivery, st.LastError, st.LastErrorAt = fromMS(lastDel), lastErr.String, fromMS(lastErrAt)
		out = append(out, st)
	}
	return out, nil
}

// KnownEnvelopes implements parley.InboxStore.
func (s *DB) KnownEnvelopes(ctx context.Context, peer envelope.Fingerprint, ids []envelope.ID) (map[envelope.ID][32]byte, error) {
	out := map[envelope.ID][32]byte{}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id[:]
	}
	err := s.queryIn(ctx, s.db, `SELECT envelope_id, hash FROM messages WHERE peer = ? AND direction = 'in' AND envelope_id IN IN_LIST`,
		[]any{peer[:]}, args, func(r *sql.Rows) error {
			var id, h []byte
			if err := r.Scan(&id, &h); err != nil {
				return err
			}
			if len(h) == 32 {
				out[envelope.ID(id)] = [32]byte(h)
			}
			return nil
		})
	return out, err
}
