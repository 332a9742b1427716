package parley

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/transcript"
)

// StoredCheckpoint is a signed checkpoint a node keeps: for a log it
// operates, its own checkpoint with the peer's cosignature; for a log it
// mirrors, the peer's checkpoint with its own cosignature.
type StoredCheckpoint struct {
	Peer envelope.Fingerprint
	Log  LogID
	Size int64
	Root tlog.Hash
	Note []byte
	At   time.Time
}

// Evidence is what a node keeps when a peer misbehaves with its
// transcript: an equivocation (two checkpoints for one size), a rollback
// (a checkpoint smaller than one already cosigned), an inconsistent
// checkpoint (a root that does not match the entries received), or a bad
// cosignature.
type Evidence struct {
	ID     int64
	Peer   envelope.Fingerprint
	Log    LogID
	Kind   string // equivocation, rollback, inconsistent, bad_cosignature
	Data   []byte // for equivocation and rollback, transcript.EncodeEquivocation of both notes; else the note
	Detail string
	At     time.Time
}

// TranscriptStore keeps the logs' checkpoints and evidence. The logs
// themselves are appended by Enqueue, Receive, Acknowledge and MarkRead.
type TranscriptStore interface {
	// LogSize is the number of entries in a log.
	LogSize(ctx context.Context, peer envelope.Fingerprint, log LogID) (int64, error)
	// LogHashes reads a log's stored hashes (tlog's layout).
	LogHashes(ctx context.Context, peer envelope.Fingerprint, log LogID) tlog.HashReader
	// DeliveredPrefix is the largest n such that every outbound envelope
	// with sequence number ≤ n on the lane has its receipt stored.
	DeliveredPrefix(ctx context.Context, peer envelope.Fingerprint, lane int) (int64, error)
	// SaveCheckpoint stores a cosigned checkpoint (replacing one of the
	// same size).
	SaveCheckpoint(ctx context.Context, c StoredCheckpoint) error
	// LatestCheckpoint returns the largest stored checkpoint of a log;
	// ErrNotFound if none.
	LatestCheckpoint(ctx context.Context, peer envelope.Fingerprint, log LogID) (StoredCheckpoint, error)
	// CheckpointCovering returns the smallest stored checkpoint of a log
	// whose size is at least size; ErrNotFound if none.
	CheckpointCovering(ctx context.Context, peer envelope.Fingerprint, log LogID, size int64) (StoredCheckpoint, error)
	// ReceiptEnvelope returns the envelope of kind receipt in direction dir
	// on the channel with peer whose body is the receipt raw; ErrNotFound
	// if none.
	ReceiptEnvelope(ctx context.Context, peer envelope.Fingerprint, dir Direction, raw []byte) (Message, error)
	// Responses returns the responses in direction dir on the channel with
	// peer that answer the message id (refused ones excluded), oldest first.
	Responses(ctx context.Context, peer envelope.Fingerprint, dir Direction, id envelope.ID) ([]Message, error)
	// AddEvidence stores evidence of misbehaviour.
	AddEvidence(ctx context.Context, e Evidence) error
	// Evidence lists what was stored, oldest first.
	Evidence(ctx context.Context) ([]Evidence, error)
}

// TranscriptKey is the key with which an identity signs and cosigns
// checkpoints: named by its fingerprint, over its hybrid signing key.
func TranscriptKey(pub *envelope.PublicIdentity, id *envelope.Identity) *transcript.Key {
	var sign func(string, []byte) ([]byte, error)
	if id != nil {
		sign = func(ctx string, msg []byte) ([]byte, error) { return id.Sign(ctx, msg), nil }
	}
	k, err := transcript.NewKey(pub.Fingerprint().String(), pub.SigningKey(), sign,
		func(ctx string, msg, sig []byte) bool { return pub.Verify(ctx, msg, sig) == nil })
	if err != nil {
		panic("parley: transcript key: " + err.Error()) // names and keys are always valid
	}
	return k
}

