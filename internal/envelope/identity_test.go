package envelope

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

func TestNewIdentityDeterministic(t *testing.T) {
	a, b := testIdentity(t, senderSeed), testIdentity(t, senderSeed)
	if a.Fingerprint() != b.Fingerprint() {
		t.Errorf("same seeds gave fingerprints %v and %v", a.Fingerprint(), b.Fingerprint())
	}
	ed, ml, hk := a.Seeds()
	wantEd, wantML, wantHK := seedsFor(senderSeed)
	if ed != wantEd || ml != wantML || hk != wantHK {
		t.Errorf("Seeds() do not return the seeds the identity was made from")
	}
	if got := a.Public(); got != a.PublicIdentity {
		t.Errorf("Public() is not the embedded public identity")
	}
	g, err := GenerateIdentity()
	if err != nil {
		t.Fatalf("GenerateIdentity: %v", err)
	}
	if g.Fingerprint() == a.Fingerprint() {
		t.Errorf("GenerateIdentity returned the fixed test identity")
	}
}

func TestNewPublicIdentity(t *testing.T) {
	id := testIdentity(t, senderSeed)
	sk, hk := id.SigningKey(), id.HPKEKey()
	if got, want := len(sk), SigningKeySize; got != want {
		t.Errorf("len(SigningKey()) = %d, want %d", got, want)
	}
	if got, want := len(hk), HPKEPublicKeySize; got != want {
		t.Errorf("len(HPKEKey()) = %d, want %d", got, want)
	}
	t.Run("round trip", func(t *testing.T) {
		p, err := NewPublicIdentity(sk, hk)
		if err != nil {
			t.Fatalf("NewPublicIdentity: %v", err)
		}
		if got, want := p.Fingerprint(), id.Fingerprint(); got != want {
			t.Errorf("Fingerprint() = %v, want %v", got, want)
		}
		if got, want := p.KeyID(), id.KeyID(); got != want {
			t.Errorf("KeyID() = %v, want %v", got, want)
		}
		msg := []byte("m")
		if err := p.Verify("ctx", msg, id.Sign("ctx", msg)); err != nil {
			t.Errorf("Verify with the decoded key: %v", err)
		}
	})
	t.Run("accessors return copies", func(t *testing.T) {
		id.SigningKey()[0] ^= 1
		id.HPKEKey()[0] ^= 1
		if !bytes.Equal(id.SigningKey(), sk) || !bytes.Equal(id.HPKEKey(), hk) {
			t.Errorf("modifying a returned key changed the identity")
		}
	})
	tests := []struct {
		name   string
		sk, hk []byte
	}{
		{"empty", nil, nil},
		{"short signing key", sk[:SigningKeySize-1], hk},
		{"long signing key", append(bytes.Clone(sk), 0), hk},
		{"short hpke key", sk, hk[:HPKEPublicKeySize-1]},
		{"long hpke key", sk, append(bytes.Clone(hk), 0)},
		{"keys swapped", hk, sk},
	}
	for _, tt := range tests {
		t.Run("reject "+tt.name, func(t *testing.T) {
			p, err := NewPublicIdentity(tt.sk, tt.hk)
			if err == nil || p != nil {
				t.Errorf("NewPublicIdentity = %v, %v; want nil, error", p, err)
			}
		})
	}
}

// TestFingerprintConstruction recomputes the fingerprint and key id as the
// documentation states them.
func TestFingerprintConstruction(t *testing.T) {
	id := testIdentity(t, recipientSeed)
	lp := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	fp := sha256.Sum256(bytes.Join([][]byte{[]byte("parley fingerprint v1\n"), lp(id.SigningKey()), lp(id.HPKEKey())}, nil))
	if got, want := id.Fingerprint(), Fingerprint(fp); got != want {
		t.Errorf("Fingerprint() = %v, want %v", got, want)
	}
	kid := sha256.Sum256(append([]byte("parley hpke key id\n"), id.HPKEKey()...))
	if got, want := id.KeyID(), KeyID(kid[:KeyIDSize]); got != want {
		t.Errorf("KeyID() = %v, want %v", got, want)
	}
	if got, want := ComputeKeyID(id.HPKEKey()), id.KeyID(); got != want {
		t.Errorf("ComputeKeyID(HPKEKey()) = %v, want %v", got, want)
	}
}

