package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// CollectionObjects implements parley.TAXIIStore. One indexed range scan
// of records_collection in date-added order; each candidate is checked
// against the other versions of its object with records_versions.
func (s *DB) CollectionObjects(ctx context.Context, q parley.ObjectQuery) ([]parley.CollectionObject, error) {
	if q.Limit <= 0 {
		panic("store: CollectionObjects needs a positive limit")
	}
	after := int64(-1)
	if !q.After.IsZero() {
		after = q.After.UnixMicro()
	}
	// The objects' bytes are sliced from their messages' bodies, each body
	// read once per page (a page's objects come from few messages; SQLite
	// would read a whole body for every substr of it).
	cols := `r.object_id, r.type, r.tlp, r.version, r.added_us, m.envelope_id, r.message_id, r.body_offset, r.body_length`
	tlp := int64(q.MaxTLP)
	where := []string{`r.peer = ?`, `r.direction = ?`, `r.added_us > ?`, `r.tlp <= ?`}
	args := []any{q.Peer[:], string(q.Direction), after, tlp}
	in := func(col string, vals []string) {
		where = append(where, col+` IN `+placeholders(len(vals)))
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if len(q.IDs) > 0 {
		in(`r.object_id`, q.IDs)
	}
	if len(q.Types) > 0 {
		in(`r.type`, q.Types)
	}
	// Another visible version of the same object, or the same version
	// added before: cond compares d with r. d's date added is read through
	// COALESCE, which implies nothing about it, so that the planners look
	// up the object's few versions in records_versions rather than range
	// over the partial index records_collection (the whole collection).
	other := func(cond string) string {
		args = append(args, tlp)
		return `EXISTS (SELECT 1 FROM records d WHERE d.peer = r.peer AND d.direction = r.direction AND d.object_id = r.object_id
			AND COALESCE(d.added_us, -1) >= 0 AND d.tlp <= ? AND ` + cond + s.perRow + `)`
	}
	where = append(where, `NOT `+other(`d.version = r.version AND COALESCE(d.added_us, -1) < r.added_us`))
	v := q.Versions
	if !v.All {
		var any []string
		if v.Last || (!v.First && len(v.At) == 0) {
			any = append(any, `NOT `+other(`d.version > r.version`))
		}
		if v.First {
			any = append(any, `NOT `+other(`d.version < r.version`))
		}
		if len(v.At) > 0 {
			any = append(any, `r.version IN `+placeholders(len(v.At)))
			for _, t := range v.At {
				args = append(args, t.UnixNano())
			}
		}
		where = append(where, `(`+strings.Join(any, ` OR `)+`)`)
	}
	args = append(args, q.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+cols+` FROM records r JOIN messages m ON m.id = r.message_id
		WHERE `+strings.Join(where, ` AND `)+` ORDER BY r.added_us LIMIT ?`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.CollectionObject
	type span struct{ msg, off, n int64 }
	var spans []span
	var msgs []any
	seen := map[int64]bool{}
	for rows.Next() {
		var o parley.CollectionObject
		var tlp, version, added int64
		var eid []byte
		var sp span
		var off, n sql.NullInt64
		if err := rows.Scan(&o.ID, &o.Type, &tlp, &version, &added, &eid, &sp.msg, &off, &n); err != nil {
			return nil, err
		}
		if !q.NoRaw && (!off.Valid || n.Int64 <= 0) {
			return nil, fmt.Errorf("stored record %s of message %x is not located in its body", o.ID, eid)
		}
		sp.off, sp.n = off.Int64, n.Int64
		o.TLP = stix.TLP(tlp)
		o.Version, o.DateAdded = time.Unix(0, version).UTC(), time.UnixMicro(added).UTC()
		copy(o.Message[:], eid)
		out = append(out, o)
		spans = append(spans, sp)
		if !seen[sp.msg] {
			seen[sp.msg] = true
			msgs = append(msgs, sp.msg)
		}
	}
	if err := rows.Err(); err != nil || q.NoRaw {
		return out, err
	}
	rows.Close()
	bodies := make(map[int64][]byte, len(msgs))
	err = s.queryIn(ctx, s.db, `SELECT id, body FROM messages WHERE id IN IN_LIST`, nil, msgs, func(r *sql.Rows) error {
		var id int64
		var body []byte
		if err := r.Scan(&id, &body); err != nil {
			return err
		}
		bodies[id] = body
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, sp := range spans {
		body := bodies[sp.msg]
		if sp.off < 0 || sp.off+sp.n > int64(len(body)) {
			return nil, fmt.Errorf("stored record %s lies outside its message's body", out[i].ID)
		}
		out[i].Raw = body[sp.off : sp.off+sp.n : sp.off+sp.n]
	}
	return out, nil
}

// AddTAXIIUser implements parley.TAXIIStore.
func (s *DB) AddTAXIIUser(ctx context.Context, u parley.TAXIIUser) error {
	_, err := s.exec(ctx, s.q(`INSERT INTO taxii_users (name, password, token_id, token_hash, can_read, can_write, max_tlp, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), u.Name, nullString(u.Password), nullString(u.TokenID), nullString(u.TokenHash),
		strings.Join(u.Read, ","), strings.Join(u.Write, ","), u.MaxTLP.String(), ms(u.CreatedAt))
	if isUnique(err) {
		return fmt.Errorf("add TAXII user %s: %w", u.Name, parley.ErrExists)
	}
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RemoveTAXIIUser implements parley.TAXIIStore.
func (s *DB) RemoveTAXIIUser(ctx context.Context, name string) error {
	res, err := s.exec(ctx, s.q(`DELETE FROM taxii_users WHERE name = ?`), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return parley.ErrNotFound
	}
	return nil
}

const taxiiUserCols = `name, password, token_id, token_hash, can_read, can_write, max_tlp, created_at`

func scanTAXIIUser(sc interface{ Scan(...any) error }) (parley.TAXIIUser, error) {
	var u parley.TAXIIUser
	var pw, tid, th sql.NullString
	var read, write, tlp string
	var created int64
	if err := sc.Scan(&u.Name, &pw, &tid, &th, &read, &write, &tlp, &created); err != nil {
		return u, err
	}
	var err error
	if u.MaxTLP, err = stix.ParseTLP(tlp); err != nil {
		return u, fmt.Errorf("stored TAXII user %s: %w", u.Name, err)
	}
	u.Password, u.TokenID, u.TokenHash = pw.String, tid.String, th.String
	u.Read, u.Write = splitComma(read), splitComma(write)
	u.CreatedAt = time.UnixMilli(created).UTC()
	return u, nil
}

func splitComma(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (s *DB) taxiiUserWhere(ctx context.Context, where string, arg any) (parley.TAXIIUser, error) {
	u, err := scanTAXIIUser(s.db.QueryRowContext(ctx, s.q(`SELECT `+taxiiUserCols+` FROM taxii_users WHERE `+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, parley.ErrNotFound
	}
	return u, err
}

// TAXIIUser implements parley.TAXIIStore.
func (s *DB) TAXIIUser(ctx context.Context, name string) (parley.TAXIIUser, error) {
	return s.taxiiUserWhere(ctx, `name = ?`, name)
}

// TAXIIUserByToken implements parley.TAXIIStore.
func (s *DB) TAXIIUserByToken(ctx context.Context, tokenID string) (parley.TAXIIUser, error) {
	return s.taxiiUserWhere(ctx, `token_id = ?`, tokenID)
}

// TAXIIUsers implements parley.TAXIIStore.
func (s *DB) TAXIIUsers(ctx context.Context) ([]parley.TAXIIUser, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+taxiiUserCols+` FROM taxii_users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.TAXIIUser
	for rows.Next() {
		u, err := scanTAXIIUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// AddTAXIIStatus implements parley.TAXIIStore.
func (s *DB) AddTAXIIStatus(ctx context.Context, st parley.TAXIIStatus) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end(&err)
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM taxii_statuses WHERE expires_at <= ?`), ms(st.RequestedAt)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO taxii_statuses (id, user_name, peer, requested_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		st.ID, st.User, st.Peer[:], ms(st.RequestedAt), ms(st.ExpiresAt)); err != nil {
		return err
	}
	rows := make([][]any, len(st.Objects))
	for i, o := range st.Objects {
		var eid any
		if o.Message != nil {
			eid = o.Message[:]
		}
		rows[i] = []any{st.ID, int64(i), o.ObjectID, o.Version, eid, nullString(o.Failure)}
	}
	return s.insertRows(ctx, tx.Tx, "taxii_status_objects", []string{"status_id", "pos", "object_id", "version", "envelope_id", "failure"}, rows, "", "", nil)
}

// TAXIIStatus implements parley.TAXIIStore.
func (s *DB) TAXIIStatus(ctx context.Context, id string, now time.Time) (parley.TAXIIStatus, error) {
	st := parley.TAXIIStatus{ID: id}
	var fp []byte
	var req, exp int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT user_name, peer, requested_at, expires_at FROM taxii_statuses WHERE id = ? AND expires_at > ?`), id, ms(now)).
		Scan(&st.User, &fp, &req, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return st, parley.ErrNotFound
	} else if err != nil {
		return st, err
	}
	copy(st.Peer[:], fp)
	st.RequestedAt, st.ExpiresAt = time.UnixMilli(req).UTC(), time.UnixMilli(exp).UTC()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT o.object_id, o.version, o.failure, o.envelope_id, m.refusal, m.delivered_at, m.read_at
		FROM taxii_status_objects o LEFT JOIN messages m ON m.peer = ? AND m.direction = 'out' AND m.envelope_id = o.envelope_id
		WHERE o.status_id = ? ORDER BY o.pos`), fp, id)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var o parley.TAXIIStatusObject
		var failure sql.NullString
		var eid []byte
		var refusal, delivered, read sql.NullInt64
		if err := rows.Scan(&o.ObjectID, &o.Version, &failure, &eid, &refusal, &delivered, &read); err != nil {
			return st, err
		}
		o.Failure = failure.String
		if eid != nil {
			mid := envelope.ID(eid)
			o.Message = &mid
		}
		o.Refusal, o.DeliveredAt, o.ReadAt = envelope.Reason(refusal.Int64), fromMS(delivered), fromMS(read)
		st.Objects = append(st.Objects, o)
	}
	return st, rows.Err()
}

// TAXIICursor implements parley.TAXIIStore.
func (s *DB) TAXIICursor(ctx context.Context, source, collection string, peer envelope.Fingerprint) (string, error) {
	var c string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT added_after FROM taxii_cursors WHERE source = ? AND collection = ? AND peer = ?`), source, collection, peer[:]).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return c, err
}

// SetTAXIICursor implements parley.TAXIIStore.
func (s *DB) SetTAXIICursor(ctx context.Context, source, collection string, peer envelope.Fingerprint, addedAfter string, at time.Time) error {
	_, err := s.exec(ctx, s.q(`INSERT INTO taxii_cursors (source, collection, peer, added_after, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (source, collection, peer) DO UPDATE SET added_after = excluded.added_after, updated_at = excluded.updated_at`),
		source, collection, peer[:], addedAfter, ms(at))
	return err
}

// backfillRecords fills the columns migration 0008 added to the records
// of messages stored before it (pos, version, body span, collection,
// date_added), from the message bodies, and the peers' date_added
// counters. It runs in the migration's transaction.
func (s *DB) backfillRecords(ctx context.Context, tx *sql.Tx) error {
	type msg struct {
		id, applied int64
		peer        []byte
		dir         string
		visible     bool
	}
	var ms []msg
	rows, err := tx.QueryContext(ctx, `SELECT m.id, COALESCE(m.applied_at, m.stored_at), m.peer, m.direction,
		CASE WHEN m.refusal IS NULL AND (m.direction = 'out' OR m.state = 'applied') THEN 1 ELSE 0 END
		FROM messages m WHERE EXISTS (SELECT 1 FROM records r WHERE r.message_id = m.id) ORDER BY COALESCE(m.applied_at, m.stored_at), m.id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m msg
		var visible int64
		if err := rows.Scan(&m.id, &m.applied, &m.peer, &m.dir, &visible); err != nil {
			rows.Close()
			return err
		}
		m.visible = visible == 1
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	type collection struct{ peer, dir string }
	counters := map[collection]int64{}
	for _, m := range ms {
		var body []byte
		if err := tx.QueryRowContext(ctx, s.q(`SELECT body FROM messages WHERE id = ?`), m.id).Scan(&body); err != nil {
			return err
		}
		rs, err := parley.BodyRecords(body)
		if err != nil {
			continue // left invisible: its records stay as they were indexed
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM records WHERE message_id = ?`), m.id); err != nil {
			return err
		}
		added := int64(-1)
		c := collection{string(m.peer), m.dir}
		if m.visible {
			added = max(m.applied*1000, counters[c])
			counters[c] = added + int64(len(rs))
		}
		meta := &parley.Meta{Records: rs}
		if err := s.insertRecords(ctx, tx, appendRecords(nil, m.id, envelope.Fingerprint(m.peer), parley.Direction(m.dir), meta, added)); err != nil {
			return err
		}
	}
	for c, next := range counters {
		col := "taxii_in_us"
		if c.dir == string(parley.Outbound) {
			col = "taxii_out_us"
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE peers SET `+col+` = ? WHERE fingerprint = ?`), next, []byte(c.peer)); err != nil {
			return err
		}
	}
	return nil
}
