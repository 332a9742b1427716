package main

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLIProof walks the accountability story through the CLI: letters go
// both ways, one is read, the checkpointers cosign the logs, `parley proof`
// writes a bundle for a letter with its receipts, `parley verify` accepts it
// offline and refuses an altered copy, and `parley verify --store` audits
// both data directories.
func TestCLIProof(t *testing.T) {
	root := t.TempDir()
	north, south, _ := e2eInitPair(t, root)
	fast := []string{"--retry-min", "20ms", "--retry-max", "300ms", "--poll-interval", "50ms", "--checkpoint-interval", "200ms"}
	e2eServe(t, "north", append([]string{"--dir", north.dir}, fast...)...)
	e2eServe(t, "south", append([]string{"--dir", south.dir}, fast...)...)
	e2eWaitHealthy(t, north.addr, 20*time.Second)
	e2eWaitHealthy(t, south.addr, 20*time.Second)

	const warning = "We warned you: the two brothers travel on Tuesday."
	id := strings.TrimSpace(e2eMust(t, "send", "--dir", north.dir, "--to", "south", "--text", warning))
	for i := range 3 {
		e2eMust(t, "send", "--dir", north.dir, "--to", "south", "--text", "letter "+string(rune('a'+i)))
		e2eMust(t, "send", "--dir", south.dir, "--to", "north", "--text", "reply "+string(rune('a'+i)))
	}
	e2eEventually(t, 30*time.Second, "the letter at south", func() (bool, error) {
		return e2eRun(t, "show", id, "--dir", south.dir).code == 0, nil
	})
	bundle := filepath.Join(root, "proof.json")
	e2eEventually(t, 30*time.Second, "a proof with both receipts", func() (bool, error) {
		r := e2eRun(t, "proof", "--dir", north.dir, "--message", id, "--with-receipts", "-o", bundle)
		if r.code != 0 {
			return false, nil
		}
		b, err := os.ReadFile(bundle)
		return err == nil && strings.Contains(string(b), `"read"`), err
	})
	if st, err := os.Stat(bundle); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("bundle mode = %v, %v; want 0600", st.Mode(), err)
	}
	out := e2eMust(t, "verify", bundle)
	t.Log(out)
	for _, want := range []string{
		"north sent letter #1 to south",
		"Text: \"" + warning + "\"",
		"It is entry 0 of north's letters log: checkpoint of size",
		"cosigned by south",
		"south acknowledged delivery at",
		"south read it at",
		"Every check passed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	// The receiver can prove the same message from its side.
	southBundle := filepath.Join(root, "south-proof.json")
	e2eEventually(t, 30*time.Second, "south's proof", func() (bool, error) {
		return e2eRun(t, "proof", "--dir", south.dir, "--message", id, "--with-receipts", "-o", southBundle).code == 0, nil
	})
	if out := e2eMust(t, "verify", southBundle); !strings.Contains(out, "Every check passed.") {
		t.Errorf("south's bundle:\n%s", out)
	}

	// An altered bundle does not verify, and says why.
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	altered := filepath.Join(root, "altered.json")
	if err := os.WriteFile(altered, []byte(strings.Replace(string(b), `"index": 0`, `"index": 1`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e2eRun(t, "verify", altered)
	if r.code != 1 || !strings.Contains(r.stderr, "does NOT verify") || !strings.Contains(r.stderr, "entry") {
		t.Errorf("verify of an altered bundle: exit %d, stderr %q", r.code, r.stderr)
	}

	for _, n := range []*e2eCLINode{north, south} {
		out := e2eMust(t, "verify", "--store", n.dir)
		if !strings.Contains(out, "Every check passed") || !strings.Contains(out, "letters/ours") {
			t.Errorf("verify --store %s:\n%s", n.name, out)
		}
	}
	if out := e2eMust(t, "evidence", "list", "--dir", north.dir); !strings.HasPrefix(out, "No evidence") {
		t.Errorf("evidence list = %q", out)
	}
}

// serve audits the transcripts before it starts and refuses to start on a
// store that was altered, unless start_audit is off.
func TestServeRefusesAlteredStore(t *testing.T) {
	root := t.TempDir()
	north, south, _ := e2eInitPair(t, root)
	fast := []string{"--retry-min", "20ms", "--retry-max", "300ms", "--poll-interval", "50ms"}
	// Exchange a few letters with both nodes serving, then stop them.
	func() {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan int, 2)
		for _, n := range []*e2eCLINode{north, south} {
			go func() {
				done <- run(ctx, append([]string{"serve", "--dir", n.dir}, fast...), &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
			}()
		}
		e2eWaitHealthy(t, north.addr, 20*time.Second)
		e2eWaitHealthy(t, south.addr, 20*time.Second)
		for range 3 {
			e2eMust(t, "send", "--dir", north.dir, "--to", "south", "--text", "kept as sent")
		}
		e2eEventually(t, 30*time.Second, "delivery", func() (bool, error) {
			var st e2eStatus
			e2eJSON(t, &st, "status", "--dir", north.dir, "--json")
			return st.Peers[0].QueueDepth == 0, nil
		})
		cancel()
		<-done
		<-done
	}()
	if out := e2eMust(t, "verify", "--store", south.dir); !strings.Contains(out, "Every check passed") {
		t.Fatalf("verify --store before tampering:\n%s", out)
	}
	// Someone with access to south's database rewrites a received letter.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(south.dir, "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE messages SET envelope = CAST(substr(envelope, 1, 200) || X'00' || substr(envelope, 202) AS BLOB) WHERE direction = 'in' AND seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	r := e2eRun(t, "verify", "--store", south.dir)
	if r.code != 1 || !strings.Contains(r.stdout, "PROBLEM: north, log letters/theirs: entry 1") {
		t.Errorf("verify --store after tampering: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = e2eRun(t, append([]string{"serve", "--dir", south.dir}, fast...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "the transcripts do not verify") || !strings.Contains(r.stderr, "start_audit = off") {
		t.Errorf("serve on an altered store: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// Told otherwise, it starts (and says so).
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	logs := &e2eSyncBuffer{}
	go func() {
		done <- run(ctx, append([]string{"serve", "--dir", south.dir, "--start-audit", "off"}, fast...), &cli{stdin: strings.NewReader(""), stdout: logs, stderr: logs})
	}()
	e2eWaitHealthy(t, south.addr, 20*time.Second)
	cancel()
	if code := <-done; code != 0 || !strings.Contains(logs.String(), "audit at start-up is off") {
		t.Errorf("serve --start-audit off: exit %d\n%s", code, logs.String())
	}
}