func TestFingerprintString(t *testing.T) {
	a, b := testIdentity(t, senderSeed), testIdentity(t, recipientSeed)
	for _, id := range []*Identity{a, b} {
		f := id.Fingerprint()
		s := f.String()
		t.Run(f.Short(), func(t *testing.T) {
			if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(s) {
				t.Errorf("String() = %q, want 64 lowercase hex digits", s)
			}
			if got, want := f.Short(), s[:16]; got != want {
				t.Errorf("Short() = %q, want %q", got, want)
			}
			got, err := ParseFingerprint(s)
			if err != nil || got != f {
				t.Errorf("ParseFingerprint(String()) = %v, %v; want %v, nil", got, err, f)
			}
			if k := id.KeyID().String(); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(k) {
				t.Errorf("KeyID().String() = %q, want 16 lowercase hex digits", k)
			}
		})
	}
	if a.Fingerprint() == b.Fingerprint() || a.KeyID() == b.KeyID() {
		t.Errorf("two identities share a fingerprint or key id")
	}
	s := a.Fingerprint().String()
	for _, bad := range []string{"", s[:63], s[:62], s + "0", s + "00", "g" + s[1:], " " + s[1:], s[:32]} {
		t.Run(fmt.Sprintf("reject %q", bad), func(t *testing.T) {
			if _, err := ParseFingerprint(bad); err == nil {
				t.Errorf("ParseFingerprint(%q) succeeded, want error", bad)
			}
		})
	}
}

func TestSafetyNumber(t *testing.T) {
	a, b, c := testIdentities(t)
	fa, fb, fc := a.Fingerprint(), b.Fingerprint(), c.Fingerprint()
	near := fb
	near[FingerprintSize-1] ^= 1
	format := regexp.MustCompile(`^[0-9]{5}( [0-9]{5}){11}$`)
	tests := []struct {
		name string
		x, y Fingerprint
	}{
		{"sender-recipient", fa, fb},
		{"recipient-other", fb, fc},
		{"sender-other", fa, fc},
		{"self", fa, fa},
		{"one bit from recipient", fa, near},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SafetyNumber(tt.x, tt.y)
			if !format.MatchString(got) {
				t.Errorf("SafetyNumber = %q, want 12 groups of 5 digits", got)
			}
			if rev := SafetyNumber(tt.y, tt.x); rev != got {
				t.Errorf("SafetyNumber(y, x) = %q, want SafetyNumber(x, y) = %q", rev, got)
			}
			if prev, ok := seen[got]; ok {
				t.Errorf("pairs %s and %s share safety number %q", prev, tt.name, got)
			}
			seen[got] = tt.name
		})
	}
}

