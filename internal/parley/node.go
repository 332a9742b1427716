package parley

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
)

// Node is one organisation's Parley node: its identity and its store, and
// the use cases that act on them. It is safe for concurrent use.
type Node struct {
	Name     string
	Identity *envelope.Identity
	Store    Store
	Clock    Clock
	Log      *slog.Logger
	Limits   Limits
	// Screen finds names, phone numbers and addresses in the text of
	// social channels; nil still finds phone numbers and e-mail addresses.
	Screen *Detector
	// WatchlistRecheck is how often the stored watchlist's version is
	// compared with the loaded one, to pick up imports by other processes.
	WatchlistRecheck time.Duration
	// Window is how far beyond the next expected sequence number an inbound
	// envelope may be and still be held (default 4096).
	Window uint64

	notifyMu  sync.Mutex
	notify    []func(peer envelope.Fingerprint)
	delivered []func(ids []envelope.ID)
	flashIn   []func(peer Peer, ids []envelope.ID)
	hitsIn    []func(peer Peer, hits []Hit)
	received  []func(peer Peer)
	// misbehaviour is told of refused checkpoints and cosignatures.
	misbehaviour []func(p Peer, e Evidence)

	watch watchlist

	// Contact limits first contact (attempts, expiry).
	Contact     ContactLimits
	contactOnce sync.Once
	contact     *contactStates

	gcMu      sync.Mutex
	gcPending []*sendReq
	gcRunning bool
}

// NewNode returns a node with defaults filled in.
func NewNode(name string, id *envelope.Identity, st Store, log *slog.Logger) *Node {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Node{Name: name, Identity: id, Store: st, Clock: SystemClock{}, Log: log, Limits: DefaultLimits, Window: 4096,
		WatchlistRecheck: DefaultWatchlistRecheck}
}

func (n *Node) detector() *Detector { return n.Screen }

// OnEnqueue registers f to be called after envelopes for a peer are
// committed to the outbox (delivery workers use it to wake up).
func (n *Node) OnEnqueue(f func(peer envelope.Fingerprint)) {
	n.notifyMu.Lock()
	defer n.notifyMu.Unlock()
	n.notify = append(n.notify, f)
}

// OnDelivered registers f to be called with the ids of outbound envelopes
// whose delivered receipts were just committed.
func (n *Node) OnDelivered(f func(ids []envelope.ID)) {
	n.notifyMu.Lock()
	defer n.notifyMu.Unlock()
	n.delivered = append(n.delivered, f)
}

// OnReceived registers f to be called after a batch from peer is committed.
func (n *Node) OnReceived(f func(peer Peer)) {
	n.notifyMu.Lock()
	defer n.notifyMu.Unlock()
	n.received = append(n.received, f)
}

// OnFlashReceived registers f to be called with flash letters just received
// from peer (not with duplicates), so that they are surfaced at once.
func (n *Node) OnFlashReceived(f func(peer Peer, ids []envelope.ID)) {
	n.notifyMu.Lock()
	defer n.notifyMu.Unlock()
	n.flashIn = append(n.flashIn, f)
}

func (n *Node) wake(peer envelope.Fingerprint) {
	n.notifyMu.Lock()
	fs := n.notify
	n.notifyMu.Unlock()
	for _, f := range fs {
		f(peer)
	}
}

// ChannelID is the channel two identities share when paired by exchanging
// identity files: the first 16 bytes of SHA-256 over both fingerprints in
// byte order, so both sides compute the same id.
func ChannelID(a, b envelope.Fingerprint) envelope.ID {
	lo, hi := a, b
	for i := range lo {
		if lo[i] != hi[i] {
			if lo[i] > hi[i] {
				lo, hi = hi, lo
			}
			break
		}
	}
	h := sha256.New()
	h.Write([]byte("parley channel v1\n"))
	h.Write(lo[:])
	h.Write(hi[:])
	var id envelope.ID
	copy(id[:], h.Sum(nil))
	return id
}

type sendReq struct {
	ctx   context.Context
	peer  Peer
	flash bool
	kind  envelope.Kind
	body  []byte
	meta  Meta
	msg   Message
	err   error
	done  chan struct{}
}

