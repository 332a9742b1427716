package federation

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the federation counters exported on /metrics.
type Metrics struct {
	Rejected      *prometheus.CounterVec // by code
	Received      *prometheus.CounterVec // envelopes by result: stored, held, duplicate
	Sent          prometheus.Counter     // envelopes acknowledged by peers
	DeliveryErr   *prometheus.CounterVec // delivery attempts that failed, by peer
	ReceiptsIn    prometheus.Counter
	ReceiptsOut   prometheus.Counter
	BatchDuration prometheus.Histogram
	QueueDepth    *prometheus.GaugeVec
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
			Name: "parley_read_receipts_received_total", Help: "Read receipts received from peers.",
		}),
		ReceiptsOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_read_receipts_sent_total", Help: "Read receipts pushed to peers.",
		}),
		BatchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "parley_delivery_batch_seconds", Help: "Round trip of one delivered batch, seal excluded.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		QueueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parley_outbox_depth", Help: "Envelopes in the outbox at the last delivery pass, by peer.",
		}, []string{"peer"}),
	}
	if reg != nil {
		reg.MustRegister(m.Rejected, m.Received, m.Sent, m.DeliveryErr, m.ReceiptsIn, m.ReceiptsOut, m.BatchDuration, m.QueueDepth)
	}
	return m
}
