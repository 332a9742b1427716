package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

// The JSON `parley store copy --json` and `parley migrate --json` print,
// spelled out so that a renamed field breaks these tests.
type storeCopyJSON struct {
	From             string         `json:"from"`
	To               string         `json:"to"`
	Rows             map[string]int `json:"rows"`
	MessagesVerified int            `json:"messages_verified"`
	ReceiptsVerified int            `json:"receipts_verified"`
	Problems         []string       `json:"problems"`
	Seconds          float64        `json:"seconds"`
}

type migrateJSON struct {
	Store         string `json:"store"`
	Dialect       string `json:"dialect"`
	SchemaVersion int    `json:"schema_version"`
}

// storeUnsetenv removes key from the environment for the rest of the test.
func storeUnsetenv(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "") // restores the old value at cleanup
	os.Unsetenv(key)
}

// storeExchange plays a small exchange between two nodes serving in this
// process on SQLite, stops them, and returns north's data directory: three
// letters north to south (one with an attachment), two back, one read on
// each side, every delivered and read receipt home.
func storeExchange(t *testing.T) (dir string) {
	t.Helper()
	ctx := t.Context()
	d, northAtSouth, southAtNorth := e2eNodePair(t)
	north, south := d.north.o.node, d.south.o.node
	var toSouth, toNorth []parley.Message
	for _, c := range []*parley.Content{
		{Text: "We propose to reopen a channel."},
		{Text: "Our terms are attached.", Attachments: []parley.Attachment{{Name: "terms.txt", Type: "text/plain; charset=utf-8", Data: []byte("1. Everything is signed.\n")}}},
		{Text: "A third letter."},
	} {
		m, err := north.Send(ctx, "south", c)
		if err != nil {
			t.Fatal(err)
		}
		toSouth = append(toSouth, m)
	}
	for _, text := range []string{"We are willing.", "Our answer to your terms follows."} {
		m, err := south.Send(ctx, "north", &parley.Content{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		toNorth = append(toNorth, m)
	}
	queuesEmpty := func() (bool, error) {
		for _, n := range []*parley.Node{north, south} {
			sts, err := n.Store.Status(ctx)
			if err != nil {
				return false, err
			}
			if len(sts) != 1 || sts[0].QueueDepth != 0 || sts[0].ReceiptQueue != 0 {
				return false, nil
			}
		}
		return true, nil
	}
	e2eEventually(t, 30*time.Second, "both outboxes to drain", queuesEmpty)
	if _, _, err := south.Open(ctx, toSouth[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := north.Open(ctx, toNorth[0].ID); err != nil {
		t.Fatal(err)
	}
	e2eEventually(t, 30*time.Second, "both read receipts to arrive", func() (bool, error) {
		for _, x := range []struct {
			n    *parley.Node
			peer parley.Peer
			id   envelope.ID
		}{{north, southAtNorth, toSouth[0].ID}, {south, northAtSouth, toNorth[0].ID}} {
			rs, err := x.n.Store.Receipts(ctx, x.peer.Fingerprint(), parley.Outbound, x.id)
			if err != nil || rs[envelope.Read] == nil {
				return false, err
			}
		}
		return queuesEmpty()
	})
	d.stopAll()
	return d.north.dir
}

// storeSnapshot is what the read-only commands print about a node.
func storeSnapshot(t *testing.T, dir string, read envelope.ID) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, args := range [][]string{
		{"inbox", "--json"},
		{"inbox", "--sent", "--json"},
		{"status", "--json"},
		{"peer", "list", "--json"},
		{"show", read.String(), "--json"}, // already read: show changes nothing
	} {
		out[strings.Join(args, " ")] = e2eMust(t, append(args, "--dir", dir)...)
	}
	return out
}

// TestStoreCopySQLiteToPostgres moves a node that has exchanged letters from
// SQLite to PostgreSQL with `parley store copy`, checks that the node shows
// the same data on both, that a copy never lands on a store that is not
// empty, and that a copy of a tampered store does not verify.
func TestStoreCopySQLiteToPostgres(t *testing.T) {
	pg1 := parleytest.NewPostgresDatabase(t) // skips, or fails under CI=true, without $PARLEY_TEST_POSTGRES
	pg2 := parleytest.NewPostgresDatabase(t)
	storeUnsetenv(t, "PARLEY_STORE")
	dir := storeExchange(t)

	var inbox struct{ Messages []e2eMessage }
	e2eJSON(t, &inbox, "inbox", "--json", "--dir", dir)
	if len(inbox.Messages) != 2 || inbox.Messages[0].ReadAt == nil {
		t.Fatalf("north's inbox on SQLite: %+v; want 2 letters, the first one read", inbox.Messages)
	}
	read, err := envelope.ParseID(inbox.Messages[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	before := storeSnapshot(t, dir, read)

	// north holds 3 letters out and 2 in, and one read receipt envelope each
	// way; receipts: 4 delivered (3 letters, 1 receipt envelope) and 1 read
	// signed by south, 3 delivered and 1 read signed by north.
	const messages, receipts = 7, 9
	t.Run("copy", func(t *testing.T) {
		r := e2eRun(t, "store", "copy", "--dir", dir, "--from", "sqlite:parley.db", "--to", pg1, "--json")
		if r.code != 0 {
			t.Fatalf("store copy: exit status %d, want 0\nstderr:\n%s", r.code, r.stderr)
		}
		if want := "verifying the source…\nverifying the copy…\n"; r.stderr != want {
			t.Errorf("store copy --json printed %q on stderr, want %q", r.stderr, want)
		}
		var got storeCopyJSON
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("store copy --json: %v\n%s", err, r.stdout)
		}
		if got.From != "sqlite:parley.db" || got.To != pg1 {
			t.Errorf("from %q, to %q; want %q, %q", got.From, got.To, "sqlite:parley.db", pg1)
		}
		if got.MessagesVerified != messages || got.ReceiptsVerified != receipts || len(got.Problems) != 0 {
			t.Errorf("verified %d messages and %d receipts, problems %q; want %d, %d and none",
				got.MessagesVerified, got.ReceiptsVerified, got.Problems, messages, receipts)
		}
		// Tables beyond these may come with later migrations.
		for table, want := range map[string]int{"peers": 1, "messages": messages, "outbox": 0, "receipts": receipts} {
			if n, ok := got.Rows[table]; !ok || n != want {
				t.Errorf("rows copied from %s: %d (listed: %t), want %d", table, n, ok, want)
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("into a store that is not empty", func(t *testing.T) {
		r := e2eRun(t, "store", "copy", "--dir", dir, "--from", "sqlite:parley.db", "--to", pg1, "--json")
		want := "parley store: copy: the destination already holds 1 peer(s); copy only into an empty store\n"
		if r.code != 1 || r.stdout != "" || r.stderr != want {
			t.Errorf("second copy into the same store: exit status %d, stdout %q, stderr %q; want 1, nothing, %q", r.code, r.stdout, r.stderr, want)
		}
	})

	t.Run("the node on PostgreSQL", func(t *testing.T) {
		t.Setenv("PARLEY_STORE", pg1)
		var m migrateJSON
		e2eJSON(t, &m, "migrate", "--json", "--dir", dir)
		if m.Dialect != "postgres" {
			t.Fatalf("with $PARLEY_STORE set, migrate opened a %s store, want postgres", m.Dialect)
		}
		after := storeSnapshot(t, dir, read)
		for cmd, want := range before {
			if got := after[cmd]; got != want {
				t.Errorf("parley %s on PostgreSQL printed\n%s\nwant what it printed on SQLite:\n%s", cmd, got, want)
			}
		}
	})

	t.Run("a tampered store does not verify", func(t *testing.T) {
		db, err := sql.Open("pgx", pg1)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var eid []byte
		var seq int64
		err = db.QueryRowContext(t.Context(), `UPDATE messages SET body = $1
			WHERE id = (SELECT MIN(id) FROM messages WHERE direction = 'in') RETURNING envelope_id, seq`,
			parley.EncodeContent(&parley.Content{Text: "We are not willing."})).Scan(&eid, &seq)
		if err != nil {
			t.Fatal(err)
		}
		problem := fmt.Sprintf("in message %s (peer south, seq %d): stored content does not match the signed commitment", envelope.ID(eid), seq)

		r := e2eRun(t, "store", "copy", "--dir", dir, "--from", pg1, "--to", pg2, "--json")
		want := "verifying the source…\nparley store: the source does not verify; nothing was copied:\n  " + problem + "\n"
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("copying a tampered store: exit status %d, stdout %q, stderr %q; want 1, nothing, %q", r.code, r.stdout, r.stderr, want)
		}
		dst, err := sql.Open("pgx", pg2)
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		var peers int
		if err := dst.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM peers`).Scan(&peers); err != nil || peers != 0 {
			t.Errorf("destination after a refused copy holds %d peers (%v), want 0", peers, err)
		}
	})
}

// TestMigrate checks that `parley migrate` brings SQLite and PostgreSQL
// stores to the same schema version, and is idempotent.
func TestMigrate(t *testing.T) {
	storeUnsetenv(t, "PARLEY_STORE")
	dir := filepath.Join(t.TempDir(), "north")
	e2eMust(t, "init", "--dir", dir, "--name", "north")
	migrate := func(t *testing.T, args ...string) migrateJSON {
		t.Helper()
		var m migrateJSON
		e2eJSON(t, &m, append([]string{"migrate", "--json", "--dir", dir}, args...)...)
		if m.SchemaVersion < 1 {
			t.Errorf("migrate %s: schema version %d, want at least 1", strings.Join(args, " "), m.SchemaVersion)
		}
		again := migrateJSON{}
		e2eJSON(t, &again, append([]string{"migrate", "--json", "--dir", dir}, args...)...)
		if again != m {
			t.Errorf("migrate %s twice: %+v, then %+v", strings.Join(args, " "), m, again)
		}
		return m
	}

	sqlite := migrate(t)
	if want := (migrateJSON{Store: "sqlite:parley.db", Dialect: "sqlite", SchemaVersion: sqlite.SchemaVersion}); sqlite != want {
		t.Errorf("migrate on SQLite: %+v, want %+v", sqlite, want)
	}
	if got, want := e2eMust(t, "migrate", "--dir", dir), fmt.Sprintf("sqlite:parley.db is at schema version %d\n", sqlite.SchemaVersion); got != want {
		t.Errorf("migrate printed %q, want %q", got, want)
	}

	t.Run("postgres", func(t *testing.T) {
		// The test server trusts local connections, so a password in the
		// URL is ignored by the server and must be hidden in the output.
		u, err := url.Parse(parleytest.NewPostgresDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), "s3cret")
		spec := u.String()
		redacted := strings.Replace(spec, ":s3cret@", ":xxxxx@", 1)

		pg := migrate(t, "--store", spec)
		if want := (migrateJSON{Store: redacted, Dialect: "postgres", SchemaVersion: sqlite.SchemaVersion}); pg != want {
			t.Errorf("migrate --store on PostgreSQL: %+v, want %+v (the same version as SQLite: store copy needs it)", pg, want)
		}
		t.Setenv("PARLEY_STORE", spec)
		if env := migrate(t); env != pg {
			t.Errorf("migrate with $PARLEY_STORE: %+v, want %+v", env, pg)
		}
	})
}
