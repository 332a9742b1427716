package envelope

// Known-answer vectors for the version 1 wire format live in
// testdata/envelope_v1.json. Every run recomputes the deterministic parts
// from the seeds and compares them with the file. The envelope and the receipt
// carry hedged ML-DSA-65 signatures, HPKE randomness and a random salt, so
// they were generated once; every run parses, verifies and opens them.
//
// Regenerate the file only when the format changes on purpose:
//
//	go test ./internal/envelope -run TestVectors -update
//
// This also rewrites the seed corpora under testdata/fuzz/ from the new
// vectors.
//
// All byte strings are lowercase hex; times are Unix milliseconds. Fields:
//
//	comment                        a reminder of where the file comes from
//	sender, recipient              the two identities:
//	  ed25519_seed                   NewIdentity's Ed25519 seed (sender 0x01…, recipient 0x11…)
//	  mldsa65_seed                   its ML-DSA-65 seed (0x02…, 0x12…)
//	  hpke_seed                      its MLKEM768-X25519 private key (0x03…, 0x13…)
//	  signing_key                    Ed25519 public key || ML-DSA-65 public key
//	  hpke_key                       MLKEM768-X25519 public key
//	  fingerprint                    SHA-256("parley fingerprint v1\n" || len || signing_key || len || hpke_key),
//	                                 lengths as 4-byte big-endian
//	  key_id                         SHA-256("parley hpke key id\n" || hpke_key)[:8]
//	safety_number                  SafetyNumber(sender, recipient): 12 groups of 5 digits
//	hpke_info                      "parley/v1/envelope" || 0x00 || sender fingerprint || recipient fingerprint
//	commitment                     salt, body and commitment = SHA-256("parley/v1/commitment" || 0x00 || salt || body)
//	header                         a header from sender to recipient:
//	  kind, id, channel, seq, time_ms  its fields; sender, recipient and key_id are the identities',
//	                                 and the commitment is commitment.commitment
//	  hex                            Header.Marshal()
//	  ed25519_signature              the Ed25519 half of the sender's signature of hex with context
//	                                 "parley/v1/envelope-header" (deterministic, unlike the ML-DSA-65 half)
//	envelope                       one sealed envelope from sender to recipient:
//	  kind, id, channel, seq, time_ms  the SealParams
//	  body                           the plaintext body
//	  salt                           the commitment salt Seal drew (Open returns it)
//	  hex                            the wire bytes: header || signature || enc || AEAD ciphertext
//	  hash                           Hash(wire), SHA-256 of hex
//	receipt                        the recipient's receipt of that envelope:
//	  type, time_ms                  its type (1 delivered, 2 read) and time
//	  hex                            its wire bytes: body || signature

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/envelope_v1.json and the fuzz seed corpora")

const vectorFile = "testdata/envelope_v1.json"

type vectors struct {
	Comment      string         `json:"comment"`
	Sender       vectorIdentity `json:"sender"`
	Recipient    vectorIdentity `json:"recipient"`
	SafetyNumber string         `json:"safety_number"`
	HPKEInfo     string         `json:"hpke_info"`
	Commitment   struct {
		Salt       string `json:"salt"`
		Body       string `json:"body"`
		Commitment string `json:"commitment"`
	} `json:"commitment"`
	Header struct {
		vectorParams
		Hex              string `json:"hex"`
		Ed25519Signature string `json:"ed25519_signature"`
	} `json:"header"`
	Envelope struct {
		vectorParams
		Body string `json:"body"`
		Salt string `json:"salt"`
		Hex  string `json:"hex"`
		Hash string `json:"hash"`
	} `json:"envelope"`
	Receipt struct {
		Type   uint8  `json:"type"`
		TimeMs int64  `json:"time_ms"`
		Hex    string `json:"hex"`
	} `json:"receipt"`
}

type vectorIdentity struct {
	Ed25519Seed string `json:"ed25519_seed"`
	MLDSA65Seed string `json:"mldsa65_seed"`
	HPKESeed    string `json:"hpke_seed"`
	SigningKey  string `json:"signing_key"`
	HPKEKey     string `json:"hpke_key"`
	Fingerprint string `json:"fingerprint"`
	KeyID       string `json:"key_id"`
}

