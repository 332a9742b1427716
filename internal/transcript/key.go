package transcript

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Signature algorithm bytes, as in the C2SP signed-note key hash.
const (
	AlgCheckpoint  byte = 0x50 // Parley hybrid signature over a checkpoint body
	AlgCosignature byte = 0x51 // Parley hybrid cosignature (tlog-cosignature style)
)

// Contexts passed to a Key's sign and verify functions, so that a signature
// made for one purpose never verifies for another.
const (
	ContextCheckpoint  = "parley/v1/checkpoint"
	ContextCosignature = "parley/v1/cosignature"
)

// maxNameLen bounds a key name.
const maxNameLen = 255

// A Key is a named public key with the functions that sign and verify with
// it. Parley identities sign with a hybrid scheme that lives outside this
// package; a Key only needs its public key bytes (for the key hashes) and
// the two functions.
type Key struct {
	name       string
	publicKey  []byte
	sign       func(context string, msg []byte) ([]byte, error)
	verify     func(context string, msg, sig []byte) bool
	hashCheck  uint32 // key hash for AlgCheckpoint
	hashCosign uint32 // key hash for AlgCosignature
}

// NewKey returns a Key. The name must be 1 to 255 bytes in [\x21-\x7e]
// other than '+' (a valid note key name); publicKey must not be empty; verify
// must not be nil; sign may be nil for a verify-only key.
//
// sign(context, msg) must sign both context and msg (for example with
// Ed25519ctx, or by signing a length-prefixed context followed by msg);
// verify(context, msg, sig) must report whether sig is such a signature.
func NewKey(name string, publicKey []byte, sign func(context string, msg []byte) ([]byte, error), verify func(context string, msg, sig []byte) bool) (*Key, error) {
	if err := checkKeyName(name); err != nil {
		return nil, err
	}
	if len(publicKey) == 0 {
		return nil, errors.New("transcript: empty public key")
	}
	if verify == nil {
		return nil, errors.New("transcript: nil verify function")
	}
	k := &Key{
		name:      name,
		publicKey: append([]byte(nil), publicKey...),
		sign:      sign,
		verify:    verify,
	}
	k.hashCheck = keyHash(name, AlgCheckpoint, publicKey)
	k.hashCosign = keyHash(name, AlgCosignature, publicKey)
	if k.hashCheck == k.hashCosign {
		// Signature lines are told apart by key hash; a key whose two
		// hashes collide (chance 2^-32) cannot be used.
		return nil, errors.New("transcript: the key's checkpoint and cosignature key hashes collide; use another key")
	}
	return k, nil
}

func checkKeyName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("transcript: key name must be 1 to %d bytes", maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x21 || c > 0x7e || c == '+' {
			return fmt.Errorf("transcript: key name %q has byte %#02x at %d", name, c, i)
		}
	}
	return nil
}

// keyHash is the C2SP signed-note key hash: the first four bytes, big-endian,
// of SHA-256(name || "\n" || alg || publicKey).
func keyHash(name string, alg byte, publicKey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', alg})
	h.Write(publicKey)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// Name returns the key's name.
func (k *Key) Name() string { return k.name }

// Signer returns the note.Signer of checkpoint signatures (AlgCheckpoint):
// it signs the note text, which must be a checkpoint body, with context
// ContextCheckpoint. It fails if k has no sign function.
func (k *Key) Signer() note.Signer { return checkpointSigner{k} }

// Verifier returns the note.Verifier of checkpoint signatures.
func (k *Key) Verifier() note.Verifier { return checkpointVerifier{k} }

// Cosigner returns the note.Signer of cosignatures (AlgCosignature) at the
// time now returns: the signature is the 8-byte big-endian Unix time T
// followed by the signature, with context ContextCosignature, of
// "cosignature/v1\ntime <T>\n" and the note text, which must be a
// checkpoint body.
func (k *Key) Cosigner(now func() time.Time) note.Signer { return cosigner{k, now} }

// CosignatureVerifier returns the note.Verifier of cosignatures.
func (k *Key) CosignatureVerifier() note.Verifier { return cosignatureVerifier{k} }

type checkpointSigner struct{ k *Key }

func (s checkpointSigner) Name() string    { return s.k.name }
func (s checkpointSigner) KeyHash() uint32 { return s.k.hashCheck }
func (s checkpointSigner) Sign(msg []byte) ([]byte, error) {
	if s.k.sign == nil {
		return nil, fmt.Errorf("transcript: key %s cannot sign", s.k.name)
	}
	// Only checkpoints are signed in this context, so a signature over some
	// other text can never be presented as a checkpoint signature.
	if _, err := parseCheckpoint(msg); err != nil {
		return nil, fmt.Errorf("transcript: refusing to sign: %w", err)
	}
	return s.k.sign(ContextCheckpoint, msg)
}

type checkpointVerifier struct{ k *Key }

func (v checkpointVerifier) Name() string    { return v.k.name }
func (v checkpointVerifier) KeyHash() uint32 { return v.k.hashCheck }
func (v checkpointVerifier) Verify(msg, sig []byte) bool {
	return v.k.verify(ContextCheckpoint, msg, sig)
}

type cosigner struct {
	k   *Key
	now func() time.Time
}

func (s cosigner) Name() string    { return s.k.name }
func (s cosigner) KeyHash() uint32 { return s.k.hashCosign }
func (s cosigner) Sign(msg []byte) ([]byte, error) {
	if s.k.sign == nil {
		return nil, fmt.Errorf("transcript: key %s cannot sign", s.k.name)
	}
	if _, err := parseCheckpoint(msg); err != nil {
		return nil, fmt.Errorf("transcript: refusing to sign: %w", err)
	}
	t := s.now().Unix()
	if t < 0 {
		return nil, fmt.Errorf("transcript: cosignature time %d is before 1970", t)
	}
	sig, err := s.k.sign(ContextCosignature, cosignedMessage(uint64(t), msg))
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint64(nil, uint64(t)), sig...), nil
}

type cosignatureVerifier struct{ k *Key }

func (v cosignatureVerifier) Name() string    { return v.k.name }
func (v cosignatureVerifier) KeyHash() uint32 { return v.k.hashCosign }
func (v cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) < 8 {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > math.MaxInt64 {
		return false
	}
	return v.k.verify(ContextCosignature, cosignedMessage(t, msg), sig[8:])
}

// cosignedMessage is the message a cosignature signs: the C2SP
// tlog-cosignature/v1 header followed by the checkpoint body.
func cosignedMessage(t uint64, body []byte) []byte {
	m := make([]byte, 0, 40+len(body))
	m = append(m, "cosignature/v1\ntime "...)
	m = strconv.AppendUint(m, t, 10)
	m = append(m, '\n')
	return append(m, body...)
}
