package parley_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/stix"
)

// FuzzVerifyProof feeds VerifyProof bundles that are either arbitrary
// bytes (base 0: ins is the bundle) or a real bundle with one splice: cut
// bytes at off replaced by ins (base 1: a letter with both receipts, 64 KB;
// base 2: a warning alone). Real bundles carry hybrid post-quantum keys and
// signatures; fuzzing them as raw inputs would spend the run minimizing
// 64 KB inputs, where a small splice keeps inputs small and still reaches
// every check. The real bundles are rebuilt on each run, with fresh salts
// and signatures but the same layout, so a stored splice lands on the same
// field again.
//
// Properties: VerifyProof never panics; what it accepts it accepts again
// with the same account (it is a pure function of the bytes); and an
// accepted bundle re-encoded from its decoded value, as MakeProof encodes,
// is accepted with the same account, so nothing it proves depends on the
// encoding.
func FuzzVerifyProof(f *testing.F) {
	fx := newProofFixture(f)
	ctx := f.Context()
	full, err := fx.north.MakeProof(ctx, fx.letter.ID, true)
	if err != nil {
		f.Fatal(err)
	}
	bare, err := fx.south.MakeProof(ctx, fx.warning.ID, false)
	if err != nil {
		f.Fatal(err)
	}
	bases := [][]byte{full, bare}

	f.Add(uint8(1), uint32(0), uint16(0), []byte(nil)) // the bundles as made
	f.Add(uint8(2), uint32(0), uint16(0), []byte(nil))
	f.Add(uint8(1), uint32(len(full)-1), uint16(1), []byte(nil)) // no final newline
	f.Add(uint8(1), uint32(len(full)/2), uint16(1), []byte{full[len(full)/2] ^ 0x01})
	f.Add(uint8(1), uint32(bytes.Index(full, []byte(`"index"`))), uint16(0), []byte(`"index": 1, `))
	f.Add(uint8(1), uint32(bytes.Index(full, []byte(`"delivered"`))), uint16(len(full)), []byte(`}`))
	f.Add(uint8(2), uint32(bytes.Index(bare, []byte(`"name"`))), uint16(len(`"name": "north"`)), []byte(`"name": "west"`))
	f.Add(uint8(2), uint32(bytes.Index(bare, []byte(`"format"`))), uint16(0), []byte(`"extra": 1, `))
	f.Add(uint8(0), uint32(0), uint16(0), []byte(`{"format":"parley-proof-v1","identities":[]}`))
	f.Add(uint8(0), uint32(0), uint16(0), []byte(`{}`))
	f.Add(uint8(0), uint32(0), uint16(0), []byte(nil))

	f.Fuzz(func(t *testing.T, base uint8, off uint32, cut uint16, ins []byte) {
		b := ins
		if i := int(base % 3); i > 0 {
			src := bases[i-1]
			o := int(off % uint32(len(src)+1))
			e := o + min(int(cut), len(src)-o)
			b = slices.Concat(src[:o], ins, src[e:])
		}
		acc, err := parley.VerifyProof(bytes.NewReader(b))
		if err != nil {
			if acc != nil {
				t.Errorf("got an account %q with the error %v", acc.Lines, err)
			}
			return
		}
		again, err := parley.VerifyProof(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("accepted once, then refused: %v", err)
		}
		if !reflect.DeepEqual(acc, again) {
			t.Fatalf("two accounts of the same bytes:\n%q\n%q", acc.Lines, again.Lines)
		}
		var p parley.Proof
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("accepted, but does not decode: %v", err)
		}
		canon, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		re, err := parley.VerifyProof(bytes.NewReader(canon))
		if err != nil {
			t.Fatalf("accepted, but its re-encoding is refused: %v", err)
		}
		if !reflect.DeepEqual(acc, re) {
			t.Fatalf("the re-encoded bundle proves something else:\n%q\n%q", acc.Lines, re.Lines)
		}
	})
}

// proofFixture is north with two letters and a warning to south (south read
// the first letter) and a letter to east, delivered both ways and every log
// cosigned.
type proofFixture struct {
	north, south, east             *parley.Node
	letter, other, warning, toEast parley.Message
}

func newProofFixture(tb testing.TB) *proofFixture {
	tb.Helper()
	ctx := tb.Context()
	clock := &parleytest.FixedClock{T: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	nodes := map[string]*parley.Node{}
	for _, n := range []string{"north", "south", "east"} {
		nodes[n] = parleytest.NewNode(tb, n)
		nodes[n].Clock = clock
	}
	parleytest.Pair(tb, nodes["north"], "http://north", nodes["south"], "http://south")
	parleytest.Pair(tb, nodes["north"], "http://north", nodes["east"], "http://east")
	f := &proofFixture{north: nodes["north"], south: nodes["south"], east: nodes["east"]}
	var err error
	if f.letter, err = f.north.Send(ctx, "south", &parley.Content{Text: "The meeting moves to Thursday."}); err != nil {
		tb.Fatal(err)
	}
	if f.other, err = f.north.Send(ctx, "south", &parley.Content{Text: "Bring the ledger."}); err != nil {
		tb.Fatal(err)
	}
	objs, err := stix.NewPerson(stix.PersonInput{Name: "Ivan Petrov", DOB: "1961-06-01", Nationalities: []string{"RU"}}, stix.TLPGreen, clock.Now())
	if err != nil {
		tb.Fatal(err)
	}
	records, err := stix.NewBundle(objs)
	if err != nil {
		tb.Fatal(err)
	}
	if f.warning, err = f.north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindWarning, RespondWithin: 72 * time.Hour,
		Content: parley.Content{Text: "Two brothers, see the record.", Records: records}}); err != nil {
		tb.Fatal(err)
	}
	if f.toEast, err = f.north.Send(ctx, "east", &parley.Content{Text: "Tea on Tuesday?"}); err != nil {
		tb.Fatal(err)
	}
	relay(tb, f.north, f.south)
	relay(tb, f.north, f.east)
	clock.Advance(time.Hour)
	if _, _, err := f.south.Open(ctx, f.letter.ID); err != nil {
		tb.Fatal(err)
	}
	relay(tb, f.south, f.north)
	cosignAll(tb, nodes)
	return f
}

// relay is world.deliver for any testing.TB (fuzz targets build their
// seeds with a *testing.F): it moves everything queued from a to b and the
// receipts back.
func relay(tb testing.TB, a, b *parley.Node) {
	tb.Helper()
	ctx := tb.Context()
	p, err := a.Store.PeerByName(ctx, b.Name)
	if err != nil {
		tb.Fatal(err)
	}
	for _, flash := range []bool{true, false} {
		msgs, err := a.Store.Claim(ctx, p.Fingerprint(), flash, 1000, 1<<30, time.Minute)
		if err != nil {
			tb.Fatal(err)
		}
		if len(msgs) == 0 {
			continue
		}
		wires := make([][]byte, len(msgs))
		for i, m := range msgs {
			wires[i] = m.Envelope
		}
		res, err := b.Receive(ctx, wires)
		if err != nil {
			tb.Fatalf("%s receiving from %s: %v", b.Name, a.Name, err)
		}
		raws := make([][]byte, len(res))
		for i, r := range res {
			raws[i] = r.Receipt
		}
		if err := a.Acknowledge(ctx, p, msgs, raws); err != nil {
			tb.Fatalf("%s acknowledging %s's receipts: %v", a.Name, b.Name, err)
		}
	}
}
