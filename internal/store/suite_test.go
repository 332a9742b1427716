package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/store"
)

// backends lists every Store implementation; each test body runs on all.
var backends = []struct {
	name string
	open func(t *testing.T) parley.Store
}{
	{"sqlite", func(t *testing.T) parley.Store { return parleytest.NewStore(t) }},
	{"postgres", func(t *testing.T) parley.Store { return parleytest.NewPostgresStore(t) }},
}

func forEach(t *testing.T, f func(t *testing.T, st parley.Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.open(t)) })
	}
}

// fixture is a local identity with one pinned peer.
type fixture struct {
	self, peer *envelope.Identity
	p          parley.Peer
}

func newFixture(t *testing.T, st parley.Store) fixture {
	t.Helper()
	self, peer := parleytest.Identity(t, "self"), parleytest.Identity(t, "peer")
	p := parley.Peer{Name: "peer", URL: "http://127.0.0.1:1", Identity: peer.Public(),
		Channel: parley.ChannelID(self.Fingerprint(), peer.Fingerprint()), AddedAt: time.UnixMilli(1_700_000_000_000).UTC()}
	if err := st.AddPeer(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	return fixture{self, peer, p}
}

// incoming builds a verified inbound envelope from the peer with seq.
func (f fixture) incoming(t *testing.T, seq uint64, text string) parley.Incoming {
	t.Helper()
	body := parley.EncodeContent(&parley.Content{Text: text})
	wire, env, salt, err := envelope.Seal(f.peer, f.self.Public(), envelope.SealParams{Kind: envelope.KindLetter, Channel: f.p.Channel, Seq: seq, Time: time.Now()}, body)
	if err != nil {
		t.Fatal(err)
	}
	r := envelope.ReceiptFor(envelope.Delivered, env.Header, envelope.Hash(wire), time.Now())
	if err := envelope.SignReceipt(f.self, r); err != nil {
		t.Fatal(err)
	}
	return parley.Incoming{Env: env, Wire: wire, Salt: salt, Body: body, Receipt: r}
}

func TestPeers(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		f := newFixture(t, st)
		got, err := st.PeerByName(ctx, "peer")
		if err != nil {
			t.Fatal(err)
		}
		if got.Fingerprint() != f.peer.Fingerprint() || got.Channel != f.p.Channel || got.URL != f.p.URL || !got.AddedAt.Equal(f.p.AddedAt) {
			t.Errorf("PeerByName = %+v, want %+v", got, f.p)
		}
		if _, err := st.PeerByFingerprint(ctx, f.peer.Fingerprint()); err != nil {
			t.Errorf("PeerByFingerprint: %v", err)
		}
		if _, err := st.PeerByName(ctx, "nobody"); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("PeerByName(unknown) error = %v, want ErrNotFound", err)
		}
		if err := st.AddPeer(ctx, f.p); !errors.Is(err, parley.ErrExists) {
			t.Errorf("AddPeer(duplicate) error = %v, want ErrExists", err)
		}
	})
}

