package main

import (
	"io"
	"testing"
)

// BenchmarkExchange pushes b.N letters of 1 KiB through the full path between
// two nodes on loopback (the path `parley bench exchange` measures) and
// reports letters/s, latency percentiles and the ratio to the crypto bound
// measured in the same run.
func BenchmarkExchange(b *testing.B) {
	res, err := benchExchange(b.Context(), benchOptions{Letters: max(b.N, 1), Size: 1024, Light: 20, Concurrency: 64, Progress: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(res.LettersPerSecond, "letters/s")
	b.ReportMetric(res.P99ms, "p99-light-ms")
	b.ReportMetric(res.CryptoBound, "bound/s/core")
	b.ReportMetric(res.Ratio, "ratio")
}
