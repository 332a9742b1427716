package federation

import (
	"bytes"
	"crypto/hpke"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The fixtures below are shared by the scenario tests: real nodes on real
// SQLite stores, each with its federation Server on a real HTTP listener
// bound to 127.0.0.1 and its own Prometheus registry. Nothing is mocked; the
// only fault injected is what a test swaps in as a node's HTTP handler.

// testNode is a node, its federation server and the listener serving it.
type testNode struct {
	*parley.Node
	srv     *Server
	reg     *prometheus.Registry
	ts      *httptest.Server
	mux     *http.ServeMux               // the real federation routes
	handler atomic.Pointer[http.Handler] // what ts serves; a test may swap it
}

// newTestNode starts a node named name. configure, if not nil, adjusts the
// server (and through it the node) before the listener accepts requests.
func newTestNode(t *testing.T, name string, configure func(*Server)) *testNode {
	t.Helper()
	n := &testNode{Node: parleytest.NewNode(t, name), reg: prometheus.NewRegistry()}
	n.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*n.handler.Load()).ServeHTTP(w, r)
	}))
	n.srv = &Server{
		Node: n.Node, Log: parleytest.Logger(t), Metrics: NewMetrics(n.reg),
		IdentityFile: parley.ExportIdentity(n.Identity, name, "http://"+n.ts.Listener.Addr().String()),
	}
	if configure != nil {
		configure(n.srv)
	}
	n.mux = http.NewServeMux()
	n.srv.Register(n.mux)
	n.serve(n.mux)
	n.ts.Start()
	t.Cleanup(n.ts.Close)
	return n
}

// serve makes the node's listener answer with h from the next request on.
func (n *testNode) serve(h http.Handler) { n.handler.Store(&h) }

// pair is two nodes pinned to each other, each serving its federation API.
type pair struct {
	north, south *testNode
	mallory      *envelope.Identity // a third identity neither node knows
	sent         [][]byte           // envelopes a test delivered in its setup
}

// newPair starts north and south and pairs them; configureSouth adjusts
// south's server before it starts.
func newPair(t *testing.T, configureSouth func(*Server)) *pair {
	t.Helper()
	p := &pair{
		north:   newTestNode(t, "north", nil),
		south:   newTestNode(t, "south", configureSouth),
		mallory: parleytest.Identity(t, "mallory"),
	}
	parleytest.Pair(t, p.north.Node, p.north.ts.URL, p.south.Node, p.south.ts.URL)
	return p
}

// channel is the channel north and south share.
func (p *pair) channel() envelope.ID {
	return parley.ChannelID(p.north.Identity.Fingerprint(), p.south.Identity.Fingerprint())
}

// peer returns the peer named name as n's store knows it.
func (n *testNode) peer(t *testing.T, name string) parley.Peer {
	t.Helper()
	pr, err := n.Store.PeerByName(t.Context(), name)
	if err != nil {
		t.Fatalf("%s: PeerByName(%q): %v", n.Name, name, err)
	}
	return pr
}

// letterBody is the encoded content of a letter with text.
func letterBody(text string) []byte { return parley.EncodeContent(&parley.Content{Text: text}) }

// seal seals body from one identity to another, as a node's Send does.
func seal(t testing.TB, from *envelope.Identity, to *envelope.PublicIdentity, sp envelope.SealParams, body []byte) []byte {
	t.Helper()
	if sp.Time.IsZero() {
		sp.Time = time.Now()
	}
	wire, _, _, err := envelope.Seal(from, to, sp, body)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return wire
}

// letter seals a valid letter from north to south with sequence number seq.
func (p *pair) letter(t testing.TB, seq uint64) []byte {
	t.Helper()
	return seal(t, p.north.Identity, p.south.Identity.Public(),
		envelope.SealParams{Kind: envelope.KindLetter, Channel: p.channel(), Seq: seq}, letterBody(fmt.Sprintf("letter %d", seq)))
}

// hpkeInfo and hpkeSeal rebuild the HPKE layer the way package envelope
// does (envelope.go, Seal): info = "parley/v1/envelope" || 0x00 || sender ||
// recipient; the ciphertext is the encapsulated key followed by the AEAD
// output. Anyone holding the recipient's public key can do this, which is
// why the signed commitment, not the AEAD, authenticates the content.
func hpkeInfo(sender, recipient envelope.Fingerprint) []byte {
	info := append([]byte("parley/v1/envelope\x00"), sender[:]...)
	return append(info, recipient[:]...)
}

func hpkeSeal(t testing.TB, recipientKey, info, aad, plaintext []byte) []byte {
	t.Helper()
	pk, err := hpke.MLKEM768X25519().NewPublicKey(recipientKey)
	if err != nil {
		t.Fatalf("HPKE public key: %v", err)
	}
	enc, s, err := hpke.NewSender(pk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info)
	if err != nil {
		t.Fatalf("HPKE sender: %v", err)
	}
	ct, err := s.Seal(aad, plaintext)
	if err != nil {
		t.Fatalf("HPKE seal: %v", err)
	}
	return append(enc, ct...)
}

