package contact

import (
	"bytes"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// CPACE-RISTR255-SHA512 constants (draft-irtf-cfrg-cpace-21, Section 8.3).
const (
	// dsi is G_Ristretto255.DSI.
	dsi = "CPaceRistretto255"
	// hashBlockSize is H.s_in_bytes for SHA-512.
	hashBlockSize = 128

	// ElementSize is the length of an encoded ristretto255 element (Ya, Yb, K).
	ElementSize = 32
	// ScalarSize is the length of an encoded ristretto255 scalar.
	ScalarSize = 32
	// ISKSize is the length of the intermediate session key, H.b_in_bytes for SHA-512.
	ISKSize = sha512.Size
	// MaxADSize bounds the associated data carried in a CPace message. The draft
	// sets no bound; a bound keeps parsing of untrusted input cheap.
	MaxADSize = 4096
)

// Errors returned by the CPace layer. They are sentinels: compare with errors.Is.
var (
	// ErrInvalidMessage means a message does not parse: a CPace message that
	// is not lv_cat(Y, AD) with a 32-byte Y, minimal length encodings and no
	// trailing bytes, or a handshake message that breaks the wire format.
	ErrInvalidMessage = errors.New("contact: invalid handshake message")
	// ErrInvalidPoint means the peer's share is not the canonical encoding of
	// a ristretto255 element (scalar_mult_vfy would return G.I).
	ErrInvalidPoint = errors.New("contact: peer share is not a valid ristretto255 encoding")
	// ErrIdentity means the Diffie-Hellman result K is the neutral element
	// (for example because the peer sent the identity as its share).
	ErrIdentity = errors.New("contact: shared point is the identity element")
	// ErrStateUsed means a step was called twice, out of order, or after an
	// earlier step failed: a state runs exactly one protocol instance.
	ErrStateUsed = errors.New("contact: handshake state already used")
	// ErrBadInput means a caller-supplied parameter is out of range.
	ErrBadInput = errors.New("contact: invalid input")
)

// Role selects the party and the transcript function of Section 6.3.
type Role uint8

const (
	// RoleInitiator is party A in the initiator-responder setting; its message
	// comes first in transcript_ir.
	RoleInitiator Role = iota + 1
	// RoleResponder is party B in the initiator-responder setting.
	RoleResponder
	// RoleSymmetric is the setting without roles: transcript_oc (ordered
	// concatenation) is used and either party may speak first.
	RoleSymmetric
)

func (r Role) String() string {
	switch r {
	case RoleInitiator:
		return "initiator"
	case RoleResponder:
		return "responder"
	case RoleSymmetric:
		return "symmetric"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// State is one party's side of one CPace run. It is not safe for concurrent
// use, and it is single-use: after Finish (successful or not) the secret
// scalar is erased and further calls return ErrStateUsed.
type State struct {
	role    Role
	y       *ristretto255.Scalar
	sid     []byte
	own     []byte // lv_cat(Y, AD) of this party
	peerAD  []byte
	sidOut  []byte
	used    bool
	success bool
}

// Start begins a CPace run for role with the password-related string prs,
// channel identifier ci, session identifier sid and this party's associated
// data ad (each of ci, sid and ad may be empty; prs must not be). It samples
// the secret scalar from rand and returns the state and this party's message
// lv_cat(Y, AD), to be sent to the peer.
func Start(role Role, prs, ci, sid, ad []byte, rand io.Reader) (*State, []byte, error) {
	y, err := sampleScalar(rand)
	if err != nil {
		return nil, nil, err
	}
	return start(role, prs, ci, sid, ad, y)
}

// startWithScalar is Start with a fixed little-endian scalar: the
// deterministic hook that lets the tests reproduce the draft's vectors.
func startWithScalar(role Role, prs, ci, sid, ad, scalar []byte) (*State, []byte, error) {
	y, err := ristretto255.NewScalar().SetCanonicalBytes(scalar)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: non-canonical scalar", ErrBadInput)
	}
	return start(role, prs, ci, sid, ad, y)
}

func start(role Role, prs, ci, sid, ad []byte, y *ristretto255.Scalar) (*State, []byte, error) {
	switch {
	case role != RoleInitiator && role != RoleResponder && role != RoleSymmetric:
		return nil, nil, fmt.Errorf("%w: unknown role %v", ErrBadInput, role)
	case len(prs) == 0:
		return nil, nil, fmt.Errorf("%w: empty PRS", ErrBadInput)
	case len(ad) > MaxADSize:
		return nil, nil, fmt.Errorf("%w: associated data longer than %d bytes", ErrBadInput, MaxADSize)
	case y.Equal(ristretto255.NewScalar()) == 1:
		return nil, nil, fmt.Errorf("%w: zero scalar", ErrBadInput)
	}
	g := calculateGenerator(prs, ci, sid)
	Y := scalarMult(y, g)
	msg := lvCat(Y, ad)
	st := &State{
		role: role,
		y:    y,
		sid:  append([]byte(nil), sid...),
		own:  msg,
	}
	return st, append([]byte(nil), msg...), nil
}

// Finish processes the peer's message and returns the 64-byte intermediate
// session key ISK = SHA-512(lv_cat(DSI||"_ISK", sid, K) || transcript).
// It returns ErrInvalidMessage, ErrInvalidPoint or ErrIdentity (the draft's
// abort conditions) or ErrStateUsed. The two parties obtain the same ISK if
// and only if PRS, CI, sid and both messages agree; a wrong password is not
// detected here but yields an unrelated ISK, so ISK must be confirmed (see
// the session layer) before it is trusted.
func (s *State) Finish(peerMsg []byte) ([]byte, error) {
	if s.used {
		return nil, ErrStateUsed
	}
	s.used = true
	defer s.y.Zero()

	peerY, peerAD, err := parseMessage(peerMsg)
	if err != nil {
		return nil, err
	}
	// A share equal to our own can only be our message reflected back (the
	// loopback attack of Section 10.1.2); honest shares collide with
	// negligible probability. Shares are public, so a plain compare is fine.
	if bytes.Equal(peerY, s.own[1:1+ElementSize]) {
		return nil, fmt.Errorf("%w: peer share equals our own", ErrInvalidMessage)
	}
	K, err := scalarMultVfy(s.y, peerY)
	if err != nil {
		return nil, err
	}
	// The strict parser accepts exactly one encoding per (Y, AD), so the
	// received bytes are lv_cat(Y, AD) of the peer.
	peer := lvCat(peerY, peerAD)
	var tr []byte
	switch s.role {
	case RoleInitiator:
		tr = transcriptIR(s.own, peer)
	case RoleResponder:
		tr = transcriptIR(peer, s.own)
	default:
		tr = oCat(s.own, peer)
	}
	isk := deriveISK(s.sid, K, tr)
	clear(K)
	s.peerAD = append([]byte(nil), peerAD...)
	s.sidOut = sidOutput(tr)
	s.success = true
	return isk, nil
}

// PeerAD returns the associated data the peer sent, after a successful
// Finish, and nil before.
func (s *State) PeerAD() []byte {
	if !s.success {
		return nil
	}
	return append([]byte(nil), s.peerAD...)
}

// SidOutput returns the optional public session identifier of Section 10.6,
// SHA-512("CPaceSidOutput" || transcript), after a successful Finish, and nil
// before. It is meant for runs started with an empty sid.
func (s *State) SidOutput() []byte {
	if !s.success {
		return nil
	}
	return append([]byte(nil), s.sidOut...)
}

// sampleScalar implements G.sample_scalar as RECOMMENDED in Section 8.3:
// 32 random bytes with the bits above group_size_bits (252) cleared, read as
// a little-endian integer. The result is below 2^252 < group order, hence
// canonical. Zero is rejected (it would make Y the identity).
func sampleScalar(rand io.Reader) (*ristretto255.Scalar, error) {
	var b [ScalarSize]byte
	defer clear(b[:])
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, fmt.Errorf("contact: sampling scalar: %w", err)
	}
	b[ScalarSize-1] &= 0x0f
	y, err := ristretto255.NewScalar().SetCanonicalBytes(b[:])
	if err != nil {
		panic("contact: a 252-bit scalar is not canonical") // broken invariant
	}
	if y.Equal(ristretto255.NewScalar()) == 1 {
		return nil, errors.New("contact: sampling scalar: random source returned zero")
	}
	return y, nil
}

// calculateGenerator implements G.calculate_generator for ristretto255:
// the generator string is hashed to 2*field_size_bytes = 64 bytes with
// SHA-512 and mapped with the element derivation of RFC 9496, Section 4.3.4.
func calculateGenerator(prs, ci, sid []byte) *ristretto255.Element {
	gs := generatorString(prs, ci, sid)
	h := sha512.Sum512(gs)
	clear(gs)
	g, err := ristretto255.NewIdentityElement().SetUniformBytes(h[:])
	if err != nil {
		panic("contact: SetUniformBytes rejected 64 bytes") // broken invariant
	}
	clear(h[:])
	return g
}

// generatorString is generator_string(DSI, PRS, CI, sid, s_in_bytes) of
// Section 8.1: lv_cat(DSI, PRS, zero_bytes(len_zpad), CI, sid), where the
// zero padding makes DSI and PRS fill the first SHA-512 input block.
func generatorString(prs, ci, sid []byte) []byte {
	zpad := hashBlockSize - 1 - prependLenSize(len(prs)) - len(prs) - prependLenSize(len(dsi)) - len(dsi)
	zpad = max(zpad, 0)
	return lvCat([]byte(dsi), prs, make([]byte, zpad), ci, sid)
}

// scalarMult is G.scalar_mult: encode(y * g).
func scalarMult(y *ristretto255.Scalar, g *ristretto255.Element) []byte {
	return ristretto255.NewIdentityElement().ScalarMult(y, g).Bytes()
}

// scalarMultVfy is G.scalar_mult_vfy with the abort folded in: where the
// draft returns G.I (X does not decode, or y*X is the identity) it returns
// an error instead.
func scalarMultVfy(y *ristretto255.Scalar, X []byte) ([]byte, error) {
	P, err := ristretto255.NewIdentityElement().SetCanonicalBytes(X)
	if err != nil {
		return nil, ErrInvalidPoint
	}
	K := ristretto255.NewIdentityElement().ScalarMult(y, P)
	if K.Equal(ristretto255.NewIdentityElement()) == 1 {
		return nil, ErrIdentity
	}
	return K.Bytes(), nil
}

// deriveISK is H.hash(lv_cat(G.DSI || "_ISK", sid, K) || transcript).
func deriveISK(sid, K, transcript []byte) []byte {
	h := sha512.New()
	h.Write(lvCat([]byte(dsi+"_ISK"), sid, K))
	h.Write(transcript)
	return h.Sum(nil)
}

// sidOutput is H.hash("CPaceSidOutput" || transcript) of Section 10.6.
func sidOutput(transcript []byte) []byte {
	h := sha512.New()
	h.Write([]byte("CPaceSidOutput"))
	h.Write(transcript)
	return h.Sum(nil)
}

// transcriptIR is transcript_ir: lv_cat(Ya,ADa) || lv_cat(Yb,ADb), given the
// two already length-value encoded messages.
func transcriptIR(msgA, msgB []byte) []byte {
	return append(append([]byte(nil), msgA...), msgB...)
}

// oCat is o_cat of Appendix A.3.2: b"oc" followed by the lexicographically
// larger string, then the other. transcript_oc(Ya,ADa,Yb,ADb) is
// oCat(lv_cat(Ya,ADa), lv_cat(Yb,ADb)). Only public values are ordered.
func oCat(a, b []byte) []byte {
	out := []byte("oc")
	if lexicographicallyLarger(a, b) {
		return append(append(out, a...), b...)
	}
	return append(append(out, b...), a...)
}

// lexicographicallyLarger reports whether a > b in the ordering of
// Appendix A.3.1 (bytewise, then the longer string is larger).
func lexicographicallyLarger(a, b []byte) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return len(a) > len(b)
}

// parseMessage splits a CPace message lv_cat(Y, AD) strictly: Y must be 32
// bytes, AD at most MaxADSize bytes, lengths minimally encoded and nothing
// may follow AD. Whether Y is a valid element is checked later.
func parseMessage(msg []byte) (Y, AD []byte, err error) {
	Y, rest, err := readLV(msg, ElementSize)
	if err != nil || len(Y) != ElementSize {
		return nil, nil, ErrInvalidMessage
	}
	AD, rest, err = readLV(rest, MaxADSize)
	if err != nil || len(rest) != 0 {
		return nil, nil, ErrInvalidMessage
	}
	return Y, AD, nil
}
