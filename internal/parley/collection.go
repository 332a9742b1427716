package parley

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/stix"
)

// A collection is the STIX objects that the messages of one direction of a
// channel carried: Inbound, what the peer sent (applied in order, not
// refused); Outbound, what this node sent (not refused by the peer). Its
// objects are the records of those messages, each with the date it was
// added to the collection: for an inbound record, when its message was
// applied; for an outbound one, when its message was queued. Dates added
// have microsecond resolution and are unique and increasing within a
// collection, so that a reader that resumes after the last date it saw
// neither skips nor repeats anything. Records never cross collections: an
// object received from one peer appears only in that peer's inbound
// collection (SPEC §2, originator control).

// CollectionObject is one version of a STIX object in a collection.
type CollectionObject struct {
	ID        string
	Type      string
	TLP       stix.TLP
	Version   time.Time // modified, else created, else DateAdded
	DateAdded time.Time
	Message   envelope.ID     // the message that carried it
	Raw       json.RawMessage // the object's exact bytes; nil when NoRaw
}

// VersionMatch selects versions of each object (TAXII's match[version]).
// The zero value selects the latest version.
type VersionMatch struct {
	All, First, Last bool
	At               []time.Time // exact versions
}

// ObjectQuery selects objects of the collection (Peer, Direction) in the
// order they were added.
type ObjectQuery struct {
	Peer      envelope.Fingerprint
	Direction Direction
	// After keeps objects added strictly after it (zero: from the start).
	After time.Time
	// IDs and Types keep objects with one of these ids or types (empty:
	// any).
	IDs, Types []string
	Versions   VersionMatch
	// MaxTLP keeps objects marked at most this level; versions above it
	// do not count when finding the first or last version.
	MaxTLP stix.TLP
	// Limit is the most objects returned (required, positive).
	Limit int
	// NoRaw leaves CollectionObject.Raw nil (for manifests and versions).
	NoRaw bool
}

// TAXIIUser is a person or tool allowed on the TAXII listener. Secrets are
// kept only as Argon2id hashes (PHC strings, see internal/taxii).
type TAXIIUser struct {
	Name      string
	Password  string // hash of the password; "" if the user has none
	TokenID   string // public half of the API token; "" if none
	TokenHash string // hash of the token's secret half
	// Read and Write are collection aliases ("south-in", "south-out") or
	// "*" for every collection.
	Read, Write []string
	MaxTLP      stix.TLP // the highest TLP the user is shown
	CreatedAt   time.Time
}

// TAXIIStatus is the outcome of one TAXII POST to an outbound collection.
type TAXIIStatus struct {
	ID          string
	User        string
	Peer        envelope.Fingerprint
	RequestedAt time.Time
	ExpiresAt   time.Time
	Objects     []TAXIIStatusObject
}

// TAXIIStatusObject is one object of a TAXII POST: refused before sending
// (Failure), or carried by the message MessageID, whose progress the store
// fills in when the status is read.
type TAXIIStatusObject struct {
	ObjectID string
	Version  string // as posted
	Failure  string
	Message  *envelope.ID
	// Filled on read from the message: the peer's refusal, and when the
	// peer's signed delivered and read receipts were stored.
	Refusal     envelope.Reason
	DeliveredAt time.Time
	ReadAt      time.Time
}

// TAXIIStore keeps what the TAXII listener serves and the state it needs.
// Implementations are safe for concurrent use.
type TAXIIStore interface {
	// CollectionObjects returns up to q.Limit objects of a collection,
	// ordered by date added, that match q. An object version that was
	// added more than once is returned once, with its first date added.
	CollectionObjects(ctx context.Context, q ObjectQuery) ([]CollectionObject, error)
	// AddTAXIIUser stores a user; ErrExists if the name or token id is taken.
	AddTAXIIUser(ctx context.Context, u TAXIIUser) error
	// RemoveTAXIIUser deletes a user; ErrNotFound if there is none.
	RemoveTAXIIUser(ctx context.Context, name string) error
	// TAXIIUsers lists the users by name.
	TAXIIUsers(ctx context.Context) ([]TAXIIUser, error)
	// TAXIIUser and TAXIIUserByToken return ErrNotFound for unknown users.
	TAXIIUser(ctx context.Context, name string) (TAXIIUser, error)
	TAXIIUserByToken(ctx context.Context, tokenID string) (TAXIIUser, error)
	// AddTAXIIStatus stores a status and deletes those expired at its
	// RequestedAt, in one transaction.
	AddTAXIIStatus(ctx context.Context, s TAXIIStatus) error
	// TAXIIStatus returns a stored status with the progress of its
	// messages; ErrNotFound if there is none (or it expired).
	TAXIIStatus(ctx context.Context, id string, now time.Time) (TAXIIStatus, error)
	// TAXIICursor returns where the last pull from (source, collection)
	// to peer stopped; "" before the first.
	TAXIICursor(ctx context.Context, source, collection string, peer envelope.Fingerprint) (string, error)
	// SetTAXIICursor records it.
	SetTAXIICursor(ctx context.Context, source, collection string, peer envelope.Fingerprint, addedAfter string, at time.Time) error
}

// CollectionAlias names the collection of one direction of the channel
// with the peer named peer: "PEER-in" or "PEER-out". Aliases are unique
// because peer names are.
func CollectionAlias(peer string, d Direction) string { return peer + "-" + string(d) }

// ParseWithin parses a time to respond: a Go duration ("90m", "72h") or
// whole days ("3d").
func ParseWithin(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 || n > 3660 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration (like 90m, 72h or 3d)", s)
	}
	return d, nil
}
