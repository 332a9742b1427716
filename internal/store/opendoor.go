package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
	"github.com/parley-dev/parley/internal/parley"
)

// The open door stores dates, never times.
const dateLayout = "2006-01-02"

func dateText(t time.Time) string { return parley.Day(t).Format(dateLayout) }

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return t, fmt.Errorf("stored open-door date %q: %w", s, err)
	}
	return t, nil
}

// AddDoorVisitor implements parley.OpenDoorStore.
func (s *DB) AddDoorVisitor(ctx context.Context, v parley.DoorVisitor, first parley.DoorItem) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO opendoor_visitors (id, lookup, verifier, reply_key, created_on) VALUES (?, ?, ?, ?, ?)`),
		v.ID[:], v.Lookup[:], v.Verifier[:], v.ReplyKey, dateText(v.Created))
	if isUnique(err) {
		return fmt.Errorf("add open-door visitor: %w", parley.ErrExists)
	} else if err != nil {
		return fmt.Errorf("add open-door visitor: %w", err)
	}
	first.Visitor = v.ID
	return s.insertDoorItem(ctx, tx.Tx, first)
}

func (s *DB) insertDoorItem(ctx context.Context, tx *sql.Tx, it parley.DoorItem) error {
	if !it.Kind.Valid() || len(it.OrgKey) == 0 || len(it.Body) == 0 {
		panic("store: open-door item without kind, body or wrapped key")
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO opendoor_items (id, visitor, kind, created_on, body) VALUES (?, ?, ?, ?, ?)`),
		it.ID[:], it.Visitor[:], string(it.Kind), dateText(it.Created), it.Body)
	if isUnique(err) {
		return fmt.Errorf("add open-door item: %w", parley.ErrExists)
	} else if err != nil {
		return fmt.Errorf("add open-door item: %w", err)
	}
	var vk any
	if it.VisitorKey != nil {
		vk = it.VisitorKey
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO opendoor_keys (item, org_key, visitor_key) VALUES (?, ?, ?)`), it.ID[:], it.OrgKey, vk); err != nil {
		return fmt.Errorf("add open-door item keys: %w", err)
	}
	return nil
}

const doorVisitorCols = `id, lookup, verifier, reply_key, created_on`

func scanDoorVisitor(sc interface{ Scan(...any) error }) (parley.DoorVisitor, error) {
	var v parley.DoorVisitor
	var id, lookup, verifier []byte
	var created string
	if err := sc.Scan(&id, &lookup, &verifier, &v.ReplyKey, &created); err != nil {
		return v, err
	}
	copy(v.ID[:], id)
	copy(v.Lookup[:], lookup)
	copy(v.Verifier[:], verifier)
	var err error
	v.Created, err = parseDate(created)
	return v, err
}

func (s *DB) doorVisitorWhere(ctx context.Context, where string, arg []byte) (parley.DoorVisitor, error) {
	v, err := scanDoorVisitor(s.db.QueryRowContext(ctx, s.q(`SELECT `+doorVisitorCols+` FROM opendoor_visitors WHERE `+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return v, parley.ErrNotFound
	}
	return v, err
}

// DoorVisitor implements parley.OpenDoorStore.
func (s *DB) DoorVisitor(ctx context.Context, lookup [opendoorcrypto.LookupSize]byte) (parley.DoorVisitor, error) {
	return s.doorVisitorWhere(ctx, "lookup = ?", lookup[:])
}

// DoorVisitorByID implements parley.OpenDoorStore.
func (s *DB) DoorVisitorByID(ctx context.Context, id parley.VisitorID) (parley.DoorVisitor, error) {
	return s.doorVisitorWhere(ctx, "id = ?", id[:])
}

// AddDoorItem implements parley.OpenDoorStore.
func (s *DB) AddDoorItem(ctx context.Context, it parley.DoorItem) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	var one int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM opendoor_visitors WHERE id = ?`+s.forUpdate), it.Visitor[:]).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("add open-door item: the visitor: %w", parley.ErrNotFound)
	} else if err != nil {
		return err
	}
	return s.insertDoorItem(ctx, tx.Tx, it)
}