type vectorParams struct {
	Kind    uint8  `json:"kind"`
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Seq     uint64 `json:"seq"`
	TimeMs  int64  `json:"time_ms"`
}

// The fixed inputs of the vectors.
var (
	vectorSalt = bytes.Repeat([]byte{0x5a}, SaltSize)
	// vectorCommitBody is committed to with vectorSalt.
	vectorCommitBody = []byte("Parley commitment vector, version 1.\n")
	// vectorBody is the body of the sealed envelope.
	vectorBody   = []byte("Parley known-answer envelope, version 1.\n")
	headerParams = vectorParams{
		Kind:    uint8(KindLetter),
		ID:      "000102030405060708090a0b0c0d0e0f",
		Channel: "101112131415161718191a1b1c1d1e1f",
		Seq:     1,
		TimeMs:  1773500966535, // 2026-03-14T15:09:26.535Z
	}
	envelopeParams = vectorParams{
		Kind:    uint8(KindWarning),
		ID:      "202122232425262728292a2b2c2d2e2f",
		Channel: "101112131415161718191a1b1c1d1e1f",
		Seq:     42,
		TimeMs:  1773500966535,
	}
	receiptTimeMs int64 = 1773500970000
)

func vectorIdentityOf(id *Identity) vectorIdentity {
	ed, ml, hk := id.Seeds()
	return vectorIdentity{
		Ed25519Seed: hex.EncodeToString(ed[:]),
		MLDSA65Seed: hex.EncodeToString(ml[:]),
		HPKESeed:    hex.EncodeToString(hk[:]),
		SigningKey:  hex.EncodeToString(id.SigningKey()),
		HPKEKey:     hex.EncodeToString(id.HPKEKey()),
		Fingerprint: id.Fingerprint().String(),
		KeyID:       id.KeyID().String(),
	}
}

// header returns the header of p from sender to recipient with commitment c.
func (p vectorParams) header(tb testing.TB, sender, recipient *PublicIdentity, c [32]byte) *Header {
	tb.Helper()
	return &Header{
		Version: Version, Kind: Kind(p.Kind), ID: mustParseID(tb, p.ID), Channel: mustParseID(tb, p.Channel),
		Sender: sender.Fingerprint(), Recipient: recipient.Fingerprint(), KeyID: recipient.KeyID(),
		Seq: p.Seq, Time: time.UnixMilli(p.TimeMs).UTC(), Commitment: c,
	}
}

func (p vectorParams) sealParams(tb testing.TB) SealParams {
	tb.Helper()
	return SealParams{
		Kind: Kind(p.Kind), ID: mustParseID(tb, p.ID), Channel: mustParseID(tb, p.Channel),
		Seq: p.Seq, Time: time.UnixMilli(p.TimeMs),
	}
}

func mustParseID(tb testing.TB, s string) ID {
	tb.Helper()
	id, err := ParseID(s)
	if err != nil {
		tb.Fatalf("ParseID(%q): %v", s, err)
	}
	return id
}

func unhex(tb testing.TB, name, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return b
}