// CheckpointTarget is the size at which this node would sign a checkpoint
// of a log it operates: for its envelope logs, the prefix the peer
// acknowledged (and so holds); for its receipt logs, the whole log.
func (n *Node) CheckpointTarget(ctx context.Context, p Peer, l LogID) (int64, error) {
	switch l {
	case LogOut, LogOutFlash:
		return n.Store.DeliveredPrefix(ctx, p.Fingerprint(), l.Lane())
	case LogOurReceipts, LogOurReceiptsFlash:
		return n.Store.LogSize(ctx, p.Fingerprint(), l)
	}
	return 0, fmt.Errorf("checkpoint: this node does not operate log %s", l)
}

// SignCheckpoint signs a checkpoint of a log this node operates at size.
func (n *Node) SignCheckpoint(ctx context.Context, p Peer, l LogID, size int64) ([]byte, transcript.Checkpoint, error) {
	var c transcript.Checkpoint
	if !l.Operated() {
		return nil, c, fmt.Errorf("checkpoint: this node does not operate log %s", l)
	}
	have, err := n.Store.LogSize(ctx, p.Fingerprint(), l)
	if err != nil {
		return nil, c, err
	}
	if size > have {
		return nil, c, fmt.Errorf("checkpoint: log %s has %d entries, not %d", l, have, size)
	}
	root, err := tlog.TreeHash(size, n.Store.LogHashes(ctx, p.Fingerprint(), l))
	if err != nil {
		return nil, c, fmt.Errorf("checkpoint: %w", err)
	}
	c = transcript.Checkpoint{Origin: Origin(p.Channel, n.Identity.Fingerprint(), l), Size: size, Root: root}
	note, err := transcript.Sign(c, TranscriptKey(n.Identity.Public(), n.Identity))
	return note, c, err
}

// AcceptCosigned checks the note a peer returned for a checkpoint this node
// signed — the same checkpoint, with a valid cosignature by the peer — and
// stores it. A cosignature that does not verify, or over anything else, is
// refused and kept as evidence.
func (n *Node) AcceptCosigned(ctx context.Context, p Peer, l LogID, signed transcript.Checkpoint, note []byte) error {
	c, cos, err := transcript.Open(note, TranscriptKey(n.Identity.Public(), nil), TranscriptKey(p.Identity, nil))
	_, ok := cos[p.Fingerprint().String()]
	if err != nil || !ok || c != signed {
		why := "no valid cosignature by the peer"
		if err != nil {
			why = err.Error()
		} else if c != signed {
			why = "it is not the checkpoint this node signed"
		}
		n.evidence(ctx, p, l, "bad_cosignature", note, why)
		return Errorf(CodeBadSignature, -1, "cosigned checkpoint refused: %s", why)
	}
	return n.Store.SaveCheckpoint(ctx, StoredCheckpoint{Peer: p.Fingerprint(), Log: l, Size: c.Size, Root: c.Root, Note: note, At: n.Clock.Now()})
}

// ErrCheckpointAhead is returned by Witness when the checkpoint covers
// entries this node has not received yet; Have says how many it holds.
type ErrCheckpointAhead struct{ Have int64 }

func (e *ErrCheckpointAhead) Error() string {
	return fmt.Sprintf("this node holds %d entries of that log", e.Have)
}

