package parley

import (
	"context"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/stix"
)

// Peer is another node this node has a channel with.
type Peer struct {
	Name    string
	URL     string
	Purpose string // social, liaison (default) or hotline
	// The rest of the channel's policy (see Policy).
	MaxTLP        stix.TLP
	Kinds         []string
	RespondWithin time.Duration
	Identity      *envelope.PublicIdentity
	Channel       envelope.ID
	AddedAt       time.Time
}

// Fingerprint is the peer's identity fingerprint.
func (p *Peer) Fingerprint() envelope.Fingerprint { return p.Identity.Fingerprint() }

// PeerStatus is what `parley status` shows for a peer.
type PeerStatus struct {
	Peer           Peer
	QueueDepth     int       // outbound envelopes not yet acknowledged
	ReceiptQueue   int       // read receipts (envelopes of kind receipt) in the outbox
	Held           int       // inbound envelopes waiting for a gap to fill
	Sent, Received int       // totals
	LastDelivery   time.Time // last successful delivery to the peer
	LastError      string    // last delivery error, cleared on success
	LastErrorAt    time.Time
}

// Outgoing is a sealed envelope ready to be committed by Enqueue.
type Outgoing struct {
	Env  *envelope.Envelope
	Wire []byte
	Salt []byte
	Body []byte
	Meta Meta
}

// Incoming is a verified and opened inbound envelope with the delivered
// receipt that will be released once it is committed.
type Incoming struct {
	Env     *envelope.Envelope
	Wire    []byte
	Salt    []byte
	Body    []byte
	Receipt *envelope.Receipt // delivered, or refused when Meta.Refusal is set
	Meta    Meta
}

// Result of storing one Incoming.
type Result struct {
	Status  string // "stored", "held" or "duplicate"
	Receipt []byte // the signed delivered receipt to return to the sender
}

// PeerStore keeps pinned peers. Implementations are safe for concurrent use.
type PeerStore interface {
	// AddPeer pins a peer; ErrExists if the name or fingerprint is taken.
	AddPeer(ctx context.Context, p Peer) error
	// PeerByName and PeerByFingerprint return ErrNotFound for unknown peers.
	PeerByName(ctx context.Context, name string) (Peer, error)
	PeerByFingerprint(ctx context.Context, fp envelope.Fingerprint) (Peer, error)
	Peers(ctx context.Context) ([]Peer, error)
}

// OutboxStore keeps outbound envelopes until the peer acknowledges them.
type OutboxStore interface {
	// Enqueue allocates n consecutive sequence numbers on the channel to
	// peer, calls seal with the first, and commits the returned envelopes,
	// their messages and their outbox entries in one transaction. seal runs
	// inside the transaction and must not touch the store. Concurrent calls
	// for one peer are serialised, so sequence numbers never repeat or skip.
	// flash selects the flash lane, which has its own sequence numbers.
	Enqueue(ctx context.Context, peer envelope.Fingerprint, flash bool, n int, seal func(firstSeq uint64) ([]Outgoing, error)) error
	// Claim returns up to max outbox entries for peer, lowest sequence
	// number first, whose encoded size stays within maxBytes (at least one),
	// and leases them to the caller for lease: where several processes
	// deliver from one store, no other worker claims them until the lease
	// expires or they are released. Implementations with a single delivering
	// process may ignore the lease.
	Claim(ctx context.Context, peer envelope.Fingerprint, flash bool, max, maxBytes int, lease time.Duration) ([]Message, error)
	// Release ends the lease on entries whose delivery failed, so any
	// worker may retry them at once.
	Release(ctx context.Context, peer envelope.Fingerprint, ids []envelope.ID) error
	// Acknowledge stores verified delivered receipts and removes their
	// envelopes from the outbox, in one transaction. Idempotent.
	Acknowledge(ctx context.Context, peer envelope.Fingerprint, receipts []*envelope.Receipt) error
	// RecordAttempt notes the outcome of a delivery attempt for status.
	RecordAttempt(ctx context.Context, peer envelope.Fingerprint, at time.Time, err error) error
}

