package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/contact"
	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

// First contact between two real nodes that are not paired: north invites,
// south is invited; each serves its federation API on 127.0.0.1 with a real
// SQLite store. Where a test plays south "by hand" it posts to north's
// endpoints exactly what an honest or a dishonest invited node could send,
// computing the handshake with package contact.

const contactPath = "/federation/v1/contact/"

// The answers agreed out of band, as each operator types them.
var (
	northAnswers = []string{"Genève", "Mont Blanc"}
	southAnswers = []string{"geneve", "mont-blanc"} // normalised like north's
	wrongAnswers = []string{"Lausanne", "Mont Blanc"}
)

func secretOf(t testing.TB, answers ...string) []byte {
	t.Helper()
	s, err := contact.NormaliseAnswers(answers)
	if err != nil {
		t.Fatalf("NormaliseAnswers(%q): %v", answers, err)
	}
	return []byte(s)
}

// contactPair is two nodes that have never met and the client south uses
// to reach north.
type contactPair struct {
	north, south *testNode
	tr           ContactTransport
}

// newContactPair starts north and south; clock, if not nil, is both
// nodes' clock.
func newContactPair(t *testing.T, clock parley.Clock) *contactPair {
	t.Helper()
	configure := func(s *Server) {
		if clock != nil {
			s.Node.Clock = clock
		}
	}
	c := NewClient(10 * time.Second)
	t.Cleanup(c.HTTP.CloseIdleConnections)
	return &contactPair{north: newTestNode(t, "north", configure), south: newTestNode(t, "south", configure), tr: ContactTransport{C: c}}
}

// invite has north invite south, delivering the invitation over HTTP.
func (p *contactPair) invite(t *testing.T, purpose string) parley.Invitation {
	t.Helper()
	inv, err := p.north.CreateInvite(t.Context(), p.south.ts.URL, secretOf(t, northAnswers...), purpose, time.Hour)
	if err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	if err := p.tr.C.Invite(t.Context(), p.south.ts.URL, inv, p.north.srv.IdentityFile); err != nil {
		t.Fatalf("Invite: %v", err)
	}
	return inv
}

// accept has south answer the invitation with answers.
func (p *contactPair) accept(t *testing.T, id envelope.ID, answers ...string) (parley.Peer, error) {
	t.Helper()
	return p.south.AcceptInvite(t.Context(), id, secretOf(t, answers...), p.south.srv.IdentityFile, p.tr)
}

// noPeers checks that neither node pinned anyone.
func (p *contactPair) noPeers(t *testing.T) {
	t.Helper()
	for _, n := range []*testNode{p.north, p.south} {
		n.noPeers(t)
	}
}

func (n *testNode) noPeers(t *testing.T) {
	t.Helper()
	peers, err := n.Store.Peers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range peers {
		t.Errorf("%s pinned %q (%s), want no peer", n.Name, pr.Name, pr.Fingerprint().Short())
	}
}

// invitation reads an invitation from n's store.
func (n *testNode) invitation(t *testing.T, id envelope.ID, dir parley.Direction) parley.Invitation {
	t.Helper()
	inv, err := n.Store.Invitation(t.Context(), id, dir)
	if err != nil {
		t.Fatalf("%s: Invitation(%s, %s): %v", n.Name, id, dir, err)
	}
	return inv
}

// wantInvitation checks an invitation's status and attempts, and that it
// keeps its secret and identity file exactly while pending.
func (n *testNode) wantInvitation(t *testing.T, id envelope.ID, dir parley.Direction, status string, attempts int) parley.Invitation {
	t.Helper()
	inv := n.invitation(t, id, dir)
	if inv.Status != status || inv.Attempts != attempts {
		t.Errorf("%s: invitation (%s) is %s after %d attempts, want %s after %d", n.Name, dir, inv.Status, inv.Attempts, status, attempts)
	}
	kept := inv.Secret
	if dir == parley.Inbound {
		kept = inv.Identity
	}
	switch {
	case status == parley.InvitePending && len(kept) == 0:
		t.Errorf("%s: a pending invitation (%s) lost its secret or identity file", n.Name, dir)
	case status != parley.InvitePending && (inv.Secret != nil || inv.Identity != nil):
		t.Errorf("%s: a %s invitation (%s) keeps secret %q and identity file of %d bytes, want both wiped", n.Name, status, dir, inv.Secret, len(inv.Identity))
	case status != parley.InvitePending && inv.EndedAt.IsZero():
		t.Errorf("%s: a %s invitation has no ended_at", n.Name, status)
	}
	return inv
}

