package contact

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/gtank/ristretto255"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCPaceRoundTrip(t *testing.T) {
	prs, ci, sid := []byte("correct horse"), []byte("channel"), []byte("0123456789abcdef")
	for _, tc := range []struct {
		name   string
		roleA  Role
		roleB  Role
		adA    []byte
		adB    []byte
		wantOK bool
	}{
		{"initiator-responder", RoleInitiator, RoleResponder, []byte("A"), []byte("B"), true},
		{"initiator-responder empty AD", RoleInitiator, RoleResponder, nil, nil, true},
		{"symmetric", RoleSymmetric, RoleSymmetric, []byte("A"), []byte("B"), true},
		{"symmetric equal AD", RoleSymmetric, RoleSymmetric, nil, nil, true},
		{"mismatched modes", RoleInitiator, RoleSymmetric, nil, nil, false},
		{"both initiators", RoleInitiator, RoleInitiator, nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, msgA, err := Start(tc.roleA, prs, ci, sid, tc.adA, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			b, msgB, err := Start(tc.roleB, prs, ci, sid, tc.adB, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			iskA, errA := a.Finish(msgB)
			iskB, errB := b.Finish(msgA)
			if errA != nil || errB != nil {
				t.Fatal(errA, errB)
			}
			if len(iskA) != ISKSize {
				t.Errorf("ISK length %d, want %d", len(iskA), ISKSize)
			}
			if got := bytes.Equal(iskA, iskB); got != tc.wantOK {
				t.Errorf("ISKs equal = %v, want %v", got, tc.wantOK)
			}
			if tc.wantOK && !bytes.Equal(a.SidOutput(), b.SidOutput()) {
				t.Error("sid_output differs")
			}
			if !bytes.Equal(a.PeerAD(), tc.adB) || !bytes.Equal(b.PeerAD(), tc.adA) {
				t.Errorf("PeerAD = %q, %q", a.PeerAD(), b.PeerAD())
			}
		})
	}
}

// TestCPaceInputsMatter checks that each input changes ISK: the draft's
// "identical if and only if PRS, CI and sid match and the transcripts match".
func TestCPaceInputsMatter(t *testing.T) {
	base := [3][]byte{[]byte("pw"), []byte("ci"), []byte("sid")}
	for i, name := range []string{"PRS", "CI", "sid"} {
		t.Run(name, func(t *testing.T) {
			other := base
			other[i] = append(bytes.Clone(base[i]), 'x')
			a, msgA, _ := Start(RoleInitiator, base[0], base[1], base[2], nil, rand.Reader)
			b, msgB, _ := Start(RoleResponder, other[0], other[1], other[2], nil, rand.Reader)
			iskA, errA := a.Finish(msgB)
			iskB, errB := b.Finish(msgA)
			if errA != nil || errB != nil {
				t.Fatal(errA, errB)
			}
			if bytes.Equal(iskA, iskB) {
				t.Errorf("different %s gave the same ISK", name)
			}
		})
	}
}

func TestCPaceGeneratorStringPadding(t *testing.T) {
	for _, n := range []int{0, 1, 8, 100, 108, 109, 110, 127, 128, 200, 300} {
		prs := bytes.Repeat([]byte{'p'}, n)
		gs := generatorString(prs, nil, nil)
		// DSI, PRS and the padding fill at least one 128-byte block, exactly
		// one while PRS is short enough.
		head := len(gs) - 2 // lv(CI) and lv(sid) are one byte each here
		if head < hashBlockSize {
			t.Errorf("len(PRS)=%d: DSI+PRS+ZPAD take %d bytes, want >= %d", n, head, hashBlockSize)
		}
		if n <= 100 && head != hashBlockSize {
			t.Errorf("len(PRS)=%d: DSI+PRS+ZPAD take %d bytes, want %d", n, head, hashBlockSize)
		}
	}
}

