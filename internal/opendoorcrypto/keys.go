package opendoorcrypto

import (
	"bufio"
	"bytes"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// The HPKE suite, the same as package envelope's: KEM MLKEM768-X25519, KDF
// HKDF-SHA256, AEAD ChaCha20-Poly1305.
var (
	suiteKEM  = hpke.MLKEM768X25519()
	suiteKDF  = hpke.HKDFSHA256()
	suiteAEAD = hpke.ChaCha20Poly1305()
)

// Sizes of the keys.
const (
	PublicKeySize = 1216 // an MLKEM768-X25519 public key
	SeedSize      = 32   // an MLKEM768-X25519 private key is a 32-byte seed
	KeyIDSize     = 8
)

// KeyID names a public key: the first 8 bytes of
// SHA-256("parley opendoor key id\n" || public key).
type KeyID [KeyIDSize]byte

// String returns the lower-case hex encoding.
func (k KeyID) String() string { return hex.EncodeToString(k[:]) }

// PublicKey is an HPKE public key that items are sealed to: the
// organisation's open-door key, or a visitor's reply key.
type PublicKey struct {
	k   hpke.PublicKey
	raw []byte
	id  KeyID
}

// NewPublicKey parses a raw MLKEM768-X25519 public key.
func NewPublicKey(raw []byte) (*PublicKey, error) {
	if len(raw) != PublicKeySize {
		return nil, fmt.Errorf("opendoorcrypto: a public key has %d bytes, not %d", PublicKeySize, len(raw))
	}
	k, err := suiteKEM.NewPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("opendoorcrypto: bad public key: %w", err)
	}
	h := sha256.New()
	h.Write([]byte("parley opendoor key id\n"))
	h.Write(raw)
	p := &PublicKey{k: k, raw: bytes.Clone(raw)}
	copy(p.id[:], h.Sum(nil))
	return p, nil
}

// Bytes returns the raw public key.
func (p *PublicKey) Bytes() []byte { return bytes.Clone(p.raw) }

// ID returns the key's identifier.
func (p *PublicKey) ID() KeyID { return p.id }

// PrivateKey is an HPKE private key and its public half.
type PrivateKey struct {
	k    hpke.PrivateKey
	seed []byte // nil for keys derived from a codename, which are never saved
	pub  *PublicKey
}

// GenerateKey makes a new open-door key pair.
func GenerateKey() (*PrivateKey, error) {
	seed := make([]byte, SeedSize)
	rand.Read(seed)
	return NewPrivateKey(seed)
}

// NewPrivateKey builds a key pair from its 32-byte seed.
func NewPrivateKey(seed []byte) (*PrivateKey, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("opendoorcrypto: a private key seed has %d bytes, not %d", SeedSize, len(seed))
	}
	k, err := suiteKEM.NewPrivateKey(seed)
	if err != nil {
		return nil, fmt.Errorf("opendoorcrypto: bad private key: %w", err)
	}
	p, err := fromHPKE(k)
	if err != nil {
		return nil, err
	}
	p.seed = bytes.Clone(seed)
	return p, nil
}

func fromHPKE(k hpke.PrivateKey) (*PrivateKey, error) {
	pub, err := NewPublicKey(k.PublicKey().Bytes())
	if err != nil {
		return nil, err
	}
	return &PrivateKey{k: k, pub: pub}, nil
}

// Public returns the public half.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// Key files are text: comment lines starting with '#', then one line with a
// type tag, a space and the key in standard base64.
const (
	privateTag = "parley-opendoor-private-key-v1"
	publicTag  = "parley-opendoor-public-key-v1"
)

// MarshalPrivateKey returns the private key file for k. It fails for keys
// derived from a codename, which are never saved.
func MarshalPrivateKey(k *PrivateKey) ([]byte, error) {
	if k.seed == nil {
		return nil, errors.New("opendoorcrypto: this private key has no seed to save")
	}
	return fmt.Appendf(nil, "# Parley open-door private key %s. Whoever holds this file can read every\n"+
		"# open-door submission: keep it offline, readable only by you (mode 0600).\n%s %s\n",
		k.pub.ID(), privateTag, base64.StdEncoding.EncodeToString(k.seed)), nil
}

// MarshalPublicKey returns the public key file for p.
func MarshalPublicKey(p *PublicKey) []byte {
	return fmt.Appendf(nil, "# Parley open-door public key %s: open-door submissions are sealed to it.\n%s %s\n",
		p.ID(), publicTag, base64.StdEncoding.EncodeToString(p.raw))
}

// ParsePrivateKey parses a private key file.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	raw, err := parseKeyFile(b, privateTag)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(raw)
}

// ParsePublicKey parses a public key file.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	raw, err := parseKeyFile(b, publicTag)
	if err != nil {
		return nil, err
	}
	return NewPublicKey(raw)
}

func parseKeyFile(b []byte, tag string) ([]byte, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 8<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		t, v, ok := strings.Cut(line, " ")
		if !ok || t != tag {
			return nil, fmt.Errorf("opendoorcrypto: not a %s file", tag)
		}
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("opendoorcrypto: %s: bad base64", tag)
		}
		return raw, nil
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("opendoorcrypto: %s: %w", tag, err)
	}
	return nil, fmt.Errorf("opendoorcrypto: not a %s file (no key line)", tag)
}