// flip returns a copy of b with the byte at i XORed with mask.
func flip(b []byte, i int, mask byte) []byte {
	c := bytes.Clone(b)
	c[i] ^= mask
	return c
}

// response is what a node answered to one request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request to n's listener. A nil contentType sends none.
func (n *testNode) do(t *testing.T, method, path string, contentType *string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, n.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != nil {
		req.Header.Set("Content-Type", *contentType)
	}
	resp, err := n.ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the response: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// postBatch posts items, framed as a batch, to path on n.
func (n *testNode) postBatch(t *testing.T, path string, items ...[]byte) response {
	t.Helper()
	mt := MediaType
	return n.do(t, http.MethodPost, path, &mt, bytes.NewReader(EncodeBatch(items)))
}

// decodeStrict decodes a JSON response body, refusing unknown fields.
func decodeStrict(t *testing.T, r response, v any) {
	t.Helper()
	if err := decodeJSON(r, v); err != nil {
		t.Fatal(err)
	}
}

func decodeJSON(r response, v any) error {
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("Content-Type = %q, want %q", ct, "application/json")
	}
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("decoding %T from %s: %v", v, short(r.body), err)
	}
	return nil
}

// short abbreviates a response body for a failure message.
func short(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%q… (%d bytes)", b[:200], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// deliver posts envelopes from north to south and requires them accepted.
func (p *pair) deliver(t *testing.T, wires ...[]byte) DeliveryResponse {
	t.Helper()
	r := p.south.postBatch(t, "/federation/v1/envelopes", wires...)
	if r.status != http.StatusOK {
		t.Fatalf("delivering %d envelopes: HTTP %d %s", len(wires), r.status, short(r.body))
	}
	var out DeliveryResponse
	decodeStrict(t, r, &out)
	return out
}

// counterValue reads one counter.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatalf("reading counter: %v", err)
	}
	return m.GetCounter().GetValue()
}

