package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test in this file drives the hotline through the CLI in process, as
// TestCLIScenario does for letters: two nodes serving on 127.0.0.1, a fast
// heartbeat, a peer that goes away and comes back, the report that results,
// a flash letter, `inbox --follow`, and the alerts each node POSTs to its
// webhook.

// hotlineEvent is the JSON body an alert webhook receives, spelled out here
// so that a renamed or added field breaks the test.
type hotlineEvent struct {
	Event     string    `json:"event"`
	Peer      string    `json:"peer"`
	At        time.Time `json:"at"`
	MessageID string    `json:"message_id"`
	Detail    string    `json:"detail"`
}

// hotlineWebhook is an alert receiver: it records every event POSTed to it
// and the raw bodies, and fails the test on a request that is not a JSON
// POST of exactly the documented fields.
type hotlineWebhook struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	events []hotlineEvent
	bodies []string
}

func newHotlineWebhook(t *testing.T) *hotlineWebhook {
	t.Helper()
	w := &hotlineWebhook{t: t}
	w.srv = httptest.NewServer(http.HandlerFunc(w.serveHTTP))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *hotlineWebhook) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var e hotlineEvent
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	switch {
	case err != nil:
		w.t.Errorf("webhook: reading the body: %v", err)
	case r.Method != http.MethodPost || mt != "application/json":
		w.t.Errorf("webhook: got %s with Content-Type %q, want POST application/json", r.Method, r.Header.Get("Content-Type"))
	default:
		if err := d.Decode(&e); err != nil {
			w.t.Errorf("webhook: body %s is not an event: %v", body, err)
		}
	}
	w.mu.Lock()
	w.events = append(w.events, e)
	w.bodies = append(w.bodies, string(body))
	w.mu.Unlock()
	rw.WriteHeader(http.StatusNoContent)
}

// find returns the first recorded event of kind about peer.
func (w *hotlineWebhook) find(kind, peer string) (hotlineEvent, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.events {
		if e.Event == kind && e.Peer == peer {
			return e, true
		}
	}
	return hotlineEvent{}, false
}

func (w *hotlineWebhook) all() ([]hotlineEvent, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]hotlineEvent(nil), w.events...), append([]string(nil), w.bodies...)
}

// hotlineServe runs `parley serve` in process and returns a function that
// stops it and checks that it exited cleanly; the test's cleanup calls it
// too, so a node may be stopped early and started again.
func hotlineServe(t *testing.T, name string, args ...string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &e2eSyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), &cli{stdin: strings.NewReader(""), stdout: logs, stderr: logs})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
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
	}
	t.Cleanup(stop)
	return stop
}

// hotlineStatus is `status --json` with the hotline fields.
type hotlineStatus struct {
	Name  string `json:"name"`
	Peers []struct {
		Name       string `json:"name"`
		Purpose    string `json:"purpose"`
		QueueDepth int    `json:"queue_depth"`
		Liveness   *struct {
			State     string     `json:"state"`
			Since     time.Time  `json:"since"`
			LastHeard *time.Time `json:"last_heard"`
			RTTms     float64    `json:"rtt_ms"`
			Missed    int        `json:"missed"`
			SkewMS    int64      `json:"skew_ms"`
		} `json:"liveness"`
	} `json:"peers"`
}

// hotlineInboxMessage is one message of `inbox --json`, with the flash flag.
type hotlineInboxMessage struct {
	ID      string `json:"id"`
	Peer    string `json:"peer"`
	Seq     uint64 `json:"seq"`
	Flash   bool   `json:"flash"`
	State   string `json:"state"`
	Preview string `json:"preview"`
}

// hotlineReport is `hotline report --json`.
type hotlineReport struct {
	Peer string `json:"peer"`
	Days []struct {
		Day            string   `json:"day"`
		Heartbeats     int      `json:"heartbeats"`
		Answered       int      `json:"answered"`
		Availability   *float64 `json:"availability_percent"`
		LongestOutageS float64  `json:"longest_outage_seconds"`
		MedianRTTms    float64  `json:"median_rtt_ms"`
		Measured       bool     `json:"measured"`
	} `json:"days"`
}

