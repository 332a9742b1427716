package store

import "context"

// RebuildLogsForTest empties the transcript logs and builds them again from
// the stored messages and receipts, as migration 0006 does on an old store.
func (s *DB) RebuildLogsForTest(ctx context.Context) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	for _, q := range []string{`DELETE FROM log_hashes`, `DELETE FROM logs`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return s.backfillLogs(ctx, tx.Tx)
}
