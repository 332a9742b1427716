package transcript

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

func testCheckpoint(size int64) Checkpoint {
	return Checkpoint{Origin: "parley.example/alice/bob", Size: size, Root: tlog.Hash(sha256.Sum256([]byte{byte(size)}))}
}

func mustSign(tb testing.TB, c Checkpoint, k *Key) []byte {
	tb.Helper()
	n, err := Sign(c, k)
	if err != nil {
		tb.Fatalf("Sign: %v", err)
	}
	return n
}

func mustCosign(tb testing.TB, n []byte, signer, witness *Key, now time.Time) []byte {
	tb.Helper()
	out, err := Cosign(n, signer, witness, now)
	if err != nil {
		tb.Fatalf("Cosign: %v", err)
	}
	return out
}

// sigLines returns the signature lines of a note.
func sigLines(n []byte) []string {
	i := bytes.LastIndex(n, []byte("\n\n"))
	lines := strings.SplitAfter(string(n[i+2:]), "\n")
	return lines[:len(lines)-1] // after the final newline
}

// replaceLine returns n with its signature line i replaced by line (with its newline).
func withLines(n []byte, lines ...string) []byte {
	i := bytes.LastIndex(n, []byte("\n\n"))
	var b []byte
	b = append(b, n[:i+2]...)
	for _, l := range lines {
		b = append(b, l...)
	}
	return b
}

// relabel returns a signature line with its key hash replaced and its
// signature bytes transformed by f.
func relabel(tb testing.TB, line string, hash uint32, f func([]byte) []byte) string {
	tb.Helper()
	name, b64, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(line, "— "), "\n"), " ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		tb.Fatal(err)
	}
	sig := f(bytes.Clone(raw[4:]))
	out := binary.BigEndian.AppendUint32(nil, hash)
	out = append(out, sig...)
	return "— " + name + " " + base64.StdEncoding.EncodeToString(out) + "\n"
}

func same(b []byte) []byte { return b }

func TestSignOpen(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	c := testCheckpoint(42)
	n := mustSign(t, c, alice)
	if !bytes.HasPrefix(n, append(c.Body(), '\n')) {
		t.Fatalf("note %q does not start with the body and a blank line", n)
	}
	if got := sigLines(n); len(got) != 1 || !strings.HasPrefix(got[0], "— alice.example ") {
		t.Fatalf("signature lines %q, want one by alice.example", got)
	}
	for _, k := range []*Key{alice, verifyOnly(t, alice)} {
		got, times, err := Open(n, k)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if got != c {
			t.Errorf("Open = %+v, want %+v", got, c)
		}
		if len(times) != 0 {
			t.Errorf("Open times = %v, want none", times)
		}
	}
}

func TestSignRejects(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	tests := []struct {
		name string
		c    Checkpoint
		k    *Key
	}{
		{"empty origin", Checkpoint{Size: 1}, alice},
		{"space in origin", Checkpoint{Origin: "a b", Size: 1}, alice},
		{"negative size", Checkpoint{Origin: "o", Size: -1}, alice},
		{"size at MaxSize", Checkpoint{Origin: "o", Size: MaxSize}, alice},
		{"nil key", testCheckpoint(1), nil},
		{"verify-only key", testCheckpoint(1), verifyOnly(t, alice)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n, err := Sign(tt.c, tt.k); err == nil {
				t.Fatalf("Sign = %q, want an error", n)
			}
		})
	}
}

func TestCosign(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	bob := ed25519Key(t, "bob.example")
	carol := ed25519Key(t, "carol.example")
	c := testCheckpoint(9)
	signed := mustSign(t, c, alice)

	n1 := mustCosign(t, signed, alice, bob, testTime)
	got, times, err := Open(n1, alice, bob)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got != c {
		t.Errorf("Open = %+v, want %+v", got, c)
	}
	if want := map[string]time.Time{"bob.example": testTime}; !equalTimes(times, want) {
		t.Errorf("times = %v, want %v", times, want)
	}
	// Without the witness, its line is an unknown one and ignored.
	if _, times, err := Open(n1, alice); err != nil || len(times) != 0 {
		t.Errorf("Open without witness = %v, %v; want no times, no error", times, err)
	}
	// A witness that has not cosigned is absent from the times.
	if _, times, err := Open(n1, alice, bob, carol); err != nil || !equalTimes(times, map[string]time.Time{"bob.example": testTime}) {
		t.Errorf("Open with an extra witness = %v, %v", times, err)
	}

	later := testTime.Add(time.Hour)
	n2 := mustCosign(t, n1, alice, carol, later)
	n3 := mustCosign(t, n2, alice, bob, later.Add(time.Minute)) // re-cosign replaces bob's line
	if got := len(sigLines(n3)); got != 3 {
		t.Fatalf("%d signature lines after re-cosigning, want 3:\n%s", got, n3)
	}
	if !strings.HasPrefix(sigLines(n3)[0], "— alice.example ") {
		t.Errorf("first signature line is %q, want alice's", sigLines(n3)[0])
	}
	_, times, err = Open(n3, alice, bob, carol)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if want := map[string]time.Time{"bob.example": later.Add(time.Minute), "carol.example": later}; !equalTimes(times, want) {
		t.Errorf("times = %v, want %v", times, want)
	}

	// A key can cosign its own checkpoint: the two lines have the same name
	// but different key hashes.
	self := mustCosign(t, signed, alice, alice, testTime)
	if _, times, err := Open(self, alice, alice); err != nil || !times["alice.example"].Equal(testTime) {
		t.Errorf("Open self-cosigned = %v, %v", times, err)
	}
}

