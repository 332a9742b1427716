package parley

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/stix"
)

// Draft is a message to send: a letter, warning, request or response.
type Draft struct {
	Kind    envelope.Kind // zero: letter
	Content Content
	Flash   bool // on the flash lane
	// RespondWithin sets a warning's or request's deadline when
	// Content.RespondBy is zero; zero: the channel's default.
	RespondWithin time.Duration
}

// Compose checks a draft against the content rules, the STIX validator,
// the channel's policy, originator control and the links it makes, then
// seals it and commits it to the outbox like Send. A draft that breaks a
// rule is returned as a *Refusal naming what triggered it; nothing is
// stored.
func (n *Node) Compose(ctx context.Context, peerName string, d Draft) (Message, error) {
	if d.Kind == 0 {
		d.Kind = envelope.KindLetter
	}
	p, err := n.peerByName(ctx, peerName)
	if err != nil {
		return Message{}, err
	}
	c := d.Content
	if (d.Kind == envelope.KindWarning || d.Kind == envelope.KindRequest) && c.RespondBy.IsZero() {
		within := d.RespondWithin
		if within == 0 {
			within = p.RespondWithin
		}
		if within == 0 {
			within = DefaultRespondWithin
		}
		if within < MinRespondWithin || within > MaxRespondWithin {
			return Message{}, fmt.Errorf("%w: a deadline must be between %v and %v away", ErrContent, MinRespondWithin, MaxRespondWithin)
		}
		// Whole seconds: the deadline is read by people and other tools.
		c.RespondBy = n.Clock.Now().Add(within).Truncate(time.Second).UTC()
	}
	if err := c.Validate(n.Limits); err != nil {
		return Message{}, err
	}
	if len(c.Records) > 0 {
		// The canonical form is what is committed to and sealed.
		c.Records = canonicalJSON(c.Records)
	}
	meta, err := n.check(ctx, p, Outbound, d.Kind, &c, n.Clock.Now(), nil)
	if err != nil {
		return Message{}, err
	}
	return n.enqueue(ctx, p, d.Kind, &c, d.Flash, meta)
}

// canonicalJSON is b as EncodeContent will write it: compact, with <, >,
// &, U+2028 and U+2029 escaped, as encoding/json writes a RawMessage.
func canonicalJSON(b []byte) []byte {
	var compact, out bytes.Buffer
	compact.Grow(len(b))
	if err := json.Compact(&compact, b); err != nil {
		return b // Validate and the STIX parser report it
	}
	out.Grow(compact.Len())
	json.HTMLEscape(&out, compact.Bytes())
	return out.Bytes()
}

// check applies every content rule to a message in direction dir on the
// channel with p, and returns what the store keeps about it. batch holds
// the kinds of the other envelopes of an inbound batch, which a withdrawal
// may name before they are stored. Rule violations are *Refusal; other
// errors are the store's.
func (n *Node) check(ctx context.Context, p Peer, dir Direction, k envelope.Kind, c *Content, sent time.Time, batch map[envelope.ID]envelope.Kind) (Meta, error) {
	var meta Meta
	if r := validateKind(k, c, sent); r != nil {
		return meta, r
	}
	var b *stix.Bundle
	if len(c.Records) > 0 {
		var err error
		b, err = stix.Parse(c.Records, stix.Options{RequireTLP: true})
		if err != nil {
			return meta, refuse(envelope.ReasonRecords, "records: %v", err)
		}
	}
	if r := n.checkPolicy(p, k, c, b); r != nil {
		return meta, r
	}
	// Links: a response answers a warning or request that came the other
	// way; a withdrawal names one that went the same way.
	if c.InReplyTo != "" {
		id, err := envelope.ParseID(c.InReplyTo)
		if err != nil {
			return meta, refuse(envelope.ReasonLink, "in_reply_to: %v", err)
		}
		if err := n.linkTarget(ctx, p, opposite(dir), id, "answers"); err != nil {
			return meta, err
		}
		meta.InReplyTo = &id
	}
	if c.Withdraws != "" {
		id, err := envelope.ParseID(c.Withdraws)
		if err != nil {
			return meta, refuse(envelope.ReasonLink, "withdraws: %v", err)
		}
		if bk, ok := batch[id]; !ok || (bk != envelope.KindWarning && bk != envelope.KindRequest) {
			if err := n.linkTarget(ctx, p, dir, id, "withdraws"); err != nil {
				return meta, err
			}
		}
		meta.Withdraws = &id
	}
	if dir == Outbound && b != nil {
		if err := n.checkOriginator(ctx, p, b); err != nil {
			return meta, err
		}
	}
	if dir == Inbound && b != nil {
		hits, err := n.matchPersons(ctx, b)
		if err != nil {
			return meta, err
		}
		meta.Hits = hits
	}
	meta.RespondBy = c.RespondBy
	meta.Records = records(b)
	return meta, nil
}

func opposite(d Direction) Direction {
	if d == Inbound {
		return Outbound
	}
	return Inbound
}

// linkTarget checks that id is a warning or request on the channel with p,
// in direction dir, that was not refused.
func (n *Node) linkTarget(ctx context.Context, p Peer, dir Direction, id envelope.ID, verb string) error {
	m, err := n.Store.MessageBy(ctx, p.Fingerprint(), dir, id)
	if errors.Is(err, ErrNotFound) {
		return refuse(envelope.ReasonLink, "it %s message %s, which is not a %s warning or request on this channel", verb, id, dirWord(dir))
	}
	if err != nil {
		return err
	}
	if (m.Kind != envelope.KindWarning && m.Kind != envelope.KindRequest) || m.Refusal != 0 {
		return refuse(envelope.ReasonLink, "it %s message %s, a %s, not a warning or request", verb, id, m.Kind)
	}
	return nil
}

func dirWord(d Direction) string {
	if d == Inbound {
		return "received"
	}
	return "sent"
}

// checkOriginator refuses records that arrived on another channel.
func (n *Node) checkOriginator(ctx context.Context, p Peer, b *stix.Bundle) error {
	var ids []string
	for _, o := range b.Objects {
		if !sharedObject(o) {
			ids = append(ids, o.ID)
		}
	}
	origins, err := n.Store.RecordOrigins(ctx, ids)
	if err != nil {
		return fmt.Errorf("originator control: %w", err)
	}
	for i, o := range b.Objects {
		for _, fp := range origins[o.ID] {
			if fp != p.Fingerprint() {
				from := fp.Short()
				if q, err := n.Store.PeerByFingerprint(ctx, fp); err == nil {
					from = q.Name
				}
				return refuse(envelope.ReasonOriginator, "objects[%d] (%s) was received from %s; records received on one channel are never sent on another", i, o.ID, from)
			}
		}
	}
	return nil
}
