package federation

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-dev/parley/internal/parley"
)

// Escalator raises every overdue warning or request: at once when its
// deadline passes, then again every Interval until it is answered or
// withdrawn (SPEC §3 guarantee 6). Each escalation is an alert
// ("warning_overdue" or "request_overdue"): a log line at warning level, the
// alerts counter and, when configured, the webhook.
type Escalator struct {
	Node     *parley.Node
	Log      *slog.Logger
	Alert    func(ctx context.Context, e Event)
	Interval time.Duration // between escalations of one item (default 1h)
	Check    time.Duration // how often to look (default min(Interval, 30s))
}

// Tick escalates what is due now and returns how many it escalated.
func (e *Escalator) Tick(ctx context.Context) (int, error) {
	interval := e.Interval
	if interval <= 0 {
		interval = time.Hour
	}
	due, err := e.Node.Escalate(ctx, interval)
	if err != nil {
		return 0, err
	}
	now := e.Node.Now()
	for _, o := range due {
		who := o.PeerName + " has not answered our"
		if o.Direction == parley.Inbound {
			who = "we have not answered " + o.PeerName + "'s"
		}
		e.Alert(ctx, Event{
			Kind: o.Kind.String() + "_overdue", Peer: o.PeerName, At: now.Truncate(time.Millisecond).UTC(), MessageID: o.ID.String(),
			Detail: fmt.Sprintf("%s %s #%d, due %s, overdue by %s (escalation %d)", who, o.Kind, o.Seq,
				o.RespondBy.Format(time.RFC3339), now.Sub(o.RespondBy).Truncate(time.Second), o.Escalations),
		})
	}
	return len(due), nil
}

// Run calls Tick every Check until ctx is done.
func (e *Escalator) Run(ctx context.Context) {
	check := e.Check
	if check <= 0 {
		check = min(max(e.Interval, time.Second), 30*time.Second)
	}
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		if _, err := e.Tick(ctx); err != nil && ctx.Err() == nil {
			e.Log.Error("escalating overdue warnings", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// StatsCollector exports the accountability figures of `parley stats`
// (all time), computed from the store at scrape time.
type StatsCollector struct {
	Node *parley.Node
	Log  *slog.Logger
}

var (
	descObligations = prometheus.NewDesc("parley_obligations", "Warnings and requests, by peer, direction (out: we sent) and kind.", []string{"peer", "direction", "kind"}, nil)
	descOverdue     = prometheus.NewDesc("parley_obligations_overdue", "Warnings and requests open past their deadline now.", []string{"peer", "direction"}, nil)
	descInTime      = prometheus.NewDesc("parley_obligations_answered_in_time_ratio", "Share of due warnings and requests answered by their deadline.", []string{"peer", "direction"}, nil)
	descAnswer      = prometheus.NewDesc("parley_obligation_answer_seconds", "Time from sending to the response (quantiles 0.5 and 0.9).", []string{"peer", "direction", "quantile"}, nil)
	descAck         = prometheus.NewDesc("parley_obligation_ack_seconds", "Time from sending to the read receipt (quantiles 0.5 and 0.9).", []string{"peer", "direction", "quantile"}, nil)
)

// Describe implements prometheus.Collector.
func (c *StatsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descObligations, descOverdue, descInTime, descAnswer, descAck} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *StatsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.Node.Statistics(ctx, nil, time.Time{})
	if err != nil {
		c.Log.Error("collecting obligation metrics", "err", err)
		return
	}
	g := prometheus.GaugeValue
	for _, s := range st {
		dir := string(s.Direction)
		ch <- prometheus.MustNewConstMetric(descObligations, g, float64(s.Warnings), s.PeerName, dir, "warning")
		ch <- prometheus.MustNewConstMetric(descObligations, g, float64(s.Requests), s.PeerName, dir, "request")
		ch <- prometheus.MustNewConstMetric(descOverdue, g, float64(s.OverdueNow), s.PeerName, dir)
		if share := s.ShareInTime(); share >= 0 {
			ch <- prometheus.MustNewConstMetric(descInTime, g, share, s.PeerName, dir)
		}
		if s.Answered > 0 {
			ch <- prometheus.MustNewConstMetric(descAnswer, g, s.AnswerMedian.Seconds(), s.PeerName, dir, "0.5")
			ch <- prometheus.MustNewConstMetric(descAnswer, g, s.AnswerP90.Seconds(), s.PeerName, dir, "0.9")
		}
		if s.Acknowledged > 0 {
			ch <- prometheus.MustNewConstMetric(descAck, g, s.AckMedian.Seconds(), s.PeerName, dir, "0.5")
			ch <- prometheus.MustNewConstMetric(descAck, g, s.AckP90.Seconds(), s.PeerName, dir, "0.9")
		}
	}
}
