package federation

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

// webhookSink is a local webhook that fails its first failures requests
// with 503 and records the events it accepts.
type webhookSink struct {
	mu       sync.Mutex
	failures int
	attempts int
	events   []Event
	got      chan struct{}
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.attempts <= s.failures {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var e Event
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if r.Header.Get("Content-Type") != "application/json" || d.Decode(&e) != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	s.events = append(s.events, e)
	s.got <- struct{}{}
}

func TestAlerterRetriesWebhook(t *testing.T) {
	sink := &webhookSink{failures: 2, got: make(chan struct{}, 10)}
	ts := httptest.NewServer(sink)
	defer ts.Close()
	var logs bytes.Buffer
	a := NewAlerter(slog.New(slog.NewTextHandler(&logs, nil)), ts.URL, nil)
	a.Retries, a.RetryMin = 3, 10*time.Millisecond
	a.Alert(t.Context(), Event{Kind: "warning_overdue", Peer: "south", At: time.Now().UTC(), MessageID: "ab"})
	select {
	case <-sink.got:
	case <-time.After(10 * time.Second):
		t.Fatalf("the webhook never accepted the event; log:\n%s", logs.String())
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if sink.attempts != 3 || len(sink.events) != 1 || sink.events[0].Kind != "warning_overdue" || sink.events[0].MessageID != "ab" {
		t.Errorf("attempts %d, events %+v; want the event accepted on the third attempt", sink.attempts, sink.events)
	}
	if n := strings.Count(logs.String(), "webhook failed; retrying"); n != 2 {
		t.Errorf("logged %d retries, want 2:\n%s", n, logs.String())
	}
}

func TestAlerterGivesUp(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   int
		attempts int
	}{
		{"server error retried until the limit", http.StatusInternalServerError, 3},
		{"client error not retried", http.StatusNotFound, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			attempts := 0
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				attempts++
				mu.Unlock()
				w.WriteHeader(tt.status)
			}))
			defer ts.Close()
			a := NewAlerter(slog.New(slog.DiscardHandler), ts.URL, nil)
			a.Retries, a.RetryMin = 2, time.Millisecond
			a.post(t.Context(), "x", []byte(`{}`)) // synchronously
			mu.Lock()
			defer mu.Unlock()
			if attempts != tt.attempts {
				t.Errorf("%d attempts, want %d", attempts, tt.attempts)
			}
		})
	}
}

// An overdue warning escalates through the alerter on both nodes, then
// again after the interval, and stops once answered.
func TestEscalator(t *testing.T) {
	clock := &parleytest.FixedClock{T: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	north, south := parleytest.NewNode(t, "north"), parleytest.NewNode(t, "south")
	north.Clock, south.Clock = clock, clock
	parleytest.Pair(t, north, "http://north", south, "http://south")
	ctx := t.Context()
	m, err := north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindRequest, RespondWithin: 2 * time.Hour, Content: parley.Content{Text: "Who owns the account?"}})
	if err != nil {
		t.Fatal(err)
	}
	sink := &webhookSink{got: make(chan struct{}, 10)}
	ts := httptest.NewServer(sink)
	defer ts.Close()
	reg := prometheus.NewRegistry()
	a := NewAlerter(slog.New(slog.DiscardHandler), ts.URL, reg)
	reg.MustRegister(&StatsCollector{Node: north, Log: slog.New(slog.DiscardHandler)})
	e := &Escalator{Node: north, Log: slog.New(slog.DiscardHandler), Alert: a.Alert, Interval: time.Hour}

	tick := func(want int) {
		t.Helper()
		n, err := e.Tick(ctx)
		if err != nil || n != want {
			t.Fatalf("Tick = %d, %v; want %d", n, err, want)
		}
		for range want {
			select {
			case <-sink.got:
			case <-time.After(10 * time.Second):
				t.Fatal("no webhook call")
			}
		}
	}
	tick(0)
	clock.Advance(2*time.Hour + time.Second)
	tick(1)
	tick(0)
	clock.Advance(30 * time.Minute)
	tick(0)
	clock.Advance(30 * time.Minute)
	tick(1)
	if got := gathered(t, reg, "parley_alerts_total", "event", "request_overdue"); got != 2 {
		t.Errorf("parley_alerts_total{event=request_overdue} = %v, want 2", got)
	}
	if got := gathered(t, reg, "parley_obligations_overdue", "direction", "out"); got != 1 {
		t.Errorf("parley_obligations_overdue{direction=out} = %v, want 1", got)
	}
	sink.mu.Lock()
	last := sink.events[len(sink.events)-1]
	sink.mu.Unlock()
	if last.Kind != "request_overdue" || last.Peer != "south" || last.MessageID != m.ID.String() || !strings.Contains(last.Detail, "escalation 2") {
		t.Errorf("webhook event = %+v", last)
	}

	// The peer answers: nothing more escalates.
	p, _ := north.Store.PeerByName(ctx, "south")
	msgs, err := north.Store.Claim(ctx, p.Fingerprint(), false, 10, 1<<20, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := south.Receive(ctx, [][]byte{msgs[0].Envelope})
	if err != nil {
		t.Fatal(err)
	}
	if err := north.Acknowledge(ctx, p, msgs, [][]byte{res[0].Receipt}); err != nil {
		t.Fatal(err)
	}
	if _, err := south.Compose(ctx, "north", parley.Draft{Kind: envelope.KindResponse, Content: parley.Content{Text: "Nobody we know.", InReplyTo: m.ID.String()}}); err != nil {
		t.Fatal(err)
	}
	q, _ := south.Store.PeerByName(ctx, "north")
	back, err := south.Store.Claim(ctx, q.Fingerprint(), false, 10, 1<<20, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := north.Receive(ctx, [][]byte{back[0].Envelope}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	tick(0)
}

// gathered returns the value of the metric name whose label has value.
func gathered(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					if c := m.GetCounter(); c != nil {
						return c.GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no metric %s{%s=%q}", name, label, value)
	return 0
}
