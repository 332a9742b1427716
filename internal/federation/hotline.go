package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/prometheus/client_golang/prometheus"
)

// HeartbeatMediaType is the Content-Type of a heartbeat body.
const HeartbeatMediaType = "application/vnd.parley.heartbeat"

func (s *Server) postHeartbeat(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != HeartbeatMediaType {
		s.refuse(w, r, parley.Errorf(parley.CodeUnsupportedMedia, -1, "Content-Type must be %s", HeartbeatMediaType))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, envelope.HeartbeatSize))
	if err != nil {
		s.refuse(w, r, parley.Errorf(parley.CodeTooLarge, -1, "a heartbeat is %d bytes", envelope.HeartbeatSize))
		return
	}
	pong, _, err := s.Node.AnswerPing(r.Context(), body)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	w.Header().Set("Content-Type", HeartbeatMediaType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(pong)
}

// Ping posts a signed ping and returns the raw answer.
func (c *Client) Ping(ctx context.Context, baseURL string, ping []byte) ([]byte, error) {
	u := strings.TrimSuffix(baseURL, "/") + "/federation/v1/heartbeat"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(ping))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", HeartbeatMediaType)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var er ErrorResponse
		if json.Unmarshal(body, &er) != nil || er.Error.Code == "" {
			return nil, &RemoteError{Status: resp.StatusCode, Code: "unknown", Message: http.StatusText(resp.StatusCode)}
		}
		return nil, &RemoteError{Status: resp.StatusCode, Code: er.Error.Code, Message: er.Error.Message}
	}
	return body, nil
}

