package transcript

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

var update = flag.Bool("update", false, "rewrite testdata/checkpoint_v1.json")

const vectorsFile = "testdata/checkpoint_v1.json"

// vectors is the layout of testdata/checkpoint_v1.json. Hashes and keys are
// in hex; notes and bodies are text.
type vectors struct {
	Comment          string      `json:"comment"`
	SignatureScheme  string      `json:"signature_scheme"`
	Signer           vectorKey   `json:"signer"`
	Witness          vectorKey   `json:"witness"`
	Entries          []string    `json:"entries"`
	LeafHashes       []string    `json:"leaf_hashes"`
	Roots            []string    `json:"roots"`
	Checkpoint       vectorCheck `json:"checkpoint"`
	Body             string      `json:"body"`
	SignedNote       string      `json:"signed_note"`
	CosignatureTime  int64       `json:"cosignature_time"`
	CosignedMessage  string      `json:"cosigned_message"`
	CosignedNote     string      `json:"cosigned_note"`
	InclusionProof   vectorProof `json:"inclusion_proof"`
	ConsistencyProof vectorProof `json:"consistency_proof"`
}

type vectorKey struct {
	Name               string `json:"name"`
	Seed               string `json:"ed25519_seed"`
	PublicKey          string `json:"public_key"`
	CheckpointKeyHash  string `json:"checkpoint_key_hash"`
	CosignatureKeyHash string `json:"cosignature_key_hash"`
}

type vectorCheck struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"`
}

type vectorProof struct {
	Index  int64    `json:"index,omitempty"`
	Old    int64    `json:"old,omitempty"`
	Size   int64    `json:"size"`
	Hashes []string `json:"hashes"`
}

func hexHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}

func makeVectorKey(k *Key) vectorKey {
	return vectorKey{
		Name:               k.Name(),
		Seed:               hex.EncodeToString(testSeed(k.Name())),
		PublicKey:          hex.EncodeToString(k.publicKey),
		CheckpointKeyHash:  fmt.Sprintf("%08x", k.Verifier().KeyHash()),
		CosignatureKeyHash: fmt.Sprintf("%08x", k.CosignatureVerifier().KeyHash()),
	}
}

func generateVectors(t *testing.T) vectors {
	t.Helper()
	signer := ed25519Key(t, "alice.example/parley")
	witness := ed25519Key(t, "bob.example/parley")
	const n = 7
	m := new(MemoryLog)
	v := vectors{
		Comment: "Parley transcript test vectors v1. Entries are SHA-256 of the ASCII strings \"entry 0\" to \"entry 6\"; " +
			"roots[i] is the RFC 6962 root of the first i entries; key hashes are big-endian hex uint32; see package transcript's doc.go.",
		SignatureScheme: "Ed25519ctx (RFC 8032) with the context string as its context, standing in for Parley's hybrid scheme; key seeds are SHA-256(\"parley transcript test key \" || name)",
		Signer:          makeVectorKey(signer),
		Witness:         makeVectorKey(witness),
	}
	root, _ := m.Root(0)
	v.Roots = append(v.Roots, hex.EncodeToString(root[:]))
	for i := range n {
		e := entry(i)
		if err := m.Append(e); err != nil {
			t.Fatal(err)
		}
		l := LeafHash(e)
		root, err := m.Root(int64(i + 1))
		if err != nil {
			t.Fatal(err)
		}
		v.Entries = append(v.Entries, hex.EncodeToString(e[:]))
		v.LeafHashes = append(v.LeafHashes, hex.EncodeToString(l[:]))
		v.Roots = append(v.Roots, hex.EncodeToString(root[:]))
	}
	root, _ = m.Root(n)
	c := Checkpoint{Origin: "parley.example/alice.example/bob.example", Size: n, Root: root}
	v.Checkpoint = vectorCheck{c.Origin, c.Size, hex.EncodeToString(c.Root[:])}
	v.Body = string(c.Body())
	signed := mustSign(t, c, signer)
	v.SignedNote = string(signed)
	tm := time.Unix(1767225600, 0) // 2026-01-01T00:00:00Z
	v.CosignatureTime = tm.Unix()
	v.CosignedMessage = string(cosignedMessage(uint64(tm.Unix()), c.Body()))
	v.CosignedNote = string(mustCosign(t, signed, signer, witness, tm))
	ip, err := m.Inclusion(3, n)
	if err != nil {
		t.Fatal(err)
	}
	v.InclusionProof = vectorProof{Index: ip.Index, Size: ip.Size, Hashes: hexHashes(ip.Hashes)}
	cp, err := m.Consistency(3, n)
	if err != nil {
		t.Fatal(err)
	}
	v.ConsistencyProof = vectorProof{Old: 3, Size: n, Hashes: hexHashes(cp)}
	return v
}