func TestCPaceRejects(t *testing.T) {
	prs, sid := []byte("pw"), []byte("sid")
	_, honest, _ := Start(RoleResponder, prs, nil, sid, []byte("ad"), rand.Reader)
	// A 32-byte string of the right form that is not a canonical encoding:
	// the draft's B.3.11 Y_i1.
	invalid := unhex(t, "2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c")
	for _, tc := range []struct {
		name string
		msg  []byte
		want error
	}{
		// The invalid encodings that earlier revisions of the draft list
		// (MSGa/MSGb with length fields that do not add up).
		{"Inv_MSG1", unhex(t, "ffffff"), ErrInvalidMessage},
		{"Inv_MSG2", unhex(t, "ffff03"), ErrInvalidMessage},
		{"Inv_MSG3", unhex(t, "00ffff03"), ErrInvalidMessage},
		{"Inv_MSG4", unhex(t, "00ffffff"), ErrInvalidMessage},
		{"empty", nil, ErrInvalidMessage},
		{"short Y", lvCat(make([]byte, 31), nil), ErrInvalidMessage},
		{"long Y", lvCat(make([]byte, 33), nil), ErrInvalidMessage},
		{"missing AD", prependLen(honest[1:33]), ErrInvalidMessage},
		{"trailing byte", append(bytes.Clone(honest), 0), ErrInvalidMessage},
		{"truncated AD", honest[:len(honest)-1], ErrInvalidMessage},
		{"non-minimal length of Y", append([]byte{0xa0, 0x00}, honest[1:]...), ErrInvalidMessage},
		{"non-minimal length of AD", append(append(bytes.Clone(honest[:33]), 0x82, 0x00), "ad"...), ErrInvalidMessage},
		{"AD too long", lvCat(honest[1:33], make([]byte, MaxADSize+1)), ErrInvalidMessage},
		{"identity", lvCat(make([]byte, 32), nil), ErrIdentity},
		{"not an encoding", lvCat(invalid, nil), ErrInvalidPoint},
		{"all ones", lvCat(bytes.Repeat([]byte{0xff}, 32), nil), ErrInvalidPoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _, err := Start(RoleInitiator, prs, nil, sid, nil, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			isk, err := a.Finish(tc.msg)
			if !errors.Is(err, tc.want) || isk != nil {
				t.Errorf("Finish(%x) = %x, %v; want %v", tc.msg, isk, err, tc.want)
			}
			// A failed state is finished for good.
			if _, err := a.Finish(honest); !errors.Is(err, ErrStateUsed) {
				t.Errorf("Finish after failure: %v, want ErrStateUsed", err)
			}
			if a.SidOutput() != nil || a.PeerAD() != nil {
				t.Error("failed state exposes outputs")
			}
		})
	}
}

func TestCPaceRejectsReflection(t *testing.T) {
	for _, role := range []Role{RoleInitiator, RoleResponder, RoleSymmetric} {
		a, msgA, _ := Start(role, []byte("pw"), nil, nil, []byte("x"), rand.Reader)
		// Even with different AD, our own share coming back is refused.
		if _, err := a.Finish(lvCat(msgA[1:1+ElementSize], []byte("y"))); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%v: reflected share: %v, want ErrInvalidMessage", role, err)
		}
	}
}

func TestCPaceStateSingleUse(t *testing.T) {
	a, msgA, _ := Start(RoleInitiator, []byte("pw"), nil, nil, nil, rand.Reader)
	b, msgB, _ := Start(RoleResponder, []byte("pw"), nil, nil, nil, rand.Reader)
	if _, err := a.Finish(msgB); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Finish(msgB); !errors.Is(err, ErrStateUsed) {
		t.Errorf("second Finish: %v, want ErrStateUsed", err)
	}
	if a.y.Equal(ristretto255.NewScalar()) != 1 {
		t.Error("scalar not erased after Finish")
	}
	if _, err := b.Finish(msgA); err != nil {
		t.Fatal(err)
	}
}

func TestCPaceBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		role Role
		prs  []byte
		ad   []byte
	}{
		{"empty PRS", RoleInitiator, nil, nil},
		{"unknown role", Role(0), []byte("pw"), nil},
		{"role out of range", Role(4), []byte("pw"), nil},
		{"AD too long", RoleInitiator, []byte("pw"), make([]byte, MaxADSize+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Start(tc.role, tc.prs, nil, nil, tc.ad, rand.Reader); !errors.Is(err, ErrBadInput) {
				t.Errorf("Start: %v, want ErrBadInput", err)
			}
		})
	}
	if _, _, err := startWithScalar(RoleInitiator, []byte("pw"), nil, nil, nil, make([]byte, 32)); !errors.Is(err, ErrBadInput) {
		t.Errorf("zero scalar: %v, want ErrBadInput", err)
	}
	if _, _, err := Start(RoleInitiator, []byte("pw"), nil, nil, nil, bytes.NewReader(make([]byte, 64))); err == nil {
		t.Error("a random source of zeros was accepted")
	}
	if _, _, err := Start(RoleInitiator, []byte("pw"), nil, nil, nil, bytes.NewReader(nil)); err == nil {
		t.Error("an empty random source was accepted")
	}
}

