package federation

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

const envelopesPath = "/federation/v1/envelopes"

// TestPostEnvelopesRefused sends one bad request per way a peer (or anyone on
// the network) can get an envelope batch wrong, and checks each refusal:
// the HTTP status, the JSON error code and item index, the count in
// parley_federation_rejected_total, and that nothing reached the store. Where
// a good envelope precedes the bad one in the batch, it must not be stored
// either: a batch is all or nothing.
func TestPostEnvelopesRefused(t *testing.T) {
	media := MediaType
	tests := []struct {
		name        string
		configure   func(*Server)                      // south's server, before it starts
		setup       func(t *testing.T, p *pair)        // state before the request
		contentType string                             // default MediaType
		noCT        bool                               // send no Content-Type
		chunked     bool                               // send without Content-Length
		body        func(t *testing.T, p *pair) []byte // the request body
		want        refusal
	}{
		// The request itself.
		{
			name:      "body over MaxBodyBytes with Content-Length",
			configure: func(s *Server) { s.MaxBodyBytes = 1024 },
			body:      func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)}) },
			want:      refusal{http.StatusRequestEntityTooLarge, parley.CodeTooLarge, -1},
		},
		{
			name:      "body over MaxBodyBytes chunked",
			configure: func(s *Server) { s.MaxBodyBytes = 1024 },
			chunked:   true,
			body:      func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)}) },
			want:      refusal{http.StatusRequestEntityTooLarge, parley.CodeTooLarge, -1},
		},
		{
			name:      "envelope over max_envelope_bytes inside an acceptable body",
			configure: func(s *Server) { s.Node.Limits.MaxEnvelopeBytes = 4000 },
			body:      func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)}) },
			want:      refusal{http.StatusRequestEntityTooLarge, parley.CodeTooLarge, 0},
		},
		{
			name:        "Content-Type application/json",
			contentType: "application/json",
			body:        func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)}) },
			want:        refusal{http.StatusUnsupportedMediaType, parley.CodeUnsupportedMedia, -1},
		},
		{
			name: "no Content-Type",
			noCT: true,
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)}) },
			want: refusal{http.StatusUnsupportedMediaType, parley.CodeUnsupportedMedia, -1},
		},
		{
			name:        "malformed Content-Type",
			contentType: MediaType + "; ;",
			body:        func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)}) },
			want:        refusal{http.StatusUnsupportedMediaType, parley.CodeUnsupportedMedia, -1},
		},
		// The batch framing.
		{
			name: "empty body",
			body: func(t *testing.T, p *pair) []byte { return nil },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, -1},
		},
		{
			name: "garbled bytes",
			body: func(t *testing.T, p *pair) []byte { return []byte("GET / HTTP/1.1\r\n\r\n this is not a batch") },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, -1},
		},
		{
			name: "truncated batch",
			body: func(t *testing.T, p *pair) []byte {
				b := EncodeBatch([][]byte{p.letter(t, 1)})
				return b[:len(b)-1]
			},
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, -1},
		},
		{
			name: "truncated length prefix",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)})[:11] },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, -1},
		},
		{
			name: "trailing data after the batch",
			body: func(t *testing.T, p *pair) []byte { return append(EncodeBatch([][]byte{p.letter(t, 1)}), 0) },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, -1},
		},
		{
			name: "zero items",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch(nil) },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, -1},
		},
		{
			name: "unknown batch version",
			body: func(t *testing.T, p *pair) []byte { return flip(EncodeBatch([][]byte{p.letter(t, 1)}), 4, 0x03) },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, -1},
		},
		// One envelope's framing.
		{
			name: "truncated envelope inside a valid batch",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{p.letter(t, 1)[:envelope.HeaderSize+envelope.SignatureSize]})
			},
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, 0},
		},
		{
			name: "envelope with a bad magic",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{flip(p.letter(t, 1), 0, 0x20)}) },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, 0},
		},
		{
			name: "unknown envelope version",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{flip(p.letter(t, 1), offVersion, 0x03)})
			},
			want: refusal{http.StatusBadRequest, parley.CodeUnknownVersion, 0},
		},
		{
			name: "unknown envelope version in the second item",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{p.letter(t, 1), flip(p.letter(t, 2), offVersion, 0x03)})
			},
			want: refusal{http.StatusBadRequest, parley.CodeUnknownVersion, 1},
		},
		{
			name: "unknown envelope kind",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{flip(p.letter(t, 1), offKind, 0x40)}) },
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, 0},
		},
		// Authenticity.
		{
			name: "flipped signature byte",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{flip(p.letter(t, 1), envelope.HeaderSize+7, 0x01)})
			},
			want: refusal{http.StatusUnauthorized, parley.CodeBadSignature, 0},
		},
		{
			name: "flipped signature byte in the second item",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{p.letter(t, 1), flip(p.letter(t, 2), envelope.HeaderSize+100, 0x80)})
			},
			want: refusal{http.StatusUnauthorized, parley.CodeBadSignature, 1},
		},
		{
			name: "altered sequence number",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{flip(p.letter(t, 1), offSeq+7, 0x02)}) },
			want: refusal{http.StatusUnauthorized, parley.CodeBadSignature, 0},
		},
		{
			name: "altered commitment",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{flip(p.letter(t, 1), offCommitment, 0x01)})
			},
			want: refusal{http.StatusUnauthorized, parley.CodeBadSignature, 0},
		},
		// Addressing.
		{
			name: "unknown sender",
			body: func(t *testing.T, p *pair) []byte {
				south := p.south.Identity.Public()
				return EncodeBatch([][]byte{seal(t, p.mallory, south, envelope.SealParams{
					Kind: envelope.KindLetter, Channel: parley.ChannelID(p.mallory.Fingerprint(), south.Fingerprint()), Seq: 1,
				}, letterBody("hello from nowhere"))})
			},
			want: refusal{http.StatusForbidden, parley.CodeUnknownSender, 0},
		},
		{
			name: "second item from another sender",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{p.letter(t, 1), seal(t, p.mallory, p.south.Identity.Public(), envelope.SealParams{
					Kind: envelope.KindLetter, Channel: p.channel(), Seq: 2,
				}, letterBody("riding along"))})
			},
			want: refusal{http.StatusBadRequest, parley.CodeMalformed, 1},
		},
		{
			name: "wrong channel id",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{seal(t, p.north.Identity, p.south.Identity.Public(), envelope.SealParams{
					Kind: envelope.KindLetter, Channel: parley.ChannelID(p.north.Identity.Fingerprint(), p.mallory.Fingerprint()), Seq: 1,
				}, letterBody("wrong channel"))})
			},
			want: refusal{http.StatusForbidden, parley.CodeWrongChannel, 0},
		},
		{
			name: "wrong channel id in the second item",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{p.letter(t, 1), seal(t, p.north.Identity, p.south.Identity.Public(), envelope.SealParams{
					Kind: envelope.KindLetter, Channel: envelope.NewID(), Seq: 2,
				}, letterBody("wrong channel"))})
			},
			want: refusal{http.StatusForbidden, parley.CodeWrongChannel, 1},
		},
		{
			name: "sealed to a third identity",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{seal(t, p.north.Identity, p.mallory.Public(), envelope.SealParams{
					Kind: envelope.KindLetter, Channel: p.channel(), Seq: 1,
				}, letterBody("for mallory's eyes"))})
			},
			want: refusal{http.StatusMisdirectedRequest, parley.CodeWrongRecipient, 0},
		},
		{
			name: "sealed to an encryption key south does not hold",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.staleKeyLetter(t, 1)}) },
			want: refusal{http.StatusMisdirectedRequest, parley.CodeUnknownKey, 0},
		},
		// Confidentiality layer and content.
		{
			name: "ciphertext cut short",
			body: func(t *testing.T, p *pair) []byte {
				w := p.letter(t, 1)
				return EncodeBatch([][]byte{w[:len(w)-1]})
			},
			want: refusal{http.StatusUnprocessableEntity, parley.CodeDecryptFailed, 0},
		},
		{
			name: "flipped ciphertext byte",
			body: func(t *testing.T, p *pair) []byte {
				w := p.letter(t, 1)
				return EncodeBatch([][]byte{flip(w, len(w)-20, 0x01)})
			},
			want: refusal{http.StatusUnprocessableEntity, parley.CodeDecryptFailed, 0},
		},
		{
			name: "ciphertext swapped for an attacker's",
			body: func(t *testing.T, p *pair) []byte {
				return EncodeBatch([][]byte{p.swapCiphertext(t, p.letter(t, 1), "pay the bearer")})
			},
			want: refusal{http.StatusUnprocessableEntity, parley.CodeCommitmentMismatch, 0},
		},
		// Replay and ordering.
		{
			name:  "replay: another envelope with an applied sequence number",
			setup: func(t *testing.T, p *pair) { p.deliver(t, p.letter(t, 1)) },
			body:  func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1)}) },
			want:  refusal{http.StatusConflict, parley.CodeSequenceReused, 0},
		},
		{
			name: "sequence number repeated inside one batch",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1), p.letter(t, 1)}) },
			want: refusal{http.StatusConflict, parley.CodeSequenceReused, 1},
		},
		{
			name: "same envelope id with different bytes",
			setup: func(t *testing.T, p *pair) {
				p.sent = append(p.sent, p.letter(t, 1))
				p.deliver(t, p.sent...)
			},
			body: func(t *testing.T, p *pair) []byte {
				e, err := envelope.Parse(p.sent[0])
				if err != nil {
					t.Fatal(err)
				}
				return EncodeBatch([][]byte{seal(t, p.north.Identity, p.south.Identity.Public(), envelope.SealParams{
					Kind: envelope.KindLetter, ID: e.Header.ID, Channel: p.channel(), Seq: 2,
				}, letterBody("second thoughts"))})
			},
			want: refusal{http.StatusConflict, parley.CodeEnvelopeConflict, 0},
		},
		{
			name: "sequence number beyond the window",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1+4096)}) },
			want: refusal{http.StatusUnprocessableEntity, parley.CodeSequenceWindow, 0},
		},
		{
			name: "sequence number far beyond the window",
			body: func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 1<<63+5)}) },
			want: refusal{http.StatusUnprocessableEntity, parley.CodeSequenceWindow, 0},
		},
		{
			name:  "window counts from the next expected sequence number",
			setup: func(t *testing.T, p *pair) { p.deliver(t, p.letter(t, 1), p.letter(t, 2)) },
			body:  func(t *testing.T, p *pair) []byte { return EncodeBatch([][]byte{p.letter(t, 3+4096)}) },
			want:  refusal{http.StatusUnprocessableEntity, parley.CodeSequenceWindow, 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPair(t, tc.configure)
			if tc.setup != nil {
				tc.setup(t, p)
			}
			body := tc.body(t, p)
			ct := &media
			if tc.contentType != "" {
				ct = &tc.contentType
			}
			if tc.noCT {
				ct = nil
			}
			var r io.Reader = bytes.NewReader(body)
			if tc.chunked {
				r = io.MultiReader(r) // hides the length: sent chunked
			}
			expectRefusal(t, p.south, tc.want, func() response {
				return p.south.do(t, http.MethodPost, envelopesPath, ct, r)
			})
		})
	}
}

