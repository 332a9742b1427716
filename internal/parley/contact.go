package parley

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/contact"
	"github.com/parley-dev/parley/internal/envelope"
)

// Invitation states.
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteDeclined = "declined"
	InviteBurnt    = "burnt" // too many failed attempts
	InviteExpired  = "expired"
)

// Invitation is one first-contact invitation, sent ("out") or received ("in").
type Invitation struct {
	ID        envelope.ID
	Direction Direction
	PeerURL   string // out: the invited node; in: the inviting node
	Identity  []byte // in: the inviter's identity file, until the invitation ends
	Purpose   string
	Secret    []byte // out: the normalised secret, until the invitation ends
	Status    string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	EndedAt   time.Time
	Peer      envelope.Fingerprint // after acceptance
	Answer    []byte               // after acceptance: the invited side's signed "yes"
}

// ContactStore keeps invitations. Ending an invitation wipes its secret and
// the other side's identity file; only a minimal record remains.
type ContactStore interface {
	// CreateInvitation stores a new invitation; ErrExists if the id is taken.
	CreateInvitation(ctx context.Context, inv Invitation) error
	// Invitation returns an invitation; ErrNotFound if none.
	Invitation(ctx context.Context, id envelope.ID, dir Direction) (Invitation, error)
	Invitations(ctx context.Context, dir Direction) ([]Invitation, error)
	// CountAttempt atomically counts one handshake attempt on a pending,
	// unexpired invitation and returns it; the attempt that reaches max burns
	// it. It returns the invitation as it now stands.
	CountAttempt(ctx context.Context, id envelope.ID, dir Direction, max int, now time.Time) (Invitation, error)
	// EndInvitation sets a final status (declined, burnt, expired) on a
	// pending invitation and wipes its secret and identity file.
	EndInvitation(ctx context.Context, id envelope.ID, dir Direction, status string, now time.Time) error
	// DeleteInvitation removes an invitation that never reached its peer.
	DeleteInvitation(ctx context.Context, id envelope.ID, dir Direction) error
	// CompleteInvitation pins the peer, marks the invitation accepted with
	// the signed answer, and wipes the secret, in one transaction. ErrExists
	// if the peer's name or fingerprint is already pinned.
	CompleteInvitation(ctx context.Context, id envelope.ID, dir Direction, p Peer, answer []byte, now time.Time) error
}

// Contact errors. The protocol answers every failed handshake with the same
// ErrHandshake, so a wrong secret is indistinguishable from other failures.
var (
	ErrInviteUnusable = errors.New("the invitation is unknown, expired, burnt, declined or already used")
	ErrHandshake      = errors.New("the handshake failed (a wrong secret, or a message damaged in transit)")
)

// ContactLimits configures first contact.
type ContactLimits struct {
	MaxAttempts int           // failed handshakes before an invitation burns (default 3)
	Expiry      time.Duration // default lifetime of an invitation (default 72h)
}

// contactStates holds the initiator side of handshakes in progress, in
// memory only: a restart abandons them and the invited side starts again.
type contactStates struct {
	mu sync.Mutex
	m  map[envelope.ID]*pendingHandshake
}

type pendingHandshake struct {
	mu     sync.Mutex // contact.Initiator is not safe for concurrent use
	init   *contact.Initiator
	key    []byte
	peerID *envelope.PublicIdentity
	file   *IdentityFile
}

const ctxContactAnswer = "parley/v1/contact-answer"

// AnswerBytes is what the invited side signs when it says yes: the
// invitation, both fingerprints, the purpose and the time.
func AnswerBytes(id envelope.ID, inviter, invitee envelope.Fingerprint, purpose string, at time.Time) []byte {
	var b bytes.Buffer
	b.WriteString("yes\x00")
	b.Write(id[:])
	b.Write(inviter[:])
	b.Write(invitee[:])
	b.WriteString(purpose + "\x00")
	binary.Write(&b, binary.BigEndian, at.UnixMilli())
	return b.Bytes()
}

// SignAnswer returns the signed yes: answer bytes followed by the hybrid signature.
func SignAnswer(id *envelope.Identity, inviteID envelope.ID, inviter envelope.Fingerprint, purpose string, at time.Time) []byte {
	msg := AnswerBytes(inviteID, inviter, id.Fingerprint(), purpose, at)
	return append(msg, id.Sign(ctxContactAnswer, msg)...)
}

