package parley

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
)

// The open door (SPEC §2, §3 guarantee 8; docs/opendoor.md) is the public
// intake: anonymous visitors leave submissions and read replies under a
// codename. What is stored of them is only what this file's types hold:
// no address, no user agent, no time finer than a UTC date; every item's
// content is sealed before it reaches the store.

// VisitorID identifies an open-door visitor in the store. It is random and
// unrelated to the codename: staff see it to tell visitors apart.
type VisitorID [16]byte

// String returns the lower-case hex encoding.
func (v VisitorID) String() string { return hex.EncodeToString(v[:]) }

// Short returns the first 8 hex digits, for listings.
func (v VisitorID) Short() string { return hex.EncodeToString(v[:4]) }

// DoorVisitor is what is stored of a visitor: what their codename derives
// that the server needs (the lookup key, the verifier and the reply public
// key) and the date of their first submission.
type DoorVisitor struct {
	ID       VisitorID
	Lookup   [opendoorcrypto.LookupSize]byte
	Verifier [opendoorcrypto.VerifierSize]byte
	ReplyKey []byte    // the visitor's reply public key
	Created  time.Time // a UTC date (midnight)
}

// DoorItem is one sealed item: a visitor's submission or a reply to them.
type DoorItem struct {
	ID      opendoorcrypto.ItemID
	Visitor VisitorID
	Kind    opendoorcrypto.Kind
	Created time.Time // a UTC date (midnight)
	Size    int       // of Body
	// Body is the item's ciphertext; OrgKey and VisitorKey are its data key
	// wrapped to the organisation's open-door key and (replies only) to the
	// visitor's reply key. Listings leave all three nil.
	Body       []byte
	OrgKey     []byte
	VisitorKey []byte
}

// DoorFilter selects items.
type DoorFilter struct {
	Visitor *VisitorID          // nil: every visitor
	Kind    opendoorcrypto.Kind // empty: both kinds
	Bodies  bool                // include Body, OrgKey and VisitorKey
	Limit   int                 // 0: no limit
}

// OpenDoorStore keeps open-door visitors and items. Implementations are safe
// for concurrent use; each method is one transaction. Dates are stored as
// dates: nothing finer may be stored.
type OpenDoorStore interface {
	// AddDoorVisitor stores a visitor and their first item together;
	// ErrExists if the lookup key is taken.
	AddDoorVisitor(ctx context.Context, v DoorVisitor, first DoorItem) error
	// DoorVisitor returns the visitor with this lookup key; ErrNotFound if
	// none.
	DoorVisitor(ctx context.Context, lookup [opendoorcrypto.LookupSize]byte) (DoorVisitor, error)
	// DoorVisitorByID returns a visitor; ErrNotFound if none.
	DoorVisitorByID(ctx context.Context, id VisitorID) (DoorVisitor, error)
	// AddDoorItem stores an item of an existing visitor; ErrNotFound if the
	// visitor is gone, ErrExists if the id is taken.
	AddDoorItem(ctx context.Context, it DoorItem) error
	// DoorItem returns an item with its body and wrapped keys; ErrNotFound
	// if none.
	DoorItem(ctx context.Context, id opendoorcrypto.ItemID) (DoorItem, error)
	// DoorItems lists items matching f, newest date first (in no particular
	// order within a date).
	DoorItems(ctx context.Context, f DoorFilter) ([]DoorItem, error)
	// DeleteDoorItem destroys an item: its wrapped data keys and its body.
	// On SQLite the deleted content is overwritten and the write-ahead log
	// truncated before it returns, so that no copy of the wrapped keys
	// remains in the database files. ErrNotFound if none.
	DeleteDoorItem(ctx context.Context, id opendoorcrypto.ItemID) error
	// PurgeDoor destroys, as DeleteDoorItem does, the items dated before
	// before, then deletes the visitors created before it who have no item
	// left. It returns how many of each it deleted.
	PurgeDoor(ctx context.Context, before time.Time) (items, visitors int, err error)
}

