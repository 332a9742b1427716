package parley_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/match"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/stix"
)

// world is a few nodes on one fake clock that deliver to each other by
// direct calls (the federation tests cover HTTP).
type world struct {
	t     *testing.T
	clock *parleytest.FixedClock
	nodes map[string]*parley.Node
}

func newWorld(t *testing.T, names ...string) *world {
	w := &world{t: t, clock: &parleytest.FixedClock{T: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}, nodes: map[string]*parley.Node{}}
	for _, n := range names {
		node := parleytest.NewNode(t, n)
		node.Clock = w.clock
		w.nodes[n] = node
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			parleytest.Pair(t, w.nodes[a], "http://"+a, w.nodes[b], "http://"+b)
		}
	}
	return w
}

// deliver moves everything queued from a to b and back the receipts; it
// returns the receive results.
func (w *world) deliver(from, to string) []parley.Result {
	w.t.Helper()
	ctx := w.t.Context()
	a, b := w.nodes[from], w.nodes[to]
	p, err := a.Store.PeerByName(ctx, to)
	if err != nil {
		w.t.Fatal(err)
	}
	var all []parley.Result
	for _, flash := range []bool{true, false} {
		msgs, err := a.Store.Claim(ctx, p.Fingerprint(), flash, 1000, 1<<30, time.Minute)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(msgs) == 0 {
			continue
		}
		wires := make([][]byte, len(msgs))
		for i, m := range msgs {
			wires[i] = m.Envelope
		}
		res, err := b.Receive(ctx, wires)
		if err != nil {
			w.t.Fatalf("%s receiving from %s: %v", to, from, err)
		}
		raws := make([][]byte, len(res))
		for i, r := range res {
			raws[i] = r.Receipt
		}
		if err := a.Acknowledge(ctx, p, msgs, raws); err != nil {
			w.t.Fatalf("%s acknowledging %s's receipts: %v", from, to, err)
		}
		all = append(all, res...)
	}
	return all
}

func (w *world) setPolicy(node, peer string, pol parley.Policy) {
	w.t.Helper()
	n := w.nodes[node]
	p, err := n.Store.PeerByName(w.t.Context(), peer)
	if err != nil {
		w.t.Fatal(err)
	}
	if pol.Purpose == "" {
		pol.Purpose = "liaison"
	}
	if err := n.Store.SetPolicy(w.t.Context(), p.Fingerprint(), pol); err != nil {
		w.t.Fatal(err)
	}
}

