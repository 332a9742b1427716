package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

const inviteCols = `id, direction, peer_url, identity, purpose, secret, status, attempts, created_at, expires_at, ended_at, peer, answer`

func scanInvitation(sc interface{ Scan(...any) error }) (parley.Invitation, error) {
	var inv parley.Invitation
	var id, peer []byte
	var dir string
	var created, expires int64
	var ended sql.NullInt64
	if err := sc.Scan(&id, &dir, &inv.PeerURL, &inv.Identity, &inv.Purpose, &inv.Secret, &inv.Status, &inv.Attempts,
		&created, &expires, &ended, &peer, &inv.Answer); err != nil {
		return inv, err
	}
	copy(inv.ID[:], id)
	copy(inv.Peer[:], peer)
	inv.Direction = parley.Direction(dir)
	inv.CreatedAt, inv.ExpiresAt, inv.EndedAt = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC(), fromMS(ended)
	return inv, nil
}

// CreateInvitation implements parley.ContactStore.
func (s *DB) CreateInvitation(ctx context.Context, inv parley.Invitation) error {
	_, err := s.exec(ctx, s.q(`INSERT INTO invitations (id, direction, peer_url, identity, purpose, secret, status, attempts, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`), inv.ID[:], string(inv.Direction), inv.PeerURL, inv.Identity, inv.Purpose, inv.Secret,
		inv.Status, ms(inv.CreatedAt), ms(inv.ExpiresAt))
	if isUnique(err) {
		return parley.ErrExists
	}
	return err
}

// Invitation implements parley.ContactStore.
func (s *DB) Invitation(ctx context.Context, id envelope.ID, dir parley.Direction) (parley.Invitation, error) {
	inv, err := scanInvitation(s.db.QueryRowContext(ctx, s.q(`SELECT `+inviteCols+` FROM invitations WHERE id = ? AND direction = ?`), id[:], string(dir)))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, parley.ErrNotFound
	}
	return inv, err
}

// Invitations implements parley.ContactStore.
func (s *DB) Invitations(ctx context.Context, dir parley.Direction) ([]parley.Invitation, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+inviteCols+` FROM invitations WHERE direction = ? ORDER BY created_at`), string(dir))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// CountAttempt implements parley.ContactStore.
func (s *DB) CountAttempt(ctx context.Context, id envelope.ID, dir parley.Direction, max int, now time.Time) (inv parley.Invitation, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return inv, err
	}
	defer tx.end(&err)
	inv, err = scanInvitation(tx.QueryRowContext(ctx, s.q(`SELECT `+inviteCols+` FROM invitations WHERE id = ? AND direction = ?`+s.forUpdate), id[:], string(dir)))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, parley.ErrNotFound
	} else if err != nil {
		return inv, err
	}
	if inv.Status != parley.InvitePending {
		return inv, nil
	}
	inv.Attempts++
	if inv.Attempts >= max {
		inv.Status, inv.EndedAt, inv.Secret, inv.Identity = parley.InviteBurnt, now, nil, nil
		_, err = tx.ExecContext(ctx, s.q(`UPDATE invitations SET attempts = ?, status = 'burnt', ended_at = ?, secret = NULL, identity = NULL WHERE id = ? AND direction = ?`),
			inv.Attempts, ms(now), id[:], string(dir))
	} else {
		_, err = tx.ExecContext(ctx, s.q(`UPDATE invitations SET attempts = ? WHERE id = ? AND direction = ?`), inv.Attempts, id[:], string(dir))
	}
	if err != nil {
		return inv, err
	}
	return inv, nil
}

// EndInvitation implements parley.ContactStore.
func (s *DB) EndInvitation(ctx context.Context, id envelope.ID, dir parley.Direction, status string, now time.Time) error {
	res, err := s.exec(ctx, s.q(`UPDATE invitations SET status = ?, ended_at = ?, secret = NULL, identity = NULL
		WHERE id = ? AND direction = ? AND status = 'pending'`), status, ms(now), id[:], string(dir))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return parley.ErrInviteUnusable
	}
	return nil
}

// CompleteInvitation implements parley.ContactStore.
func (s *DB) CompleteInvitation(ctx context.Context, id envelope.ID, dir parley.Direction, p parley.Peer, answer []byte, now time.Time) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	fp := p.Fingerprint()
	res, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET status = 'accepted', ended_at = ?, secret = NULL, identity = NULL, peer = ?, answer = ?
		WHERE id = ? AND direction = ? AND status = 'pending'`), ms(now), fp[:], answer, id[:], string(dir))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return parley.ErrInviteUnusable
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO peers (fingerprint, name, url, signing_key, hpke_key, channel_id, added_at, purpose)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), fp[:], p.Name, p.URL, p.Identity.SigningKey(), p.Identity.HPKEKey(), p.Channel[:], ms(p.AddedAt), p.Purpose)
	if isUnique(err) {
		return parley.ErrExists
	} else if err != nil {
		return err
	}
	return nil
}

// DeleteInvitation implements parley.ContactStore.
func (s *DB) DeleteInvitation(ctx context.Context, id envelope.ID, dir parley.Direction) error {
	_, err := s.exec(ctx, s.q(`DELETE FROM invitations WHERE id = ? AND direction = ? AND status = 'pending'`), id[:], string(dir))
	return err
}
