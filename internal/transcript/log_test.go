package transcript

import (
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// referenceRoot computes the RFC 6962 tree hash (MTH) of leaf hashes
// recursively from its definition, independently of tlog's stored layout.
func referenceRoot(leaves []tlog.Hash) tlog.Hash {
	switch len(leaves) {
	case 0:
		return emptyRoot
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return tlog.NodeHash(referenceRoot(leaves[:k]), referenceRoot(leaves[k:]))
}

// mapStore is a stand-in for a database table of stored hashes.
type mapStore map[int64]tlog.Hash

func (s mapStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := s[x]
		if !ok {
			return nil, errors.New("missing stored hash")
		}
		out[i] = h
	}
	return out, nil
}

func TestAppender(t *testing.T) {
	const maxN = 300
	leaves := make([]tlog.Hash, maxN)
	roots := make([]tlog.Hash, maxN+1)
	roots[0] = referenceRoot(nil)
	for i := range leaves {
		leaves[i] = LeafHash(entry(i))
		roots[i+1] = referenceRoot(leaves[:i+1])
	}
	ref := memLog(t, maxN)
	if got, want := roots[0], tlog.Hash(sha256.Sum256(nil)); got != want {
		t.Fatalf("empty root = %v, want %v", got, want)
	}

	splits := []struct {
		name  string
		batch func(r *rand.Rand) int
	}{
		{"one at a time", func(*rand.Rand) int { return 1 }},
		{"all at once", func(*rand.Rand) int { return maxN }},
		{"random batches", func(r *rand.Rand) int { return 1 + r.IntN(20) }},
		{"random large batches", func(r *rand.Rand) int { return 1 + r.IntN(100) }},
	}
	for _, sp := range splits {
		t.Run(sp.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(sp.name))))
			for n := 0; n <= maxN; n++ {
				store := mapStore{}
				size := 0
				for size < n {
					a := NewAppender(int64(size), store)
					k := min(sp.batch(r), n-size)
					for range k {
						if err := a.Append(entry(size)); err != nil {
							t.Fatalf("n=%d: Append(%d): %v", n, size, err)
						}
						size++
						if got := a.Size(); got != int64(size) {
							t.Fatalf("n=%d: Size() = %d, want %d", n, got, size)
						}
						got, err := a.Root()
						if err != nil {
							t.Fatalf("n=%d: Root() at %d: %v", n, size, err)
						}
						if got != roots[size] {
							t.Fatalf("n=%d: Root() at %d = %v, want %v", n, size, got, roots[size])
						}
					}
					next := tlog.StoredHashCount(int64(size - k))
					for _, s := range a.Stored() {
						if s.Index != next {
							t.Fatalf("n=%d: Stored index %d, want %d", n, s.Index, next)
						}
						next++
						store[s.Index] = s.Hash
					}
					if want := tlog.StoredHashCount(int64(size)); next != want {
						t.Fatalf("n=%d: Stored ends at %d, want %d", n, next, want)
					}
				}
				if got, want := int64(len(store)), tlog.StoredHashCount(int64(n)); got != want {
					t.Fatalf("n=%d: %d stored hashes, want %d", n, got, want)
				}
				for i := range int64(len(store)) {
					want, err := ref.ReadHashes([]int64{i})
					if err != nil {
						t.Fatal(err)
					}
					if store[i] != want[0] {
						t.Fatalf("n=%d: stored hash %d = %v, MemoryLog has %v", n, i, store[i], want[0])
					}
				}
				got, err := tlog.TreeHash(int64(n), store)
				if err != nil {
					t.Fatal(err)
				}
				if got != roots[n] {
					t.Fatalf("n=%d: tlog.TreeHash = %v, want %v", n, got, roots[n])
				}
				if got, err := ref.Root(int64(n)); err != nil || got != roots[n] {
					t.Fatalf("n=%d: MemoryLog.Root = %v, %v; want %v", n, got, err, roots[n])
				}
			}
		})
	}
}

func TestAppenderEmpty(t *testing.T) {
	a := NewAppender(5, memLog(t, 5))
	if got := a.Stored(); len(got) != 0 {
		t.Errorf("Stored() = %v, want nothing", got)
	}
	got, err := a.Root()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := memLog(t, 5).Root(5); got != want {
		t.Errorf("Root() = %v, want %v", got, want)
	}
}

func TestAppenderReaderErrors(t *testing.T) {
	base := memLog(t, 7) // appending to 7 reads earlier hashes
	fail := errors.New("disk on fire")
	tests := []struct {
		name string
		r    tlog.HashReader
	}{
		{"error", tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, fail })},
		{"short", tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
			h, err := base.ReadHashes(ix)
			return h[1:], err
		})},
		{"missing", new(MemoryLog)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAppender(7, tt.r)
			if err := a.Append(entry(7)); err == nil {
				t.Fatal("Append succeeded, want an error")
			}
		})
	}
	t.Run("error is wrapped", func(t *testing.T) {
		a := NewAppender(7, tests[0].r)
		if err := a.Append(entry(7)); !errors.Is(err, fail) {
			t.Fatalf("Append: %v, want %v", err, fail)
		}
	})
}

func TestNewAppenderPanics(t *testing.T) {
	for _, n := range []int64{-1, MaxSize} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewAppender(%d) did not panic", n)
				}
			}()
			NewAppender(n, nil)
		}()
	}
}

func TestMemoryLogBounds(t *testing.T) {
	m := memLog(t, 10)
	tests := []struct {
		name string
		f    func() error
	}{
		{"read negative", func() error { _, err := m.ReadHashes([]int64{-1}); return err }},
		{"read past end", func() error { _, err := m.ReadHashes([]int64{tlog.StoredHashCount(10)}); return err }},
		{"root past size", func() error { _, err := m.Root(11); return err }},
		{"root negative", func() error { _, err := m.Root(-1); return err }},
		{"inclusion past size", func() error { _, err := m.Inclusion(3, 11); return err }},
		{"inclusion index at size", func() error { _, err := m.Inclusion(10, 10); return err }},
		{"consistency past size", func() error { _, err := m.Consistency(3, 11); return err }},
		{"consistency old after new", func() error { _, err := m.Consistency(6, 5); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.f(); err == nil {
				t.Error("succeeded, want an error")
			}
		})
	}
}