func TestEnqueueAllocatesConsecutiveSequences(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		f := newFixture(t, st)
		seal := func(n int) func(uint64) ([]parley.Outgoing, error) {
			return func(first uint64) ([]parley.Outgoing, error) {
				var out []parley.Outgoing
				for i := range n {
					body := parley.EncodeContent(&parley.Content{Text: "x"})
					wire, env, salt, err := envelope.Seal(f.self, f.peer.Public(), envelope.SealParams{Kind: envelope.KindLetter, Channel: f.p.Channel, Seq: first + uint64(i), Time: time.Now()}, body)
					if err != nil {
						return nil, err
					}
					out = append(out, parley.Outgoing{Env: env, Wire: wire, Salt: salt, Body: body})
				}
				return out, nil
			}
		}
		for _, n := range []int{1, 3, 2} {
			if err := st.Enqueue(ctx, f.peer.Fingerprint(), false, n, seal(n)); err != nil {
				t.Fatal(err)
			}
		}
		// A failing seal commits nothing and consumes no sequence number.
		boom := errors.New("boom")
		if err := st.Enqueue(ctx, f.peer.Fingerprint(), false, 1, func(uint64) ([]parley.Outgoing, error) { return nil, boom }); !errors.Is(err, boom) {
			t.Fatalf("Enqueue with failing seal = %v, want boom", err)
		}
		if err := st.Enqueue(ctx, f.peer.Fingerprint(), false, 1, seal(1)); err != nil {
			t.Fatal(err)
		}
		msgs, err := st.Claim(ctx, f.peer.Fingerprint(), false, 100, 1<<30, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 7 {
			t.Fatalf("Pending = %d messages, want 7", len(msgs))
		}
		for i, m := range msgs {
			if m.Seq != uint64(i+1) || m.State != parley.StateQueued || m.Direction != parley.Outbound {
				t.Errorf("pending[%d] = seq %d state %s dir %s, want seq %d queued out", i, m.Seq, m.State, m.Direction, i+1)
			}
		}
		ids := func(ms []parley.Message) []envelope.ID {
			var out []envelope.ID
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		if err := st.Release(ctx, f.peer.Fingerprint(), ids(msgs)); err != nil {
			t.Fatal(err)
		}
		// maxBytes bounds a batch but always yields at least one.
		one, err := st.Claim(ctx, f.peer.Fingerprint(), false, 100, 1, time.Minute)
		if err != nil || len(one) != 1 {
			t.Errorf("Claim(maxBytes=1) = %d, %v; want 1 message", len(one), err)
		}
		st.Release(ctx, f.peer.Fingerprint(), ids(one))
		// Acknowledge removes from the outbox, idempotently.
		var rs []*envelope.Receipt
		for _, m := range msgs[:4] {
			h, _ := envelope.ParseHeader(m.Envelope[:envelope.HeaderSize])
			r := envelope.ReceiptFor(envelope.Delivered, h, m.Hash, time.Now())
			if err := envelope.SignReceipt(f.peer, r); err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		for range 2 {
			if err := st.Acknowledge(ctx, f.peer.Fingerprint(), rs); err != nil {
				t.Fatal(err)
			}
		}
		left, _ := st.Claim(ctx, f.peer.Fingerprint(), false, 100, 1<<30, time.Minute)
		if len(left) != 3 || left[0].Seq != 5 {
			t.Errorf("after acknowledging 4, pending = %d starting at %d; want 3 starting at 5", len(left), left[0].Seq)
		}
		got, err := st.Receipts(ctx, f.peer.Fingerprint(), parley.Outbound, msgs[0].ID)
		if err != nil || got[envelope.Delivered] == nil {
			t.Errorf("Receipts = %v, %v; want a delivered receipt", got, err)
		}
		m, err := st.Message(ctx, msgs[0].ID)
		if err != nil || m.State != parley.StateDelivered || m.DeliveredAt.IsZero() {
			t.Errorf("Message = state %q delivered %v, %v; want delivered", m.State, m.DeliveredAt, err)
		}
	})
}

func TestReceiveOrderingAndIdempotency(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		f := newFixture(t, st)
		fp := f.peer.Fingerprint()
		e1, e2, e3 := f.incoming(t, 1, "one"), f.incoming(t, 2, "two"), f.incoming(t, 3, "three")

		status := func(res []parley.Result) []string {
			var s []string
			for _, r := range res {
				s = append(s, r.Status)
			}
			return s
		}
		check := func(step string, res []parley.Result, err error, want ...string) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if got := status(res); len(got) != len(want) || func() bool {
				for i := range got {
					if got[i] != want[i] {
						return true
					}
				}
				return false
			}() {
				t.Errorf("%s: statuses %v, want %v", step, got, want)
			}
		}
		res, err := st.Receive(ctx, fp, 16, []parley.Incoming{e3})
		check("seq 3 first", res, err, "held")
		res, err = st.Receive(ctx, fp, 16, []parley.Incoming{e2, e1})
		check("then 2 and 1", res, err, "stored", "stored")
		res, err = st.Receive(ctx, fp, 16, []parley.Incoming{e1, e3})
		check("duplicates", res, err, "duplicate", "duplicate")
		if string(res[0].Receipt) != string(e1.Receipt.Raw) {
			t.Errorf("duplicate returned a different receipt than the stored one")
		}
		msgs, err := st.Messages(ctx, parley.Filter{Direction: parley.Inbound, States: []string{parley.StateApplied}})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 3 {
			t.Fatalf("applied = %d, want 3", len(msgs))
		}
		for i, m := range msgs {
			if m.Seq != uint64(i+1) {
				t.Errorf("applied[%d].Seq = %d, want %d", i, m.Seq, i+1)
			}
		}

		before, _ := st.Status(ctx)
		bad := []struct {
			name string
			in   []parley.Incoming
			code parley.Code
		}{
			{"replayed sequence", []parley.Incoming{f.incoming(t, 2, "again")}, parley.CodeSequenceReused},
			{"beyond window", []parley.Incoming{f.incoming(t, 4+16, "far")}, parley.CodeSequenceWindow},
			{"same id other bytes", func() []parley.Incoming {
				x := f.incoming(t, 5, "five")
				x.Env.Header.ID = e1.Env.Header.ID
				return []parley.Incoming{x}
			}(), parley.CodeEnvelopeConflict},
			{"good then bad is all or nothing", []parley.Incoming{f.incoming(t, 4, "four"), f.incoming(t, 1, "old")}, parley.CodeSequenceReused},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := st.Receive(ctx, fp, 16, tc.in)
				if got := parley.CodeOf(err); got != tc.code {
					t.Errorf("code = %s (%v), want %s", got, err, tc.code)
				}
				after, _ := st.Status(ctx)
				if after[0].Received != before[0].Received || after[0].Held != before[0].Held {
					t.Errorf("store changed: received %d→%d held %d→%d", before[0].Received, after[0].Received, before[0].Held, after[0].Held)
				}
			})
		}
	})
}