// InboxStore keeps inbound envelopes.
type InboxStore interface {
	// Receive commits verified inbound envelopes from peer in one
	// transaction, in order: an envelope already stored with the same bytes
	// is a duplicate (its stored receipt is returned); the same id with other
	// bytes is CodeEnvelopeConflict; a sequence number already used by
	// another envelope is CodeSequenceReused; one at or beyond the next
	// expected plus window is CodeSequenceWindow. On any coded error nothing
	// is committed. Envelopes are applied (made visible) strictly in
	// sequence order; later ones are held until the gap fills.
	Receive(ctx context.Context, peer envelope.Fingerprint, window uint64, in []Incoming) ([]Result, error)
	// KnownEnvelopes returns the hashes of the inbound envelopes from peer
	// already stored under these ids.
	KnownEnvelopes(ctx context.Context, peer envelope.Fingerprint, ids []envelope.ID) (map[envelope.ID][32]byte, error)
}

// MessageStore reads messages and records that they were read.
type MessageStore interface {
	// Message returns the message with this envelope id, inbound first;
	// ErrNotFound if none.
	Message(ctx context.Context, id envelope.ID) (Message, error)
	// Messages lists messages matching f, oldest first.
	Messages(ctx context.Context, f Filter) ([]Message, error)
	// MarkRead records that an inbound message was read, stores its read
	// receipt, and queues the receipt to the peer as the envelope seal
	// returns (sealed with the sequence number it is given, on the lane of
	// the message read), in one transaction. It returns false if the
	// message had already been read (nothing is queued).
	MarkRead(ctx context.Context, id envelope.ID, at time.Time, receipt *envelope.Receipt, seal func(seq uint64) (Outgoing, error)) (bool, error)
	// MessageBy returns the message with this envelope id in one direction
	// on the channel with peer; ErrNotFound if none.
	MessageBy(ctx context.Context, peer envelope.Fingerprint, dir Direction, id envelope.ID) (Message, error)
	// Receipts returns the receipts stored for a message, by type.
	Receipts(ctx context.Context, peer envelope.Fingerprint, dir Direction, id envelope.ID) (map[envelope.ReceiptType]*envelope.Receipt, error)
	// Status returns per-peer delivery status.
	Status(ctx context.Context) ([]PeerStatus, error)
}

// Filter selects messages.
type Filter struct {
	Direction Direction // empty: both
	Peer      *envelope.Fingerprint
	Unread    bool
	States    []string  // empty: any
	Since     time.Time // zero: any; else applied (in order) at or after it
	Limit     int       // 0: no limit
	// Receipts includes envelopes of kind receipt (read receipts), which
	// are left out by default.
	Receipts bool
}

// RecordStore keeps the deadlines, links and records of structured
// messages. A message's Meta is stored with it by Enqueue and Receive;
// inbound ones count once applied and only when not refused.
type RecordStore interface {
	// Obligations lists warnings and requests in both directions, oldest
	// first, with whether and when they were answered or withdrawn.
	Obligations(ctx context.Context, f ObligationFilter) ([]Obligation, error)
	// MarkEscalated records that the obligations were escalated at at, for
	// those not escalated by someone else since due; it returns those it
	// marked.
	MarkEscalated(ctx context.Context, os []Obligation, at, due time.Time) ([]Obligation, error)
	// KindCounts counts messages sent at or after since, by peer, direction
	// and kind (refused ones excluded).
	KindCounts(ctx context.Context, since time.Time) ([]KindCount, error)
	// RecordOrigins returns, for each STIX object id, the peers it was
	// received from.
	RecordOrigins(ctx context.Context, objectIDs []string) (map[string][]envelope.Fingerprint, error)
	// SetPolicy changes a peer's channel policy.
	SetPolicy(ctx context.Context, peer envelope.Fingerprint, p Policy) error
}

// Store is everything a Node needs. Implementations: internal/store.
type Store interface {
	PeerStore
	RecordStore
	WatchlistStore
	TranscriptStore
	AuditStore
	OutboxStore
	InboxStore
	MessageStore
	HotlineStore
	ContactStore
	OpenDoorStore
	TAXIIStore
	Close() error
}

// Clock is the source of time; tests inject a fake.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