// rejectedTotal sums parley_federation_rejected_total over every code, as
// the registry exports it.
func rejectedTotal(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == "parley_federation_rejected_total" {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// storeState is everything a refused request must leave unchanged: every
// message with its state, read mark and receipts, and every peer's counters.
type storeState struct {
	messages []string
	peers    []string
}

func snapshot(t *testing.T, n *parley.Node) storeState {
	t.Helper()
	ctx := t.Context()
	msgs, err := n.Store.Messages(ctx, parley.Filter{})
	if err != nil {
		t.Fatalf("%s: Messages: %v", n.Name, err)
	}
	var s storeState
	for _, m := range msgs {
		rs, err := n.Store.Receipts(ctx, m.Peer, m.Direction, m.ID)
		if err != nil {
			t.Fatalf("%s: Receipts(%s): %v", n.Name, m.ID, err)
		}
		s.messages = append(s.messages, fmt.Sprintf("%s %s seq=%d state=%s read=%v receipts=%d",
			m.Direction, m.ID, m.Seq, m.State, !m.ReadAt.IsZero(), len(rs)))
	}
	sts, err := n.Store.Status(ctx)
	if err != nil {
		t.Fatalf("%s: Status: %v", n.Name, err)
	}
	for _, st := range sts {
		s.peers = append(s.peers, fmt.Sprintf("%s queue=%d receipts=%d held=%d sent=%d received=%d",
			st.Peer.Name, st.QueueDepth, st.ReceiptQueue, st.Held, st.Sent, st.Received))
	}
	return s
}

func (s storeState) equal(o storeState) bool {
	return slices.Equal(s.messages, o.messages) && slices.Equal(s.peers, o.peers)
}

// refusal is what a bad request must produce.
type refusal struct {
	status int
	code   parley.Code
	index  int // the batch item named, or -1 for none
}

// expectRefusal sends a request with send and checks that n refused it
// exactly as want says, counted it once under its code, and changed nothing
// in its store.
func expectRefusal(t *testing.T, n *testNode, want refusal, send func() response) {
	t.Helper()
	before := snapshot(t, n.Node)
	counter := n.srv.Metrics.Rejected.WithLabelValues(string(want.code))
	count0, total0 := counterValue(t, counter), rejectedTotal(t, n.reg)

	r := send()

	if r.status != want.status {
		t.Errorf("status = %d, want %d (body %s)", r.status, want.status, short(r.body))
	}
	if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want %q", got, "nosniff")
	}
	var er ErrorResponse
	if err := decodeJSON(r, &er); err != nil {
		t.Errorf("error response: %v", err)
	} else {
		checkErrorBody(t, er.Error, want)
	}
	if got := counterValue(t, counter) - count0; got != 1 {
		t.Errorf("parley_federation_rejected_total{code=%q} rose by %v, want 1", want.code, got)
	}
	if got := rejectedTotal(t, n.reg) - total0; got != 1 {
		t.Errorf("parley_federation_rejected_total over all codes rose by %v, want 1", got)
	}
	if after := snapshot(t, n.Node); !after.equal(before) {
		t.Errorf("store changed by a refused request:\nbefore %+v\nafter  %+v", before, after)
	}
}

func checkErrorBody(t *testing.T, e ErrorBody, want refusal) {
	t.Helper()
	if e.Code != string(want.code) {
		t.Errorf("error code = %q, want %q (message %q)", e.Code, want.code, e.Message)
	}
	if e.Message == "" {
		t.Errorf("error message is empty")
	}
	switch {
	case want.index < 0 && e.Index != nil:
		t.Errorf("error index = %d, want none", *e.Index)
	case want.index >= 0 && e.Index == nil:
		t.Errorf("error index = none, want %d", want.index)
	case want.index >= 0 && *e.Index != want.index:
		t.Errorf("error index = %d, want %d", *e.Index, want.index)
	}
}

// newDeliverer returns a delivery worker for n with a real HTTP client.
func newDeliverer(t *testing.T, n *testNode) *Deliverer {
	t.Helper()
	c := NewClient(10 * time.Second)
	t.Cleanup(c.HTTP.CloseIdleConnections)
	return &Deliverer{Node: n.Node, Client: c, Log: parleytest.Logger(t), Metrics: n.srv.Metrics}
}

// status returns n's delivery status for the peer named name.
func (n *testNode) status(t *testing.T, name string) parley.PeerStatus {
	t.Helper()
	sts, err := n.Store.Status(t.Context())
	if err != nil {
		t.Fatalf("%s: Status: %v", n.Name, err)
	}
	for _, st := range sts {
		if st.Peer.Name == name {
			return st
		}
	}
	t.Fatalf("%s: no status for peer %q", n.Name, name)
	return parley.PeerStatus{}
}

// send queues a letter from n to the peer named to.
func (n *testNode) send(t *testing.T, to, text string) parley.Message {
	t.Helper()
	m, err := n.Send(t.Context(), to, &parley.Content{Text: text})
	if err != nil {
		t.Fatalf("%s: Send to %s: %v", n.Name, to, err)
	}
	return m
}

// Offsets of header fields in an envelope (Header.Marshal in package envelope).
const (
	offVersion    = 4
	offKind       = 5
	offSeq        = 112
	offCommitment = 128
	ctxHeader     = "parley/v1/envelope-header" // the header signature's context
)

// sealBody seals an arbitrary body of kind from north to south: correctly
// signed and encrypted, whatever the body is.
func (p *pair) sealBody(t *testing.T, seq uint64, kind envelope.Kind, body []byte) []byte {
	t.Helper()
	return seal(t, p.north.Identity, p.south.Identity.Public(), envelope.SealParams{Kind: kind, Channel: p.channel(), Seq: seq}, body)
}

// swapCiphertext keeps the signed header and signature of wire and replaces
// its ciphertext with one an attacker made for south with south's public key
// alone: it decrypts, with the right info and associated data, but its
// content does not open the signed commitment.
func (p *pair) swapCiphertext(t *testing.T, wire []byte, text string) []byte {
	t.Helper()
	e, err := envelope.Parse(wire)
	if err != nil {
		t.Fatal(err)
	}
	signed := append(bytes.Clone(e.HeaderRaw), e.Signature...)
	pt := make([]byte, envelope.SaltSize)
	rand.Read(pt)
	pt = append(pt, letterBody(text)...)
	ct := hpkeSeal(t, p.south.Identity.HPKEKey(), hpkeInfo(e.Header.Sender, e.Header.Recipient), signed, pt)
	return append(signed, ct...)
}

// staleKeyLetter is a letter north signs for south's fingerprint but seals
// to another encryption key, as a peer holding a rotated-out key would.
func (p *pair) staleKeyLetter(t *testing.T, seq uint64) []byte {
	t.Helper()
	salt := make([]byte, envelope.SaltSize)
	rand.Read(salt)
	body := letterBody("sealed to an old key")
	h := &envelope.Header{
		Version: envelope.Version, Kind: envelope.KindLetter, ID: envelope.NewID(), Channel: p.channel(),
		Sender: p.north.Identity.Fingerprint(), Recipient: p.south.Identity.Fingerprint(),
		KeyID: p.mallory.KeyID(), Seq: seq, Time: time.Now().Truncate(time.Millisecond).UTC(),
		Commitment: envelope.Commit(salt, body),
	}
	signed := h.Marshal()
	if _, err := envelope.ParseHeader(signed); err != nil {
		t.Fatalf("hand-built header does not parse: %v", err)
	}
	signed = append(signed, p.north.Identity.Sign(ctxHeader, signed)...)
	ct := hpkeSeal(t, p.mallory.HPKEKey(), hpkeInfo(h.Sender, h.Recipient), signed, append(salt, body...))
	return append(signed, ct...)
}
