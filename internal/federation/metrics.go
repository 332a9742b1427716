package federation

import (
	"context"
	"log/slog"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the federation counters exported on /metrics.
type Metrics struct {
	Rejected      *prometheus.CounterVec // by code
	Received      *prometheus.CounterVec // envelopes by result: stored, held, duplicate
	Sent          prometheus.Counter     // envelopes acknowledged by peers
	DeliveryErr   *prometheus.CounterVec // delivery attempts that failed, by peer
	ReceiptsIn    prometheus.Counter
	ReceiptsOut   prometheus.Counter
	BatchDuration prometheus.Histogram
	Cosigned      *prometheus.CounterVec // by role: operator (ours cosigned by a peer) or witness (a peer's cosigned by us)
}

// NewMetrics creates and registers the metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_federation_rejected_total", Help: "Federation requests refused, by error code.",
		}, []string{"code"}),
		Received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_envelopes_received_total", Help: "Inbound envelopes accepted, by result (stored, held, duplicate).",
		}, []string{"result"}),
		Sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_envelopes_delivered_total", Help: "Outbound envelopes acknowledged by a valid delivered receipt.",
		}),
		DeliveryErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_delivery_errors_total", Help: "Failed delivery attempts, by peer.",
		}, []string{"peer"}),
		ReceiptsIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_read_receipts_received_total", Help: "Read receipts (envelopes of kind receipt) received from peers.",
		}),
		ReceiptsOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_read_receipts_sent_total", Help: "Read receipts (envelopes of kind receipt) delivered to peers.",
		}),
		Cosigned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_checkpoints_cosigned_total", Help: "Transcript checkpoints cosigned, by role (operator: ours, cosigned by a peer; witness: a peer's, cosigned by this node).",
		}, []string{"role"}),
		BatchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "parley_delivery_batch_seconds", Help: "Round trip of one delivered batch, seal excluded.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Rejected, m.Received, m.Sent, m.DeliveryErr, m.ReceiptsIn, m.ReceiptsOut, m.BatchDuration, m.Cosigned)
	}
	return m
}

// StatusCollector exports per-peer queue and liveness gauges read from the
// store at scrape time, so they are exact whatever the batch size.
type StatusCollector struct {
	Store interface {
		Status(ctx context.Context) ([]parley.PeerStatus, error)
		Livenesses(ctx context.Context) ([]parley.Liveness, error)
	}
	Log *slog.Logger
}

var (
	descOutbox   = prometheus.NewDesc("parley_outbox_depth", "Outbound envelopes not yet acknowledged, by peer.", []string{"peer"}, nil)
	descReceipts = prometheus.NewDesc("parley_receipt_queue_depth", "Read receipts waiting in the outbox, by peer.", []string{"peer"}, nil)
	descHeld     = prometheus.NewDesc("parley_inbound_held", "Inbound envelopes held for a sequence gap, by peer.", []string{"peer"}, nil)
	descLastOK   = prometheus.NewDesc("parley_last_delivery_timestamp_seconds", "Time of the last successful delivery, by peer.", []string{"peer"}, nil)
	descUp       = prometheus.NewDesc("parley_hotline_up", "1 when the peer answers heartbeats, 0 when it is down (after the configured misses).", []string{"peer"}, nil)
	descRTT      = prometheus.NewDesc("parley_hotline_rtt_seconds", "Round trip of the last answered heartbeat.", []string{"peer"}, nil)
	descMissed   = prometheus.NewDesc("parley_hotline_missed", "Consecutive heartbeats without a valid answer.", []string{"peer"}, nil)
	descSkew     = prometheus.NewDesc("parley_clock_skew_seconds", "The peer's clock minus ours, as last measured.", []string{"peer"}, nil)
)

// Describe implements prometheus.Collector.
func (c *StatusCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descOutbox
	ch <- descReceipts
	ch <- descHeld
	ch <- descLastOK
	ch <- descUp
	ch <- descRTT
	ch <- descMissed
	ch <- descSkew
}

// Collect implements prometheus.Collector.
func (c *StatusCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sts, err := c.Store.Status(ctx)
	if err != nil {
		c.Log.Error("collecting status metrics", "err", err)
		return
	}
	names := map[envelope.Fingerprint]string{}
	for _, s := range sts {
		names[s.Peer.Fingerprint()] = s.Peer.Name
		ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(s.QueueDepth), s.Peer.Name)
		ch <- prometheus.MustNewConstMetric(descReceipts, prometheus.GaugeValue, float64(s.ReceiptQueue), s.Peer.Name)
		ch <- prometheus.MustNewConstMetric(descHeld, prometheus.GaugeValue, float64(s.Held), s.Peer.Name)
		if !s.LastDelivery.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLastOK, prometheus.GaugeValue, float64(s.LastDelivery.UnixMilli())/1000, s.Peer.Name)
		}
	}
	ls, err := c.Store.Livenesses(ctx)
	if err != nil {
		c.Log.Error("collecting liveness metrics", "err", err)
		return
	}
	for _, l := range ls {
		name, ok := names[l.Peer]
		if !ok {
			continue
		}
		up := 0.0
		if l.State == parley.LivenessUp {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, name)
		ch <- prometheus.MustNewConstMetric(descRTT, prometheus.GaugeValue, l.LastRTT.Seconds(), name)
		ch <- prometheus.MustNewConstMetric(descMissed, prometheus.GaugeValue, float64(l.Missed), name)
		ch <- prometheus.MustNewConstMetric(descSkew, prometheus.GaugeValue, l.Skew.Seconds(), name)
	}
}
