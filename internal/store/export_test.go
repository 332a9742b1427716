package store

import (
	"context"
	"database/sql"
)

// RebuildLogsForTest empties the transcript logs and builds them again from
// the stored messages and receipts, as migration 0006 does on an old store.
func (s *DB) RebuildLogsForTest(ctx context.Context) (err error) {
	return s.rerun(ctx, []string{`DELETE FROM log_hashes`, `DELETE FROM logs`}, s.backfillLogs)
}

// Rebackfill puts the records as migration 0008 leaves those stored before
// it (unlocated, no dates added) and runs its backfill, in one transaction.
func (s *DB) Rebackfill(ctx context.Context) (err error) {
	return s.rerun(ctx, []string{
		`UPDATE records SET pos = -1 - pos, version = NULL, added_us = NULL, body_offset = NULL, body_length = NULL`,
		`UPDATE peers SET taxii_in_us = 0, taxii_out_us = 0`,
	}, s.backfillRecords)
}

// rerun undoes what a migration's Go step did and runs it again, in one
// transaction.
func (s *DB) rerun(ctx context.Context, undo []string, step func(context.Context, *sql.Tx) error) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	for _, q := range undo {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return step(ctx, tx.Tx)
}
