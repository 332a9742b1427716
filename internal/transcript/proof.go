package transcript

import (
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// MaxSize bounds the size of a log: sizes and indexes are below 2^62.
const MaxSize = 1 << 62

// maxProofHashes bounds the proofs this package reads: no valid proof for a
// log below MaxSize has more hashes than that.
const maxProofHashes = 2 * 62

// ErrProof is wrapped by the errors returned when an inclusion or
// consistency proof does not verify.
var ErrProof = errors.New("transcript: proof does not verify")

// An InclusionProof proves that the entry at Index is in the tree of size
// Size (RFC 6962 "audit path", as tlog.RecordProof).
type InclusionProof struct {
	Index, Size int64
	Hashes      []tlog.Hash
}

// ProveInclusion returns a proof that the entry at index is in the tree of
// size size, reading stored hashes from r.
func ProveInclusion(index, size int64, r tlog.HashReader) (InclusionProof, error) {
	if index < 0 || index >= size || size >= MaxSize {
		return InclusionProof{}, fmt.Errorf("transcript: inclusion proof of index %d in size %d: out of range", index, size)
	}
	p, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return InclusionProof{}, fmt.Errorf("transcript: inclusion proof of index %d in size %d: %w", index, size, err)
	}
	return InclusionProof{Index: index, Size: size, Hashes: p}, nil
}

// VerifyInclusion checks that p proves entry is at p.Index in the tree of
// size p.Size whose root is root. The error wraps ErrProof.
//
// An audit path depends on the size only through the shape of the tree, so
// the same proof can verify for other sizes with the same root: take root
// and p.Size together from one signed checkpoint.
func VerifyInclusion(entry [32]byte, p InclusionProof, root tlog.Hash) error {
	if p.Index < 0 || p.Index >= p.Size || p.Size >= MaxSize {
		return fmt.Errorf("%w: index %d out of range for size %d", ErrProof, p.Index, p.Size)
	}
	if len(p.Hashes) > maxProofHashes {
		return fmt.Errorf("%w: %d hashes in an inclusion proof", ErrProof, len(p.Hashes))
	}
	if err := tlog.CheckRecord(p.Hashes, p.Size, root, p.Index, LeafHash(entry)); err != nil {
		return fmt.Errorf("%w: inclusion of index %d in size %d", ErrProof, p.Index, p.Size)
	}
	return nil
}

// ProveConsistency returns a proof that the tree of size old is a prefix of
// the tree of size size, reading stored hashes from r. The proof is empty
// when old is 0 or old equals size.
func ProveConsistency(old, size int64, r tlog.HashReader) (tlog.TreeProof, error) {
	if old < 0 || old > size || size >= MaxSize {
		return nil, fmt.Errorf("transcript: consistency proof from size %d to %d: out of range", old, size)
	}
	if old == 0 {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(size, old, r)
	if err != nil {
		return nil, fmt.Errorf("transcript: consistency proof from size %d to %d: %w", old, size, err)
	}
	return p, nil
}

// VerifyConsistency checks that p proves that the tree of size oldSize with
// root oldRoot is a prefix of the tree of size size with root root. The
// error wraps ErrProof.
func VerifyConsistency(oldSize int64, oldRoot tlog.Hash, size int64, root tlog.Hash, p tlog.TreeProof) error {
	if oldSize < 0 || oldSize > size || size >= MaxSize {
		return fmt.Errorf("%w: consistency from size %d to %d: out of range", ErrProof, oldSize, size)
	}
	if len(p) > maxProofHashes {
		return fmt.Errorf("%w: %d hashes in a consistency proof", ErrProof, len(p))
	}
	if oldSize == 0 {
		// Every tree extends the empty one (RFC 9162, section 2.1.4); the
		// proof is empty and the old root must be the empty tree's.
		if len(p) != 0 || oldRoot != emptyRoot || size == 0 && root != emptyRoot {
			return fmt.Errorf("%w: consistency from the empty tree", ErrProof)
		}
		return nil
	}
	if err := tlog.CheckTree(p, size, root, oldSize, oldRoot); err != nil {
		return fmt.Errorf("%w: consistency from size %d to %d", ErrProof, oldSize, size)
	}
	return nil
}

// emptyRoot is the RFC 6962 hash of the empty tree, SHA-256 of no bytes.
var emptyRoot = func() tlog.Hash {
	h, err := tlog.TreeHash(0, nil)
	if err != nil {
		panic(err)
	}
	return h
}()
