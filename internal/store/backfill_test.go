package store_test

import (
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/store"
)

// A store that kept messages before it had transcript logs gets, from
// migration 0006, exactly the logs it would have had all along.
func TestBackfillLogs(t *testing.T) {
	ctx := t.Context()
	north, south := parleytest.NewNode(t, "north"), parleytest.NewNode(t, "south")
	parleytest.Pair(t, north, "http://north", south, "http://south")
	deliver := func(from, to *parley.Node) {
		t.Helper()
		p, err := from.Store.PeerByName(ctx, to.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, flash := range []bool{false, true} {
			msgs, err := from.Store.Claim(ctx, p.Fingerprint(), flash, 100, 1<<30, time.Minute)
			if err != nil || len(msgs) == 0 {
				continue
			}
			var wires [][]byte
			for _, m := range msgs {
				wires = append(wires, m.Envelope)
			}
			res, err := to.Receive(ctx, wires)
			if err != nil {
				t.Fatal(err)
			}
			var raws [][]byte
			for _, r := range res {
				raws = append(raws, r.Receipt)
			}
			if err := from.Acknowledge(ctx, p, msgs, raws); err != nil {
				t.Fatal(err)
			}
		}
	}
	var first parley.Message
	for i := range 7 {
		m, err := north.Send(ctx, "south", &parley.Content{Text: "letter"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = m
		}
		if _, err := south.Send(ctx, "north", &parley.Content{Text: "reply"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := north.SendFlash(ctx, "south", &parley.Content{Text: "flash"}); err != nil {
		t.Fatal(err)
	}
	deliver(north, south)
	if _, _, err := south.Open(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	deliver(south, north)

	type state map[parley.LogID][2]any
	snapshot := func(n *parley.Node, peer string) state {
		t.Helper()
		p, _ := n.Store.PeerByName(ctx, peer)
		out := state{}
		for l := parley.LogID(0); l < parley.NumLogs; l++ {
			size, err := n.Store.LogSize(ctx, p.Fingerprint(), l)
			if err != nil {
				t.Fatal(err)
			}
			root, err := tlog.TreeHash(size, n.Store.LogHashes(ctx, p.Fingerprint(), l))
			if err != nil {
				t.Fatal(err)
			}
			out[l] = [2]any{size, root}
		}
		return out
	}
	for _, x := range []struct {
		n    *parley.Node
		peer string
	}{{north, "south"}, {south, "north"}} {
		before := snapshot(x.n, x.peer)
		if before[parley.LogOut][0].(int64) == 0 || before[parley.LogTheirReceipts][0].(int64) == 0 {
			t.Fatalf("%s: logs are empty before the rebuild: %v", x.n.Name, before)
		}
		if err := x.n.Store.(*store.DB).RebuildLogsForTest(ctx); err != nil {
			t.Fatal(err)
		}
		after := snapshot(x.n, x.peer)
		for l := parley.LogID(0); l < parley.NumLogs; l++ {
			if before[l] != after[l] {
				t.Errorf("%s: log %s rebuilt as %v, was %v", x.n.Name, l, after[l], before[l])
			}
		}
		rep, err := x.n.Audit(ctx, 0)
		if err != nil || len(rep.Problems) > 0 {
			t.Errorf("%s: audit after the rebuild: %v %v", x.n.Name, rep.Problems, err)
		}
	}
}