// Send seals a letter to the named peer and commits it to the outbox. It
// returns once the envelope is durable; delivery happens in the background.
//
// Concurrent calls are group-committed: whoever finds no commit in progress
// becomes the leader and commits every pending request, sealing them in
// parallel, in one transaction per peer.
func (n *Node) Send(ctx context.Context, peerName string, c *Content) (Message, error) {
	return n.send(ctx, peerName, c, false)
}

// SendFlash is Send on the flash lane: the letter has its own sequence
// numbers and delivery workers, so it overtakes every queued letter, and
// its read receipt is expected within the flash deadline.
func (n *Node) SendFlash(ctx context.Context, peerName string, c *Content) (Message, error) {
	return n.send(ctx, peerName, c, true)
}

func (n *Node) send(ctx context.Context, peerName string, c *Content, flash bool) (Message, error) {
	return n.Compose(ctx, peerName, Draft{Kind: envelope.KindLetter, Content: *c, Flash: flash})
}

func (n *Node) peerByName(ctx context.Context, name string) (Peer, error) {
	p, err := n.Store.PeerByName(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return p, fmt.Errorf("no peer named %q (see `parley status` for the peers you have)", name)
	}
	return p, err
}

// enqueue seals checked content and commits it to the outbox, group
// committing with concurrent callers.
func (n *Node) enqueue(ctx context.Context, p Peer, kind envelope.Kind, c *Content, flash bool, meta Meta) (Message, error) {
	body := EncodeContent(c)
	placeRecords(meta.Records, body, c.Records)
	if HeaderOverhead+len(body) > n.Limits.MaxEnvelopeBytes {
		return Message{}, fmt.Errorf("%w: the message would be %d bytes sealed, the limit is %d", ErrContent, HeaderOverhead+len(body), n.Limits.MaxEnvelopeBytes)
	}
	req := &sendReq{ctx: ctx, peer: p, flash: flash, kind: kind, body: body, meta: meta, done: make(chan struct{})}
	n.gcMu.Lock()
	n.gcPending = append(n.gcPending, req)
	leader := !n.gcRunning
	n.gcRunning = true
	n.gcMu.Unlock()
	if leader {
		n.commitLoop()
	}
	select {
	case <-req.done:
		return req.msg, req.err
	case <-ctx.Done():
		// The commit may still succeed; the caller learns of it from the inbox.
		return Message{}, ctx.Err()
	}
}

// HeaderOverhead is the size an envelope adds to its body.
const HeaderOverhead = envelope.MinSize

func (n *Node) commitLoop() {
	for {
		n.gcMu.Lock()
		batch := n.gcPending
		n.gcPending = nil
		if len(batch) == 0 {
			n.gcRunning = false
			n.gcMu.Unlock()
			return
		}
		n.gcMu.Unlock()
		type queue struct {
			fp    envelope.Fingerprint
			flash bool
		}
		byQueue := map[queue][]*sendReq{}
		var order []queue
		for _, r := range batch {
			q := queue{r.peer.Fingerprint(), r.flash}
			if _, ok := byQueue[q]; !ok {
				if q.flash { // flash first
					order = append([]queue{q}, order...)
				} else {
					order = append(order, q)
				}
			}
			byQueue[q] = append(byQueue[q], r)
		}
		for _, q := range order {
			n.commit(q.fp, q.flash, byQueue[q])
		}
	}
}

