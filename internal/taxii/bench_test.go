package taxii_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/stix"
	"github.com/parley-dev/parley/internal/taxii"
)

// BenchmarkPage100k pages through a collection of 100,000 objects over
// HTTP, 1,000 per page (docs/benchmarks.md).
//
//	go test -run '^$' -bench Page100k -benchtime 3x ./internal/taxii/  # PostgreSQL too with $PARLEY_TEST_POSTGRES
func BenchmarkPage100k(b *testing.B) { eachStore(b, benchPage100k) }

func benchPage100k(b *testing.B, pair func() (*site, *site)) {
	const n, per = 100_000, 1000
	north, _ := pair()
	north.addUser("analyst", []string{"*"}, nil, stix.TLPAmber)
	all := indicators(n)
	for i := 0; i < n; i += per {
		objs := make([]taxii.Posted, per)
		for j := range objs {
			objs[j] = taxii.Posted{Raw: []byte(all[i+j])}
		}
		if _, refused, err := taxii.Send(b.Context(), north.node, "south", objs, taxii.Dispatch{Kind: envelope.KindLetter}); err != nil || refused != "" {
			b.Fatal(err, refused)
		}
	}
	coll := "/taxii2/api/collections/" + north.collectionID("south", parley.Outbound) + "/objects/?limit=1000"
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		got, q := 0, ""
		for {
			r := north.call("GET", coll+q, "analyst", nil)
			var env envelopeRes
			r.json(b, &env)
			got += len(env.Objects)
			if !env.More {
				break
			}
			q = "&next=" + url.QueryEscape(env.Next)
		}
		if got != n {
			b.Fatalf("paged %d objects", got)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "objects/s")
}

// BenchmarkPost10k posts 10,000 objects in envelopes of 500 to an outbound
// collection over HTTP: each envelope is checked, sealed and queued as one
// warning (docs/benchmarks.md).
//
//	go test -run '^$' -bench Post10k -benchtime 3x ./internal/taxii/
func BenchmarkPost10k(b *testing.B) { eachStore(b, benchPost10k) }

func benchPost10k(b *testing.B, pair func() (*site, *site)) {
	const n, per = 10_000, 500
	north, _ := pair()
	north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)
	coll := "/taxii2/api/collections/" + north.collectionID("south", parley.Outbound) + "/objects/"
	bodies := make([][]byte, 0, n/per)
	for range n / per {
		bodies = append(bodies, envelopeOf(indicators(per)...))
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if i > 0 { // fresh objects: the same versions again would be duplicates
			b.StopTimer()
			for j := range bodies {
				bodies[j] = envelopeOf(indicators(per)...)
			}
			b.StartTimer()
		}
		for _, body := range bodies {
			if r := north.call("POST", coll, "analyst", body); r.status != 202 {
				b.Fatalf("POST: %d %s", r.status, r.body)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "objects/s")
}

// eachStore runs a benchmark on every storage backend.
func eachStore(b *testing.B, f func(b *testing.B, pair func() (*site, *site))) {
	for _, st := range []struct {
		name string
		open func(testing.TB) parley.Store
	}{
		{"sqlite", func(t testing.TB) parley.Store { return parleytest.NewStore(t) }},
		{"postgres", func(t testing.TB) parley.Store { return parleytest.NewPostgresStore(t) }},
	} {
		b.Run(st.name, func(b *testing.B) { f(b, func() (*site, *site) { return newPairOn(b, st.open) }) })
	}
}