// generateVectors computes a fresh vector file, including a newly sealed
// envelope and receipt.
func generateVectors(tb testing.TB) *vectors {
	tb.Helper()
	sender, recipient := testIdentity(tb, senderSeed), testIdentity(tb, recipientSeed)
	v := &vectors{
		Comment:      "Parley envelope format v1 known-answer vectors; see vector_test.go for the fields.",
		Sender:       vectorIdentityOf(sender),
		Recipient:    vectorIdentityOf(recipient),
		SafetyNumber: SafetyNumber(sender.Fingerprint(), recipient.Fingerprint()),
		HPKEInfo:     hex.EncodeToString(hpkeInfo(sender.Fingerprint(), recipient.Fingerprint())),
	}
	c := Commit(vectorSalt, vectorCommitBody)
	v.Commitment.Salt = hex.EncodeToString(vectorSalt)
	v.Commitment.Body = hex.EncodeToString(vectorCommitBody)
	v.Commitment.Commitment = hex.EncodeToString(c[:])

	raw := headerParams.header(tb, sender.Public(), recipient.Public(), c).Marshal()
	v.Header.vectorParams = headerParams
	v.Header.Hex = hex.EncodeToString(raw)
	v.Header.Ed25519Signature = hex.EncodeToString(sender.Sign(ctxHeader, raw)[:ed25519.SignatureSize])

	wire, salt := mustSeal(tb, sender, recipient.Public(), envelopeParams.sealParams(tb), vectorBody)
	hash := Hash(wire)
	v.Envelope.vectorParams = envelopeParams
	v.Envelope.Body = hex.EncodeToString(vectorBody)
	v.Envelope.Salt = hex.EncodeToString(salt)
	v.Envelope.Hex = hex.EncodeToString(wire)
	v.Envelope.Hash = hex.EncodeToString(hash[:])

	r := ReceiptFor(Delivered, mustParse(tb, wire).Header, hash, time.UnixMilli(receiptTimeMs))
	if err := SignReceipt(recipient, r); err != nil {
		tb.Fatalf("SignReceipt: %v", err)
	}
	v.Receipt.Type = uint8(r.Type)
	v.Receipt.TimeMs = receiptTimeMs
	v.Receipt.Hex = hex.EncodeToString(r.Raw)
	return v
}

func loadVectors(tb testing.TB) *vectors {
	tb.Helper()
	b, err := os.ReadFile(vectorFile)
	if err != nil {
		tb.Fatalf("%v (generate it with: go test ./internal/envelope -run TestVectors -update)", err)
	}
	v := new(vectors)
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", vectorFile, err)
	}
	return v
}

