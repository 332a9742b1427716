package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/internal/parley"
)

var _ parley.WebStore = (*DB)(nil)

// AddWebUser implements parley.WebStore.
func (s *DB) AddWebUser(ctx context.Context, u parley.WebUser) error {
	_, err := s.exec(ctx, s.q(`INSERT INTO web_users (name, role, password, totp_secret, created_at) VALUES (?, ?, ?, ?, ?)`),
		u.Name, u.Role, u.Password, nullString(u.TOTPSecret), ms(u.CreatedAt))
	if isUnique(err) {
		return fmt.Errorf("add web user %s: %w", u.Name, parley.ErrExists)
	}
	return err
}

// RemoveWebUser implements parley.WebStore.
func (s *DB) RemoveWebUser(ctx context.Context, name string) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM web_sessions WHERE user_name = ?`), name); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM web_users WHERE name = ?`), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return parley.ErrNotFound
	}
	return nil
}

const webUserCols = `name, role, password, totp_secret, created_at`

func scanWebUser(sc interface{ Scan(...any) error }) (parley.WebUser, error) {
	var u parley.WebUser
	var totp sql.NullString
	var created int64
	if err := sc.Scan(&u.Name, &u.Role, &u.Password, &totp, &created); err != nil {
		return u, err
	}
	u.TOTPSecret = totp.String
	u.CreatedAt = time.UnixMilli(created).UTC()
	return u, nil
}

// WebUser implements parley.WebStore.
func (s *DB) WebUser(ctx context.Context, name string) (parley.WebUser, error) {
	u, err := scanWebUser(s.db.QueryRowContext(ctx, s.q(`SELECT `+webUserCols+` FROM web_users WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, parley.ErrNotFound
	}
	return u, err
}

// WebUsers implements parley.WebStore.
func (s *DB) WebUsers(ctx context.Context) ([]parley.WebUser, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+webUserCols+` FROM web_users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.WebUser
	for rows.Next() {
		u, err := scanWebUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// AddWebSession implements parley.WebStore.
func (s *DB) AddWebSession(ctx context.Context, ws parley.WebSession) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM web_sessions WHERE expires_at <= ?`), ms(ws.CreatedAt)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO web_sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		ws.IDHash, ws.User, ws.CSRF, ms(ws.CreatedAt), ms(ws.ExpiresAt))
	return err
}

// WebSession implements parley.WebStore.
func (s *DB) WebSession(ctx context.Context, idHash string, now time.Time) (parley.WebSession, error) {
	var ws parley.WebSession
	var created, expires int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id_hash, user_name, csrf, created_at, expires_at FROM web_sessions WHERE id_hash = ? AND expires_at > ?`),
		idHash, ms(now)).Scan(&ws.IDHash, &ws.User, &ws.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ws, parley.ErrNotFound
	}
	ws.CreatedAt, ws.ExpiresAt = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return ws, err
}

// DeleteWebSession implements parley.WebStore.
func (s *DB) DeleteWebSession(ctx context.Context, idHash string) error {
	_, err := s.exec(ctx, s.q(`DELETE FROM web_sessions WHERE id_hash = ?`), idHash)
	return err
}
