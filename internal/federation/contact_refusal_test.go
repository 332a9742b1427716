package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/contact"
	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

func TestContactRefused(t *testing.T) {
	p := newContactPair(t, nil)
	p.north.Contact.MaxAttempts = 100 // the subtests below start the handshake many times
	p.north.unlimited()
	p.south.unlimited()
	pending := p.invite(t, "liaison") // at north (out) and south (in)
	id := pending.ID.String()
	h := p.southByHand(pending)
	ctJSON := "application/json"
	body := func(s string) func() (*string, []byte) { return func() (*string, []byte) { return &ctJSON, []byte(s) } }
	mallory := parleytest.Identity(t, "mallory")
	invitation := func(mut func(r *InvitationRequest)) func() (*string, []byte) {
		return func() (*string, []byte) {
			r := InvitationRequest{ID: envelope.NewID().String(), Identity: parley.ExportIdentity(mallory, "mallory", "http://mallory.invalid"),
				Purpose: "liaison", ExpiresAt: time.Now().Add(time.Hour)}
			mut(&r)
			b, _ := json.Marshal(r)
			return &ctJSON, b
		}
	}
	handshake := func(r HandshakeRequest) func() (*string, []byte) {
		return func() (*string, []byte) { b, _ := json.Marshal(r); return &ctJSON, b }
	}
	unknown := envelope.NewID().String()
	steps := []string{"invitations", "start", "finish", "confirm", "decline"}

	type tcase struct {
		name string
		node *testNode
		step string
		req  func() (*string, []byte)
		want refusal
	}
	var tests []tcase
	for _, step := range steps {
		n := p.north
		if step == "invitations" {
			n = p.south
		}
		tooLarge := `{"id":"` + id + `","message":"` + strings.Repeat("A", maxContactBody) + `"}`
		tests = append(tests,
			tcase{"bad JSON", n, step, body(`{"id":`), refuseMalformed},
			tcase{"not an object", n, step, body(`[]`), refuseMalformed},
			tcase{"empty body", n, step, body(``), refuseMalformed},
			tcase{"unknown field", n, step, body(`{"id":"` + id + `","from":"north"}`), refuseMalformed},
			tcase{"trailing data", n, step, body(`{"id":"` + id + `"} {}`), refuseMalformed},
			tcase{"bad id", n, step, body(`{"id":"xyz"}`), refuseMalformed},
			tcase{"short id", n, step, body(`{"id":"` + id[:30] + `"}`), refuseMalformed},
			tcase{"no id", n, step, body(`{}`), refuseMalformed},
			tcase{"bad base64", n, step, body(`{"id":"` + id + `","identity":"!!"}`), refuseMalformed},
			tcase{"oversized body", n, step, body(tooLarge), refusal{http.StatusRequestEntityTooLarge, parley.CodeTooLarge, -1}},
			// The content-type cases name an unknown invitation, so that a
			// request let through by mistake changes nothing.
			tcase{"wrong content type", n, step, func() (*string, []byte) { ct := "text/plain"; return &ct, []byte(`{"id":"` + unknown + `"}`) },
				refusal{http.StatusUnsupportedMediaType, parley.CodeUnsupportedMedia, -1}},
			tcase{"no content type", n, step, func() (*string, []byte) { return nil, []byte(`{"id":"` + unknown + `"}`) },
				refusal{http.StatusUnsupportedMediaType, parley.CodeUnsupportedMedia, -1}},
			tcase{"content type with a JSON prefix", n, step, func() (*string, []byte) { ct := "application/jsonp"; return &ct, []byte(`{"id":"` + unknown + `"}`) },
				refusal{http.StatusUnsupportedMediaType, parley.CodeUnsupportedMedia, -1}},
		)
		if step != "invitations" {
			tests = append(tests, tcase{"unknown invitation", n, step, handshake(HandshakeRequest{ID: unknown}), refuseUnusable})
		}
	}
	tests = append(tests,
		tcase{"identity file damaged", p.south, "invitations", invitation(func(r *InvitationRequest) { r.Identity = flip(r.Identity, 40, 0x01) }), refuseMalformed},
		tcase{"no identity file", p.south, "invitations", invitation(func(r *InvitationRequest) { r.Identity = nil }), refuseMalformed},
		tcase{"from the node itself", p.south, "invitations", invitation(func(r *InvitationRequest) { r.Identity = p.south.srv.IdentityFile }), refuseMalformed},
		tcase{"bad purpose", p.south, "invitations", invitation(func(r *InvitationRequest) { r.Purpose = "espionage" }), refuseMalformed},
		tcase{"no expiry", p.south, "invitations", invitation(func(r *InvitationRequest) { r.ExpiresAt = time.Time{} }), refuseMalformed},
		tcase{"id already known", p.south, "invitations", invitation(func(r *InvitationRequest) { r.ID = id }), refusal{http.StatusConflict, parley.CodeEnvelopeConflict, -1}},
		tcase{"finish before start", p.north, "finish", handshake(h.req(h.file, []byte{1, 2, 0, 0}, nil)), refuseHandshake},
		tcase{"confirm before finish", p.north, "confirm", handshake(h.req(nil, forgedConfirm(), h.answer())), refuseHandshake},
	)
	for _, tt := range tests {
		t.Run(tt.step+"/"+tt.name, func(t *testing.T) {
			expectRefusal(t, tt.node, tt.want, func() response {
				ct, b := tt.req()
				return tt.node.do(t, http.MethodPost, contactPath+tt.step, ct, bytes.NewReader(b))
			})
		})
	}

	// Steps after a successful start, each refused without counting an attempt.
	t.Run("finish/bad identity file", func(t *testing.T) {
		msg1 := p.north.step(t, "start", h.req(nil, nil, nil))
		_, msg2 := h.respond(t, msg1, southAnswers...)
		expectRefusal(t, p.north, refuseMalformed, func() response { return p.north.postContact(t, "finish", h.req([]byte("{}"), msg2, nil)) })
		// The session survives a request it could not even read.
		p.north.step(t, "finish", h.req(h.file, msg2, nil))
	})
	// msg2 is version, type, then the 34-byte share (length 32, Y, empty
	// AD) and the ML-KEM ciphertext, each after a 2-byte length: Y is
	// bytes 5 to 36.
	for _, m := range []struct {
		name string
		msg  func(msg1, msg2 []byte) []byte
	}{
		{"msg2 truncated", func(_, m []byte) []byte { return m[:len(m)-1] }},
		{"msg2 with a trailing byte", func(_, m []byte) []byte { return append(bytes.Clone(m), 0) }},
		{"msg2 of another type", func(_, m []byte) []byte { return flip(m, 1, 0x07) }},
		{"msg2 share not a point", func(_, m []byte) []byte { c := bytes.Clone(m); copy(c[5:37], bytes.Repeat([]byte{0xff}, 32)); return c }},
		{"msg2 share the identity element", func(_, m []byte) []byte { c := bytes.Clone(m); copy(c[5:37], make([]byte, 32)); return c }},
		{"msg1 echoed back", func(m, _ []byte) []byte { return m }},
		{"empty", func(_, _ []byte) []byte { return nil }},
	} {
		t.Run("finish/"+m.name, func(t *testing.T) {
			msg1 := p.north.step(t, "start", h.req(nil, nil, nil))
			_, msg2 := h.respond(t, msg1, southAnswers...)
			bad := m.msg(msg1, msg2)
			expectRefusal(t, p.north, refuseHandshake, func() response { return p.north.postContact(t, "finish", h.req(h.file, bad, nil)) })
			// A failed step ends the session: the genuine msg2 comes too late.
			expectRefusal(t, p.north, refuseHandshake, func() response { return p.north.postContact(t, "finish", h.req(h.file, msg2, nil)) })
		})
	}
	t.Run("confirm/damaged confirmation", func(t *testing.T) {
		confirmB := h.throughFinish(t)
		expectRefusal(t, p.north, refuseHandshake, func() response {
			return p.north.postContact(t, "confirm", h.req(nil, flip(confirmB, len(confirmB)-1, 0x80), h.answer()))
		})
		expectRefusal(t, p.north, refuseHandshake, func() response { return p.north.postContact(t, "confirm", h.req(nil, confirmB, h.answer())) })
	})
	p.noPeers(t)
	p.north.wantInvitation(t, pending.ID, parley.Outbound, parley.InvitePending, 9) // one per start above
}

