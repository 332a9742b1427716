package envelope

import (
	"bytes"
	"crypto/hpke"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// Seeds of the test identities: each identity's three seeds are filled with
// b, b+1 and b+2. The sender and recipient are also those of the known-answer
// vectors in testdata/envelope_v1.json.
const (
	senderSeed    = 0x01
	recipientSeed = 0x11
	otherSeed     = 0x21
)

// testTime is a fixed sender clock, with sub-millisecond digits that Seal
// must drop.
var testTime = time.Date(2026, 3, 14, 15, 9, 26, 535_897_932, time.UTC)

// seedsFor returns three seeds filled with b, b+1 and b+2.
func seedsFor(b byte) (ed, ml, hk [SeedSize]byte) {
	for i := range SeedSize {
		ed[i], ml[i], hk[i] = b, b+1, b+2
	}
	return ed, ml, hk
}

// testIdentity derives the deterministic identity of seedsFor(b).
func testIdentity(tb testing.TB, b byte) *Identity {
	tb.Helper()
	id, err := NewIdentity(seedsFor(b))
	if err != nil {
		tb.Fatalf("NewIdentity(%#02x): %v", b, err)
	}
	return id
}

// testIdentities returns the sender, the recipient and a third party.
func testIdentities(tb testing.TB) (sender, recipient, other *Identity) {
	tb.Helper()
	return testIdentity(tb, senderSeed), testIdentity(tb, recipientSeed), testIdentity(tb, otherSeed)
}

// testBody returns n deterministic pseudo-random bytes.
func testBody(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{'p', 'a', 'r', 'l', 'e', 'y'}).Read(b)
	return b
}