func TestMarkReadQueuesOneReceipt(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		f := newFixture(t, st)
		in := f.incoming(t, 1, "hello")
		if _, err := st.Receive(ctx, f.peer.Fingerprint(), 16, []parley.Incoming{in}); err != nil {
			t.Fatal(err)
		}
		r := envelope.ReceiptFor(envelope.Read, in.Env.Header, envelope.Hash(in.Wire), time.Now())
		if err := envelope.SignReceipt(f.self, r); err != nil {
			t.Fatal(err)
		}
		sealed := 0
		seal := func(seq uint64) (parley.Outgoing, error) {
			sealed++
			wire, env, salt, err := envelope.Seal(f.self, f.peer.Public(), envelope.SealParams{Kind: envelope.KindReceipt, Channel: f.p.Channel, Seq: seq, Time: time.Now()}, r.Raw)
			return parley.Outgoing{Env: env, Wire: wire, Salt: salt, Body: r.Raw}, err
		}
		for i, want := range []bool{true, false} {
			got, err := st.MarkRead(ctx, in.Env.Header.ID, time.Now(), r, seal)
			if err != nil || got != want {
				t.Errorf("MarkRead #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
		// The receipt is one envelope of kind receipt in the outbox.
		msgs, err := st.Claim(ctx, f.peer.Fingerprint(), false, 10, 1<<30, time.Minute)
		if err != nil || sealed != 1 || len(msgs) != 1 || msgs[0].Kind != envelope.KindReceipt || string(msgs[0].Body) != string(r.Raw) || msgs[0].Seq != 1 {
			t.Fatalf("outbox after MarkRead = %+v, %v (sealed %d); want the one read receipt", msgs, err, sealed)
		}
		sts, err := st.Status(ctx)
		if err != nil || sts[0].ReceiptQueue != 1 || sts[0].Sent != 0 {
			t.Errorf("status = %+v, %v; want one receipt queued and no letter sent", sts, err)
		}
		// A seal that fails leaves the message unread.
		in2 := f.incoming(t, 2, "again")
		if _, err := st.Receive(ctx, f.peer.Fingerprint(), 16, []parley.Incoming{in2}); err != nil {
			t.Fatal(err)
		}
		r2 := envelope.ReceiptFor(envelope.Read, in2.Env.Header, envelope.Hash(in2.Wire), time.Now())
		if err := envelope.SignReceipt(f.self, r2); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if _, err := st.MarkRead(ctx, in2.Env.Header.ID, time.Now(), r2, func(uint64) (parley.Outgoing, error) { return parley.Outgoing{}, boom }); !errors.Is(err, boom) {
			t.Errorf("MarkRead with a failing seal = %v", err)
		}
		if m, _ := st.MessageBy(ctx, f.peer.Fingerprint(), parley.Inbound, in2.Env.Header.ID); !m.ReadAt.IsZero() {
			t.Error("a failed MarkRead left the message read")
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, st)
	if _, err := st.Receive(ctx, f.peer.Fingerprint(), 16, []parley.Incoming{f.incoming(t, 1, "kept")}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.OpenSQLite(ctx, path) // migrations must be a no-op now
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msgs, err := st.Messages(ctx, parley.Filter{})
	if err != nil || len(msgs) != 1 {
		t.Errorf("after reopen: %d messages, %v; want 1", len(msgs), err)
	}
}

func TestPostgresClaimsAreExclusive(t *testing.T) {
	ctx := t.Context()
	st := parleytest.NewPostgresStore(t)
	f := newFixture(t, st)
	n := parleytest.NewNode(t, "self")
	n.Store = st
	for i := range 5 {
		if _, err := n.Send(ctx, "peer", &parley.Content{Text: fmt.Sprint("letter ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	fp := f.peer.Fingerprint()
	a, err := st.Claim(ctx, fp, false, 3, 1<<30, time.Minute)
	if err != nil || len(a) != 3 {
		t.Fatalf("first claim = %d, %v; want 3", len(a), err)
	}
	b, err := st.Claim(ctx, fp, false, 10, 1<<30, time.Minute)
	if err != nil || len(b) != 2 || b[0].Seq != 4 {
		t.Fatalf("second claim = %d, %v; want the 2 unclaimed, from seq 4", len(b), err)
	}
	if c, _ := st.Claim(ctx, fp, false, 10, 1<<30, time.Minute); len(c) != 0 {
		t.Errorf("third claim = %d entries; want none while leased", len(c))
	}
	if err := st.Release(ctx, fp, []envelope.ID{a[0].ID}); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.Claim(ctx, fp, false, 10, 1<<30, time.Millisecond); len(c) != 1 || c[0].ID != a[0].ID {
		t.Errorf("after release, claim = %d entries; want the released one", len(c))
	}
	time.Sleep(5 * time.Millisecond) // the 1 ms lease expires
	if c, _ := st.Claim(ctx, fp, false, 10, 1<<30, time.Minute); len(c) != 1 || c[0].ID != a[0].ID {
		t.Errorf("after the lease expired, claim = %d entries; want the expired one", len(c))
	}
}