// TestPostEnvelopesAccepted posts valid envelopes in several orders and
// checks each answer (status per envelope, a delivered receipt that south
// signed for exactly that envelope, the same receipt bytes for a duplicate)
// and what south stored: every envelope exactly once, applied in sequence
// order, later ones held until the gap fills.
func TestPostEnvelopesAccepted(t *testing.T) {
	type step struct {
		post []uint64 // sequence numbers posted in one batch
		want []string // status of each
	}
	tests := []struct {
		name    string
		steps   []step
		applied []uint64
		held    []uint64
	}{
		{
			name:    "one letter",
			steps:   []step{{[]uint64{1}, []string{"stored"}}},
			applied: []uint64{1},
		},
		{
			name:    "a batch in order",
			steps:   []step{{[]uint64{1, 2, 3}, []string{"stored", "stored", "stored"}}},
			applied: []uint64{1, 2, 3},
		},
		{
			name:    "exact duplicate re-posted",
			steps:   []step{{[]uint64{1}, []string{"stored"}}, {[]uint64{1}, []string{"duplicate"}}},
			applied: []uint64{1},
		},
		{
			name:    "exact duplicate inside one batch",
			steps:   []step{{[]uint64{1, 1}, []string{"stored", "duplicate"}}},
			applied: []uint64{1},
		},
		{
			name:    "out of order, then the gap fills",
			steps:   []step{{[]uint64{2}, []string{"held"}}, {[]uint64{1}, []string{"stored"}}},
			applied: []uint64{1, 2},
		},
		{
			name:    "out of order inside one batch",
			steps:   []step{{[]uint64{3, 1, 2}, []string{"stored", "stored", "stored"}}},
			applied: []uint64{1, 2, 3},
		},
		{
			name:    "a held envelope re-posted",
			steps:   []step{{[]uint64{3}, []string{"held"}}, {[]uint64{3, 1}, []string{"duplicate", "stored"}}},
			applied: []uint64{1},
			held:    []uint64{3},
		},
		{
			name:  "last sequence number inside the window",
			steps: []step{{[]uint64{4096}, []string{"held"}}},
			held:  []uint64{4096},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPair(t, nil)
			ctx := t.Context()
			wires := map[uint64][]byte{}
			receipts := map[string][]byte{} // envelope id → first receipt returned
			counts := map[string]float64{}
			for _, st := range tc.steps {
				batch := make([][]byte, len(st.post))
				for i, seq := range st.post {
					if wires[seq] == nil {
						wires[seq] = p.letter(t, seq)
					}
					batch[i] = wires[seq]
				}
				r := p.south.postBatch(t, envelopesPath, batch...)
				if r.status != http.StatusOK {
					t.Fatalf("posting seq %v: status = %d, want 200 (body %s)", st.post, r.status, short(r.body))
				}
				if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
				}
				var out DeliveryResponse
				decodeStrict(t, r, &out)
				if len(out.Results) != len(batch) {
					t.Fatalf("posting seq %v: %d results, want %d", st.post, len(out.Results), len(batch))
				}
				for i, res := range out.Results {
					counts[res.Status]++
					e, err := envelope.Parse(batch[i])
					if err != nil {
						t.Fatal(err)
					}
					if res.ID != e.Header.ID.String() {
						t.Errorf("result %d: id = %s, want %s", i, res.ID, e.Header.ID)
					}
					if res.Status != st.want[i] {
						t.Errorf("seq %d: status = %q, want %q", st.post[i], res.Status, st.want[i])
					}
					checkDeliveredReceipt(t, p, batch[i], res.Receipt)
					if first, ok := receipts[res.ID]; ok && !bytes.Equal(first, res.Receipt) {
						t.Errorf("seq %d: the receipt for a duplicate differs from the first one returned", st.post[i])
					} else if !ok {
						receipts[res.ID] = res.Receipt
					}
				}
			}
			for _, status := range []string{"stored", "held", "duplicate"} {
				if got := counterValue(t, p.south.srv.Metrics.Received.WithLabelValues(status)); got != counts[status] {
					t.Errorf("parley_envelopes_received_total{result=%q} = %v, want %v", status, got, counts[status])
				}
			}
			if got := rejectedTotal(t, p.south.reg); got != 0 {
				t.Errorf("parley_federation_rejected_total = %v, want 0", got)
			}

			msgs, err := p.south.Store.Messages(ctx, parley.Filter{Direction: parley.Inbound})
			if err != nil {
				t.Fatal(err)
			}
			var applied, held []uint64
			for _, m := range msgs {
				switch m.State {
				case parley.StateApplied:
					applied = append(applied, m.Seq)
				case parley.StateHeld:
					held = append(held, m.Seq)
				default:
					t.Errorf("seq %d: state %q", m.Seq, m.State)
				}
				if !bytes.Equal(m.Envelope, wires[m.Seq]) {
					t.Errorf("seq %d: stored envelope differs from the one posted", m.Seq)
				}
				if want := letterBody(fmt.Sprintf("letter %d", m.Seq)); !bytes.Equal(m.Body, want) {
					t.Errorf("seq %d: body = %q, want %q", m.Seq, m.Body, want)
				}
			}
			slices.Sort(applied)
			slices.Sort(held)
			if !slices.Equal(applied, tc.applied) {
				t.Errorf("applied = %v, want %v", applied, tc.applied)
			}
			if !slices.Equal(held, tc.held) {
				t.Errorf("held = %v, want %v", held, tc.held)
			}
			st := p.south.status(t, "north")
			if st.Held != len(tc.held) || st.Received != len(tc.applied)+len(tc.held) {
				t.Errorf("status: held %d, received %d; want held %d, received %d",
					st.Held, st.Received, len(tc.held), len(tc.applied)+len(tc.held))
			}
		})
	}
}

