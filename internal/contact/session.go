package contact

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
)

// The session layer: CPace in initiator-responder mode, a hybrid ML-KEM-768
// exchange riding on the same two messages, an HKDF-SHA-512 key schedule over
// the full transcript, and explicit key confirmation in both directions.
//
//	Initiator                                         Responder
//	NewInitiator(secret, invite, idI)
//	        ---- msg1: sid, lv_cat(Ya,""), ek ---->
//	                                                  Respond(secret, invite, idR, msg1, idI)
//	        <--- msg2: lv_cat(Yb,""), ct ----------
//	Finish(msg2, idR) → key, confirmA
//	        ---- confirmA ------------------------>
//	                                                  Confirm(confirmA) → key, confirmB
//	        <--- confirmB -------------------------
//	Verify(confirmB)
//
// Key schedule (label L = "parley/contact/v1"):
//
//	CI   = lv_cat(L || " CI", inviteID, initiatorIdentity)
//	sid  = msg1.SessionID (16 random bytes chosen by the initiator)
//	ISK  = CPace(PRS = secret, CI, sid, ADa = ADb = "")      transcript_ir
//	ss   = ML-KEM-768 shared key (initiator's ek, responder's ct)
//	TH   = SHA-512(lv_cat(L || " transcript", inviteID,
//	                      initiatorIdentity, responderIdentity, msg1, msg2))
//	PRK  = HKDF-Extract(SHA-512, salt = TH, IKM = ISK || ss)
//	key  = HKDF-Expand(PRK, L || " session key", 32)
//	kA   = HKDF-Expand(PRK, L || " initiator confirmation", 32)
//	kB   = HKDF-Expand(PRK, L || " responder confirmation", 32)
//	tagA = first 32 bytes of HMAC-SHA-512(kA, TH)
//	tagB = first 32 bytes of HMAC-SHA-512(kB, TH)
//
// msg1 and msg2 are hashed as encoded, so the KEM key and ciphertext, the
// CPace shares, the session id, the version and the message types are all
// bound into every output, as are the invitation id and both identities.

const label = "parley/contact/v1"

// KeySize is the length of the session key.
const KeySize = 32

// Limits on caller-supplied parameters. They are generous; they exist so
// that a caller bug cannot make the handshake hash megabytes.
const (
	MaxInviteIDSize = 256
	MaxIdentitySize = 4096
	MaxSecretSize   = 4096
)

// ErrConfirmation is the one error a failed key confirmation returns,
// whatever the cause: a wrong secret, a different invitation or identity, a
// tampered or replayed message, or a malformed tag. It deliberately says
// nothing more.
var ErrConfirmation = errors.New("contact: key confirmation failed")

// stage of a handshake state machine.
type stage uint8

const (
	stageStarted stage = iota
	stageFinished
	stageDone // confirmed, failed or consumed: every further call is refused
)

// Initiator is the party that starts the handshake. It is not safe for
// concurrent use; each step may be called once, in order.
type Initiator struct {
	stage    stage
	inviteID []byte
	identity []byte
	cpace    *State
	dk       *mlkem.DecapsulationKey768
	msg1     []byte
	tagB     []byte
}

// Responder is the party that answers msg1. It is not safe for concurrent
// use; Confirm may be called once.
type Responder struct {
	stage stage
	key   []byte
	tagA  []byte
	tagB  []byte
}

// NewInitiator starts a handshake for the invitation inviteID, proving
// knowledge of secret (for example the output of NormaliseAnswers) and
// claiming initiatorIdentity (opaque bytes, such as the fingerprint of the
// initiator's public identity file). It returns msg1 for the responder.
// It returns ErrBadInput for out-of-range parameters, or the random
// source's error.
func NewInitiator(secret, inviteID, initiatorIdentity []byte) (*Initiator, []byte, error) {
	return newInitiator(rand.Reader, secret, inviteID, initiatorIdentity)
}

func newInitiator(r io.Reader, secret, inviteID, identity []byte) (*Initiator, []byte, error) {
	if err := checkParams(secret, inviteID, identity); err != nil {
		return nil, nil, err
	}
	sid := make([]byte, SessionIDSize)
	if _, err := io.ReadFull(r, sid); err != nil {
		return nil, nil, fmt.Errorf("new initiator: %w", err)
	}
	seed := make([]byte, mlkem.SeedSize)
	defer clear(seed)
	if _, err := io.ReadFull(r, seed); err != nil {
		return nil, nil, fmt.Errorf("new initiator: %w", err)
	}
	dk, err := mlkem.NewDecapsulationKey768(seed)
	if err != nil {
		panic("contact: ML-KEM rejected a 64-byte seed") // broken invariant
	}
	st, share, err := Start(RoleInitiator, secret, channelID(inviteID, identity), sid, nil, r)
	if err != nil {
		return nil, nil, fmt.Errorf("new initiator: %w", err)
	}
	msg1, err := (&InitMessage{
		SessionID:        sid,
		Share:            share,
		EncapsulationKey: dk.EncapsulationKey().Bytes(),
	}).MarshalBinary()
	if err != nil {
		panic("contact: cannot encode own msg1: " + err.Error()) // broken invariant
	}
	return &Initiator{
		inviteID: clone(inviteID),
		identity: clone(identity),
		cpace:    st,
		dk:       dk,
		msg1:     msg1,
	}, clone(msg1), nil
}

