package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// The tests in this file run the real CLI in process through run(), with
// real SQLite stores in temporary directories and real HTTP on 127.0.0.1,
// and read exactly what a user would see.

// e2eResult is what one command printed and returned.
type e2eResult struct {
	code           int
	stdout, stderr string
}

// e2eRun runs `parley args...` in process.
func e2eRun(t *testing.T, args ...string) e2eResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return e2eResult{code, out.String(), errb.String()}
}

// e2eMust runs a command that must succeed and returns its standard output.
func e2eMust(t *testing.T, args ...string) string {
	t.Helper()
	r := e2eRun(t, args...)
	if r.code != 0 {
		t.Fatalf("parley %s: exit status %d, want 0\nstderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// e2eJSON runs a command with --json output and decodes it into v.
func e2eJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := e2eMust(t, args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("parley %s: output is not the expected JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// e2eEventually polls cond every 20ms until it holds, and fails the test
// after limit.
func e2eEventually(t *testing.T, limit time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("waiting for %s: %v", what, t.Context().Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// e2eFreeAddr returns a loopback address that was free a moment ago.
func e2eFreeAddr(t *testing.T) string {
	t.Helper()
	// A port below Linux's ephemeral range (32768–60999): a listener another
	// test process opens on port 0 meanwhile cannot take it before the node
	// binds it.
	for range 200 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		return addr
	}
	t.Fatal("no free port below 32000")
	return ""
}

// e2eWaitHealthy waits until GET http://addr/healthz answers 200 "ok".
func e2eWaitHealthy(t *testing.T, addr string, limit time.Duration) {
	t.Helper()
	hc := &http.Client{Timeout: time.Second}
	e2eEventually(t, limit, "http://"+addr+"/healthz", func() (bool, error) {
		resp, err := hc.Get("http://" + addr + "/healthz")
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK && string(b) == "ok\n", nil
	})
}

// e2eSyncBuffer collects the log of a node serving in process, which writes
// from many goroutines while the test reads.
type e2eSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *e2eSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *e2eSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// e2eServe runs `parley serve` in process until the test ends, then checks
// that it shut down cleanly.
func e2eServe(t *testing.T, name string, args ...string) *e2eSyncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &e2eSyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), &cli{stdin: strings.NewReader(""), stdout: logs, stderr: logs})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("%s: parley serve exited with status %d, want 0", name, code)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s: parley serve did not stop within 30s of its context ending", name)
		}
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, logs.String())
		}
	})
	return logs
}

// The JSON shapes a script sees, spelled out here rather than borrowed from
// send.go so that a renamed field breaks this test.
type e2eMessage struct {
	ID          string     `json:"id"`
	Direction   string     `json:"direction"`
	Peer        string     `json:"peer"`
	Seq         uint64     `json:"seq"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	SentAt      time.Time  `json:"sent_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
	ReadAt      *time.Time `json:"read_at"`
	Preview     string     `json:"preview"`
	Text        *string    `json:"text"`
	Attachments []struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Size  int    `json:"size"`
		Saved string `json:"saved"`
	} `json:"attachments"`
	Receipts []struct {
		Type     string    `json:"type"`
		SignedAt time.Time `json:"signed_at"`
		SignedBy string    `json:"signed_by"`
		Verified bool      `json:"verified"`
	} `json:"receipts"`
}

type e2eStatus struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	PublicURL   string `json:"public_url"`
	Peers       []struct {
		Name         string     `json:"name"`
		URL          string     `json:"url"`
		Fingerprint  string     `json:"fingerprint"`
		QueueDepth   int        `json:"queue_depth"`
		ReceiptQueue int        `json:"receipt_queue"`
		Held         int        `json:"held"`
		Sent         int        `json:"sent"`
		Received     int        `json:"received"`
		LastDelivery *time.Time `json:"last_delivery"`
		LastError    string     `json:"last_error"`
	} `json:"peers"`
}