// checkDeliveredReceipt checks that raw is a delivered receipt south signed
// for exactly the envelope wire.
func checkDeliveredReceipt(t *testing.T, p *pair, wire, raw []byte) {
	t.Helper()
	r, err := envelope.ParseReceipt(raw)
	if err != nil {
		t.Errorf("receipt does not parse: %v", err)
		return
	}
	if err := r.Verify(p.south.Identity.Public()); err != nil {
		t.Errorf("receipt does not verify with south's identity: %v", err)
	}
	e, err := envelope.Parse(wire)
	if err != nil {
		t.Fatal(err)
	}
	h := e.Header
	if r.Type != envelope.Delivered || r.Envelope != h.ID || r.Channel != h.Channel || r.Seq != h.Seq ||
		r.Sender != h.Sender || r.Recipient != h.Recipient || r.Hash != envelope.Hash(wire) {
		t.Errorf("receipt %+v does not name envelope %s seq %d", r, h.ID, h.Seq)
	}
}

// TestPostEnvelopesConcurrentDuplicates posts the same batch from several
// connections at once, as a sender retrying after a timeout might: every
// answer is 200 with the same receipts, exactly one per envelope says
// "stored", and south stores each envelope once.
func TestPostEnvelopesConcurrentDuplicates(t *testing.T) {
	p := newPair(t, nil)
	batch := [][]byte{p.letter(t, 1), p.letter(t, 2)}
	const posters = 6
	outs := make([]DeliveryResponse, posters)
	var wg sync.WaitGroup
	for i := range posters {
		wg.Go(func() { outs[i] = p.deliver(t, batch...) })
	}
	wg.Wait()
	for j := range batch {
		stored := 0
		for i := range posters {
			res := outs[i].Results[j]
			switch res.Status {
			case "stored":
				stored++
			case "duplicate":
			default:
				t.Errorf("poster %d, envelope %d: status %q", i, j, res.Status)
			}
			if !bytes.Equal(res.Receipt, outs[0].Results[j].Receipt) {
				t.Errorf("poster %d, envelope %d: receipt differs from poster 0's", i, j)
			}
		}
		if stored != 1 {
			t.Errorf("envelope %d: %d answers say stored, want 1", j, stored)
		}
	}
	msgs, err := p.south.Store.Messages(t.Context(), parley.Filter{Direction: parley.Inbound, States: []string{parley.StateApplied}})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(batch) {
		t.Errorf("south applied %d messages, want %d", len(msgs), len(batch))
	}
}