func TestVectors(t *testing.T) {
	v := generateVectors(t)
	got, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(vectorsFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatalf("%v (run go test -run TestVectors -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("generated vectors differ from %s (if the change is intended, run with -update):\n%s", vectorsFile, got)
	}
}

// TestVectorsVerify verifies the stored vectors using only what they contain
// and the package's verification functions, as a third party would.
func TestVectorsVerify(t *testing.T) {
	b, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	signer, witness := keyFromVector(t, v.Signer), keyFromVector(t, v.Witness)
	for i, e := range v.Entries {
		if want := sha256.Sum256([]byte("entry " + strconv.Itoa(i))); hex.EncodeToString(want[:]) != e {
			t.Errorf("entry %d = %s, want SHA-256(\"entry %d\")", i, e, i)
		}
		l := LeafHash(hash32(t, e))
		if hex.EncodeToString(l[:]) != v.LeafHashes[i] {
			t.Errorf("leaf hash %d = %x, want %s", i, l, v.LeafHashes[i])
		}
	}
	c, times, err := Open([]byte(v.CosignedNote), signer, witness)
	if err != nil {
		t.Fatalf("Open(cosigned note): %v", err)
	}
	if got := times[witness.Name()].Unix(); got != v.CosignatureTime {
		t.Errorf("cosignature time %d, want %d", got, v.CosignatureTime)
	}
	if string(c.Body()) != v.Body || hex.EncodeToString(c.Root[:]) != v.Roots[c.Size] {
		t.Errorf("checkpoint %+v does not match body %q and roots", c, v.Body)
	}
	if _, _, err := Open([]byte(v.SignedNote), signer); err != nil {
		t.Errorf("Open(signed note): %v", err)
	}
	manualVerify(t, v)
	ip := v.InclusionProof
	if err := VerifyInclusion(hash32(t, v.Entries[ip.Index]), InclusionProof{ip.Index, ip.Size, tlogHashes(t, ip.Hashes)}, tlog.Hash(hash32(t, v.Roots[ip.Size]))); err != nil {
		t.Errorf("inclusion proof: %v", err)
	}
	cp := v.ConsistencyProof
	if err := VerifyConsistency(cp.Old, tlog.Hash(hash32(t, v.Roots[cp.Old])), cp.Size, tlog.Hash(hash32(t, v.Roots[cp.Size])), tlogHashes(t, cp.Hashes)); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
}

func keyFromVector(t *testing.T, vk vectorKey) *Key {
	t.Helper()
	seed, err := hex.DecodeString(vk.Seed)
	if err != nil {
		t.Fatal(err)
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	if hex.EncodeToString(pub) != vk.PublicKey {
		t.Fatalf("public key of %s does not match its seed", vk.Name)
	}
	k, err := NewKey(vk.Name, pub, nil, func(context string, msg, sig []byte) bool {
		return ed25519.VerifyWithOptions(pub, msg, sig, &ed25519.Options{Context: context}) == nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%08x", k.Verifier().KeyHash()); got != vk.CheckpointKeyHash {
		t.Errorf("checkpoint key hash of %s = %s, want %s", vk.Name, got, vk.CheckpointKeyHash)
	}
	if got := fmt.Sprintf("%08x", k.CosignatureVerifier().KeyHash()); got != vk.CosignatureKeyHash {
		t.Errorf("cosignature key hash of %s = %s, want %s", vk.Name, got, vk.CosignatureKeyHash)
	}
	return k
}

func hash32(t *testing.T, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hash %q", s)
	}
	return [32]byte(b)
}

func tlogHashes(t *testing.T, ss []string) []tlog.Hash {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		out[i] = hash32(t, s)
	}
	return out
}

// manualVerify checks the notes' signature lines by hand from the format in
// doc.go, without this package's Key, Open or note.Open.
func manualVerify(t *testing.T, v vectors) {
	t.Helper()
	pub := func(k vectorKey) ed25519.PublicKey {
		b, _ := hex.DecodeString(k.PublicKey)
		return b
	}
	keyHash := func(k vectorKey, alg byte) string {
		h := sha256.Sum256(append(append([]byte(k.Name+"\n"), alg), pub(k)...))
		return hex.EncodeToString(h[:4])
	}
	for _, k := range []vectorKey{v.Signer, v.Witness} {
		if got := keyHash(k, 0x50); got != k.CheckpointKeyHash {
			t.Errorf("%s: checkpoint key hash %s, computed %s", k.Name, k.CheckpointKeyHash, got)
		}
		if got := keyHash(k, 0x51); got != k.CosignatureKeyHash {
			t.Errorf("%s: cosignature key hash %s, computed %s", k.Name, k.CosignatureKeyHash, got)
		}
	}
	text, sigs, ok := strings.Cut(v.CosignedNote, "\n\n")
	if !ok || text+"\n" != v.Body {
		t.Fatalf("cosigned note does not start with the body and a blank line")
	}
	lines := strings.Split(strings.TrimSuffix(sigs, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("cosigned note has %d signature lines, want 2", len(lines))
	}
	line := func(i int, k vectorKey) []byte {
		rest, ok := strings.CutPrefix(lines[i], "\u2014 "+k.Name+" ")
		if !ok {
			t.Fatalf("line %d is not by %s: %q", i, k.Name, lines[i])
		}
		b, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sig := line(0, v.Signer)
	if hex.EncodeToString(sig[:4]) != v.Signer.CheckpointKeyHash {
		t.Errorf("signer line key hash %x", sig[:4])
	}
	if ed25519.VerifyWithOptions(pub(v.Signer), []byte(v.Body), sig[4:], &ed25519.Options{Context: "parley/v1/checkpoint"}) != nil {
		t.Error("signer line does not verify by hand")
	}
	cosig := line(1, v.Witness)
	if hex.EncodeToString(cosig[:4]) != v.Witness.CosignatureKeyHash {
		t.Errorf("witness line key hash %x", cosig[:4])
	}
	T := binary.BigEndian.Uint64(cosig[4:12])
	msg := "cosignature/v1\ntime " + strconv.FormatUint(T, 10) + "\n" + v.Body
	if int64(T) != v.CosignatureTime || msg != v.CosignedMessage {
		t.Errorf("cosignature time %d, message %q", T, msg)
	}
	if ed25519.VerifyWithOptions(pub(v.Witness), []byte(msg), cosig[12:], &ed25519.Options{Context: "parley/v1/cosignature"}) != nil {
		t.Error("witness line does not verify by hand")
	}
}