// unlimited lifts n's first-contact rate limit, for tests that send many
// requests from one address. Serving the mux again publishes the change to
// the handler goroutines (the handler pointer is atomic).
func (n *testNode) unlimited() {
	n.srv.contactLimit = &limiter{burst: 1e9, perMin: 1e9}
	n.serve(n.mux)
}

// postContact posts v, encoded as JSON, to the contact endpoint step on n.
func (n *testNode) postContact(t *testing.T, step string, v any) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	ct := "application/json"
	return n.do(t, http.MethodPost, contactPath+step, &ct, bytes.NewReader(b))
}

// step posts one handshake step that must succeed and returns its message.
func (n *testNode) step(t *testing.T, step string, req HandshakeRequest) []byte {
	t.Helper()
	r := n.postContact(t, step, req)
	if r.status != http.StatusOK {
		t.Fatalf("%s: POST %s: HTTP %d %s, want 200", n.Name, step, r.status, short(r.body))
	}
	var out HandshakeResponse
	decodeStrict(t, r, &out)
	return out.Message
}

// byHand plays the invited side of one handshake against north's
// endpoints, as identity (presenting the identity file file).
type byHand struct {
	north    *testNode
	id       envelope.ID
	identity *envelope.Identity
	file     []byte
	purpose  string
}

// southByHand is south's honest part for invitation inv.
func (p *contactPair) southByHand(inv parley.Invitation) byHand {
	return byHand{north: p.north, id: inv.ID, identity: p.south.Identity, file: p.south.srv.IdentityFile, purpose: inv.Purpose}
}

// respond computes msg2 for msg1 with answers, bound to h's identity.
func (h byHand) respond(t *testing.T, msg1 []byte, answers ...string) (*contact.Responder, []byte) {
	t.Helper()
	self, inviter := h.identity.Fingerprint(), h.north.Identity.Fingerprint()
	r, msg2, err := contact.Respond(secretOf(t, answers...), h.id[:], self[:], msg1, inviter[:])
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	return r, msg2
}

func (h byHand) req(identity, message, answer []byte) HandshakeRequest {
	return HandshakeRequest{ID: h.id.String(), Identity: identity, Message: message, Answer: answer}
}

// answer is h's signed yes.
func (h byHand) answer() []byte {
	return parley.SignAnswer(h.identity, h.id, h.north.Identity.Fingerprint(), h.purpose, time.Now().Truncate(time.Millisecond))
}

// throughFinish runs start and finish with the right answers and returns the
// responder's confirmation, ready for confirm.
func (h byHand) throughFinish(t *testing.T) []byte {
	t.Helper()
	msg1 := h.north.step(t, "start", h.req(nil, nil, nil))
	r, msg2 := h.respond(t, msg1, southAnswers...)
	confirmA := h.north.step(t, "finish", h.req(h.file, msg2, nil))
	_, confirmB, err := r.Confirm(confirmA)
	if err != nil {
		t.Fatalf("north's confirmation does not verify with the right secret: %v", err)
	}
	return confirmB
}