// testParams are the parameters of the envelopes the tests seal. Seq is 2 and
// the kind KindWarning so that flipping their low bit gives another valid
// value (3), which only the signature can catch.
var testParams = SealParams{
	Kind:    KindWarning,
	ID:      ID{0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	Channel: ID{0xc0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	Seq:     2,
	Time:    testTime,
}

// mustSeal seals body with Seal and fails the test on error.
func mustSeal(tb testing.TB, sender *Identity, recipient *PublicIdentity, p SealParams, body []byte) (wire, salt []byte) {
	tb.Helper()
	wire, _, salt, err := Seal(sender, recipient, p, body)
	if err != nil {
		tb.Fatalf("Seal: %v", err)
	}
	return wire, salt
}

// parseOpen parses wire and opens it as recipient, from sender.
func parseOpen(wire []byte, recipient *Identity, sender *PublicIdentity) (salt, body []byte, err error) {
	e, err := Parse(wire)
	if err != nil {
		return nil, nil, err
	}
	return e.Open(recipient, sender)
}

// sentinels are the errors Parse, Open and Verify promise to wrap.
var sentinels = []error{
	ErrMalformed, ErrUnknownVersion, ErrWrongRecipient, ErrUnknownKey,
	ErrBadSignature, ErrDecrypt, ErrCommitmentMismatch,
}

// isSentinel reports whether err wraps one of the exported sentinels.
func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// flipped returns a copy of b with b[i] XOR mask.
func flipped(b []byte, i int, mask byte) []byte {
	c := bytes.Clone(b)
	c[i] ^= mask
	return c
}

// specInfo builds the HPKE info string as docs/protocol.md writes it,
// independently of the package: "parley/v1/envelope" || 0x00 || sender fp ||
// recipient fp.
func specInfo(sender, recipient Fingerprint) []byte {
	info := []byte("parley/v1/envelope\x00")
	info = append(info, sender[:]...)
	return append(info, recipient[:]...)
}

// hpkeSeal encrypts pt to the HPKE key of to with crypto/hpke directly, as
// anyone who knows only public keys can, and returns enc || ct.
func hpkeSeal(tb testing.TB, to *PublicIdentity, info, aad, pt []byte) []byte {
	tb.Helper()
	pk, err := hpke.MLKEM768X25519().NewPublicKey(to.HPKEKey())
	if err != nil {
		tb.Fatalf("NewPublicKey: %v", err)
	}
	enc, s, err := hpke.NewSender(pk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info)
	if err != nil {
		tb.Fatalf("hpke.NewSender: %v", err)
	}
	if len(enc) != encSize {
		tb.Fatalf("len(enc) = %d, want %d", len(enc), encSize)
	}
	ct, err := s.Seal(aad, pt)
	if err != nil {
		tb.Fatalf("hpke Seal: %v", err)
	}
	return append(enc, ct...)
}

// assemble signs header h with signer (unless sig is given) and seals the
// plaintext pt (salt || body) to to, following the documented construction;
// it returns the wire bytes.
func assemble(tb testing.TB, signer *Identity, to *PublicIdentity, h *Header, sig, pt []byte) []byte {
	tb.Helper()
	raw := h.Marshal()
	if sig == nil {
		sig = signer.Sign("parley/v1/envelope-header", raw)
	}
	aad := append(bytes.Clone(raw), sig...)
	return append(aad, hpkeSeal(tb, to, specInfo(h.Sender, h.Recipient), aad, pt)...)
}

func TestSealOpenRoundTrip(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	bodies := []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"100KiB", testBody(100 << 10)},
	}
	for k := KindLetter; k <= KindCosignature; k++ {
		for _, b := range bodies {
			t.Run(k.String()+"/"+b.name, func(t *testing.T) {
				p := testParams
				p.Kind = k
				wire, sealed, salt, err := Seal(sender, recipient.Public(), p, b.body)
				if err != nil {
					t.Fatalf("Seal: %v", err)
				}
				if got, want := len(wire), MinSize+len(b.body); got != want {
					t.Errorf("len(wire) = %d, want %d", got, want)
				}
				if got, want := len(salt), SaltSize; got != want {
					t.Errorf("len(salt) = %d, want %d", got, want)
				}
				if got := sealed.Bytes(); !bytes.Equal(got, wire) {
					t.Errorf("Seal's envelope Bytes() differ from its wire bytes")
				}
				e, err := Parse(wire)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				want := Header{
					Version: Version, Kind: k, ID: p.ID, Channel: p.Channel,
					Sender: sender.Fingerprint(), Recipient: recipient.Fingerprint(), KeyID: recipient.KeyID(),
					Seq: p.Seq, Time: testTime.Truncate(time.Millisecond), Commitment: Commit(salt, b.body),
				}
				checkHeader(t, e.Header, &want)
				if got := e.Header.Marshal(); !bytes.Equal(got, e.HeaderRaw) {
					t.Errorf("Header.Marshal() differs from HeaderRaw")
				}
				if got := e.Bytes(); !bytes.Equal(got, wire) {
					t.Errorf("Bytes() differs from the parsed wire bytes")
				}
				if err := e.Verify(sender.Public()); err != nil {
					t.Errorf("Verify: %v", err)
				}
				gotSalt, gotBody, err := e.Open(recipient, sender.Public())
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if !bytes.Equal(gotSalt, salt) {
					t.Errorf("Open salt = %x, want %x", gotSalt, salt)
				}
				if !bytes.Equal(gotBody, b.body) {
					t.Errorf("Open body: got %d bytes, want %d bytes (equal: false)", len(gotBody), len(b.body))
				}
				if !e.Header.CheckCommitment(gotSalt, gotBody) {
					t.Errorf("CheckCommitment(salt, body) = false, want true")
				}
				if e.Header.CheckCommitment(gotSalt, append(bytes.Clone(gotBody), 0)) {
					t.Errorf("CheckCommitment(salt, body||0) = true, want false")
				}
			})
		}
	}
}

// checkHeader compares two headers field by field.
func checkHeader(t *testing.T, got, want *Header) {
	t.Helper()
	if got.Version != want.Version || got.Kind != want.Kind || got.ID != want.ID || got.Channel != want.Channel ||
		got.Sender != want.Sender || got.Recipient != want.Recipient || got.KeyID != want.KeyID ||
		got.Seq != want.Seq || !got.Time.Equal(want.Time) || got.Commitment != want.Commitment {
		t.Errorf("header:\n got %+v\nwant %+v", *got, *want)
	}
}

