package store

import "context"

// Rebackfill puts the records as migration 0008 leaves those stored before
// it (unlocated, no dates added) and runs its backfill, in one transaction.
func (s *DB) Rebackfill(ctx context.Context) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	for _, q := range []string{
		`UPDATE records SET pos = -1 - pos, version = NULL, added_us = NULL, body_offset = NULL, body_length = NULL`,
		`UPDATE peers SET taxii_in_us = 0, taxii_out_us = 0`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return s.backfillRecords(ctx, tx.Tx)
}