// forgedConfirm is a well-formed responder confirmation with a made-up tag.
func forgedConfirm() []byte {
	b, err := (&contact.ConfirmMessage{Type: contact.TypeResponderConfirm, Tag: bytes.Repeat([]byte{0x5a}, contact.TagSize)}).MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

var (
	refuseUnusable  = refusal{http.StatusNotFound, parley.CodeInviteUnusable, -1}
	refuseHandshake = refusal{http.StatusForbidden, parley.CodeHandshakeFailed, -1}
	refuseMalformed = refusal{http.StatusBadRequest, parley.CodeMalformed, -1}
)

func TestContactAccept(t *testing.T) {
	p := newContactPair(t, nil)
	ctx := t.Context()
	inv := p.invite(t, "hotline")
	received := p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InvitePending, 0)
	if received.PeerURL != p.north.ts.URL || received.Purpose != "hotline" || !received.ExpiresAt.Equal(inv.ExpiresAt.Truncate(time.Millisecond)) {
		t.Errorf("south received URL %q, purpose %q, expiry %v; want %q, hotline, %v", received.PeerURL, received.Purpose, received.ExpiresAt, p.north.ts.URL, inv.ExpiresAt)
	}
	p.noPeers(t) // an invitation pins nothing

	got, err := p.accept(t, inv.ID, southAnswers...)
	if err != nil {
		t.Fatalf("AcceptInvite with the right answers: %v", err)
	}

	southAtNorth, northAtSouth := p.north.peer(t, "south"), p.south.peer(t, "north")
	nfp, sfp := p.north.Identity.Fingerprint(), p.south.Identity.Fingerprint()
	channel := parley.ChannelID(nfp, sfp)
	for _, x := range []struct {
		at       string
		peer     parley.Peer
		fp       envelope.Fingerprint
		url      string
		selfFP   envelope.Fingerprint
		peerName string
	}{
		{"north", southAtNorth, sfp, p.south.ts.URL, nfp, "south"},
		{"south", northAtSouth, nfp, p.north.ts.URL, sfp, "north"},
	} {
		if x.peer.Fingerprint() != x.fp || x.peer.URL != x.url || x.peer.Channel != channel || x.peer.Purpose != "hotline" {
			t.Errorf("%s pinned %s as %s at %s, channel %s, purpose %q; want %s at %s, channel %s, purpose hotline",
				x.at, x.peerName, x.peer.Fingerprint().Short(), x.peer.URL, x.peer.Channel, x.peer.Purpose, x.fp.Short(), x.url, channel)
		}
	}
	if got.Fingerprint() != nfp || got.Channel != channel || got.Name != "north" {
		t.Errorf("AcceptInvite returned %+v, want north's peer record", got)
	}
	if a, b := envelope.SafetyNumber(nfp, southAtNorth.Fingerprint()), envelope.SafetyNumber(sfp, northAtSouth.Fingerprint()); a != b {
		t.Errorf("safety numbers differ: north sees %s, south sees %s", a, b)
	}

	out := p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteAccepted, 1)
	in := p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InviteAccepted, 0)
	if out.Peer != sfp || in.Peer != nfp {
		t.Errorf("accepted invitations name peers %s (north) and %s (south), want %s and %s", out.Peer.Short(), in.Peer.Short(), sfp.Short(), nfp.Short())
	}
	if len(out.Answer) == 0 || !bytes.Equal(out.Answer, in.Answer) {
		t.Errorf("north stored an answer of %d bytes, south one of %d bytes; want the same signed yes on both", len(out.Answer), len(in.Answer))
	}
	if err := parley.VerifyAnswer(out.Answer, inv.ID, nfp, p.south.Identity.Public(), "hotline"); err != nil {
		t.Errorf("the stored answer does not verify as south's yes: %v", err)
	}
	if err := parley.VerifyAnswer(out.Answer, inv.ID, nfp, p.south.Identity.Public(), "social"); err == nil {
		t.Errorf("the stored answer verifies for another purpose")
	}

	// The invitation is used up on both sides.
	if _, err := p.accept(t, inv.ID, southAnswers...); !errors.Is(err, parley.ErrInviteUnusable) {
		t.Errorf("accepting twice: %v, want ErrInviteUnusable", err)
	}
	expectRefusal(t, p.north, refuseUnusable, func() response {
		return p.north.postContact(t, "start", HandshakeRequest{ID: inv.ID.String()})
	})
	if peers, _ := p.north.Store.Peers(ctx); len(peers) != 1 {
		t.Errorf("north holds %d peers, want 1", len(peers))
	}

	// The new channel works: a letter from north reaches south.
	r := p.south.postBatch(t, "/federation/v1/envelopes", seal(t, p.north.Identity, p.south.Identity.Public(),
		envelope.SealParams{Kind: envelope.KindLetter, Channel: channel, Seq: 1}, letterBody("first letter")))
	if r.status != http.StatusOK {
		t.Errorf("a letter on the new channel: HTTP %d %s, want 200", r.status, short(r.body))
	}
}