// Respond answers msg1 for the invitation inviteID, with the responder's
// secret and identity and the identity the responder expects the initiator
// to have. It returns msg2 for the initiator.
//
// A wrong secret, invitation or initiator identity is not detected here (that
// would let an attacker test guesses without completing the protocol): the
// handshake then fails in Confirm with ErrConfirmation. Respond returns
// ErrBadInput for out-of-range parameters, ErrInvalidMessage if msg1 does not
// parse or carries an invalid ML-KEM key, and ErrInvalidPoint or ErrIdentity
// if the initiator's CPace share must be rejected.
func Respond(secret, inviteID, responderIdentity, msg1, initiatorIdentity []byte) (*Responder, []byte, error) {
	return respond(rand.Reader, encapsulate, secret, inviteID, responderIdentity, msg1, initiatorIdentity)
}

// encapsulate is the production ML-KEM encapsulation; tests substitute a
// derandomized one to pin known answers.
func encapsulate(ek *mlkem.EncapsulationKey768) (sharedKey, ciphertext []byte) {
	return ek.Encapsulate()
}

func respond(r io.Reader, encaps func(*mlkem.EncapsulationKey768) ([]byte, []byte),
	secret, inviteID, responderIdentity, msg1, initiatorIdentity []byte) (*Responder, []byte, error) {
	if err := checkParams(secret, inviteID, responderIdentity); err != nil {
		return nil, nil, err
	}
	if len(initiatorIdentity) == 0 || len(initiatorIdentity) > MaxIdentitySize {
		return nil, nil, fmt.Errorf("%w: initiator identity must be 1 to %d bytes", ErrBadInput, MaxIdentitySize)
	}
	var m InitMessage
	if err := m.UnmarshalBinary(msg1); err != nil {
		return nil, nil, fmt.Errorf("respond: %w", err)
	}
	ek, err := mlkem.NewEncapsulationKey768(m.EncapsulationKey)
	if err != nil {
		return nil, nil, fmt.Errorf("respond: %w: bad ML-KEM encapsulation key", ErrInvalidMessage)
	}
	st, share, err := Start(RoleResponder, secret, channelID(inviteID, initiatorIdentity), m.SessionID, nil, r)
	if err != nil {
		return nil, nil, fmt.Errorf("respond: %w", err)
	}
	isk, err := st.Finish(m.Share)
	if err != nil {
		return nil, nil, fmt.Errorf("respond: %w", err)
	}
	defer clear(isk)
	ss, ct := encaps(ek)
	defer clear(ss)
	msg2, err := (&ResponseMessage{Share: share, Ciphertext: ct}).MarshalBinary()
	if err != nil {
		panic("contact: cannot encode own msg2: " + err.Error()) // broken invariant
	}
	th := transcriptHash(inviteID, initiatorIdentity, responderIdentity, msg1, msg2)
	key, tagA, tagB := deriveSession(isk, ss, th)
	return &Responder{key: key, tagA: tagA, tagB: tagB}, msg2, nil
}

// Finish processes msg2, given the identity the responder presents (for
// example the fingerprint of the identity file that came with msg2). It
// returns the session key and confirmA for the responder.
//
// The key is not yet authenticated: it must not protect anything until
// Verify(confirmB) returns nil, and must be discarded if Verify fails. Finish
// returns ErrInvalidMessage, ErrInvalidPoint or ErrIdentity for a malformed or
// invalid msg2 and ErrStateUsed if called twice; any error ends the
// handshake.
func (in *Initiator) Finish(msg2, responderIdentity []byte) (key, confirmA []byte, err error) {
	if in.stage != stageStarted {
		return nil, nil, ErrStateUsed
	}
	in.stage = stageDone // until proven otherwise
	if len(responderIdentity) == 0 || len(responderIdentity) > MaxIdentitySize {
		return nil, nil, fmt.Errorf("%w: responder identity must be 1 to %d bytes", ErrBadInput, MaxIdentitySize)
	}
	var m ResponseMessage
	if err := m.UnmarshalBinary(msg2); err != nil {
		return nil, nil, fmt.Errorf("finish: %w", err)
	}
	isk, err := in.cpace.Finish(m.Share)
	if err != nil {
		return nil, nil, fmt.Errorf("finish: %w", err)
	}
	defer clear(isk)
	ss, err := in.dk.Decapsulate(m.Ciphertext)
	if err != nil {
		// Only a wrong length fails, and the parser has checked it.
		panic("contact: decapsulation failed: " + err.Error()) // broken invariant
	}
	defer clear(ss)
	in.dk = nil
	th := transcriptHash(in.inviteID, in.identity, responderIdentity, in.msg1, msg2)
	key, tagA, tagB := deriveSession(isk, ss, th)
	confirmA, err = (&ConfirmMessage{Type: TypeInitiatorConfirm, Tag: tagA}).MarshalBinary()
	if err != nil {
		panic("contact: cannot encode confirmation: " + err.Error()) // broken invariant
	}
	in.tagB = tagB
	in.stage = stageFinished
	return key, confirmA, nil
}

