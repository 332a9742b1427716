package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrations embed.FS

// migration is one versioned schema change.
type migration struct {
	Version int
	Name    string
	SQL     string
}

// loadMigrations reads migrations/<dialect>/NNNN_name.sql in version order.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			panic("store: badly named migration " + name)
		}
		b, err := migrations.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{Version: v, Name: rest, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			panic(fmt.Sprintf("store: migration versions must be 1..n, found %d at %d", m.Version, i+1))
		}
	}
	return ms, nil
}

// migrate applies every migration newer than the database's version, each in
// its own transaction together with its schema_migrations row.
//
// On PostgreSQL, several processes may start at once on one database: a
// session advisory lock serialises them, and each reads the version under it.
func migrate(ctx context.Context, s *DB) (applied int, err error) {
	dialect := s.dialect
	db, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer db.Close()
	if dialect == "postgres" {
		const lockID = 0x7061726c6579 // "parley"
		if _, err := db.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
			return 0, fmt.Errorf("migrate: taking the migration lock: %w", err)
		}
		defer db.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	ms, err := loadMigrations(dialect)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if current > len(ms) {
		return 0, fmt.Errorf("migrate: the database is at schema version %d but this parley knows only %d (hint: upgrade parley)", current, len(ms))
	}
	for _, m := range ms[current:] {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.Version, m.Name, err)
		}
		if m.Version == 6 {
			// The transcripts start with the history already stored.
			if err := s.backfillLogs(ctx, tx); err != nil {
				tx.Rollback()
				return applied, fmt.Errorf("migrate %04d_%s: building the transcript logs: %w", m.Version, m.Name, err)
			}
		}
		if m.Version == 8 { // data that SQL cannot derive
			if err := s.backfillRecords(ctx, tx); err != nil {
				tx.Rollback()
				return applied, fmt.Errorf("migrate %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.Version, m.Name, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.Version, m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.Version, m.Name, err)
		}
		applied++
	}
	return applied, nil
}