// Event is something an operator must learn of at once.
type Event struct {
	Kind      string    `json:"event"` // peer_down, peer_up, flash_unread, flash_received, clock_skew
	Peer      string    `json:"peer"`
	At        time.Time `json:"at"`
	MessageID string    `json:"message_id,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// Alerter surfaces events: a log line at the right level, a counter, and,
// when configured, a JSON POST to a webhook. Events carry no message content.
type Alerter struct {
	Log     *slog.Logger
	Webhook string       // URL, or empty
	Client  *http.Client // for the webhook
	Count   *prometheus.CounterVec
	// Retries is how many times a failed webhook POST is retried, after
	// RetryMin, then doubling delays (default 1s).
	Retries  int
	RetryMin time.Duration
}

// NewAlerter registers parley_alerts_total{event} on reg.
func NewAlerter(log *slog.Logger, webhook string, reg prometheus.Registerer) *Alerter {
	a := &Alerter{Log: log, Webhook: webhook, Client: &http.Client{Timeout: 10 * time.Second},
		Count: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_alerts_total", Help: "Alerts raised, by event."}, []string{"event"})}
	if reg != nil {
		reg.MustRegister(a.Count)
	}
	return a
}

// Alert raises e. The webhook is called in the background; its failure is logged.
func (a *Alerter) Alert(ctx context.Context, e Event) {
	level := slog.LevelWarn
	switch e.Kind {
	case "peer_down", "flash_unread", "transcript_equivocation", "transcript_rollback", "transcript_inconsistent", "transcript_bad_cosignature":
		level = slog.LevelError
	case "peer_up":
		level = slog.LevelInfo
	}
	a.Log.Log(ctx, level, "ALERT "+e.Kind, "peer", e.Peer, "message_id", e.MessageID, "detail", e.Detail)
	if a.Count != nil {
		a.Count.WithLabelValues(e.Kind).Inc()
	}
	if a.Webhook == "" {
		return
	}
	body, _ := json.Marshal(e)
	go a.post(context.WithoutCancel(ctx), e.Kind, body)
}

// post delivers one event to the webhook, retrying failures (network
// errors and statuses other than 2xx, 4xx excepted) with doubling delays.
func (a *Alerter) post(ctx context.Context, kind string, body []byte) {
	delay := a.RetryMin
	if delay <= 0 {
		delay = time.Second
	}
	for attempt := 0; ; attempt++ {
		err := a.postOnce(ctx, body)
		if err == nil {
			return
		}
		var perm permanentError
		if errors.As(err, &perm) || attempt >= a.Retries {
			a.Log.Error("webhook failed", "event", kind, "attempts", attempt+1, "err", err)
			return
		}
		a.Log.Warn("webhook failed; retrying", "event", kind, "attempt", attempt+1, "in", delay, "err", err)
		time.Sleep(delay)
		delay *= 2
	}
}

type permanentError struct{ error }

func (a *Alerter) postOnce(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Webhook, bytes.NewReader(body))
	if err != nil {
		return permanentError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout:
		return permanentError{fmt.Errorf("webhook answered %s", resp.Status)}
	}
	return fmt.Errorf("webhook answered %s", resp.Status)
}

// Hotline keeps hotline channels alive: every Interval (jittered by ±10%) it
// pings each hotline peer (every peer if All), records the round trip, the
// skew and the misses, raises peer_down after DownAfter consecutive misses
// and peer_up on recovery; it escalates flash letters without a read
// receipt after FlashDeadline; and once an hour it folds heartbeat samples
// older than a day into hourly rows.
type Hotline struct {
	Node   *parley.Node
	Client *Client
	Log    *slog.Logger
	Alert  func(ctx context.Context, e Event)

	Interval      time.Duration // default 60s
	DownAfter     int           // default 3
	SkewWarn      time.Duration // default 30s
	FlashDeadline time.Duration // default 5m
	All           bool          // heartbeat every channel, not only hotline ones

	mu          sync.Mutex
	lastCompact time.Time
	skewWarned  map[envelope.Fingerprint]bool
}

func (h *Hotline) defaults() {
	if h.Interval <= 0 {
		h.Interval = time.Minute
	}
	if h.DownAfter <= 0 {
		h.DownAfter = 3
	}
	if h.SkewWarn <= 0 {
		h.SkewWarn = 30 * time.Second
	}
	if h.FlashDeadline <= 0 {
		h.FlashDeadline = 5 * time.Minute
	}
	if h.Alert == nil {
		h.Alert = func(context.Context, Event) {}
	}
}

// Run ticks until ctx is done.
func (h *Hotline) Run(ctx context.Context) {
	h.defaults()
	for {
		if err := h.Tick(ctx); err != nil && ctx.Err() == nil {
			h.Log.Error("hotline round", "err", err)
		}
		jitter := time.Duration(rand.Int64N(int64(h.Interval)/5+1)) - h.Interval/10
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.Interval + jitter):
		}
	}
}

// Tick runs one round: pings, flash escalation, compaction.
func (h *Hotline) Tick(ctx context.Context) error {
	h.defaults()
	peers, err := h.Node.Store.Peers(ctx)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for _, p := range peers {
		if p.Purpose != "hotline" && !h.All {
			continue
		}
		wg.Go(func() {
			if err := h.ping(ctx, p); err != nil && ctx.Err() == nil {
				h.Log.Error("heartbeat bookkeeping failed", "peer", p.Name, "err", err)
			}
		})
	}
	wg.Wait()
	now := h.Node.Now()
	if err := h.escalate(ctx, now); err != nil {
		return err
	}
	// Housekeeping that needs a clock tick: expired invitations lose their secret.
	if err := h.Node.ExpireInvitations(ctx); err != nil {
		return fmt.Errorf("expiring invitations: %w", err)
	}
	h.mu.Lock()
	due := now.Sub(h.lastCompact) >= time.Hour
	if due {
		h.lastCompact = now
	}
	h.mu.Unlock()
	if due {
		if err := h.Node.Store.CompactHeartbeats(ctx, now.Add(-24*time.Hour)); err != nil {
			return fmt.Errorf("compacting heartbeats: %w", err)
		}
	}
	return nil
}

func (h *Hotline) ping(ctx context.Context, p parley.Peer) error {
	fp := p.Fingerprint()
	ping, err := h.Node.Ping(p)
	if err != nil {
		return err
	}
	at := ping.Time
	pctx, cancel := context.WithTimeout(ctx, max(h.Interval/2, time.Second))
	start := time.Now()
	raw, perr := h.Client.Ping(pctx, p.URL, ping.Raw)
	rtt := time.Since(start)
	cancel()
	sample := parley.Sample{At: at}
	var skew time.Duration
	if perr == nil {
		skew, perr = h.Node.CheckPong(p, ping, raw, rtt)
	}
	if perr == nil {
		sample.OK, sample.RTT = true, rtt
	} else {
		h.Log.Debug("heartbeat missed", "peer", p.Name, "err", perr)
	}
	prev, next, changed, err := h.Node.Store.RecordPing(ctx, fp, sample, skew, h.DownAfter)
	if err != nil {
		return err
	}
	if changed {
		kind, detail := "peer_up", "answered again"
		if !prev.LastHeard.IsZero() {
			detail = fmt.Sprintf("answered again; silent for %v before", at.Sub(prev.LastHeard).Round(time.Millisecond))
		}
		if next.State == parley.LivenessDown {
			kind, detail = "peer_down", fmt.Sprintf("%d heartbeats missed; last error: %v", next.Missed, perr)
		}
		h.Alert(ctx, Event{Kind: kind, Peer: p.Name, At: at, Detail: detail})
	}
	if sample.OK {
		h.checkSkew(ctx, p, skew, at)
	}
	return nil
}

// checkSkew warns once when the peer's clock drifts past SkewWarn, and
// again after it came back within bounds. Times in signed records are never
// corrected.
func (h *Hotline) checkSkew(ctx context.Context, p parley.Peer, skew time.Duration, at time.Time) {
	h.mu.Lock()
	if h.skewWarned == nil {
		h.skewWarned = map[envelope.Fingerprint]bool{}
	}
	fp := p.Fingerprint()
	over := skew > h.SkewWarn || skew < -h.SkewWarn
	warn := over && !h.skewWarned[fp]
	h.skewWarned[fp] = over
	h.mu.Unlock()
	if warn {
		h.Alert(ctx, Event{Kind: "clock_skew", Peer: p.Name, At: at, Detail: fmt.Sprintf("the peer's clock is %v off ours", skew)})
	}
}

func (h *Hotline) escalate(ctx context.Context, now time.Time) error {
	overdue, err := h.Node.Store.ClaimOverdueFlash(ctx, now.Add(-h.FlashDeadline), now)
	if err != nil {
		return fmt.Errorf("looking for unread flash letters: %w", err)
	}
	for _, m := range overdue {
		h.Alert(ctx, Event{Kind: "flash_unread", Peer: m.PeerName, At: now, MessageID: m.ID.String(),
			Detail: fmt.Sprintf("no read receipt %v after it was sent", now.Sub(m.StoredAt).Round(time.Second))})
	}
	return nil
}
