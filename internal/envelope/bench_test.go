package envelope

import (
	"testing"
)

// The benchmarks measure the per-message costs a node pays: signing and
// verifying a header (both halves of the hybrid signature), sealing and
// opening a 1 KiB message, and a receipt's round trip.

func BenchmarkSign(b *testing.B) {
	sender := testIdentity(b, senderSeed)
	header := make([]byte, HeaderSize)
	for b.Loop() {
		sender.Sign(ctxHeader, header)
	}
}

func BenchmarkVerify(b *testing.B) {
	sender := testIdentity(b, senderSeed)
	header := make([]byte, HeaderSize)
	sig := sender.Sign(ctxHeader, header)
	pub := sender.Public()
	for b.Loop() {
		if err := pub.Verify(ctxHeader, header, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	sender, recipient := testIdentity(b, senderSeed), testIdentity(b, recipientSeed)
	body := testBody(1 << 10)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, _, err := Seal(sender, recipient.Public(), testParams, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen measures the receiving path: Parse, then Open (addressing,
// signature, decapsulation, decryption, commitment).
func BenchmarkOpen(b *testing.B) {
	sender, recipient := testIdentity(b, senderSeed), testIdentity(b, recipientSeed)
	body := testBody(1 << 10)
	wire, _ := mustSeal(b, sender, recipient.Public(), testParams, body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := parseOpen(wire, recipient, sender.Public()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReceiptSignVerify(b *testing.B) {
	sender, recipient := testIdentity(b, senderSeed), testIdentity(b, recipientSeed)
	wire, _ := mustSeal(b, sender, recipient.Public(), testParams, []byte("hello"))
	h, hash := mustParse(b, wire).Header, Hash(wire)
	for b.Loop() {
		r := ReceiptFor(Delivered, h, hash, receiptTime)
		if err := SignReceipt(recipient, r); err != nil {
			b.Fatal(err)
		}
		p, err := ParseReceipt(r.Raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Verify(recipient.Public()); err != nil {
			b.Fatal(err)
		}
	}
}
