package match

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// The 1,000,000-name benchmarks build their list in the benchmark (a few
// seconds); nothing large is committed. Run them with
//
//	go test ./internal/match -run '^$' -bench 1M -benchtime 2000x

const benchN = 1_000_000

var bench1M = sync.OnceValues(func() ([]Entry, []SyntheticQuery) {
	es := Synthetic(benchN, 1)
	return es, SyntheticQueries(es, 4000, 2)
})

var benchIndex1M = sync.OnceValue(func() *Index {
	es, _ := bench1M()
	ix := NewIndex()
	ix.AddAll(es)
	return ix
})

// BenchmarkBuild1M measures building the index of a 1,000,000-name list
// and reports the heap it holds.
func BenchmarkBuild1M(b *testing.B) {
	es, _ := bench1M()
	for b.Loop() {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		start := time.Now()
		ix := NewIndex()
		ix.AddAll(es)
		b.ReportMetric(time.Since(start).Seconds(), "build-s")
		runtime.GC()
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), "heap-MiB")
		runtime.KeepAlive(ix)
	}
}

// BenchmarkMatch1M measures one query (top 10 with evidence) against the
// 1,000,000-name list; queries/s on one core is 1/(ns/op), with
// GOMAXPROCS=1.
func BenchmarkMatch1M(b *testing.B) {
	_, qs := bench1M()
	ix := benchIndex1M()
	i := 0
	b.ResetTimer()
	for b.Loop() {
		ix.Match(qs[i%len(qs)].Query, 10)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkJaroWinklerScan measures the baseline: a Jaro–Winkler scan of
// the same list, one query per iteration.
func BenchmarkJaroWinklerScan(b *testing.B) {
	es, qs := bench1M()
	s := NewScan(es)
	i := 0
	b.ResetTimer()
	for b.Loop() {
		s.Match(qs[i%len(qs)].Query, 10)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}