// TestIdentityAndRoutes checks the identity document and that each route
// answers only its method.
func TestIdentityAndRoutes(t *testing.T) {
	p := newPair(t, nil)
	t.Run("GET identity", func(t *testing.T) {
		r := p.south.do(t, http.MethodGet, "/federation/v1/identity", nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("status = %d, want 200", r.status)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		if !bytes.Equal(r.body, p.south.srv.IdentityFile) {
			t.Errorf("body differs from the server's IdentityFile:\ngot  %q\nwant %q", r.body, p.south.srv.IdentityFile)
		}
		f, pub, err := parley.ParseIdentityFile(r.body)
		if err != nil {
			t.Fatalf("ParseIdentityFile: %v", err)
		}
		if pub.Fingerprint() != p.south.Identity.Fingerprint() || f.Name != "south" {
			t.Errorf("identity file names %s %s, want south %s", f.Name, pub.Fingerprint().Short(), p.south.Identity.Fingerprint().Short())
		}
	})
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, envelopesPath, http.StatusMethodNotAllowed},
		{http.MethodPost, "/federation/v1/identity", http.StatusMethodNotAllowed},
		{http.MethodPost, "/federation/v2/envelopes", http.StatusNotFound},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := p.south.do(t, tc.method, tc.path, nil, nil)
			if r.status != tc.want {
				t.Errorf("status = %d, want %d", r.status, tc.want)
			}
		})
	}
}