// Open-door errors.
var (
	// ErrUnknownCodename: no visitor has this codename.
	ErrUnknownCodename = errors.New("no visitor has this codename")
	// ErrReplyTooLong: a reply must fit the visitor's page.
	ErrReplyTooLong = fmt.Errorf("a reply is at most %d bytes of text", MaxDoorReplyBytes)
)

// MaxDoorReplyBytes bounds a reply's text, so that a visitor's page, which
// is padded to a fixed size, can always show the latest reply whole.
const MaxDoorReplyBytes = 4096

// Day returns the UTC date of t, as midnight UTC: the only kind of time the
// open door stores.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// OpenDoor holds the open door's use cases. Deriving credentials from a
// codename (opendoorcrypto.Derive) is the caller's: it is the expensive
// step, which the HTTP adapter queues and bounds.
type OpenDoor struct {
	Store OpenDoorStore
	// Key is the organisation's open-door public key; submissions and
	// replies are sealed to it. Its private half may live offline.
	Key   *opendoorcrypto.PublicKey
	Clock Clock
}

func (d *OpenDoor) today() time.Time {
	if d.Clock == nil {
		return Day(time.Now())
	}
	return Day(d.Clock.Now())
}

// Seal seals content as a new submission, in memory: nothing is stored. The
// caller stores it with Register or Submit, or drops it.
func (d *OpenDoor) Seal(c *opendoorcrypto.Content) (DoorItem, error) {
	if err := c.Check(); err != nil {
		return DoorItem{}, err
	}
	pt := c.Marshal()
	defer clear(pt)
	id := opendoorcrypto.NewItemID()
	body, wrapped, err := opendoorcrypto.SealItem(id, opendoorcrypto.KindSubmission, pt, d.Key)
	if err != nil {
		return DoorItem{}, err
	}
	return DoorItem{ID: id, Kind: opendoorcrypto.KindSubmission, Created: d.today(), Size: len(body), Body: body, OrgKey: wrapped[0]}, nil
}

// Register stores a new visitor whose codename derived c, with their first
// sealed submission.
func (d *OpenDoor) Register(ctx context.Context, c *opendoorcrypto.Credentials, first DoorItem) (DoorVisitor, error) {
	v := DoorVisitor{Lookup: c.Lookup, Verifier: c.Verifier, ReplyKey: c.ReplyKey().Public().Bytes(), Created: d.today()}
	rand.Read(v.ID[:])
	first.Visitor, first.Created = v.ID, d.today()
	if err := d.Store.AddDoorVisitor(ctx, v, first); err != nil {
		return DoorVisitor{}, fmt.Errorf("open door: register: %w", err)
	}
	return v, nil
}

// dummyVerifier is compared when no visitor has the lookup key, so that a
// wrong codename costs the same comparison as a right one.
var dummyVerifier = make([]byte, opendoorcrypto.VerifierSize)

// Check returns the visitor whose codename derived c, or
// ErrUnknownCodename. The work is the same either way: one lookup and one
// constant-time comparison of verifiers.
func (d *OpenDoor) Check(ctx context.Context, c *opendoorcrypto.Credentials) (DoorVisitor, error) {
	v, err := d.Store.DoorVisitor(ctx, c.Lookup)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return DoorVisitor{}, fmt.Errorf("open door: check: %w", err)
	}
	stored := dummyVerifier
	if found {
		stored = v.Verifier[:]
	}
	if !c.Matches(stored) || !found {
		return DoorVisitor{}, ErrUnknownCodename
	}
	return v, nil
}

// Submit stores a sealed submission of visitor v.
func (d *OpenDoor) Submit(ctx context.Context, v VisitorID, it DoorItem) error {
	it.Visitor, it.Created = v, d.today()
	if err := d.Store.AddDoorItem(ctx, it); err != nil {
		return fmt.Errorf("open door: submit: %w", err)
	}
	return nil
}

// DoorReply is a reply as its visitor reads it.
type DoorReply struct {
	ID   opendoorcrypto.ItemID
	Date time.Time
	Text string
}