// TestHybridSignature checks that a signature verifies only if both halves
// verify, whatever is done to either half.
func TestHybridSignature(t *testing.T) {
	id, other := testIdentity(t, senderSeed), testIdentity(t, otherSeed)
	const ctx = "parley/test"
	msg := []byte("message")
	sig := id.Sign(ctx, msg)
	if got, want := len(sig), SignatureSize; got != want {
		t.Fatalf("len(Sign()) = %d, want %d", got, want)
	}
	const edSize = ed25519.SignatureSize
	cat := func(ed, ml []byte) []byte { return append(bytes.Clone(ed), ml...) }
	sigOther := id.Sign(ctx, []byte("other message"))
	sigAgain := id.Sign(ctx, msg) // ML-DSA-65 is hedged: a different signature
	sigByOther := other.Sign(ctx, msg)

	t.Run("halves are the documented schemes", func(t *testing.T) {
		m := append([]byte(ctx+"\x00"), msg...)
		if !ed25519.Verify(ed25519.PublicKey(id.SigningKey()[:ed25519.PublicKeySize]), m, sig[:edSize]) {
			t.Errorf("Ed25519 half does not verify over ctx || 0x00 || msg")
		}
		var pk mldsa65.PublicKey
		if err := pk.UnmarshalBinary(id.SigningKey()[ed25519.PublicKeySize:]); err != nil {
			t.Fatalf("ML-DSA-65 public key: %v", err)
		}
		if !mldsa65.Verify(&pk, m, []byte(ctx), sig[edSize:]) {
			t.Errorf("ML-DSA-65 half does not verify over ctx || 0x00 || msg with context ctx")
		}
		if bytes.Equal(sig[edSize:], sigAgain[edSize:]) {
			t.Errorf("two ML-DSA-65 signatures of one message are equal; want hedged signing")
		}
		if !bytes.Equal(sig[:edSize], sigAgain[:edSize]) {
			t.Errorf("two Ed25519 signatures of one message differ")
		}
	})

	tests := []struct {
		name string
		sig  []byte
		ok   bool
	}{
		{"valid", sig, true},
		{"halves of two valid signatures", cat(sig[:edSize], sigAgain[edSize:]), true},
		{"ed25519 corrupted, ml-dsa valid", flipped(sig, 3, 0x01), false},
		{"ed25519 last byte corrupted, ml-dsa valid", flipped(sig, edSize-1, 0x80), false},
		{"ml-dsa corrupted, ed25519 valid", flipped(sig, edSize+3, 0x01), false},
		{"ml-dsa hint corrupted, ed25519 valid", flipped(sig, SignatureSize-1, 0x01), false},
		{"ed25519 zeroed, ml-dsa valid", cat(make([]byte, edSize), sig[edSize:]), false},
		{"ml-dsa zeroed, ed25519 valid", cat(sig[:edSize], make([]byte, mldsa65.SignatureSize)), false},
		{"ed25519 of another message, ml-dsa valid", cat(sigOther[:edSize], sig[edSize:]), false},
		{"ml-dsa of another message, ed25519 valid", cat(sig[:edSize], sigOther[edSize:]), false},
		{"ed25519 of another identity, ml-dsa valid", cat(sigByOther[:edSize], sig[edSize:]), false},
		{"ml-dsa of another identity, ed25519 valid", cat(sig[:edSize], sigByOther[edSize:]), false},
		{"ed25519 half only", sig[:edSize], false},
		{"ml-dsa half only", sig[edSize:], false},
		{"truncated", sig[:SignatureSize-1], false},
		{"extended", append(bytes.Clone(sig), 0), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := id.Public().Verify(ctx, msg, tt.sig)
			if tt.ok && err != nil {
				t.Errorf("Verify = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify = %v, want %v", err, ErrBadSignature)
			}
		})
	}
	t.Run("other identity's key", func(t *testing.T) {
		if err := other.Public().Verify(ctx, msg, sig); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify = %v, want %v", err, ErrBadSignature)
		}
	})
}

func TestSignatureContext(t *testing.T) {
	id := testIdentity(t, senderSeed)
	tests := []struct {
		name               string
		signCtx, verifyCtx string
		signMsg, verifyMsg string
		ok                 bool
	}{
		{"same context", "parley/a", "parley/a", "m", "m", true},
		{"empty context", "", "", "m", "m", true},
		{"other context", "parley/a", "parley/b", "m", "m", false},
		{"envelope header vs receipt", "parley/v1/envelope-header", "parley/v1/receipt", "m", "m", false},
		{"context prefix", "parley/a", "parley/ab", "m", "m", false},
		{"empty vs non-empty", "", "x", "m", "m", false},
		// Without the 0x00 separator, ("a", "bc") and ("ab", "c") would
		// sign the same bytes.
		{"boundary moved into the context", "a", "ab", "bc", "c", false},
		{"boundary moved into the message", "ab", "a", "c", "bc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := id.Sign(tt.signCtx, []byte(tt.signMsg))
			err := id.Public().Verify(tt.verifyCtx, []byte(tt.verifyMsg), sig)
			if tt.ok && err != nil {
				t.Errorf("Verify = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify = %v, want %v", err, ErrBadSignature)
			}
		})
	}
}

func TestSignatureContextInvalid(t *testing.T) {
	id := testIdentity(t, senderSeed)
	sig := id.Sign("ok", nil)
	for _, ctx := range []string{"a\x00b", "\x00", strings.Repeat("x", 256)} {
		t.Run(fmt.Sprintf("%.10q", ctx), func(t *testing.T) {
			mustPanic(t, "Sign", func() { id.Sign(ctx, nil) })
			mustPanic(t, "Verify", func() { _ = id.Public().Verify(ctx, nil, sig) })
		})
	}
	t.Run("255 bytes is the limit", func(t *testing.T) {
		ctx := strings.Repeat("x", 255)
		if err := id.Public().Verify(ctx, nil, id.Sign(ctx, nil)); err != nil {
			t.Errorf("Verify with a 255-byte context = %v, want nil", err)
		}
	})
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", name)
		}
	}()
	f()
}