func TestContactWrongSecret(t *testing.T) {
	p := newContactPair(t, nil)
	inv := p.invite(t, "liaison")

	_, err := p.accept(t, inv.ID, wrongAnswers...)
	if !errors.Is(err, parley.ErrHandshake) {
		t.Fatalf("AcceptInvite with the wrong answers: %v, want ErrHandshake", err)
	}
	if want := "2 attempt(s) left"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	p.noPeers(t)
	p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, 1)
	p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InvitePending, 1)

	// A failure leaves nothing behind that stops the right answers.
	if _, err := p.accept(t, inv.ID, southAnswers...); err != nil {
		t.Fatalf("AcceptInvite with the right answers after a wrong try: %v", err)
	}
	p.north.peer(t, "south")
	p.south.peer(t, "north")
	p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteAccepted, 2)
	p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InviteAccepted, 1)
}

func TestContactBurn(t *testing.T) {
	t.Run("three wrong answers", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		for i, want := range []string{"2 attempt(s) left", "1 attempt(s) left", "the invitation is now burnt after 3 failed attempts"} {
			_, err := p.accept(t, inv.ID, wrongAnswers...)
			if !errors.Is(err, parley.ErrHandshake) || !strings.HasSuffix(err.Error(), want) {
				t.Fatalf("wrong attempt %d: %v, want ErrHandshake ending %q", i+1, err, want)
			}
		}
		p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InviteBurnt, 3)
		// north counted one attempt per start; the next start burns it.
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, 3)
		expectRefusal(t, p.north, refuseUnusable, func() response {
			return p.north.postContact(t, "start", HandshakeRequest{ID: inv.ID.String()})
		})
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteBurnt, 4)

		// The right answers come too late, on either side.
		if _, err := p.accept(t, inv.ID, southAnswers...); !errors.Is(err, parley.ErrInviteUnusable) {
			t.Errorf("AcceptInvite with the right answers after the burn: %v, want ErrInviteUnusable", err)
		}
		expectRefusal(t, p.north, refuseUnusable, func() response {
			return p.north.postContact(t, "start", HandshakeRequest{ID: inv.ID.String()})
		})
		p.noPeers(t)
	})

	// Someone who holds the id but not the secret can start the handshake
	// only as often as the limit allows.
	t.Run("starts alone", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		h := p.southByHand(inv)
		for range 3 {
			h.north.step(t, "start", h.req(nil, nil, nil))
		}
		expectRefusal(t, p.north, refuseUnusable, func() response { return p.north.postContact(t, "start", h.req(nil, nil, nil)) })
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteBurnt, 4)
		if _, err := p.accept(t, inv.ID, southAnswers...); !errors.Is(err, parley.ErrInviteUnusable) {
			t.Errorf("AcceptInvite after north burnt the invitation: %v, want ErrInviteUnusable", err)
		}
		p.noPeers(t)
	})
}

