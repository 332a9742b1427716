package parley

import (
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
// stays in the message's body).
type Record struct {
	ObjectID string
	Type     string
	Kind     string
	TLP      stix.TLP
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
	for _, o := range b.Objects {
		rs = append(rs, Record{ObjectID: o.ID, Type: o.Type, Kind: o.RecordKind(), TLP: o.TLP()})
	}
	return rs
}

// sharedObject reports whether an object is common to every bundle (the
// TLP and extension definitions), so that originator control ignores it.
func sharedObject(o *stix.Object) bool {
	k := o.RecordKind()
	return k == "marking" || k == "extension"
}
