package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/transcript"
)

// hashReader reads a log's stored hashes through q (a transaction or the
// database).
type hashReader struct {
	ctx  context.Context
	s    *DB
	q    querier
	peer envelope.Fingerprint
	log  parley.LogID
}

// ReadHashes implements tlog.HashReader.
func (r hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	ids := make([]any, len(indexes))
	for i, x := range indexes {
		ids[i] = x
	}
	got := make(map[int64]tlog.Hash, len(indexes))
	err := r.s.queryIn(r.ctx, r.q, `SELECT idx, hash FROM log_hashes WHERE peer = ? AND log = ? AND idx IN IN_LIST`,
		[]any{r.peer[:], int64(r.log)}, ids, func(rows *sql.Rows) error {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				return err
			}
			if len(h) != tlog.HashSize {
				return fmt.Errorf("log %s: stored hash %d has %d bytes", r.log, idx, len(h))
			}
			got[idx] = tlog.Hash(h)
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := got[x]
		if !ok {
			return nil, fmt.Errorf("log %s: stored hash %d is missing", r.log, x)
		}
		out[i] = h
	}
	return out, nil
}

// logSize returns the size of a log, 0 if it has none yet.
func (s *DB) logSize(ctx context.Context, q querier, peer envelope.Fingerprint, log parley.LogID) (int64, error) {
	var n int64
	rows, err := q.QueryContext(ctx, s.q(`SELECT size FROM logs WHERE peer = ? AND log = ?`), peer[:], int64(log))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// appendLog appends entries to a log in tx: the stored hashes and the new
// size. Every transaction that stores an envelope or a receipt appends it
// to its log, so the logs are exactly as durable as what they cover.
func (s *DB) appendLog(ctx context.Context, tx *sql.Tx, peer envelope.Fingerprint, log parley.LogID, entries [][32]byte) error {
	if len(entries) == 0 {
		return nil
	}
	n, err := s.logSize(ctx, tx, peer, log)
	if err != nil {
		return err
	}
	r, err := frontier(n, hashReader{ctx, s, tx, peer, log})
	if err != nil {
		return err
	}
	a := transcript.NewAppender(n, r)
	for _, e := range entries {
		if err := a.Append(e); err != nil {
			return fmt.Errorf("log %s: %w", log, err)
		}
	}
	stored := a.Stored()
	rows := make([][]any, len(stored))
	for i, st := range stored {
		rows[i] = []any{peer[:], int64(log), st.Index, st.Hash[:]}
	}
	if err := s.insertRows(ctx, tx, "log_hashes", []string{"peer", "log", "idx", "hash"}, rows, "", "", nil); err != nil {
		return err
	}
	if n == 0 {
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO logs (peer, log, size) VALUES (?, ?, ?)`), peer[:], int64(log), a.Size())
	} else {
		_, err = tx.ExecContext(ctx, s.q(`UPDATE logs SET size = ? WHERE peer = ? AND log = ?`), a.Size(), peer[:], int64(log))
	}
	return err
}

// frontier returns a reader that serves from memory the hashes appends to a
// log of size n read: the roots of the complete subtrees along the tree's
// right edge, one per bit set in n, read in one query.
func frontier(n int64, r tlog.HashReader) (tlog.HashReader, error) {
	var idx []int64
	for level := 0; n>>level > 0; level++ {
		if (n>>level)&1 == 1 {
			idx = append(idx, tlog.StoredHashIndex(level, (n>>level)-1))
		}
	}
	hs, err := r.ReadHashes(idx)
	if err != nil {
		return nil, err
	}
	c := cachedReader{m: make(map[int64]tlog.Hash, len(idx)), next: r}
	for i, x := range idx {
		c.m[x] = hs[i]
	}
	return c, nil
}

// cachedReader serves the hashes it holds and reads the others from next.
type cachedReader struct {
	m    map[int64]tlog.Hash
	next tlog.HashReader
}

func (c cachedReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var miss []int64
	for i, x := range indexes {
		h, ok := c.m[x]
		if !ok {
			miss = append(miss, x)
			continue
		}
		out[i] = h
	}
	if len(miss) == 0 {
		return out, nil
	}
	got, err := c.next.ReadHashes(miss)
	if err != nil {
		return nil, err
	}
	for i, x := range miss {
		c.m[x] = got[i]
	}
	for i, x := range indexes {
		out[i] = c.m[x]
	}
	return out, nil
}

// receiptEntry is a receipt's log entry.
func receiptEntry(raw []byte) [32]byte { return sha256.Sum256(raw) }

// appendApplied appends what the inbound envelopes of a lane applied in tx
// (sequence numbers from, to exclusive) add to the logs: the envelopes to
// LogIn and this node's receipts for them to LogOurReceipts.
func (s *DB) appendApplied(ctx context.Context, tx *sql.Tx, peer envelope.Fingerprint, lane int, from, to int64) error {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT m.seq, m.hash, r.raw FROM messages m JOIN receipts r ON r.message_id = m.id AND r.type IN (1, 3)
		WHERE m.peer = ? AND m.direction = 'in' AND m.lane = ? AND m.seq >= ? AND m.seq < ? ORDER BY m.seq`), peer[:], lane, from, to)
	if err != nil {
		return err
	}
	var envs, rcpts [][32]byte
	want := from
	for rows.Next() {
		var seq int64
		var hash, raw []byte
		if err := rows.Scan(&seq, &hash, &raw); err != nil {
			rows.Close()
			return err
		}
		if seq != want || len(hash) != 32 {
			rows.Close()
			return fmt.Errorf("applying sequence %d on lane %d: found %d", want, lane, seq)
		}
		want++
		envs, rcpts = append(envs, [32]byte(hash)), append(rcpts, receiptEntry(raw))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if want != to {
		return fmt.Errorf("applying sequences %d–%d on lane %d: only up to %d stored with receipts", from, to-1, lane, want-1)
	}
	if err := s.appendLog(ctx, tx, peer, parley.LogIn+parley.LogID(lane), envs); err != nil {
		return err
	}
	return s.appendLog(ctx, tx, peer, parley.LogOurReceipts+parley.LogID(lane), rcpts)
}

// appendTheirReceipts appends to LogTheirReceipts (each lane) the peer's
// receipts for our envelopes that now form a contiguous prefix.
func (s *DB) appendTheirReceipts(ctx context.Context, tx *sql.Tx, peer envelope.Fingerprint) error {
	// Serialise with other processes acknowledging for this peer.
	var one int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM peers WHERE fingerprint = ?`+s.forUpdate), peer[:]).Scan(&one); err != nil {
		return err
	}
	for lane := range 2 {
		log := parley.LogTheirReceipts + parley.LogID(lane)
		n, err := s.logSize(ctx, tx, peer, log)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT m.seq, r.raw FROM messages m JOIN receipts r ON r.message_id = m.id AND r.type IN (1, 3)
			WHERE m.peer = ? AND m.direction = 'out' AND m.lane = ? AND m.seq > ? ORDER BY m.seq`), peer[:], lane, n)
		if err != nil {
			return err
		}
		var entries [][32]byte
		want := n + 1
		for rows.Next() {
			var seq int64
			var raw []byte
			if err := rows.Scan(&seq, &raw); err != nil {
				rows.Close()
				return err
			}
			if seq != want {
				break
			}
			want++
			entries = append(entries, receiptEntry(raw))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.appendLog(ctx, tx, peer, log, entries); err != nil {
			return err
		}
	}
	return nil
}