// Replies opens the latest replies to visitor v (at most limit, 0: all),
// newest first, with the reply key c derived from the visitor's codename.
func (d *OpenDoor) Replies(ctx context.Context, v VisitorID, c *opendoorcrypto.Credentials, limit int) ([]DoorReply, error) {
	items, err := d.Store.DoorItems(ctx, DoorFilter{Visitor: &v, Kind: opendoorcrypto.KindReply, Bodies: true, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("open door: replies: %w", err)
	}
	var out []DoorReply
	for _, it := range items {
		pt, err := opendoorcrypto.OpenItem(it.ID, it.Kind, it.Body, it.VisitorKey, c.ReplyKey())
		if err != nil {
			return nil, fmt.Errorf("open door: reply %s: %w", it.ID, err)
		}
		content, err := opendoorcrypto.ParseContent(pt)
		if err != nil {
			return nil, fmt.Errorf("open door: reply %s: %w", it.ID, err)
		}
		out = append(out, DoorReply{ID: it.ID, Date: it.Created, Text: content.Text})
	}
	return out, nil
}

// Reply seals text to the visitor who sent item to (and to the
// organisation, so that staff can read it again) and stores it.
func (d *OpenDoor) Reply(ctx context.Context, to opendoorcrypto.ItemID, text string) (DoorItem, error) {
	if len(text) > MaxDoorReplyBytes {
		return DoorItem{}, ErrReplyTooLong
	}
	if !utf8.ValidString(text) || text == "" {
		return DoorItem{}, errors.New("a reply is non-empty UTF-8 text")
	}
	orig, err := d.Store.DoorItem(ctx, to)
	if err != nil {
		return DoorItem{}, fmt.Errorf("open door: item %s: %w", to, err)
	}
	v, err := d.Store.DoorVisitorByID(ctx, orig.Visitor)
	if err != nil {
		return DoorItem{}, fmt.Errorf("open door: the visitor of item %s: %w", to, err)
	}
	vk, err := opendoorcrypto.NewPublicKey(v.ReplyKey)
	if err != nil {
		return DoorItem{}, fmt.Errorf("open door: the visitor's stored reply key: %w", err)
	}
	id := opendoorcrypto.NewItemID()
	pt := (&opendoorcrypto.Content{Text: text}).Marshal()
	body, wrapped, err := opendoorcrypto.SealItem(id, opendoorcrypto.KindReply, pt, vk, d.Key)
	if err != nil {
		return DoorItem{}, err
	}
	it := DoorItem{ID: id, Visitor: v.ID, Kind: opendoorcrypto.KindReply, Created: d.today(), Size: len(body), Body: body, VisitorKey: wrapped[0], OrgKey: wrapped[1]}
	if err := d.Store.AddDoorItem(ctx, it); err != nil {
		return DoorItem{}, fmt.Errorf("open door: reply: %w", err)
	}
	return it, nil
}

// OpenDoorItem decrypts item id with the organisation's private key.
// ErrNotFound once it is deleted: its data key is gone with it.
func OpenDoorItem(ctx context.Context, st OpenDoorStore, k *opendoorcrypto.PrivateKey, id opendoorcrypto.ItemID) (DoorItem, *opendoorcrypto.Content, error) {
	it, err := st.DoorItem(ctx, id)
	if err != nil {
		return it, nil, err
	}
	pt, err := opendoorcrypto.OpenItem(it.ID, it.Kind, it.Body, it.OrgKey, k)
	if err != nil {
		return it, nil, err
	}
	c, err := opendoorcrypto.ParseContent(pt)
	clear(pt)
	return it, c, err
}

// Purge applies retention: it destroys items dated more than retention
// before today, and visitors left with nothing older than that.
func (d *OpenDoor) Purge(ctx context.Context, retention time.Duration) (items, visitors int, err error) {
	return d.Store.PurgeDoor(ctx, d.today().Add(-retention))
}