// e2eReceipt returns the receipt of type typ listed by `show --json`.
func e2eReceipt(m e2eMessage, typ string) (signedBy string, verified, ok bool) {
	for _, r := range m.Receipts {
		if r.Type == typ {
			return r.SignedBy, r.Verified, true
		}
	}
	return "", false, false
}

var e2eSafetyNumber = regexp.MustCompile(`(?m)^Safety number: (\d{5}(?: \d{5}){11})$`)
var e2eFingerprint = regexp.MustCompile(`(?m)^Fingerprint: ([0-9a-f]{64})$`)

// e2eCLINode is a node driven through the CLI.
type e2eCLINode struct {
	name, dir, addr, fingerprint, identityFile string
}

// e2eInitPair creates north and south under root with `parley init` and pins
// them to each other with `identity export` and `peer add`, checking what
// each command prints. It returns the two nodes and the safety number.
func e2eInitPair(t *testing.T, root string) (north, south *e2eCLINode, safety string) {
	t.Helper()
	north = &e2eCLINode{name: "north", dir: filepath.Join(root, "north"), addr: e2eFreeAddr(t)}
	south = &e2eCLINode{name: "south", dir: filepath.Join(root, "south"), addr: e2eFreeAddr(t)}
	for _, n := range []*e2eCLINode{north, south} {
		out := e2eMust(t, "init", "--dir", n.dir, "--name", n.name, "--listen", n.addr)
		if want := fmt.Sprintf("Created node %q in %s\n", n.name, n.dir); !strings.HasPrefix(out, want) {
			t.Fatalf("init %s printed\n%s\nwant it to start with %q", n.name, out, want)
		}
		m := e2eFingerprint.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("init %s printed no fingerprint:\n%s", n.name, out)
		}
		n.fingerprint = m[1]

		n.identityFile = filepath.Join(root, n.name+".identity")
		r := e2eRun(t, "identity", "export", "--dir", n.dir, "-o", n.identityFile)
		if r.code != 0 || r.stdout != "" {
			t.Fatalf("identity export %s: exit status %d, stdout %q, stderr %q", n.name, r.code, r.stdout, r.stderr)
		}
		if want := fmt.Sprintf("Wrote the public identity of %q to %s (fingerprint %s)\n", n.name, n.identityFile, n.fingerprint); r.stderr != want {
			t.Fatalf("identity export %s printed %q, want %q", n.name, r.stderr, want)
		}
	}
	var sns []string
	for _, x := range [][2]*e2eCLINode{{north, south}, {south, north}} {
		self, peer := x[0], x[1]
		out := e2eMust(t, "peer", "add", peer.identityFile, "--dir", self.dir)
		m := e2eSafetyNumber.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("peer add on %s printed no safety number:\n%s", self.name, out)
		}
		want := fmt.Sprintf("Pinned peer %q at http://%s\nFingerprint:   %s\nSafety number: %s\n"+
			"Compare the safety number with your peer over another channel (voice, in person) before you trust it.\n",
			peer.name, peer.addr, peer.fingerprint, m[1])
		if out != want {
			t.Fatalf("peer add on %s printed\n%s\nwant\n%s", self.name, out, want)
		}
		sns = append(sns, m[1])
	}
	if sns[0] != sns[1] {
		t.Fatalf("safety numbers differ: north sees %q, south sees %q", sns[0], sns[1])
	}
	return north, south, sns[0]
}