func scanDoorItem(sc interface{ Scan(...any) error }, bodies bool) (parley.DoorItem, error) {
	var it parley.DoorItem
	var id, visitor []byte
	var kind, created string
	var size int64
	dest := []any{&id, &visitor, &kind, &created, &size}
	if bodies {
		dest = append(dest, &it.Body, &it.OrgKey, &it.VisitorKey)
	}
	if err := sc.Scan(dest...); err != nil {
		return it, err
	}
	copy(it.ID[:], id)
	copy(it.Visitor[:], visitor)
	it.Kind, it.Size = opendoorcrypto.Kind(kind), int(size)
	var err error
	it.Created, err = parseDate(created)
	return it, err
}

const doorItemCols = `i.id, i.visitor, i.kind, i.created_on, LENGTH(i.body)`
const doorItemBodyCols = `, i.body, k.org_key, k.visitor_key`

// DoorItem implements parley.OpenDoorStore.
func (s *DB) DoorItem(ctx context.Context, id opendoorcrypto.ItemID) (parley.DoorItem, error) {
	it, err := scanDoorItem(s.db.QueryRowContext(ctx, s.q(`SELECT `+doorItemCols+doorItemBodyCols+`
		FROM opendoor_items i JOIN opendoor_keys k ON k.item = i.id WHERE i.id = ?`), id[:]), true)
	if errors.Is(err, sql.ErrNoRows) {
		return it, parley.ErrNotFound
	}
	return it, err
}

// DoorItems implements parley.OpenDoorStore.
func (s *DB) DoorItems(ctx context.Context, f parley.DoorFilter) ([]parley.DoorItem, error) {
	q := `SELECT ` + doorItemCols
	if f.Bodies {
		q += doorItemBodyCols
	}
	q += ` FROM opendoor_items i JOIN opendoor_keys k ON k.item = i.id WHERE 1 = 1`
	var args []any
	if f.Visitor != nil {
		q += ` AND i.visitor = ?`
		args = append(args, f.Visitor[:])
	}
	if f.Kind != "" {
		q += ` AND i.kind = ?`
		args = append(args, string(f.Kind))
	}
	q += ` ORDER BY i.created_on DESC, i.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.DoorItem
	for rows.Next() {
		it, err := scanDoorItem(rows, f.Bodies)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// DeleteDoorItem implements parley.OpenDoorStore.
func (s *DB) DeleteDoorItem(ctx context.Context, id opendoorcrypto.ItemID) error {
	err := func() (err error) {
		tx, err := s.begin(ctx)
		if err != nil {
			return err
		}
		defer tx.end(&err)
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM opendoor_keys WHERE item = ?`), id[:]); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM opendoor_items WHERE id = ?`), id[:])
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.ErrNotFound
		}
		return nil
	}()
	if err != nil {
		return fmt.Errorf("delete open-door item %s: %w", id, err)
	}
	return s.truncateLog(ctx)
}

// PurgeDoor implements parley.OpenDoorStore.
func (s *DB) PurgeDoor(ctx context.Context, before time.Time) (items, visitors int, err error) {
	err = func() (err error) {
		tx, err := s.begin(ctx)
		if err != nil {
			return err
		}
		defer tx.end(&err)
		cut := dateText(before)
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM opendoor_keys WHERE item IN (SELECT id FROM opendoor_items WHERE created_on < ?)`), cut); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM opendoor_items WHERE created_on < ?`), cut)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		items = int(n)
		res, err = tx.ExecContext(ctx, s.q(`DELETE FROM opendoor_visitors WHERE created_on < ?
			AND NOT EXISTS (SELECT 1 FROM opendoor_items i WHERE i.visitor = opendoor_visitors.id)`), cut)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		visitors = int(n)
		return nil
	}()
	if err != nil {
		return 0, 0, fmt.Errorf("purge the open door: %w", err)
	}
	if items+visitors == 0 {
		return 0, 0, nil
	}
	return items, visitors, s.truncateLog(ctx)
}

// truncateLog copies SQLite's write-ahead log into the database and
// truncates it, so that the page images of deleted open-door keys do not
// linger in the -wal file. (The database itself runs with secure_delete,
// which overwrites deleted content.) Nothing to do on PostgreSQL.
func (s *DB) truncateLog(ctx context.Context) error {
	if s.dialect != "sqlite" {
		return nil
	}
	defer s.lock()()
	var busy, logFrames, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("truncating the write-ahead log after a deletion: %w", err)
	}
	if busy != 0 {
		return errors.New("truncating the write-ahead log after a deletion: the database was busy; the deletion is done, and the log will be overwritten by later checkpoints")
	}
	return nil
}