func equalTimes(a, b map[string]time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !w.Equal(v) {
			return false
		}
	}
	return true
}

func TestCosignRejects(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	bob := ed25519Key(t, "bob.example")
	mallory := ed25519Key(t, "mallory.example")
	signed := mustSign(t, testCheckpoint(9), alice)
	tests := []struct {
		name            string
		note            []byte
		signer, witness *Key
		now             time.Time
	}{
		{"signed by another key", mustSign(t, testCheckpoint(9), mallory), alice, bob, testTime},
		{"tampered", bytes.Replace(signed, []byte("\n9\n"), []byte("\n8\n"), 1), alice, bob, testTime},
		{"verify-only witness", signed, alice, verifyOnly(t, bob), testTime},
		{"nil witness", signed, alice, nil, testTime},
		{"nil signer", signed, nil, bob, testTime},
		{"before 1970", signed, alice, bob, time.Unix(-1, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n, err := Cosign(tt.note, tt.signer, tt.witness, tt.now); err == nil {
				t.Fatalf("Cosign = %q, want an error", n)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	bob := ed25519Key(t, "bob.example")
	mallory := ed25519Key(t, "mallory.example")
	aliceImpostor := ed25519Key(t, "alice.example.") // another key...
	aliceImpostor.name = "alice.example"             // ...claiming alice's name

	c := testCheckpoint(9)
	signed := mustSign(t, c, alice)
	cosigned := mustCosign(t, signed, alice, bob, testTime)
	lines := sigLines(cosigned) // alice's signature, bob's cosignature
	other := mustCosign(t, mustSign(t, testCheckpoint(10), alice), alice, bob, testTime)
	otherLines := sigLines(other)
	flip := func(b []byte) []byte { b[len(b)-1] ^= 1; return b }
	flipTime := func(b []byte) []byte { b[7] ^= 1; return b }
	// The same note over another root.
	tamperedRoot := bytes.Replace(signed, c.Body(), Checkpoint{c.Origin, c.Size, tlog.Hash{1}}.Body(), 1)
	bigLine := "— big.example " + base64.StdEncoding.EncodeToString(make([]byte, MaxNoteBytes)) + "\n"

	tests := []struct {
		name      string
		note      []byte
		witnesses []*Key
	}{
		{"tampered size", bytes.Replace(signed, []byte("\n9\n"), []byte("\n8\n"), 1), nil},
		{"tampered origin", bytes.Replace(signed, []byte("alice/bob"), []byte("alice/eve"), 1), nil},
		{"tampered root", tamperedRoot, nil},
		{"signed by another key", mustSign(t, c, mallory), nil},
		{"signed by another key with the same name", mustSign(t, c, aliceImpostor), nil},
		{"no signature lines", append(c.Body(), '\n'), nil},
		{"only a cosignature", withLines(cosigned, lines[1]), []*Key{bob}},
		{"bad signer signature", withLines(signed, relabel(t, lines[0], alice.hashCheck, flip)), nil},
		{"bad signer signature after a good one", withLines(signed, lines[0], relabel(t, lines[0], alice.hashCheck, flip)), nil},
		{"repeated signer line", withLines(signed, lines[0], lines[0]), nil},
		{"bad cosignature", withLines(cosigned, lines[0], relabel(t, lines[1], bob.hashCosign, flip)), []*Key{bob}},
		{"cosignature time altered", withLines(cosigned, lines[0], relabel(t, lines[1], bob.hashCosign, flipTime)), []*Key{bob}},
		{"cosignature too short", withLines(cosigned, lines[0], relabel(t, lines[1], bob.hashCosign, func(b []byte) []byte { return b[:7] })), []*Key{bob}},
		{"cosignature over another checkpoint", withLines(cosigned, lines[0], otherLines[1]), []*Key{bob}},
		{"repeated cosignature", withLines(cosigned, lines[0], lines[1], lines[1]), []*Key{bob}},
		{"too large", withLines(signed, lines[0], bigLine), nil},
		{"non-canonical base64", withLines(signed, nonCanonicalLine(t, lines[0])), nil},
		{"no blank line", bytes.Replace(signed, []byte("\n\n"), []byte("\n"), 1), nil},
		{"empty signature block", append(c.Body(), '\n', '\n'), nil},
		{"no final newline", signed[:len(signed)-1], nil},
		{"CRLF", bytes.ReplaceAll(signed, []byte("\n"), []byte("\r\n")), nil},
		{"text after signatures", append(bytes.Clone(signed), "hello\n"...), nil},
		{"ASCII dash", bytes.Replace(signed, []byte("— "), []byte("- "), 1), nil},
		{"extension line", withExtension(t, c, alice), nil},
		{"witness given twice", cosigned, []*Key{bob, bob}},
		{"nil witness", cosigned, []*Key{nil}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, times, err := Open(tt.note, alice, tt.witnesses...)
			if err == nil {
				t.Fatalf("Open(%q) = %+v, %v; want an error", tt.note, c, times)
			}
			t.Logf("%v", err)
		})
	}
	t.Run("nil signer", func(t *testing.T) {
		if _, _, err := Open(signed, nil); err == nil {
			t.Fatal("Open with nil signer succeeded")
		}
	})
}

// nonCanonicalLine returns line with its base64 padding bits set, which
// lenient base64 decodes to the same bytes.
func nonCanonicalLine(tb testing.TB, line string) string {
	tb.Helper()
	line = strings.TrimSuffix(line, "\n")
	if !strings.HasSuffix(line, "=") {
		tb.Fatalf("line %q has no padding", line)
	}
	trimmed := strings.TrimRight(line, "=")
	last := trimmed[len(trimmed)-1]
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	v := strings.IndexByte(alphabet, last)
	out := trimmed[:len(trimmed)-1] + string(alphabet[v|1]) + line[len(trimmed):]
	if out == line {
		tb.Fatal("line already non-canonical")
	}
	return out + "\n"
}

// withExtension returns a note whose text is c's body with an extension
// line, validly signed by k's raw signing function.
func withExtension(tb testing.TB, c Checkpoint, k *Key) []byte {
	tb.Helper()
	text := append(c.Body(), "extension\n"...)
	sig, err := k.sign(ContextCheckpoint, text)
	if err != nil {
		tb.Fatal(err)
	}
	raw := append(binary.BigEndian.AppendUint32(nil, k.hashCheck), sig...)
	return append(append(text, '\n'), "— "+k.name+" "+base64.StdEncoding.EncodeToString(raw)+"\n"...)
}

func TestOpenIgnoresUnknownLines(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	c := testCheckpoint(3)
	signed := mustSign(t, c, alice)
	lines := sigLines(signed)
	unknown := "— someone.example " + base64.StdEncoding.EncodeToString([]byte("12345678")) + "\n"
	for _, n := range [][]byte{
		withLines(signed, unknown, lines[0]),
		withLines(signed, lines[0], unknown),
		withLines(signed, lines[0], unknown, unknown),
		withLines(signed, relabel(t, lines[0], alice.hashCosign, same), lines[0]), // alice's cosignature key, not a witness here
	} {
		if got, _, err := Open(n, alice); err != nil || got != c {
			t.Errorf("Open(%q) = %+v, %v; want %+v", n, got, err, c)
		}
	}
}

// TestContextSeparation checks that a checkpoint signature never verifies as
// a cosignature and the other way round, even over the same bytes.
func TestContextSeparation(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	bob := ed25519Key(t, "bob.example")
	body := testCheckpoint(5).Body()
	const T = 1700000000
	msg := cosignedMessage(T, body)
	now := func() time.Time { return time.Unix(T, 0) }

	// Positive controls.
	sig, err := alice.Signer().Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	if !alice.Verifier().Verify(body, sig) {
		t.Fatal("checkpoint signature does not verify")
	}
	cosig, err := alice.Cosigner(now).Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	if !alice.CosignatureVerifier().Verify(body, cosig) {
		t.Fatal("cosignature does not verify")
	}
	if got := binary.BigEndian.Uint64(cosig); got != T {
		t.Fatalf("cosignature time %d, want %d", got, T)
	}

	// A checkpoint-context signature over exactly the cosigned message.
	ckOverMsg, err := alice.sign(ContextCheckpoint, msg)
	if err != nil {
		t.Fatal(err)
	}
	if alice.CosignatureVerifier().Verify(body, append(binary.BigEndian.AppendUint64(nil, T), ckOverMsg...)) {
		t.Error("a checkpoint signature verifies as a cosignature")
	}
	// A cosignature presented as a checkpoint signature over its message.
	if alice.Verifier().Verify(msg, cosig[8:]) {
		t.Error("a cosignature verifies as a checkpoint signature")
	}
	if alice.Verifier().Verify(body, cosig[8:]) || alice.Verifier().Verify(body, cosig) {
		t.Error("a cosignature verifies as a checkpoint signature over the body")
	}
	if alice.Verifier().KeyHash() == alice.CosignatureVerifier().KeyHash() {
		t.Error("checkpoint and cosignature key hashes are equal")
	}

	// In notes: alice's checkpoint line relabelled as her cosignature, and
	// the other way round.
	signed := mustSign(t, testCheckpoint(5), alice)
	line := sigLines(signed)[0]
	asCosig := withLines(signed, relabel(t, line, alice.hashCosign, func(b []byte) []byte {
		return append(binary.BigEndian.AppendUint64(nil, T), b...)
	}))
	if _, _, err := Open(withLines(asCosig, sigLines(mustSign(t, testCheckpoint(5), bob))[0], sigLines(asCosig)[0]), bob, alice); err == nil {
		t.Error("a checkpoint signature line relabelled as a cosignature opens")
	}
	cosigned := mustCosign(t, mustSign(t, testCheckpoint(5), bob), bob, alice, time.Unix(T, 0))
	cline := sigLines(cosigned)[1]
	asCheck := withLines(signed, relabel(t, cline, alice.hashCheck, func(b []byte) []byte { return b[8:] }))
	if _, _, err := Open(asCheck, alice); err == nil {
		t.Error("a cosignature line relabelled as a checkpoint signature opens")
	}
}

func TestSignersRefuse(t *testing.T) {
	alice := ed25519Key(t, "alice.example")
	now := func() time.Time { return testTime }
	for _, text := range []string{"hello\n", "", "o\n1\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\nextra\n"} {
		if _, err := alice.Signer().Sign([]byte(text)); err == nil {
			t.Errorf("Signer().Sign(%q) succeeded", text)
		}
		if _, err := alice.Cosigner(now).Sign([]byte(text)); err == nil {
			t.Errorf("Cosigner().Sign(%q) succeeded", text)
		}
	}
	if _, err := alice.Cosigner(func() time.Time { return time.Unix(-5, 0) }).Sign(testCheckpoint(1).Body()); err == nil {
		t.Error("Cosigner before 1970 succeeded")
	}
	if _, err := verifyOnly(t, alice).Signer().Sign(testCheckpoint(1).Body()); err == nil {
		t.Error("verify-only Signer succeeded")
	}
}

func TestNewKey(t *testing.T) {
	verify := func(string, []byte, []byte) bool { return false }
	pub := []byte{1, 2, 3}
	tests := []struct {
		name, keyName string
		pub           []byte
		verify        func(string, []byte, []byte) bool
		ok            bool
	}{
		{"good", "parley.example/node", pub, verify, true},
		{"all printable but plus", "!~*-._/:@", pub, verify, true},
		{"empty name", "", pub, verify, false},
		{"space", "a b", pub, verify, false},
		{"plus", "a+b", pub, verify, false},
		{"non-ASCII", "caf\u00e9", pub, verify, false},
		{"newline", "a\n", pub, verify, false},
		{"long name", strings.Repeat("n", 256), pub, verify, false},
		{"empty public key", "n", nil, verify, false},
		{"nil verify", "n", pub, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := NewKey(tt.keyName, tt.pub, nil, tt.verify)
			if (err == nil) != tt.ok {
				t.Fatalf("NewKey: %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && k.Name() != tt.keyName {
				t.Fatalf("Name() = %q, want %q", k.Name(), tt.keyName)
			}
		})
	}
	t.Run("public key copied", func(t *testing.T) {
		p := []byte{1, 2, 3}
		k, _ := NewKey("n", p, nil, verify)
		h := k.Verifier().KeyHash()
		p[0] = 9
		k2, _ := NewKey("n", []byte{1, 2, 3}, nil, verify)
		if k2.Verifier().KeyHash() != h {
			t.Fatal("key hash changed with the caller's slice")
		}
	})
}
