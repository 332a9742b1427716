package parley_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/stix"
)

// bundleOf returns a bundle of n person records (plus the marking and
// extension definitions they use).
func bundleOf(b *testing.B, n int) []byte {
	b.Helper()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	objs := make([]json.RawMessage, 0, n)
	for i := 0; len(objs) < n; i++ {
		o, err := stix.NewPerson(stix.PersonInput{Name: fmt.Sprintf("Иван Петров %d", i), Aliases: []string{fmt.Sprintf("Ivan Petrov %d", i)},
			DOB: "1970-01-02", Nationalities: []string{"RU"}}, stix.TLPGreen, now)
		if err != nil {
			b.Fatal(err)
		}
		objs = append(objs, o...)
	}
	bundle, err := stix.NewBundle(objs[:n])
	if err != nil {
		b.Fatal(err)
	}
	return bundle
}

// BenchmarkValidateSeal10k measures the two costs a warning of 10,000 STIX
// objects pays before it is queued: strict validation, then signing and
// sealing the message that carries it.
func BenchmarkValidateSeal10k(b *testing.B) {
	const n = 10000
	bundle := bundleOf(b, n)
	from, to := parleytest.Identity(b, "north"), parleytest.Identity(b, "south")
	ch := parley.ChannelID(from.Fingerprint(), to.Fingerprint())
	b.SetBytes(int64(len(bundle)))
	b.ResetTimer()
	for b.Loop() {
		bd, err := stix.Parse(bundle, stix.Options{RequireTLP: true})
		if err != nil || len(bd.Objects) < n {
			b.Fatal(err)
		}
		body := parley.EncodeContent(&parley.Content{Text: "warning", Records: bundle, RespondBy: time.Now().Add(time.Hour)})
		if _, _, _, err := envelope.Seal(from, to.Public(), envelope.SealParams{Kind: envelope.KindWarning, Channel: ch, Seq: 1, Time: time.Now()}, body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkCompose10k is the whole send path of such a warning: content
// rules, validation, policy, originator control (a lookup of every object
// id), sealing and the durable commit to SQLite.
func BenchmarkCompose10k(b *testing.B) {
	const n = 10000
	bundle := bundleOf(b, n)
	north, south := parleytest.NewNode(b, "north"), parleytest.NewNode(b, "south")
	parleytest.Pair(b, north, "http://north", south, "http://south")
	b.SetBytes(int64(len(bundle)))
	b.ResetTimer()
	for b.Loop() {
		_, err := north.Compose(b.Context(), "south", parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Text: "warning", Records: bundle}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkReceiveReplay256 measures a replayed batch of 256 letters (every
// envelope already stored) against the first delivery of such a batch,
// which the "first" sub-benchmark measures.
func BenchmarkReceiveReplay256(b *testing.B) {
	north, south := parleytest.NewNode(b, "north"), parleytest.NewNode(b, "south")
	parleytest.Pair(b, north, "http://north", south, "http://south")
	ctx := b.Context()
	batch := func() [][]byte {
		var wires [][]byte
		for range 256 {
			m, err := north.Send(ctx, "south", &parley.Content{Text: "a letter of some length, as letters are"})
			if err != nil {
				b.Fatal(err)
			}
			wires = append(wires, m.Envelope)
		}
		return wires
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			wires := batch()
			b.StartTimer()
			if _, err := south.Receive(ctx, wires); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("replay", func(b *testing.B) {
		wires := batch()
		if _, err := south.Receive(ctx, wires); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			res, err := south.Receive(ctx, wires)
			if err != nil || res[0].Status != "duplicate" {
				b.Fatal(err)
			}
		}
	})
}
