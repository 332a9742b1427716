package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The JSON shapes of board and stats, spelled out so that a renamed field
// breaks this test.
type recBoard struct {
	Items []struct {
		ID          string     `json:"id"`
		Direction   string     `json:"direction"`
		Peer        string     `json:"peer"`
		Kind        string     `json:"kind"`
		Seq         uint64     `json:"seq"`
		SentAt      time.Time  `json:"sent_at"`
		RespondBy   time.Time  `json:"respond_by"`
		ReadAt      *time.Time `json:"read_at"`
		Overdue     bool       `json:"overdue"`
		SecondsLeft int64      `json:"seconds_left"`
		Escalations int        `json:"escalations"`
	} `json:"items"`
}

type recStats struct {
	Stats []struct {
		Peer           string   `json:"peer"`
		Direction      string   `json:"direction"`
		Warnings       int      `json:"warnings"`
		Requests       int      `json:"requests"`
		Responses      int      `json:"responses"`
		Due            int      `json:"due"`
		AnsweredInTime int      `json:"answered_in_time"`
		Share          *float64 `json:"share_answered_in_time"`
		Answered       int      `json:"answered"`
		AnswerMedian   float64  `json:"answer_median_seconds"`
		OverdueNow     int      `json:"overdue_now"`
	} `json:"stats"`
}

// TestCLIWarning walks a warning through the CLI: build records with
// `record person`, send them as a warning with a deadline, see it on both
// boards, answer it with `respond`, and read the statistics.
func TestCLIWarning(t *testing.T) {
	root := t.TempDir()
	north, south, _ := e2eInitPair(t, root)
	fast := []string{"--retry-min", "20ms", "--retry-max", "300ms", "--poll-interval", "50ms"}
	e2eServe(t, "north", append([]string{"--dir", north.dir}, fast...)...)
	e2eServe(t, "south", append([]string{"--dir", south.dir}, fast...)...)
	e2eWaitHealthy(t, north.addr, 20*time.Second)
	e2eWaitHealthy(t, south.addr, 20*time.Second)

	bundle := filepath.Join(root, "warning.json")
	out := e2eMust(t, "record", "person", "--name", "Сергей Нарышкин", "--alias", "Sergei Naryshkin", "--dob", "1954-10-27",
		"--nationality", "RU", "--document", "passport:RU:7512345678", "--actor-type", "spy", "--into", bundle)
	if !strings.HasPrefix(out, bundle+" now holds ") {
		t.Errorf("record person printed %q", out)
	}
	e2eMust(t, "record", "financing", "--name", "Wallet of the network", "--kind", "crypto-wallet", "--wallet", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "--into", bundle)
	var b struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	raw, err := os.ReadFile(bundle)
	if err != nil || json.Unmarshal(raw, &b) != nil || b.Type != "bundle" || len(b.Objects) < 4 {
		t.Fatalf("bundle file: %v, type %q with %d objects", err, b.Type, len(b.Objects))
	}

	var sent struct {
		ID        string    `json:"id"`
		Kind      string    `json:"kind"`
		RespondBy time.Time `json:"respond_by"`
	}
	before := time.Now()
	e2eJSON(t, &sent, "send", "--dir", north.dir, "--to", "south", "--warning", "--records", bundle, "--respond-within", "3d",
		"--text", "He is expected in your capital next week.", "--json")
	if sent.Kind != "warning" || sent.RespondBy.Before(before.Add(72*time.Hour-time.Second)) || sent.RespondBy.After(time.Now().Add(72*time.Hour)) {
		t.Errorf("send --warning --json = %+v, want a warning due in 72h", sent)
	}

	e2eEventually(t, 30*time.Second, "the warning on south's board", func() (bool, error) {
		var bd recBoard
		e2eJSON(t, &bd, "board", "--dir", south.dir, "--json")
		return len(bd.Items) == 1, nil
	})
	for _, n := range []*e2eCLINode{north, south} {
		var bd recBoard
		e2eJSON(t, &bd, "board", "--dir", n.dir, "--json")
		it := bd.Items[0]
		wantDir := "out"
		if n == south {
			wantDir = "in"
		}
		if it.ID != sent.ID || it.Kind != "warning" || it.Direction != wantDir || it.Overdue || it.SecondsLeft < 71*3600 || !it.RespondBy.Equal(sent.RespondBy) {
			t.Errorf("%s board item = %+v", n.name, it)
		}
		txt := e2eMust(t, "board", "--dir", n.dir)
		if !strings.Contains(txt, sent.ID) || !strings.Contains(txt, "left") {
			t.Errorf("%s board text:\n%s", n.name, txt)
		}
	}
	shown := e2eMust(t, "show", sent.ID, "--dir", south.dir)
	for _, want := range []string{"Warning " + sent.ID, "Respond by:", "Сергей Нарышкин", "TLP"} {
		if !strings.Contains(shown, want) {
			t.Errorf("show does not contain %q:\n%s", want, shown)
		}
	}

	// A response to something that is not a received warning is refused.
	r := e2eRun(t, "respond", sent.ID, "--dir", north.dir, "--text", "answering myself")
	if r.code != 1 || !strings.Contains(r.stderr, "no received message "+sent.ID) {
		t.Errorf("respond on the sender: exit %d, stderr %q", r.code, r.stderr)
	}
	e2eMust(t, "respond", sent.ID, "--dir", south.dir, "--text", "Known to us; he will be met at the airport.")
	e2eEventually(t, 30*time.Second, "north's board to empty", func() (bool, error) {
		var bd recBoard
		e2eJSON(t, &bd, "board", "--dir", north.dir, "--json")
		return len(bd.Items) == 0, nil
	})
	if got := e2eMust(t, "board", "--dir", south.dir); got != "Nothing unanswered.\n" {
		t.Errorf("south's board after answering = %q", got)
	}
	var st recStats
	e2eJSON(t, &st, "stats", "--dir", north.dir, "--peer", "south", "--json")
	if len(st.Stats) != 2 {
		t.Fatalf("stats = %+v, want an out and an in row", st)
	}
	o := st.Stats[0]
	if o.Direction != "out" || o.Warnings != 1 || o.Answered != 1 || o.Due != 1 || o.AnsweredInTime != 1 || o.Share == nil || *o.Share != 1 || o.OverdueNow != 0 {
		t.Errorf("north's outbound stats = %+v", o)
	}
	if in := st.Stats[1]; in.Direction != "in" || in.Responses != 1 {
		t.Errorf("north's inbound stats = %+v, want one response", in)
	}
}

