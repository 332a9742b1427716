package parley

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
)

// Liveness states of a peer.
const (
	LivenessUnknown = "unknown" // no heartbeat yet
	LivenessUp      = "up"
	LivenessDown    = "down" // DownAfter consecutive heartbeats failed
)

// Liveness is what this node knows of a peer's hotline.
type Liveness struct {
	Peer      envelope.Fingerprint
	State     string
	ChangedAt time.Time     // when State last changed
	LastHeard time.Time     // last verified heartbeat from or answer by the peer
	LastRTT   time.Duration // round trip of the last answered ping
	Missed    int           // consecutive failed pings
	Skew      time.Duration // the peer's clock minus ours, as last measured
}

// Sample is one ping this node sent: when, whether a valid answer came, and
// its round trip.
type Sample struct {
	At  time.Time
	OK  bool
	RTT time.Duration
}

// HourSample folds the samples of one hour, kept after raw samples expire.
type HourSample struct {
	Hour      time.Time
	Attempts  int
	OK        int
	MedianRTT time.Duration
}

// Outage is a run of failed pings: from the first failure to the next
// answered ping (End zero while it lasts).
type Outage struct {
	Start, End time.Time
}

// HotlineStore keeps liveness state and heartbeat history.
type HotlineStore interface {
	// Liveness returns the liveness of a peer; ErrNotFound before its first
	// heartbeat.
	Liveness(ctx context.Context, peer envelope.Fingerprint) (Liveness, error)
	Livenesses(ctx context.Context) ([]Liveness, error)
	// RecordPing stores a ping's sample, moves the peer's liveness on with
	// NextLiveness (downAfter misses bring it down), and opens (failed ping,
	// none open) or closes (answered ping) an outage, all in one transaction
	// under a lock on the liveness row, so that concurrent recorders (several
	// serve processes on one database, an inbound ping) lose no update and
	// only one of them sees a transition. skew is stored when the ping was
	// answered.
	RecordPing(ctx context.Context, peer envelope.Fingerprint, s Sample, skew time.Duration, downAfter int) (prev, next Liveness, changed bool, err error)
	// HeardFrom records a verified ping from the peer and the skew seen.
	HeardFrom(ctx context.Context, peer envelope.Fingerprint, at time.Time, skew time.Duration) error
	// History returns raw samples, hourly folds and outages overlapping
	// [since, until).
	History(ctx context.Context, peer envelope.Fingerprint, since, until time.Time) ([]Sample, []HourSample, []Outage, error)
	// CompactHeartbeats folds raw samples older than before into hourly rows.
	CompactHeartbeats(ctx context.Context, before time.Time) error
	// ClaimOverdueFlash marks as escalated at now, and returns, the outbound
	// flash messages stored at or before cutoff that have no read receipt
	// and were never escalated or last escalated at or before cutoff. The
	// claim is atomic: concurrent callers never return the same message.
	ClaimOverdueFlash(ctx context.Context, cutoff, now time.Time) ([]Message, error)
	// SetPurpose changes a peer's channel purpose.
	SetPurpose(ctx context.Context, peer envelope.Fingerprint, purpose string) error
}

// ValidPurpose checks a channel purpose.
func ValidPurpose(p string) error {
	switch p {
	case "social", "liaison", "hotline":
		return nil
	}
	return fmt.Errorf("purpose %q must be social, liaison or hotline", p)
}

// NextLiveness is the liveness after one ping: an answered ping brings the
// peer up and clears the misses; a failed one counts a miss, and the
// downAfter-th consecutive miss brings it down. changed reports a
// transition to up or down (not from unknown to up).
func NextLiveness(l Liveness, s Sample, downAfter int) (next Liveness, changed bool) {
	next = l
	if s.OK {
		next.Missed, next.LastHeard, next.LastRTT = 0, s.At, s.RTT
		if l.State != LivenessUp {
			next.State, next.ChangedAt = LivenessUp, s.At
			changed = l.State == LivenessDown
		}
		return next, changed
	}
	next.Missed++
	if next.Missed >= downAfter && l.State != LivenessDown {
		next.State, next.ChangedAt, changed = LivenessDown, s.At, true
	}
	if next.State == "" {
		next.State, next.ChangedAt = LivenessUnknown, s.At
	}
	return next, changed
}

// Ping builds and signs a ping to p.
func (n *Node) Ping(p Peer) (*envelope.Heartbeat, error) {
	h := envelope.NewPing(p.Channel, n.Identity.Fingerprint(), p.Fingerprint(), n.Clock.Now())
	return h, envelope.SignHeartbeat(n.Identity, h)
}

