package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// copyTables lists the tables Copy moves, parents first.
var copyTables = []struct {
	name     string
	identity bool // has a generated id column on PostgreSQL
}{
	{"peers", false},
	{"messages", true},
	{"outbox", false},
	{"records", false},
	{"receipts", false},
	{"watchlist", false},
	{"hits", false},
	{"logs", false},
	{"log_hashes", false},
	{"checkpoints", false},
	{"evidence", true},
	{"liveness", false},
	{"heartbeats", false},
	{"heartbeat_hours", false},
	{"outages", false},
	{"invitations", false},
	{"opendoor_visitors", false},
	{"opendoor_items", false},
	{"opendoor_keys", false},
	{"taxii_users", false},
	{"taxii_statuses", false},
	{"taxii_status_objects", false},
	{"taxii_cursors", false},
	{"web_users", false},
	{"web_sessions", false},
}

// SchemaVersion returns the number of migrations applied.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Copy copies every row of from into to, which must be empty, in one
// transaction on to, keeping row ids. progress, if not nil, is called after
// each batch of rows. The copy is all or nothing.
func Copy(ctx context.Context, from, to *DB, progress func(table string, rows int)) (counts map[string]int, err error) {
	fv, err := from.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	tv, err := to.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if fv != tv {
		return nil, fmt.Errorf("copy: schema versions differ (%d and %d); run `parley migrate` on the source first", fv, tv)
	}
	var n int
	if err := to.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM peers`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("copy: the destination already holds %d peer(s); copy only into an empty store", n)
	}
	defer to.lock()()
	tx, err := to.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	counts = map[string]int{}
	for _, t := range copyTables {
		rows, err := from.db.QueryContext(ctx, `SELECT * FROM `+t.name)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		counts[t.name] = 0
		ins := `INSERT INTO ` + t.name + ` (` + strings.Join(cols, ", ") + `)`
		if t.identity && to.dialect == "postgres" {
			ins += ` OVERRIDING SYSTEM VALUE`
		}
		ins += ` VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
		stmt, err := tx.PrepareContext(ctx, to.q(ins))
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			if _, err := stmt.ExecContext(ctx, vals...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("copy %s row %d: %w", t.name, counts[t.name]+1, err)
			}
			counts[t.name]++
			if progress != nil && counts[t.name]%10000 == 0 {
				progress(t.name, counts[t.name])
			}
		}
		rows.Close()
		stmt.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if progress != nil {
			progress(t.name, counts[t.name])
		}
		if t.identity && to.dialect == "postgres" {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'), COALESCE((SELECT MAX(id) FROM `+t.name+`), 0) + 1, false)`); err != nil {
				return nil, fmt.Errorf("copy %s: resetting the id sequence: %w", t.name, err)
			}
		}
	}
	return counts, tx.Commit()
}

// Audit is the result of Verify.
type Audit struct {
	Peers, Messages, Receipts int
	Problems                  []string // empty when every check passed
}

// Verify checks every stored message and receipt: the stored hash matches
// the envelope bytes; the header parses and agrees with the stored columns;
// the signature verifies with the sender's identity (self for outbound
// messages, the pinned peer for inbound ones); the stored salt and body open
// the commitment; sequence numbers are contiguous from 1 per direction
// (held inbound envelopes excepted); receipts verify and name their message.
func Verify(ctx context.Context, s *DB, self *envelope.PublicIdentity) (*Audit, error) {
	a := &Audit{}
	peers, err := s.Peers(ctx)
	if err != nil {
		return nil, err
	}
	a.Peers = len(peers)
	bad := func(format string, args ...any) { a.Problems = append(a.Problems, fmt.Sprintf(format, args...)) }
	for _, p := range peers {
		fp := p.Fingerprint()
		msgs, err := s.Messages(ctx, parley.Filter{Peer: &fp, Receipts: true})
		if err != nil {
			return nil, err
		}
		next := map[parley.Direction]uint64{parley.Inbound: 1, parley.Outbound: 1}
		byDir := map[parley.Direction][]parley.Message{}
		for _, m := range msgs {
			byDir[m.Direction] = append(byDir[m.Direction], m)
		}
		for dir, ms := range byDir {
			sortBySeq(ms)
			for _, m := range ms {
				a.Messages++
				where := fmt.Sprintf("%s message %s (peer %s, seq %d)", dir, m.ID, p.Name, m.Seq)
				if envelope.Hash(m.Envelope) != m.Hash {
					bad("%s: stored hash does not match the envelope bytes", where)
				}
				e, err := envelope.Parse(m.Envelope)
				if err != nil {
					bad("%s: envelope does not parse: %v", where, err)
					continue
				}
				h := e.Header
				if h.ID != m.ID || h.Seq != m.Seq || h.Channel != p.Channel || h.Kind != m.Kind {
					bad("%s: stored columns disagree with the signed header", where)
				}
				signer, other := p.Identity, self
				if dir == parley.Outbound {
					signer, other = self, p.Identity
				}
				if h.Recipient != other.Fingerprint() {
					bad("%s: header names another recipient", where)
				}
				if err := e.Verify(signer); err != nil {
					bad("%s: signature does not verify", where)
				}
				if !h.CheckCommitment(m.Salt, m.Body) {
					bad("%s: stored content does not match the signed commitment", where)
				}
				if m.State != parley.StateHeld {
					if m.Seq != next[dir] {
						bad("%s: sequence gap or reordering (expected %d)", where, next[dir])
					}
					next[dir] = m.Seq + 1
				}
				rs, err := s.Receipts(ctx, fp, dir, m.ID)
				if err != nil {
					bad("%s: receipts unreadable: %v", where, err)
					continue
				}
				for _, r := range rs {
					a.Receipts++
					if r.Envelope != m.ID || r.Hash != m.Hash || r.Seq != m.Seq {
						bad("%s: %s receipt names another envelope", where, r.Type)
					}
					if err := r.Verify(other); err != nil {
						bad("%s: %s receipt signature does not verify", where, r.Type)
					}
				}
			}
		}
	}
	return a, nil
}

func sortBySeq(ms []parley.Message) {
	slices.SortFunc(ms, func(a, b parley.Message) int { return cmp.Compare(a.Seq, b.Seq) })
}
