package opendoorcrypto

import (
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id parameters of Derive.
type Params struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultParams are the parameters of every real open door: 3 passes over
// 64 MiB with one lane (RFC 9106's second recommended option, with one lane
// so that a 2-core server can run two derivations at once). About 180 ms on
// one core of a 2024 laptop-class CPU. Changing them changes every lookup
// key, so they are part of the format ("v1"); tests use cheaper ones.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 1}

// Sizes of the values derived from a codename.
const (
	LookupSize   = 16
	VerifierSize = 32
)

// Labels of the derivation. The Argon2id salt is fixed: a codename carries
// about 90 bits, so precomputation is hopeless, and a per-visitor salt would
// make lookup impossible.
const (
	deriveSalt     = "parley opendoor codename v1"
	labelLookup    = "parley opendoor lookup v1"
	labelVerifier  = "parley opendoor verifier v1"
	labelReplyKey  = "parley opendoor reply key v1"
	argonOutputLen = 32
)

// Credentials are what a codename derives: the lookup key under which the
// visitor is stored, the verifier that proves the codename, and the reply
// key pair whose private half exists only in memory, while the visitor is
// being served.
type Credentials struct {
	Lookup   [LookupSize]byte
	Verifier [VerifierSize]byte
	reply    *PrivateKey
}

// ReplyKey returns the visitor's reply key pair; its public half is stored,
// its private half opens the replies sealed to it.
func (c *Credentials) ReplyKey() *PrivateKey { return c.reply }

// Matches reports, in constant time, whether verifier is c's verifier.
func (c *Credentials) Matches(verifier []byte) bool {
	return subtle.ConstantTimeCompare(c.Verifier[:], verifier) == 1
}

// ErrParams is returned by Derive for unusable parameters.
var ErrParams = errors.New("opendoorcrypto: Argon2id parameters out of range")

// Derive computes a codename's credentials:
//
//	k        = Argon2id(NormaliseCodename(codename), salt "parley opendoor codename v1", p, 32 bytes)
//	lookup   = HKDF-Expand-SHA256(k, "parley opendoor lookup v1", 16)
//	verifier = HKDF-Expand-SHA256(k, "parley opendoor verifier v1", 32)
//	reply    = MLKEM768-X25519 DeriveKeyPair(HKDF-Expand-SHA256(k, "parley opendoor reply key v1", 32))
//
// It always does the full work, whatever the input (an empty or malformed
// codename included), so that its time says nothing about the codename.
func Derive(codename string, p Params) (*Credentials, error) {
	if p.Time < 1 || p.MemoryKiB < 8*uint32(max(p.Threads, 1)) || p.Threads < 1 || p.MemoryKiB > 4<<20 {
		return nil, ErrParams
	}
	k := argon2.IDKey([]byte(NormaliseCodename(codename)), []byte(deriveSalt), p.Time, p.MemoryKiB, p.Threads, argonOutputLen)
	c := &Credentials{}
	lookup, err := hkdf.Expand(sha256.New, k, labelLookup, LookupSize)
	if err != nil {
		return nil, err
	}
	verifier, err := hkdf.Expand(sha256.New, k, labelVerifier, VerifierSize)
	if err != nil {
		return nil, err
	}
	ikm, err := hkdf.Expand(sha256.New, k, labelReplyKey, 32)
	if err != nil {
		return nil, err
	}
	copy(c.Lookup[:], lookup)
	copy(c.Verifier[:], verifier)
	priv, err := suiteKEM.DeriveKeyPair(ikm)
	if err != nil {
		return nil, fmt.Errorf("opendoorcrypto: deriving the reply key: %w", err)
	}
	if c.reply, err = fromHPKE(priv); err != nil {
		return nil, err
	}
	clear(k)
	clear(ikm)
	return c, nil
}