func TestCLIRecordAndPolicyErrors(t *testing.T) {
	root := t.TempDir()
	north, _, _ := e2eInitPair(t, root)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"record without a name", []string{"record", "person", "--dob", "1990"}, 2, "--name is required"},
		{"record with a bad TLP", []string{"record", "person", "--name", "X", "--tlp", "purple"}, 2, "--tlp"},
		{"record with a bad document", []string{"record", "person", "--name", "X", "--document", "passport"}, 2, "TYPE:COUNTRY:NUMBER"},
		{"unknown record type", []string{"record", "vehicle"}, 2, "record person"},
		{"warning and request", []string{"send", "--dir", north.dir, "--to", "south", "--warning", "--request", "--text", "x"}, 2, "exclude each other"},
		{"deadline on a letter", []string{"send", "--dir", north.dir, "--to", "south", "--respond-within", "3d", "--text", "x"}, 2, "--respond-within applies"},
		{"bad deadline", []string{"send", "--dir", north.dir, "--to", "south", "--warning", "--respond-within", "soon", "--text", "x"}, 2, "not a duration"},
		{"records that are not STIX", []string{"send", "--dir", north.dir, "--to", "south", "--warning", "--records", filepath.Join(root, "north.identity")}, 1, "records"},
		{"unknown kind in policy", []string{"peer", "set", "south", "--dir", north.dir, "--kinds", "person,vehicle"}, 2, "unknown record kind"},
		{"bad max TLP", []string{"peer", "set", "south", "--dir", north.dir, "--max-tlp", "black"}, 2, "--max-tlp"},
		{"stats since nonsense", []string{"stats", "--dir", north.dir, "--since", "yesterday"}, 2, "--since"},
		{"respond to a malformed id", []string{"respond", "xyz", "--dir", north.dir, "--text", "x"}, 2, "not a message id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e2eRun(t, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", r.code, r.stderr, tt.code, tt.want)
			}
		})
	}
	// A social channel refuses a phone number and says what triggered it.
	e2eMust(t, "peer", "set", "south", "--dir", north.dir, "--purpose", "social")
	r := e2eRun(t, "send", "--dir", north.dir, "--to", "south", "--text", "Call me: +7 495 123-45-67")
	if r.code != 1 || !strings.Contains(r.stderr, "not sent") || !strings.Contains(r.stderr, "+7 495 123-45-67") {
		t.Errorf("social send with a phone number: exit %d, stderr %q", r.code, r.stderr)
	}
	out := e2eMust(t, "peer", "set", "south", "--dir", north.dir, "--purpose", "liaison", "--max-tlp", "green", "--kinds", "person,relationship", "--respond-within", "48h")
	if want := "The channel with south: purpose liaison, records up to TLP:GREEN, kinds person,relationship, warnings answered within 2d0h.\n"; out != want {
		t.Errorf("peer set printed %q, want %q", out, want)
	}
}