// LogSize implements parley.TranscriptStore.
func (s *DB) LogSize(ctx context.Context, peer envelope.Fingerprint, log parley.LogID) (int64, error) {
	return s.logSize(ctx, s.db, peer, log)
}

// LogHashes implements parley.TranscriptStore: a reader of the log's stored
// hashes.
func (s *DB) LogHashes(ctx context.Context, peer envelope.Fingerprint, log parley.LogID) tlog.HashReader {
	return hashReader{ctx, s, s.db, peer, log}
}

// DeliveredPrefix implements parley.TranscriptStore.
func (s *DB) DeliveredPrefix(ctx context.Context, peer envelope.Fingerprint, lane int) (int64, error) {
	var firstQueued sql.NullInt64
	var next int64
	counter := []string{"next_out_seq", "next_out_flash"}[lane]
	err := s.db.QueryRowContext(ctx, s.q(`SELECT
		(SELECT MIN(seq) FROM messages WHERE peer = ? AND direction = 'out' AND lane = ? AND state = 'queued'),
		`+counter+` FROM peers WHERE fingerprint = ?`), peer[:], lane, peer[:]).Scan(&firstQueued, &next)
	if err != nil {
		return 0, err
	}
	if firstQueued.Valid {
		return firstQueued.Int64 - 1, nil
	}
	return next - 1, nil
}

