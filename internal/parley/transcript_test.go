package parley_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/store"
	"github.com/parley-dev/parley/internal/transcript"
)

// operated lists the logs a node signs checkpoints of, per peer.
var operated = []parley.LogID{parley.LogOut, parley.LogOutFlash, parley.LogOurReceipts, parley.LogOurReceiptsFlash}

// cosignAll does what the federation's Checkpointer does, by direct calls:
// every node signs a checkpoint of every log it operates for every peer, at
// the size it would choose, has the peer (another of nodes, by name) cosign
// it and stores the result.
func cosignAll(tb testing.TB, nodes map[string]*parley.Node) {
	tb.Helper()
	ctx := tb.Context()
	for _, name := range slices.Sorted(maps.Keys(nodes)) {
		a := nodes[name]
		peers, err := a.Store.Peers(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		for _, p := range peers {
			b := nodes[p.Name]
			if b == nil {
				tb.Fatalf("%s has a peer %s that is not in the world", name, p.Name)
			}
			for _, l := range operated {
				size, err := a.CheckpointTarget(ctx, p, l)
				if err != nil {
					tb.Fatal(err)
				}
				if size == 0 {
					continue
				}
				note, cp, err := a.SignCheckpoint(ctx, p, l, size)
				if err != nil {
					tb.Fatalf("%s signing %s with %s at %d: %v", name, l, p.Name, size, err)
				}
				cosigned, err := b.Witness(ctx, note)
				if err != nil {
					tb.Fatalf("%s witnessing %s's %s at %d: %v", p.Name, name, l, size, err)
				}
				if err := a.AcceptCosigned(ctx, p, l, cp, cosigned); err != nil {
					tb.Fatalf("%s accepting %s's cosignature of %s: %v", name, p.Name, l, err)
				}
			}
		}
	}
}

// newFileWorld is newWorld with each node's SQLite store at a known path
// (returned by node name), so that a test can copy it and change its rows
// behind the store's back.
func newFileWorld(t *testing.T, names ...string) (*world, map[string]string) {
	t.Helper()
	w := &world{t: t, clock: &parleytest.FixedClock{T: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}, nodes: map[string]*parley.Node{}}
	dir := t.TempDir()
	paths := map[string]string{}
	for _, n := range names {
		paths[n] = filepath.Join(dir, n+".db")
		node := openFileNode(t, n, paths[n])
		node.Clock = w.clock
		w.nodes[n] = node
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			parleytest.Pair(t, w.nodes[a], "http://"+a, w.nodes[b], "http://"+b)
		}
	}
	return w, paths
}

// openFileNode opens the named test identity's node on the SQLite file at path.
func openFileNode(t *testing.T, name, path string) *parley.Node {
	t.Helper()
	st, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return parley.NewNode(name, parleytest.Identity(t, name), st, parleytest.Logger(t))
}

// rawDB opens the SQLite file at path on a connection of the test's own,
// with foreign keys off, as someone with access to the file would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(0)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// snapshot copies the SQLite file at path (consistently, while it is open)
// into a new temporary file and returns its path.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	if _, err := rawDB(t, path).ExecContext(t.Context(), `VACUUM INTO ?`, dst); err != nil {
		t.Fatalf("copying %s: %v", path, err)
	}
	return dst
}

// mustExec runs a statement that must change exactly one row.
func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	res, err := db.ExecContext(t.Context(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("%s changed %d rows (%v), want 1", query, n, err)
	}
}

