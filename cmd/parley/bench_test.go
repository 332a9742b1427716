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

// bench transcript prints the keys its interface promises, with values that
// make sense.
func TestBenchTranscript(t *testing.T) {
	var got map[string]float64
	e2eJSON(t, &got, "bench", "transcript", "-n", "1000", "--big", "5000", "--json")
	for _, k := range []string{"append_per_second", "proof_verify_ms", "bytes_per_message", "checkpoint_sign_ms", "cosign_ms", "append_share_of_seal"} {
		if v, ok := got[k]; !ok || v <= 0 {
			t.Errorf("%s = %v (present: %v), want a positive number", k, v, ok)
		}
	}
	if got["big_log_entries"] != 5000 || got["entries"] != 1000 {
		t.Errorf("sizes = %v, %v", got["entries"], got["big_log_entries"])
	}
	if got["bytes_per_message"] > 10000 {
		t.Errorf("bytes_per_message = %v: the logs cost more than the envelopes", got["bytes_per_message"])
	}
}