func TestContactRateLimit(t *testing.T) {
	p := newContactPair(t, nil)
	inv, err := p.north.CreateInvite(t.Context(), p.south.ts.URL, secretOf(t, northAnswers...), "liaison", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const burst = 10
	ct := "application/json"
	for i := range burst {
		if r := p.north.do(t, http.MethodPost, contactPath+"decline", &ct, strings.NewReader(`{`)); r.status != http.StatusBadRequest {
			t.Fatalf("request %d of the burst: HTTP %d %s, want 400", i+1, r.status, short(r.body))
		}
	}
	limited := refusal{http.StatusTooManyRequests, parley.CodeRateLimited, -1}
	for _, step := range []string{"start", "invitations", "decline"} {
		expectRefusal(t, p.north, limited, func() response {
			return p.north.postContact(t, step, HandshakeRequest{ID: inv.ID.String()})
		})
	}
	// A limited request does no work: no attempt was counted.
	p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, 0)
	// The rest of the federation API is not limited.
	if r := p.north.do(t, http.MethodGet, "/federation/v1/identity", nil, nil); r.status != http.StatusOK {
		t.Errorf("GET identity while contact is limited: HTTP %d, want 200", r.status)
	}

	// Another source address has its own bucket.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	defer other.CloseIdleConnections()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, p.north.ts.URL+contactPath+"start", strings.NewReader(`{"id":"`+inv.ID.String()+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	resp, err := other.Do(req)
	if err != nil {
		t.Skipf("cannot send from 127.0.0.2: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a start from 127.0.0.2 while 127.0.0.1 is limited: HTTP %d, want 200", resp.StatusCode)
	}
}

