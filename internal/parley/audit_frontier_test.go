package parley_test

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/parley"
)

// Node.Audit's doc: "every stored hash of the Merkle tree (or, when
// recent > 0, the last recent entries of each log and the tree's
// frontier)". A changed frontier hash above the last cosigned checkpoint
// is not found by a recent audit, yet it is what the next checkpoint is
// signed over: the peer refuses it as inconsistent.
func TestAuditRecentFrontier(t *testing.T) {
	w, paths := newFileWorld(t, "north", "south")
	ctx := t.Context()
	north, south := w.nodes["north"], w.nodes["south"]
	send := func(n int) {
		for i := range n {
			if _, err := north.Send(ctx, "south", &parley.Content{Text: fmt.Sprint("Letter ", i)}); err != nil {
				t.Fatal(err)
			}
		}
		w.deliver("north", "south")
	}
	send(40)
	cosignAll(t, w.nodes) // letters/ours cosigned at 40
	send(10)              // 50 = 32 + 16 + 2: the frontier is L5#0, L4#2, L1#24
	frontier := tlog.StoredHashIndex(4, 2)
	flipByte(t, rawDB(t, paths["north"]), "log_hashes", "hash", `log = 0 AND idx = ?`, 0, frontier)

	full, err := north.Audit(ctx, 0)
	if err != nil || len(full.Problems) == 0 {
		t.Fatalf("full audit: %v, %q; want the changed hash %d reported", err, full.Problems, frontier)
	}
	for _, recent := range []int64{5, 20} {
		rep, err := north.Audit(ctx, recent)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) == 0 {
			t.Errorf("Audit(recent=%d): got no problem, want the changed frontier hash %d reported (the full audit says %q)", recent, frontier, full.Problems)
		}
	}
	p, err := north.Store.PeerByName(ctx, "south")
	if err != nil {
		t.Fatal(err)
	}
	note, _, err := north.SignCheckpoint(ctx, p, parley.LogOut, 50)
	if err != nil {
		t.Fatal(err)
	}
	_, err = south.Witness(ctx, note)
	t.Logf("south witnessing north's next checkpoint: %v", err)
}
