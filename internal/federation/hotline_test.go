package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

// faultyTransport injects faults between two real nodes: a partition drops
// every request, a delay holds each one.
type faultyTransport struct {
	base      http.RoundTripper
	partition atomic.Bool
	delay     atomic.Int64 // nanoseconds
}

func (f *faultyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.partition.Load() {
		return nil, errors.New("injected fault: network partition")
	}
	if d := time.Duration(f.delay.Load()); d > 0 {
		time.Sleep(d)
	}
	return f.base.RoundTrip(r)
}

// alerts records the events a Hotline raises.
type alerts struct {
	mu     sync.Mutex
	events []Event
}

func (a *alerts) alert(_ context.Context, e Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
}

func (a *alerts) kinds() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ks []string
	for _, e := range a.events {
		ks = append(ks, e.Kind)
	}
	return ks
}

// hotlineFixture pairs north and south on a hotline channel, with one fake
// clock for both and a fault-injecting transport under north's pings.
type hotlineFixture struct {
	*pair
	clock  *parleytest.FixedClock
	faults *faultyTransport
	hl     *Hotline
	alerts *alerts
}

func newHotlineFixture(t *testing.T, start time.Time, interval time.Duration) *hotlineFixture {
	t.Helper()
	p := newPair(t, nil)
	clock := &parleytest.FixedClock{T: start}
	p.north.Clock, p.south.Clock = clock, clock
	if err := p.north.Store.SetPurpose(t.Context(), p.south.Identity.Fingerprint(), "hotline"); err != nil {
		t.Fatal(err)
	}
	faults := &faultyTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	a := &alerts{}
	hl := &Hotline{
		Node: p.north.Node, Client: &Client{HTTP: &http.Client{Transport: faults, Timeout: 5 * time.Second}},
		Log: parleytest.Logger(t), Alert: a.alert, Interval: interval, DownAfter: 3,
	}
	return &hotlineFixture{pair: p, clock: clock, faults: faults, hl: hl, alerts: a}
}

func (f *hotlineFixture) tick(t *testing.T) {
	t.Helper()
	if err := f.hl.Tick(t.Context()); err != nil {
		t.Fatalf("Tick: %v", err)
	}
}

func (f *hotlineFixture) liveness(t *testing.T) parley.Liveness {
	t.Helper()
	l, err := f.north.Store.Liveness(t.Context(), f.south.Identity.Fingerprint())
	if err != nil {
		t.Fatalf("Liveness: %v", err)
	}
	return l
}

func TestHotlineDownAfterMissesAndUpAfterRecovery(t *testing.T) {
	f := newHotlineFixture(t, time.Now().UTC().Truncate(time.Millisecond), time.Minute)
	steps := []struct {
		partition  bool
		wantState  string
		wantMissed int
		wantAlerts []string
	}{
		{false, parley.LivenessUp, 0, nil},
		{true, parley.LivenessUp, 1, nil},
		{true, parley.LivenessUp, 2, nil},
		{true, parley.LivenessDown, 3, []string{"peer_down"}},
		{true, parley.LivenessDown, 4, []string{"peer_down"}}, // raised once
		{false, parley.LivenessUp, 0, []string{"peer_down", "peer_up"}},
		{false, parley.LivenessUp, 0, []string{"peer_down", "peer_up"}},
	}
	for i, s := range steps {
		f.faults.partition.Store(s.partition)
		f.clock.Advance(time.Minute)
		f.tick(t)
		l := f.liveness(t)
		if l.State != s.wantState || l.Missed != s.wantMissed {
			t.Errorf("step %d: state %s missed %d, want %s and %d", i, l.State, l.Missed, s.wantState, s.wantMissed)
		}
		if got := f.alerts.kinds(); fmt.Sprint(got) != fmt.Sprint(s.wantAlerts) {
			t.Errorf("step %d: alerts %v, want %v", i, got, s.wantAlerts)
		}
	}
	l := f.liveness(t)
	if l.LastHeard.IsZero() || l.LastRTT <= 0 {
		t.Errorf("after recovery: last heard %v, rtt %v; want both set", l.LastHeard, l.LastRTT)
	}
	if l.Skew > time.Second || l.Skew < -time.Second {
		t.Errorf("skew %v with one shared clock, want about 0", l.Skew)
	}
	// The pinged side heard the peer too.
	sl, err := f.south.Store.Liveness(t.Context(), f.north.Identity.Fingerprint())
	if err != nil || sl.LastHeard.IsZero() {
		t.Errorf("south's view of north: %+v, %v; want last heard set", sl, err)
	}
}