// TestCLIScenario walks the story of two organisations through the CLI:
// create nodes, pin each other, serve, send a letter and a file, read them,
// and see the signed receipts come back.
func TestCLIScenario(t *testing.T) {
	root := t.TempDir()
	north, south, _ := e2eInitPair(t, root)

	fast := []string{"--retry-min", "20ms", "--retry-max", "300ms", "--poll-interval", "50ms"}
	northLog := e2eServe(t, "north", append([]string{"--dir", north.dir}, fast...)...)
	southLog := e2eServe(t, "south", append([]string{"--dir", south.dir}, fast...)...)
	e2eWaitHealthy(t, north.addr, 20*time.Second)
	e2eWaitHealthy(t, south.addr, 20*time.Second)
	for _, x := range []struct {
		n    *e2eCLINode
		logs *e2eSyncBuffer
	}{{north, northLog}, {south, southLog}} {
		if got := x.logs.String(); !strings.Contains(got, "parley node serving") || !strings.Contains(got, "addr="+x.n.addr) {
			t.Errorf("log of %s does not say it serves on %s:\n%s", x.n.name, x.n.addr, got)
		}
	}

	// A letter with text only: the id is the whole output.
	const text1 = "We propose to reopen a channel between our services. Are you willing?"
	out := e2eMust(t, "send", "--dir", north.dir, "--to", "south", "--text", text1)
	id1, err := envelope.ParseID(strings.TrimSuffix(out, "\n"))
	if err != nil || out != id1.String()+"\n" {
		t.Fatalf("send printed %q, want one message id and a newline", out)
	}

	// A letter with a file attached, in two paragraphs, with JSON output.
	terms := []byte("1. Each side answers warnings within 72 hours.\n2. Everything is signed.\n")
	termsPath := filepath.Join(root, "terms.txt")
	if err := os.WriteFile(termsPath, terms, 0o600); err != nil {
		t.Fatal(err)
	}
	var sent struct {
		ID    string `json:"id"`
		Peer  string `json:"peer"`
		Seq   uint64 `json:"seq"`
		State string `json:"state"`
	}
	e2eJSON(t, &sent, "send", "--dir", north.dir, "--to", "south", "--text", "Our terms", "--text", "are attached.", "--file", termsPath, "--json")
	if sent.Peer != "south" || sent.Seq != 2 || sent.State != parley.StateQueued {
		t.Errorf("send --json = %+v, want peer south, seq 2, state queued", sent)
	}
	id2, err := envelope.ParseID(sent.ID)
	if err != nil {
		t.Fatalf("send --json printed id %q: %v", sent.ID, err)
	}
	const text2 = "Our terms\n\nare attached."

	e2eEventually(t, 30*time.Second, "north's queue to south to drain", func() (bool, error) {
		var st e2eStatus
		e2eJSON(t, &st, "status", "--dir", north.dir, "--json")
		if len(st.Peers) != 1 {
			return false, fmt.Errorf("status lists %d peers, want 1", len(st.Peers))
		}
		p := st.Peers[0]
		return p.QueueDepth == 0 && p.Sent == 2 && p.LastDelivery != nil, nil
	})

	var inbox struct {
		Messages []e2eMessage `json:"messages"`
	}
	e2eJSON(t, &inbox, "inbox", "--dir", south.dir, "--json")
	if len(inbox.Messages) != 2 {
		t.Fatalf("south's inbox lists %d messages, want 2:\n%+v", len(inbox.Messages), inbox.Messages)
	}
	for i, want := range []struct {
		id      envelope.ID
		preview string
		files   int
	}{{id1, text1[:59] + "…", 0}, {id2, "Our terms are attached.", 1}} {
		m := inbox.Messages[i]
		if m.ID != want.id.String() || m.Direction != "in" || m.Peer != "north" || m.Seq != uint64(i+1) ||
			m.Kind != "letter" || m.State != parley.StateApplied || m.ReadAt != nil || m.Text != nil {
			t.Errorf("inbox message %d = %+v, want id %s from north, seq %d, an applied unread letter without its text", i, m, want.id, i+1)
		}
		if m.Preview != want.preview {
			t.Errorf("inbox message %d preview = %q, want %q", i, m.Preview, want.preview)
		}
		if len(m.Attachments) != want.files {
			t.Errorf("inbox message %d lists %d attachments, want %d", i, len(m.Attachments), want.files)
		}
	}

	// south opens the letter with the file: the text, the attachment (saved
	// intact), and the read mark; a read receipt goes back to north.
	saveDir := filepath.Join(root, "saved")
	var shown e2eMessage
	e2eJSON(t, &shown, "show", id2.String(), "--dir", south.dir, "--save", saveDir, "--json")
	if shown.Text == nil || *shown.Text != text2 {
		t.Errorf("show text = %v, want %q", shown.Text, text2)
	}
	if shown.ReadAt == nil {
		t.Errorf("show did not mark the message read: %+v", shown)
	}
	if len(shown.Attachments) != 1 {
		t.Fatalf("show lists %d attachments, want 1: %+v", len(shown.Attachments), shown.Attachments)
	}
	a := shown.Attachments[0]
	if a.Name != "terms.txt" || a.Type != "text/plain; charset=utf-8" || a.Size != len(terms) || a.Saved != filepath.Join(saveDir, "terms.txt") {
		t.Errorf("attachment = %+v, want terms.txt, text/plain; charset=utf-8, %d bytes, saved in %s", a, len(terms), saveDir)
	}
	if got, err := os.ReadFile(a.Saved); err != nil || !bytes.Equal(got, terms) {
		t.Errorf("saved attachment = %q, %v; want %q", got, err, terms)
	}
	for _, typ := range []string{"delivered", "read"} {
		if by, ok, found := e2eReceipt(shown, typ); !found || by != "south" || !ok {
			t.Errorf("south's %s receipt: found %v, signed by %q, verified %v; want one signed by south that verifies", typ, found, by, ok)
		}
	}
	// Opening it again changes nothing; the other letter is still unread.
	var again e2eMessage
	e2eJSON(t, &again, "show", id2.String(), "--dir", south.dir, "--json")
	// The store keeps milliseconds; the first show reports the time it set.
	if again.ReadAt == nil || again.ReadAt.Sub(*shown.ReadAt).Abs() >= time.Millisecond {
		t.Errorf("second show: read_at = %v, want %v (unchanged)", again.ReadAt, shown.ReadAt)
	}
	var unread struct {
		Messages []e2eMessage `json:"messages"`
	}
	e2eJSON(t, &unread, "inbox", "--dir", south.dir, "--unread", "--json")
	if len(unread.Messages) != 1 || unread.Messages[0].ID != id1.String() {
		t.Errorf("inbox --unread = %+v, want only %s", unread.Messages, id1)
	}

	// north sees a delivered receipt at once and, soon, the read receipt,
	// both signed by south and verified against the pinned identity.
	var atNorth e2eMessage
	e2eEventually(t, 30*time.Second, "the read receipt at north", func() (bool, error) {
		atNorth = e2eMessage{}
		e2eJSON(t, &atNorth, "show", id2.String(), "--dir", north.dir, "--json")
		_, _, found := e2eReceipt(atNorth, "read")
		return found, nil
	})
	if atNorth.Direction != "out" || atNorth.Peer != "south" || atNorth.State != parley.StateDelivered || atNorth.DeliveredAt == nil || atNorth.ReadAt == nil {
		t.Errorf("north's copy = %+v, want an outbound delivered message to south with delivered_at and read_at", atNorth)
	}
	if atNorth.Text == nil || *atNorth.Text != text2 || len(atNorth.Attachments) != 1 {
		t.Errorf("north's copy has text %v and %d attachments, want %q and 1", atNorth.Text, len(atNorth.Attachments), text2)
	}
	for _, typ := range []string{"delivered", "read"} {
		if by, ok, found := e2eReceipt(atNorth, typ); !found || by != "south" || !ok {
			t.Errorf("north's %s receipt: found %v, signed by %q, verified %v; want one signed by south that verifies", typ, found, by, ok)
		}
	}
	var first e2eMessage
	e2eJSON(t, &first, "show", id1.String(), "--dir", north.dir, "--json")
	if _, _, found := e2eReceipt(first, "read"); found {
		t.Errorf("north holds a read receipt for %s, which south never opened", id1)
	}
	if by, ok, found := e2eReceipt(first, "delivered"); !found || by != "south" || !ok {
		t.Errorf("north's delivered receipt for %s: found %v, signed by %q, verified %v", id1, found, by, ok)
	}

	var st e2eStatus
	e2eEventually(t, 30*time.Second, "south's read receipt queue to drain", func() (bool, error) {
		st = e2eStatus{}
		e2eJSON(t, &st, "status", "--dir", south.dir, "--json")
		return len(st.Peers) == 1 && st.Peers[0].ReceiptQueue == 0, nil
	})
	if p := st.Peers[0]; st.Name != "south" || p.Name != "north" || p.Received != 2 || p.Held != 0 || p.Fingerprint != north.fingerprint {
		t.Errorf("south's status = %+v, want peer north (%s) with 2 received and none held", st, north.fingerprint)
	}
}

