package transcript

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestCheckEquivocation(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	mallory := ed25519Key(t, "mallory.example")
	c := testCheckpoint(9)
	fork := c
	fork.Root[0] ^= 1
	other := c
	other.Origin = "parley.example/alice/carol"
	a := mustSign(t, c, alice)
	b := mustSign(t, fork, alice)
	bad := bytes.Clone(b)
	bad[len(bad)-3] ^= 1 // inside the base64 of the signature

	tests := []struct {
		name   string
		e      Equivocation
		signer *Key
		want   string // "" for proven, else a word the error must contain
	}{
		{"same size, different roots", Equivocation{a, b}, alice, ""},
		{"swapped", Equivocation{b, a}, alice, ""},
		{"cosigned notes", Equivocation{mustCosign(t, a, alice, mallory, testTime), b}, alice, ""},
		{"same root", Equivocation{a, mustSign(t, c, alice)}, alice, "same root"},
		{"same note", Equivocation{a, a}, alice, "same root"},
		{"different sizes", Equivocation{a, mustSign(t, testCheckpoint(10), alice)}, alice, "sizes"},
		{"different origins", Equivocation{a, mustSign(t, Checkpoint{other.Origin, 9, fork.Root}, alice)}, alice, "origins"},
		{"different signer", Equivocation{a, mustSign(t, fork, mallory)}, alice, "second note"},
		{"checked against another signer", Equivocation{a, b}, mallory, "first note"},
		{"bad signature", Equivocation{a, bad}, alice, "second note"},
		{"empty", Equivocation{}, alice, "first note"},
		{"nil signer", Equivocation{a, b}, nil, "first note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckEquivocation(tt.e, tt.signer)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckEquivocation: %v, want proven", err)
			case tt.want != "" && err == nil:
				t.Fatalf("CheckEquivocation proven, want an error about %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("CheckEquivocation: %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestEquivocationEncoding(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	c := testCheckpoint(9)
	fork := c
	fork.Root[0] ^= 1
	e := Equivocation{mustSign(t, c, alice), mustSign(t, fork, alice)}
	enc := EncodeEquivocation(e)
	want := "parley equivocation evidence v1\n" + strconv.Itoa(len(e.A)) + "\n" + string(e.A) + strconv.Itoa(len(e.B)) + "\n" + string(e.B)
	if string(enc) != want {
		t.Fatalf("EncodeEquivocation = %q, want %q", enc, want)
	}
	got, err := DecodeEquivocation(enc)
	if err != nil {
		t.Fatalf("DecodeEquivocation: %v", err)
	}
	if !bytes.Equal(got.A, e.A) || !bytes.Equal(got.B, e.B) {
		t.Fatalf("DecodeEquivocation = %q, want %q", got, e)
	}
	if err := CheckEquivocation(got, alice); err != nil {
		t.Fatalf("decoded evidence: %v", err)
	}

	la, lb := strconv.Itoa(len(e.A)), strconv.Itoa(len(e.B))
	header := "parley equivocation evidence v1\n"
	big := strings.Repeat("x", MaxNoteBytes) + "\n"
	bad := []struct{ name, in string }{
		{"empty", ""},
		{"header only", header},
		{"wrong header", "parley equivocation evidence v2\n" + want[len(header):]},
		{"no header newline", strings.TrimSuffix(header, "\n") + want[len(header):]},
		{"CRLF header", strings.TrimSuffix(header, "\n") + "\r\n" + want[len(header):]},
		{"one note", header + la + "\n" + string(e.A)},
		{"trailing byte", want + "\n"},
		{"three notes", want + lb + "\n" + string(e.B)},
		{"truncated", want[:len(want)-1]},
		{"leading zero", header + "0" + la + "\n" + string(e.A) + lb + "\n" + string(e.B)},
		{"plus sign", header + "+" + la + "\n" + string(e.A) + lb + "\n" + string(e.B)},
		{"length too short", header + strconv.Itoa(len(e.A)-1) + "\n" + string(e.A) + lb + "\n" + string(e.B)},
		{"length too long", header + strconv.Itoa(len(e.A)+1) + "\n" + string(e.A) + lb + "\n" + string(e.B)},
		{"zero length", header + "0\n" + lb + "\n" + string(e.B)},
		{"space after length", header + la + " \n" + string(e.A) + lb + "\n" + string(e.B)},
		{"note too large", header + strconv.Itoa(len(big)) + "\n" + big + lb + "\n" + string(e.B)},
		{"note without final newline", header + "3\nabc" + lb + "\n" + string(e.B)},
		{"huge length", header + "99999999999999999999\n"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := DecodeEquivocation([]byte(tt.in)); err == nil {
				t.Fatalf("DecodeEquivocation = %q, want an error", got)
			}
		})
	}
	t.Run("largest", func(t *testing.T) {
		n := []byte(big[1:])
		enc := EncodeEquivocation(Equivocation{n, n})
		if len(enc) > MaxEquivocationBytes {
			t.Fatalf("%d bytes, more than MaxEquivocationBytes %d", len(enc), MaxEquivocationBytes)
		}
		if _, err := DecodeEquivocation(enc); err != nil {
			t.Fatalf("DecodeEquivocation of two largest notes: %v", err)
		}
	})
}
