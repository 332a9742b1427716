package transcript

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// LeafHash returns the RFC 6962 leaf hash of an entry, H(0x00 || entry).
func LeafHash(entry [32]byte) tlog.Hash {
	return tlog.RecordHash(entry[:])
}

// Stored is one hash to be written by whoever keeps the log, at its index in
// tlog's stored-hash layout (see tlog.StoredHashIndex).
type Stored struct {
	Index int64
	Hash  tlog.Hash
}

// An Appender computes the stored hashes for entries appended to a log kept
// in tlog's stored-hash layout. It reads hashes written before it was created
// from a HashReader and the hashes it computed itself from memory, so that a
// batch of entries can be appended, and its hashes written, in one database
// transaction.
//
// An Appender is not safe for concurrent use.
type Appender struct {
	n0   int64 // size when the Appender was created
	n    int64 // current size
	base int64 // tlog.StoredHashCount(n0): the index of new[0]
	new  []tlog.Hash
	r    tlog.HashReader
}

// NewAppender returns an Appender for a log of size n whose stored hashes
// can be read from r. It panics if n is negative or not below MaxSize.
func NewAppender(n int64, r tlog.HashReader) *Appender {
	if n < 0 || n >= MaxSize {
		panic(fmt.Sprintf("transcript: NewAppender with size %d", n))
	}
	return &Appender{n0: n, n: n, base: tlog.StoredHashCount(n), r: r}
}

// Append appends an entry. If it fails, the Appender is unchanged.
func (a *Appender) Append(entry [32]byte) error {
	if a.n+1 >= MaxSize {
		return fmt.Errorf("transcript: append: log is full")
	}
	hashes, err := tlog.StoredHashesForRecordHash(a.n, LeafHash(entry), overlay{a})
	if err != nil {
		return fmt.Errorf("transcript: append: %w", err)
	}
	a.new = append(a.new, hashes...)
	a.n++
	return nil
}

// Size returns the size of the log including the entries appended so far.
func (a *Appender) Size() int64 { return a.n }

// Stored returns the stored hashes produced by the Appends so far, in
// increasing index order. The indexes are contiguous, starting at
// tlog.StoredHashCount(n) for the n given to NewAppender.
func (a *Appender) Stored() []Stored {
	s := make([]Stored, len(a.new))
	for i, h := range a.new {
		s[i] = Stored{Index: a.base + int64(i), Hash: h}
	}
	return s
}

// Root returns the tree hash at the current size.
func (a *Appender) Root() (tlog.Hash, error) {
	h, err := tlog.TreeHash(a.n, overlay{a})
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("transcript: root: %w", err)
	}
	return h, nil
}

// overlay reads the Appender's new hashes from memory and older ones from
// the underlying reader.
type overlay struct{ a *Appender }

func (o overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	a := o.a
	end := a.base + int64(len(a.new))
	out := make([]tlog.Hash, len(indexes))
	var old []int64
	var pos []int
	for i, x := range indexes {
		switch {
		case x < 0 || x >= end:
			return nil, fmt.Errorf("transcript: stored hash index %d out of range [0, %d)", x, end)
		case x >= a.base:
			out[i] = a.new[x-a.base]
		default:
			old = append(old, x)
			pos = append(pos, i)
		}
	}
	if len(old) == 0 {
		return out, nil
	}
	hs, err := a.r.ReadHashes(old)
	if err != nil {
		return nil, err
	}
	if len(hs) != len(old) {
		return nil, fmt.Errorf("transcript: ReadHashes(%d indexes) = %d hashes", len(old), len(hs))
	}
	for j, i := range pos {
		out[i] = hs[j]
	}
	return out, nil
}

// A MemoryLog is a log held in memory, for tests, benchmarks and offline
// tools. Its zero value is an empty log. It is a tlog.HashReader over its
// stored hashes. Reads may run concurrently with each other but not with
// Append.
type MemoryLog struct {
	n      int64
	hashes []tlog.Hash // in stored-hash layout
}

var _ tlog.HashReader = (*MemoryLog)(nil)

// Append appends an entry. If it fails, the log is unchanged.
func (m *MemoryLog) Append(entry [32]byte) error {
	if m.n+1 >= MaxSize {
		return fmt.Errorf("transcript: append: log is full")
	}
	hs, err := tlog.StoredHashesForRecordHash(m.n, LeafHash(entry), m)
	if err != nil {
		return fmt.Errorf("transcript: append: %w", err)
	}
	m.hashes = append(m.hashes, hs...)
	m.n++
	return nil
}

// Size returns the number of entries.
func (m *MemoryLog) Size() int64 { return m.n }

// ReadHashes implements tlog.HashReader.
func (m *MemoryLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("transcript: stored hash index %d out of range [0, %d)", x, len(m.hashes))
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// Root returns the tree hash of the log's first size entries.
func (m *MemoryLog) Root(size int64) (tlog.Hash, error) {
	if size < 0 || size > m.n {
		return tlog.Hash{}, fmt.Errorf("transcript: root of size %d of a log of size %d", size, m.n)
	}
	return tlog.TreeHash(size, m)
}

// Inclusion returns a proof that entry index is in the tree of the log's
// first size entries.
func (m *MemoryLog) Inclusion(index, size int64) (InclusionProof, error) {
	if size > m.n {
		return InclusionProof{}, fmt.Errorf("transcript: inclusion proof for size %d of a log of size %d", size, m.n)
	}
	return ProveInclusion(index, size, m)
}

// Consistency returns a proof that the tree of size old is a prefix of the
// tree of size size.
func (m *MemoryLog) Consistency(old, size int64) (tlog.TreeProof, error) {
	if size > m.n {
		return nil, fmt.Errorf("transcript: consistency proof for size %d of a log of size %d", size, m.n)
	}
	return ProveConsistency(old, size, m)
}