// FuzzContactRequests posts fuzzed bodies to each first-contact endpoint
// of one node, built once, holding a pending invitation in each direction.
// The body may name the current invitation as @id@. Properties: no panic;
// never 5xx; every refusal is a coded JSON error with its code's status;
// confirm never succeeds without the secret; nothing is ever pinned.
func FuzzContactRequests(f *testing.F) {
	ctx := context.Background()
	north := parley.NewNode("north", parleytest.Identity(f, "north"), parleytest.NewStore(f), nil)
	north.Contact.MaxAttempts = 1 << 30 // keep the invitation pending while the fuzzer starts it
	northFile := parley.ExportIdentity(north.Identity, "north", "http://north.invalid")
	srv := &Server{Node: north, Log: slog.New(slog.DiscardHandler), Metrics: NewMetrics(nil), IdentityFile: northFile}
	mux := http.NewServeMux()
	srv.Register(mux)
	srv.contactLimit = &limiter{burst: 1e18, perMin: 1e18}

	secret := secretOf(f, northAnswers...)
	var current parley.Invitation
	fresh := func() {
		inv, err := north.CreateInvite(ctx, "http://south.invalid", secret, "liaison", time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		current = inv
	}
	fresh()

	post := func(step string, body []byte) *httptest.ResponseRecorder {
		body = bytes.ReplaceAll(body, []byte("@id@"), []byte(current.ID.String()))
		req := httptest.NewRequest(http.MethodPost, contactPath+step, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	steps := []string{"invitations", "start", "finish", "confirm", "decline"}

	// Well-formed seeds, computed against a real session.
	south := parleytest.Identity(f, "south")
	southFile := parley.ExportIdentity(south, "south", "http://south.invalid")
	seed := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		return bytes.ReplaceAll(b, []byte(current.ID.String()), []byte("@id@"))
	}
	rec := post("start", []byte(`{"id":"@id@"}`))
	var started HandshakeResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &started); err != nil || rec.Code != http.StatusOK {
		f.Fatalf("start: HTTP %d %s", rec.Code, rec.Body)
	}
	sfp, nfp := south.Fingerprint(), north.Identity.Fingerprint()
	_, msg2, err := contact.Respond(secretOf(f, southAnswers...), current.ID[:], sfp[:], started.Message, nfp[:])
	if err != nil {
		f.Fatal(err)
	}
	answer := parley.SignAnswer(south, current.ID, nfp, "liaison", time.Now())
	f.Add(uint8(0), seed(InvitationRequest{ID: envelope.NewID().String(), Identity: southFile, Purpose: "liaison", ExpiresAt: time.Now().Add(24 * time.Hour)}))
	f.Add(uint8(0), seed(InvitationRequest{ID: "@id@", Identity: northFile, Purpose: "hotline", ExpiresAt: time.Now().Add(time.Hour)}))
	f.Add(uint8(1), []byte(`{"id":"@id@"}`))
	f.Add(uint8(2), seed(HandshakeRequest{ID: current.ID.String(), Identity: southFile, Message: msg2}))
	f.Add(uint8(2), seed(HandshakeRequest{ID: current.ID.String(), Identity: southFile, Message: started.Message}))
	f.Add(uint8(3), seed(HandshakeRequest{ID: current.ID.String(), Message: forgedConfirm(), Answer: answer}))
	f.Add(uint8(4), []byte(`{"id":"@id@"}`))
	f.Add(uint8(1), []byte(`{"id":"@id@","message":null,"identity":""}`))
	f.Add(uint8(2), []byte(`{"id":"@id@","message":"AQI="}`))
	f.Add(uint8(3), []byte(`{"id":"@id@"} {"id":"@id@"}`))
	f.Add(uint8(0), []byte(`{"id":"@id@","identity":"e30=","purpose":"liaison","expires_at":"9999-12-31T23:59:59Z"}`))
	f.Add(uint8(1), []byte(`{"ID":"@id@"}`))
	f.Add(uint8(2), []byte(`[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]`))
	f.Add(uint8(4), []byte("{\"id\":\"@id@\u0000\"}"))

	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		if inv, err := north.Store.Invitation(ctx, current.ID, parley.Outbound); err != nil || inv.Status != parley.InvitePending {
			fresh()
		}
		step := steps[int(which)%len(steps)]
		rec := post(step, body)
		if rec.Code != http.StatusOK {
			checkRefusal(t, rec)
		} else {
			switch step {
			case "confirm":
				t.Fatalf("confirm accepted a fuzzed body: %q", body)
			case "start", "finish":
				var out HandshakeResponse
				d := json.NewDecoder(rec.Body)
				d.DisallowUnknownFields()
				if err := d.Decode(&out); err != nil || len(out.Message) == 0 {
					t.Fatalf("%s: 200 with body %q (%v)", step, rec.Body, err)
				}
			}
		}
		peers, err := north.Store.Peers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(peers) != 0 {
			t.Fatalf("a fuzzed %s pinned %q", step, peers[0].Name)
		}
	})
}