func TestSealParams(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	tests := []struct {
		name    string
		mutate  func(*SealParams)
		wantErr bool
	}{
		{"valid", func(*SealParams) {}, false},
		{"zero id is replaced by a random one", func(p *SealParams) { p.ID = ID{} }, false},
		{"kind 0", func(p *SealParams) { p.Kind = 0 }, true},
		{"kind 9", func(p *SealParams) { p.Kind = 9 }, true},
		{"seq 0", func(p *SealParams) { p.Seq = 0 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testParams
			tt.mutate(&p)
			_, e, _, err := Seal(sender, recipient.Public(), p, []byte("x"))
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Seal error = %v, want error: %v", err, tt.wantErr)
			}
			if err == nil && e.Header.ID == (ID{}) {
				t.Errorf("Seal header ID is zero")
			}
		})
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	wire, _ := mustSeal(t, sender, recipient.Public(), testParams, []byte("hello"))
	ones := bytes.Repeat([]byte{0xff}, 32)
	var maxID ID
	var maxFP Fingerprint
	var maxKey KeyID
	copy(maxID[:], ones)
	copy(maxFP[:], ones)
	copy(maxKey[:], ones)
	tests := []struct {
		name string
		h    Header
	}{
		{"minimal", Header{Version: 1, Kind: KindLetter, Seq: 1, Time: time.UnixMilli(0)}},
		{"all ones", Header{
			Version: 1, Kind: KindCosignature, ID: maxID, Channel: maxID, Sender: maxFP, Recipient: maxFP,
			KeyID: maxKey, Seq: 1<<64 - 1, Time: time.UnixMilli(1 << 62), Commitment: maxFP,
		}},
		{"sealed", *mustParse(t, wire).Header},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.h.Marshal()
			if got, want := len(b), HeaderSize; got != want {
				t.Fatalf("len(Marshal()) = %d, want %d", got, want)
			}
			h, err := ParseHeader(b)
			if err != nil {
				t.Fatalf("ParseHeader: %v", err)
			}
			checkHeader(t, h, &tt.h)
			if got := h.Marshal(); !bytes.Equal(got, b) {
				t.Errorf("parse-then-marshal:\n got %x\nwant %x", got, b)
			}
		})
	}
	t.Run("sealed wire bytes", func(t *testing.T) {
		h, err := ParseHeader(wire[:HeaderSize])
		if err != nil {
			t.Fatalf("ParseHeader: %v", err)
		}
		if got, want := h.Marshal(), wire[:HeaderSize]; !bytes.Equal(got, want) {
			t.Errorf("parse-then-marshal:\n got %x\nwant %x", got, want)
		}
	})
}

func mustParse(tb testing.TB, wire []byte) *Envelope {
	tb.Helper()
	e, err := Parse(wire)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return e
}

func TestParseHeaderRejects(t *testing.T) {
	valid := (&Header{Version: 1, Kind: KindLetter, Seq: 1, Time: testTime}).Marshal()
	set := func(i int, v byte) []byte { b := bytes.Clone(valid); b[i] = v; return b }
	setUint64 := func(i int, v uint64) []byte {
		b := bytes.Clone(valid)
		binary.BigEndian.PutUint64(b[i:], v)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"magic only", []byte(Magic), ErrMalformed},
		{"bad magic", set(0, 'p'), ErrMalformed},
		{"receipt magic", append([]byte(ReceiptMagic), valid[4:]...), ErrMalformed},
		{"version 0", set(4, 0), ErrUnknownVersion},
		{"version 2", set(4, 2), ErrUnknownVersion},
		{"version 255", set(4, 255), ErrUnknownVersion},
		{"short", valid[:HeaderSize-1], ErrMalformed},
		{"long", append(bytes.Clone(valid), 0), ErrMalformed},
		{"kind 0", set(5, 0), ErrMalformed},
		{"kind 9", set(5, 9), ErrMalformed},
		{"reserved byte 6", set(6, 1), ErrMalformed},
		{"reserved byte 7", set(7, 0x80), ErrMalformed},
		{"seq 0", setUint64(112, 0), ErrMalformed},
		{"time 2^62+1", setUint64(120, 1<<62+1), ErrMalformed},
		{"time negative", setUint64(120, 1<<64-1), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHeader(tt.b)
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseHeader error = %v, want %v", err, tt.want)
			}
			if h != nil {
				t.Errorf("ParseHeader returned a header with its error")
			}
		})
	}
}

// headerFields is the layout of a version 1 header, with the error Open
// returns when the low bit of any byte of the field is flipped in testParams.
var headerFields = []struct {
	name     string
	off, end int
	want     error
}{
	{"magic", 0, 4, ErrMalformed},
	{"version", 4, 5, ErrUnknownVersion},
	{"kind", 5, 6, ErrBadSignature}, // warning (2) becomes request (3)
	{"flags/reserved", 6, 7, ErrMalformed},
	{"flags/flash", 7, 8, ErrBadSignature}, // bit 0 is the flash lane: valid, but not what was signed
	{"id", 8, 24, ErrBadSignature},
	{"channel", 24, 40, ErrBadSignature},
	{"sender", 40, 72, ErrBadSignature},
	{"recipient", 72, 104, ErrWrongRecipient},
	{"key id", 104, 112, ErrUnknownKey},
	{"seq", 112, 120, ErrBadSignature}, // never 0: seq is 2
	{"time", 120, 128, ErrBadSignature},
	{"commitment", 128, 160, ErrBadSignature},
}