// VerifyAnswer checks a signed yes from invitee for the invitation.
func VerifyAnswer(answer []byte, inviteID envelope.ID, inviter envelope.Fingerprint, invitee *envelope.PublicIdentity, purpose string) error {
	if len(answer) <= envelope.SignatureSize {
		return errors.New("the answer is not signed")
	}
	msg, sig := answer[:len(answer)-envelope.SignatureSize], answer[len(answer)-envelope.SignatureSize:]
	prefix := AnswerBytes(inviteID, inviter, invitee.Fingerprint(), purpose, time.UnixMilli(0))
	if len(msg) != len(prefix) || subtle.ConstantTimeCompare(msg[:len(msg)-8], prefix[:len(prefix)-8]) != 1 {
		return errors.New("the answer names another invitation, identity or purpose")
	}
	return invitee.Verify(ctxContactAnswer, msg, sig)
}

func (n *Node) states() *contactStates {
	n.contactOnce.Do(func() { n.contact = &contactStates{m: map[envelope.ID]*pendingHandshake{}} })
	return n.contact
}

func (n *Node) limits() ContactLimits {
	l := n.Contact
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = 3
	}
	if l.Expiry <= 0 {
		l.Expiry = 72 * time.Hour
	}
	return l
}

// usableInvitation returns a pending, unexpired invitation, expiring it on
// the way if its time has passed.
func (n *Node) usableInvitation(ctx context.Context, id envelope.ID, dir Direction) (Invitation, error) {
	inv, err := n.Store.Invitation(ctx, id, dir)
	if errors.Is(err, ErrNotFound) {
		return inv, ErrInviteUnusable
	} else if err != nil {
		return inv, err
	}
	if inv.Status != InvitePending {
		return inv, ErrInviteUnusable
	}
	if now := n.Clock.Now(); !now.Before(inv.ExpiresAt) {
		if err := n.Store.EndInvitation(ctx, id, dir, InviteExpired, now); err != nil {
			return inv, err
		}
		return inv, ErrInviteUnusable
	}
	return inv, nil
}

// CreateInvite records an outgoing invitation to the node at toURL.
func (n *Node) CreateInvite(ctx context.Context, toURL string, secret []byte, purpose string, expires time.Duration) (Invitation, error) {
	if err := ValidURL(toURL); err != nil {
		return Invitation{}, err
	}
	if err := ValidPurpose(purpose); err != nil {
		return Invitation{}, err
	}
	if len(secret) == 0 {
		return Invitation{}, errors.New("the secret is empty")
	}
	if expires <= 0 {
		expires = n.limits().Expiry
	}
	now := n.Clock.Now()
	inv := Invitation{ID: envelope.NewID(), Direction: Outbound, PeerURL: toURL, Purpose: purpose, Secret: secret,
		Status: InvitePending, CreatedAt: now, ExpiresAt: now.Add(expires)}
	return inv, n.Store.CreateInvitation(ctx, inv)
}

// ReceiveInvite records an invitation that arrived from another node. The
// identity file is stored unverified: it is authenticated only when the
// handshake succeeds.
func (n *Node) ReceiveInvite(ctx context.Context, id envelope.ID, identityFile []byte, purpose string, expiresAt time.Time) (Invitation, error) {
	f, pub, err := ParseIdentityFile(identityFile)
	if err != nil {
		return Invitation{}, Errorf(CodeMalformed, -1, "the invitation carries a bad identity file: %v", err)
	}
	if pub.Fingerprint() == n.Identity.Fingerprint() {
		return Invitation{}, Errorf(CodeMalformed, -1, "an invitation from this node itself")
	}
	if err := ValidPurpose(purpose); err != nil {
		return Invitation{}, Errorf(CodeMalformed, -1, "%v", err)
	}
	now := n.Clock.Now()
	if !expiresAt.After(now) || expiresAt.Sub(now) > 30*24*time.Hour {
		return Invitation{}, Errorf(CodeMalformed, -1, "the invitation expires at %v, which is past or more than 30 days ahead", expiresAt)
	}
	inv := Invitation{ID: id, Direction: Inbound, PeerURL: f.URL, Identity: identityFile, Purpose: purpose,
		Status: InvitePending, CreatedAt: now, ExpiresAt: expiresAt}
	if err := n.Store.CreateInvitation(ctx, inv); err != nil {
		if errors.Is(err, ErrExists) {
			return inv, Errorf(CodeEnvelopeConflict, -1, "this invitation id is already known")
		}
		return inv, err
	}
	return inv, nil
}

