package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/match"
	"github.com/parley-dev/parley/internal/parley"
)

func appendHits(rows [][]any, id int64, m *parley.Meta) [][]any {
	if m == nil || m.Refusal != nil {
		return rows
	}
	for _, h := range m.Hits {
		rows = append(rows, []any{id, h.ObjectID, h.EntryID, h.PersonName, h.EntryName, h.Score, h.Evidence})
	}
	return rows
}

func (s *DB) insertHits(ctx context.Context, tx *sql.Tx, rows [][]any) error {
	return s.insertRows(ctx, tx, "hits", []string{"message_id", "object_id", "entry_id", "person_name", "entry_name", "score", "evidence"}, rows, "", "", nil)
}

// ImportWatchlist implements parley.WatchlistStore.
func (s *DB) ImportWatchlist(ctx context.Context, es []match.Entry, replace bool, progress func(done int)) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM watchlist`); err != nil {
			return err
		}
	}
	now := time.Now().UnixMilli()
	const step = 2000
	for start := 0; start < len(es); start += step {
		part := es[start:min(start+step, len(es))]
		rows := make([][]any, len(part))
		ids := make([]any, len(part))
		for i, e := range part {
			rows[i] = []any{e.ID, e.Name, strings.Join(e.Aliases, "|"), e.DOB, strings.Join(e.Nationalities, "|"), now}
			ids[i] = e.ID
		}
		if !replace {
			if err := s.execIn(ctx, tx.Tx, `DELETE FROM watchlist WHERE id IN IN_LIST`, nil, ids); err != nil {
				return err
			}
		}
		if err := s.insertRows(ctx, tx.Tx, "watchlist", []string{"id", "name", "aliases", "dob", "nationalities", "added_at"}, rows, "", "", nil); err != nil {
			return err
		}
		if progress != nil {
			progress(start + len(part))
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE watchlist_version SET version = version + 1 WHERE one = 1`)
	return err
}

func splitBar(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// Watchlist implements parley.WatchlistStore.
func (s *DB) Watchlist(ctx context.Context) (es []match.Entry, version int64, err error) {
	// One read transaction, so the entries and the version agree.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.dialect == "postgres", Isolation: isoRepeatable(s.dialect)})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT version FROM watchlist_version WHERE one = 1`).Scan(&version); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, aliases, dob, nationalities FROM watchlist ORDER BY id`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var e match.Entry
		var aliases, nats string
		if err := rows.Scan(&e.ID, &e.Name, &aliases, &e.DOB, &nats); err != nil {
			return nil, 0, err
		}
		e.Aliases, e.Nationalities = splitBar(aliases), splitBar(nats)
		es = append(es, e)
	}
	return es, version, rows.Err()
}

func isoRepeatable(dialect string) sql.IsolationLevel {
	if dialect == "postgres" {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault
}

// WatchlistVersion implements parley.WatchlistStore.
func (s *DB) WatchlistVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM watchlist_version WHERE one = 1`).Scan(&v)
	return v, err
}

// Hits implements parley.WatchlistStore.
func (s *DB) Hits(ctx context.Context, f parley.HitFilter) ([]parley.Hit, error) {
	q := `SELECT m.envelope_id, m.peer, p.name, h.object_id, h.person_name, h.entry_id, h.entry_name, h.score, h.evidence, m.stored_at
		FROM hits h JOIN messages m ON m.id = h.message_id JOIN peers p ON p.fingerprint = m.peer
		WHERE m.state = 'applied' AND m.refusal IS NULL`
	var args []any
	if f.Peer != nil {
		q += ` AND m.peer = ?`
		args = append(args, f.Peer[:])
	}
	if !f.Since.IsZero() {
		q += ` AND m.stored_at >= ?`
		args = append(args, ms(f.Since))
	}
	q += ` ORDER BY m.stored_at DESC, m.id DESC, h.object_id, h.score DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Hit
	for rows.Next() {
		var h parley.Hit
		var id, fp []byte
		var at int64
		if err := rows.Scan(&id, &fp, &h.PeerName, &h.ObjectID, &h.PersonName, &h.EntryID, &h.EntryName, &h.Score, &h.Evidence, &at); err != nil {
			return nil, err
		}
		copy(h.MessageID[:], id)
		h.Peer = envelope.Fingerprint(fp)
		h.At = time.UnixMilli(at).UTC()
		out = append(out, h)
	}
	return out, rows.Err()
}
