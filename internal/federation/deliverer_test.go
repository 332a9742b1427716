package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// TestDelivererPass queues letters at north and drains the outbox with
// Pass over real HTTP: south applies every letter once and in order, north
// stores a delivered receipt south signed for each, and the outbox empties.
func TestDelivererPass(t *testing.T) {
	tests := []struct {
		name     string
		letters  int
		batchMax int // 0: the default
		passes   int // passes that deliver something
	}{
		{name: "one letter", letters: 1, passes: 1},
		{name: "three letters in one batch", letters: 3, passes: 1},
		{name: "five letters in batches of two", letters: 5, batchMax: 2, passes: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPair(t, nil)
			sent := make([]parley.Message, tc.letters)
			for i := range sent {
				sent[i] = p.north.send(t, "south", fmt.Sprintf("letter %d", i+1))
			}
			if got := p.north.status(t, "south").QueueDepth; got != tc.letters {
				t.Fatalf("queue depth before delivery = %d, want %d", got, tc.letters)
			}
			d := newDeliverer(t, p.north)
			d.BatchMax = tc.batchMax
			peer := p.north.peer(t, "south")
			for i := range tc.passes {
				progressed, err := d.Pass(ctx, peer)
				if err != nil || !progressed {
					t.Fatalf("pass %d: progressed %v, err %v; want true, nil", i+1, progressed, err)
				}
			}
			if progressed, err := d.Pass(ctx, peer); err != nil || progressed {
				t.Errorf("pass with an empty outbox: progressed %v, err %v; want false, nil", progressed, err)
			}

			st := p.north.status(t, "south")
			if st.QueueDepth != 0 || st.Sent != tc.letters || st.LastDelivery.IsZero() || st.LastError != "" {
				t.Errorf("north's status: queue %d, sent %d, last delivery %v, last error %q; want 0, %d, set, none",
					st.QueueDepth, st.Sent, st.LastDelivery, st.LastError, tc.letters)
			}
			for _, m := range sent {
				checkDelivered(t, p, m)
			}
			if got := counterValue(t, p.north.srv.Metrics.Sent); got != float64(tc.letters) {
				t.Errorf("parley_envelopes_delivered_total = %v, want %d", got, tc.letters)
			}
			checkInbox(t, p.south.Node, sent)
		})
	}
}

