package federation

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// batchVector is one known answer: items and their exact batch encoding.
type batchVector struct {
	Name  string   `json:"name"`
	Items []string `json:"items"` // hex
	Batch string   `json:"batch"` // hex
}

// TestBatchVectors checks EncodeBatch and DecodeBatch against the
// known-answer vectors in testdata/batch-vectors.json, in both directions.
func TestBatchVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/batch-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []batchVector
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&vs); err != nil {
		t.Fatalf("batch-vectors.json: %v", err)
	}
	if len(vs) == 0 {
		t.Fatal("batch-vectors.json holds no vectors")
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			items := make([][]byte, len(v.Items))
			for i, h := range v.Items {
				items[i] = unhex(t, h)
			}
			want := unhex(t, v.Batch)
			if got := EncodeBatch(items); !bytes.Equal(got, want) {
				t.Errorf("EncodeBatch = %x, want %x", got, want)
			}
			got, err := DecodeBatch(want, 1<<20)
			if err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			if !equalItems(got, items) {
				t.Errorf("DecodeBatch = %x, want %x", got, items)
			}
		})
	}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func equalItems(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestBatchRoundTrip decodes what EncodeBatch produced, up to the limits.
func TestBatchRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		items   [][]byte
		maxItem int
	}{
		{"one item", [][]byte{[]byte("envelope")}, 1 << 10},
		{"one empty item", [][]byte{{}}, 1 << 10},
		{"empty item under a zero limit", [][]byte{{}}, 0},
		{"items of several sizes", [][]byte{[]byte("a"), {}, bytes.Repeat([]byte{0xaa}, 1000), []byte("PRLB")}, 1 << 10},
		{"item exactly at the limit", [][]byte{bytes.Repeat([]byte{7}, 512)}, 512},
		{"MaxBatchItems items", repeatItems(MaxBatchItems, []byte{1, 2}), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := EncodeBatch(tc.items)
			wantLen := 9
			for _, it := range tc.items {
				wantLen += 4 + len(it)
			}
			if len(b) != wantLen {
				t.Errorf("len(EncodeBatch) = %d, want %d", len(b), wantLen)
			}
			got, err := DecodeBatch(b, tc.maxItem)
			if err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			if !equalItems(got, tc.items) {
				t.Fatalf("DecodeBatch returned other items than were encoded")
			}
			// Items alias the body; appending to one must not overwrite
			// the framing or the next item.
			before := bytes.Clone(b)
			for i := range got {
				_ = append(got[i], 0xee)
			}
			if !bytes.Equal(b, before) {
				t.Errorf("appending to a decoded item changed the body")
			}
		})
	}
}

func repeatItems(n int, it []byte) [][]byte {
	items := make([][]byte, n)
	for i := range items {
		items[i] = it
	}
	return items
}

// TestDecodeBatchRefused checks each way a batch body can be malformed, and
// the exact message a peer is sent for it.
func TestDecodeBatchRefused(t *testing.T) {
	valid := EncodeBatch([][]byte{[]byte("abc"), []byte("defg")}) // 9 + 7 + 8 = 24 bytes
	withCount := func(n uint32) []byte {
		b := bytes.Clone(valid)
		binary.BigEndian.PutUint32(b[5:9], n)
		return b
	}
	tests := []struct {
		name    string
		body    []byte
		maxItem int
		want    string
	}{
		{"empty", nil, 10, "malformed batch: bad magic"},
		{"shorter than the framing", valid[:8], 10, "malformed batch: bad magic"},
		{"bad magic", append([]byte("PRLY"), valid[4:]...), 10, "malformed batch: bad magic"},
		{"unknown version", append([]byte("PRLB\x02"), valid[5:]...), 10, "malformed batch: unknown batch version 2"},
		{"zero items", EncodeBatch(nil), 10, "malformed batch: 0 items (want 1 to 4096)"},
		{"MaxBatchItems+1 items", EncodeBatch(repeatItems(MaxBatchItems+1, nil)), 10, "malformed batch: 4097 items (want 1 to 4096)"},
		{"huge count, no items", []byte("PRLB\x01\xff\xff\xff\xff"), 10, "malformed batch: 4294967295 items (want 1 to 4096)"},
		{"count larger than the items", withCount(3), 10, "malformed batch: truncated at item 2"},
		{"count smaller than the items", withCount(1), 10, "malformed batch: 8 bytes of trailing data"},
		{"item over maxItem", valid, 3, "malformed batch: item 1 is 4 bytes, the limit is 3"},
		{"item over a negative maxItem", valid, -1, "malformed batch: item 0 is 3 bytes, the limit is -1"},
		{"length prefix over maxItem", []byte("PRLB\x01\x00\x00\x00\x01\xff\xff\xff\xff"), 10, "malformed batch: item 0 is 4294967295 bytes, the limit is 10"},
		{"truncated length prefix", valid[:11], 10, "malformed batch: truncated at item 0"},
		{"truncated second length prefix", valid[:18], 10, "malformed batch: truncated at item 1"},
		{"truncated item", valid[:len(valid)-1], 10, "malformed batch: truncated at item 1"},
		{"length prefix past the end", []byte("PRLB\x01\x00\x00\x00\x01\x00\x00\x00\x05abc"), 10, "malformed batch: truncated at item 0"},
		{"one trailing byte", append(bytes.Clone(valid), 0), 10, "malformed batch: 1 bytes of trailing data"},
		{"a second batch appended", append(bytes.Clone(valid), valid...), 10, "malformed batch: 24 bytes of trailing data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := DecodeBatch(tc.body, tc.maxItem)
			if err == nil {
				t.Fatalf("DecodeBatch accepted %x as %d items", tc.body, len(items))
			}
			if items != nil {
				t.Errorf("DecodeBatch returned items with an error")
			}
			if !errors.Is(err, ErrBatch) {
				t.Errorf("error %v does not wrap ErrBatch", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q, want %q", err, tc.want)
			}
		})
	}
}
