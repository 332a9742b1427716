package envelope

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

// Sizes of the hybrid keys and signatures.
const (
	// SigningKeySize is the size of a hybrid public signing key:
	// Ed25519 public key followed by the packed ML-DSA-65 public key.
	SigningKeySize = ed25519.PublicKeySize + mldsa65.PublicKeySize
	// SignatureSize is the size of a hybrid signature: the Ed25519
	// signature followed by the ML-DSA-65 signature.
	SignatureSize = ed25519.SignatureSize + mldsa65.SignatureSize
	// FingerprintSize is the size of an identity fingerprint.
	FingerprintSize = sha256.Size
	// KeyIDSize is the size of an encryption key identifier.
	KeyIDSize = 8
	// SeedSize is the size of each private seed in an identity.
	SeedSize = 32
)

// The HPKE suite: KEM MLKEM768-X25519, KDF HKDF-SHA256, AEAD ChaCha20-Poly1305.
var (
	suiteKEM  = hpke.MLKEM768X25519()
	suiteKDF  = hpke.HKDFSHA256()
	suiteAEAD = hpke.ChaCha20Poly1305()
)

// HPKEPublicKeySize is the size of an MLKEM768-X25519 public key.
const HPKEPublicKeySize = 1216

// ErrBadSignature is returned when a hybrid signature does not verify.
var ErrBadSignature = errors.New("envelope: bad signature")

// Fingerprint identifies a node: SHA-256 over its two public keys.
type Fingerprint [FingerprintSize]byte

// String returns the lowercase hex encoding.
func (f Fingerprint) String() string { return hex.EncodeToString(f[:]) }

// Short returns the first 16 hex digits, for humans.
func (f Fingerprint) Short() string { return hex.EncodeToString(f[:8]) }

// ParseFingerprint decodes a 64-digit hex fingerprint.
func ParseFingerprint(s string) (Fingerprint, error) {
	var f Fingerprint
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != FingerprintSize {
		return f, fmt.Errorf("envelope: fingerprint must be %d hex digits", 2*FingerprintSize)
	}
	copy(f[:], b)
	return f, nil
}

// KeyID names an HPKE public key, so that encryption keys can rotate.
type KeyID [KeyIDSize]byte

// String returns the lowercase hex encoding.
func (k KeyID) String() string { return hex.EncodeToString(k[:]) }

// PublicIdentity is the public half of a node identity.
type PublicIdentity struct {
	sigKey  [SigningKeySize]byte
	ed      ed25519.PublicKey
	ml      *mldsa65.PublicKey
	hpkeKey hpke.PublicKey
	hpkeRaw []byte
	fp      Fingerprint // computed once: it is on every hot path
	keyID   KeyID
}

// NewPublicIdentity decodes the public signing key and HPKE public key.
func NewPublicIdentity(signingKey, hpkeKey []byte) (*PublicIdentity, error) {
	if len(signingKey) != SigningKeySize {
		return nil, fmt.Errorf("envelope: signing key is %d bytes, want %d", len(signingKey), SigningKeySize)
	}
	p := &PublicIdentity{}
	copy(p.sigKey[:], signingKey)
	p.ed = ed25519.PublicKey(bytes.Clone(signingKey[:ed25519.PublicKeySize]))
	p.ml = new(mldsa65.PublicKey)
	if err := p.ml.UnmarshalBinary(signingKey[ed25519.PublicKeySize:]); err != nil {
		return nil, fmt.Errorf("envelope: ML-DSA-65 public key: %w", err)
	}
	k, err := suiteKEM.NewPublicKey(hpkeKey)
	if err != nil {
		return nil, fmt.Errorf("envelope: HPKE public key: %w", err)
	}
	p.hpkeKey = k
	p.hpkeRaw = bytes.Clone(hpkeKey)
	p.fp = computeFingerprint(p.sigKey[:], p.hpkeRaw)
	p.keyID = ComputeKeyID(p.hpkeRaw)
	return p, nil
}

// SigningKey returns the encoded hybrid public signing key.
func (p *PublicIdentity) SigningKey() []byte { return bytes.Clone(p.sigKey[:]) }

// HPKEKey returns the encoded HPKE public key.
func (p *PublicIdentity) HPKEKey() []byte { return bytes.Clone(p.hpkeRaw) }

// KeyID returns the identifier of the HPKE public key.
func (p *PublicIdentity) KeyID() KeyID { return p.keyID }

// Fingerprint returns SHA-256("parley fingerprint v1\n" || len || signing key || len || hpke key).
func (p *PublicIdentity) Fingerprint() Fingerprint { return p.fp }

func computeFingerprint(sigKey, hpkeKey []byte) Fingerprint {
	h := sha256.New()
	h.Write([]byte("parley fingerprint v1\n"))
	writeLenPrefixed(h, sigKey)
	writeLenPrefixed(h, hpkeKey)
	var f Fingerprint
	h.Sum(f[:0])
	return f
}

