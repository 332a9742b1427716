package store

import (
	"context"
	"database/sql"
	"strings"
)

// chunkRows bounds the rows of one multi-row statement, well inside the
// bind-parameter limits of SQLite (32766) and PostgreSQL (65535).
const chunkRows = 200

// placeholders returns "(?, ?, …)" with n marks.
func placeholders(n int) string {
	return "(?" + strings.Repeat(", ?", n-1) + ")"
}

// insertRows inserts rows into table in multi-row statements. If returning
// is not empty ("id, envelope_id" say), scan is called for each returned row.
func (s *DB) insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any, suffix, returning string, scan func(*sql.Rows) error) error {
	for start := 0; start < len(rows); start += chunkRows {
		part := rows[start:min(start+chunkRows, len(rows))]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(part)*len(cols))
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(placeholders(len(cols)))
			args = append(args, r...)
		}
		b.WriteString(suffix)
		if returning == "" {
			if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
				return err
			}
			continue
		}
		b.WriteString(" RETURNING " + returning)
		rs, err := tx.QueryContext(ctx, s.q(b.String()), args...)
		if err != nil {
			return err
		}
		for rs.Next() {
			if err := scan(rs); err != nil {
				rs.Close()
				return err
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	return nil
}

// execIn runs query once per chunk of ids, with "(…)" in place of the
// marker IN_LIST; prefix arguments come before the ids.
func (s *DB) execIn(ctx context.Context, tx *sql.Tx, query string, prefix []any, ids []any) error {
	for start := 0; start < len(ids); start += chunkRows {
		part := ids[start:min(start+chunkRows, len(ids))]
		q := strings.Replace(query, "IN_LIST", placeholders(len(part)), 1)
		if _, err := tx.ExecContext(ctx, s.q(q), append(append([]any{}, prefix...), part...)...); err != nil {
			return err
		}
	}
	return nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryIn runs query per chunk of ids like execIn and calls scan per row.
func (s *DB) queryIn(ctx context.Context, tx querier, query string, prefix []any, ids []any, scan func(*sql.Rows) error) error {
	for start := 0; start < len(ids); start += chunkRows {
		part := ids[start:min(start+chunkRows, len(ids))]
		q := strings.Replace(query, "IN_LIST", placeholders(len(part)), 1)
		rs, err := tx.QueryContext(ctx, s.q(q), append(append([]any{}, prefix...), part...)...)
		if err != nil {
			return err
		}
		for rs.Next() {
			if err := scan(rs); err != nil {
				rs.Close()
				return err
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	return nil
}