func TestHotlineScriptedDay(t *testing.T) {
	day := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	f := newHotlineFixture(t, day, 5*time.Minute)
	f.faults.delay.Store(int64(2 * time.Millisecond))
	// A heartbeat every 5 minutes for one day; the line is cut from 10:00
	// to 10:30 (the pings at 10:00 … 10:25 fail) and from 17:00 to 17:10.
	cut := func(m int) bool { return m >= 600 && m < 630 || m >= 1020 && m < 1030 }
	for m := 0; m < 24*60; m += 5 {
		f.clock.T = day.Add(time.Duration(m) * time.Minute)
		f.faults.partition.Store(cut(m))
		f.tick(t)
	}
	check := func(when string) {
		t.Helper()
		days, err := f.north.HotlineReport(t.Context(), f.south.Identity.Fingerprint(), day, day.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 1 {
			t.Fatalf("%s: %d days, want 1", when, len(days))
		}
		d := days[0]
		if d.Attempts != 288 || d.OK != 280 {
			t.Errorf("%s: %d heartbeats, %d answered; want 288 and 280", when, d.Attempts, d.OK)
		}
		if want := 280.0 / 288.0; d.Availability != want {
			t.Errorf("%s: availability %v, want exactly %v", when, d.Availability, want)
		}
		if d.LongestOutage != 30*time.Minute {
			t.Errorf("%s: longest outage %v, want 30m", when, d.LongestOutage)
		}
		if d.MedianRTT < 2*time.Millisecond {
			t.Errorf("%s: median round trip %v, want at least the injected 2ms", when, d.MedianRTT)
		}
	}
	check("from raw samples")
	// The 10-minute cut misses two pings, fewer than DownAfter: an outage in
	// the record, but no alert.
	if got := f.alerts.kinds(); fmt.Sprint(got) != "[peer_down peer_up]" {
		t.Errorf("alerts %v, want one down and one up", got)
	}
	// Two days later the raw samples are folded into hours; the report stands.
	f.clock.T = day.Add(50 * time.Hour)
	f.tick(t)
	samples, hours, _, err := f.north.Store.History(t.Context(), f.south.Identity.Fingerprint(), day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 0 || len(hours) != 24 {
		t.Errorf("after compaction: %d raw samples and %d hours, want 0 and 24", len(samples), len(hours))
	}
	check("from hourly folds")
}

func TestFlashOvertakesQueuedLetters(t *testing.T) {
	queued := 10_000
	if testing.Short() {
		queued = 1_000
	}
	p := newPair(t, nil)
	ctx := t.Context()
	var wg sync.WaitGroup
	per := queued / 8
	for g := range 8 {
		wg.Go(func() {
			for i := range per {
				if _, err := p.north.Send(ctx, "south", &parley.Content{Text: fmt.Sprintf("bulk %d/%d", g, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	flashIn := make(chan []envelope.ID, 1)
	p.south.OnFlashReceived(func(_ parley.Peer, ids []envelope.ID) { flashIn <- ids })
	d := newDeliverer(t, p.north)
	d.Poll = 20 * time.Millisecond
	dctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	defer func() { stop(); <-done }()

	start := time.Now()
	m, err := p.north.SendFlash(ctx, "south", &parley.Content{Text: "FLASH: call us now"})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Flash || m.Seq != 1 {
		t.Errorf("flash message: flash %v seq %d, want true and 1 (its own lane)", m.Flash, m.Seq)
	}
	select {
	case ids := <-flashIn:
		if len(ids) != 1 || ids[0] != m.ID {
			t.Fatalf("south surfaced %v, want the flash %s", ids, m.ID)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the flash did not arrive within 30s")
	}
	latency := time.Since(start)
	applied, err := p.south.Store.Messages(ctx, parley.Filter{Direction: parley.Inbound, States: []string{parley.StateApplied}})
	if err != nil {
		t.Fatal(err)
	}
	bulk := 0
	var flashApplied bool
	for _, x := range applied {
		if x.Flash {
			flashApplied = x.ID == m.ID
		} else {
			bulk++
		}
	}
	if !flashApplied {
		t.Error("the flash is not applied at south")
	}
	if bulk >= queued {
		t.Errorf("all %d queued letters were applied before the flash; it overtook none", bulk)
	}
	t.Logf("flash delivered in %v with %d of %d queued letters still ahead of it", latency, queued-bulk, queued)
}

func TestUnreadFlashEscalates(t *testing.T) {
	f := newHotlineFixture(t, time.Now().UTC().Truncate(time.Millisecond), time.Minute)
	ctx := t.Context()
	f.hl.FlashDeadline = 5 * time.Minute
	m, err := f.north.SendFlash(ctx, "south", &parley.Content{Text: "FLASH"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newDeliverer(t, f.north).PassFlash(ctx, f.north.peer(t, "south")); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(4 * time.Minute)
	f.tick(t)
	if got := f.alerts.kinds(); len(got) != 0 {
		t.Fatalf("alerts before the deadline: %v", got)
	}
	f.clock.Advance(2 * time.Minute)
	f.tick(t)
	f.tick(t) // escalated once per deadline period, not per tick
	if got := f.alerts.kinds(); fmt.Sprint(got) != "[flash_unread]" {
		t.Fatalf("alerts after the deadline: %v, want one flash_unread", got)
	}
	if e := f.alerts.events[0]; e.MessageID != m.ID.String() || e.Peer != "south" {
		t.Errorf("escalation %+v, want message %s to south", e, m.ID)
	}
	f.clock.Advance(5 * time.Minute)
	f.tick(t)
	if got := f.alerts.kinds(); len(got) != 2 {
		t.Errorf("after another deadline period: %v, want a second escalation", got)
	}
	// South reads it; the read receipt reaches north on the flash lane; no
	// more escalation.
	if _, _, err := f.south.Open(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := newDeliverer(t, f.south).PassFlash(ctx, f.south.peer(t, "north")); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Minute)
	f.tick(t)
	if got := f.alerts.kinds(); len(got) != 2 {
		t.Errorf("after the read receipt: alerts %v, want no new one", got)
	}
}