func TestContactReplay(t *testing.T) {
	t.Run("old msg2 after a new start", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		h := p.southByHand(inv)
		msg1a := p.north.step(t, "start", h.req(nil, nil, nil))
		r, msg2a := h.respond(t, msg1a, southAnswers...)
		p.north.step(t, "start", h.req(nil, nil, nil)) // a new session replaces the first
		checkReplayedFinish(t, p, h, r, msg2a)
	})
	t.Run("start twice, finish with the first msg1's answer", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		h := p.southByHand(inv)
		msg1a := p.north.step(t, "start", h.req(nil, nil, nil))
		p.north.step(t, "start", h.req(nil, nil, nil))
		r, msg2a := h.respond(t, msg1a, southAnswers...)
		checkReplayedFinish(t, p, h, r, msg2a)
	})
	t.Run("msg2 twice", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		h := p.southByHand(inv)
		msg1 := p.north.step(t, "start", h.req(nil, nil, nil))
		r, msg2 := h.respond(t, msg1, southAnswers...)
		confirmA := p.north.step(t, "finish", h.req(h.file, msg2, nil))
		expectRefusal(t, p.north, refuseHandshake, func() response { return p.north.postContact(t, "finish", h.req(h.file, msg2, nil)) })
		// The replay is refused without spoiling the session it copied.
		_, confirmB, err := r.Confirm(confirmA)
		if err != nil {
			t.Fatal(err)
		}
		p.north.step(t, "confirm", h.req(nil, confirmB, h.answer()))
		p.north.peer(t, "south")
	})
	t.Run("confirm after completion", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		h := p.southByHand(inv)
		confirmB := h.throughFinish(t)
		confirm := h.req(nil, confirmB, h.answer())
		p.north.step(t, "confirm", confirm)
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteAccepted, 1)
		expectRefusal(t, p.north, refuseUnusable, func() response { return p.north.postContact(t, "confirm", confirm) })
		expectRefusal(t, p.north, refuseUnusable, func() response { return p.north.postContact(t, "finish", h.req(h.file, []byte{1, 2}, nil)) })
		expectRefusal(t, p.north, refuseUnusable, func() response { return p.north.postContact(t, "decline", h.req(nil, nil, nil)) })
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteAccepted, 1)
	})
	// A man in the middle hands south the msg1 of an earlier session.
	t.Run("old msg1 to the invited side", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		rec := &replayTransport{ContactTransport: p.tr}
		if _, err := p.south.AcceptInvite(t.Context(), inv.ID, secretOf(t, wrongAnswers...), p.south.srv.IdentityFile, rec); !errors.Is(err, parley.ErrHandshake) {
			t.Fatalf("first (wrong) attempt: %v, want ErrHandshake", err)
		}
		rec.replay = true
		if _, err := p.south.AcceptInvite(t.Context(), inv.ID, secretOf(t, southAnswers...), p.south.srv.IdentityFile, rec); !errors.Is(err, parley.ErrHandshake) {
			t.Fatalf("attempt with a replayed msg1: %v, want ErrHandshake", err)
		}
		p.noPeers(t)
		p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InvitePending, 2)
		if _, err := p.accept(t, inv.ID, southAnswers...); err != nil {
			t.Fatalf("an honest attempt after the replay: %v", err)
		}
	})
}

// checkReplayedFinish posts msg2, computed for a session north has since
// replaced, and checks that it cannot complete a handshake: north either
// refuses it, or answers with a confirmation the responder rejects; a
// forged confirmation is then refused and nothing is pinned.
func checkReplayedFinish(t *testing.T, p *contactPair, h byHand, r *contact.Responder, msg2 []byte) {
	t.Helper()
	resp := p.north.postContact(t, "finish", h.req(h.file, msg2, nil))
	switch resp.status {
	case http.StatusForbidden:
	case http.StatusOK:
		var out HandshakeResponse
		decodeStrict(t, resp, &out)
		if _, _, err := r.Confirm(out.Message); !errors.Is(err, contact.ErrConfirmation) {
			t.Fatalf("the replayed msg2 got a confirmation that verifies for the old session (err %v)", err)
		}
	default:
		t.Fatalf("replayed msg2: HTTP %d %s, want 403 or a useless 200", resp.status, short(resp.body))
	}
	expectRefusal(t, p.north, refuseHandshake, func() response {
		return p.north.postContact(t, "confirm", h.req(nil, forgedConfirm(), h.answer()))
	})
	p.noPeers(t)
	p.north.wantInvitation(t, h.id, parley.Outbound, parley.InvitePending, 2)
}

// replayTransport records the first msg1 it sees and, once replay is set,
// hands south that msg1 instead of the fresh one north just sent.
type replayTransport struct {
	ContactTransport
	replay bool
	msg1   []byte
}

func (r *replayTransport) Start(ctx context.Context, url string, id envelope.ID) ([]byte, error) {
	msg1, err := r.ContactTransport.Start(ctx, url, id)
	if err != nil || !r.replay {
		r.msg1 = msg1
		return msg1, err
	}
	return r.msg1, nil
}

