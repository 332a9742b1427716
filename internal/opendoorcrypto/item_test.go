package opendoorcrypto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSealOpenItem(t *testing.T) {
	org, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	visitor, err := Derive("otter bamboo", Params{1, 8 << 10, 1})
	if err != nil {
		t.Fatal(err)
	}
	id := NewItemID()
	pt := (&Content{Text: "hello"}).Marshal()
	body, wrapped, err := SealItem(id, KindReply, pt, visitor.ReplyKey().Public(), org.Public())
	if err != nil {
		t.Fatal(err)
	}
	if len(wrapped) != 2 || len(wrapped[0]) != WrappedKeySize || len(body) != len(pt)+bodyOverhead {
		t.Fatalf("SealItem: %d wrapped keys of %d bytes, body %d bytes", len(wrapped), len(wrapped[0]), len(body))
	}
	for i, k := range []*PrivateKey{visitor.ReplyKey(), org} {
		got, err := OpenItem(id, KindReply, body, wrapped[i], k)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("recipient %d: OpenItem = %q, %v", i, got, err)
		}
		if kid, ok := WrappedKeyID(wrapped[i]); !ok || kid != k.Public().ID() {
			t.Errorf("recipient %d: WrappedKeyID = %s, want %s", i, kid, k.Public().ID())
		}
	}
	other, _ := GenerateKey()
	if _, err := OpenItem(id, KindReply, body, wrapped[1], other); !errors.Is(err, ErrWrongKey) {
		t.Errorf("OpenItem with another key: %v, want ErrWrongKey", err)
	}
	// Everything is bound: id, kind, body and wrapped key.
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	other2 := NewItemID()
	for name, f := range map[string]func() error{
		"other id":     func() error { _, err := OpenItem(other2, KindReply, body, wrapped[1], org); return err },
		"other kind":   func() error { _, err := OpenItem(id, KindSubmission, body, wrapped[1], org); return err },
		"body flipped": func() error { _, err := OpenItem(id, KindReply, flip(body, 3), wrapped[1], org); return err },
		"wrapped flipped": func() error {
			_, err := OpenItem(id, KindReply, body, flip(wrapped[1], WrappedKeySize-1), org)
			return err
		},
		"enc flipped":    func() error { _, err := OpenItem(id, KindReply, body, flip(wrapped[1], KeyIDSize+5), org); return err },
		"no wrapped key": func() error { _, err := OpenItem(id, KindReply, body, nil, org); return err },
		"other's wrap":   func() error { _, err := OpenItem(id, KindReply, body, wrapped[0], org); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: OpenItem succeeded", name)
		}
	}
	if _, _, err := SealItem(id, "letter", pt, org.Public()); err == nil {
		t.Error("SealItem with an unknown kind succeeded")
	}
	if _, _, err := SealItem(id, KindSubmission, pt); err == nil {
		t.Error("SealItem without recipients succeeded")
	}
}

// Two items never share a data key: the same plaintext sealed twice gives
// unrelated bodies, so destroying one item's key leaves no way into it
// through another.
func TestSealItemFreshKeys(t *testing.T) {
	org, _ := GenerateKey()
	id := NewItemID()
	a, _, _ := SealItem(id, KindSubmission, []byte("same"), org.Public())
	b, _, _ := SealItem(id, KindSubmission, []byte("same"), org.Public())
	if bytes.Equal(a, b) {
		t.Error("two seals of the same item gave the same body: data keys are reused")
	}
}

func TestKeyFiles(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := MarshalPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParsePrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k2.Public().Bytes(), k.Public().Bytes()) {
		t.Error("private key file round trip changed the key")
	}
	p, err := ParsePublicKey(MarshalPublicKey(k.Public()))
	if err != nil || p.ID() != k.Public().ID() {
		t.Errorf("public key file round trip: %v", err)
	}
	if _, err := ParsePublicKey(b); err == nil || !strings.Contains(err.Error(), "not a parley-opendoor-public-key-v1 file") {
		t.Errorf("ParsePublicKey(private file) = %v", err)
	}
	if _, err := ParsePrivateKey([]byte("# nothing\n")); err == nil {
		t.Error("ParsePrivateKey of a file with no key succeeded")
	}
	d, _ := Derive("x", Params{1, 8 << 10, 1})
	if _, err := MarshalPrivateKey(d.ReplyKey()); err == nil {
		t.Error("a derived reply key was marshalled")
	}
}

func TestDeriveParams(t *testing.T) {
	for _, p := range []Params{{0, 8 << 10, 1}, {1, 4, 1}, {1, 8 << 10, 0}, {1, 8 << 20, 1}} {
		if _, err := Derive("x", p); !errors.Is(err, ErrParams) {
			t.Errorf("Derive with %+v: %v, want ErrParams", p, err)
		}
	}
	a, _ := Derive("otter", Params{1, 8 << 10, 1})
	b, _ := Derive("otter", Params{1, 8 << 10, 1})
	c, _ := Derive("otters", Params{1, 8 << 10, 1})
	if !a.Matches(b.Verifier[:]) || a.Matches(c.Verifier[:]) || a.Matches(nil) {
		t.Error("Matches does not tell verifiers apart")
	}
}

func TestContentRoundTrip(t *testing.T) {
	for _, c := range []*Content{
		{},
		{Text: "ünïcode ✓"},
		{Text: "two files", Files: []File{{Name: "a.txt", Type: "text/plain", Data: []byte("a")}, {Name: "", Type: "", Data: nil}}},
	} {
		b := c.Marshal()
		got, err := ParseContent(b)
		if err != nil {
			t.Fatalf("ParseContent(Marshal(%+v)): %v", c, err)
		}
		if !bytes.Equal(got.Marshal(), b) {
			t.Errorf("round trip of %+v changed the bytes", c)
		}
	}
	for name, b := range map[string][]byte{
		"empty":       nil,
		"bad magic":   []byte("pdc2\x00\x00\x00\x00\x00\x00"),
		"short":       []byte("pdc1\x00\x00\x00\x05ab"),
		"trailing":    append((&Content{}).Marshal(), 0),
		"bad utf8":    []byte("pdc1\x00\x00\x00\x01\xff\x00\x00"),
		"many files":  []byte("pdc1\x00\x00\x00\x00\xff\xff"),
		"file length": []byte("pdc1\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\xff\xff\xff\xff"),
	} {
		if _, err := ParseContent(b); !errors.Is(err, ErrContent) {
			t.Errorf("ParseContent(%s) = %v, want ErrContent", name, err)
		}
	}
}

// FuzzParseContent: ParseContent never panics, and accepts only canonical
// encodings: Marshal(ParseContent(b)) == b.
func FuzzParseContent(f *testing.F) {
	f.Add((&Content{Text: "hi", Files: []File{{Name: "a", Type: "b", Data: []byte("c")}}}).Marshal())
	f.Add([]byte("pdc1"))
	f.Add((&Content{}).Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseContent(b)
		if err != nil {
			return
		}
		if got := c.Marshal(); !bytes.Equal(got, b) {
			t.Fatalf("Marshal(ParseContent(%x)) = %x", b, got)
		}
	})
}