func TestHeaderLayout(t *testing.T) {
	off := 0
	for _, f := range headerFields {
		if f.off != off {
			t.Errorf("field %s starts at %d, want %d", f.name, f.off, off)
		}
		off = f.end
	}
	if off != HeaderSize {
		t.Errorf("fields end at %d, want HeaderSize %d", off, HeaderSize)
	}
}

// TestByteFlips flips every byte of the header and signature, and of the
// ciphertext of a small body, and checks that the envelope never opens and
// that the error is the one the first failing check returns.
func TestByteFlips(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	wire, _ := mustSeal(t, sender, recipient.Public(), testParams, []byte("small body"))
	ctStart := HeaderSize + SignatureSize
	type region struct {
		name     string
		off, end int
		masks    []byte
		want     error
	}
	var regions []region
	for _, f := range headerFields {
		regions = append(regions, region{"header/" + f.name, f.off, f.end, []byte{0x01}, f.want})
	}
	// The second mask, 0x80, goes where a high bit is special: the Ed25519
	// half (S's top bits must be clear) and the X25519 share that ends the
	// encapsulated key (X25519 itself ignores the top bit of a u-coordinate;
	// the hybrid KEM must not).
	x25519 := ctStart + encSize - 32
	regions = append(regions,
		region{"signature/ed25519", HeaderSize, HeaderSize + 64, []byte{0x01, 0x80}, ErrBadSignature},
		region{"signature/ml-dsa-65", HeaderSize + 64, ctStart, []byte{0x01}, ErrBadSignature},
		region{"ciphertext/ml-kem-768", ctStart, x25519, []byte{0x01}, ErrDecrypt},
		region{"ciphertext/x25519", x25519, ctStart + encSize, []byte{0x01, 0x80}, ErrDecrypt},
		region{"ciphertext/aead", ctStart + encSize, len(wire), []byte{0x01}, ErrDecrypt},
	)
	for _, r := range regions {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			failures := 0
			for i := r.off; i < r.end; i++ {
				for _, m := range r.masks {
					_, _, err := parseOpen(flipped(wire, i, m), recipient, sender.Public())
					switch {
					case err == nil:
						t.Errorf("byte %d ^ %#02x: envelope opened", i, m)
					case !errors.Is(err, r.want):
						t.Errorf("byte %d ^ %#02x: error = %v, want %v", i, m, err, r.want)
					default:
						continue
					}
					if failures++; failures == 10 {
						t.Fatalf("too many failures")
					}
				}
			}
		})
	}
}

func TestTruncation(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	wire, _ := mustSeal(t, sender, recipient.Public(), testParams, []byte("small body"))
	for n := range len(wire) {
		b := bytes.Clone(wire[:n]) // exact capacity, so that over-reads panic
		_, _, err := parseOpen(b, recipient, sender.Public())
		// Below MinSize Parse rejects the bytes; from MinSize on they split
		// into a shorter ciphertext, which the AEAD rejects.
		want := ErrMalformed
		if n >= MinSize {
			want = ErrDecrypt
		}
		if !errors.Is(err, want) {
			t.Errorf("truncated to %d of %d bytes: error = %v, want %v", n, len(wire), err, want)
		}
	}
}