func (n *Node) commit(fp envelope.Fingerprint, flash bool, reqs []*sendReq) {
	// The leader's context may end while it commits for others; the commit
	// itself is short and must not be half-done, so it runs uncancelled.
	ctx := context.WithoutCancel(reqs[0].ctx)
	now := n.Clock.Now()
	err := n.Store.Enqueue(ctx, fp, flash, len(reqs), func(first uint64) ([]Outgoing, error) {
		out := make([]Outgoing, len(reqs))
		err := Parallel(len(reqs), func(i int) error {
			r := reqs[i]
			wire, env, salt, err := envelope.Seal(n.Identity, r.peer.Identity, envelope.SealParams{
				Kind: r.kind, Channel: r.peer.Channel, Seq: first + uint64(i), Time: now, Flash: flash,
			}, r.body)
			if err != nil {
				return err
			}
			out[i] = Outgoing{Env: env, Wire: wire, Salt: salt, Body: r.body, Meta: r.meta}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for i, o := range out {
			reqs[i].msg = Message{
				ID: o.Env.Header.ID, Direction: Outbound, Peer: fp, PeerName: reqs[i].peer.Name,
				Channel: o.Env.Header.Channel, Seq: o.Env.Header.Seq, Flash: flash, Kind: o.Env.Header.Kind,
				SentAt: o.Env.Header.Time, StoredAt: now, State: StateQueued, Envelope: o.Wire,
				Hash: envelope.Hash(o.Wire), Salt: o.Salt, Body: o.Body,
			}
		}
		return out, nil
	})
	for _, r := range reqs {
		if err != nil {
			r.err = fmt.Errorf("send: %w", err)
			r.msg = Message{}
		}
		close(r.done)
	}
	if err == nil {
		n.wake(fp)
	}
}

// Parallel calls f(0..n-1) on up to GOMAXPROCS goroutines and returns the
// first error.
func Parallel(n int, f func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for i := range next {
				errs[i] = f(i)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Receive verifies, opens and durably stores a batch of envelopes that
// arrived from a peer, and returns one result with a signed delivered receipt
// per envelope. The batch is all or nothing: on the first invalid envelope
// it returns a coded *Error naming its index and stores nothing.
func (n *Node) Receive(ctx context.Context, wires [][]byte) ([]Result, error) {
	if len(wires) == 0 {
		return nil, nil
	}
	envs := make([]*envelope.Envelope, len(wires))
	var sender Peer
	for i, w := range wires {
		if len(w) > n.Limits.MaxEnvelopeBytes {
			return nil, Errorf(CodeTooLarge, i, "envelope of %d bytes exceeds the limit of %d", len(w), n.Limits.MaxEnvelopeBytes)
		}
		e, err := envelope.Parse(w)
		if err != nil {
			if errors.Is(err, envelope.ErrUnknownVersion) {
				return nil, &Error{Code: CodeUnknownVersion, Index: i, Message: "unsupported envelope version", Err: err}
			}
			return nil, &Error{Code: CodeMalformed, Index: i, Message: "malformed envelope", Err: err}
		}
		envs[i] = e
		if i == 0 {
			p, err := n.Store.PeerByFingerprint(ctx, e.Header.Sender)
			if errors.Is(err, ErrNotFound) {
				return nil, Errorf(CodeUnknownSender, i, "sender %s is not a pinned peer of this node", e.Header.Sender.Short())
			} else if err != nil {
				return nil, fmt.Errorf("receive: %w", err)
			}
			sender = p
		} else if e.Header.Sender != sender.Fingerprint() {
			return nil, Errorf(CodeMalformed, i, "a batch must come from a single sender")
		}
		if e.Header.Channel != sender.Channel {
			return nil, Errorf(CodeWrongChannel, i, "envelope names channel %s, not the channel with this sender", e.Header.Channel)
		}
		if e.Header.Recipient != n.Identity.Fingerprint() {
			return nil, Errorf(CodeWrongRecipient, i, "envelope is addressed to %s, not to this node", e.Header.Recipient.Short())
		}
		switch e.Header.Kind {
		case envelope.KindLetter, envelope.KindWarning, envelope.KindRequest, envelope.KindResponse, envelope.KindReceipt:
		default:
			return nil, Errorf(CodeBadContent, i, "envelope kind %s is not accepted in a batch of messages", e.Header.Kind)
		}
	}
	batch := make(map[envelope.ID]envelope.Kind, len(envs))
	for _, e := range envs {
		batch[e.Header.ID] = e.Header.Kind
	}
	in := make([]Incoming, len(wires))
	now := n.Clock.Now()
	// A replayed envelope whose exact bytes are stored already was verified
	// when it was stored: the store answers it with its stored receipt, so
	// it needs no signature check, decryption or content check again.
	ids := make([]envelope.ID, len(envs))
	for i, e := range envs {
		ids[i] = e.Header.ID
	}
	known, err := n.Store.KnownEnvelopes(ctx, sender.Fingerprint(), ids)
	if err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	err = Parallel(len(wires), func(i int) error {
		e := envs[i]
		if h, ok := known[e.Header.ID]; ok && h == envelope.Hash(wires[i]) {
			in[i] = Incoming{Env: e, Wire: wires[i]}
			return nil
		}
		salt, body, err := e.Open(n.Identity, sender.Identity)
		switch {
		case errors.Is(err, envelope.ErrUnknownKey):
			return &Error{Code: CodeUnknownKey, Index: i, Message: "sealed to an encryption key this node does not hold", Err: err}
		case errors.Is(err, envelope.ErrBadSignature):
			return &Error{Code: CodeBadSignature, Index: i, Message: "signature does not verify", Err: err}
		case errors.Is(err, envelope.ErrDecrypt):
			return &Error{Code: CodeDecryptFailed, Index: i, Message: "ciphertext does not open", Err: err}
		case errors.Is(err, envelope.ErrCommitmentMismatch):
			return &Error{Code: CodeCommitmentMismatch, Index: i, Message: "content does not match the signed commitment", Err: err}
		case err != nil:
			return &Error{Code: CodeMalformed, Index: i, Message: "envelope does not open", Err: err}
		}
		// Content the channel must not carry is refused with a signed
		// receipt: the envelope is kept as evidence, its sequence number is
		// used, and nothing it carries is applied.
		meta, err := n.checkIncoming(ctx, sender, e.Header, body, batch)
		if err != nil {
			return err
		}
		r := envelope.ReceiptFor(envelope.Delivered, e.Header, envelope.Hash(wires[i]), now)
		if meta.Refusal != nil {
			r.Type, r.Reason = envelope.Refused, meta.Refusal.Reason
			detail := meta.Refusal.Detail
			if meta.Refusal.Reason == envelope.ReasonSocial {
				detail = "(not logged: it quotes the content)" // names, numbers, addresses stay out of logs
			}
			n.Log.Warn("refused a message's content", "peer", sender.Name, "envelope", e.Header.ID.String(),
				"kind", e.Header.Kind.String(), "reason", meta.Refusal.Reason.String(), "detail", detail)
		}
		if err := envelope.SignReceipt(n.Identity, r); err != nil {
			return err
		}
		in[i] = Incoming{Env: e, Wire: wires[i], Salt: salt, Body: body, Receipt: r, Meta: meta}
		return nil
	})
	if err != nil {
		return nil, firstCoded(err)
	}
	res, err := n.Store.Receive(ctx, sender.Fingerprint(), n.Window, in)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, fmt.Errorf("receive: %w", err)
	}
	var flash []envelope.ID
	for i, r := range res {
		if in[i].Env.Header.Flash && r.Status != "duplicate" {
			flash = append(flash, in[i].Env.Header.ID)
		}
	}
	if len(flash) > 0 {
		n.notifyMu.Lock()
		fs := n.flashIn
		n.notifyMu.Unlock()
		for _, f := range fs {
			f(sender, flash)
		}
	}
	n.notifyMu.Lock()
	rfs := n.received
	n.notifyMu.Unlock()
	for _, f := range rfs {
		f(sender)
	}
	var hits []Hit
	for i, r := range res {
		if r.Status == "duplicate" || in[i].Meta.Refusal != nil {
			continue
		}
		for _, h := range in[i].Meta.Hits {
			h.MessageID, h.Peer, h.PeerName, h.At = in[i].Env.Header.ID, sender.Fingerprint(), sender.Name, now
			hits = append(hits, h)
			n.Log.Info("watchlist hit", "peer", sender.Name, "envelope", h.MessageID.String(), "entry", h.EntryID, "score", fmt.Sprintf("%.3f", h.Score))
		}
	}
	if len(hits) > 0 {
		n.notifyMu.Lock()
		fs := n.hitsIn
		n.notifyMu.Unlock()
		for _, f := range fs {
			f(sender, hits)
		}
	}
	return res, nil
}

// receiptContent describes a receipt envelope for people.
func receiptContent(m Message) *Content {
	r, err := envelope.ParseReceipt(m.Body)
	if err != nil {
		return &Content{Text: fmt.Sprintf("(a receipt that does not parse: %v)", err)}
	}
	return &Content{Text: fmt.Sprintf("%s receipt for message %s (sequence %d), signed at %s",
		r.Type, r.Envelope, r.Seq, r.Time.Format(time.RFC3339Nano))}
}

// checkReadReceipt checks the body of a receipt envelope from p: a read
// receipt p signed for an envelope this node sent it.
func (n *Node) checkReadReceipt(ctx context.Context, p Peer, body []byte) (*envelope.Receipt, *Refusal, error) {
	r, err := envelope.ParseReceipt(body)
	if err != nil {
		return nil, refuse(envelope.ReasonContent, "receipt: %v", err), nil
	}
	if r.Type != envelope.Read || r.Sender != n.Identity.Fingerprint() || r.Recipient != p.Fingerprint() || r.Channel != p.Channel {
		return nil, refuse(envelope.ReasonContent, "a receipt envelope carries a read receipt from its sender for this node"), nil
	}
	if err := r.Verify(p.Identity); err != nil {
		return nil, refuse(envelope.ReasonContent, "read receipt: %v", err), nil
	}
	m, err := n.Store.MessageBy(ctx, p.Fingerprint(), Outbound, r.Envelope)
	if errors.Is(err, ErrNotFound) || (err == nil && (m.Seq != r.Seq || m.Hash != r.Hash)) {
		return nil, refuse(envelope.ReasonLink, "read receipt for envelope %s, which this node did not send", r.Envelope), nil
	}
	if err != nil {
		return nil, nil, err
	}
	return r, nil, nil
}

// checkIncoming decodes and checks received content. A rule it breaks is
// returned in Meta.Refusal; an error is a failure of this node.
func (n *Node) checkIncoming(ctx context.Context, p Peer, h *envelope.Header, body []byte, batch map[envelope.ID]envelope.Kind) (Meta, error) {
	if h.Kind == envelope.KindReceipt {
		r, refusal, err := n.checkReadReceipt(ctx, p, body)
		return Meta{ReadReceipt: r, Refusal: refusal}, err
	}
	c, err := DecodeContent(body, n.Limits)
	if err != nil {
		return Meta{Refusal: refuse(envelope.ReasonContent, "%v", err)}, nil
	}
	meta, err := n.check(ctx, p, Inbound, h.Kind, c, h.Time, batch)
	var r *Refusal
	if errors.As(err, &r) {
		return Meta{Refusal: r}, nil
	}
	placeRecords(meta.Records, body, c.Records)
	return meta, err
}

// firstCoded picks the coded error with the lowest index out of a joined error.
func firstCoded(err error) error {
	var best *Error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ce *Error
		if errors.As(e, &ce) && (best == nil || ce.Index < best.Index) {
			best = ce
		}
	}
	walk(err)
	if best != nil {
		return best
	}
	return err
}

// Acknowledge checks the delivered receipts a peer returned for envelopes
// this node sent, and stores them. A receipt that does not verify or does not
// match the envelope it names is an error; valid ones before it are stored.
func (n *Node) Acknowledge(ctx context.Context, peer Peer, sent []Message, raws [][]byte) error {
	if len(raws) != len(sent) {
		return fmt.Errorf("peer returned %d receipts for %d envelopes", len(raws), len(sent))
	}
	rs := make([]*envelope.Receipt, len(raws))
	verr := Parallel(len(raws), func(i int) error {
		r, err := envelope.ParseReceipt(raws[i])
		if err != nil {
			return fmt.Errorf("receipt %d: %w", i, err)
		}
		want := envelope.Delivered
		if r.Type == envelope.Refused {
			want = envelope.Refused
		}
		if err := checkReceipt(r, n.Identity.Fingerprint(), peer, sent[i], want); err != nil {
			return fmt.Errorf("receipt %d: %w", i, err)
		}
		rs[i] = r
		return nil
	})
	good := rs
	for i, r := range rs {
		if r == nil {
			good = rs[:i]
			break
		}
	}
	if len(good) > 0 {
		if err := n.Store.Acknowledge(ctx, peer.Fingerprint(), good); err != nil {
			return fmt.Errorf("storing receipts: %w", err)
		}
		for _, r := range good {
			if r.Type == envelope.Refused {
				n.Log.Warn("the peer refused a message's content", "peer", peer.Name, "envelope", r.Envelope.String(), "reason", r.Reason.String())
			}
		}
		n.notifyMu.Lock()
		fs := n.delivered
		n.notifyMu.Unlock()
		if len(fs) > 0 {
			ids := make([]envelope.ID, len(good))
			for i, r := range good {
				ids[i] = r.Envelope
			}
			for _, f := range fs {
				f(ids)
			}
		}
	}
	return verr
}

func checkReceipt(r *envelope.Receipt, self envelope.Fingerprint, peer Peer, m Message, t envelope.ReceiptType) error {
	if r.Type != t || r.Envelope != m.ID || r.Seq != m.Seq || r.Hash != m.Hash ||
		r.Channel != m.Channel || r.Sender != self || r.Recipient != peer.Fingerprint() {
		return fmt.Errorf("receipt does not match envelope %s", m.ID)
	}
	return r.Verify(peer.Identity)
}

// Open returns a message and its decoded content, and for an unread inbound
// message records that it was read and queues a signed read receipt.
func (n *Node) Open(ctx context.Context, id envelope.ID) (Message, *Content, error) {
	m, err := n.Store.Message(ctx, id)
	if err != nil {
		return Message{}, nil, err
	}
	if m.Kind == envelope.KindReceipt {
		// A receipt is not read in turn: no receipt for a receipt.
		return m, receiptContent(m), nil
	}
	c, err := DecodeContent(m.Body, Limits{MaxEnvelopeBytes: 1 << 62, MaxAttachmentBytes: 1 << 62})
	if err != nil && m.Refusal != 0 {
		// Refused because it is not a well-formed message: show what is
		// kept as evidence, not the bytes.
		c, err = &Content{Text: fmt.Sprintf("(refused content of %d bytes, not a well-formed message: %v)", len(m.Body), err)}, nil
	}
	if err != nil {
		return m, nil, fmt.Errorf("stored message %s: %w", id, err)
	}
	if m.Direction == Inbound && m.ReadAt.IsZero() && m.State == StateApplied && m.Refusal == 0 {
		now := n.Clock.Now().Truncate(time.Millisecond) // the store's resolution
		h, err := envelope.ParseHeader(m.Envelope[:envelope.HeaderSize])
		if err != nil {
			return m, nil, fmt.Errorf("stored message %s: %w", id, err)
		}
		r := envelope.ReceiptFor(envelope.Read, h, m.Hash, now)
		if err := envelope.SignReceipt(n.Identity, r); err != nil {
			return m, nil, err
		}
		p, err := n.Store.PeerByFingerprint(ctx, m.Peer)
		if err != nil {
			return m, nil, err
		}
		first, err := n.Store.MarkRead(ctx, id, now, r, func(seq uint64) (Outgoing, error) {
			wire, env, salt, err := envelope.Seal(n.Identity, p.Identity, envelope.SealParams{
				Kind: envelope.KindReceipt, Channel: p.Channel, Seq: seq, Time: now, Flash: m.Flash,
			}, r.Raw)
			if err != nil {
				return Outgoing{}, err
			}
			return Outgoing{Env: env, Wire: wire, Salt: salt, Body: r.Raw}, nil
		})
		if err != nil {
			return m, nil, fmt.Errorf("marking read: %w", err)
		}
		if !first { // another process read it first; report its time
			if m, err = n.Store.Message(ctx, id); err != nil {
				return m, nil, err
			}
			return m, c, nil
		}
		m.ReadAt = now.UTC()
		n.wake(m.Peer)
	}
	return m, c, nil
}

// Now is a convenience for n.Clock.Now().
func (n *Node) Now() time.Time { return n.Clock.Now() }