// CheckPong verifies the answer to ping from p and returns the skew of the
// peer's clock it shows: the pong's time minus the midpoint of the round
// trip on this node's clock.
func (n *Node) CheckPong(p Peer, ping *envelope.Heartbeat, raw []byte, rtt time.Duration) (time.Duration, error) {
	pong, err := envelope.ParseHeartbeat(raw)
	if err != nil {
		return 0, err
	}
	if pong.Type != envelope.Pong || pong.Nonce != ping.Nonce || pong.Channel != p.Channel ||
		pong.Recipient != n.Identity.Fingerprint() || !pong.EchoTime.Equal(ping.Time) {
		return 0, errors.New("the answer does not match the ping")
	}
	if err := pong.Verify(p.Identity); err != nil {
		return 0, err
	}
	mid := ping.Time.Add(rtt / 2)
	return pong.Time.Sub(mid).Truncate(time.Millisecond), nil
}

// AnswerPing verifies a ping from a pinned peer, records that the peer was
// heard, and returns the signed pong and the skew seen (the ping's time
// minus this node's clock; the one-way delay is not subtracted).
func (n *Node) AnswerPing(ctx context.Context, raw []byte) (pong []byte, skew time.Duration, err error) {
	h, err := envelope.ParseHeartbeat(raw)
	if err != nil {
		if errors.Is(err, envelope.ErrUnknownVersion) {
			return nil, 0, &Error{Code: CodeUnknownVersion, Index: -1, Message: "unsupported heartbeat version", Err: err}
		}
		return nil, 0, &Error{Code: CodeMalformed, Index: -1, Message: "malformed heartbeat", Err: err}
	}
	if h.Type != envelope.Ping {
		return nil, 0, Errorf(CodeMalformed, -1, "only pings are accepted here")
	}
	p, err := n.Store.PeerByFingerprint(ctx, h.Sender)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, Errorf(CodeUnknownSender, -1, "sender %s is not a pinned peer of this node", h.Sender.Short())
	} else if err != nil {
		return nil, 0, err
	}
	if h.Recipient != n.Identity.Fingerprint() {
		return nil, 0, Errorf(CodeWrongRecipient, -1, "heartbeat is addressed to %s, not to this node", h.Recipient.Short())
	}
	if h.Channel != p.Channel {
		return nil, 0, Errorf(CodeWrongChannel, -1, "heartbeat names another channel")
	}
	if err := h.Verify(p.Identity); err != nil {
		return nil, 0, &Error{Code: CodeBadSignature, Index: -1, Message: "heartbeat signature does not verify", Err: err}
	}
	now := n.Clock.Now()
	skew = h.Time.Sub(now).Truncate(time.Millisecond)
	if err := n.Store.HeardFrom(ctx, p.Fingerprint(), now, skew); err != nil {
		return nil, 0, err
	}
	answer := envelope.PongFor(h, now)
	if err := envelope.SignHeartbeat(n.Identity, answer); err != nil {
		return nil, 0, err
	}
	return answer.Raw, skew, nil
}

// DayReport is the liveness of one peer over one day (UTC).
type DayReport struct {
	Day            time.Time
	Attempts, OK   int
	Availability   float64 // OK / Attempts; 0 when there were no attempts
	LongestOutage  time.Duration
	MedianRTT      time.Duration // of answered pings; median of hourly medians for folded hours
	HasMeasurement bool
}

// HotlineReport summarises a peer's liveness per UTC day in [since, until).
func (n *Node) HotlineReport(ctx context.Context, peer envelope.Fingerprint, since, until time.Time) ([]DayReport, error) {
	since = since.UTC().Truncate(24 * time.Hour)
	samples, hours, outages, err := n.Store.History(ctx, peer, since, until)
	if err != nil {
		return nil, err
	}
	var out []DayReport
	for day := since; day.Before(until); day = day.Add(24 * time.Hour) {
		end := day.Add(24 * time.Hour)
		r := DayReport{Day: day}
		var rtts []time.Duration
		for _, s := range samples {
			if !s.At.Before(day) && s.At.Before(end) {
				r.Attempts++
				if s.OK {
					r.OK++
					rtts = append(rtts, s.RTT)
				}
			}
		}
		for _, h := range hours {
			if !h.Hour.Before(day) && h.Hour.Before(end) {
				r.Attempts += h.Attempts
				r.OK += h.OK
				if h.OK > 0 {
					rtts = append(rtts, h.MedianRTT)
				}
			}
		}
		for _, o := range outages {
			stop := o.End
			if stop.IsZero() {
				stop = n.Clock.Now()
			}
			from, to := maxTime(o.Start, day), minTime(stop, end)
			if d := to.Sub(from); d > r.LongestOutage {
				r.LongestOutage = d
			}
		}
		if r.Attempts > 0 {
			r.HasMeasurement = true
			r.Availability = float64(r.OK) / float64(r.Attempts)
		}
		r.MedianRTT = median(rtts)
		out = append(out, r)
	}
	return out, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
