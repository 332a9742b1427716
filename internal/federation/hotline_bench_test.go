//go:build unix

package federation

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/prometheus/client_golang/prometheus"
)

// The benchmarks in this file measure the two promises of the hotline on
// real nodes (SQLite stores, HTTP on 127.0.0.1), all in this process:
//
//   - BenchmarkFlashBehindQueue: a flash letter reaches the peer quickly
//     even while 10,000 letters queued before it are being delivered.
//   - BenchmarkHeartbeatRound100: one heartbeat round to 100 peers costs
//     little CPU, so a node can keep many hotlines at the default interval.
//
// Run them with
//
//	go test -run '^$' -bench 'FlashBehindQueue|HeartbeatRound100' -benchtime 20x ./internal/federation

// benchTestNode is newTestNode for a benchmark, which newTestNode cannot
// take (it wants a *testing.T): a node named name with its federation
// server on a real listener.
func benchTestNode(tb testing.TB, name string) *testNode {
	tb.Helper()
	n := &testNode{Node: parleytest.NewNode(tb, name), reg: prometheus.NewRegistry()}
	n.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*n.handler.Load()).ServeHTTP(w, r)
	}))
	n.srv = &Server{
		Node: n.Node, Log: parleytest.Logger(tb), Metrics: NewMetrics(n.reg),
		IdentityFile: parley.ExportIdentity(n.Identity, name, "http://"+n.ts.Listener.Addr().String()),
	}
	n.mux = http.NewServeMux()
	n.srv.Register(n.mux)
	n.serve(n.mux)
	n.ts.Start()
	tb.Cleanup(n.ts.Close)
	return n
}

// percentile returns the q-quantile (0 < q ≤ 1) of sorted by the
// nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkFlashBehindQueue queues 10,000 letters at north, starts north's
// delivery worker, and then, once per iteration, sends one flash letter and
// waits until south surfaces it (OnFlashReceived). It reports the latency
// from SendFlash to that moment as p50-ms and p99-ms, and bulk-queued, the
// letters still in north's outbox when the last flash arrived: a flash that
// overtakes the queue arrives long before it drains.
//
// The queue is built once per run of the function (b.Loop runs it once);
// the bulk lane drains while the flashes are measured, as it would in
// production.
func BenchmarkFlashBehindQueue(b *testing.B) {
	const bulk, senders = 10_000, 8
	ctx := b.Context()
	north, south := benchTestNode(b, "north"), benchTestNode(b, "south")
	parleytest.Pair(b, north.Node, north.ts.URL, south.Node, south.ts.URL)

	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := g; i < bulk; i += senders {
				if _, err := north.Send(ctx, "south", &parley.Content{Text: fmt.Sprintf("bulk letter %05d", i)}); err != nil {
					b.Errorf("queueing bulk letter %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	queueDepth := func() int {
		sts, err := north.Store.Status(ctx)
		if err != nil || len(sts) != 1 {
			b.Fatalf("north's status: %v, %v", sts, err)
		}
		return sts[0].QueueDepth
	}
	if got := queueDepth(); got != bulk {
		b.Fatalf("north's outbox holds %d letters, want %d", got, bulk)
	}

	arrived := make(chan envelope.ID, 16)
	south.OnFlashReceived(func(_ parley.Peer, ids []envelope.ID) {
		for _, id := range ids {
			arrived <- id
		}
	})
	client := NewClient(30 * time.Second)
	b.Cleanup(client.HTTP.CloseIdleConnections)
	d := &Deliverer{Node: north.Node, Client: client, Log: parleytest.Logger(b), Metrics: north.srv.Metrics}
	dctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	defer func() { stop(); <-done }()
	// Measure behind a queue that is draining, not one still idle.
	for deadline := time.Now().Add(30 * time.Second); queueDepth() == bulk; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("north delivered no bulk letter within 30s")
		}
	}

	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		m, err := north.SendFlash(ctx, "south", &parley.Content{Text: "FLASH: call us now"})
		if err != nil {
			b.Fatal(err)
		}
		select {
		case id := <-arrived:
			if id != m.ID {
				b.Fatalf("south surfaced flash %s, want %s", id, m.ID)
			}
		case <-time.After(30 * time.Second):
			b.Fatalf("flash %d did not arrive within 30s", len(lat)+1)
		}
		lat = append(lat, time.Since(start))
	}
	left := queueDepth()
	slices.Sort(lat)
	b.ReportMetric(millis(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(millis(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(float64(left), "bulk-queued")
	if left == 0 {
		b.Logf("the bulk queue drained before the last flash arrived: the flashes were not measured behind it (run fewer iterations)")
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHeartbeatRound100 pairs north with 100 peers on hotline
// channels and measures one Hotline.Tick: 100 signed pings, 100 verified
// and signed pongs, 200 store writes. Every node runs in this process, so
// the CPU time (getrusage, user + system) covers both sides of every
// heartbeat. It reports cpu-ms/round and core-%-at-60s, the share of one
// core the rounds take at the default interval of 60s. A first, untimed
// round opens the connections and runs the hourly compaction; its CPU time
// is reported as cold-cpu-ms.
func BenchmarkHeartbeatRound100(b *testing.B) {
	const peers = 100
	ctx := b.Context()
	north := benchTestNode(b, "north")
	for i := range peers {
		n := benchTestNode(b, fmt.Sprintf("peer%03d", i))
		parleytest.Pair(b, north.Node, north.ts.URL, n.Node, n.ts.URL)
		if err := north.Store.SetPurpose(ctx, n.Identity.Fingerprint(), "hotline"); err != nil {
			b.Fatal(err)
		}
	}
	var mu sync.Mutex
	var alerts []Event
	client := NewClient(30 * time.Second)
	b.Cleanup(client.HTTP.CloseIdleConnections)
	hl := &Hotline{
		Node: north.Node, Client: client, Log: parleytest.Logger(b), Interval: time.Minute,
		Alert: func(_ context.Context, e Event) { mu.Lock(); alerts = append(alerts, e); mu.Unlock() },
	}

	cold := cpuTime(b)
	if err := hl.Tick(ctx); err != nil {
		b.Fatal(err)
	}
	cold = cpuTime(b) - cold

	start := cpuTime(b)
	for b.Loop() {
		if err := hl.Tick(ctx); err != nil {
			b.Fatal(err)
		}
	}
	used := cpuTime(b) - start

	lives, err := north.Store.Livenesses(ctx)
	if err != nil {
		b.Fatal(err)
	}
	up := 0
	for _, l := range lives {
		if l.State == parley.LivenessUp && l.Missed == 0 {
			up++
		}
	}
	if up != peers || len(alerts) != 0 {
		b.Fatalf("after the rounds: %d of %d peers up, alerts %v; want all up and no alert", up, peers, alerts)
	}
	perRound := used / time.Duration(b.N)
	b.ReportMetric(millis(perRound), "cpu-ms/round")
	b.ReportMetric(100*perRound.Seconds()/60, "core-%-at-60s")
	b.ReportMetric(millis(cold), "cold-cpu-ms")
}
