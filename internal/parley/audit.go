package parley

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/transcript"
)

// LogSource is what a log entry is computed from: an envelope (envelope
// logs) or a receipt (receipt logs), with the sequence number of the
// envelope it stands for.
type LogSource struct {
	Seq  uint64
	Raw  []byte   // the envelope's or the receipt's wire bytes
	Hash [32]byte // envelope logs: the message's stored hash column
}

// AuditStore reads what an audit recomputes. The log of n entries has
// sources for sequence numbers 1…n, in order.
type AuditStore interface {
	// LogSources returns the sources of a log's entries for sequence
	// numbers from, from+1, … (at most limit), in sequence order: for
	// LogOut and LogIn the envelopes (inbound: applied ones), for the
	// receipt logs the delivered or refused receipts of those envelopes.
	LogSources(ctx context.Context, peer envelope.Fingerprint, log LogID, from uint64, limit int) ([]LogSource, error)
	// Checkpoints lists every stored checkpoint.
	Checkpoints(ctx context.Context) ([]StoredCheckpoint, error)
}

// AuditReport is the outcome of an audit.
type AuditReport struct {
	Logs     []LogAudit
	Problems []string // empty: every check passed
}

// LogAudit is what an audit found in one log.
type LogAudit struct {
	Peer        string
	Log         LogID
	Size        int64
	Checked     int64 // entries recomputed from their envelopes or receipts
	Checkpoints int   // cosigned checkpoints verified
	Cosigned    int64 // size of the largest one
}

// Audit recomputes the transcript logs from the stored envelopes and
// receipts and checks them against the stored hashes and checkpoints: each
// envelope's signature, sequence number and hash; each receipt's signature
// and the envelope it names; every stored hash of the Merkle tree (when
// recent > 0, only the last recent entries of each log, so older changes
// go unnoticed); and every stored checkpoint's signature, cosignature,
// origin and root, recomputed from the stored tree. A changed byte, a
// deleted or reordered row, a changed hash, size, root or signature is
// reported as a problem.
func (n *Node) Audit(ctx context.Context, recent int64) (*AuditReport, error) {
	rep := &AuditReport{}
	peers, err := n.Store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	cps, err := n.Store.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	byLog := map[envelope.Fingerprint]map[LogID][]StoredCheckpoint{}
	for _, c := range cps {
		if byLog[c.Peer] == nil {
			byLog[c.Peer] = map[LogID][]StoredCheckpoint{}
		}
		byLog[c.Peer][c.Log] = append(byLog[c.Peer][c.Log], c)
	}
	for _, p := range peers {
		for l := LogID(0); l < NumLogs; l++ {
			la, err := n.auditLog(ctx, p, l, recent, byLog[p.Fingerprint()][l], rep)
			if err != nil {
				return nil, err
			}
			rep.Logs = append(rep.Logs, la)
		}
	}
	return rep, nil
}

