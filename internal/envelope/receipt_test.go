package envelope

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// receiptTime is when the test recipient acknowledges an envelope.
var receiptTime = time.Date(2026, 3, 14, 15, 10, 0, 123_456_789, time.UTC)

// testReceipt seals an envelope from sender to recipient and returns the
// recipient's signed receipt of type typ for it, with the envelope's header.
func testReceipt(tb testing.TB, sender, recipient *Identity, typ ReceiptType) (*Receipt, *Header, []byte) {
	tb.Helper()
	wire, _ := mustSeal(tb, sender, recipient.Public(), testParams, []byte("hello"))
	h := mustParse(tb, wire).Header
	r := ReceiptFor(typ, h, Hash(wire), receiptTime)
	if err := SignReceipt(recipient, r); err != nil {
		tb.Fatalf("SignReceipt: %v", err)
	}
	return r, h, wire
}

func TestReceiptRoundTrip(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	for _, typ := range []ReceiptType{Delivered, Read} {
		t.Run(typ.String(), func(t *testing.T) {
			r, h, wire := testReceipt(t, sender, recipient, typ)
			if got, want := len(r.Raw), ReceiptSize; got != want {
				t.Fatalf("len(Raw) = %d, want %d", got, want)
			}
			p, err := ParseReceipt(bytes.Clone(r.Raw))
			if err != nil {
				t.Fatalf("ParseReceipt: %v", err)
			}
			want := Receipt{
				Type: typ, Envelope: h.ID, Channel: h.Channel, Sender: sender.Fingerprint(),
				Recipient: recipient.Fingerprint(), Seq: h.Seq, Hash: Hash(wire),
				Time: receiptTime.Truncate(time.Millisecond),
			}
			if p.Type != want.Type || p.Envelope != want.Envelope || p.Channel != want.Channel ||
				p.Sender != want.Sender || p.Recipient != want.Recipient || p.Seq != want.Seq ||
				p.Hash != want.Hash || !p.Time.Equal(want.Time) {
				t.Errorf("parsed receipt:\n got %+v\nwant %+v", *p, want)
			}
			if !bytes.Equal(p.Signature, r.Signature) || !bytes.Equal(p.Raw, r.Raw) {
				t.Errorf("parsed Signature or Raw differ from the signed receipt's")
			}
			if got := append(p.body(), p.Signature...); !bytes.Equal(got, r.Raw) {
				t.Errorf("re-encoding the parsed receipt differs from Raw")
			}
			if err := p.Verify(recipient.Public()); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

// receiptFields is the layout of a version 1 receipt, with the error
// ParseReceipt or Verify returns when the low bit of any byte of the field
// is flipped.
var receiptFields = []struct {
	name     string
	off, end int
	want     error
}{
	{"magic", 0, 4, ErrMalformed},
	{"version", 4, 5, ErrUnknownVersion},
	{"type", 5, 6, ErrMalformed}, // delivered (1) becomes 0, read (2) becomes 3
	{"reserved", 6, 8, ErrMalformed},
	{"envelope id", 8, 24, ErrBadSignature},
	{"channel", 24, 40, ErrBadSignature},
	{"sender", 40, 72, ErrBadSignature},
	{"recipient", 72, 104, ErrBadSignature},
	{"seq", 104, 112, ErrBadSignature},
	{"hash", 112, 144, ErrBadSignature},
	{"time", 144, 152, ErrBadSignature},
	{"signature", ReceiptBodySize, ReceiptSize, ErrBadSignature},
}

func TestReceiptByteFlips(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	off := 0
	for _, f := range receiptFields {
		if f.off != off {
			t.Fatalf("field %s starts at %d, want %d", f.name, f.off, off)
		}
		off = f.end
	}
	for _, typ := range []ReceiptType{Delivered, Read} {
		r, _, _ := testReceipt(t, sender, recipient, typ)
		for _, f := range receiptFields {
			t.Run(typ.String()+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				failures := 0
				for i := f.off; i < f.end; i++ {
					err := parseVerifyReceipt(flipped(r.Raw, i, 0x01), recipient.Public())
					switch {
					case err == nil:
						t.Errorf("byte %d ^ 0x01: receipt verified", i)
					case !errors.Is(err, f.want):
						t.Errorf("byte %d ^ 0x01: error = %v, want %v", i, err, f.want)
					default:
						continue
					}
					if failures++; failures == 10 {
						t.Fatalf("too many failures")
					}
				}
			})
		}
	}
}

func parseVerifyReceipt(b []byte, signer *PublicIdentity) error {
	r, err := ParseReceipt(b)
	if err != nil {
		return err
	}
	return r.Verify(signer)
}

func TestReceiptRejects(t *testing.T) {
	sender, recipient, other := testIdentities(t)
	r, h, wire := testReceipt(t, sender, recipient, Delivered)

	// A receipt the third party signed in its own name for the same envelope.
	byOther := ReceiptFor(Delivered, h, Hash(wire), receiptTime)
	byOther.Recipient = other.Fingerprint()
	if err := SignReceipt(other, byOther); err != nil {
		t.Fatalf("SignReceipt: %v", err)
	}
	// The third party's signature grafted onto the recipient's receipt body.
	grafted := append(bytes.Clone(r.Raw[:ReceiptBodySize]), byOther.Signature...)
	// The same signature under the envelope header context does not transfer.
	crossCtx := append(bytes.Clone(r.Raw[:ReceiptBodySize]), recipient.Sign("parley/v1/envelope-header", r.Raw[:ReceiptBodySize])...)

	tests := []struct {
		name   string
		b      []byte
		signer *PublicIdentity
		want   error
	}{
		{"valid", r.Raw, recipient.Public(), nil},
		{"verified against the sender", r.Raw, sender.Public(), ErrBadSignature},
		{"verified against a third party", r.Raw, other.Public(), ErrBadSignature},
		{"third party's own receipt, verified against the recipient", byOther.Raw, recipient.Public(), ErrBadSignature},
		{"grafted signature, verified against the recipient", grafted, recipient.Public(), ErrBadSignature},
		{"grafted signature, verified against the third party", grafted, other.Public(), ErrBadSignature},
		{"signature from another context", crossCtx, recipient.Public(), ErrBadSignature},
		{"empty", nil, recipient.Public(), ErrMalformed},
		{"envelope magic", append([]byte(Magic), r.Raw[4:]...), recipient.Public(), ErrMalformed},
		{"version 2", flipped(r.Raw, 4, 0x03), recipient.Public(), ErrUnknownVersion},
		{"version 2, magic and version only", flipped(r.Raw, 4, 0x03)[:5], recipient.Public(), ErrUnknownVersion},
		{"type 0", flipped(r.Raw, 5, byte(Delivered)), recipient.Public(), ErrMalformed},
		{"type 3 (refused) without a reason", flipped(r.Raw, 5, byte(Delivered)^3), recipient.Public(), ErrMalformed},
		{"type 4", flipped(r.Raw, 5, byte(Delivered)^4), recipient.Public(), ErrMalformed},
		{"reason on a delivered receipt", flipped(r.Raw, 7, 0x03), recipient.Public(), ErrMalformed},
		{"time out of range", flipped(r.Raw, 144, 0x40), recipient.Public(), ErrMalformed},
		{"body only", r.Raw[:ReceiptBodySize], recipient.Public(), ErrMalformed},
		{"trailing byte", append(bytes.Clone(r.Raw), 0), recipient.Public(), ErrMalformed},
		{"two receipts", append(bytes.Clone(r.Raw), r.Raw...), recipient.Public(), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := parseVerifyReceipt(bytes.Clone(tt.b), tt.signer); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("every truncation", func(t *testing.T) {
		for n := range ReceiptSize {
			b := bytes.Clone(r.Raw[:n])
			if _, err := ParseReceipt(b); !errors.Is(err, ErrMalformed) {
				t.Fatalf("truncated to %d bytes: error = %v, want %v", n, err, ErrMalformed)
			}
		}
	})
}

// A refused receipt carries its reason in bytes 6–7, under the signature.
func TestRefusedReceipt(t *testing.T) {
	sender, recipient, _ := testIdentities(t)
	wire, _ := mustSeal(t, sender, recipient.Public(), testParams, []byte("hello"))
	h := mustParse(t, wire).Header
	r := ReceiptFor(Refused, h, Hash(wire), receiptTime)
	if err := SignReceipt(recipient, r); err == nil {
		t.Fatal("SignReceipt signed a refusal without a reason")
	}
	r.Reason = ReasonTLP
	if err := SignReceipt(recipient, r); err != nil {
		t.Fatal(err)
	}
	if r.Raw[6] != 0 || r.Raw[7] != byte(ReasonTLP) {
		t.Errorf("reason bytes = % x, want 00 %02x", r.Raw[6:8], byte(ReasonTLP))
	}
	p, err := ParseReceipt(bytes.Clone(r.Raw))
	if err != nil || p.Type != Refused || p.Reason != ReasonTLP || p.Verify(recipient.Public()) != nil {
		t.Fatalf("ParseReceipt = %+v, %v", p, err)
	}
	// Changing the reason breaks the signature.
	if err := parseVerifyReceipt(flipped(r.Raw, 7, 0x07), recipient.Public()); !errors.Is(err, ErrBadSignature) {
		t.Errorf("altered reason: error = %v, want %v", err, ErrBadSignature)
	}
	d := ReceiptFor(Delivered, h, Hash(wire), receiptTime)
	d.Reason = ReasonTLP
	if err := SignReceipt(recipient, d); err == nil {
		t.Error("SignReceipt signed a delivered receipt with a reason")
	}
	if got := Reason(99).String(); got != "reason 99" {
		t.Errorf("Reason(99) = %q", got)
	}
}

func TestSignReceiptSigner(t *testing.T) {
	sender, recipient, other := testIdentities(t)
	wire, _ := mustSeal(t, sender, recipient.Public(), testParams, []byte("hello"))
	h := mustParse(t, wire).Header
	tests := []struct {
		name   string
		signer *Identity
		ok     bool
	}{
		{"recipient", recipient, true},
		{"sender", sender, false},
		{"third party", other, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ReceiptFor(Delivered, h, Hash(wire), receiptTime)
			err := SignReceipt(tt.signer, r)
			if gotOK := err == nil; gotOK != tt.ok {
				t.Fatalf("SignReceipt error = %v, want success: %v", err, tt.ok)
			}
			if !tt.ok && (r.Signature != nil || r.Raw != nil) {
				t.Errorf("refused SignReceipt still set Signature or Raw")
			}
		})
	}
}

func TestReceiptType(t *testing.T) {
	tests := []struct {
		t    ReceiptType
		want string
	}{
		{Delivered, "delivered"},
		{Read, "read"},
		{0, "receipt(0)"},
		{7, "receipt(7)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.t.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