// TestHotlineCLI walks the hotline story through the CLI: north keeps a
// hotline to south, sees it go down and come back, alerts its webhook each
// time, reports the day's availability; a flash letter reaches south and
// its webhook; `inbox --follow` streams a new letter; bad input is refused
// with exit status 2.
func TestHotlineCLI(t *testing.T) {
	root := t.TempDir()
	north := &e2eCLINode{name: "north", dir: filepath.Join(root, "north"), addr: e2eFreeAddr(t)}
	south := &e2eCLINode{name: "south", dir: filepath.Join(root, "south"), addr: e2eFreeAddr(t)}
	for _, n := range []*e2eCLINode{north, south} {
		e2eMust(t, "init", "--dir", n.dir, "--name", n.name, "--listen", n.addr)
		n.identityFile = filepath.Join(root, n.name+".identity")
		e2eMust(t, "identity", "export", "--dir", n.dir, "-o", n.identityFile)
	}
	var added peerJSON
	e2eJSON(t, &added, "peer", "add", south.identityFile, "--dir", north.dir, "--purpose", "hotline", "--json")
	if added.Name != "south" || added.Purpose != "hotline" {
		t.Fatalf("peer add --purpose hotline --json = %+v, want south with purpose hotline", added)
	}
	e2eMust(t, "peer", "add", north.identityFile, "--dir", south.dir)

	northHook, southHook := newHotlineWebhook(t), newHotlineWebhook(t)
	serveArgs := func(n *e2eCLINode, hook *hotlineWebhook) []string {
		return []string{"--dir", n.dir, "--heartbeat-interval", "200ms", "--heartbeat-down-after", "2", "--webhook-url", hook.srv.URL,
			"--retry-min", "20ms", "--retry-max", "300ms", "--poll-interval", "50ms"}
	}
	hotlineServe(t, "north", serveArgs(north, northHook)...)
	stopSouth := hotlineServe(t, "south", serveArgs(south, southHook)...)
	e2eWaitHealthy(t, north.addr, 10*time.Second)
	e2eWaitHealthy(t, south.addr, 10*time.Second)

	// liveness returns north's view of south from `status --json`.
	liveness := func() (state string, rtt float64, missed int) {
		t.Helper()
		var st hotlineStatus
		e2eJSON(t, &st, "status", "--dir", north.dir, "--json")
		if len(st.Peers) != 1 || st.Peers[0].Name != "south" || st.Peers[0].Purpose != "hotline" {
			t.Fatalf("north's status lists %+v, want south with purpose hotline", st.Peers)
		}
		if l := st.Peers[0].Liveness; l != nil {
			return l.State, l.RTTms, l.Missed
		}
		return "", 0, 0
	}
	e2eEventually(t, 5*time.Second, "north to see south up with a round trip", func() (bool, error) {
		state, rtt, _ := liveness()
		return state == "up" && rtt > 0, nil
	})

	// south goes away: north counts two missed heartbeats, calls it down,
	// says so in `status`, and POSTs peer_down to its webhook. A letter
	// queued meanwhile waits for south to come back.
	stopSouth()
	const secret = "The meeting point moves to the old harbour."
	queued := strings.TrimSpace(e2eMust(t, "send", "--dir", north.dir, "--to", "south", "--text", secret))
	e2eEventually(t, 5*time.Second, "north to see south down", func() (bool, error) {
		state, _, missed := liveness()
		return state == "down" && missed >= 2, nil
	})
	if out := e2eMust(t, "status", "--dir", north.dir); !strings.Contains(out, "south is DOWN since ") || strings.Contains(out, "\x1b[") {
		t.Errorf("status with south down printed\n%s\nwant a line \"south is DOWN since …\" without colour (not a terminal)", out)
	}
	e2eEventually(t, 5*time.Second, "a peer_down event at north's webhook", func() (bool, error) {
		_, ok := northHook.find("peer_down", "south")
		return ok, nil
	})
	if e, _ := northHook.find("peer_down", "south"); e.MessageID != "" || e.At.IsZero() {
		t.Errorf("peer_down event = %+v, want a time and no message id", e)
	}

	// south comes back on the same address: up again, and peer_up.
	_ = hotlineServe(t, "south", serveArgs(south, southHook)...)
	e2eWaitHealthy(t, south.addr, 10*time.Second)
	e2eEventually(t, 5*time.Second, "north to see south up again", func() (bool, error) {
		state, _, _ := liveness()
		return state == "up", nil
	})
	e2eEventually(t, 5*time.Second, "a peer_up event at north's webhook", func() (bool, error) {
		_, ok := northHook.find("peer_up", "south")
		return ok, nil
	})

	// The day's report: some heartbeats answered, some not, one outage.
	today := time.Now().UTC().Format(time.DateOnly)
	var rep hotlineReport
	e2eJSON(t, &rep, "hotline", "report", "--dir", north.dir, "--peer", "south", "--since", today, "--until", today, "--json")
	if rep.Peer != "south" || len(rep.Days) != 1 || rep.Days[0].Day != today {
		t.Fatalf("hotline report = %+v, want one day, %s, for south", rep, today)
	}
	d := rep.Days[0]
	if d.Heartbeats <= 0 || d.Answered <= 0 || d.Answered >= d.Heartbeats || !d.Measured {
		t.Errorf("report: %d heartbeats, %d answered, measured %v; want some answered and some missed", d.Heartbeats, d.Answered, d.Measured)
	}
	if d.Availability == nil || *d.Availability <= 0 || *d.Availability >= 100 {
		t.Errorf("report: availability_percent = %v, want strictly between 0 and 100", d.Availability)
	} else if want := 100 * float64(d.Answered) / float64(d.Heartbeats); *d.Availability != want {
		t.Errorf("report: availability_percent = %v, want answered/heartbeats = %v", *d.Availability, want)
	}
	if d.LongestOutageS <= 0 || d.MedianRTTms <= 0 {
		t.Errorf("report: longest outage %vs, median round trip %vms; want both positive", d.LongestOutageS, d.MedianRTTms)
	}
	t.Logf("report for %s: %d heartbeats, %d answered, longest outage %.3fs, median round trip %.2fms", d.Day, d.Heartbeats, d.Answered, d.LongestOutageS, d.MedianRTTms)
	if out := e2eMust(t, "hotline", "report", "--dir", north.dir, "--peer", "south"); !strings.HasPrefix(out, "Hotline with south (purpose hotline), per UTC day\n") {
		t.Errorf("hotline report printed\n%s\nwant it to start with the peer and its purpose", out)
	}

	// A flash letter: flagged at both ends, and south's webhook learns of it
	// by id.
	var flash struct {
		ID    string `json:"id"`
		Flash bool   `json:"flash"`
	}
	e2eJSON(t, &flash, "send", "--dir", north.dir, "--to", "south", "--text", "FLASH: call us now", "--flash", "--json")
	if !flash.Flash || flash.ID == "" {
		t.Fatalf("send --flash --json = %+v, want an id and flash true", flash)
	}
	var inbox struct {
		Messages []hotlineInboxMessage `json:"messages"`
	}
	e2eEventually(t, 10*time.Second, "the flash and the queued letter in south's inbox", func() (bool, error) {
		inbox.Messages = nil
		e2eJSON(t, &inbox, "inbox", "--dir", south.dir, "--json")
		return len(inbox.Messages) == 2, nil
	})
	for _, m := range inbox.Messages {
		if want := m.ID == flash.ID; m.Flash != want || (m.ID != flash.ID && m.ID != queued) {
			t.Errorf("south's inbox holds %+v; want %s (flash) and %s (not flash)", m, flash.ID, queued)
		}
	}
	e2eEventually(t, 5*time.Second, "a flash_received event at south's webhook", func() (bool, error) {
		_, ok := southHook.find("flash_received", "north")
		return ok, nil
	})
	if e, _ := southHook.find("flash_received", "north"); e.MessageID != flash.ID {
		t.Errorf("flash_received event = %+v, want message id %s", e, flash.ID)
	}

	// `inbox --follow --json` prints what is there, then a new letter as
	// one more JSON line.
	fctx, stopFollow := context.WithCancel(t.Context())
	follow := &e2eSyncBuffer{}
	followErr := &e2eSyncBuffer{}
	followDone := make(chan int, 1)
	go func() {
		followDone <- run(fctx, []string{"inbox", "--dir", south.dir, "--follow", "--json"}, &cli{stdin: strings.NewReader(""), stdout: follow, stderr: followErr})
	}()
	lines := func() []hotlineInboxMessage {
		var ms []hotlineInboxMessage
		for l := range strings.Lines(follow.String()) {
			if !strings.HasSuffix(l, "\n") {
				break // a line being written
			}
			var m hotlineInboxMessage
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("inbox --follow --json printed a line that is not a JSON object: %q: %v", l, err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	e2eEventually(t, 5*time.Second, "inbox --follow to list the two messages", func() (bool, error) {
		return len(lines()) == 2, nil
	})
	start := time.Now()
	fresh := strings.TrimSpace(e2eMust(t, "send", "--dir", north.dir, "--to", "south", "--text", "Are you receiving?"))
	e2eEventually(t, 5*time.Second, "inbox --follow to print the new letter", func() (bool, error) {
		return len(lines()) >= 3, nil
	})
	t.Logf("inbox --follow printed a new letter %v after it was sent", time.Since(start).Round(time.Millisecond))
	stopFollow()
	select {
	case code := <-followDone:
		if code != 0 {
			t.Errorf("inbox --follow exited with status %d, want 0 (stderr %q)", code, followErr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("inbox --follow did not stop within 5s of its context ending")
	}
	got := lines()
	if len(got) != 3 || got[2].ID != fresh || got[2].Flash || got[2].Peer != "north" || got[2].Preview != "Are you receiving?" {
		t.Errorf("inbox --follow --json printed %+v, want the two messages and then %s", got, fresh)
	}
	if followErr.String() != "" {
		t.Errorf("inbox --follow --json wrote %q to stderr, want nothing", followErr.String())
	}

	// In text mode the flash letter rings the bell.
	tctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	var text bytes.Buffer
	if code := run(tctx, []string{"inbox", "--dir", south.dir, "--follow"}, &cli{stdin: strings.NewReader(""), stdout: &text, stderr: io.Discard}); code != 0 {
		t.Errorf("inbox --follow exited with status %d, want 0", code)
	}
	cancel()
	for l := range strings.Lines(text.String()) {
		if flashLine := strings.Contains(l, flash.ID); flashLine != strings.Contains(l, "\a FLASH") {
			t.Errorf("inbox --follow printed %q: want the bell and FLASH on the flash letter's line only", l)
		}
	}

	// Nothing an alert carried was message content.
	events, bodies := northHook.all()
	se, sb := southHook.all()
	events, bodies = append(events, se...), append(bodies, sb...)
	for i, b := range bodies {
		t.Logf("webhook event: %s", b)
		if strings.Contains(b, "harbour") || strings.Contains(b, "call us now") {
			t.Errorf("webhook body %s carries message content", b)
		}
		if e := events[i]; e.Event == "clock_skew" || e.Event == "flash_unread" {
			t.Errorf("unexpected alert %+v", e)
		}
	}

	// The purpose can be changed back.
	if out := e2eMust(t, "peer", "set", "south", "--dir", north.dir, "--purpose", "liaison"); out != "The channel with south: purpose liaison, records up to TLP:AMBER, kinds any, warnings answered within 3d0h.\n" {
		t.Errorf("peer set printed %q", out)
	}
	var list struct {
		Peers []peerJSON `json:"peers"`
	}
	e2eJSON(t, &list, "peer", "list", "--dir", north.dir, "--json")
	if len(list.Peers) != 1 || list.Peers[0].Name != "south" || list.Peers[0].Purpose != "liaison" {
		t.Errorf("peer list --json = %+v, want south with purpose liaison", list.Peers)
	}

	t.Run("bad input", func(t *testing.T) {
		usage := func(cmd, msg string) string {
			return fmt.Sprintf("parley %s: %s\n(run `parley %s --help` for usage)\n", cmd, msg, cmd)
		}
		const badPurpose = `purpose "bogus" must be social, liaison or hotline`
		tests := []struct {
			name   string
			args   []string
			code   int
			stderr string
		}{
			{"peer add bad purpose", []string{"peer", "add", north.identityFile, "--dir", south.dir, "--name", "other", "--purpose", "bogus"}, 2, usage("peer", badPurpose)},
			{"peer set bad purpose", []string{"peer", "set", "X", "--dir", north.dir, "--purpose", "bogus"}, 2, usage("peer", badPurpose)},
			{"peer set nothing", []string{"peer", "set", "south", "--dir", north.dir}, 2, usage("peer", "nothing to set: give --purpose, --max-tlp, --kinds or --respond-within")},
			{"report without peer", []string{"hotline", "report", "--dir", north.dir}, 2, usage("hotline", "--peer is required")},
			{"report bad since", []string{"hotline", "report", "--dir", north.dir, "--peer", "south", "--since", "notadate"}, 2,
				usage("hotline", `--since "notadate": want YYYY-MM-DD`)},
			{"report bad until", []string{"hotline", "report", "--dir", north.dir, "--peer", "south", "--until", "2026-13-01"}, 2,
				usage("hotline", `--until "2026-13-01": want YYYY-MM-DD`)},
			{"report backwards", []string{"hotline", "report", "--dir", north.dir, "--peer", "south", "--since", "2026-03-02", "--until", "2026-03-01"}, 2,
				usage("hotline", "--until is before --since")},
			{"report unknown peer", []string{"hotline", "report", "--dir", north.dir, "--peer", "nobody"}, 1,
				"parley hotline: no peer named \"nobody\" (peers: south)\n"},
			{"hotline without report", []string{"hotline", "--dir", north.dir}, 2, usage("hotline", "want `parley hotline report --peer PEER`")},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e2eRun(t, tt.args...)
				if r.code != tt.code || r.stdout != "" || r.stderr != tt.stderr {
					t.Errorf("exit status %d, stdout %q, stderr\n%q\nwant %d, nothing, and\n%q", r.code, r.stdout, r.stderr, tt.code, tt.stderr)
				}
			})
		}
		// The refused peer add pinned nothing.
		var list struct {
			Peers []peerJSON `json:"peers"`
		}
		e2eJSON(t, &list, "peer", "list", "--dir", south.dir, "--json")
		if len(list.Peers) != 1 || list.Peers[0].Name != "north" {
			t.Errorf("south's peers after a refused peer add: %+v, want north only", list.Peers)
		}
	})
}