// HandshakeStart is the inviting side's first step, at the invited side's
// request: it counts an attempt (the attempt that reaches the limit burns
// the invitation) and returns the first handshake message.
func (n *Node) HandshakeStart(ctx context.Context, id envelope.ID) ([]byte, error) {
	if _, err := n.usableInvitation(ctx, id, Outbound); err != nil {
		return nil, err
	}
	inv, err := n.Store.CountAttempt(ctx, id, Outbound, n.limits().MaxAttempts+1, n.Clock.Now())
	if err != nil {
		return nil, err
	}
	if inv.Status != InvitePending {
		return nil, ErrInviteUnusable
	}
	fp := n.Identity.Fingerprint()
	init, msg1, err := contact.NewInitiator(inv.Secret, id[:], fp[:])
	if err != nil {
		return nil, err
	}
	st := n.states()
	st.mu.Lock()
	st.m[id] = &pendingHandshake{init: init}
	st.mu.Unlock()
	return msg1, nil
}

// HandshakeFinish is the inviting side's second step: it checks the invited
// node's identity file and answer, and returns its key confirmation.
func (n *Node) HandshakeFinish(ctx context.Context, id envelope.ID, identityFile, msg2 []byte) ([]byte, error) {
	if _, err := n.usableInvitation(ctx, id, Outbound); err != nil {
		return nil, err
	}
	f, pub, err := ParseIdentityFile(identityFile)
	if err != nil {
		return nil, Errorf(CodeMalformed, -1, "bad identity file: %v", err)
	}
	st := n.states()
	st.mu.Lock()
	h := st.m[id]
	st.mu.Unlock()
	if h == nil {
		return nil, ErrHandshake
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	fp := pub.Fingerprint()
	key, confirmA, err := h.init.Finish(msg2, fp[:])
	if err != nil {
		n.Log.Warn("first contact: handshake failed", "invitation", id, "err", err)
		return nil, ErrHandshake
	}
	h.key, h.peerID, h.file = key, pub, f
	return confirmA, nil
}

// HandshakeConfirm is the inviting side's last step: it verifies the invited
// side's confirmation and signed yes, then pins the peer. It returns the peer.
func (n *Node) HandshakeConfirm(ctx context.Context, id envelope.ID, confirmB, answer []byte) (Peer, error) {
	inv, err := n.usableInvitation(ctx, id, Outbound)
	if err != nil {
		return Peer{}, err
	}
	st := n.states()
	st.mu.Lock()
	h := st.m[id]
	delete(st.m, id) // single use, whatever the outcome
	st.mu.Unlock()
	if h == nil {
		return Peer{}, ErrHandshake
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.peerID == nil {
		return Peer{}, ErrHandshake
	}
	if err := h.init.Verify(confirmB); err != nil {
		n.Log.Warn("first contact: the invited side's confirmation does not verify", "invitation", id)
		return Peer{}, ErrHandshake
	}
	if err := VerifyAnswer(answer, id, n.Identity.Fingerprint(), h.peerID, inv.Purpose); err != nil {
		return Peer{}, Errorf(CodeBadSignature, -1, "the signed answer does not verify: %v", err)
	}
	p := Peer{Name: h.file.Name, URL: h.file.URL, Purpose: inv.Purpose, Identity: h.peerID, AddedAt: n.Clock.Now(),
		Channel: ChannelID(n.Identity.Fingerprint(), h.peerID.Fingerprint())}
	if err := n.Store.CompleteInvitation(ctx, id, Outbound, p, answer, n.Clock.Now()); err != nil {
		if errors.Is(err, ErrExists) {
			return Peer{}, Errorf(CodeEnvelopeConflict, -1, "a peer named %q or with this identity is already pinned here", p.Name)
		}
		return Peer{}, err
	}
	n.Log.Info("first contact completed", "peer", p.Name, "fingerprint", h.peerID.Fingerprint().Short(),
		"safety_number", envelope.SafetyNumber(n.Identity.Fingerprint(), h.peerID.Fingerprint()))
	return p, nil
}

// ExpireInvitations ends every pending invitation whose time has passed,
// wiping its secret.
func (n *Node) ExpireInvitations(ctx context.Context) error {
	now := n.Clock.Now()
	for _, d := range []Direction{Outbound, Inbound} {
		invs, err := n.Store.Invitations(ctx, d)
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if inv.Status == InvitePending && !now.Before(inv.ExpiresAt) {
				if err := n.Store.EndInvitation(ctx, inv.ID, d, InviteExpired, now); err != nil && !errors.Is(err, ErrInviteUnusable) {
					return err
				}
			}
		}
	}
	return nil
}

// Declined records that the invited side said no.
func (n *Node) Declined(ctx context.Context, id envelope.ID) error {
	if _, err := n.usableInvitation(ctx, id, Outbound); err != nil {
		return err
	}
	st := n.states()
	st.mu.Lock()
	delete(st.m, id)
	st.mu.Unlock()
	return n.Store.EndInvitation(ctx, id, Outbound, InviteDeclined, n.Clock.Now())
}

// Transport is how the invited side reaches the inviting node.
type Transport interface {
	Start(ctx context.Context, url string, id envelope.ID) (msg1 []byte, err error)
	Finish(ctx context.Context, url string, id envelope.ID, identityFile, msg2 []byte) (confirmA []byte, err error)
	Confirm(ctx context.Context, url string, id envelope.ID, confirmB, answer []byte) error
	Decline(ctx context.Context, url string, id envelope.ID) error
}

// AcceptInvite runs the handshake for a received invitation with the
// secret the operator typed, and on success pins the inviting node. A wrong
// secret counts an attempt here too; the attempt that reaches the limit
// burns the invitation.
func (n *Node) AcceptInvite(ctx context.Context, id envelope.ID, secret []byte, ownIdentityFile []byte, t Transport) (Peer, error) {
	inv, err := n.usableInvitation(ctx, id, Inbound)
	if err != nil {
		return Peer{}, err
	}
	f, pub, err := ParseIdentityFile(inv.Identity)
	if err != nil {
		return Peer{}, fmt.Errorf("stored invitation: %w", err)
	}
	self, other := n.Identity.Fingerprint(), pub.Fingerprint()
	fail := func(cause error) (Peer, error) {
		inv, err := n.Store.CountAttempt(ctx, id, Inbound, n.limits().MaxAttempts, n.Clock.Now())
		if err != nil {
			return Peer{}, err
		}
		left := n.limits().MaxAttempts - inv.Attempts
		if inv.Status == InviteBurnt || left <= 0 {
			return Peer{}, fmt.Errorf("%w; the invitation is now burnt after %d failed attempts", cause, inv.Attempts)
		}
		return Peer{}, fmt.Errorf("%w; %d attempt(s) left", cause, left)
	}
	msg1, err := t.Start(ctx, inv.PeerURL, id)
	if err != nil {
		return Peer{}, fmt.Errorf("the inviting node refused to start: %w", err)
	}
	resp, msg2, err := contact.Respond(secret, id[:], self[:], msg1, other[:])
	if err != nil {
		return fail(ErrHandshake)
	}
	confirmA, err := t.Finish(ctx, inv.PeerURL, id, ownIdentityFile, msg2)
	if errors.Is(err, ErrHandshake) {
		return fail(ErrHandshake)
	} else if err != nil { // the network, not a guess: no attempt is counted here
		return Peer{}, fmt.Errorf("the inviting node did not answer the handshake: %w", err)
	}
	_, confirmB, err := resp.Confirm(confirmA)
	if err != nil {
		return fail(ErrHandshake)
	}
	// The secret is proven; before saying yes, make sure this side can pin
	// the inviter, so that neither side is left paired alone.
	if _, err := n.Store.PeerByName(ctx, f.Name); err == nil {
		return Peer{}, fmt.Errorf("a peer named %q is already pinned here; the secret matched, but nothing was pinned on either side (the invitation stays pending)", f.Name)
	}
	if p, err := n.Store.PeerByFingerprint(ctx, other); err == nil {
		return Peer{}, fmt.Errorf("this identity is already pinned here as %q; the secret matched, but nothing was pinned on either side (the invitation stays pending)", p.Name)
	}

	now := n.Clock.Now().Truncate(time.Millisecond)
	answer := SignAnswer(n.Identity, id, other, inv.Purpose, now)
	if err := t.Confirm(ctx, inv.PeerURL, id, confirmB, answer); err != nil {
		return Peer{}, fmt.Errorf("the inviting node did not accept our confirmation: %w", err)
	}
	p := Peer{Name: f.Name, URL: f.URL, Purpose: inv.Purpose, Identity: pub, AddedAt: now, Channel: ChannelID(self, other)}
	if err := n.Store.CompleteInvitation(ctx, id, Inbound, p, answer, now); err != nil {
		return Peer{}, err
	}
	return p, nil
}

// DeclineInvite answers no: the inviting node is told, and only a minimal
// record of the declined invitation stays here.
func (n *Node) DeclineInvite(ctx context.Context, id envelope.ID, t Transport) error {
	inv, err := n.usableInvitation(ctx, id, Inbound)
	if err != nil {
		return err
	}
	if err := n.Store.EndInvitation(ctx, id, Inbound, InviteDeclined, n.Clock.Now()); err != nil {
		return err
	}
	if err := t.Decline(ctx, inv.PeerURL, id); err != nil {
		n.Log.Warn("the inviting node was not told of the decline", "err", err)
		return fmt.Errorf("declined here, but the inviting node could not be told: %w", err)
	}
	return nil
}