// checkDelivered checks that north holds a delivered receipt from south for
// m that verifies and names m exactly, and that m left the outbox.
func checkDelivered(t *testing.T, p *pair, m parley.Message) {
	t.Helper()
	ctx := t.Context()
	rs, err := p.north.Store.Receipts(ctx, p.south.Identity.Fingerprint(), parley.Outbound, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := rs[envelope.Delivered]
	if r == nil {
		t.Errorf("seq %d: north has no delivered receipt", m.Seq)
		return
	}
	if err := r.Verify(p.south.Identity.Public()); err != nil {
		t.Errorf("seq %d: delivered receipt does not verify: %v", m.Seq, err)
	}
	if r.Envelope != m.ID || r.Seq != m.Seq || r.Hash != m.Hash {
		t.Errorf("seq %d: delivered receipt names %s seq %d", m.Seq, r.Envelope, r.Seq)
	}
	got, err := p.north.Store.Message(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != parley.StateDelivered || got.DeliveredAt.IsZero() {
		t.Errorf("seq %d: state %q, delivered at %v; want %q and a time", m.Seq, got.State, got.DeliveredAt, parley.StateDelivered)
	}
}

// checkInbox checks that n applied exactly the letters sent, once each, with
// the bytes and content the sender committed.
func checkInbox(t *testing.T, n *parley.Node, sent []parley.Message) {
	t.Helper()
	msgs, err := n.Store.Messages(t.Context(), parley.Filter{Direction: parley.Inbound})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(sent) {
		t.Fatalf("%s holds %d inbound messages, want %d", n.Name, len(msgs), len(sent))
	}
	bySeq := map[uint64]parley.Message{}
	for _, m := range msgs {
		bySeq[m.Seq] = m
	}
	for _, want := range sent {
		got, ok := bySeq[want.Seq]
		switch {
		case !ok:
			t.Errorf("seq %d: not in %s's inbox", want.Seq, n.Name)
		case got.ID != want.ID || !bytes.Equal(got.Envelope, want.Envelope) || !bytes.Equal(got.Body, want.Body):
			t.Errorf("seq %d: %s stored another envelope (%s) than the one sent (%s)", want.Seq, n.Name, got.ID, want.ID)
		case got.State != parley.StateApplied:
			t.Errorf("seq %d: state %q, want %q", want.Seq, got.State, parley.StateApplied)
		}
	}
}

// TestDelivererPeerUnavailable makes south unreachable or unhelpful in
// several ways: Pass must fail, lose nothing (the outbox keeps every letter
// and no receipt is stored), and deliver everything once south is back.
func TestDelivererPeerUnavailable(t *testing.T) {
	unavailable := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	tests := []struct {
		name string
		// fault makes south unavailable and returns the URL north should
		// use ("" to keep the paired one).
		fault func(t *testing.T, p *pair) string
		// recover brings south back and returns the URL to use.
		recover func(t *testing.T, p *pair) string
		// remote is the refusal Pass reports; nil for a transport error.
		remote *RemoteError
		// storedDuringFault: south stored the batch but north never heard.
		storedDuringFault bool
	}{
		{
			name: "server closed, back at a new URL",
			fault: func(t *testing.T, p *pair) string {
				p.south.ts.Close()
				return ""
			},
			recover: func(t *testing.T, p *pair) string {
				ts := httptest.NewServer(p.south.mux)
				t.Cleanup(ts.Close)
				return ts.URL
			},
		},
		{
			name: "server answers 503, then recovers",
			fault: func(t *testing.T, p *pair) string {
				p.south.serve(unavailable)
				return ""
			},
			recover: func(t *testing.T, p *pair) string {
				p.south.serve(p.south.mux)
				return p.south.ts.URL
			},
			remote: &RemoteError{Status: http.StatusServiceUnavailable, Code: "unknown"},
		},
		{
			name: "peer refuses the batch with a coded error",
			fault: func(t *testing.T, p *pair) string {
				strict := &Server{Node: p.south.Node, Log: slog.New(slog.DiscardHandler), Metrics: NewMetrics(nil), MaxBodyBytes: 100}
				mux := http.NewServeMux()
				strict.Register(mux)
				p.south.serve(mux)
				return ""
			},
			recover: func(t *testing.T, p *pair) string {
				p.south.serve(p.south.mux)
				return p.south.ts.URL
			},
			remote: &RemoteError{Status: http.StatusRequestEntityTooLarge, Code: string(parley.CodeTooLarge)},
		},
		{
			name: "answer lost after south stored the batch",
			fault: func(t *testing.T, p *pair) string {
				p.south.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					rec := httptest.NewRecorder()
					p.south.mux.ServeHTTP(rec, r)
					if rec.Code != http.StatusOK {
						t.Errorf("south refused the batch before the answer was lost: %d %s", rec.Code, rec.Body)
					}
					http.Error(w, "gateway lost the answer", http.StatusBadGateway)
				}))
				return ""
			},
			recover: func(t *testing.T, p *pair) string {
				p.south.serve(p.south.mux)
				return p.south.ts.URL
			},
			remote:            &RemoteError{Status: http.StatusBadGateway, Code: "unknown"},
			storedDuringFault: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPair(t, nil)
			sent := []parley.Message{p.north.send(t, "south", "first"), p.north.send(t, "south", "second")}
			d := newDeliverer(t, p.north)
			peer := p.north.peer(t, "south")

			if u := tc.fault(t, p); u != "" {
				peer.URL = u
			}
			progressed, err := d.Pass(ctx, peer)
			if err == nil || progressed {
				t.Fatalf("Pass with south unavailable: progressed %v, err %v; want false and an error", progressed, err)
			}
			var re *RemoteError
			switch {
			case tc.remote == nil && errors.As(err, &re):
				t.Errorf("Pass error = %v, want a transport error", err)
			case tc.remote != nil && !errors.As(err, &re):
				t.Errorf("Pass error = %v, want a refusal by the peer", err)
			case tc.remote != nil && (re.Status != tc.remote.Status || re.Code != tc.remote.Code):
				t.Errorf("peer refused with %d %s, want %d %s", re.Status, re.Code, tc.remote.Status, tc.remote.Code)
			}
			if got := p.north.status(t, "south").QueueDepth; got != len(sent) {
				t.Errorf("queue depth after the failed pass = %d, want %d (nothing may leave the outbox)", got, len(sent))
			}
			for _, m := range sent {
				rs, err := p.north.Store.Receipts(ctx, p.south.Identity.Fingerprint(), parley.Outbound, m.ID)
				if err != nil || len(rs) != 0 {
					t.Errorf("seq %d: receipts %v, %v after the failed pass; want none", m.Seq, rs, err)
				}
			}
			wantInbound := 0
			if tc.storedDuringFault {
				wantInbound = len(sent)
			}
			if got := p.south.status(t, "north").Received; got != wantInbound {
				t.Errorf("south received %d envelopes during the fault, want %d", got, wantInbound)
			}

			peer.URL = tc.recover(t, p)
			if progressed, err := d.Pass(ctx, peer); err != nil || !progressed {
				t.Fatalf("Pass after recovery: progressed %v, err %v; want true, nil", progressed, err)
			}
			if got := p.north.status(t, "south").QueueDepth; got != 0 {
				t.Errorf("queue depth after recovery = %d, want 0", got)
			}
			for _, m := range sent {
				checkDelivered(t, p, m)
			}
			checkInbox(t, p.south.Node, sent)
		})
	}
}