// Verify checks a hybrid signature made with context ctx over msg. Both the
// Ed25519 and the ML-DSA-65 signatures must verify.
func (p *PublicIdentity) Verify(ctx string, msg, sig []byte) error {
	if len(sig) != SignatureSize {
		return ErrBadSignature
	}
	m := signedMessage(ctx, msg)
	edOK := ed25519.Verify(p.ed, m, sig[:ed25519.SignatureSize])
	mlOK := mldsa65.Verify(p.ml, m, []byte(ctx), sig[ed25519.SignatureSize:])
	if !edOK || !mlOK {
		return ErrBadSignature
	}
	return nil
}

// ComputeKeyID returns the first 8 bytes of SHA-256("parley hpke key id\n" || key).
func ComputeKeyID(hpkeKey []byte) KeyID {
	h := sha256.New()
	h.Write([]byte("parley hpke key id\n"))
	h.Write(hpkeKey)
	var k KeyID
	copy(k[:], h.Sum(nil))
	return k
}

// Identity is a node's private identity.
type Identity struct {
	*PublicIdentity
	edSeed, mlSeed, hpkeSeed [SeedSize]byte
	edPriv                   ed25519.PrivateKey
	mlPriv                   *mldsa65.PrivateKey
	hpkePriv                 hpke.PrivateKey
}

// GenerateIdentity creates a new identity from the system random source.
func GenerateIdentity() (*Identity, error) {
	var ed, ml, hk [SeedSize]byte
	rand.Read(ed[:])
	rand.Read(ml[:])
	rand.Read(hk[:])
	return NewIdentity(ed, ml, hk)
}

// NewIdentity derives an identity from its three 32-byte seeds: the Ed25519
// seed, the ML-DSA-65 seed and the MLKEM768-X25519 private key (itself a seed).
func NewIdentity(edSeed, mlSeed, hpkeSeed [SeedSize]byte) (*Identity, error) {
	id := &Identity{edSeed: edSeed, mlSeed: mlSeed, hpkeSeed: hpkeSeed}
	id.edPriv = ed25519.NewKeyFromSeed(edSeed[:])
	mlPub, mlPriv := mldsa65.NewKeyFromSeed(&mlSeed)
	id.mlPriv = mlPriv
	hp, err := suiteKEM.NewPrivateKey(hpkeSeed[:])
	if err != nil {
		return nil, fmt.Errorf("envelope: HPKE private key: %w", err)
	}
	id.hpkePriv = hp
	var sk []byte
	sk = append(sk, id.edPriv.Public().(ed25519.PublicKey)...)
	mlb, _ := mlPub.MarshalBinary()
	sk = append(sk, mlb...)
	pub, err := NewPublicIdentity(sk, hp.PublicKey().Bytes())
	if err != nil {
		return nil, err
	}
	id.PublicIdentity = pub
	return id, nil
}

// Seeds returns the three private seeds, for storing in a key file.
func (id *Identity) Seeds() (edSeed, mlSeed, hpkeSeed [SeedSize]byte) {
	return id.edSeed, id.mlSeed, id.hpkeSeed
}

// Public returns the public half.
func (id *Identity) Public() *PublicIdentity { return id.PublicIdentity }

// Sign makes a hybrid signature with context ctx over msg. The ML-DSA-65
// signature is hedged (randomised), as FIPS 204 recommends.
func (id *Identity) Sign(ctx string, msg []byte) []byte {
	m := signedMessage(ctx, msg)
	sig := make([]byte, SignatureSize)
	copy(sig, ed25519.Sign(id.edPriv, m))
	if err := mldsa65.SignTo(id.mlPriv, m, []byte(ctx), true, sig[ed25519.SignatureSize:]); err != nil {
		panic("envelope: ML-DSA-65 signing failed: " + err.Error()) // only on a bad context length
	}
	return sig
}

// signedMessage is what both signature schemes sign: the context, a zero
// byte and the message, so that no signature made for one purpose verifies
// for another. ML-DSA-65 additionally receives the context natively.
func signedMessage(ctx string, msg []byte) []byte {
	if strings.IndexByte(ctx, 0) >= 0 || len(ctx) > 255 {
		panic("envelope: invalid signature context")
	}
	m := make([]byte, 0, len(ctx)+1+len(msg))
	m = append(m, ctx...)
	m = append(m, 0)
	return append(m, msg...)
}

type byteWriter interface{ Write([]byte) (int, error) }

func writeLenPrefixed(w byteWriter, b []byte) {
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(b)))
	w.Write(l[:])
	w.Write(b)
}

// SafetyNumber renders the fingerprints of a pair as 12 groups of 5 digits.
// It is symmetric: both sides compute the same number.
func SafetyNumber(a, b Fingerprint) string {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	h := sha256.New()
	h.Write([]byte("parley safety number v1\n"))
	h.Write(a[:])
	h.Write(b[:])
	sum := h.Sum(nil)
	// 12 groups from 60 bytes: each 5-digit group from 40 bits mod 100000.
	ext := sha256.Sum256(sum)
	src := append(sum, ext[:]...)
	var groups []string
	for i := 0; i < 12; i++ {
		chunk := src[i*5 : i*5+5]
		var v uint64
		for _, c := range chunk {
			v = v<<8 | uint64(c)
		}
		groups = append(groups, fmt.Sprintf("%05d", v%100000))
	}
	return strings.Join(groups, " ")
}
