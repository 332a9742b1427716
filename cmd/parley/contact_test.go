package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// First contact through the CLI: two nodes created with `parley init`,
// serving in this process on 127.0.0.1, that have never exchanged identity
// files. The operators type their answers into secret files; everything is
// read back the way a user or a script would read it.

// contactInvitation is one entry of `contact list --json` and `contact
// pending --json`, spelled out so that a renamed field breaks this test.
type contactInvitation struct {
	ID           string     `json:"id"`
	Direction    string     `json:"direction"`
	Status       string     `json:"status"`
	PeerURL      string     `json:"peer_url"`
	PeerName     string     `json:"peer_name"`
	Fingerprint  string     `json:"fingerprint"`
	Purpose      string     `json:"purpose"`
	Attempts     int        `json:"attempts"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	EndedAt      *time.Time `json:"ended_at"`
	SafetyNumber string     `json:"safety_number"`
}

type contactPeer struct {
	Name         string `json:"name"`
	URL          string `json:"url"`
	Purpose      string `json:"purpose"`
	Fingerprint  string `json:"fingerprint"`
	Channel      string `json:"channel"`
	SafetyNumber string `json:"safety_number"`
	// The channel policy (defaults after first contact).
	MaxTLP               string   `json:"max_tlp"`
	RecordKinds          []string `json:"record_kinds"`
	RespondWithinSeconds int64    `json:"respond_within_seconds"`
}

// contactStrictJSON runs a command that must succeed and decodes its output
// into v, refusing fields v does not name.
func contactStrictJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := e2eMust(t, args...)
	d := json.NewDecoder(strings.NewReader(out))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("parley %s: output is not the expected JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// contactList returns the invitations `contact list` (or `contact
// pending`) prints for the node in dir.
func contactList(t *testing.T, sub, dir string) []contactInvitation {
	t.Helper()
	var out struct {
		Invitations []contactInvitation `json:"invitations"`
	}
	contactStrictJSON(t, &out, "contact", sub, "--dir", dir, "--json")
	if out.Invitations == nil {
		t.Fatalf("contact %s --json: no \"invitations\" array", sub)
	}
	return out.Invitations
}

// contactFind returns the invitation with id from list.
func contactFind(t *testing.T, list []contactInvitation, id string) contactInvitation {
	t.Helper()
	for _, inv := range list {
		if inv.ID == id {
			return inv
		}
	}
	t.Fatalf("invitation %s is not listed: %+v", id, list)
	return contactInvitation{}
}

// contactWriteSecret writes a secret file as an operator would: private.
func contactWriteSecret(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// contactServePair creates north and south with `parley init` and serves both.
func contactServePair(t *testing.T, root string) (north, south *e2eCLINode) {
	t.Helper()
	north = &e2eCLINode{name: "north", dir: filepath.Join(root, "north"), addr: e2eFreeAddr(t)}
	south = &e2eCLINode{name: "south", dir: filepath.Join(root, "south"), addr: e2eFreeAddr(t)}
	for _, n := range []*e2eCLINode{north, south} {
		out := e2eMust(t, "init", "--dir", n.dir, "--name", n.name, "--listen", n.addr)
		m := e2eFingerprint.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("init %s printed no fingerprint:\n%s", n.name, out)
		}
		n.fingerprint = m[1]
	}
	for _, n := range []*e2eCLINode{north, south} {
		e2eServe(t, n.name, "--dir", n.dir)
	}
	for _, n := range []*e2eCLINode{north, south} {
		e2eWaitHealthy(t, n.addr, 20*time.Second)
	}
	return north, south
}

var contactInvited = regexp.MustCompile(`^Invitation ([0-9a-f]{32}) delivered to (\S+); it expires at (\S+)\.\n` +
	"Keep `parley serve` running: the other side answers through it. `parley contact list` shows the outcome.\n$")

func TestCLIContact(t *testing.T) {
	root := t.TempDir()
	north, south := contactServePair(t, root)
	northURL, southURL := "http://"+north.addr, "http://"+south.addr
	northSecret := contactWriteSecret(t, root, "north.secret", "Genève\nMont Blanc\n")
	southSecret := contactWriteSecret(t, root, "south.secret", "geneve\nmont-blanc\n")
	wrongSecret := contactWriteSecret(t, root, "wrong.secret", "Lausanne\nMont Blanc\n")

	// north invites south.
	var sent struct {
		ID        string    `json:"id"`
		To        string    `json:"to"`
		Purpose   string    `json:"purpose"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	before := time.Now()
	contactStrictJSON(t, &sent, "contact", "invite", "--dir", north.dir, "--to", southURL, "--secret-file", northSecret,
		"--purpose", "hotline", "--expires", "2h", "--json")
	if len(sent.ID) != 32 || sent.To != southURL || sent.Purpose != "hotline" {
		t.Errorf("contact invite --json = %+v, want a 32-digit id, to %s, purpose hotline", sent, southURL)
	}
	if d := sent.ExpiresAt.Sub(before.Add(2 * time.Hour)); d < -time.Second || d > time.Minute {
		t.Errorf("expires_at = %v, want about 2h from %v", sent.ExpiresAt, before)
	}

	// south sees it waiting, with north's claims marked unverified.
	pending := contactList(t, "pending", south.dir)
	if len(pending) != 1 {
		t.Fatalf("south's contact pending lists %d invitations, want 1: %+v", len(pending), pending)
	}
	want := contactInvitation{ID: sent.ID, Direction: "in", Status: "pending", PeerURL: northURL, PeerName: "north",
		Fingerprint: north.fingerprint, Purpose: "hotline", CreatedAt: pending[0].CreatedAt, ExpiresAt: sent.ExpiresAt.Truncate(time.Millisecond)}
	if got := pending[0]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("south's pending invitation =\n%+v\nwant\n%+v", got, want)
	}
	if out := e2eMust(t, "contact", "pending", "--dir", south.dir); !strings.Contains(out, "north (unverified)") || !strings.Contains(out, sent.ID) {
		t.Errorf("contact pending printed\n%s\nwant the invitation with \"north (unverified)\"", out)
	}
	out := contactFind(t, contactList(t, "list", north.dir), sent.ID)
	if out.Direction != "out" || out.Status != "pending" || out.PeerURL != southURL || out.PeerName != "" || out.Fingerprint != "" || out.Attempts != 0 {
		t.Errorf("north's invitation = %+v, want a pending outbound invitation to %s naming no peer yet", out, southURL)
	}

	// south answers with differently typed, equivalent answers.
	r := e2eRun(t, "contact", "accept", sent.ID, "--dir", south.dir, "--secret-file", southSecret)
	m := e2eSafetyNumber.FindStringSubmatch(r.stdout)
	if r.code != 0 || r.stderr != "" || m == nil {
		t.Fatalf("contact accept: exit status %d, stdout %q, stderr %q; want 0 and a safety number", r.code, r.stdout, r.stderr)
	}
	sn := m[1]
	if want := fmt.Sprintf("Both sides proved they know the secret. Pinned peer %q at %s (purpose hotline).\nFingerprint:   %s\nSafety number: %s\n",
		"north", northURL, north.fingerprint, sn); r.stdout != want {
		t.Errorf("contact accept printed\n%s\nwant\n%s", r.stdout, want)
	}

	// Both sides pinned each other, with the same safety number and channel.
	var channel string
	for _, x := range []struct{ self, other *e2eCLINode }{{north, south}, {south, north}} {
		var peers struct {
			Peers []contactPeer `json:"peers"`
		}
		contactStrictJSON(t, &peers, "peer", "list", "--dir", x.self.dir, "--json")
		if len(peers.Peers) != 1 {
			t.Fatalf("%s's peer list = %+v, want one peer", x.self.name, peers.Peers)
		}
		p := peers.Peers[0]
		if p.MaxTLP != "amber" || len(p.RecordKinds) != 0 || p.RespondWithinSeconds != 72*3600 {
			t.Errorf("%s's policy for %s = %s %v %ds, want the defaults", x.self.name, p.Name, p.MaxTLP, p.RecordKinds, p.RespondWithinSeconds)
		}
		if p.Name != x.other.name || p.URL != "http://"+x.other.addr || p.Purpose != "hotline" || p.Fingerprint != x.other.fingerprint || p.SafetyNumber != sn {
			t.Errorf("%s's peer = %+v, want %s at http://%s, purpose hotline, fingerprint %s, safety number %s",
				x.self.name, p, x.other.name, x.other.addr, x.other.fingerprint, sn)
		}
		if channel == "" {
			channel = p.Channel
		} else if p.Channel != channel {
			t.Errorf("channel ids differ: %s and %s", channel, p.Channel)
		}
		inv := contactFind(t, contactList(t, "list", x.self.dir), sent.ID)
		if inv.Status != "accepted" || inv.PeerName != x.other.name || inv.Fingerprint != x.other.fingerprint || inv.SafetyNumber != sn || inv.EndedAt == nil {
			t.Errorf("%s's accepted invitation = %+v, want accepted, naming %s (%s), safety number %s, ended", x.self.name, inv, x.other.name, x.other.fingerprint, sn)
		}
	}
	if got := contactList(t, "pending", south.dir); len(got) != 0 {
		t.Errorf("south's contact pending after accepting = %+v, want none", got)
	}

	// A second invitation, answered wrongly, then declined.
	invOut := e2eMust(t, "contact", "invite", "--dir", north.dir, "--to", southURL, "--secret-file", northSecret)
	im := contactInvited.FindStringSubmatch(invOut)
	if im == nil || im[2] != southURL {
		t.Fatalf("contact invite printed\n%s\nwant the delivery line for %s and the hint", invOut, southURL)
	}
	id2 := im[1]
	r = e2eRun(t, "contact", "accept", id2, "--dir", south.dir, "--secret-file", wrongSecret)
	if want := "parley contact: the handshake failed (a wrong secret, or a message damaged in transit); 2 attempt(s) left\n"; r.code != 1 || r.stdout != "" || r.stderr != want {
		t.Errorf("contact accept with the wrong answers: exit status %d, stdout %q, stderr\n%q\nwant 1 and\n%q", r.code, r.stdout, r.stderr, want)
	}
	for _, n := range []*e2eCLINode{north, south} {
		if inv := contactFind(t, contactList(t, "list", n.dir), id2); inv.Status != "pending" || inv.Attempts != 1 {
			t.Errorf("%s: after one wrong answer the invitation is %s with %d attempts, want pending with 1", n.name, inv.Status, inv.Attempts)
		}
	}
	r = e2eRun(t, "contact", "decline", id2, "--dir", south.dir)
	if want := "Invitation " + id2 + " declined; only a record that it was declined is kept.\n"; r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Errorf("contact decline: exit status %d, stdout %q, stderr %q; want 0 and %q", r.code, r.stdout, r.stderr, want)
	}
	declined := contactFind(t, contactList(t, "list", south.dir), id2)
	if declined.Status != "declined" || declined.PeerName != "" || declined.Fingerprint != "" || declined.PeerURL != northURL || declined.EndedAt == nil {
		t.Errorf("south's declined invitation = %+v, want only the record: declined, north's URL, no identity", declined)
	}
	if inv := contactFind(t, contactList(t, "list", north.dir), id2); inv.Status != "declined" {
		t.Errorf("north's invitation after the decline is %s, want declined", inv.Status)
	}
	if got := contactList(t, "pending", south.dir); len(got) != 0 {
		t.Errorf("south's contact pending after declining = %+v, want none", got)
	}
	r = e2eRun(t, "contact", "accept", id2, "--dir", south.dir, "--secret-file", southSecret)
	if want := "parley contact: the invitation is unknown, expired, burnt, declined or already used\n"; r.code != 1 || r.stderr != want {
		t.Errorf("accepting a declined invitation: exit status %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
	}
	if peers := e2eMust(t, "peer", "list", "--dir", south.dir, "--json"); strings.Count(peers, `"name"`) != 1 {
		t.Errorf("south's peers after the declined invitation:\n%s\nwant north only", peers)
	}

	// An invitation that cannot be delivered leaves nothing behind.
	before2 := len(contactList(t, "list", north.dir))
	for _, x := range []struct{ to, because string }{
		{"http://" + e2eFreeAddr(t), "connection refused"},
		{northURL, "peer refused with HTTP 400 malformed: an invitation from this node itself"},
	} {
		r = e2eRun(t, "contact", "invite", "--dir", north.dir, "--to", x.to, "--secret-file", northSecret)
		prefix := "parley contact: the invitation could not be delivered to " + x.to + " (nothing was kept): "
		if r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, prefix) || !strings.Contains(r.stderr, x.because) {
			t.Errorf("contact invite --to %s: exit status %d, stdout %q, stderr %q; want 1 and %q…%q", x.to, r.code, r.stdout, r.stderr, prefix, x.because)
		}
		for _, inv := range contactList(t, "list", north.dir) {
			if inv.PeerURL == x.to && inv.Direction == "out" {
				t.Errorf("the undelivered invitation to %s is listed: %+v", x.to, inv)
			}
		}
	}
	if got := len(contactList(t, "list", north.dir)); got != before2 {
		t.Errorf("north lists %d invitations after two failed invites, want %d", got, before2)
	}
}

// TestCLIContactErrors checks the exact words and exit status of mistakes:
// 2 for a bad invocation, 1 for a command that could not do its work.
func TestCLIContactErrors(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "south")
	e2eMust(t, "init", "--dir", dir, "--name", "south", "--listen", e2eFreeAddr(t))
	secret := contactWriteSecret(t, root, "secret", "geneve\nmont blanc\n")
	empty := contactWriteSecret(t, root, "empty", "\n  \n")
	missing := filepath.Join(root, "missing")
	unknown := strings.Repeat("ab", 16)
	usage := func(msg string) string {
		return "parley contact: " + msg + "\n(run `parley contact --help` for usage)\n"
	}
	const secretRequired = "--secret-file is required (the answers agreed out of band, one per line)"
	const unusable = "parley contact: the invitation is unknown, expired, burnt, declined or already used\n"
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string   // exact, unless contains is set
		contains []string // phrases stderr must hold
	}{
		{"no subcommand", []string{"contact"}, 2, usage("want `parley contact invite|pending|list|accept|decline`"), nil},
		{"unknown subcommand", []string{"contact", "frob"}, 2, usage(`unknown subcommand "frob"; want invite, pending, list, accept or decline`), nil},
		{"invite without --to", []string{"contact", "invite", "--dir", dir, "--secret-file", secret}, 2, usage("--to URL is required (the other node's public URL)"), nil},
		{"invite to a bad URL", []string{"contact", "invite", "--dir", dir, "--to", "ftp://north", "--secret-file", secret}, 2,
			usage(`--to: URL "ftp://north" must be an absolute http:// or https:// URL without query`), nil},
		{"invite without --secret-file", []string{"contact", "invite", "--dir", dir, "--to", "http://north.invalid"}, 2, usage(secretRequired), nil},
		{"invite with a bad purpose", []string{"contact", "invite", "--dir", dir, "--to", "http://north.invalid", "--secret-file", secret, "--purpose", "espionage"}, 2,
			usage(`purpose "espionage" must be social, liaison or hotline`), nil},
		{"invite expiring at once", []string{"contact", "invite", "--dir", dir, "--to", "http://north.invalid", "--secret-file", secret, "--expires", "0s"}, 2,
			usage("--expires must be between 1s and 720h"), nil},
		{"invite expiring too late", []string{"contact", "invite", "--dir", dir, "--to", "http://north.invalid", "--secret-file", secret, "--expires", "721h"}, 2,
			usage("--expires must be between 1s and 720h"), nil},
		{"invite with an unknown normaliser", []string{"contact", "invite", "--dir", dir, "--to", "http://north.invalid", "--secret-file", secret, "--answers-normaliser", "lower"}, 2,
			usage(`--answers-normaliser "lower": want default or none`), nil},
		{"invite with an extra argument", []string{"contact", "invite", "--dir", dir, "--to", "http://north.invalid", "--secret-file", secret, "north"}, 2,
			usage(`unexpected argument "north"`), nil},
		{"accept a bad id", []string{"contact", "accept", "xyz", "--dir", dir, "--secret-file", secret}, 2, usage(`"xyz" is not an invitation id (32 hex digits)`), nil},
		{"accept without an id", []string{"contact", "accept", "--dir", dir, "--secret-file", secret}, 2, usage("want exactly one invitation id (see `parley contact pending`)"), nil},
		{"accept two ids", []string{"contact", "accept", unknown, unknown, "--dir", dir, "--secret-file", secret}, 2, usage("want exactly one invitation id (see `parley contact pending`)"), nil},
		{"accept without --secret-file", []string{"contact", "accept", unknown, "--dir", dir}, 2, usage(secretRequired), nil},
		{"decline a bad id", []string{"contact", "decline", "xyz", "--dir", dir}, 2, usage(`"xyz" is not an invitation id (32 hex digits)`), nil},
		{"decline with a secret", []string{"contact", "decline", unknown, "--dir", dir, "--secret-file", secret}, 2, "",
			[]string{usage("flag provided but not defined: -secret-file")}},
		{"accept an unknown invitation", []string{"contact", "accept", unknown, "--dir", dir, "--secret-file", secret}, 1, unusable, nil},
		{"decline an unknown invitation", []string{"contact", "decline", unknown, "--dir", dir}, 1, unusable, nil},
		{"accept with a missing secret file", []string{"contact", "accept", unknown, "--dir", dir, "--secret-file", missing}, 1,
			"parley contact: secret file: open " + missing + ": no such file or directory\n", nil},
		{"accept with an empty secret file", []string{"contact", "accept", unknown, "--dir", dir, "--secret-file", empty}, 1,
			"parley contact: the secret file holds no answer\n", nil},
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
	if got := contactList(t, "list", dir); len(got) != 0 {
		t.Errorf("the refused commands left invitations: %+v", got)
	}

	// A secret file others can read is used, with a warning on the
	// command's own standard error.
	t.Run("secret file readable by others", func(t *testing.T) {
		open := filepath.Join(root, "open.secret")
		if err := os.WriteFile(open, []byte("geneve\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(open, 0o644); err != nil {
			t.Fatal(err)
		}
		r := e2eRun(t, "contact", "accept", unknown, "--dir", dir, "--secret-file", open)
		want := "warning: " + open + " is readable by others (mode -rw-r--r--); consider chmod 600\n" + unusable
		if r.code != 1 || r.stderr != want {
			t.Errorf("exit status %d, stderr\n%q\nwant 1 and\n%q", r.code, r.stderr, want)
		}
	})
}

// The help text names every subcommand a user can run.
func TestCLIContactHelp(t *testing.T) {
	r := e2eRun(t, "contact", "--help")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("contact --help: exit status %d, stdout %q; want 0 and the usage on stderr", r.code, r.stdout)
	}
	for _, sub := range []string{"contact invite --to URL --secret-file F", "contact pending", "contact list", "contact accept ID --secret-file F", "contact decline ID"} {
		if !strings.Contains(r.stderr, sub) {
			t.Errorf("contact --help does not mention %q:\n%s", sub, r.stderr)
		}
	}
	if !bytes.Contains([]byte(r.stderr), []byte("one per line")) {
		t.Errorf("contact --help does not say how to write the secret file:\n%s", r.stderr)
	}
}
