package parley

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
)

// Obligation is a warning or request with a deadline: outbound ones wait
// for the peer's response, inbound ones for ours. It stays open until a
// response links to it or its sender withdraws it.
type Obligation struct {
	ID          envelope.ID
	Direction   Direction
	Peer        envelope.Fingerprint
	PeerName    string
	Kind        envelope.Kind
	Seq         uint64
	SentAt      time.Time // the sender's signed time
	RespondBy   time.Time
	DeliveredAt time.Time // outbound: when the delivered receipt was stored; inbound: when applied here
	ReadAt      time.Time // when it was opened (outbound: from the peer's read receipt)
	AnsweredAt  time.Time // the signed time of the first response linking to it
	WithdrawnAt time.Time // the signed time of its withdrawal
	EscalatedAt time.Time // when it was last escalated as overdue
	Escalations int
}

// Open reports whether the obligation is neither answered nor withdrawn.
func (o *Obligation) Open() bool { return o.AnsweredAt.IsZero() && o.WithdrawnAt.IsZero() }

// Overdue reports whether it is open past its deadline.
func (o *Obligation) Overdue(now time.Time) bool { return o.Open() && now.After(o.RespondBy) }

// AnsweredInTime reports whether a response came by the deadline.
func (o *Obligation) AnsweredInTime() bool {
	return !o.AnsweredAt.IsZero() && !o.AnsweredAt.After(o.RespondBy)
}

// ObligationFilter selects obligations.
type ObligationFilter struct {
	Peer     *envelope.Fingerprint
	OpenOnly bool
	Since    time.Time // sent at or after; zero: any
}

// KindCount is the number of messages of one kind in one direction with
// one peer.
type KindCount struct {
	Peer      envelope.Fingerprint
	PeerName  string
	Direction Direction
	Kind      envelope.Kind
	Count     int
}

// Board returns the open warnings and requests in both directions, the
// most urgent first.
func (n *Node) Board(ctx context.Context, peer *envelope.Fingerprint) ([]Obligation, error) {
	os, err := n.Store.Obligations(ctx, ObligationFilter{Peer: peer, OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("board: %w", err)
	}
	slices.SortStableFunc(os, func(a, b Obligation) int { return a.RespondBy.Compare(b.RespondBy) })
	return os, nil
}

// Escalate marks every open obligation that is overdue and was not
// escalated in the last interval as escalated now, and returns them: the
// caller alerts (log, metric, webhook). Safe to call from several
// processes sharing a store: each obligation is escalated once per
// interval.
func (n *Node) Escalate(ctx context.Context, interval time.Duration) ([]Obligation, error) {
	now := n.Clock.Now()
	os, err := n.Store.Obligations(ctx, ObligationFilter{OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("escalate: %w", err)
	}
	var due []Obligation
	for _, o := range os {
		if o.Overdue(now) && (o.EscalatedAt.IsZero() || now.Sub(o.EscalatedAt) >= interval) {
			due = append(due, o)
		}
	}
	if len(due) == 0 {
		return nil, nil
	}
	marked, err := n.Store.MarkEscalated(ctx, due, now, now.Add(-interval))
	if err != nil {
		return nil, fmt.Errorf("escalate: %w", err)
	}
	return marked, nil
}

// Stats are the accountability figures of one direction with one peer:
// outbound, what we sent and how the peer answered; inbound, what we
// received and how we answered.
type Stats struct {
	Peer      envelope.Fingerprint
	PeerName  string
	Direction Direction
	Warnings  int
	Requests  int
	Responses int // responses sent in this direction
	// Due counts warnings and requests answered or past their deadline;
	// AnsweredInTime those of them answered by the deadline.
	Due, AnsweredInTime int
	// Acknowledged counts those opened (read receipt); Answered those
	// answered.
	Acknowledged, Answered int
	// Time from sending to the read receipt, and to the response.
	AckMedian, AckP90       time.Duration
	AnswerMedian, AnswerP90 time.Duration
	OverdueNow              int
	Withdrawn               int
}

// ShareInTime is AnsweredInTime/Due, or -1 when nothing is due yet.
func (s *Stats) ShareInTime() float64 {
	if s.Due == 0 {
		return -1
	}
	return float64(s.AnsweredInTime) / float64(s.Due)
}

// Statistics computes Stats per peer and direction for what was sent at or
// after since (zero: all time), optionally for one peer.
func (n *Node) Statistics(ctx context.Context, peer *envelope.Fingerprint, since time.Time) ([]Stats, error) {
	os, err := n.Store.Obligations(ctx, ObligationFilter{Peer: peer, Since: since})
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	counts, err := n.Store.KindCounts(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	return ComputeStats(os, counts, peer, n.Clock.Now()), nil
}

// ComputeStats folds obligations and message counts into Stats, sorted by
// peer name then direction (out first).
func ComputeStats(os []Obligation, counts []KindCount, peer *envelope.Fingerprint, now time.Time) []Stats {
	type key struct {
		fp  envelope.Fingerprint
		dir Direction
	}
	by := map[key]*Stats{}
	get := func(fp envelope.Fingerprint, name string, dir Direction) *Stats {
		k := key{fp, dir}
		if by[k] == nil {
			by[k] = &Stats{Peer: fp, PeerName: name, Direction: dir}
		}
		return by[k]
	}
	acks, answers := map[key][]time.Duration{}, map[key][]time.Duration{}
	for _, o := range os {
		s := get(o.Peer, o.PeerName, o.Direction)
		k := key{o.Peer, o.Direction}
		if o.Kind == envelope.KindWarning {
			s.Warnings++
		} else {
			s.Requests++
		}
		if !o.WithdrawnAt.IsZero() && o.AnsweredAt.IsZero() {
			s.Withdrawn++
			continue
		}
		if !o.ReadAt.IsZero() {
			s.Acknowledged++
			acks[k] = append(acks[k], max(o.ReadAt.Sub(o.SentAt), 0))
		}
		if !o.AnsweredAt.IsZero() {
			s.Answered++
			answers[k] = append(answers[k], max(o.AnsweredAt.Sub(o.SentAt), 0))
		}
		if !o.AnsweredAt.IsZero() || now.After(o.RespondBy) {
			s.Due++
			if o.AnsweredInTime() {
				s.AnsweredInTime++
			}
		}
		if o.Overdue(now) {
			s.OverdueNow++
		}
	}
	for _, c := range counts {
		if peer != nil && c.Peer != *peer {
			continue
		}
		if c.Kind == envelope.KindResponse {
			get(c.Peer, c.PeerName, c.Direction).Responses += c.Count
		}
	}
	out := make([]Stats, 0, len(by))
	for k, s := range by {
		s.AckMedian, s.AckP90 = quantile(acks[k], 0.5), quantile(acks[k], 0.9)
		s.AnswerMedian, s.AnswerP90 = quantile(answers[k], 0.5), quantile(answers[k], 0.9)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Stats) int {
		return cmp.Or(cmp.Compare(a.PeerName, b.PeerName), -cmp.Compare(a.Direction, b.Direction))
	})
	return out
}

// quantile is the nearest-rank q-quantile of ds (0 if empty).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}