func TestVectors(t *testing.T) {
	if *update {
		v := generateVectors(t)
		b, err := json.MarshalIndent(v, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(vectorFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		writeFuzzSeeds(t, v)
	}
	v := loadVectors(t)
	// Generating anew gives the same deterministic parts; the random ones
	// (salt, envelope, receipt) are checked by opening them below.
	fresh := generateVectors(t)
	sender, recipient := testIdentity(t, senderSeed), testIdentity(t, recipientSeed)

	t.Run("identities", func(t *testing.T) {
		for _, tt := range []struct {
			name      string
			got, want vectorIdentity
		}{
			{"sender", fresh.Sender, v.Sender},
			{"recipient", fresh.Recipient, v.Recipient},
		} {
			if tt.got != tt.want {
				t.Errorf("%s:\n got %+v\nwant %+v", tt.name, tt.got, tt.want)
			}
		}
		// The stored seeds are the ones the tests use.
		for _, tt := range []struct {
			name string
			v    vectorIdentity
			b    byte
		}{
			{"sender", v.Sender, senderSeed},
			{"recipient", v.Recipient, recipientSeed},
		} {
			ed, ml, hk := seedsFor(tt.b)
			if tt.v.Ed25519Seed != hex.EncodeToString(ed[:]) || tt.v.MLDSA65Seed != hex.EncodeToString(ml[:]) ||
				tt.v.HPKESeed != hex.EncodeToString(hk[:]) {
				t.Errorf("%s seeds are not seedsFor(%#02x)", tt.name, tt.b)
			}
		}
	})
	for _, tt := range []struct {
		name, got, want string
	}{
		{"safety number", fresh.SafetyNumber, v.SafetyNumber},
		{"hpke info", fresh.HPKEInfo, v.HPKEInfo},
		{"hpke info (documented construction)", hex.EncodeToString(specInfo(sender.Fingerprint(), recipient.Fingerprint())), v.HPKEInfo},
		{"commitment", fresh.Commitment.Commitment, v.Commitment.Commitment},
		{"header", fresh.Header.Hex, v.Header.Hex},
		{"header ed25519 signature", fresh.Header.Ed25519Signature, v.Header.Ed25519Signature},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}

	t.Run("header parse", func(t *testing.T) {
		raw := unhex(t, "header.hex", v.Header.Hex)
		h, err := ParseHeader(raw)
		if err != nil {
			t.Fatalf("ParseHeader: %v", err)
		}
		want := v.Header.header(t, sender.Public(), recipient.Public(), [32]byte(unhex(t, "commitment", v.Commitment.Commitment)))
		checkHeader(t, h, want)
		if !bytes.Equal(h.Marshal(), raw) {
			t.Errorf("parse-then-marshal of header.hex differs")
		}
		ed := unhex(t, "header.ed25519_signature", v.Header.Ed25519Signature)
		m := append([]byte("parley/v1/envelope-header\x00"), raw...)
		if !ed25519.Verify(ed25519.PublicKey(sender.SigningKey()[:ed25519.PublicKeySize]), m, ed) {
			t.Errorf("header.ed25519_signature does not verify")
		}
	})

	t.Run("envelope", func(t *testing.T) {
		wire := unhex(t, "envelope.hex", v.Envelope.Hex)
		body := unhex(t, "envelope.body", v.Envelope.Body)
		wantSalt := unhex(t, "envelope.salt", v.Envelope.Salt)
		if got, want := hex.EncodeToString(func() []byte { h := Hash(wire); return h[:] }()), v.Envelope.Hash; got != want {
			t.Errorf("Hash(envelope.hex) = %s, want %s", got, want)
		}
		e, err := Parse(wire)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		want := v.Envelope.header(t, sender.Public(), recipient.Public(), Commit(wantSalt, body))
		checkHeader(t, e.Header, want)
		if err := e.Verify(sender.Public()); err != nil {
			t.Errorf("Verify: %v", err)
		}
		salt, got, err := e.Open(recipient, sender.Public())
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, body) || !bytes.Equal(salt, wantSalt) {
			t.Errorf("Open = salt %x, body %q; want salt %x, body %q", salt, got, wantSalt, body)
		}
	})

	t.Run("receipt", func(t *testing.T) {
		raw := unhex(t, "receipt.hex", v.Receipt.Hex)
		r, err := ParseReceipt(raw)
		if err != nil {
			t.Fatalf("ParseReceipt: %v", err)
		}
		if err := r.Verify(recipient.Public()); err != nil {
			t.Errorf("Verify: %v", err)
		}
		wire := unhex(t, "envelope.hex", v.Envelope.Hex)
		want := ReceiptFor(ReceiptType(v.Receipt.Type), mustParse(t, wire).Header, Hash(wire), time.UnixMilli(v.Receipt.TimeMs))
		if got, want := r.body(), want.body(); !bytes.Equal(got, want) {
			t.Errorf("receipt body:\n got %x\nwant %x", got, want)
		}
	})
}

// writeFuzzSeeds writes the seed corpora of the fuzz targets, in the
// "go test fuzz v1" format, from the vectors and some mutations of them.
func writeFuzzSeeds(t *testing.T, v *vectors) {
	t.Helper()
	wire := unhex(t, "envelope.hex", v.Envelope.Hex)
	header := unhex(t, "header.hex", v.Header.Hex)
	receipt := unhex(t, "receipt.hex", v.Receipt.Hex)
	seeds := map[string]map[string][]byte{
		"FuzzParse": {
			"vector":         wire,
			"truncated":      wire[:MinSize],
			"trailing_byte":  append(bytes.Clone(wire), 0),
			"version_2":      flipped(wire, 4, 0x03),
			"flipped_sender": flipped(wire, 40, 0x01),
		},
		"FuzzParseHeader": {
			"vector":       header,
			"kind_9":       flipped(header, 5, byte(KindLetter)^9),
			"reserved_set": flipped(header, 7, 0x01),
			"time_max": func() []byte {
				h := bytes.Clone(header)
				copy(h[120:], []byte{0x40, 0, 0, 0, 0, 0, 0, 0})
				return h
			}(),
		},
		"FuzzParseReceipt": {
			"vector":     receipt,
			"type_read":  flipped(receipt, 5, byte(Delivered)^byte(Read)),
			"type_3":     flipped(receipt, 5, byte(Delivered)^3),
			"body_only":  receipt[:ReceiptBodySize],
			"bad_magic":  flipped(receipt, 3, 0x01),
			"wrong_size": append(bytes.Clone(receipt), 0),
		},
	}
	for target, files := range seeds {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			data := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
