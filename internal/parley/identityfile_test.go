package parley_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

func TestIdentityFile(t *testing.T) {
	id := parleytest.Identity(t, "north")
	file := parley.ExportIdentity(id, "north", "http://127.0.0.1:7420")
	f, pub, err := parley.ParseIdentityFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "north" || f.URL != "http://127.0.0.1:7420" || pub.Fingerprint() != id.Fingerprint() {
		t.Errorf("parsed %+v, fingerprint %s; want north, its URL and %s", f, pub.Fingerprint(), id.Fingerprint())
	}
	tamper := []struct{ name, from, to string }{
		{"renamed", `"name": "north"`, `"name": "south"`},
		{"readdressed", `127.0.0.1:7420`, `127.0.0.1:7421`},
		{"unknown field", `"format"`, `"extra": 1, "format"`},
		{"other format", `parley-identity-v1`, `parley-identity-v2`},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Replace(file, []byte(tc.from), []byte(tc.to), 1)
			if bytes.Equal(b, file) {
				t.Fatalf("tamper %q did not change the file", tc.from)
			}
			if _, _, err := parley.ParseIdentityFile(b); err == nil {
				t.Errorf("ParseIdentityFile accepted a file %s", tc.name)
			}
		})
	}
	if _, _, err := parley.ParseIdentityFile(append(bytes.Clone(file), []byte("{}")...)); err == nil {
		t.Error("ParseIdentityFile accepted trailing data")
	}
	if _, _, err := parley.ParseIdentityFile(bytes.Repeat([]byte(" "), parley.MaxIdentityFileSize+1)); err == nil {
		t.Error("ParseIdentityFile accepted an oversized file")
	}
	// The other party's keys swapped in, with a fingerprint that matches them:
	// the self-signature no longer verifies.
	other := parleytest.Identity(t, "mallory")
	swapped := string(file)
	swapped = strings.Replace(swapped, id.Fingerprint().String(), other.Fingerprint().String(), 1)
	swapped = strings.Replace(swapped, id.KeyID().String(), other.KeyID().String(), 1)
	for _, pair := range [][2]string{{b64(id.SigningKey()), b64(other.SigningKey())}, {b64(id.HPKEKey()), b64(other.HPKEKey())}} {
		swapped = strings.Replace(swapped, pair[0], pair[1], 1)
	}
	if _, _, err := parley.ParseIdentityFile([]byte(swapped)); err == nil || !strings.Contains(err.Error(), "self-signature") {
		t.Errorf("ParseIdentityFile with swapped keys = %v, want a self-signature error", err)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "identity.key")
	id, err := envelope.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if err := parley.WriteKeyFile(path, id); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	if err := parley.WriteKeyFile(path, id); err == nil {
		t.Error("WriteKeyFile overwrote an existing key file")
	}
	got, err := parley.ReadKeyFile(path)
	if err != nil || got.Fingerprint() != id.Fingerprint() {
		t.Fatalf("ReadKeyFile = %v, %v; want the same identity", got, err)
	}
	os.Chmod(path, 0o644)
	if _, err := parley.ReadKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("ReadKeyFile on a 0644 file = %v, want a refusal with a chmod hint", err)
	}
}

func TestChannelIDIsSymmetric(t *testing.T) {
	a, b := parleytest.Identity(t, "north").Fingerprint(), parleytest.Identity(t, "south").Fingerprint()
	if parley.ChannelID(a, b) != parley.ChannelID(b, a) {
		t.Error("ChannelID(a, b) != ChannelID(b, a)")
	}
	if parley.ChannelID(a, b) == parley.ChannelID(a, parleytest.Identity(t, "east").Fingerprint()) {
		t.Error("two different pairs share a channel id")
	}
}

func FuzzParseIdentityFile(f *testing.F) {
	id, _ := envelope.NewIdentity([32]byte{1}, [32]byte{2}, [32]byte{3})
	f.Add(parley.ExportIdentity(id, "north", "http://127.0.0.1:7420"))
	f.Add([]byte(`{"format":"parley-identity-v1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, pub, err := parley.ParseIdentityFile(b)
		if err != nil {
			return
		}
		// Property: whatever is accepted is self-consistent and re-exportable.
		if pub.Fingerprint().String() != file.Fingerprint {
			t.Fatalf("accepted a file whose fingerprint does not match its keys")
		}
	})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