func TestSampleScalarClearsHighBits(t *testing.T) {
	y, err := sampleScalar(bytes.NewReader(bytes.Repeat([]byte{0xff}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte{0xff}, 32)
	want[31] = 0x0f
	if !bytes.Equal(y.Bytes(), want) {
		t.Errorf("scalar %x, want %x", y.Bytes(), want)
	}
}

func TestReadLV(t *testing.T) {
	for _, tc := range []struct {
		in    string
		max   int
		value string
		rest  string
		ok    bool
	}{
		{"00", 10, "", "", true},
		{"0161ff", 10, "61", "ff", true},
		{"8000", 10, "", "", false},                          // non-minimal zero
		{"8100", 10, "", "", false},                          // non-minimal one
		{"80", 10, "", "", false},                            // truncated length
		{"02", 10, "", "", false},                            // truncated value
		{"0b" + "0000000000000000000000", 10, "", "", false}, // over max
		{"ffffffff7f", 1 << 30, "", "", false},               // too many groups
	} {
		v, rest, err := readLV(unhex(t, tc.in), tc.max)
		if (err == nil) != tc.ok {
			t.Errorf("readLV(%s): err %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && (hex.EncodeToString(v) != tc.value || hex.EncodeToString(rest) != tc.rest) {
			t.Errorf("readLV(%s) = %x, %x", tc.in, v, rest)
		}
	}
	// Round trip across the LEB128 size boundaries.
	for _, n := range []int{0, 1, 127, 128, 129, 16383, 16384, 70000} {
		data := bytes.Repeat([]byte{7}, n)
		enc := prependLen(data)
		if len(enc) != prependLenSize(n)+n {
			t.Errorf("prependLen(%d bytes) has %d bytes", n, len(enc))
		}
		v, rest, err := readLV(enc, n)
		if err != nil || len(rest) != 0 || !bytes.Equal(v, data) {
			t.Errorf("round trip of %d bytes: %v", n, err)
		}
	}
}

// FuzzCPaceFinish feeds arbitrary peer messages to an initiator whose honest
// peer is the draft's responder (Appendix B.3). Property: Finish never
// panics; it either aborts with one of the documented errors and no key, or
// it accepted the one encoding of some (Y, AD) — and then the ISK equals the
// honest peer's ISK only if the message is the honest message.
func FuzzCPaceFinish(f *testing.F) {
	v := loadVectors(f)
	p := v.Protocol
	_, honest, err := startWithScalar(RoleResponder, p.PRS, p.CI, p.Sid, p.ADb, p.Yb)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(honest)
	f.Add(lvCat(p.YbPub, nil))
	f.Add(lvCat(p.YbPub, []byte("ADc")))
	f.Add(lvCat(p.YaPub, p.ADa))
	f.Add(lvCat(v.Invalid.Yi1, p.ADb))
	f.Add(lvCat(v.Invalid.Yi2, p.ADb))
	f.Add(append([]byte{0xa0, 0x00}, honest[1:]...))
	f.Add(unhex(f, "ffffff"))
	f.Add(unhex(f, "00ffff03"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		a, _, err := startWithScalar(RoleInitiator, p.PRS, p.CI, p.Sid, p.ADa, p.Ya)
		if err != nil {
			t.Fatal(err)
		}
		isk, err := a.Finish(msg)
		if err != nil {
			if isk != nil {
				t.Fatal("key returned with an error")
			}
			if !errors.Is(err, ErrInvalidMessage) && !errors.Is(err, ErrInvalidPoint) && !errors.Is(err, ErrIdentity) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		Y, AD, err := parseMessage(msg)
		if err != nil || !bytes.Equal(lvCat(Y, AD), msg) {
			t.Fatalf("accepted a message that is not the unique encoding of (Y, AD): %x", msg)
		}
		if bytes.Equal(isk, p.ISKIR) != bytes.Equal(msg, honest) {
			t.Fatalf("message %x: ISK matches the honest run = %v", msg, bytes.Equal(isk, p.ISKIR))
		}
	})
}

func BenchmarkCPace(b *testing.B) {
	prs, ci, sid := []byte("password"), []byte("ci"), []byte("0123456789abcdef")
	for b.Loop() {
		a, msgA, _ := Start(RoleInitiator, prs, ci, sid, nil, rand.Reader)
		r, msgB, _ := Start(RoleResponder, prs, ci, sid, nil, rand.Reader)
		if _, err := a.Finish(msgB); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Finish(msgA); err != nil {
			b.Fatal(err)
		}
	}
}