func personBundle(t *testing.T, name string, tlp stix.TLP) json.RawMessage {
	t.Helper()
	objs, err := stix.NewPerson(stix.PersonInput{Name: name, DOB: "1961-06-01", Nationalities: []string{"RU"}}, tlp, time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b, err := stix.NewBundle(objs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func warning(t *testing.T, name string, tlp stix.TLP, within time.Duration) parley.Draft {
	return parley.Draft{Kind: envelope.KindWarning, RespondWithin: within,
		Content: parley.Content{Text: "Two brothers, see the record.", Records: personBundle(t, name, tlp)}}
}

func board(t *testing.T, n *parley.Node) []parley.Obligation {
	t.Helper()
	os, err := n.Board(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return os
}

func TestWarningLifecycle(t *testing.T) {
	w := newWorld(t, "north", "south")
	ctx := t.Context()
	north, south := w.nodes["north"], w.nodes["south"]
	m, err := north.Compose(ctx, "south", warning(t, "Сергей Нарышкин", stix.TLPAmber, 72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res := w.deliver("north", "south"); len(res) != 1 || res[0].Status != "stored" {
		t.Fatalf("delivery results = %+v", res)
	}
	for name, n := range map[string]*parley.Node{"north": north, "south": south} {
		b := board(t, n)
		if len(b) != 1 || b[0].ID != m.ID || b[0].Kind != envelope.KindWarning {
			t.Fatalf("%s board = %+v, want the warning", name, b)
		}
		if want := w.clock.Now().Add(72 * time.Hour); !b[0].RespondBy.Equal(want) {
			t.Errorf("%s: respond by %v, want %v", name, b[0].RespondBy, want)
		}
	}
	if d := board(t, south)[0].Direction; d != parley.Inbound {
		t.Errorf("south sees direction %q, want in", d)
	}

	// Before the deadline nothing escalates; after it, once per interval.
	if got, err := south.Escalate(ctx, time.Hour); err != nil || len(got) != 0 {
		t.Fatalf("escalate before the deadline = %v, %v", got, err)
	}
	w.clock.Advance(72*time.Hour + time.Minute)
	for _, n := range []*parley.Node{north, south} {
		got, err := n.Escalate(ctx, time.Hour)
		if err != nil || len(got) != 1 || got[0].Escalations != 1 {
			t.Fatalf("%s: escalate after the deadline = %+v, %v", n.Name, got, err)
		}
		if again, _ := n.Escalate(ctx, time.Hour); len(again) != 0 {
			t.Errorf("%s escalated twice within the interval", n.Name)
		}
	}
	w.clock.Advance(time.Hour)
	if got, _ := north.Escalate(ctx, time.Hour); len(got) != 1 || got[0].Escalations != 2 {
		t.Errorf("second escalation = %+v", got)
	}

	// South reads it, then answers; the board empties on both sides.
	if _, _, err := south.Open(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	resp := parley.Draft{Kind: envelope.KindResponse, Content: parley.Content{Text: "Acknowledged; both are known to us.", InReplyTo: m.ID.String()}}
	if _, err := south.Compose(ctx, "north", resp); err != nil {
		t.Fatal(err)
	}
	w.deliver("south", "north")
	for _, n := range []*parley.Node{north, south} {
		if b := board(t, n); len(b) != 0 {
			t.Errorf("%s board after the response = %+v, want empty", n.Name, b)
		}
		if got, _ := n.Escalate(ctx, time.Hour); len(got) != 0 {
			t.Errorf("%s escalated an answered warning", n.Name)
		}
	}
	st, err := south.Statistics(ctx, nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var in parley.Stats
	for _, s := range st {
		if s.Direction == parley.Inbound {
			in = s
		}
	}
	if in.Warnings != 1 || in.Answered != 1 || in.Due != 1 || in.AnsweredInTime != 0 || in.OverdueNow != 0 {
		t.Errorf("south inbound stats = %+v, want 1 warning answered late", in)
	}
	if want := 74*time.Hour + time.Minute; in.AnswerMedian != want {
		t.Errorf("time to answer = %v, want %v", in.AnswerMedian, want)
	}
	if in.Acknowledged != 1 || in.AckMedian != 73*time.Hour+time.Minute {
		t.Errorf("ack = %d after %v", in.Acknowledged, in.AckMedian)
	}
}

func TestWithdraw(t *testing.T) {
	w := newWorld(t, "north", "south")
	ctx := t.Context()
	m, err := w.nodes["north"].Compose(ctx, "south", parley.Draft{Kind: envelope.KindRequest, Content: parley.Content{Text: "Who owns account 4471?"}})
	if err != nil {
		t.Fatal(err)
	}
	w.deliver("north", "south")
	if _, err := w.nodes["south"].Compose(ctx, "north", parley.Draft{Content: parley.Content{Text: "no", Withdraws: m.ID.String()}}); err == nil {
		t.Error("south withdrew north's request")
	}
	if _, err := w.nodes["north"].Compose(ctx, "south", parley.Draft{Content: parley.Content{Text: "Withdrawn.", Withdraws: m.ID.String()}}); err != nil {
		t.Fatal(err)
	}
	w.deliver("north", "south")
	for _, n := range w.nodes {
		if b := board(t, n); len(b) != 0 {
			t.Errorf("%s board after withdrawal = %+v", n.Name, b)
		}
	}
}

func TestSendRefusals(t *testing.T) {
	w := newWorld(t, "north", "south", "east")
	ctx := t.Context()
	north := w.nodes["north"]
	w.setPolicy("north", "east", parley.Policy{Purpose: "social"})
	w.setPolicy("north", "south", parley.Policy{MaxTLP: stix.TLPAmber, Kinds: []string{"person", "relationship"}})
	var err error
	north.Screen, err = parley.NewDetector([]string{"Yevgeny Prigozhin"})
	if err != nil {
		t.Fatal(err)
	}
	badRecords := json.RawMessage(strings.Replace(string(personBundle(t, "X", stix.TLPGreen)), `"spec_version":"2.1"`, `"spec_version":"2.0"`, 1))
	financing, err := stix.NewFinancing(stix.FinancingInput{Name: "Wallet", Kind: "crypto-wallet", Wallet: "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"}, stix.TLPGreen, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	finBundle, err := stix.NewBundle(financing)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		peer   string
		draft  parley.Draft
		reason envelope.Reason
		quote  string
	}{
		{"invalid STIX", "south", parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Text: "x", Records: badRecords}}, envelope.ReasonRecords, "spec_version"},
		{"TLP above maximum", "south", warning(t, "Ivan", stix.TLPRed, 0), envelope.ReasonTLP, "TLP:RED"},
		{"kind not allowed", "south", parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Records: finBundle}}, envelope.ReasonKind, "financing"},
		{"response to nothing", "south", parley.Draft{Kind: envelope.KindResponse, Content: parley.Content{Text: "yes", InReplyTo: strings.Repeat("ab", 16)}}, envelope.ReasonLink, "abab"},
		{"social: records", "east", warning(t, "Ivan", stix.TLPGreen, 0), envelope.ReasonSocial, "records"},
		{"social: phone", "east", parley.Draft{Content: parley.Content{Text: "Call me on +33 1 23 45 67 89 tonight"}}, envelope.ReasonSocial, "+33 1 23 45 67 89"},
		{"social: e-mail", "east", parley.Draft{Content: parley.Content{Text: "write to anna.petrova@example.org"}}, envelope.ReasonSocial, "anna.petrova@example.org"},
		{"social: Cyrillic name", "east", parley.Draft{Content: parley.Content{Text: "Говорят, Евгений Пригожин был там."}}, envelope.ReasonSocial, "Пригожин"},
		{"social: French spelling", "east", parley.Draft{Content: parley.Content{Text: "On dit que Prigojine était là."}}, envelope.ReasonSocial, "Prigojine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := north.Compose(ctx, tt.peer, tt.draft)
			var r *parley.Refusal
			if !errors.As(err, &r) {
				t.Fatalf("Compose error = %v, want a refusal", err)
			}
			if r.Reason != tt.reason || !strings.Contains(r.Detail, tt.quote) {
				t.Errorf("refusal = %v (%d), want reason %v quoting %q", r, r.Reason, tt.reason, tt.quote)
			}
		})
	}
	// Nothing was queued by the refusals; a harmless letter still goes.
	if _, err := north.Compose(ctx, "east", parley.Draft{Content: parley.Content{Text: "Shall we meet for tea on Tuesday?"}}); err != nil {
		t.Errorf("a harmless social letter was refused: %v", err)
	}
	if res := w.deliver("north", "east"); len(res) != 1 {
		t.Errorf("%d messages queued to east, want 1 (refusals must queue nothing)", len(res))
	}
}

func TestReceiptSideRefusal(t *testing.T) {
	w := newWorld(t, "north", "south")
	ctx := t.Context()
	north, south := w.nodes["north"], w.nodes["south"]
	// North's node allows amber; south's own policy allows only green.
	w.setPolicy("south", "north", parley.Policy{MaxTLP: stix.TLPGreen})
	m, err := north.Compose(ctx, "south", warning(t, "Ivan Petrov", stix.TLPAmber, 0))
	if err != nil {
		t.Fatal(err)
	}
	next, err := north.Send(ctx, "south", &parley.Content{Text: "And a plain letter after it."})
	if err != nil {
		t.Fatal(err)
	}
	res := w.deliver("north", "south")
	if len(res) != 2 {
		t.Fatalf("results = %+v", res)
	}
	r, err := envelope.ParseReceipt(res[0].Receipt)
	if err != nil || r.Type != envelope.Refused || r.Reason != envelope.ReasonTLP {
		t.Fatalf("receipt = %+v, %v; want a refusal for TLP", r, err)
	}
	if err := r.Verify(south.Identity.Public()); err != nil {
		t.Errorf("refusal signature: %v", err)
	}
	sent, err := north.Store.MessageBy(ctx, south.Identity.Fingerprint(), parley.Outbound, m.ID)
	if err != nil || sent.Refusal != envelope.ReasonTLP {
		t.Errorf("north's copy: refusal %v, err %v", sent.Refusal, err)
	}
	got, err := south.Store.MessageBy(ctx, north.Identity.Fingerprint(), parley.Inbound, m.ID)
	if err != nil || got.Refusal != envelope.ReasonTLP {
		t.Errorf("south's copy: refusal %v, err %v", got.Refusal, err)
	}
	// Nothing applied: no board entry, no records; the next letter is applied.
	for _, n := range []*parley.Node{north, south} {
		if b := board(t, n); len(b) != 0 {
			t.Errorf("%s board = %+v, want empty", n.Name, b)
		}
	}
	origins, err := south.Store.RecordOrigins(ctx, []string{recordIDs(t, m)[0]})
	if err != nil || len(origins) != 0 {
		t.Errorf("refused records were stored: %v %v", origins, err)
	}
	if after, err := south.Store.MessageBy(ctx, north.Identity.Fingerprint(), parley.Inbound, next.ID); err != nil || after.State != parley.StateApplied || after.Refusal != 0 {
		t.Errorf("letter after the refusal: %+v, %v", after.State, err)
	}
	// Redelivery gets the same signed refusal back.
	again, err := south.Receive(ctx, [][]byte{m.Envelope})
	if err != nil || again[0].Status != "duplicate" || string(again[0].Receipt) != string(res[0].Receipt) {
		t.Errorf("redelivery = %+v, %v", again, err)
	}
}

func recordIDs(t *testing.T, m parley.Message) []string {
	t.Helper()
	c, err := parley.DecodeContent(m.Body, parley.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stix.Parse(c.Records, stix.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range b.Objects {
		if o.Type == "identity" && o.RecordKind() == "person" {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		t.Fatal("no person in the bundle")
	}
	return ids
}

func TestOriginatorControl(t *testing.T) {
	w := newWorld(t, "north", "south", "east")
	ctx := t.Context()
	m, err := w.nodes["north"].Compose(ctx, "south", warning(t, "Ivan Petrov", stix.TLPGreen, 0))
	if err != nil {
		t.Fatal(err)
	}
	w.deliver("north", "south")
	c, err := parley.DecodeContent(m.Body, parley.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	fwd := parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Text: "FYI", Records: c.Records}}
	_, err = w.nodes["south"].Compose(ctx, "east", fwd)
	var r *parley.Refusal
	if !errors.As(err, &r) || r.Reason != envelope.ReasonOriginator || !strings.Contains(r.Detail, "north") {
		t.Fatalf("forwarding north's records to east: %v, want an originator refusal naming north", err)
	}
	// Answering north with its own records stays on the channel: allowed.
	reply := parley.Draft{Kind: envelope.KindResponse, Content: parley.Content{Text: "Known.", InReplyTo: m.ID.String(), Records: c.Records}}
	if _, err := w.nodes["south"].Compose(ctx, "north", reply); err != nil {
		t.Errorf("answering north with its own records: %v", err)
	}
}

func TestStatistics(t *testing.T) {
	w := newWorld(t, "north", "south")
	ctx := t.Context()
	north, south := w.nodes["north"], w.nodes["south"]
	// Three warnings answered after 1h, 2h and 10h (deadline 4h), one open
	// and overdue, one request open within its deadline.
	var ids []envelope.ID
	for range 4 {
		m, err := north.Compose(ctx, "south", warning(t, "Ivan Petrov", stix.TLPGreen, 4*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	w.deliver("north", "south")
	answer := func(id envelope.ID) {
		if _, err := south.Compose(ctx, "north", parley.Draft{Kind: envelope.KindResponse, Content: parley.Content{Text: "ok", InReplyTo: id.String()}}); err != nil {
			t.Fatal(err)
		}
	}
	w.clock.Advance(time.Hour)
	answer(ids[0])
	w.clock.Advance(time.Hour)
	answer(ids[1])
	w.clock.Advance(8 * time.Hour)
	answer(ids[2])
	if _, err := north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindRequest, RespondWithin: 24 * time.Hour, Content: parley.Content{Text: "Any news?"}}); err != nil {
		t.Fatal(err)
	}
	w.deliver("south", "north")
	w.deliver("north", "south")
	st, err := north.Statistics(ctx, nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 {
		t.Fatalf("stats = %+v, want out and in rows", st)
	}
	out := st[0]
	want := parley.Stats{Peer: south.Identity.Fingerprint(), PeerName: "south", Direction: parley.Outbound,
		Warnings: 4, Requests: 1, Due: 4, AnsweredInTime: 2, Answered: 3,
		AnswerMedian: 2 * time.Hour, AnswerP90: 10 * time.Hour, OverdueNow: 1}
	if out != want {
		t.Errorf("north's outbound stats:\n got %+v\nwant %+v", out, want)
	}
	if in := st[1]; in.Direction != parley.Inbound || in.Responses != 3 {
		t.Errorf("north's inbound row = %+v, want 3 responses received", in)
	}
	if share := out.ShareInTime(); share != 0.5 {
		t.Errorf("share in time = %v, want 0.5", share)
	}
	recent, err := north.Statistics(ctx, nil, w.clock.Now().Add(-time.Minute))
	if err != nil || len(recent) == 0 || recent[0].Direction != parley.Outbound || recent[0].Requests != 1 || recent[0].Warnings != 0 {
		t.Errorf("stats since a minute ago = %+v, %v; want only the request outbound", recent, err)
	}
}

func TestWatchlistHits(t *testing.T) {
	w := newWorld(t, "north", "south")
	ctx := t.Context()
	north, south := w.nodes["north"], w.nodes["south"]
	list := []match.Entry{
		{ID: "W-1", Name: "Sergei Naryshkin", DOB: "1954-10-27", Nationalities: []string{"RU"}},
		{ID: "W-2", Name: "Yevgeny Prigozhin", DOB: "1961-06-01"},
	}
	if err := south.Store.ImportWatchlist(ctx, list, true, nil); err != nil {
		t.Fatal(err)
	}
	var objs []json.RawMessage
	for _, p := range []stix.PersonInput{
		{Name: "Сергей Евгеньевич Нарышкин", DOB: "1954-10-27", Nationalities: []string{"RU"}},
		{Name: "Anna Schmidt", DOB: "1990-01-01"},
	} {
		o, err := stix.NewPerson(p, stix.TLPGreen, w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o...)
	}
	bundle, err := stix.NewBundle(objs)
	if err != nil {
		t.Fatal(err)
	}
	m, err := north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Text: "see records", Records: bundle}})
	if err != nil {
		t.Fatal(err)
	}
	var raised []parley.Hit
	south.OnHits(func(p parley.Peer, hs []parley.Hit) { raised = append(raised, hs...) })
	w.deliver("north", "south")
	hits, err := south.Store.Hits(ctx, parley.HitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || len(raised) != 1 {
		t.Fatalf("hits = %+v (callback %d), want one", hits, len(raised))
	}
	h := hits[0]
	if h.MessageID != m.ID || h.EntryID != "W-1" || h.PeerName != "north" || h.Score < parley.HitThreshold || !strings.Contains(h.Evidence, "Нарышкин") || !strings.Contains(h.Evidence, "DOB") {
		t.Errorf("hit = %+v", h)
	}
	// Hits are local: the sender learns nothing of them.
	if hs, _ := north.Store.Hits(ctx, parley.HitFilter{}); len(hs) != 0 {
		t.Errorf("north holds hits %+v", hs)
	}
	// A redelivery raises nothing new.
	if _, err := south.Receive(ctx, [][]byte{m.Envelope}); err != nil {
		t.Fatal(err)
	}
	if hs, _ := south.Store.Hits(ctx, parley.HitFilter{}); len(hs) != 1 || len(raised) != 1 {
		t.Errorf("after redelivery: %d hits, %d raised", len(hs), len(raised))
	}
	// A refused message raises no hit, even for a listed person.
	w.setPolicy("south", "north", parley.Policy{MaxTLP: stix.TLPClear})
	if _, err := north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Records: bundle}}); err != nil {
		t.Fatal(err)
	}
	w.deliver("north", "south")
	if hs, _ := south.Store.Hits(ctx, parley.HitFilter{}); len(hs) != 1 {
		t.Errorf("a refused message raised hits: %+v", hs)
	}
	// A list changed by another process is reloaded.
	if err := south.Store.ImportWatchlist(ctx, []match.Entry{{ID: "W-3", Name: "Anna Schmidt", DOB: "1990-01-01"}}, false, nil); err != nil {
		t.Fatal(err)
	}
	south.WatchlistRecheck = 0 // compare versions on every use
	ix, err := south.Watchlist(ctx)
	if err != nil || ix.Len() != 3 {
		t.Errorf("watchlist after import: %v entries, %v", ix.Len(), err)
	}
}

// A withdrawal that travels in the same batch as what it withdraws is
// accepted (the receiver checks a batch before storing it).
func TestWithdrawInOneBatch(t *testing.T) {
	w := newWorld(t, "north", "south")
	ctx := t.Context()
	m, err := w.nodes["north"].Compose(ctx, "south", parley.Draft{Kind: envelope.KindRequest, Content: parley.Content{Text: "Who owns account 4471?"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.nodes["north"].Compose(ctx, "south", parley.Draft{Content: parley.Content{Text: "Withdrawn.", Withdraws: m.ID.String()}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range w.deliver("north", "south") {
		if rc, _ := envelope.ParseReceipt(r.Receipt); rc == nil || rc.Type != envelope.Delivered {
			t.Errorf("receipt = %+v, want delivered", rc)
		}
	}
	if b := board(t, w.nodes["south"]); len(b) != 0 {
		t.Errorf("south's board = %+v, want the request withdrawn", b)
	}
}
