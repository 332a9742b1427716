package parley

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/parley-dev/parley/internal/envelope"
)

// MaxIdentityFileSize bounds an identity file read from an untrusted source.
const MaxIdentityFileSize = 64 << 10

// IdentityFile is the public identity a node exports for its peers: name,
// URL, public keys and fingerprint, self-signed so that the name and URL
// cannot be swapped without the signing key.
type IdentityFile struct {
	Format      string `json:"format"` // "parley-identity-v1"
	Name        string `json:"name"`
	URL         string `json:"url"`
	SigningKey  string `json:"signing_key"` // base64: Ed25519 || ML-DSA-65 public keys
	HPKEKey     string `json:"hpke_key"`    // base64: MLKEM768-X25519 public key
	KeyID       string `json:"hpke_key_id"`
	Fingerprint string `json:"fingerprint"`
	Signature   string `json:"signature"` // base64 hybrid signature over the fields above
}

const identityFormat = "parley-identity-v1"
const ctxIdentityFile = "parley/v1/identity-file"

func (f *IdentityFile) signedBytes() []byte {
	var b bytes.Buffer
	for _, s := range []string{f.Format, f.Name, f.URL, f.SigningKey, f.HPKEKey, f.KeyID, f.Fingerprint} {
		fmt.Fprintf(&b, "%d:%s\n", len(s), s)
	}
	return b.Bytes()
}

// ExportIdentity returns the signed public identity file of id.
func ExportIdentity(id *envelope.Identity, name, publicURL string) []byte {
	f := IdentityFile{
		Format: identityFormat, Name: name, URL: publicURL,
		SigningKey:  base64.StdEncoding.EncodeToString(id.SigningKey()),
		HPKEKey:     base64.StdEncoding.EncodeToString(id.HPKEKey()),
		KeyID:       id.KeyID().String(),
		Fingerprint: id.Fingerprint().String(),
	}
	f.Signature = base64.StdEncoding.EncodeToString(id.Sign(ctxIdentityFile, f.signedBytes()))
	b, _ := json.MarshalIndent(f, "", "  ")
	return append(b, '\n')
}

// ParseIdentityFile strictly decodes and verifies an identity file: known
// fields only, keys that decode, a fingerprint and key id that match the
// keys, and a valid self-signature.
func ParseIdentityFile(b []byte) (*IdentityFile, *envelope.PublicIdentity, error) {
	if len(b) > MaxIdentityFileSize {
		return nil, nil, fmt.Errorf("identity file is %d bytes; the limit is %d", len(b), MaxIdentityFileSize)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var f IdentityFile
	if err := d.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("identity file: %w", err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, errors.New("identity file: trailing data after the JSON object")
	}
	if f.Format != identityFormat {
		return nil, nil, fmt.Errorf("identity file: format %q, want %q", f.Format, identityFormat)
	}
	if err := ValidName(f.Name); err != nil {
		return nil, nil, fmt.Errorf("identity file: %w", err)
	}
	if err := ValidURL(f.URL); err != nil {
		return nil, nil, fmt.Errorf("identity file: %w", err)
	}
	sk, err1 := base64.StdEncoding.DecodeString(f.SigningKey)
	hk, err2 := base64.StdEncoding.DecodeString(f.HPKEKey)
	sig, err3 := base64.StdEncoding.DecodeString(f.Signature)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, nil, fmt.Errorf("identity file: bad base64: %w", err)
	}
	pub, err := envelope.NewPublicIdentity(sk, hk)
	if err != nil {
		return nil, nil, fmt.Errorf("identity file: %w", err)
	}
	if pub.Fingerprint().String() != f.Fingerprint || pub.KeyID().String() != f.KeyID {
		return nil, nil, errors.New("identity file: fingerprint or key id does not match the keys")
	}
	if err := pub.Verify(ctxIdentityFile, f.signedBytes(), sig); err != nil {
		return nil, nil, errors.New("identity file: self-signature does not verify; the file was altered")
	}
	return &f, pub, nil
}

// ValidName checks a node or peer name: 1–64 characters of letters, digits,
// '-', '_' and '.'.
func ValidName(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("name %q must be 1 to 64 characters", s)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("name %q may contain only letters, digits, '-', '_' and '.'", s)
		}
	}
	return nil
}

// ValidURL checks a node's public URL: absolute http or https, no query.
func ValidURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("URL %q must be an absolute http:// or https:// URL without query", s)
	}
	return nil
}

// keyFile is the private key file format, stored with mode 0600.
type keyFile struct {
	Format   string `json:"format"` // "parley-private-key-v1"
	Ed25519  string `json:"ed25519_seed"`
	MLDSA65  string `json:"mldsa65_seed"`
	HPKESeed string `json:"mlkem768x25519_seed"`
}

const keyFormat = "parley-private-key-v1"

// WriteKeyFile writes id's private seeds to path with mode 0600. It refuses
// to overwrite an existing file.
func WriteKeyFile(path string, id *envelope.Identity) error {
	ed, ml, hk := id.Seeds()
	b, _ := json.MarshalIndent(keyFile{
		Format:   keyFormat,
		Ed25519:  base64.StdEncoding.EncodeToString(ed[:]),
		MLDSA65:  base64.StdEncoding.EncodeToString(ml[:]),
		HPKESeed: base64.StdEncoding.EncodeToString(hk[:]),
	}, "", "  ")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadKeyFile loads an identity. It refuses a key file readable by others.
func ReadKeyFile(path string) (*envelope.Identity, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %v; it must not be readable by others (hint: chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k keyFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&k); err != nil || k.Format != keyFormat {
		return nil, fmt.Errorf("key file %s is not a %s file", path, keyFormat)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("key file %s has trailing data after the JSON object", path)
	}
	var seeds [3][envelope.SeedSize]byte
	for i, s := range []string{k.Ed25519, k.MLDSA65, k.HPKESeed} {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil || len(raw) != envelope.SeedSize {
			return nil, fmt.Errorf("key file %s: seed %d is not %d bytes of base64", path, i+1, envelope.SeedSize)
		}
		copy(seeds[i][:], raw)
	}
	return envelope.NewIdentity(seeds[0], seeds[1], seeds[2])
}