// TestCLIErrors checks the exact words and exit status a user gets for
// common mistakes: 2 for a bad invocation (with a pointer to --help), 1 for
// a command that could not do its work.
func TestCLIErrors(t *testing.T) {
	root := t.TempDir()
	north, south, _ := e2eInitPair(t, root)
	// A third node has no peers at all.
	lonely := filepath.Join(root, "lonely")
	e2eMust(t, "init", "--dir", lonely, "--name", "lonely", "--listen", e2eFreeAddr(t))
	empty := filepath.Join(root, "empty")
	missing := filepath.Join(root, "missing.txt")
	zero := strings.Repeat("0", 32)

	usage := func(cmd, msg string) string {
		return fmt.Sprintf("parley %s: %s\n(run `parley %s --help` for usage)\n", cmd, msg, cmd)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // exact, unless contains is set
		// contains are phrases stderr must hold, for messages that embed
		// text from the operating system.
		contains []string
	}{
		{"unknown command", []string{"frobnicate"}, 2, "parley: unknown command \"frobnicate\" (run `parley help`)\n", nil},
		{"send without --to", []string{"send", "--dir", north.dir, "--text", "hi"}, 2, usage("send", "--to PEER is required"), nil},
		{"send nothing", []string{"send", "--dir", north.dir, "--to", "south"}, 2, usage("send", "nothing to send: give --text TEXT, --file FILE or --records BUNDLE"), nil},
		{"send unquoted text", []string{"send", "--dir", north.dir, "--to", "south", "hello", "world"}, 2,
			usage("send", `unexpected argument "hello" (quote the text and pass it with --text)`), nil},
		{"send to unknown peer", []string{"send", "--dir", north.dir, "--to", "nobody", "--text", "hi"}, 1,
			"parley send: no peer named \"nobody\" (peers: south)\n", nil},
		{"send without peers", []string{"send", "--dir", lonely, "--to", "south", "--text", "hi"}, 1,
			"parley send: no peer named \"south\": this node has no peers yet (hint: `parley peer add FILE`)\n", nil},
		{"send missing file", []string{"send", "--dir", north.dir, "--to", "south", "--file", missing}, 1, "",
			[]string{"parley send: attachment: open " + missing + ": no such file or directory"}},
		{"send unknown flag", []string{"send", "--dir", north.dir, "--bogus"}, 2, "",
			// The flag package prints the error and the usage first.
			[]string{"flag provided but not defined: -bogus", usage("send", "flag provided but not defined: -bogus")}},
		{"init twice", []string{"init", "--dir", north.dir, "--name", "north"}, 1,
			"parley init: " + north.dir + " already holds an identity; refusing to overwrite it (choose another --dir)\n", nil},
		{"init without name", []string{"init", "--dir", filepath.Join(root, "new")}, 2,
			usage("init", "--name is required (the name peers will see, e.g. --name north)"), nil},
		{"show bad id", []string{"show", "--dir", north.dir, "xyz"}, 2,
			usage("show", "\"xyz\" is not a message id (32 hex digits, as printed by `parley send` and `parley inbox`)"), nil},
		{"show no id", []string{"show", "--dir", north.dir}, 2, usage("show", "want exactly one message id"), nil},
		{"show unknown id", []string{"show", "--dir", north.dir, zero}, 1,
			"parley show: no message " + zero + " on this node (see `parley inbox`)\n", nil},
		{"no node in dir", []string{"inbox", "--dir", empty}, 1,
			"parley inbox: " + empty + " has no parley.conf (hint: create a node with `parley init --dir " + empty + " --name NAME`)\n", nil},
		{"peer add twice", []string{"peer", "add", south.identityFile, "--dir", north.dir}, 1,
			"parley peer: a peer with the name \"south\" or this fingerprint is already pinned (hint: --name to choose another name)\n", nil},
		{"peer add own identity", []string{"peer", "add", north.identityFile, "--dir", north.dir}, 1,
			"parley peer: this identity file is this node's own identity\n", nil},
		{"serve bad option", []string{"serve", "--dir", north.dir, "--retry-max", "soon"}, 2,
			usage("serve", `retry_max = "soon": want a positive duration such as 500ms, 30s or 90d`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e2eRun(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit status = %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if tt.contains == nil && r.stderr != tt.stderr {
				t.Errorf("stderr =\n%q\nwant\n%q", r.stderr, tt.stderr)
			}
			for _, s := range tt.contains {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr =\n%s\nwant it to contain %q", r.stderr, s)
				}
			}
		})
	}

	t.Run("help", func(t *testing.T) {
		r := e2eRun(t, "help")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: parley COMMAND [flags]\n") || r.stderr != "" {
			t.Errorf("help: exit status %d, stdout %q, stderr %q; want 0 and the usage on stdout", r.code, r.stdout, r.stderr)
		}
		r = e2eRun(t)
		if r.code != 2 || !strings.HasPrefix(r.stdout, "Usage: parley COMMAND [flags]\n") {
			t.Errorf("no arguments: exit status %d, stdout %q; want 2 and the usage", r.code, r.stdout)
		}
	})
}

