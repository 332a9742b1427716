package transcript

import (
	"bytes"
	"testing"
)

func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("parley.example/alice.example/bob.example\n7\npGuiJzCezVQElmVZecPQb9Ykh8gnuqEE7A7uvQ1lhvg=\n"))
	f.Add([]byte("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Add([]byte("o\n4611686018427387903\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Add([]byte("o\n07\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Add([]byte("o\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n"))
	f.Add([]byte("o\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ParseCheckpoint(body)
		if err != nil {
			return
		}
		if got := c.Body(); !bytes.Equal(got, body) {
			t.Fatalf("ParseCheckpoint(%q) = %+v, whose Body is %q", body, c, got)
		}
		if err := c.check(); err != nil {
			t.Fatalf("accepted checkpoint %+v fails check: %v", c, err)
		}
	})
}

func FuzzOpen(f *testing.F) {
	alice := ed25519Key(f, "alice.example")
	bob := ed25519Key(f, "bob.example")
	carol := ed25519Key(f, "carol.example")
	signed := mustSign(f, testCheckpoint(9), alice)
	cosigned := mustCosign(f, signed, alice, bob, testTime)
	f.Add(signed)
	f.Add(cosigned)
	f.Add(mustCosign(f, cosigned, alice, carol, testTime))
	f.Add(mustSign(f, testCheckpoint(9), bob))
	f.Add(append(bytes.Clone(cosigned), "— x.example AAAAAAAA\n"...))
	f.Add([]byte("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— alice.example AAAAAAAA\n"))
	f.Fuzz(func(t *testing.T, note []byte) {
		c, times, err := Open(note, alice, bob)
		if err != nil {
			return
		}
		// Accepted notes verify again, by the signer alone, and keep
		// verifying after another witness cosigns them.
		if c2, _, err := Open(note, alice); err != nil || c2 != c {
			t.Fatalf("accepted note does not reopen by its signer: %+v, %v", c2, err)
		}
		if !bytes.HasPrefix(note, append(c.Body(), '\n')) {
			t.Fatalf("accepted note %q does not start with the body of %+v", note, c)
		}
		more, err := Cosign(note, alice, carol, testTime)
		if err != nil {
			if len(note)+200 < MaxNoteBytes {
				t.Fatalf("Cosign of an accepted note: %v", err)
			}
			return
		}
		c3, times3, err := Open(more, alice, bob, carol)
		if err != nil || c3 != c {
			t.Fatalf("cosigned accepted note does not open: %+v, %v", c3, err)
		}
		if !times3["carol.example"].Equal(testTime) || !times3["bob.example"].Equal(times["bob.example"]) {
			t.Fatalf("times after cosigning %v, before %v", times3, times)
		}
	})
}

func FuzzDecodeEquivocation(f *testing.F) {
	alice := ed25519Key(f, "alice.example")
	c := testCheckpoint(9)
	fork := c
	fork.Root[0] ^= 1
	f.Add(EncodeEquivocation(Equivocation{mustSign(f, c, alice), mustSign(f, fork, alice)}))
	f.Add([]byte("parley equivocation evidence v1\n2\na\n2\nb\n"))
	f.Add([]byte("parley equivocation evidence v1\n02\na\n2\nb\n"))
	f.Add([]byte("parley equivocation evidence v1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEquivocation(b)
		if err != nil {
			return
		}
		if got := EncodeEquivocation(e); !bytes.Equal(got, b) {
			t.Fatalf("DecodeEquivocation(%q) re-encodes as %q", b, got)
		}
		_ = CheckEquivocation(e, alice) // must not panic
	})
}