// SaveCheckpoint implements parley.TranscriptStore.
func (s *DB) SaveCheckpoint(ctx context.Context, c parley.StoredCheckpoint) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM checkpoints WHERE peer = ? AND log = ? AND size = ?`), c.Peer[:], int64(c.Log), c.Size); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO checkpoints (peer, log, size, root, note, cosigned, at) VALUES (?, ?, ?, ?, ?, 1, ?)`),
		c.Peer[:], int64(c.Log), c.Size, c.Root[:], c.Note, ms(c.At))
	return err
}

const checkpointCols = `peer, log, size, root, note, at`

func scanCheckpoint(sc interface{ Scan(...any) error }) (parley.StoredCheckpoint, error) {
	var c parley.StoredCheckpoint
	var fp, root []byte
	var log, at int64
	if err := sc.Scan(&fp, &log, &c.Size, &root, &c.Note, &at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, parley.ErrNotFound
		}
		return c, err
	}
	if len(root) != tlog.HashSize {
		return c, fmt.Errorf("stored checkpoint root has %d bytes", len(root))
	}
	copy(c.Peer[:], fp)
	c.Log, c.Root, c.At = parley.LogID(log), tlog.Hash(root), time.UnixMilli(at).UTC()
	return c, nil
}

// LatestCheckpoint implements parley.TranscriptStore.
func (s *DB) LatestCheckpoint(ctx context.Context, peer envelope.Fingerprint, log parley.LogID) (parley.StoredCheckpoint, error) {
	return scanCheckpoint(s.db.QueryRowContext(ctx, s.q(`SELECT `+checkpointCols+` FROM checkpoints WHERE peer = ? AND log = ? ORDER BY size DESC LIMIT 1`), peer[:], int64(log)))
}

// CheckpointCovering implements parley.TranscriptStore.
func (s *DB) CheckpointCovering(ctx context.Context, peer envelope.Fingerprint, log parley.LogID, size int64) (parley.StoredCheckpoint, error) {
	return scanCheckpoint(s.db.QueryRowContext(ctx, s.q(`SELECT `+checkpointCols+` FROM checkpoints WHERE peer = ? AND log = ? AND size >= ? ORDER BY size LIMIT 1`), peer[:], int64(log), size))
}

// Checkpoints lists every stored checkpoint, by peer, log and size (for audits).
func (s *DB) Checkpoints(ctx context.Context) ([]parley.StoredCheckpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+checkpointCols+` FROM checkpoints ORDER BY peer, log, size`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.StoredCheckpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddEvidence implements parley.TranscriptStore.
func (s *DB) AddEvidence(ctx context.Context, e parley.Evidence) error {
	_, err := s.exec(ctx, s.q(`INSERT INTO evidence (peer, log, kind, data, detail, at) VALUES (?, ?, ?, ?, ?, ?)`),
		e.Peer[:], int64(e.Log), e.Kind, e.Data, e.Detail, ms(e.At))
	return err
}

// Evidence implements parley.TranscriptStore.
func (s *DB) Evidence(ctx context.Context) ([]parley.Evidence, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, peer, log, kind, data, detail, at FROM evidence ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Evidence
	for rows.Next() {
		var e parley.Evidence
		var fp []byte
		var log, at int64
		if err := rows.Scan(&e.ID, &fp, &log, &e.Kind, &e.Data, &e.Detail, &at); err != nil {
			return nil, err
		}
		copy(e.Peer[:], fp)
		e.Log, e.At = parley.LogID(log), time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReceiptEnvelope implements parley.TranscriptStore.
func (s *DB) ReceiptEnvelope(ctx context.Context, peer envelope.Fingerprint, dir parley.Direction, raw []byte) (parley.Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, s.q(`SELECT `+msgCols+` FROM messages m JOIN peers p ON p.fingerprint = m.peer
		WHERE m.peer = ? AND m.direction = ? AND m.kind = 5 AND m.body = ? LIMIT 1`), peer[:], string(dir), raw))
	if errors.Is(err, sql.ErrNoRows) {
		return m, parley.ErrNotFound
	}
	return m, err
}

// LogSources implements parley.AuditStore.
func (s *DB) LogSources(ctx context.Context, peer envelope.Fingerprint, log parley.LogID, from uint64, limit int) ([]parley.LogSource, error) {
	lane := log.Lane()
	var q string
	switch log {
	case parley.LogOut, parley.LogOutFlash:
		q = `SELECT m.seq, m.envelope, m.hash FROM messages m WHERE m.peer = ? AND m.direction = 'out' AND m.lane = ? AND m.seq >= ? ORDER BY m.seq LIMIT ?`
	case parley.LogIn, parley.LogInFlash:
		q = `SELECT m.seq, m.envelope, m.hash FROM messages m WHERE m.peer = ? AND m.direction = 'in' AND m.lane = ? AND m.state = 'applied' AND m.seq >= ? ORDER BY m.seq LIMIT ?`
	case parley.LogOurReceipts, parley.LogOurReceiptsFlash, parley.LogTheirReceipts, parley.LogTheirReceiptsFlash:
		cond := "m.direction = 'in' AND m.state = 'applied'"
		if log >= parley.LogTheirReceipts {
			cond = "m.direction = 'out'"
		}
		q = `SELECT m.seq, r.raw, m.hash FROM messages m JOIN receipts r ON r.message_id = m.id AND r.type IN (1, 3)
			WHERE m.peer = ? AND ` + cond + ` AND m.lane = ? AND m.seq >= ? ORDER BY m.seq LIMIT ?`
	default:
		return nil, fmt.Errorf("no log %d", log)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q), peer[:], lane, int64(from), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.LogSource
	for rows.Next() {
		var src parley.LogSource
		var seq int64
		var hash []byte
		if err := rows.Scan(&seq, &src.Raw, &hash); err != nil {
			return nil, err
		}
		src.Seq = uint64(seq)
		copy(src.Hash[:], hash)
		out = append(out, src)
	}
	return out, rows.Err()
}

// AppendEntries appends entries to a log in one transaction, as storing
// envelopes does; for benchmarks and tools.
func (s *DB) AppendEntries(ctx context.Context, peer envelope.Fingerprint, log parley.LogID, entries [][32]byte) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	return s.appendLog(ctx, tx.Tx, peer, log, entries)
}