func TestContactExpiry(t *testing.T) {
	clock := &parleytest.FixedClock{T: time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)}
	p := newContactPair(t, clock)
	inv := p.invite(t, "liaison")

	// Just before it expires, the invitation is still usable.
	clock.Advance(time.Hour - time.Millisecond)
	if _, err := p.accept(t, inv.ID, wrongAnswers...); !errors.Is(err, parley.ErrHandshake) {
		t.Fatalf("a wrong attempt 1ms before expiry: %v, want ErrHandshake", err)
	}
	clock.Advance(time.Millisecond)
	if _, err := p.accept(t, inv.ID, southAnswers...); !errors.Is(err, parley.ErrInviteUnusable) {
		t.Fatalf("accepting at the expiry time: %v, want ErrInviteUnusable", err)
	}
	in := p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InviteExpired, 1)
	if !in.EndedAt.Equal(clock.Now()) {
		t.Errorf("south's invitation ended at %v, want %v", in.EndedAt, clock.Now())
	}
	expectRefusal(t, p.north, refuseUnusable, func() response {
		return p.north.postContact(t, "start", HandshakeRequest{ID: inv.ID.String()})
	})
	p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteExpired, 1)
	p.noPeers(t)

	// An invitation that arrives already expired, or too far ahead, is refused.
	for _, x := range []struct {
		name    string
		expires time.Time
	}{{"past", clock.Now()}, {"31 days ahead", clock.Now().Add(31 * 24 * time.Hour)}} {
		late := parley.Invitation{ID: envelope.NewID(), Purpose: "liaison", ExpiresAt: x.expires}
		var re *RemoteError
		if err := p.tr.C.Invite(t.Context(), p.south.ts.URL, late, p.north.srv.IdentityFile); !errors.As(err, &re) || re.Status != http.StatusBadRequest || re.Code != string(parley.CodeMalformed) {
			t.Errorf("an invitation expiring %s: %v, want HTTP 400 malformed", x.name, err)
		}
		if _, err := p.south.Store.Invitation(t.Context(), late.ID, parley.Inbound); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("the refused invitation expiring %s was stored (err %v)", x.name, err)
		}
	}
}

func TestContactDecline(t *testing.T) {
	t.Run("told", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "social")
		if err := p.south.DeclineInvite(t.Context(), inv.ID, p.tr); err != nil {
			t.Fatalf("DeclineInvite: %v", err)
		}
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteDeclined, 0)
		in := p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InviteDeclined, 0)
		if in.PeerURL != p.north.ts.URL || in.Purpose != "social" {
			t.Errorf("south's record keeps URL %q and purpose %q, want %q and social", in.PeerURL, in.Purpose, p.north.ts.URL)
		}
		for _, n := range []*testNode{p.north, p.south} {
			for _, dir := range []parley.Direction{parley.Inbound, parley.Outbound} {
				invs, err := n.Store.Invitations(t.Context(), dir)
				if err != nil {
					t.Fatal(err)
				}
				want := 0
				if (n == p.north) == (dir == parley.Outbound) {
					want = 1
				}
				if len(invs) != want {
					t.Errorf("%s holds %d invitations (%s), want %d", n.Name, len(invs), dir, want)
				}
			}
		}
		p.noPeers(t)
		if _, err := p.accept(t, inv.ID, southAnswers...); !errors.Is(err, parley.ErrInviteUnusable) {
			t.Errorf("accepting a declined invitation: %v, want ErrInviteUnusable", err)
		}
		if err := p.south.DeclineInvite(t.Context(), inv.ID, p.tr); !errors.Is(err, parley.ErrInviteUnusable) {
			t.Errorf("declining twice: %v, want ErrInviteUnusable", err)
		}
		expectRefusal(t, p.north, refuseUnusable, func() response {
			return p.north.postContact(t, "start", HandshakeRequest{ID: inv.ID.String()})
		})
	})
	t.Run("north unreachable", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		p.north.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		}))
		err := p.south.DeclineInvite(t.Context(), inv.ID, p.tr)
		if err == nil || !strings.Contains(err.Error(), "declined here, but the inviting node could not be told") {
			t.Errorf("DeclineInvite with north down: %v, want it to say the decline was kept here only", err)
		}
		p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InviteDeclined, 0)
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, 0)
		p.noPeers(t)
	})
}