// e2eNodePair is two nodes serving in this process on 127.0.0.1 with real
// SQLite stores, pinned to each other, built with the demo's helpers.
func e2eNodePair(t *testing.T) (d *demo, northAtSouth, southAtNorth parley.Peer) {
	t.Helper()
	ctx := t.Context()
	logs := &e2eSyncBuffer{}
	d = &demo{c: &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}, root: t.TempDir(),
		log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	t.Cleanup(func() {
		d.stopAll()
		if t.Failed() {
			t.Logf("warnings and errors of both nodes:\n%s", logs.String())
		}
	})
	var err error
	if d.north, err = d.newNode(ctx, "north"); err != nil {
		t.Fatal(err)
	}
	if d.south, err = d.newNode(ctx, "south"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*demoNode{d.north, d.south} {
		if err := d.open(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	pin := func(self, other *demoNode) parley.Peer {
		f, pub, err := parley.ParseIdentityFile(parley.ExportIdentity(other.o.node.Identity, other.name, other.o.cfg.PublicURL))
		if err != nil {
			t.Fatal(err)
		}
		p := parley.Peer{Name: f.Name, URL: f.URL, Identity: pub, AddedAt: time.Now(),
			Channel: parley.ChannelID(self.o.node.Identity.Fingerprint(), pub.Fingerprint())}
		if err := self.o.node.Store.AddPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	southAtNorth = pin(d.north, d.south)
	northAtSouth = pin(d.south, d.north)
	for _, n := range []*demoNode{d.north, d.south} {
		if err := d.start(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	return d, northAtSouth, southAtNorth
}

// e2eCheckExchange checks guarantee 4 for one direction once the sender's
// outbox is empty: the receiver holds exactly the letters sent (by envelope
// id and by text), once each, applied, with sequence numbers 1..n listed in
// order; the sender holds, for every letter, a delivered receipt that names
// it and verifies against the receiver's pinned identity.
func e2eCheckExchange(t *testing.T, from, to *parley.Node, toAtFrom, fromAtTo parley.Peer, sent map[envelope.ID]string) {
	t.Helper()
	ctx := t.Context()
	n := len(sent)
	fromFP, toFP := fromAtTo.Fingerprint(), toAtFrom.Fingerprint()

	in, err := to.Store.Messages(ctx, parley.Filter{Direction: parley.Inbound, Peer: &fromFP})
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != n {
		t.Errorf("%s holds %d inbound messages from %s, want %d", to.Name, len(in), from.Name, n)
	}
	seen := map[envelope.ID]bool{}
	texts := map[string]bool{}
	for i, m := range in {
		if m.Seq != uint64(i+1) || m.State != parley.StateApplied {
			t.Errorf("%s inbox position %d: seq %d, state %s; want seq %d, applied", to.Name, i, m.Seq, m.State, i+1)
		}
		if seen[m.ID] {
			t.Errorf("%s holds envelope %s twice", to.Name, m.ID)
		}
		seen[m.ID] = true
		want, ok := sent[m.ID]
		if !ok {
			t.Errorf("%s holds envelope %s (seq %d), which %s never sent", to.Name, m.ID, m.Seq, from.Name)
			continue
		}
		c, err := parley.DecodeContent(m.Body, parley.DefaultLimits)
		if err != nil || c.Text != want {
			t.Errorf("%s: envelope %s holds %v (%v), want %q", to.Name, m.ID, c, err, want)
			continue
		}
		if texts[c.Text] {
			t.Errorf("%s received the letter %q twice", to.Name, c.Text)
		}
		texts[c.Text] = true
	}
	if t.Failed() {
		return
	}
	applied, err := to.Store.Messages(ctx, parley.Filter{Direction: parley.Inbound, Peer: &fromFP, States: []string{parley.StateApplied}})
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != n {
		t.Errorf("%s lists %d applied messages from %s in its inbox, want %d", to.Name, len(applied), from.Name, n)
	}

	out, err := from.Store.Messages(ctx, parley.Filter{Direction: parley.Outbound, Peer: &toFP})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != n {
		t.Errorf("%s holds %d outbound messages to %s, want %d", from.Name, len(out), to.Name, n)
	}
	bad := 0
	for _, m := range out {
		rs, err := from.Store.Receipts(ctx, toFP, parley.Outbound, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := rs[envelope.Delivered]
		var why string
		switch {
		case m.State != parley.StateDelivered || m.DeliveredAt.IsZero():
			why = fmt.Sprintf("state %s, delivered at %v", m.State, m.DeliveredAt)
		case r == nil:
			why = "no delivered receipt"
		case r.Envelope != m.ID || r.Seq != m.Seq || r.Hash != m.Hash || r.Channel != m.Channel || r.Sender != from.Identity.Fingerprint() || r.Recipient != toFP:
			why = "the delivered receipt names another envelope"
		default:
			if err := r.Verify(toAtFrom.Identity); err != nil {
				why = "the delivered receipt does not verify: " + err.Error()
			}
		}
		if why != "" {
			if bad++; bad <= 10 {
				t.Errorf("%s: letter %s (seq %d) to %s: %s", from.Name, m.ID, m.Seq, to.Name, why)
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d letters in all without a valid delivered receipt", from.Name, bad)
	}
	sts, err := from.Store.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		if s.Peer.Name == toAtFrom.Name && (s.QueueDepth != 0 || s.Sent != n) {
			t.Errorf("%s's status for %s: queue depth %d, sent %d; want 0 and %d", from.Name, to.Name, s.QueueDepth, s.Sent, n)
		}
	}
	sts, err = to.Store.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		if s.Peer.Name == fromAtTo.Name && (s.Held != 0 || s.Received != n) {
			t.Errorf("%s's status for %s: held %d, received %d; want 0 and %d", to.Name, from.Name, s.Held, s.Received, n)
		}
	}
}

// TestExchange1000BothWays sends 1,000 letters each way at once, from
// several goroutines per side, between two nodes serving on loopback.
func TestExchange1000BothWays(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 2,000 letters; skipped with -short")
	}
	const letters, senders = 1000, 4
	d, northAtSouth, southAtNorth := e2eNodePair(t)
	north, south := d.north.o.node, d.south.o.node

	type direction struct {
		from *parley.Node
		to   string
		mu   sync.Mutex
		sent map[envelope.ID]string
		seqs []uint64
	}
	dirs := []*direction{
		{from: north, to: "south", sent: map[envelope.ID]string{}},
		{from: south, to: "north", sent: map[envelope.ID]string{}},
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, dir := range dirs {
		for s := range senders {
			wg.Go(func() {
				for i := s; i < letters; i += senders {
					text := fmt.Sprintf("%s to %s, letter %04d", dir.from.Name, dir.to, i)
					m, err := dir.from.Send(t.Context(), dir.to, &parley.Content{Text: text})
					if err != nil {
						t.Errorf("%s: send %d: %v", dir.from.Name, i, err)
						return
					}
					dir.mu.Lock()
					dir.sent[m.ID] = text
					dir.seqs = append(dir.seqs, m.Seq)
					dir.mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	queued := time.Since(start)
	for _, dir := range dirs {
		if len(dir.sent) != letters {
			t.Fatalf("%s: %d distinct ids for %d letters sent", dir.from.Name, len(dir.sent), letters)
		}
		slices.Sort(dir.seqs)
		for i, s := range dir.seqs {
			if s != uint64(i+1) {
				t.Fatalf("%s: Send allocated sequence numbers %v…, want 1..%d without gaps or repeats", dir.from.Name, dir.seqs[:i+1], letters)
			}
		}
	}

	e2eEventually(t, 3*time.Minute, "both outboxes to drain", func() (bool, error) {
		for _, n := range []*parley.Node{north, south} {
			sts, err := n.Store.Status(t.Context())
			if err != nil {
				return false, err
			}
			if len(sts) != 1 || sts[0].QueueDepth != 0 {
				return false, nil
			}
		}
		return true, nil
	})
	t.Logf("%d letters each way: queued in %v, all delivered after %v", letters, queued.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	e2eCheckExchange(t, north, south, southAtNorth, northAtSouth, dirs[0].sent)
	e2eCheckExchange(t, south, north, northAtSouth, southAtNorth, dirs[1].sent)
	e2eCheckTranscripts(t, north, south, southAtNorth, northAtSouth)
}

// e2eCheckTranscripts checks that both nodes' transcripts survived: each
// audits clean, and each log one node operates has the same root, at the
// size the other holds, as the other's mirror of it.
func e2eCheckTranscripts(t *testing.T, a, b *parley.Node, bAtA, aAtB parley.Peer) {
	t.Helper()
	ctx := t.Context()
	for _, n := range []*parley.Node{a, b} {
		rep, err := n.Audit(ctx, 0)
		if err != nil {
			t.Fatalf("%s: audit: %v", n.Name, err)
		}
		for _, p := range rep.Problems {
			t.Errorf("%s: audit: %s", n.Name, p)
		}
	}
	for _, x := range []struct {
		op, mirror     *parley.Node
		atOp, atMirror parley.Peer
	}{{a, b, bAtA, aAtB}, {b, a, aAtB, bAtA}} {
		for _, l := range []parley.LogID{parley.LogOut, parley.LogOutFlash, parley.LogOurReceipts, parley.LogOurReceiptsFlash} {
			n, err := x.mirror.Store.LogSize(ctx, x.atMirror.Fingerprint(), l.Mirror())
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				continue
			}
			r1, err1 := tlog.TreeHash(n, x.op.Store.LogHashes(ctx, x.atOp.Fingerprint(), l))
			r2, err2 := tlog.TreeHash(n, x.mirror.Store.LogHashes(ctx, x.atMirror.Fingerprint(), l.Mirror()))
			if err1 != nil || err2 != nil || r1 != r2 {
				t.Errorf("%s's log %s and %s's mirror differ at size %d (%v, %v)", x.op.Name, l, x.mirror.Name, n, err1, err2)
			}
		}
	}
}
