package transcript

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestProofsVerify(t *testing.T) {
	const maxN = 70
	m := memLog(t, maxN)
	roots := make([]tlog.Hash, maxN+1)
	for n := range roots {
		var err error
		if roots[n], err = m.Root(int64(n)); err != nil {
			t.Fatal(err)
		}
	}
	for size := int64(1); size <= maxN; size++ {
		for i := range size {
			p, err := m.Inclusion(i, size)
			if err != nil {
				t.Fatalf("Inclusion(%d, %d): %v", i, size, err)
			}
			if err := VerifyInclusion(entry(int(i)), p, roots[size]); err != nil {
				t.Fatalf("VerifyInclusion(%d, %d): %v", i, size, err)
			}
		}
	}
	for size := int64(0); size <= maxN; size++ {
		for old := int64(0); old <= size; old++ {
			p, err := m.Consistency(old, size)
			if err != nil {
				t.Fatalf("Consistency(%d, %d): %v", old, size, err)
			}
			if err := VerifyConsistency(old, roots[old], size, roots[size], p); err != nil {
				t.Fatalf("VerifyConsistency(%d, %d): %v", old, size, err)
			}
		}
	}
}

// alterations returns copies of p with one hash altered, one hash removed,
// and one hash added, each in every position.
func alterations(p []tlog.Hash) map[string][]tlog.Hash {
	out := map[string][]tlog.Hash{}
	for i := range p {
		q := slices.Clone(p)
		q[i][31] ^= 1
		out["hash "+strconv.Itoa(i)+" altered"] = q
		out["hash "+strconv.Itoa(i)+" removed"] = slices.Delete(slices.Clone(p), i, i+1)
	}
	for i := 0; i <= len(p); i++ {
		out["hash inserted at "+strconv.Itoa(i)] = slices.Insert(slices.Clone(p), i, p[0])
	}
	return out
}

func TestInclusionFails(t *testing.T) {
	m := memLog(t, 40)
	const index, size = 13, 37
	root, _ := m.Root(size)
	good, err := m.Inclusion(index, size)
	if err != nil {
		t.Fatal(err)
	}
	if len(good.Hashes) < 2 {
		t.Fatalf("proof has %d hashes; pick a larger tree", len(good.Hashes))
	}
	other, _ := m.Root(size + 1)
	tests := []struct {
		name  string
		entry [32]byte
		p     InclusionProof
		root  tlog.Hash
	}{
		{"wrong entry", entry(index + 1), good, root},
		{"wrong index", entry(index), InclusionProof{index + 1, size, good.Hashes}, root},
		{"index before", entry(index), InclusionProof{index - 1, size, good.Hashes}, root},
		{"wrong size", entry(index), InclusionProof{index, size + 1, good.Hashes}, other},
		{"smaller size", entry(index), InclusionProof{index, 20, good.Hashes}, root},
		{"larger size", entry(index), InclusionProof{index, 70, good.Hashes}, root},
		{"wrong root", entry(index), good, other},
		{"zero root", entry(index), good, tlog.Hash{}},
		{"negative index", entry(index), InclusionProof{-1, size, good.Hashes}, root},
		{"index at size", entry(index), InclusionProof{size, size, good.Hashes}, root},
		{"size at MaxSize", entry(index), InclusionProof{index, MaxSize, good.Hashes}, root},
		{"no hashes", entry(index), InclusionProof{index, size, nil}, root},
		{"huge proof", entry(index), InclusionProof{index, size, make([]tlog.Hash, 1000)}, root},
	}
	for name, hs := range alterations(good.Hashes) {
		tests = append(tests, struct {
			name  string
			entry [32]byte
			p     InclusionProof
			root  tlog.Hash
		}{name, entry(index), InclusionProof{index, size, hs}, root})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyInclusion(tt.entry, tt.p, tt.root)
			if !errors.Is(err, ErrProof) {
				t.Fatalf("VerifyInclusion = %v, want ErrProof", err)
			}
		})
	}
}

func TestConsistencyFails(t *testing.T) {
	m := memLog(t, 40)
	const old, size = 20, 37
	oldRoot, _ := m.Root(old)
	root, _ := m.Root(size)
	good, err := m.Consistency(old, size)
	if err != nil {
		t.Fatal(err)
	}
	if len(good) < 2 {
		t.Fatalf("proof has %d hashes; pick other sizes", len(good))
	}
	otherOld, _ := m.Root(old + 1)
	otherNew, _ := m.Root(size + 1)
	empty, _ := m.Root(0)
	type tc struct {
		name    string
		old     int64
		oldRoot tlog.Hash
		size    int64
		root    tlog.Hash
		p       tlog.TreeProof
	}
	tests := []tc{
		{"wrong old size", old + 1, otherOld, size, root, good},
		{"wrong old size, same root", old + 1, oldRoot, size, root, good},
		{"wrong old root", old, otherOld, size, root, good},
		{"wrong size", old, oldRoot, size + 1, otherNew, good},
		{"wrong root", old, oldRoot, size, otherNew, good},
		{"swapped", size, root, old, oldRoot, good},
		{"negative old", -1, oldRoot, size, root, good},
		{"size at MaxSize", old, oldRoot, MaxSize, root, good},
		{"no hashes", old, oldRoot, size, root, nil},
		{"huge proof", old, oldRoot, size, root, make(tlog.TreeProof, 1000)},
		{"same size, different roots", size, otherNew, size, root, nil},
		{"from empty with hashes", 0, empty, size, root, good},
		{"from empty with wrong root", 0, oldRoot, size, root, nil},
		{"empty to empty with wrong root", 0, empty, 0, root, nil},
	}
	for name, hs := range alterations(good) {
		tests = append(tests, tc{name, old, oldRoot, size, root, hs})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyConsistency(tt.old, tt.oldRoot, tt.size, tt.root, tt.p)
			if !errors.Is(err, ErrProof) {
				t.Fatalf("VerifyConsistency = %v, want ErrProof", err)
			}
		})
	}
}

func TestProveOutOfRange(t *testing.T) {
	m := memLog(t, 10)
	if _, err := ProveInclusion(0, MaxSize, m); err == nil {
		t.Error("ProveInclusion(0, MaxSize) succeeded")
	}
	if _, err := ProveConsistency(-1, 5, m); err == nil {
		t.Error("ProveConsistency(-1, 5) succeeded")
	}
	if _, err := ProveInclusion(3, 20, m); err == nil {
		t.Error("ProveInclusion past the log succeeded")
	}
}
