package opendoorcrypto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/cryptotest"
)

var update = flag.Bool("update", false, "rewrite the known-answer vectors in testdata/")

// deriveVector is one known answer of Derive.
type deriveVector struct {
	Codename      string `json:"codename"`
	Time          uint32 `json:"time"`
	MemoryKiB     uint32 `json:"memory_kib"`
	Threads       uint8  `json:"threads"`
	Lookup        string `json:"lookup"`
	Verifier      string `json:"verifier"`
	ReplyKeySHA   string `json:"reply_public_key_sha256"`
	ReplyKeyStart string `json:"reply_public_key_first_32"`
}

func deriveCases() []deriveVector {
	return []deriveVector{
		{Codename: "otter bamboo cliff anchor velvet maple harbor quill", Time: 3, MemoryKiB: 64 << 10, Threads: 1},
		{Codename: "  Otter-Bamboo CLIFF anchor velvet maple harbor quill\n", Time: 3, MemoryKiB: 64 << 10, Threads: 1},
		{Codename: "otter bamboo cliff anchor velvet maple harbor quilt", Time: 1, MemoryKiB: 8 << 10, Threads: 1},
		{Codename: "", Time: 1, MemoryKiB: 8 << 10, Threads: 1},
	}
}

func fillDerive(t *testing.T, v *deriveVector) {
	c, err := Derive(v.Codename, Params{v.Time, v.MemoryKiB, v.Threads})
	if err != nil {
		t.Fatal(err)
	}
	pub := c.ReplyKey().Public().Bytes()
	sum := sha256.Sum256(pub)
	v.Lookup, v.Verifier = hex.EncodeToString(c.Lookup[:]), hex.EncodeToString(c.Verifier[:])
	v.ReplyKeySHA, v.ReplyKeyStart = hex.EncodeToString(sum[:]), hex.EncodeToString(pub[:32])
}

func TestDeriveVectors(t *testing.T) {
	path := filepath.Join("testdata", "derive_v1.json")
	if *update {
		vs := deriveCases()
		for i := range vs {
			fillDerive(t, &vs[i])
		}
		writeJSON(t, path, vs)
	}
	var vs []deriveVector
	readJSON(t, path, &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, want := range vs {
		got := want
		fillDerive(t, &got)
		if got != want {
			t.Errorf("Derive(%q, %d/%d/%d):\n got %+v\nwant %+v", want.Codename, want.Time, want.MemoryKiB, want.Threads, got, want)
		}
	}
	// Normalisation: vectors 0 and 1 are the same codename typed twice.
	if vs[0].Lookup != vs[1].Lookup || vs[0].Verifier != vs[1].Verifier || vs[0].ReplyKeySHA != vs[1].ReplyKeySHA {
		t.Error("the same codename typed differently derives different credentials")
	}
	if vs[0].Lookup == vs[2].Lookup {
		t.Error("different codenames derive the same lookup key")
	}
}

// itemVector is one known answer of the item format: SealItem's output under
// a fixed random source, which OpenItem must open.
type itemVector struct {
	RandomSeed uint64 `json:"random_seed"` // testing/cryptotest.SetGlobalRandom
	PrivateKey string `json:"private_key_seed"`
	ID         string `json:"id"`
	Kind       Kind   `json:"kind"`
	Plaintext  string `json:"plaintext"`
	Body       string `json:"body"`
	Wrapped    string `json:"wrapped_key"`
}

func TestItemVectors(t *testing.T) {
	path := filepath.Join("testdata", "item_v1.json")
	seal := func(t *testing.T, v *itemVector) {
		k, err := NewPrivateKey(mustHex(t, v.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		id, err := ParseItemID(v.ID)
		if err != nil {
			t.Fatal(err)
		}
		cryptotest.SetGlobalRandom(t, v.RandomSeed)
		body, wrapped, err := SealItem(id, v.Kind, mustHex(t, v.Plaintext), k.Public())
		if err != nil {
			t.Fatal(err)
		}
		v.Body, v.Wrapped = hex.EncodeToString(body), hex.EncodeToString(wrapped[0])
	}
	if *update {
		content := &Content{Text: "The invoices are forged; see the attached ledger.", Files: []File{{Name: "ledger.csv", Type: "text/csv", Data: []byte("date,amount\n2026-01-02,1200\n")}}}
		vs := []itemVector{
			{RandomSeed: 1, PrivateKey: hex.EncodeToString(bytes.Repeat([]byte{0x42}, 32)), ID: "000102030405060708090a0b0c0d0e0f", Kind: KindSubmission, Plaintext: hex.EncodeToString(content.Marshal())},
			{RandomSeed: 2, PrivateKey: hex.EncodeToString(bytes.Repeat([]byte{0x07}, 32)), ID: "f0e0d0c0b0a090807060504030201000", Kind: KindReply, Plaintext: hex.EncodeToString((&Content{Text: "Thank you. We have read it."}).Marshal())},
		}
		for i := range vs {
			t.Run("seal", func(t *testing.T) { seal(t, &vs[i]) })
		}
		writeJSON(t, path, vs)
	}
	var vs []itemVector
	readJSON(t, path, &vs)
	for _, want := range vs {
		t.Run(want.ID, func(t *testing.T) {
			k, err := NewPrivateKey(mustHex(t, want.PrivateKey))
			if err != nil {
				t.Fatal(err)
			}
			id, _ := ParseItemID(want.ID)
			pt, err := OpenItem(id, want.Kind, mustHex(t, want.Body), mustHex(t, want.Wrapped), k)
			if err != nil {
				t.Fatalf("OpenItem: %v", err)
			}
			if hex.EncodeToString(pt) != want.Plaintext {
				t.Errorf("OpenItem = %x, want %s", pt, want.Plaintext)
			}
			if _, err := ParseContent(pt); err != nil {
				t.Errorf("the plaintext is not a content encoding: %v", err)
			}
			// Sealing again with the same randomness gives the same bytes:
			// the format is fully specified by docs/opendoor.md.
			got := want
			seal(t, &got)
			if got != want {
				t.Errorf("SealItem with random seed %d:\n got body %s…\nwant body %s…", want.RandomSeed, got.Body[:32], want.Body[:32])
			}
		})
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with go test -run Vectors -update)", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