func TestTrailingGarbage(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	wire, _ := mustSeal(t, sender, recipient.Public(), testParams, []byte("small body"))
	tests := []struct {
		name  string
		extra []byte
	}{
		{"zero byte", []byte{0}},
		{"tag-sized", testBody(16)},
		{"a second envelope", wire},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := append(bytes.Clone(wire), tt.extra...)
			// The ciphertext runs to the end of the input, so Parse accepts
			// the bytes and the AEAD rejects them.
			_, _, err := parseOpen(b, recipient, sender.Public())
			if !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open error = %v, want %v", err, ErrDecrypt)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	sender, recipient, other := testIdentities(t)
	wire, salt := mustSeal(t, sender, recipient.Public(), testParams, []byte("hello"))

	// An envelope the sender really signed, addressed to the recipient's
	// fingerprint but naming another encryption key (say, a rotated one).
	h := *mustParse(t, wire).Header
	h.KeyID = other.KeyID()
	staleKey := assemble(t, sender, recipient.Public(), &h, nil, append(bytes.Clone(salt), "hello"...))

	version := func(v byte) []byte { return flipped(wire, 4, wire[4]^v) }
	tests := []struct {
		name      string
		wire      []byte
		recipient *Identity
		sender    *PublicIdentity
		want      error
	}{
		{"valid", wire, recipient, sender.Public(), nil},
		{"wrong recipient identity", wire, other, sender.Public(), ErrWrongRecipient},
		{"sender opens own envelope", wire, sender, sender.Public(), ErrWrongRecipient},
		{"wrong sender identity", wire, recipient, other.Public(), ErrBadSignature},
		{"recipient as sender", wire, recipient, recipient.Public(), ErrBadSignature},
		{"unknown key id", staleKey, recipient, sender.Public(), ErrUnknownKey},
		{"version 0", version(0), recipient, sender.Public(), ErrUnknownVersion},
		{"version 2", version(2), recipient, sender.Public(), ErrUnknownVersion},
		{"version 255", version(255), recipient, sender.Public(), ErrUnknownVersion},
		{"version 2, header only", version(2)[:HeaderSize], recipient, sender.Public(), ErrUnknownVersion},
		{"version 2, magic and version only", version(2)[:5], recipient, sender.Public(), ErrUnknownVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseOpen(tt.wire, tt.recipient, tt.sender)
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestSwappedCiphertext replaces the ciphertext of a genuine envelope with one
// an attacker builds from public information only: the same recipient key,
// info and associated data, but a plaintext of the attacker's choosing. HPKE
// base mode does not authenticate the sender, so only the commitment in the
// signed header stands between the attacker and a forged body.
func TestSwappedCiphertext(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	body := []byte("the genuine message")
	wire, salt := mustSeal(t, sender, recipient.Public(), testParams, body)
	e := mustParse(t, wire)
	info := specInfo(sender.Fingerprint(), recipient.Fingerprint())
	aad := append(bytes.Clone(e.HeaderRaw), e.Signature...)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	tests := []struct {
		name    string
		info    []byte
		aad     []byte
		pt      []byte
		want    error
		wantOut []byte // the body, when want is nil
	}{
		// The control shows the attacker's construction is the documented
		// one: re-encrypting the true salt and body opens.
		{"control: true salt and body", info, aad, cat(salt, body), nil, body},
		{"other body", info, aad, cat(salt, []byte("the attacker's message")), ErrCommitmentMismatch, nil},
		{"other salt", info, aad, cat(testBody(SaltSize), body), ErrCommitmentMismatch, nil},
		{"empty body", info, aad, cat(salt), ErrCommitmentMismatch, nil},
		{"body one byte longer", info, aad, cat(salt, body, []byte{0}), ErrCommitmentMismatch, nil},
		{"plaintext shorter than a salt", info, aad, salt[:SaltSize-1], ErrDecrypt, nil},
		{"info with fingerprints swapped", specInfo(recipient.Fingerprint(), sender.Fingerprint()), aad, cat(salt, body), ErrDecrypt, nil},
		{"info without separator", bytes.Replace(info, []byte{0}, nil, 1), aad, cat(salt, body), ErrDecrypt, nil},
		{"aad header only", info, e.HeaderRaw, cat(salt, body), ErrDecrypt, nil},
		{"empty aad", info, nil, cat(salt, body), ErrDecrypt, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := hpkeSeal(t, recipient.Public(), tt.info, tt.aad, tt.pt)
			forged := cat(e.HeaderRaw, e.Signature, ct)
			_, got, err := parseOpen(forged, recipient, sender.Public())
			if len(forged) < MinSize {
				// Parse rejects a ciphertext too short to hold a salt;
				// Open must too when handed one directly.
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("Parse error = %v, want %v", err, ErrMalformed)
				}
				direct := &Envelope{Header: e.Header, HeaderRaw: e.HeaderRaw, Signature: e.Signature, Ciphertext: ct}
				_, got, err = direct.Open(recipient, sender.Public())
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
			if !bytes.Equal(got, tt.wantOut) {
				t.Errorf("Open body = %q, want %q", got, tt.wantOut)
			}
		})
	}
}

// TestReaddressing plays a recipient who tries to pass a signed envelope on
// to a third identity as if the sender had addressed it there.
func TestReaddressing(t *testing.T) {
	sender, recipient, third := testIdentities(t)
	body := []byte("for the recipient only")
	wire, _ := mustSeal(t, sender, recipient.Public(), testParams, body)
	e := mustParse(t, wire)
	salt, got, err := e.Open(recipient, sender.Public())
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("Open = %q, %v; want %q, nil", got, err, body)
	}
	pt := append(bytes.Clone(salt), body...)

	readdressed := *e.Header
	readdressed.Recipient = third.Fingerprint()
	readdressed.KeyID = third.KeyID()

	tests := []struct {
		name string
		h    *Header
		want error
	}{
		// The header names the third identity; the sender's signature no
		// longer verifies.
		{"recipient field changed", &readdressed, ErrBadSignature},
		// The header is left intact; the third identity sees it is not
		// the recipient.
		{"header unchanged", e.Header, ErrWrongRecipient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forged := assemble(t, nil, third.Public(), tt.h, e.Signature, pt)
			f := mustParse(t, forged)
			_, _, err := f.Open(third, sender.Public())
			if !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("verify", func(t *testing.T) {
		raw := readdressed.Marshal()
		err := sender.Public().Verify("parley/v1/envelope-header", raw, e.Signature)
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify(readdressed header) = %v, want %v", err, ErrBadSignature)
		}
	})
}

func TestKind(t *testing.T) {
	tests := []struct {
		k     Kind
		name  string
		valid bool
	}{
		{0, "kind(0)", false},
		{KindLetter, "letter", true},
		{KindWarning, "warning", true},
		{KindRequest, "request", true},
		{KindResponse, "response", true},
		{KindReceipt, "receipt", true},
		{KindHeartbeat, "heartbeat", true},
		{KindCheckpoint, "checkpoint", true},
		{KindCosignature, "cosignature", true},
		{9, "kind(9)", false},
		{255, "kind(255)", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(uint8(tt.k)), func(t *testing.T) {
			if got := tt.k.String(); got != tt.name {
				t.Errorf("String() = %q, want %q", got, tt.name)
			}
			if got := tt.k.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
		})
	}
}

func TestID(t *testing.T) {
	a, b := NewID(), NewID()
	if a == b || a == (ID{}) {
		t.Errorf("NewID() returned %v and %v, want two distinct non-zero ids", a, b)
	}
	t.Run("round trip", func(t *testing.T) {
		s := a.String()
		if len(s) != 32 {
			t.Errorf("len(String()) = %d, want 32", len(s))
		}
		got, err := ParseID(s)
		if err != nil || got != a {
			t.Errorf("ParseID(%q) = %v, %v; want %v, nil", s, got, err, a)
		}
	})
	for _, s := range []string{"", "00", a.String()[:31], a.String() + "0", a.String() + "00", "zz" + a.String()[2:], " " + a.String()[1:]} {
		t.Run(fmt.Sprintf("reject %q", s), func(t *testing.T) {
			if _, err := ParseID(s); err == nil {
				t.Errorf("ParseID(%q) succeeded, want error", s)
			}
		})
	}
}

func TestCommit(t *testing.T) {
	salt := testBody(SaltSize)
	// The salt is fixed-size, so the boundary between salt and body is fixed.
	tests := []struct {
		name           string
		salt, body     []byte
		salt2, body2   []byte
		wantSameCommit bool
	}{
		{"same input", salt, []byte("x"), salt, []byte("x"), true},
		{"other body", salt, []byte("x"), salt, []byte("y"), false},
		{"other salt", salt, []byte("x"), testBody(SaltSize + 1)[1:], []byte("x"), false},
		{"empty body vs zero byte", salt, nil, salt, []byte{0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Commit(tt.salt, tt.body), Commit(tt.salt2, tt.body2)
			if got := a == b; got != tt.wantSameCommit {
				t.Errorf("Commit equal = %v, want %v", got, tt.wantSameCommit)
			}
			h := &Header{Commitment: a}
			if !h.CheckCommitment(tt.salt, tt.body) {
				t.Errorf("CheckCommitment(salt, body) = false, want true")
			}
			if got := h.CheckCommitment(tt.salt2, tt.body2); got != tt.wantSameCommit {
				t.Errorf("CheckCommitment(salt2, body2) = %v, want %v", got, tt.wantSameCommit)
			}
		})
	}
}
