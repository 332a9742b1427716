package transcript

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"testing"
	"time"
)

// testSeed derives a fixed Ed25519 seed for a test key name.
func testSeed(name string) []byte {
	s := sha256.Sum256([]byte("parley transcript test key " + name))
	return s[:]
}

// ed25519Key returns a Key over Ed25519ctx (RFC 8032), which binds the
// context string, standing in for Parley's hybrid scheme.
func ed25519Key(tb testing.TB, name string) *Key {
	tb.Helper()
	priv := ed25519.NewKeyFromSeed(testSeed(name))
	pub := priv.Public().(ed25519.PublicKey)
	k, err := NewKey(name, pub,
		func(context string, msg []byte) ([]byte, error) {
			return priv.Sign(nil, msg, &ed25519.Options{Context: context})
		},
		func(context string, msg, sig []byte) bool {
			return ed25519.VerifyWithOptions(pub, msg, sig, &ed25519.Options{Context: context}) == nil
		})
	if err != nil {
		tb.Fatalf("NewKey(%q): %v", name, err)
	}
	return k
}

// verifyOnly returns k without its sign function.
func verifyOnly(tb testing.TB, k *Key) *Key {
	tb.Helper()
	v, err := NewKey(k.name, k.publicKey, nil, k.verify)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// entry returns the test entry SHA-256("entry <i>").
func entry(i int) [32]byte {
	return sha256.Sum256([]byte("entry " + strconv.Itoa(i)))
}

// memLog returns a MemoryLog of entries 0..n-1.
func memLog(tb testing.TB, n int) *MemoryLog {
	tb.Helper()
	m := new(MemoryLog)
	for i := range n {
		if err := m.Append(entry(i)); err != nil {
			tb.Fatal(err)
		}
	}
	return m
}

var testTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func base64Lenient(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
