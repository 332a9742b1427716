package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/stix"
	"github.com/parley-dev/parley/internal/store"
)

// TestCollectionBackfill: records stored before migration 0008 are
// located, versioned and dated by its backfill, and the collections read
// the same afterwards (the same objects, bytes and versions, in the same
// order).
func TestCollectionBackfill(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		var other parley.Store = parleytest.NewStore(t)
		north := parley.NewNode("north", parleytest.Identity(t, "north"), st, parleytest.Logger(t))
		south := parley.NewNode("south", parleytest.Identity(t, "south"), other, parleytest.Logger(t))
		parleytest.Pair(t, north, "http://north", south, "http://south")
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for _, name := range []string{"Иван Петров", "Анна Петрова"} {
			objs, err := stix.NewPerson(stix.PersonInput{Name: name}, stix.TLPGreen, now)
			if err != nil {
				t.Fatal(err)
			}
			b, err := stix.NewBundle(objs)
			if err != nil {
				t.Fatal(err)
			}
			// South warns north: north's inbound collection.
			if _, err := south.Compose(ctx, "north", parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Text: "x", Records: b}}); err != nil {
				t.Fatal(err)
			}
			// North sends the same persons back: north's outbound collection.
			if _, err := north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindLetter, Content: parley.Content{Records: b}}); err != nil {
				t.Fatal(err)
			}
		}
		p, _ := south.Store.PeerByName(ctx, "north")
		msgs, err := south.Store.Claim(ctx, p.Fingerprint(), false, 10, 1<<30, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var wires [][]byte
		for _, m := range msgs {
			wires = append(wires, m.Envelope)
		}
		if _, err := north.Receive(ctx, wires); err != nil {
			t.Fatal(err)
		}
		sp, _ := st.PeerByName(ctx, "south")
		read := func() map[parley.Direction][]parley.CollectionObject {
			out := map[parley.Direction][]parley.CollectionObject{}
			for _, d := range []parley.Direction{parley.Inbound, parley.Outbound} {
				objs, err := st.CollectionObjects(ctx, parley.ObjectQuery{Peer: sp.Fingerprint(), Direction: d, Versions: parley.VersionMatch{All: true}, MaxTLP: stix.TLPRed, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				out[d] = objs
			}
			return out
		}
		before := read()
		if len(before[parley.Inbound]) == 0 || len(before[parley.Outbound]) == 0 {
			t.Fatalf("collections before: %d in, %d out", len(before[parley.Inbound]), len(before[parley.Outbound]))
		}
		if err := st.(*store.DB).Rebackfill(ctx); err != nil {
			t.Fatal(err)
		}
		after := read()
		for d, objs := range before {
			if len(after[d]) != len(objs) {
				t.Fatalf("%s: %d objects after the backfill, %d before", d, len(after[d]), len(objs))
			}
			for i, o := range objs {
				a := after[d][i]
				if a.ID != o.ID || !a.Version.Equal(o.Version) || string(a.Raw) != string(o.Raw) || a.Message != o.Message {
					t.Errorf("%s[%d] = %s %v, want %s %v", d, i, a.ID, a.Version, o.ID, o.Version)
				}
				if i > 0 && !after[d][i-1].DateAdded.Before(a.DateAdded) {
					t.Errorf("%s: dates added not increasing at %d", d, i)
				}
			}
		}
		// New records are dated after the backfilled ones.
		if _, err := north.Compose(ctx, "south", parley.Draft{Content: parley.Content{Text: "again", Records: slices.Clip(personBundle(t))}}); err != nil {
			t.Fatal(err)
		}
		all := read()[parley.Outbound]
		if last := all[len(all)-1]; !last.DateAdded.After(after[parley.Outbound][len(after[parley.Outbound])-1].DateAdded) {
			t.Errorf("a new record is dated %v, not after the backfilled ones", last.DateAdded)
		}
	})
}

func personBundle(t *testing.T) []byte {
	t.Helper()
	objs, err := stix.NewPerson(stix.PersonInput{Name: "Olga Smirnova"}, stix.TLPGreen, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := stix.NewBundle(objs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
