package parley

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/stix"
)

// Channel policy defaults (SPEC §2 "Channel").
const (
	DefaultMaxTLP        = stix.TLPAmber
	DefaultRespondWithin = 72 * time.Hour
	// MinRespondWithin and MaxRespondWithin bound a warning's deadline.
	MinRespondWithin = time.Minute
	MaxRespondWithin = 366 * 24 * time.Hour
)

// MaxSocialText bounds the text of a message on a social channel: the
// screen reads no more.
const MaxSocialText = 1 << 20

// Policy is what a channel may carry. Each node keeps its own policy for a
// channel and enforces it on what it sends and on what it receives.
type Policy struct {
	Purpose       string        // social, liaison or hotline
	MaxTLP        stix.TLP      // highest TLP a record may carry
	Kinds         []string      // record kinds allowed (stix.Object.RecordKind); empty: any
	RespondWithin time.Duration // the default time in which a warning or request must be answered
}

// RecordKinds a policy may name (stix.Object.RecordKind's vocabulary, less
// the marking and extension definitions every bundle may carry).
var RecordKinds = []string{"person", "financing", "source", "indicator", "relationship", "report", "note", "opinion", "observable"}

// ParseKinds parses a comma-separated list of record kinds; "" and "any"
// allow every kind.
func ParseKinds(s string) ([]string, error) {
	if s == "" || s == "any" {
		return nil, nil
	}
	var out []string
	for k := range strings.SplitSeq(s, ",") {
		k = strings.TrimSpace(strings.ToLower(k))
		if !slices.Contains(RecordKinds, k) {
			return nil, fmt.Errorf("unknown record kind %q (kinds: %s)", k, strings.Join(RecordKinds, ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Refusal is content a channel's policy does not allow, or content that is
// not valid: on send it is returned to the user, who may rephrase; on
// receipt it becomes a signed refused receipt.
type Refusal struct {
	Reason envelope.Reason
	Detail string // what triggered it, quoted; said to the local user only
}

func (r *Refusal) Error() string { return r.Reason.String() + ": " + r.Detail }

func refuse(reason envelope.Reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Meta is what the store keeps about a message besides its envelope: its
// deadline, what it links to, and the records it carried (or why it was
// refused).
type Meta struct {
	RespondBy time.Time
	InReplyTo *envelope.ID
	Withdraws *envelope.ID
	Records   []Record
	Hits      []Hit // inbound only: received persons on the watchlist
	// ReadReceipt is the read receipt an inbound envelope of kind receipt
	// carries, verified: the store marks the message it names as read.
	ReadReceipt *envelope.Receipt
	Refusal     *Refusal // inbound only: stored as evidence, nothing applied
}

// Record indexes one STIX object a message carried (the object itself
// stays in the message's body, at Offset).
type Record struct {
	ObjectID string
	Type     string
	Kind     string
	TLP      stix.TLP
	// Pos is the object's index in the message's bundle.
	Pos int
	// Version is the object's modified time, else its created time; zero
	// when it has neither (the store then uses the date it was added).
	Version time.Time
	// Offset and Length locate the object's exact bytes in the message's
	// body (Length 0: not located).
	Offset, Length int
}

// validateKind checks the fields a kind of message needs; sent is the
// envelope's time.
func validateKind(k envelope.Kind, c *Content, sent time.Time) *Refusal {
	switch k {
	case envelope.KindLetter:
		if !c.RespondBy.IsZero() || c.InReplyTo != "" {
			return refuse(envelope.ReasonContent, "a letter has no deadline and answers nothing (send a warning, request or response)")
		}
	case envelope.KindWarning, envelope.KindRequest:
		if c.RespondBy.IsZero() {
			return refuse(envelope.ReasonContent, "a %s needs a deadline", k)
		}
		if d := c.RespondBy.Sub(sent); d < MinRespondWithin-time.Second || d > MaxRespondWithin {
			return refuse(envelope.ReasonContent, "the deadline %s is not between %v and %v after sending", c.RespondBy.Format(time.RFC3339), MinRespondWithin, MaxRespondWithin)
		}
		if c.InReplyTo != "" || c.Withdraws != "" {
			return refuse(envelope.ReasonContent, "a %s answers or withdraws nothing", k)
		}
	case envelope.KindResponse:
		if c.InReplyTo == "" {
			return refuse(envelope.ReasonContent, "a response must name the warning or request it answers")
		}
		if !c.RespondBy.IsZero() || c.Withdraws != "" {
			return refuse(envelope.ReasonContent, "a response has no deadline and withdraws nothing")
		}
	default:
		return refuse(envelope.ReasonContent, "messages of kind %s are not composed by hand", k)
	}
	return nil
}

// checkPolicy applies a channel's policy to content whose records (if any)
// are b.
func (n *Node) checkPolicy(p Peer, k envelope.Kind, c *Content, b *stix.Bundle) *Refusal {
	if p.Purpose == "social" {
		if b != nil {
			return refuse(envelope.ReasonSocial, "a social channel does not carry STIX records")
		}
		if len(c.Attachments) > 0 {
			return refuse(envelope.ReasonSocial, "a social channel does not carry attachments (they cannot be screened)")
		}
		if k == envelope.KindWarning {
			return refuse(envelope.ReasonKind, "a social channel does not carry warnings")
		}
		if len(c.Text) > MaxSocialText {
			return refuse(envelope.ReasonSocial, "a social letter may be at most %d bytes, so that all of it is screened", MaxSocialText)
		}
		if fs := n.detector().Scan(c.Text); len(fs) > 0 {
			var quoted []string
			for _, f := range fs {
				quoted = append(quoted, f.String())
			}
			return refuse(envelope.ReasonSocial, "a social channel does not carry %s; rephrase without it", strings.Join(quoted, ", "))
		}
		return nil
	}
	if b == nil {
		return nil
	}
	max := p.MaxTLP
	if max == stix.TLPNone {
		max = DefaultMaxTLP
	}
	for i, o := range b.Objects {
		if t := o.TLP(); t > max {
			return refuse(envelope.ReasonTLP, "objects[%d] (%s) is TLP:%s; this channel carries at most TLP:%s",
				i, o.ID, strings.ToUpper(t.String()), strings.ToUpper(max.String()))
		}
		kind := o.RecordKind()
		if len(p.Kinds) > 0 && kind != "marking" && kind != "extension" && !slices.Contains(p.Kinds, kind) {
			return refuse(envelope.ReasonKind, "objects[%d] (%s) is a %s record; this channel carries only %s",
				i, o.ID, kind, strings.Join(p.Kinds, ", "))
		}
	}
	return nil
}

// records returns the rows to store for a bundle.
func records(b *stix.Bundle) []Record {
	if b == nil {
		return nil
	}
	rs := make([]Record, 0, len(b.Objects))
	for i, o := range b.Objects {
		v := o.Modified
		if v.IsZero() {
			v = o.Created
		}
		rs = append(rs, Record{ObjectID: o.ID, Type: o.Type, Kind: o.RecordKind(), TLP: o.TLP(),
			Pos: i, Version: v, Offset: o.Offset, Length: len(o.Raw)})
	}
	return rs
}

// BodyRecords returns the records of a stored message body (Content
// encoded), located in it. It is for data stored before records were
// located at insert time.
func BodyRecords(body []byte) ([]Record, error) {
	c, err := DecodeContent(body, Limits{MaxEnvelopeBytes: 1 << 62, MaxAttachmentBytes: 1 << 62})
	if err != nil {
		return nil, err
	}
	if len(c.Records) == 0 {
		return nil, nil
	}
	b, err := stix.Parse(c.Records, stix.Options{})
	if err != nil {
		return nil, err
	}
	rs := records(b)
	placeRecords(rs, body, c.Records)
	return rs, nil
}

// placeRecords turns the offsets of records, relative to the bundle
// records (as Content.Records), into offsets in body, the encoded content
// that holds it. Records it cannot place keep Length 0.
func placeRecords(rs []Record, body, records []byte) {
	if len(rs) == 0 {
		return
	}
	// The only unescaped `"records":` in a canonical body is the member
	// name: inside JSON strings every quote is escaped.
	at := bytes.Index(body, []byte(`"records":`))
	if at < 0 || !bytes.HasPrefix(body[at+len(`"records":`):], records) {
		for i := range rs {
			rs[i].Length = 0
		}
		return
	}
	base := at + len(`"records":`)
	for i := range rs {
		rs[i].Offset += base
	}
}

// sharedObject reports whether an object is common to every bundle (the
// TLP and extension definitions), so that originator control ignores it.
func sharedObject(o *stix.Object) bool {
	k := o.RecordKind()
	return k == "marking" || k == "extension"
}