// Verify checks the responder's confirmB. It returns nil if the responder
// derived the same key from the same transcript, and ErrConfirmation
// otherwise (or ErrStateUsed out of order). It may be called once.
func (in *Initiator) Verify(confirmB []byte) error {
	if in.stage != stageFinished {
		return ErrStateUsed
	}
	in.stage = stageDone
	defer clear(in.tagB)
	return checkTag(confirmB, TypeResponderConfirm, in.tagB)
}

// Confirm checks the initiator's confirmA. On success it returns the session
// key, now authenticated, and confirmB for the initiator. On any mismatch it
// returns ErrConfirmation and nothing else; it may be called once.
func (re *Responder) Confirm(confirmA []byte) (key, confirmB []byte, err error) {
	if re.stage != stageStarted {
		return nil, nil, ErrStateUsed
	}
	re.stage = stageDone
	defer func() {
		clear(re.tagA)
		clear(re.tagB)
		clear(re.key)
	}()
	if err := checkTag(confirmA, TypeInitiatorConfirm, re.tagA); err != nil {
		return nil, nil, err
	}
	confirmB, err = (&ConfirmMessage{Type: TypeResponderConfirm, Tag: re.tagB}).MarshalBinary()
	if err != nil {
		panic("contact: cannot encode confirmation: " + err.Error()) // broken invariant
	}
	return clone(re.key), confirmB, nil
}

// checkTag parses a confirmation message of type t and compares its tag with
// want in constant time. Every failure is ErrConfirmation.
func checkTag(msg []byte, t MessageType, want []byte) error {
	var m ConfirmMessage
	if err := m.UnmarshalBinary(msg); err != nil || m.Type != t {
		return ErrConfirmation
	}
	if !hmac.Equal(m.Tag, want) {
		return ErrConfirmation
	}
	return nil
}

func checkParams(secret, inviteID, identity []byte) error {
	switch {
	case len(secret) == 0 || len(secret) > MaxSecretSize:
		return fmt.Errorf("%w: secret must be 1 to %d bytes", ErrBadInput, MaxSecretSize)
	case len(inviteID) == 0 || len(inviteID) > MaxInviteIDSize:
		return fmt.Errorf("%w: invitation id must be 1 to %d bytes", ErrBadInput, MaxInviteIDSize)
	case len(identity) == 0 || len(identity) > MaxIdentitySize:
		return fmt.Errorf("%w: identity must be 1 to %d bytes", ErrBadInput, MaxIdentitySize)
	}
	return nil
}

// channelID is the CPace CI: it binds the generator to the protocol, the
// invitation and the initiator's identity. The responder's identity cannot
// be included, since the initiator learns it only with msg2; it is bound
// through the transcript hash instead.
func channelID(inviteID, initiatorIdentity []byte) []byte {
	return lvCat([]byte(label+" CI"), inviteID, initiatorIdentity)
}

// transcriptHash is TH: SHA-512 over everything both parties must agree on.
func transcriptHash(inviteID, initiatorIdentity, responderIdentity, msg1, msg2 []byte) []byte {
	h := sha512.New()
	h.Write(lvCat([]byte(label+" transcript"), inviteID, initiatorIdentity, responderIdentity, msg1, msg2))
	return h.Sum(nil)
}

// deriveSession runs the key schedule described at the top of this file.
func deriveSession(isk, ss, th []byte) (key, tagA, tagB []byte) {
	ikm := make([]byte, 0, len(isk)+len(ss))
	ikm = append(append(ikm, isk...), ss...)
	defer clear(ikm)
	prk, err := hkdf.Extract(sha512.New, ikm, th)
	if err != nil {
		panic("contact: HKDF-Extract: " + err.Error()) // broken invariant
	}
	defer clear(prk)
	expand := func(info string) []byte {
		out, err := hkdf.Expand(sha512.New, prk, label+" "+info, KeySize)
		if err != nil {
			panic("contact: HKDF-Expand: " + err.Error()) // broken invariant
		}
		return out
	}
	key = expand("session key")
	kA, kB := expand("initiator confirmation"), expand("responder confirmation")
	defer clear(kA)
	defer clear(kB)
	return key, confirmationTag(kA, th), confirmationTag(kB, th)
}

func confirmationTag(k, th []byte) []byte {
	m := hmac.New(sha512.New, k)
	m.Write(th)
	return m.Sum(nil)[:TagSize]
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