func (n *Node) auditLog(ctx context.Context, p Peer, l LogID, recent int64, cps []StoredCheckpoint, rep *AuditReport) (LogAudit, error) {
	la := LogAudit{Peer: p.Name, Log: l}
	bad := func(format string, args ...any) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s, log %s: ", p.Name, l)+fmt.Sprintf(format, args...))
	}
	size, err := n.Store.LogSize(ctx, p.Fingerprint(), l)
	if err != nil {
		return la, err
	}
	la.Size = size
	self := n.Identity.Public()
	// Who signed what the log holds: envelopes by their sender, receipts
	// by the recipient of the envelope they acknowledge.
	var signer, other *envelope.PublicIdentity
	switch l {
	case LogOut, LogOutFlash, LogOurReceipts, LogOurReceiptsFlash:
		signer, other = self, p.Identity
	default:
		signer, other = p.Identity, self
	}
	receiptLog := l >= LogOurReceipts
	from := int64(1)
	if recent > 0 && size > recent {
		from = size - recent + 1
	}
	stored := hashReader{n.Store.LogHashes(ctx, p.Fingerprint(), l)}
	var full transcript.MemoryLog
	next := from
	for next <= size {
		srcs, err := n.Store.LogSources(ctx, p.Fingerprint(), l, uint64(next), 1000)
		if err != nil {
			return la, err
		}
		if len(srcs) == 0 {
			bad("entries %d to %d have no envelope or receipt (deleted?)", next-1, size-1)
			break
		}
		for _, s := range srcs {
			if next > size {
				break
			}
			if int64(s.Seq) != next {
				bad("entry %d: the stored sequence numbers jump from %d to %d (deleted or reordered rows)", next-1, next, s.Seq)
				next = size + 1
				break
			}
			entry := sha256.Sum256(s.Raw)
			if receiptLog {
				if r, err := envelope.ParseReceipt(s.Raw); err != nil {
					bad("entry %d: receipt does not parse: %v", next-1, err)
				} else if r.Seq != s.Seq || r.Hash != s.Hash || (r.Type != envelope.Delivered && r.Type != envelope.Refused) {
					bad("entry %d: the receipt names sequence %d (%s), or another envelope", next-1, r.Seq, r.Type)
				} else if err := r.Verify(signer); err != nil {
					bad("entry %d: receipt signature: %v", next-1, err)
				}
			} else {
				if s.Hash != entry {
					bad("entry %d: the stored envelope hash does not match the envelope's bytes", next-1)
				}
				if e, err := envelope.Parse(s.Raw); err != nil {
					bad("entry %d: envelope does not parse: %v", next-1, err)
				} else if e.Header.Seq != s.Seq || e.Header.Sender != signer.Fingerprint() || e.Header.Recipient != other.Fingerprint() {
					bad("entry %d: the envelope's header says sequence %d from %s (reordered or altered)", next-1, e.Header.Seq, e.Header.Sender.Short())
				} else if err := e.Verify(signer); err != nil {
					bad("entry %d: envelope signature: %v", next-1, err)
				}
			}
			// Leaf hashes are stored at level 0: check each one recomputed.
			hs, err := stored.ReadHashes([]int64{tlog.StoredHashIndex(0, next-1)})
			if err != nil {
				bad("entry %d: %v", next-1, err)
			} else if hs[0] != transcript.LeafHash(entry) {
				bad("entry %d: the stored leaf hash does not match the recomputed entry", next-1)
			}
			if from == 1 {
				if err := full.Append(entry); err != nil {
					return la, err
				}
			}
			la.Checked++
			next++
		}
	}
	if from == 1 && full.Size() == size {
		// Every stored hash of the tree, recomputed.
		count := tlog.StoredHashCount(size)
		for start := int64(0); start < count; start += 1000 {
			idx := make([]int64, 0, 1000)
			for i := start; i < min(start+1000, count); i++ {
				idx = append(idx, i)
			}
			want, _ := full.ReadHashes(idx)
			got, err := stored.ReadHashes(idx)
			if err != nil {
				bad("stored hashes: %v", err)
				break
			}
			for i := range idx {
				if got[i] != want[i] {
					bad("stored hash %d differs from the tree recomputed from the entries", idx[i])
				}
			}
		}
	}
	// Checkpoints: signed by the log's operator, cosigned by the other.
	operator, witness := TranscriptKey(self, nil), TranscriptKey(p.Identity, nil)
	opFP := self.Fingerprint()
	if !l.Operated() {
		operator, witness, opFP = witness, operator, p.Fingerprint()
	}
	origin := Origin(p.Channel, opFP, l)
	if !l.Operated() {
		origin = Origin(p.Channel, opFP, l.Mirror())
	}
	for _, c := range cps {
		cp, cos, err := transcript.Open(c.Note, operator, witness)
		switch {
		case err != nil:
			bad("checkpoint of size %d: %v", c.Size, err)
			continue
		case len(cos) != 1:
			bad("checkpoint of size %d: not cosigned", c.Size)
		case cp.Origin != origin:
			bad("checkpoint of size %d names log %q", c.Size, cp.Origin)
		case cp.Size != c.Size || cp.Root != c.Root:
			bad("checkpoint of size %d: the stored size or root differs from the signed note (%d)", c.Size, cp.Size)
		case cp.Size > size:
			bad("checkpoint of size %d is beyond the log's %d entries", cp.Size, size)
		default:
			root, err := tlog.TreeHash(cp.Size, stored)
			if err != nil || root != cp.Root {
				bad("checkpoint of size %d: its root is not the log's root at that size", cp.Size)
				continue
			}
			la.Checkpoints++
			la.Cosigned = max(la.Cosigned, cp.Size)
		}
	}
	// The tree grown since the last cosigned checkpoint must extend it: the
	// stored hashes on the tree's right edge are checked against the
	// cosigned root (this is what a recent audit has for older entries).
	if la.Cosigned > 0 && la.Cosigned < size {
		var last StoredCheckpoint
		for _, c := range cps {
			if c.Size == la.Cosigned {
				last = c
			}
		}
		root, err := tlog.TreeHash(size, stored)
		if err != nil {
			bad("the tree at size %d: %v", size, err)
			return la, nil
		}
		proof, err := transcript.ProveConsistency(last.Size, size, stored)
		if err != nil {
			bad("the tree at size %d: %v", size, err)
			return la, nil
		}
		if err := transcript.VerifyConsistency(last.Size, last.Root, size, root, proof); err != nil {
			bad("the stored tree at size %d does not extend the cosigned checkpoint of size %d", size, last.Size)
		}
	}
	return la, nil
}

// hashReader wraps a tlog.HashReader so that a short read is an error.
type hashReader struct{ r tlog.HashReader }

func (h hashReader) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	hs, err := h.r.ReadHashes(idx)
	if err == nil && len(hs) != len(idx) {
		err = errors.New("short read of stored hashes")
	}
	return hs, err
}
