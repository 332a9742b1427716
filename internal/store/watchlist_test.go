package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/match"
	"github.com/parley-dev/parley/internal/parley"
)

func TestWatchlistImport(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		v0, err := st.WatchlistVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := match.Entry{ID: "A", Name: "Сергей Нарышкин", Aliases: []string{"Sergei Naryshkin", "Narychkine"}, DOB: "1954-10-27", Nationalities: []string{"RU"}}
		b := match.Entry{ID: "B", Name: "Anna Schmidt"}
		var progress []int
		if err := st.ImportWatchlist(ctx, []match.Entry{a, b}, false, func(n int) { progress = append(progress, n) }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(progress, []int{2}) {
			t.Errorf("progress = %v", progress)
		}
		// Adding again replaces by id; the version moves on each import.
		b2 := match.Entry{ID: "B", Name: "Anna Schmidt-Weber", DOB: "1990"}
		if err := st.ImportWatchlist(ctx, []match.Entry{b2}, false, nil); err != nil {
			t.Fatal(err)
		}
		es, v, err := st.Watchlist(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != v0+2 || len(es) != 2 || es[1].Name != "Anna Schmidt-Weber" || es[1].DOB != "1990" {
			t.Fatalf("watchlist = %+v at version %d, want A and the new B at %d", es, v, v0+2)
		}
		if got := es[0]; got.Name != a.Name || !slices.Equal(got.Aliases, a.Aliases) || got.DOB != a.DOB || !slices.Equal(got.Nationalities, a.Nationalities) {
			t.Errorf("entry A read back as %+v", got)
		}
		if es[1].Aliases != nil || es[1].Nationalities != nil {
			t.Errorf("empty lists read back as %#v %#v", es[1].Aliases, es[1].Nationalities)
		}
		// Replace makes the file the whole list.
		if err := st.ImportWatchlist(ctx, []match.Entry{{ID: "C", Name: "Ivan Petrov"}}, true, nil); err != nil {
			t.Fatal(err)
		}
		if es, _, _ := st.Watchlist(ctx); len(es) != 1 || es[0].ID != "C" {
			t.Errorf("after replace: %+v", es)
		}
		// A failing import changes nothing (duplicate ids in one import).
		err = st.ImportWatchlist(ctx, []match.Entry{{ID: "D", Name: "X"}, {ID: "D", Name: "Y"}}, true, nil)
		if err == nil {
			t.Fatal("an import with a duplicate id succeeded")
		}
		if es, v2, _ := st.Watchlist(ctx); len(es) != 1 || es[0].ID != "C" || v2 != v0+3 {
			t.Errorf("after a failed import: %+v at version %d", es, v2)
		}
	})
}

func TestHitsStored(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		f := newFixture(t, st)
		fp := f.peer.Fingerprint()
		t0 := time.Now().Truncate(time.Millisecond)
		hit := parley.Hit{ObjectID: "identity--3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", PersonName: "Нарышкин", EntryID: "A", EntryName: "Sergei Naryshkin", Score: 0.91, Evidence: "surname ≈"}
		// Held (sequence 2 before 1): its hit is not visible until applied.
		in2, _ := f.structured(t, parley.Inbound, envelope.KindWarning, 2, t0, parley.Meta{RespondBy: t0.Add(time.Hour), Hits: []parley.Hit{hit}})
		if _, err := st.Receive(ctx, fp, 100, []parley.Incoming{in2}); err != nil {
			t.Fatal(err)
		}
		if hs, err := st.Hits(ctx, parley.HitFilter{}); err != nil || len(hs) != 0 {
			t.Fatalf("hits of a held message = %+v, %v", hs, err)
		}
		refusedHit := hit
		refusedHit.EntryID = "B"
		in1, _ := f.structured(t, parley.Inbound, envelope.KindWarning, 1, t0, parley.Meta{Hits: []parley.Hit{refusedHit}, Refusal: &parley.Refusal{Reason: envelope.ReasonTLP}})
		if _, err := st.Receive(ctx, fp, 100, []parley.Incoming{in1}); err != nil {
			t.Fatal(err)
		}
		hs, err := st.Hits(ctx, parley.HitFilter{Peer: &fp})
		if err != nil || len(hs) != 1 {
			t.Fatalf("hits = %+v, %v; want the applied message's one (not the refused one's)", hs, err)
		}
		got := hs[0]
		if got.MessageID != in2.Env.Header.ID || got.Peer != fp || got.PeerName != "peer" || got.EntryID != "A" || got.Score != 0.91 || got.Evidence != hit.Evidence || got.PersonName != hit.PersonName {
			t.Errorf("hit read back = %+v", got)
		}
		if hs, _ := st.Hits(ctx, parley.HitFilter{Since: time.Now().Add(time.Hour)}); len(hs) != 0 {
			t.Errorf("hits since the future = %+v", hs)
		}
		if hs, err := st.Hits(ctx, parley.HitFilter{Limit: 1}); err != nil || len(hs) != 1 {
			t.Errorf("Hits with a limit: %+v, %v", hs, err)
		}
	})
}