// TestDelivererRun runs the background worker against a south that first
// answers 503: the worker records the error, retries with backoff, and
// delivers once south is back, without a single call to Pass by the test.
func TestDelivererRun(t *testing.T) {
	p := newPair(t, nil)
	p.south.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	d := newDeliverer(t, p.north)
	d.RetryMin, d.RetryMax, d.Poll = 5*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	}()

	sent := []parley.Message{p.north.send(t, "south", "are you there?")}
	waitFor(t, "north to record the failed delivery", func() bool {
		st := p.north.status(t, "south")
		return st.LastError != "" && st.QueueDepth == 1
	})
	p.south.serve(p.south.mux)
	waitFor(t, "the worker to deliver", func() bool {
		st := p.north.status(t, "south")
		return st.QueueDepth == 0 && st.LastError == ""
	})
	sent = append(sent, p.north.send(t, "south", "good, one more"))
	waitFor(t, "the worker to deliver a letter queued later", func() bool {
		return p.north.status(t, "south").QueueDepth == 0
	})
	for _, m := range sent {
		checkDelivered(t, p, m)
	}
	checkInbox(t, p.south.Node, sent)
	if got := counterValue(t, d.Metrics.DeliveryErr.WithLabelValues("south")); got < 1 {
		t.Errorf("parley_delivery_errors_total{peer=south} = %v, want at least 1", got)
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDelivererReadReceipts has south open a letter from north and push the
// signed read receipt with its own Pass: north stores it and marks the
// letter read; while north is unavailable the receipt stays queued.
func TestDelivererReadReceipts(t *testing.T) {
	ctx := t.Context()
	p := newPair(t, nil)
	m := p.north.send(t, "south", "read me")
	if _, err := newDeliverer(t, p.north).Pass(ctx, p.north.peer(t, "south")); err != nil {
		t.Fatalf("delivering the letter: %v", err)
	}

	got, c, err := p.south.Open(ctx, m.ID)
	if err != nil {
		t.Fatalf("south opening the letter: %v", err)
	}
	if c.Text != "read me" || got.ReadAt.IsZero() {
		t.Errorf("south opened %q, read at %v; want %q and a time", c.Text, got.ReadAt, "read me")
	}
	if _, _, err := p.south.Open(ctx, m.ID); err != nil {
		t.Fatalf("south opening the letter again: %v", err)
	}
	if got := p.south.status(t, "north").ReceiptQueue; got != 1 {
		t.Fatalf("south's receipt queue after opening twice = %d, want 1", got)
	}

	ds := newDeliverer(t, p.south)
	north := p.south.peer(t, "north")
	t.Run("north unavailable", func(t *testing.T) {
		p.north.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		}))
		defer p.north.serve(p.north.mux)
		if progressed, err := ds.Pass(ctx, north); err == nil || progressed {
			t.Errorf("Pass: progressed %v, err %v; want false and an error", progressed, err)
		}
		if got := p.south.status(t, "north").ReceiptQueue; got != 1 {
			t.Errorf("receipt queue after the failed push = %d, want 1", got)
		}
	})
	t.Run("north back", func(t *testing.T) {
		if progressed, err := ds.Pass(ctx, north); err != nil || !progressed {
			t.Fatalf("Pass: progressed %v, err %v; want true, nil", progressed, err)
		}
		if got := p.south.status(t, "north").ReceiptQueue; got != 0 {
			t.Errorf("receipt queue after the push = %d, want 0", got)
		}
		if progressed, err := ds.Pass(ctx, north); err != nil || progressed {
			t.Errorf("second Pass: progressed %v, err %v; want false, nil", progressed, err)
		}
		theirs, err := p.south.Store.Receipts(ctx, p.north.Identity.Fingerprint(), parley.Inbound, m.ID)
		if err != nil || theirs[envelope.Read] == nil {
			t.Fatalf("south's own read receipt: %v, %v", theirs, err)
		}
		ours, err := p.north.Store.Receipts(ctx, p.south.Identity.Fingerprint(), parley.Outbound, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		read := ours[envelope.Read]
		if read == nil {
			t.Fatalf("north stored no read receipt; has %v", ours)
		}
		if !bytes.Equal(read.Raw, theirs[envelope.Read].Raw) {
			t.Errorf("north stored other bytes than the receipt south signed")
		}
		if err := read.Verify(p.south.Identity.Public()); err != nil {
			t.Errorf("read receipt does not verify with south's identity: %v", err)
		}
		if read.Envelope != m.ID || read.Hash != m.Hash || read.Seq != m.Seq {
			t.Errorf("read receipt names %s seq %d, want %s seq %d", read.Envelope, read.Seq, m.ID, m.Seq)
		}
		msg, err := p.north.Store.Message(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !msg.ReadAt.Equal(read.Time) {
			t.Errorf("north's ReadAt = %v, want the receipt's time %v", msg.ReadAt, read.Time)
		}
		if got := counterValue(t, p.north.srv.Metrics.ReceiptsIn); got != 1 {
			t.Errorf("north's parley_read_receipts_received_total = %v, want 1", got)
		}
		if got := counterValue(t, ds.Metrics.ReceiptsOut); got != 1 {
			t.Errorf("south's parley_read_receipts_sent_total = %v, want 1", got)
		}
	})
}