// flipByte flips the low bit of byte off (from the end if negative) of the
// blob in column col of the one row of table selected by where.
func flipByte(t *testing.T, db *sql.DB, table, col, where string, off int, args ...any) {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT `+col+` FROM `+table+` WHERE `+where, args...)
	if err != nil {
		t.Fatal(err)
	}
	var blobs [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, b)
	}
	rows.Close()
	if len(blobs) != 1 {
		t.Fatalf("%s WHERE %s: %d rows, want 1", table, where, len(blobs))
	}
	b := blobs[0]
	if off < 0 {
		off += len(b)
	}
	b[off] ^= 0x01
	mustExec(t, db, `UPDATE `+table+` SET `+col+` = ? WHERE `+where, append([]any{b}, args...)...)
}

// Selectors of north's rows in the audit world (north has one peer).
const (
	outLetter = `direction = 'out' AND lane = 0 AND seq = ?`
	inLetter  = `direction = 'in' AND lane = 0 AND seq = ?`
	receiptOf = `type = 1 AND message_id = (SELECT id FROM messages WHERE %s)`
)

// seqLastByte is the offset in an envelope of the last (low) byte of the
// header's big-endian sequence number, which the 8-byte time and the
// 32-byte commitment follow.
const seqLastByte = envelope.HeaderSize - 32 - 8 - 1

func hasProblem(problems []string, want string) bool {
	return slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, want) })
}

// TestAuditTamperMatrix changes one stored field at a time in a copy of a
// node's database holding a few hundred messages, receipts, log hashes and
// checkpoints, and checks that Audit finds it and names it.
func TestAuditTamperMatrix(t *testing.T) {
	w, paths := newFileWorld(t, "north", "south")
	ctx := t.Context()
	north, south := w.nodes["north"], w.nodes["south"]

	// North: 150 letters and 20 flash letters to south; south reads ten of
	// the letters (its read receipts are its envelopes 1–10) and sends 100
	// letters (11–110).
	var letters []parley.Message
	for i := range 150 {
		m, err := north.Send(ctx, "south", &parley.Content{Text: fmt.Sprintf("Letter %d from north.", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		letters = append(letters, m)
	}
	for i := range 20 {
		if _, err := north.SendFlash(ctx, "south", &parley.Content{Text: fmt.Sprintf("Flash %d from north.", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	w.deliver("north", "south")
	for _, m := range letters[:10] {
		if _, _, err := south.Open(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		if _, err := south.Send(ctx, "north", &parley.Content{Text: fmt.Sprintf("Letter %d from south.", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	w.deliver("south", "north")
	cosignAll(t, w.nodes)

	// The untouched state audits clean, in full and recent, on both sides,
	// with every log recomputed and cosigned at its full size.
	wantSizes := map[string]map[parley.LogID]int64{
		"north": {parley.LogOut: 150, parley.LogOutFlash: 20, parley.LogIn: 110, parley.LogOurReceipts: 110, parley.LogTheirReceipts: 150, parley.LogTheirReceiptsFlash: 20},
		"south": {parley.LogOut: 110, parley.LogIn: 150, parley.LogInFlash: 20, parley.LogOurReceipts: 150, parley.LogOurReceiptsFlash: 20, parley.LogTheirReceipts: 110},
	}
	for _, name := range []string{"north", "south"} {
		for _, recent := range []int64{0, 50} {
			t.Run(fmt.Sprintf("clean/%s/recent=%d", name, recent), func(t *testing.T) {
				rep, err := w.nodes[name].Audit(ctx, recent)
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Problems) != 0 {
					t.Fatalf("problems in an untouched store:\n%s", strings.Join(rep.Problems, "\n"))
				}
				if got, want := len(rep.Logs), parley.NumLogs; got != want {
					t.Fatalf("got %d logs audited, want %d", got, want)
				}
				for _, la := range rep.Logs {
					want := wantSizes[name][la.Log]
					wantChecked := want
					if recent > 0 {
						wantChecked = min(want, recent)
					}
					wantCps := 0
					if want > 0 {
						wantCps = 1
					}
					if la.Size != want || la.Checked != wantChecked || la.Cosigned != want || la.Checkpoints != wantCps {
						t.Errorf("log %s: got size %d, checked %d, cosigned %d in %d checkpoints; want %d, %d, %d in %d",
							la.Log, la.Size, la.Checked, la.Cosigned, la.Checkpoints, want, wantChecked, want, wantCps)
					}
				}
			})
		}
	}

	// The stored hash indexes in north's letters/ours log (150 entries).
	leaf41 := tlog.StoredHashIndex(0, 41)
	inner := tlog.StoredHashIndex(3, 2) // entries 16–23; not on the tree's right edge
	leaf149 := tlog.StoredHashIndex(0, 149)

	tests := []struct {
		name   string
		node   string // whose copy is changed and audited
		recent int64
		tamper func(t *testing.T, db *sql.DB)
		want   []string // each in some problem
	}{
		{"outbound envelope: signature byte", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", outLetter, envelope.HeaderSize+100, 42)
		}, []string{
			"south, log letters/ours: entry 41: the stored envelope hash does not match",
			"south, log letters/ours: entry 41: envelope signature",
			"south, log letters/ours: entry 41: the stored leaf hash does not match",
		}},
		{"outbound envelope: ciphertext byte", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", outLetter, -1, 42)
		}, []string{"south, log letters/ours: entry 41: the stored envelope hash does not match"}},
		{"outbound envelope: header sequence", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", outLetter, seqLastByte, 42) // 42 ^ 1 = 43
		}, []string{"south, log letters/ours: entry 41: the envelope's header says sequence 43"}},
		{"flash envelope", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", `direction = 'out' AND lane = 1 AND seq = ?`, 3000, 7)
		}, []string{"south, log flash/ours: entry 6: the stored envelope hash does not match"}},
		{"inbound envelope", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", inLetter, envelope.HeaderSize+5, 60)
		}, []string{"south, log letters/theirs: entry 59: envelope signature"}},
		{"read receipt envelope, received", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", inLetter+` AND kind = 5`, 2000, 5)
		}, []string{"south, log letters/theirs: entry 4: envelope signature"}},
		{"read receipt envelope, sent", "south", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", outLetter+` AND kind = 5`, 2000, 5)
		}, []string{"north, log letters/ours: entry 4: envelope signature"}},
		{"stored message hash", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "hash", outLetter, 0, 42)
		}, []string{"south, log letters/ours: entry 41: the stored envelope hash does not match"}},
		{"log hash: leaf", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "log_hashes", "hash", `log = 0 AND idx = ?`, 0, leaf41)
		}, []string{
			"south, log letters/ours: entry 41: the stored leaf hash does not match",
			fmt.Sprintf("south, log letters/ours: stored hash %d differs", leaf41),
		}},
		{"log hash: interior", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "log_hashes", "hash", `log = 0 AND idx = ?`, 31, inner)
		}, []string{fmt.Sprintf("south, log letters/ours: stored hash %d differs", inner)}},
		{"log hash: mirror's leaf", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "log_hashes", "hash", `log = 2 AND idx = ?`, 0, tlog.StoredHashIndex(0, 0))
		}, []string{"south, log letters/theirs: entry 0: the stored leaf hash does not match"}},
		{"log size shrunk", "north", 0, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `UPDATE logs SET size = 149 WHERE log = 0`)
		}, []string{"south, log letters/ours: checkpoint of size 150 is beyond the log's 149 entries"}},
		{"log size grown", "north", 0, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `UPDATE logs SET size = 151 WHERE log = 0`)
		}, []string{"south, log letters/ours: entries 150 to 150 have no envelope or receipt"}},
		{"checkpoint size", "north", 0, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `UPDATE checkpoints SET size = size - 1 WHERE log = 0`)
		}, []string{"south, log letters/ours: checkpoint of size 149: the stored size or root differs from the signed note (150)"}},
		{"checkpoint root", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "checkpoints", "root", `log = 0`, 7)
		}, []string{"south, log letters/ours: checkpoint of size 150: the stored size or root differs"}},
		{"checkpoint note: signature", "north", 0, func(t *testing.T, db *sql.DB) {
			flipNoteSignature(t, db, `log = 0`, 0)
		}, []string{"south, log letters/ours: checkpoint of size 150: transcript: open"}},
		{"checkpoint note: cosignature", "north", 0, func(t *testing.T, db *sql.DB) {
			flipNoteSignature(t, db, `log = 0`, 1)
		}, []string{"south, log letters/ours: checkpoint of size 150: transcript: open"}},
		{"mirrored checkpoint note: signature", "north", 0, func(t *testing.T, db *sql.DB) {
			flipNoteSignature(t, db, `log = 2`, 0)
		}, []string{"south, log letters/theirs: checkpoint of size 110: transcript: open"}},
		{"delivered receipt: ours", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "receipts", "raw", fmt.Sprintf(receiptOf, inLetter), envelope.ReceiptBodySize+100, 30)
		}, []string{"south, log receipts/ours: entry 29: receipt signature"}},
		{"delivered receipt: theirs", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "receipts", "raw", fmt.Sprintf(receiptOf, outLetter), envelope.ReceiptBodySize+100, 30)
		}, []string{"south, log receipts/theirs: entry 29: receipt signature"}},
		{"delivered receipt: theirs, flash", "north", 0, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "receipts", "raw", fmt.Sprintf(receiptOf, `direction = 'out' AND lane = 1 AND seq = ?`), 50, 3)
		}, []string{"south, log flash-receipts/theirs: entry 2: receipt signature"}},
		{"delivered receipt: theirs, named sequence", "north", 0, func(t *testing.T, db *sql.DB) {
			// The receipt's sequence number is at offset 104, big-endian.
			flipByte(t, db, "receipts", "raw", fmt.Sprintf(receiptOf, outLetter), 111, 30)
		}, []string{"south, log receipts/theirs: entry 29: the receipt names sequence 31"}},
		{"deleted message", "north", 0, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM receipts WHERE `+fmt.Sprintf(receiptOf, outLetter), 42)
			mustExec(t, db, `DELETE FROM messages WHERE `+outLetter, 42)
		}, []string{
			"south, log letters/ours: entry 41: the stored sequence numbers jump from 42 to 43",
			"south, log receipts/theirs: entry 41: the stored sequence numbers jump from 42 to 43",
		}},
		{"deleted last message", "north", 0, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM messages WHERE `+outLetter, 150)
		}, []string{
			"south, log letters/ours: entries 149 to 149 have no envelope or receipt",
			"south, log receipts/theirs: entries 149 to 149 have no envelope or receipt",
		}},
		{"deleted receipt", "north", 0, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM receipts WHERE `+fmt.Sprintf(receiptOf, inLetter), 77)
		}, []string{"south, log receipts/ours: entry 76: the stored sequence numbers jump from 77 to 78"}},
		{"reordered messages", "north", 0, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `UPDATE messages SET seq = 1000000 WHERE `+outLetter, 10)
			mustExec(t, db, `UPDATE messages SET seq = 10 WHERE `+outLetter, 20)
			mustExec(t, db, `UPDATE messages SET seq = 20 WHERE `+outLetter, 1000000)
		}, []string{
			"south, log letters/ours: entry 9: the envelope's header says sequence 20",
			"south, log receipts/theirs: entry 9: the receipt names sequence 20",
		}},
		{"recent: outbound envelope", "north", 20, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "messages", "envelope", outLetter, envelope.HeaderSize+100, 145)
		}, []string{"south, log letters/ours: entry 144: the stored envelope hash does not match"}},
		{"recent: delivered receipt", "north", 20, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "receipts", "raw", fmt.Sprintf(receiptOf, outLetter), envelope.ReceiptBodySize+100, 140)
		}, []string{"south, log receipts/theirs: entry 139: receipt signature"}},
		{"recent: last leaf hash", "north", 20, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "log_hashes", "hash", `log = 0 AND idx = ?`, 0, leaf149)
		}, []string{"south, log letters/ours: entry 149: the stored leaf hash does not match"}},
		{"recent: deleted message", "north", 20, func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM messages WHERE `+outLetter, 140)
		}, []string{"south, log letters/ours: entry 139: the stored sequence numbers jump from 140 to 141"}},
		{"recent: checkpoint root", "north", 20, func(t *testing.T, db *sql.DB) {
			flipByte(t, db, "checkpoints", "root", `log = 6`, 0)
		}, []string{"south, log receipts/theirs: checkpoint of size 150: the stored size or root differs"}},
	}
	t.Run("clean copy", func(t *testing.T) {
		n := openFileNode(t, "north", snapshot(t, paths["north"]))
		if rep, err := n.Audit(t.Context(), 0); err != nil || len(rep.Problems) != 0 {
			t.Fatalf("got %v, problems %q; want a copy that audits clean", err, rep.Problems)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := snapshot(t, paths[tt.node])
			n := openFileNode(t, tt.node, path)
			// Change the copy behind the open store's back, as another
			// process with access to the file would.
			tt.tamper(t, rawDB(t, path))
			rep, err := n.Audit(t.Context(), tt.recent)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			if len(rep.Problems) == 0 {
				t.Fatal("got no problem, want the change reported")
			}
			for _, want := range tt.want {
				if !hasProblem(rep.Problems, want) {
					t.Errorf("got problems:\n%s\nwant one containing %q", strings.Join(rep.Problems, "\n"), want)
				}
			}
		})
	}
}

// flipNoteSignature flips a byte in the middle of the base64 of signature
// line line (0: the operator's signature, 1: the cosignature) of the note of
// the one checkpoint selected by where.
func flipNoteSignature(t *testing.T, db *sql.DB, where string, line int) {
	t.Helper()
	var note []byte
	if err := db.QueryRowContext(t.Context(), `SELECT note FROM checkpoints WHERE `+where).Scan(&note); err != nil {
		t.Fatal(err)
	}
	_, sigs, ok := bytes.Cut(note, []byte("\n\n"))
	lines := strings.Split(strings.TrimSuffix(string(sigs), "\n"), "\n")
	if !ok || len(lines) != 2 {
		t.Fatalf("stored note has signature lines %q, want the signature and the cosignature", lines)
	}
	start := len(note) - len(sigs)
	for _, l := range lines[:line] {
		start += len(l) + 1
	}
	// "— <name> <base64>": past the last space, in the middle of the base64.
	sp := strings.LastIndexByte(lines[line], ' ')
	flipByte(t, db, "checkpoints", "note", where, start+sp+1+(len(lines[line])-sp)/2)
}

// TestProofBundle proves messages from both sides, and checks that every
// change to a bundle, its truncation, or a part taken from another message
// or log is refused.
func TestProofBundle(t *testing.T) {
	f := newProofFixture(t)
	ctx := t.Context()

	type bundle struct {
		maker    *parley.Node
		id       envelope.ID
		receipts bool
	}
	prove := func(t *testing.T, b bundle) []byte {
		t.Helper()
		p, err := b.maker.MakeProof(ctx, b.id, b.receipts)
		if err != nil {
			t.Fatalf("%s: MakeProof(%s, %v): %v", b.maker.Name, b.id, b.receipts, err)
		}
		return p
	}
	full := prove(t, bundle{f.north, f.letter.ID, true})

	t.Run("accounts", func(t *testing.T) {
		tests := []struct {
			name    string
			b       bundle
			want    []string // substrings of the account
			notWant []string
		}{
			{"letter with receipts, by the sender", bundle{f.north, f.letter.ID, true},
				[]string{"north sent letter #1 to south", `Text: "The meeting moves to Thursday."`, "south acknowledged delivery at", "south read it at", "Every check passed."}, nil},
			{"letter with receipts, by the recipient", bundle{f.south, f.letter.ID, true},
				[]string{"north sent letter #1 to south", "south acknowledged delivery at", "south read it at", "Every check passed."}, nil},
			{"letter alone, by the sender", bundle{f.north, f.letter.ID, false},
				[]string{"north sent letter #1 to south", "Every check passed."}, []string{"acknowledged", "read it"}},
			{"letter alone, by the recipient", bundle{f.south, f.letter.ID, false},
				[]string{"north sent letter #1 to south", "Every check passed."}, []string{"acknowledged", "read it"}},
			{"unread warning with receipts", bundle{f.north, f.warning.ID, true},
				[]string{"north sent warning #3 to south", "It asked for an answer by", "Records: ", "south acknowledged delivery at"}, []string{"read it"}},
			{"letter to another peer", bundle{f.north, f.toEast.ID, true},
				[]string{"north sent letter #1 to east", "east acknowledged delivery at"}, []string{"read it"}},
		}
		accounts := map[string][]string{}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := prove(t, tt.b)
				acc, err := parley.VerifyProof(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("VerifyProof: %v", err)
				}
				s := acc.String()
				for _, w := range tt.want {
					if !strings.Contains(s, w) {
						t.Errorf("got account:\n%s\nwant it to contain %q", s, w)
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(s, w) {
						t.Errorf("got account:\n%s\nwant no %q", s, w)
					}
				}
				var p parley.Proof
				if err := json.Unmarshal(b, &p); err != nil {
					t.Fatal(err)
				}
				if got, want := p.Delivered != nil, tt.b.receipts; got != want {
					t.Errorf("got a delivered receipt: %v, want %v", got, want)
				}
				if got, want := p.Read != nil, tt.b.receipts && tt.b.id == f.letter.ID; got != want {
					t.Errorf("got a read receipt: %v, want %v", got, want)
				}
				key := fmt.Sprintf("%s/%v", tt.b.id, tt.b.receipts)
				if prev, ok := accounts[key]; ok && !slices.Equal(prev, acc.Lines) {
					t.Errorf("the two sides' bundles prove different things:\n got %q\nwant %q", acc.Lines, prev)
				}
				accounts[key] = acc.Lines
			})
		}
	})

	t.Run("every byte flipped", func(t *testing.T) {
		var orig parley.Proof
		if err := json.Unmarshal(full, &orig); err != nil {
			t.Fatal(err)
		}
		if orig.Delivered == nil || orig.Read == nil {
			t.Fatal("the bundle has no receipts")
		}
		positions := flipSample(len(full))
		if raceEnabled() {
			// The race detector slows the signature checks some tenfold,
			// and VerifyProof shares nothing between calls: a third of
			// the sample (still over 2,000 positions) keeps the run short.
			var thin []int
			for i, p := range positions {
				if i%3 == 0 {
					thin = append(thin, p)
				}
			}
			positions = thin
		}
		if len(positions) < 2000 {
			t.Fatalf("got %d positions, want at least 2000", len(positions))
		}
		var (
			mu                 sync.Mutex
			failures           []string
			same, renamed, bad int
		)
		work := make(chan int)
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for i := range work {
					b := bytes.Clone(full)
					b[i] ^= 0x01
					_, err := parley.VerifyProof(bytes.NewReader(b))
					if err != nil {
						mu.Lock()
						bad++
						mu.Unlock()
						continue
					}
					// Accepted: it must say what the original says, but
					// for the names, which are labels the bundle carries
					// unsigned (the account tells to compare fingerprints).
					var p parley.Proof
					uerr := json.Unmarshal(b, &p)
					renamedOnly := uerr == nil && len(p.Identities) == 2 && (p.Identities[0].Name != orig.Identities[0].Name || p.Identities[1].Name != orig.Identities[1].Name)
					if renamedOnly {
						p.Identities[0].Name, p.Identities[1].Name = orig.Identities[0].Name, orig.Identities[1].Name
					}
					mu.Lock()
					switch {
					case uerr != nil || !reflect.DeepEqual(p, orig):
						failures = append(failures, fmt.Sprintf("byte %d (%q → %q): accepted, and decodes to another proof (%v)", i, full[i], b[i], uerr))
					case renamedOnly:
						renamed++
					default:
						same++
					}
					mu.Unlock()
				}
			})
		}
		for _, i := range positions {
			work <- i
		}
		close(work)
		wg.Wait()
		t.Logf("bundle of %d bytes, %d positions flipped: %d refused, %d accepted with the same proof, %d accepted with only a name changed",
			len(full), len(positions), bad, same, renamed)
		for _, f := range failures[:min(len(failures), 10)] {
			t.Error(f)
		}
		if len(failures) > 10 {
			t.Errorf("and %d more", len(failures)-10)
		}
	})

	t.Run("truncated", func(t *testing.T) {
		body := bytes.TrimRight(full, "\n")
		if _, err := parley.VerifyProof(bytes.NewReader(body)); err != nil {
			t.Errorf("without its final newline: %v, want accepted", err)
		}
		var lengths []int
		for n := 0; n < len(body); n++ {
			if n < 1024 || n >= len(body)-1024 || n%61 == 0 {
				lengths = append(lengths, n)
			}
		}
		for _, n := range lengths {
			if _, err := parley.VerifyProof(bytes.NewReader(body[:n])); err == nil {
				t.Errorf("truncated to %d of %d bytes: accepted", n, len(body))
			}
		}
		t.Logf("%d truncations checked", len(lengths))
	})

	t.Run("substituted parts", func(t *testing.T) {
		ch := f.letter.Channel
		northFP, southFP, eastFP := f.north.Identity.Fingerprint(), f.south.Identity.Fingerprint(), f.east.Identity.Fingerprint()
		cp := func(n *parley.Node, peer envelope.Fingerprint, l parley.LogID) string {
			t.Helper()
			c, err := n.Store.LatestCheckpoint(ctx, peer, l)
			if err != nil {
				t.Fatalf("%s's checkpoint of %s: %v", n.Name, l, err)
			}
			return string(c.Note)
		}
		origin := func(fp envelope.Fingerprint, l parley.LogID) string {
			return fmt.Sprintf("%q", parley.Origin(ch, fp, l))
		}
		tests := []struct {
			name   string
			change func(p *parley.Proof)
			want   string
		}{
			{"another letter's body and salt", func(p *parley.Proof) { p.Message.Body, p.Message.Salt = f.other.Body, f.other.Salt },
				"proof: message: the disclosed body and salt do not match the signed commitment"},
			{"another letter's body", func(p *parley.Proof) { p.Message.Body = f.other.Body },
				"proof: message: the disclosed body and salt do not match the signed commitment"},
			{"another letter's salt", func(p *parley.Proof) { p.Message.Salt = f.other.Salt },
				"proof: message: the disclosed body and salt do not match the signed commitment"},
			{"another letter's envelope", func(p *parley.Proof) { p.Message.Envelope = f.other.Envelope },
				"proof: message: the disclosed body and salt do not match the signed commitment"},
			{"another letter's envelope, body and salt", func(p *parley.Proof) {
				p.Message.Envelope, p.Message.Body, p.Message.Salt = f.other.Envelope, f.other.Body, f.other.Salt
			}, "proof: message: the proof is for entry 0, the envelope's sequence number says 1"},
			{"message under the sender's receipt log", func(p *parley.Proof) { p.Message.Log.Checkpoint = cp(f.north, southFP, parley.LogOurReceipts) },
				"proof: message: the checkpoint is of log " + origin(northFP, parley.LogOurReceipts) + ", not " + origin(northFP, parley.LogOut)},
			{"message under the sender's log with another peer", func(p *parley.Proof) { p.Message.Log.Checkpoint = cp(f.north, eastFP, parley.LogOut) },
				"proof: message: the checkpoint is not cosigned by " + southFP.Short()},
			{"message under the recipient's receipt log", func(p *parley.Proof) { p.Message.Log.Checkpoint = p.Delivered.Log.Checkpoint },
				"proof: message: checkpoint: transcript: open: no checkpoint signature by " + northFP.String()},
			{"delivered receipt under the recipient's letters", func(p *parley.Proof) { p.Delivered.Log.Checkpoint = p.Read.Log.Checkpoint },
				"proof: delivered receipt: the checkpoint is of log " + origin(southFP, parley.LogOut) + ", not " + origin(southFP, parley.LogOurReceipts)},
			{"read receipt under the recipient's receipt log", func(p *parley.Proof) { p.Read.Log.Checkpoint = p.Delivered.Log.Checkpoint },
				"proof: read receipt: the checkpoint is of log " + origin(southFP, parley.LogOurReceipts) + ", not " + origin(southFP, parley.LogOut)},
			{"read receipt's envelope as the message", func(p *parley.Proof) { p.Message = *p.Read },
				"proof: message: the envelope is not from"},
			{"another index", func(p *parley.Proof) { p.Message.Log.Index++ },
				"proof: message: the proof is for entry 1, the envelope's sequence number says 0"},
			{"identities swapped", func(p *parley.Proof) { p.Identities[0], p.Identities[1] = p.Identities[1], p.Identities[0] },
				"proof: message: the envelope is not from"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var p parley.Proof
				if err := json.Unmarshal(full, &p); err != nil {
					t.Fatal(err)
				}
				tt.change(&p)
				b, err := json.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				_, err = parley.VerifyProof(bytes.NewReader(b))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want an error containing %q", err, tt.want)
				}
			})
		}
	})
}

// flipSample is the positions of a bundle of n bytes whose flips
// TestProofBundle checks: every byte of the first 4 KiB (the sender's
// identity) and of the last 2 KiB (the read receipt's checkpoint and
// inclusion proof), and one in 64 between (over 7,000 positions for the
// 64 KB bundle with both receipts).
func flipSample(n int) []int {
	var out []int
	for i := range n {
		if i < 4096 || i >= n-2048 || i%64 == 0 {
			out = append(out, i)
		}
	}
	return out
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "-race" && s.Value == "true" })
}

// TestEquivocationEvidence has north sign checkpoints of its letters log
// that conflict with the one south cosigned, and checks that south refuses
// each and keeps evidence a third party can check with north's key alone.
func TestEquivocationEvidence(t *testing.T) {
	tests := []struct {
		name     string
		size     int64 // of the second checkpoint; the first, cosigned, is of 4
		forge    bool  // a root that is not the log's
		kind     string
		code     parley.Code
		provable bool // CheckEquivocation proves the evidence with north's key
	}{
		{"equivocation", 4, true, "equivocation", parley.CodeCheckpointRefused, true},
		{"rollback", 3, false, "rollback", parley.CodeCheckpointRefused, false},
		{"inconsistent", 5, true, "inconsistent", parley.CodeCheckpointRefused, false},
		{"ahead", 6, false, "", "", false},
		{"same again", 4, false, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "north", "south")
			ctx := t.Context()
			north, south := w.nodes["north"], w.nodes["south"]
			for i := range 5 {
				if _, err := north.Send(ctx, "south", &parley.Content{Text: fmt.Sprintf("Letter %d.", i+1)}); err != nil {
					t.Fatal(err)
				}
			}
			w.deliver("north", "south")
			p, err := north.Store.PeerByName(ctx, "south")
			if err != nil {
				t.Fatal(err)
			}
			northKey := parley.TranscriptKey(north.Identity.Public(), north.Identity)
			legit, _, err := north.SignCheckpoint(ctx, p, parley.LogOut, 4)
			if err != nil {
				t.Fatal(err)
			}
			cosigned, err := south.Witness(ctx, legit)
			if err != nil {
				t.Fatalf("witnessing the legitimate checkpoint: %v", err)
			}
			var told []parley.Evidence
			south.OnMisbehaviour(func(_ parley.Peer, e parley.Evidence) { told = append(told, e) })

			second, c, err := north.SignCheckpoint(ctx, p, parley.LogOut, min(tt.size, 5))
			if err != nil {
				t.Fatal(err)
			}
			if tt.forge || tt.size > 5 {
				c.Size = tt.size
				if tt.forge {
					c.Root[0] ^= 0x01
				}
				if second, err = transcript.Sign(c, northKey); err != nil {
					t.Fatal(err)
				}
			}
			got, err := south.Witness(ctx, second)
			evs, eerr := south.Store.Evidence(ctx)
			if eerr != nil {
				t.Fatal(eerr)
			}
			if tt.kind == "" {
				var ahead *parley.ErrCheckpointAhead
				switch {
				case tt.size > 5 && (!errors.As(err, &ahead) || ahead.Have != 5):
					t.Errorf("got %v, want ErrCheckpointAhead with 5 entries held", err)
				case tt.size <= 5 && (err != nil || !bytes.Equal(got, cosigned)):
					t.Errorf("got %v, want the note cosigned before", err)
				}
				if len(evs) != 0 || len(told) != 0 {
					t.Errorf("got evidence %+v (told %d), want none", evs, len(told))
				}
				return
			}
			var pe *parley.Error
			if !errors.As(err, &pe) || pe.Code != tt.code || got != nil {
				t.Fatalf("got %q, %v; want a refusal with code %s", got, err, tt.code)
			}
			if len(evs) != 1 || len(told) != 1 {
				t.Fatalf("got %d pieces of evidence (%d told), want 1", len(evs), len(told))
			}
			e := evs[0]
			if e.Kind != tt.kind || e.Peer != north.Identity.Fingerprint() || e.Log != parley.LogIn {
				t.Errorf("got evidence %s on %s's %s, want %s on north's %s", e.Kind, e.Peer.Short(), e.Log, tt.kind, parley.LogIn)
			}
			if tt.kind == "inconsistent" {
				if !bytes.Equal(e.Data, second) {
					t.Errorf("got data %q, want the refused note", e.Data)
				}
				return
			}
			eq, err := transcript.DecodeEquivocation(e.Data)
			if err != nil {
				t.Fatalf("evidence data: %v", err)
			}
			if !bytes.Equal(eq.A, cosigned) || !bytes.Equal(eq.B, second) {
				t.Errorf("got notes\n%s\n%s\nwant the cosigned one, then the refused one", eq.A, eq.B)
			}
			northPub := parley.TranscriptKey(north.Identity.Public(), nil)
			southPub := parley.TranscriptKey(south.Identity.Public(), nil)
			if err := transcript.CheckEquivocation(eq, northPub); (err == nil) != tt.provable {
				t.Errorf("CheckEquivocation with north's key: %v, want proved: %v", err, tt.provable)
			}
			if err := transcript.CheckEquivocation(eq, southPub); err == nil {
				t.Error("CheckEquivocation with south's key proved north's equivocation")
			}
		})
	}
}
