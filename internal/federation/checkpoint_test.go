package federation

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/transcript"
)

func newCheckpointer(t *testing.T, n *testNode) *Checkpointer {
	t.Helper()
	c := NewClient(10 * time.Second)
	t.Cleanup(c.HTTP.CloseIdleConnections)
	return &Checkpointer{Node: n.Node, Client: c, Log: parleytest.Logger(t), Metrics: n.srv.Metrics}
}

// exchange has north send letters (one flash) that south delivers receipts
// for, south read one (its read receipt comes back as an envelope) and
// both deliver everything.
func exchange(t *testing.T, p *pair, letters int) {
	t.Helper()
	ctx := t.Context()
	var first parley.Message
	for i := range letters {
		m := p.north.send(t, "south", "letter")
		if i == 0 {
			first = m
		}
	}
	if _, err := p.north.SendFlash(ctx, "south", &parley.Content{Text: "flash"}); err != nil {
		t.Fatal(err)
	}
	dn, ds := newDeliverer(t, p.north), newDeliverer(t, p.south)
	for _, x := range []struct {
		d    *Deliverer
		peer parley.Peer
	}{{dn, p.north.peer(t, "south")}, {ds, p.south.peer(t, "north")}} {
		if _, err := x.d.Pass(ctx, x.peer); err != nil {
			t.Fatal(err)
		}
		if _, err := x.d.PassFlash(ctx, x.peer); err != nil {
			t.Fatal(err)
		}
		if x.d == dn {
			if _, _, err := p.south.Open(ctx, first.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCheckpointsCosigned runs the checkpointers of both nodes over real
// HTTP: every log each node operates ends cosigned by the other, at the
// size both hold, and a second pass has nothing to do.
func TestCheckpointsCosigned(t *testing.T) {
	p := newPair(t, nil)
	ctx := t.Context()
	exchange(t, p, 5)
	cn, cs := newCheckpointer(t, p.north), newCheckpointer(t, p.south)
	if n := cn.Pass(ctx); n != 3 {
		t.Errorf("north cosigned %d checkpoints, want 3 (letters, flash, its receipt for south's read receipt)", n)
	}
	if n := cs.Pass(ctx); n != 3 {
		t.Errorf("south cosigned %d checkpoints, want 3 (its read receipt, its receipts for both lanes)", n)
	}
	want := map[*testNode]map[parley.LogID]int64{
		p.north.testNode(): {parley.LogOut: 5, parley.LogOutFlash: 1, parley.LogOurReceipts: 1, parley.LogIn: 1, parley.LogTheirReceipts: 5, parley.LogTheirReceiptsFlash: 1},
		p.south.testNode(): {parley.LogIn: 5, parley.LogInFlash: 1, parley.LogTheirReceipts: 1, parley.LogOut: 1, parley.LogOurReceipts: 5, parley.LogOurReceiptsFlash: 1},
	}
	for n, logs := range want {
		other := p.south
		if n == p.south {
			other = p.north
		}
		fp := other.Identity.Fingerprint()
		for l, size := range logs {
			cp, err := n.Store.LatestCheckpoint(ctx, fp, l)
			if err != nil || cp.Size != size {
				t.Errorf("%s: checkpoint of %s = size %d, %v; want %d", n.Name, l, cp.Size, err, size)
				continue
			}
			// Signed by the operator, cosigned by the witness.
			operator, witness := parley.TranscriptKey(n.Identity.Public(), nil), parley.TranscriptKey(other.Identity.Public(), nil)
			if !l.Operated() {
				operator, witness = witness, operator
			}
			c, cos, err := transcript.Open(cp.Note, operator, witness)
			if err != nil || len(cos) != 1 || c.Size != size || c.Root != cp.Root {
				t.Errorf("%s: checkpoint of %s does not open with both signatures: %v %v", n.Name, l, cos, err)
			}
			// Both nodes hold the same tree.
			mine, err := tlog.TreeHash(size, n.Store.LogHashes(ctx, fp, l))
			if err != nil || mine != cp.Root {
				t.Errorf("%s: root of %s = %x, %v; checkpoint says %x", n.Name, l, mine, err, cp.Root)
			}
		}
	}
	if n := cn.Pass(ctx); n != 0 {
		t.Errorf("a second pass cosigned %d checkpoints, want 0", n)
	}
}

// testNode lets a *testNode be used where the map key is compared.
func (n *testNode) testNode() *testNode { return n }

// Misbehaviour: a checkpoint that rolls back, equivocates, does not match
// what was received, or is not signed by the peer is refused, counted, and
// kept as evidence; an equivocation's evidence proves it offline.
func TestWitnessRefuses(t *testing.T) {
	p := newPair(t, nil)
	ctx := t.Context()
	exchange(t, p, 5)
	if n := newCheckpointer(t, p.north).Pass(ctx); n != 3 {
		t.Fatalf("north cosigned %d checkpoints, want 3", n)
	}
	south := p.north.peer(t, "south")
	northKey := parley.TranscriptKey(p.north.Identity.Public(), p.north.Identity)
	sign := func(size int64, root tlog.Hash) []byte {
		note, err := transcript.Sign(transcript.Checkpoint{Origin: parley.Origin(south.Channel, p.north.Identity.Fingerprint(), parley.LogOut), Size: size, Root: root}, northKey)
		if err != nil {
			t.Fatal(err)
		}
		return note
	}
	root := func(size int64) tlog.Hash {
		h, err := tlog.TreeHash(size, p.north.Store.LogHashes(ctx, south.Fingerprint(), parley.LogOut))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	forged := tlog.Hash(sha256.Sum256([]byte("another history")))
	mallory := parley.TranscriptKey(p.mallory.Public(), p.mallory)
	byMallory, err := transcript.Sign(transcript.Checkpoint{Origin: parley.Origin(south.Channel, p.north.Identity.Fingerprint(), parley.LogOut), Size: 5, Root: root(5)}, mallory)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		note     []byte
		status   int
		code     parley.Code
		evidence string
	}{
		{"same size, other root (equivocation)", sign(5, forged), http.StatusUnprocessableEntity, parley.CodeCheckpointRefused, "equivocation"},
		{"smaller size (rollback)", sign(4, root(4)), http.StatusUnprocessableEntity, parley.CodeCheckpointRefused, "rollback"},
		{"signed by someone else", byMallory, http.StatusUnauthorized, parley.CodeBadSignature, ""},
		{"garbage", []byte("not a note"), http.StatusBadRequest, parley.CodeMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := p.south.Store.Evidence(ctx)
			_, _, err := NewClient(5*time.Second).PostCheckpoint(ctx, p.south.ts.URL, tt.note)
			var re *RemoteError
			if !errors.As(err, &re) || re.Status != tt.status || re.Code != string(tt.code) {
				t.Fatalf("PostCheckpoint error = %v, want %d %s", err, tt.status, tt.code)
			}
			after, _ := p.south.Store.Evidence(ctx)
			if tt.evidence == "" {
				if len(after) != len(before) {
					t.Errorf("evidence stored for %s", tt.name)
				}
				return
			}
			if len(after) != len(before)+1 || after[len(after)-1].Kind != tt.evidence {
				t.Fatalf("evidence = %+v, want one more of kind %s", after, tt.evidence)
			}
			e, err := transcript.DecodeEquivocation(after[len(after)-1].Data)
			if err != nil {
				t.Fatal(err)
			}
			err = transcript.CheckEquivocation(e, parley.TranscriptKey(p.north.Identity.Public(), nil))
			if (tt.evidence == "equivocation") != (err == nil) {
				t.Errorf("CheckEquivocation = %v; an equivocation must prove misbehaviour, a rollback alone does not", err)
			}
		})
	}
	// A checkpoint ahead of what south applied: 409 and the size it holds.
	p.north.send(t, "south", "not delivered yet")
	ahead := sign(6, root(6))
	_, have, err := NewClient(5*time.Second).PostCheckpoint(ctx, p.south.ts.URL, ahead)
	var re *RemoteError
	if !errors.As(err, &re) || re.Status != http.StatusConflict || have != 5 {
		t.Errorf("checkpoint ahead: have %d, %v; want 409 with 5", have, err)
	}
	// A root that does not match the entries south received.
	if _, err := newDeliverer(t, p.north).Pass(ctx, south); err != nil {
		t.Fatal(err)
	}
	{
		_, _, err := NewClient(5*time.Second).PostCheckpoint(ctx, p.south.ts.URL, sign(6, forged))
		if !errors.As(err, &re) || re.Code != string(parley.CodeCheckpointRefused) || !strings.Contains(re.Message, "does not match") {
			t.Errorf("inconsistent checkpoint: %v", err)
		}
	}
	if got := counterValue(t, p.south.srv.Metrics.Rejected.WithLabelValues(string(parley.CodeCheckpointRefused))); got != 3 {
		t.Errorf("parley_federation_rejected_total{code=checkpoint_refused} = %v, want 3", got)
	}
}

// A cosignature that does not verify, or over another checkpoint, is
// refused and kept as evidence.
func TestBadCosignatureRefused(t *testing.T) {
	p := newPair(t, nil)
	ctx := t.Context()
	exchange(t, p, 2)
	var misbehaved []parley.Evidence
	p.north.OnMisbehaviour(func(_ parley.Peer, e parley.Evidence) { misbehaved = append(misbehaved, e) })
	// South's server answers with the checkpoint cosigned by mallory.
	p.south.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/federation/v1/checkpoint" {
			p.south.mux.ServeHTTP(w, r)
			return
		}
		rec := &captureWriter{header: http.Header{}}
		p.south.mux.ServeHTTP(rec, r)
		forged := strings.Replace(string(rec.body), "\n— "+p.south.Identity.Fingerprint().String()+" ", "\n— "+p.mallory.Fingerprint().String()+" ", 1)
		w.Header().Set("Content-Type", CheckpointMediaType)
		w.Write([]byte(forged))
	}))
	if n := newCheckpointer(t, p.north).Pass(ctx); n != 0 {
		t.Errorf("north accepted %d checkpoints with a forged cosignature", n)
	}
	evs, err := p.north.Store.Evidence(ctx)
	if err != nil || len(evs) == 0 || evs[0].Kind != "bad_cosignature" || len(misbehaved) != len(evs) {
		t.Errorf("evidence = %+v, %v (callbacks %d); want bad_cosignature", evs, err, len(misbehaved))
	}
	if _, err := p.north.Store.LatestCheckpoint(ctx, p.south.Identity.Fingerprint(), parley.LogOut); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("a checkpoint was stored: %v", err)
	}
}

// captureWriter records what a handler writes.
type captureWriter struct {
	header http.Header
	status int
	body   []byte
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(s int)   { c.status = s }
func (c *captureWriter) Write(b []byte) (int, error) {
	c.body = append(c.body, b...)
	return len(b), nil
}
