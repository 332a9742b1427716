package store_test

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// structured seals a message of kind k with meta, inbound (from the peer)
// or outbound, with the receipt the recipient would sign (refused when
// meta carries a refusal).
func (f fixture) structured(t *testing.T, dir parley.Direction, k envelope.Kind, seq uint64, at time.Time, meta parley.Meta) (parley.Incoming, parley.Outgoing) {
	t.Helper()
	body := parley.EncodeContent(&parley.Content{Text: k.String()})
	from, to := f.peer, f.self
	if dir == parley.Outbound {
		from, to = f.self, f.peer
	}
	wire, env, salt, err := envelope.Seal(from, to.Public(), envelope.SealParams{Kind: k, Channel: f.p.Channel, Seq: seq, Time: at}, body)
	if err != nil {
		t.Fatal(err)
	}
	r := envelope.ReceiptFor(envelope.Delivered, env.Header, envelope.Hash(wire), at)
	if meta.Refusal != nil {
		r.Type, r.Reason = envelope.Refused, meta.Refusal.Reason
	}
	if err := envelope.SignReceipt(to, r); err != nil {
		t.Fatal(err)
	}
	return parley.Incoming{Env: env, Wire: wire, Salt: salt, Body: body, Receipt: r, Meta: meta},
		parley.Outgoing{Env: env, Wire: wire, Salt: salt, Body: body, Meta: meta}
}

