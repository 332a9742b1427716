package envelope

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

// The fuzz targets state the properties of the three parsers of untrusted
// bytes: they never panic, they fail only with an exported sentinel, what
// they accept re-encodes to exactly the input, and nothing but a genuine
// item ever verifies or opens. Their seed corpora are the f.Add calls below
// and the files under testdata/fuzz/, which TestVectors -update writes.
//
// Envelopes (4,701 bytes and up) and receipts (3,525 bytes) are large inputs
// for Go's minimizer, which tries O(n²) candidates on every input that adds
// coverage; meanwhile the coordinator reports 0 execs/sec (golang/go#48820,
// #51484). Bound minimization for useful throughput, for example
//
//	go test ./internal/envelope -run '^$' -fuzz '^FuzzParse$' -fuzztime 5m -fuzzminimizetime 200x

// fuzzFixture holds the identities and the genuine items the targets start
// from. They come from the stored vectors only: the fuzzing engine replays
// seeds in worker processes, and an envelope sealed afresh in each process
// would differ (random salt, hedged signature) from the one in the seeds.
type fuzzFixture struct {
	ids      []*Identity
	wires    [][]byte // genuine envelopes
	receipts [][]byte // genuine receipts
	header   []byte
}

func newFuzzFixture(f *testing.F) *fuzzFixture {
	f.Helper()
	sender, recipient, other := testIdentities(f)
	v := loadVectors(f)
	return &fuzzFixture{
		ids:      []*Identity{sender, recipient, other},
		wires:    [][]byte{unhex(f, "envelope.hex", v.Envelope.Hex)},
		receipts: [][]byte{unhex(f, "receipt.hex", v.Receipt.Hex)},
		header:   unhex(f, "header.hex", v.Header.Hex),
	}
}

func isOneOf(b []byte, genuine [][]byte) bool {
	return slices.ContainsFunc(genuine, func(g []byte) bool { return bytes.Equal(g, b) })
}

func FuzzParse(f *testing.F) {
	fx := newFuzzFixture(f)
	for _, w := range fx.wires {
		f.Add(w)
		f.Add(w[:MinSize])
		f.Add(w[:HeaderSize])
		f.Add(append(bytes.Clone(w), 0))
		f.Add(flipped(w, 72, 0x01))                          // recipient
		f.Add(flipped(w, HeaderSize+SignatureSize+10, 0x01)) // encapsulated key
	}
	f.Add([]byte(nil))
	f.Add([]byte("PRLY\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Parse(b)
		if err != nil {
			if e != nil {
				t.Errorf("Parse returned an envelope with error %v", err)
			}
			if !isSentinel(err) {
				t.Errorf("Parse error %v wraps no sentinel", err)
			}
			return
		}
		if got := e.Bytes(); !bytes.Equal(got, b) {
			t.Errorf("Bytes() differs from the parsed input")
		}
		if got := e.Header.Marshal(); !bytes.Equal(got, e.HeaderRaw) {
			t.Errorf("Header.Marshal() differs from HeaderRaw")
		}
		for _, s := range fx.ids {
			if err := e.Verify(s.Public()); err == nil {
				signed := append(bytes.Clone(e.HeaderRaw), e.Signature...)
				if !slices.ContainsFunc(fx.wires, func(w []byte) bool { return bytes.HasPrefix(w, signed) }) {
					t.Fatalf("Verify accepted a header and signature that were never signed")
				}
			} else if !isSentinel(err) {
				t.Errorf("Verify error %v wraps no sentinel", err)
			}
			for _, r := range fx.ids {
				_, _, err := e.Open(r, s.Public())
				if err == nil && !isOneOf(b, fx.wires) {
					t.Fatalf("Open accepted an envelope that was never sealed")
				}
				if err != nil && !isSentinel(err) {
					t.Errorf("Open error %v wraps no sentinel", err)
				}
			}
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	fx := newFuzzFixture(f)
	f.Add(fx.header)
	f.Add(fx.wires[0][:HeaderSize])
	f.Add((&Header{Version: 1, Kind: KindCosignature, Seq: 1<<64 - 1, Time: time.UnixMilli(1 << 62)}).Marshal())
	f.Add(flipped(fx.header, 4, 0x03)) // version 2
	f.Add(flipped(fx.header, 6, 0x01)) // reserved
	f.Add(fx.header[:HeaderSize-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			if h != nil {
				t.Errorf("ParseHeader returned a header with error %v", err)
			}
			if !isSentinel(err) {
				t.Errorf("ParseHeader error %v wraps no sentinel", err)
			}
			return
		}
		if got := h.Marshal(); !bytes.Equal(got, b) {
			t.Errorf("parse-then-marshal:\n got %x\nwant %x", got, b)
		}
	})
}

func FuzzParseReceipt(f *testing.F) {
	fx := newFuzzFixture(f)
	for _, r := range fx.receipts {
		f.Add(r)
		f.Add(r[:ReceiptBodySize])
		f.Add(flipped(r, 5, 0x03))   // type
		f.Add(flipped(r, 100, 0x01)) // recipient
		f.Add(flipped(r, ReceiptSize-1, 0x01))
	}
	f.Add([]byte("PRLR\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReceipt(b)
		if err != nil {
			if r != nil {
				t.Errorf("ParseReceipt returned a receipt with error %v", err)
			}
			if !isSentinel(err) {
				t.Errorf("ParseReceipt error %v wraps no sentinel", err)
			}
			return
		}
		if got := append(r.body(), r.Signature...); !bytes.Equal(got, b) {
			t.Errorf("re-encoding differs from the input:\n got %x\nwant %x", got, b)
		}
		if !bytes.Equal(r.Raw, b) {
			t.Errorf("Raw differs from the input")
		}
		for _, s := range fx.ids {
			err := r.Verify(s.Public())
			if err == nil && !isOneOf(b, fx.receipts) {
				t.Fatalf("Verify accepted a receipt that was never signed")
			}
			if err != nil && !isSentinel(err) {
				t.Errorf("Verify error %v wraps no sentinel", err)
			}
		}
	})
}