// Witness checks a checkpoint signed by a peer for one of the peer's logs
// against this node's mirror of it and, if it matches, returns it with
// this node's cosignature (and stores that). It never cosigns a checkpoint
// that is smaller than one it cosigned (rollback), different from one it
// cosigned at the same size (equivocation), or whose root is not the root
// of the entries it received (inconsistent): those are refused with a
// coded error and kept as evidence.
func (n *Node) Witness(ctx context.Context, note []byte) ([]byte, error) {
	if len(note) > transcript.MaxNoteBytes {
		return nil, Errorf(CodeTooLarge, -1, "checkpoint of %d bytes", len(note))
	}
	body, _, ok := bytes.Cut(note, []byte("\n\n"))
	if !ok {
		return nil, Errorf(CodeMalformed, -1, "not a signed note")
	}
	c, err := transcript.ParseCheckpoint(append(body, '\n'))
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Index: -1, Message: "not a checkpoint", Err: err}
	}
	ch, operator, theirLog, err := ParseOrigin(c.Origin)
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Index: -1, Message: err.Error(), Err: err}
	}
	p, err := n.Store.PeerByFingerprint(ctx, operator)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeUnknownSender, -1, "checkpoint signer %s is not a pinned peer of this node", operator.Short())
	} else if err != nil {
		return nil, err
	}
	if ch != p.Channel {
		return nil, Errorf(CodeWrongChannel, -1, "checkpoint names channel %s, not the channel with its signer", ch)
	}
	theirs := TranscriptKey(p.Identity, nil)
	if _, _, err := transcript.Open(note, theirs); err != nil {
		return nil, &Error{Code: CodeBadSignature, Index: -1, Message: "checkpoint signature does not verify", Err: err}
	}
	mirror := theirLog.Mirror()
	last, err := n.Store.LatestCheckpoint(ctx, p.Fingerprint(), mirror)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	case c.Size < last.Size:
		ev := transcript.EncodeEquivocation(transcript.Equivocation{A: last.Note, B: note})
		n.evidence(ctx, p, mirror, "rollback", ev, fmt.Sprintf("checkpoint of size %d after one of size %d was cosigned", c.Size, last.Size))
		return nil, Errorf(CodeCheckpointRefused, -1, "checkpoint of size %d rolls back the cosigned size %d", c.Size, last.Size)
	case c.Size == last.Size && c.Root != last.Root:
		ev := transcript.EncodeEquivocation(transcript.Equivocation{A: last.Note, B: note})
		n.evidence(ctx, p, mirror, "equivocation", ev, fmt.Sprintf("two different checkpoints of size %d", c.Size))
		return nil, Errorf(CodeCheckpointRefused, -1, "equivocation: another checkpoint of size %d was cosigned", c.Size)
	case c.Size == last.Size:
		return last.Note, nil // cosigned before
	}
	have, err := n.Store.LogSize(ctx, p.Fingerprint(), mirror)
	if err != nil {
		return nil, err
	}
	if c.Size > have {
		return nil, &ErrCheckpointAhead{Have: have}
	}
	root, err := tlog.TreeHash(c.Size, n.Store.LogHashes(ctx, p.Fingerprint(), mirror))
	if err != nil {
		return nil, err
	}
	if root != c.Root {
		n.evidence(ctx, p, mirror, "inconsistent", note, fmt.Sprintf("root of size %d does not match the %d entries received", c.Size, c.Size))
		return nil, Errorf(CodeCheckpointRefused, -1, "checkpoint root does not match the entries this node received")
	}
	cosigned, err := transcript.Cosign(note, theirs, TranscriptKey(n.Identity.Public(), n.Identity), n.Clock.Now())
	if err != nil {
		return nil, err
	}
	if err := n.Store.SaveCheckpoint(ctx, StoredCheckpoint{Peer: p.Fingerprint(), Log: mirror, Size: c.Size, Root: c.Root, Note: cosigned, At: n.Clock.Now()}); err != nil {
		return nil, err
	}
	return cosigned, nil
}

// evidence stores evidence of misbehaviour and tells the callbacks.
func (n *Node) evidence(ctx context.Context, p Peer, l LogID, kind string, data []byte, detail string) {
	e := Evidence{Peer: p.Fingerprint(), Log: l, Kind: kind, Data: data, Detail: detail, At: n.Clock.Now()}
	if err := n.Store.AddEvidence(context.WithoutCancel(ctx), e); err != nil {
		n.Log.Error("storing transcript evidence", "peer", p.Name, "kind", kind, "err", err)
	}
	n.Log.Error("transcript misbehaviour", "peer", p.Name, "log", l.String(), "kind", kind, "detail", detail)
	n.notifyMu.Lock()
	fs := n.misbehaviour
	n.notifyMu.Unlock()
	for _, f := range fs {
		f(p, e)
	}
}

// OnMisbehaviour registers f to be called when a peer's checkpoint or
// cosignature is refused as misbehaviour (after the evidence is stored).
func (n *Node) OnMisbehaviour(f func(p Peer, e Evidence)) {
	n.notifyMu.Lock()
	defer n.notifyMu.Unlock()
	n.misbehaviour = append(n.misbehaviour, f)
}