func TestRecordsAndObligations(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		f := newFixture(t, st)
		fp := f.peer.Fingerprint()
		t0 := time.UnixMilli(1_800_000_000_000).UTC()

		pol := parley.Policy{Purpose: "hotline", MaxTLP: stix.TLPGreen, Kinds: []string{"person"}, RespondWithin: 2 * time.Hour}
		if err := st.SetPolicy(ctx, fp, pol); err != nil {
			t.Fatal(err)
		}
		p, err := st.PeerByName(ctx, "peer")
		if err != nil {
			t.Fatal(err)
		}
		if p.Purpose != "hotline" || p.MaxTLP != stix.TLPGreen || len(p.Kinds) != 1 || p.RespondWithin != 2*time.Hour {
			t.Errorf("policy read back = %s %v %v %v", p.Purpose, p.MaxTLP, p.Kinds, p.RespondWithin)
		}

		// We send a warning due at t0+1h carrying a record.
		rec := parley.Record{ObjectID: "identity--7a1d7d6e-3c55-4d4e-9b1a-0c2a7f1e8b01", Type: "identity", Kind: "person", TLP: stix.TLPGreen}
		_, out := f.structured(t, parley.Outbound, envelope.KindWarning, 1, t0, parley.Meta{RespondBy: t0.Add(time.Hour), Records: []parley.Record{rec}})
		if err := st.Enqueue(ctx, fp, false, 1, func(uint64) ([]parley.Outgoing, error) { return []parley.Outgoing{out}, nil }); err != nil {
			t.Fatal(err)
		}
		warnID := out.Env.Header.ID
		open := func() []parley.Obligation {
			t.Helper()
			os, err := st.Obligations(ctx, parley.ObligationFilter{OpenOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			return os
		}
		if os := open(); len(os) != 1 || os[0].ID != warnID || os[0].Direction != parley.Outbound || !os[0].RespondBy.Equal(t0.Add(time.Hour)) {
			t.Fatalf("open obligations = %+v, want our warning", os)
		}
		// Records we sent are not "received from" anyone.
		if o, err := st.RecordOrigins(ctx, []string{rec.ObjectID}); err != nil || len(o) != 0 {
			t.Errorf("origins of a record we sent = %v, %v", o, err)
		}

		// The peer's response arrives ahead of a gap (held): it does not count yet.
		answer := warnID
		resp, _ := f.structured(t, parley.Inbound, envelope.KindResponse, 2, t0.Add(30*time.Minute), parley.Meta{InReplyTo: &answer})
		if _, err := st.Receive(ctx, fp, 100, []parley.Incoming{resp}); err != nil {
			t.Fatal(err)
		}
		if os := open(); len(os) != 1 {
			t.Fatalf("a held response closed the warning: %+v", os)
		}
		// Sequence 1 fills the gap: a warning to us whose content we refused,
		// with a record that must not be stored.
		rec2 := rec
		rec2.ObjectID = "identity--0b7e5a3c-9d2f-4c1a-8e6b-5f4d3c2b1a09"
		refused, _ := f.structured(t, parley.Inbound, envelope.KindWarning, 1, t0, parley.Meta{RespondBy: t0.Add(time.Hour), Records: []parley.Record{rec2},
			Refusal: &parley.Refusal{Reason: envelope.ReasonTLP, Detail: "TLP:RED"}})
		res, err := st.Receive(ctx, fp, 100, []parley.Incoming{refused})
		if err != nil || res[0].Status != "stored" {
			t.Fatalf("Receive = %+v, %v", res, err)
		}
		if os := open(); len(os) != 0 {
			t.Errorf("open obligations after the response = %+v, want none (and no refused warning)", os)
		}
		all, err := st.Obligations(ctx, parley.ObligationFilter{})
		if err != nil || len(all) != 1 || !all[0].AnsweredAt.Equal(t0.Add(30*time.Minute)) {
			t.Errorf("all obligations = %+v, %v; want ours answered at t0+30m", all, err)
		}
		if o, _ := st.RecordOrigins(ctx, []string{rec2.ObjectID}); len(o) != 0 {
			t.Errorf("a refused message's records were stored: %v", o)
		}
		m, err := st.MessageBy(ctx, fp, parley.Inbound, refused.Env.Header.ID)
		if err != nil || m.Refusal != envelope.ReasonTLP || m.State != parley.StateApplied {
			t.Errorf("refused message = refusal %v state %s, %v", m.Refusal, m.State, err)
		}
		if _, err := st.MessageBy(ctx, fp, parley.Outbound, refused.Env.Header.ID); err == nil {
			t.Error("MessageBy found an inbound message as outbound")
		}
		dup, err := st.Receive(ctx, fp, 100, []parley.Incoming{refused})
		if err != nil || dup[0].Status != "duplicate" || string(dup[0].Receipt) != string(refused.Receipt.Raw) {
			t.Errorf("duplicate of a refused message = %+v, %v; want its refusal back", dup, err)
		}
		counts, err := st.KindCounts(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range counts {
			got[string(c.Direction)+" "+c.Kind.String()] = c.Count
		}
		if len(got) != 2 || got["out warning"] != 1 || got["in response"] != 1 {
			t.Errorf("kind counts = %v, want one warning out and one response in (refused excluded)", got)
		}

		// An inbound record we accepted has the peer as its origin.
		rec3 := rec
		rec3.ObjectID = "identity--3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
		in3, _ := f.structured(t, parley.Inbound, envelope.KindWarning, 3, t0, parley.Meta{RespondBy: t0.Add(time.Hour), Records: []parley.Record{rec3}})
		if _, err := st.Receive(ctx, fp, 100, []parley.Incoming{in3}); err != nil {
			t.Fatal(err)
		}
		if o, err := st.RecordOrigins(ctx, []string{rec3.ObjectID, rec.ObjectID}); err != nil || len(o) != 1 || len(o[rec3.ObjectID]) != 1 || o[rec3.ObjectID][0] != fp {
			t.Errorf("origins = %v, %v; want rec3 from the peer only", o, err)
		}

		// Escalation is marked once per interval, whoever asks.
		os := open()
		if len(os) != 1 {
			t.Fatalf("open = %+v, want the inbound warning", os)
		}
		at := t0.Add(2 * time.Hour)
		m1, err := st.MarkEscalated(ctx, os, at, at.Add(-time.Hour))
		if err != nil || len(m1) != 1 || m1[0].Escalations != 1 {
			t.Fatalf("first MarkEscalated = %+v, %v", m1, err)
		}
		if m2, err := st.MarkEscalated(ctx, os, at.Add(time.Minute), at.Add(-59*time.Minute)); err != nil || len(m2) != 0 {
			t.Errorf("second MarkEscalated within the interval = %+v, %v; want none", m2, err)
		}
		if os := open(); os[0].Escalations != 1 || !os[0].EscalatedAt.Equal(at) {
			t.Errorf("escalation read back = %d at %v", os[0].Escalations, os[0].EscalatedAt)
		}
	})
}