func TestContactIdentitySubstitution(t *testing.T) {
	mallory := parleytest.Identity(t, "mallory")
	malloryFile := parley.ExportIdentity(mallory, "mallory", "http://mallory.invalid")
	nfp := parleytest.Identity(t, "north").Fingerprint()

	// south runs the handshake honestly, then presents a yes that is not
	// its own for this invitation.
	answers := []struct {
		name   string
		answer func(h byHand) []byte
	}{
		{"signed by another identity", func(h byHand) []byte {
			return parley.SignAnswer(mallory, h.id, nfp, h.purpose, time.Now())
		}},
		{"another identity's yes naming south", func(h byHand) []byte {
			msg := parley.AnswerBytes(h.id, nfp, h.identity.Fingerprint(), h.purpose, time.Now())
			return append(msg, mallory.Sign("parley/v1/contact-answer", msg)...)
		}},
		{"for another invitation", func(h byHand) []byte {
			return parley.SignAnswer(h.identity, envelope.NewID(), nfp, h.purpose, time.Now())
		}},
		{"for another purpose", func(h byHand) []byte {
			return parley.SignAnswer(h.identity, h.id, nfp, "social", time.Now())
		}},
		{"to another inviter", func(h byHand) []byte {
			return parley.SignAnswer(h.identity, h.id, mallory.Fingerprint(), h.purpose, time.Now())
		}},
		{"signature damaged", func(h byHand) []byte { a := h.answer(); return flip(a, len(a)-1, 0x01) }},
		{"unsigned", func(h byHand) []byte {
			return parley.AnswerBytes(h.id, nfp, h.identity.Fingerprint(), h.purpose, time.Now())
		}},
		{"empty", func(byHand) []byte { return nil }},
	}
	for _, a := range answers {
		t.Run("answer "+a.name, func(t *testing.T) {
			p := newContactPair(t, nil)
			inv := p.invite(t, "liaison")
			h := p.southByHand(inv)
			confirmB := h.throughFinish(t)
			expectRefusal(t, p.north, refusal{http.StatusUnauthorized, parley.CodeBadSignature, -1}, func() response {
				return p.north.postContact(t, "confirm", h.req(nil, confirmB, a.answer(h)))
			})
			p.north.noPeers(t)
			p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, 1)
			// The refusal leaves nothing half done: south, honest this
			// time, completes the same invitation.
			confirmB = h.throughFinish(t)
			p.north.step(t, "confirm", h.req(nil, confirmB, h.answer()))
			p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InviteAccepted, 2)
			if got := p.north.peer(t, "south"); got.Fingerprint() != p.south.Identity.Fingerprint() {
				t.Errorf("north pinned %s as south, want %s", got.Fingerprint().Short(), p.south.Identity.Fingerprint().Short())
			}
		})
	}

	// The handshake binds the identity presented at finish: south's PAKE
	// under mallory's identity file does not confirm.
	t.Run("identity file swapped at finish", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv := p.invite(t, "liaison")
		h := p.southByHand(inv)
		msg1 := p.north.step(t, "start", h.req(nil, nil, nil))
		r, msg2 := h.respond(t, msg1, southAnswers...)
		confirmA := p.north.step(t, "finish", h.req(malloryFile, msg2, nil))
		if _, _, err := r.Confirm(confirmA); !errors.Is(err, contact.ErrConfirmation) {
			t.Errorf("north's confirmation for mallory's identity verifies for south's session (err %v)", err)
		}
		m := byHand{north: p.north, id: inv.ID, identity: mallory, file: malloryFile, purpose: "liaison"}
		expectRefusal(t, p.north, refuseHandshake, func() response {
			return p.north.postContact(t, "confirm", m.req(nil, forgedConfirm(), m.answer()))
		})
		p.north.noPeers(t)
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, 1)
	})

	// The inviter's identity is bound too: mallory relays north's
	// invitation with an identity file of its own that names north and
	// north's URL. south, with the right answers, must not pin mallory's
	// keys on the strength of north's secret.
	t.Run("inviter's identity file swapped in transit", func(t *testing.T) {
		p := newContactPair(t, nil)
		inv, err := p.north.CreateInvite(t.Context(), p.south.ts.URL, secretOf(t, northAnswers...), "liaison", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.tr.C.Invite(t.Context(), p.south.ts.URL, inv, parley.ExportIdentity(mallory, "north", p.north.ts.URL)); err != nil {
			t.Fatalf("delivering the relayed invitation: %v", err)
		}
		if _, err := p.accept(t, inv.ID, southAnswers...); !errors.Is(err, parley.ErrHandshake) {
			t.Fatalf("AcceptInvite of the relayed invitation: %v, want ErrHandshake", err)
		}
		p.noPeers(t)
		p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, 1)
		p.south.wantInvitation(t, inv.ID, parley.Inbound, parley.InvitePending, 1)
	})
}