// Size is the database's size in bytes (SQLite: pages in use, after a WAL
// checkpoint; PostgreSQL: pg_database_size).
func (s *DB) Size(ctx context.Context) (int64, error) {
	var n int64
	if s.dialect == "postgres" {
		err := s.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
		return n, err
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, err
	}
	var pages, free, size int64
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return 0, err
	}
	return (pages - free) * size, nil
}

// Responses implements parley.TranscriptStore.
func (s *DB) Responses(ctx context.Context, peer envelope.Fingerprint, dir parley.Direction, id envelope.ID) ([]parley.Message, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+msgCols+` FROM messages m JOIN peers p ON p.fingerprint = m.peer
		WHERE m.peer = ? AND m.direction = ? AND m.kind = 4 AND m.in_reply_to = ? AND `+countedAs("m")+` ORDER BY m.seq`), peer[:], string(dir), id[:])
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

// backfillLogs builds the transcript logs of a store that kept messages
// before it had logs (migration 0006), in tx: each log gets the entries it
// would have had if it had been appended all along.
func (s *DB) backfillLogs(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT fingerprint, next_in_seq, next_in_flash FROM peers`)
	if err != nil {
		return err
	}
	type peerNext struct {
		fp   envelope.Fingerprint
		next [2]int64
	}
	var peers []peerNext
	for rows.Next() {
		var fp []byte
		var p peerNext
		if err := rows.Scan(&fp, &p.next[0], &p.next[1]); err != nil {
			rows.Close()
			return err
		}
		copy(p.fp[:], fp)
		peers = append(peers, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range peers {
		for lane := range 2 {
			var entries [][32]byte
			r, err := tx.QueryContext(ctx, s.q(`SELECT envelope FROM messages WHERE peer = ? AND direction = 'out' AND lane = ? ORDER BY seq`), p.fp[:], lane)
			if err != nil {
				return err
			}
			for r.Next() {
				var wire []byte
				if err := r.Scan(&wire); err != nil {
					r.Close()
					return err
				}
				entries = append(entries, envelope.Hash(wire))
			}
			r.Close()
			if err := r.Err(); err != nil {
				return err
			}
			if err := s.appendLog(ctx, tx, p.fp, parley.LogOut+parley.LogID(lane), entries); err != nil {
				return err
			}
			if p.next[lane] > 1 {
				if err := s.appendApplied(ctx, tx, p.fp, lane, 1, p.next[lane]); err != nil {
					return err
				}
			}
		}
		if err := s.appendTheirReceipts(ctx, tx, p.fp); err != nil {
			return err
		}
	}
	return nil
}