// A name or identity already pinned must stop first contact before either
// side pins anything, with an error that says so.
func TestContactAlreadyPinned(t *testing.T) {
	mallory := parleytest.Identity(t, "mallory")
	pin := func(t *testing.T, n *testNode, name string, id *envelope.Identity) {
		t.Helper()
		err := n.Store.AddPeer(t.Context(), parley.Peer{Name: name, URL: "http://" + name + ".invalid", Purpose: "liaison", Identity: id.Public(),
			Channel: parley.ChannelID(n.Identity.Fingerprint(), id.Fingerprint()), AddedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, p *contactPair)
		// pinned lists the names each side holds before and must hold after.
		north, south []string
	}{
		{"north knows another south", func(t *testing.T, p *contactPair) { pin(t, p.north, "south", mallory) }, []string{"south"}, nil},
		{"north knows south by another name", func(t *testing.T, p *contactPair) { pin(t, p.north, "old-south", p.south.Identity) }, []string{"old-south"}, nil},
		{"south knows another north", func(t *testing.T, p *contactPair) { pin(t, p.south, "north", mallory) }, nil, []string{"north"}},
		{"south knows north by another name", func(t *testing.T, p *contactPair) { pin(t, p.south, "old-north", p.north.Identity) }, nil, []string{"old-north"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newContactPair(t, nil)
			tt.setup(t, p)
			inv := p.invite(t, "liaison")
			_, err := p.accept(t, inv.ID, southAnswers...)
			if err == nil {
				t.Fatal("AcceptInvite succeeded despite a clash with a pinned peer")
			}
			if msg := err.Error(); !strings.Contains(msg, "already pinned") {
				t.Errorf("AcceptInvite: %q, want an error that says a peer is already pinned", msg)
			}
			for _, x := range []struct {
				n    *testNode
				want []string
			}{{p.north, tt.north}, {p.south, tt.south}} {
				peers, err := x.n.Store.Peers(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, pr := range peers {
					names = append(names, pr.Name)
				}
				if fmt.Sprint(names) != fmt.Sprint(x.want) {
					t.Errorf("%s pins %v after the refused contact, want %v", x.n.Name, names, x.want)
				}
			}
			if out := p.north.invitation(t, inv.ID, parley.Outbound); out.Status == parley.InviteAccepted {
				t.Errorf("north marked the invitation accepted; south did not pin north")
			}
		})
	}
}

// Concurrent finishes for one session: the initiator state is single use
// and not safe for concurrent use, so the node must serialise them, and at
// most one may be answered with a confirmation (each is a guess of the
// secret). The steps are called in process, released together, to make
// the overlap likely; run with -race.
func TestContactConcurrentFinish(t *testing.T) {
	p := newContactPair(t, nil)
	p.north.Contact.MaxAttempts = 100
	inv, err := p.north.CreateInvite(t.Context(), p.south.ts.URL, secretOf(t, northAnswers...), "liaison", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	h := p.southByHand(inv)
	const rounds, n = 50, 8
	for round := range rounds {
		msg1, err := p.north.HandshakeStart(t.Context(), inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var msgs [][]byte
		for i := range n {
			_, msg2 := h.respond(t, msg1, "guess", fmt.Sprint(i))
			msgs = append(msgs, msg2)
		}
		gate := make(chan struct{})
		var wg sync.WaitGroup
		results := make(chan error, n)
		for _, msg2 := range msgs {
			wg.Go(func() {
				<-gate
				_, err := p.north.HandshakeFinish(t.Context(), inv.ID, h.file, msg2)
				results <- err
			})
		}
		close(gate)
		wg.Wait()
		close(results)
		ok := 0
		for err := range results {
			if err == nil {
				ok++
			} else if !errors.Is(err, parley.ErrHandshake) {
				t.Errorf("round %d: a concurrent finish failed with %v, want ErrHandshake", round, err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d of %d concurrent finishes for one start got a confirmation, want exactly 1", round, ok, n)
		}
	}
	p.north.wantInvitation(t, inv.ID, parley.Outbound, parley.InvitePending, rounds)
}
