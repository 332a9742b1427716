package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// Deliverer drains the outbox: one worker per peer and process posts batches
// in sequence order (processes sharing a PostgreSQL store may post disjoint
// batches concurrently; the receiver holds out-of-order ones), stores the receipts, and retries with capped exponential backoff and
// jitter. Envelopes leave the outbox only when a valid receipt is stored, so
// a crash at any point leads to a retry, never to a loss.
type Deliverer struct {
	Node    *parley.Node
	Client  *Client
	Log     *slog.Logger
	Metrics *Metrics

	BatchMax   int           // envelopes per batch (default 256)
	BatchBytes int           // bytes per batch (default 4 MiB)
	RetryMin   time.Duration // first backoff (default 200ms)
	RetryMax   time.Duration // backoff cap (default 30s)
	Poll       time.Duration // how often to look for work written by other processes (default 500ms)
	// Lease is how long a claimed batch is reserved for this worker where
	// several processes share a store; it must exceed the HTTP timeout
	// (default 60s).
	Lease time.Duration

	mu       sync.Mutex
	wakes    map[laneKey]chan struct{}
	defaultO sync.Once
}

// laneKey names one delivery queue: a peer and a lane.
type laneKey struct {
	fp    envelope.Fingerprint
	flash bool
}

func (d *Deliverer) defaults() { d.defaultO.Do(d.setDefaults) }

func (d *Deliverer) setDefaults() {
	if d.BatchMax <= 0 {
		d.BatchMax = 256
	}
	if d.BatchBytes <= 0 {
		d.BatchBytes = 4 << 20
	}
	if d.RetryMin <= 0 {
		d.RetryMin = 200 * time.Millisecond
	}
	if d.RetryMax <= 0 {
		d.RetryMax = 30 * time.Second
	}
	d.RetryMax = max(d.RetryMax, d.RetryMin)
	if d.Poll <= 0 {
		d.Poll = 500 * time.Millisecond
	}
	if d.Lease <= 0 {
		d.Lease = time.Minute
	}
}

func (d *Deliverer) wakeChan(k laneKey) chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.wakes == nil {
		d.wakes = map[laneKey]chan struct{}{}
	}
	c, ok := d.wakes[k]
	if !ok {
		c = make(chan struct{}, 1)
		d.wakes[k] = c
	}
	return c
}

// Wake tells the workers for peer that there is new work.
func (d *Deliverer) Wake(fp envelope.Fingerprint) {
	for _, flash := range []bool{true, false} {
		select {
		case d.wakeChan(laneKey{fp, flash}) <- struct{}{}:
		default:
		}
	}
}

// Run starts two workers for every peer, including peers added later — one
// for the normal lane and read receipts, one for the flash lane, so that a
// flash never waits behind bulk traffic — and
// returns when ctx is done and every worker has stopped.
func (d *Deliverer) Run(ctx context.Context) error {
	d.defaults()
	d.Node.OnEnqueue(d.Wake)
	var wg sync.WaitGroup
	defer wg.Wait()
	started := map[envelope.Fingerprint]bool{}
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		peers, err := d.Node.Store.Peers(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Error("listing peers", "err", err)
		}
		for _, p := range peers {
			fp := p.Fingerprint()
			if !started[fp] {
				started[fp] = true
				wg.Go(func() { d.worker(ctx, p, false) })
				wg.Go(func() { d.worker(ctx, p, true) })
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (d *Deliverer) worker(ctx context.Context, p parley.Peer, flash bool) {
	fp := p.Fingerprint()
	wake := d.wakeChan(laneKey{fp, flash})
	log := d.Log.With("peer", p.Name)
	pass, every := d.Pass, d.Poll
	if flash {
		// Flash letters queued by another process are found within 100 ms.
		pass, every, log = d.PassFlash, min(d.Poll, 100*time.Millisecond), log.With("lane", "flash")
	}
	var backoff time.Duration
	poll := time.NewTicker(every)
	defer poll.Stop()
	for ctx.Err() == nil {
		progressed, err := pass(ctx, p)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(2*backoff, d.RetryMin), d.RetryMax)
			sleep := backoff/2 + rand.N(backoff/2+1)
			log.Warn("delivery failed; will retry", "err", err, "retry_in", sleep.Round(time.Millisecond))
			d.Metrics.DeliveryErr.WithLabelValues(p.Name).Inc()
			if rerr := d.Node.Store.RecordAttempt(context.WithoutCancel(ctx), fp, d.Node.Now(), err); rerr != nil {
				log.Error("recording delivery error", "err", rerr)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(sleep):
			}
			continue
		}
		if backoff != 0 {
			log.Info("delivery resumed")
			backoff = 0
		}
		if progressed {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-poll.C:
		}
	}
}

// PassFlash delivers at most one batch of flash-lane envelopes to p. It
// reports whether it delivered anything.
func (d *Deliverer) PassFlash(ctx context.Context, p parley.Peer) (progressed bool, err error) {
	d.defaults()
	return d.deliver(ctx, p, true, false, nil)
}

// Pass delivers at most one batch of normal-lane envelopes (letters,
// warnings, read receipts…) to p. It reports whether it delivered anything.
func (d *Deliverer) Pass(ctx context.Context, p parley.Peer) (progressed bool, err error) {
	d.defaults()
	return d.deliver(ctx, p, false, false, nil)
}

// deliver posts one batch of the lane's envelopes and stores the receipts.
func (d *Deliverer) deliver(ctx context.Context, p parley.Peer, flash, progressed bool, receiptErr error) (bool, error) {
	fp := p.Fingerprint()
	msgs, err := d.Node.Store.Claim(ctx, fp, flash, d.BatchMax, d.BatchBytes, d.Lease)
	if err != nil {
		return progressed, fmt.Errorf("reading outbox: %w", err)
	}
	if len(msgs) == 0 {
		if receiptErr != nil {
			return progressed, receiptErr
		}
		if progressed {
			return true, d.Node.Store.RecordAttempt(ctx, fp, d.Node.Now(), nil)
		}
		return false, nil
	}
	wires := make([][]byte, len(msgs))
	for i, m := range msgs {
		wires[i] = m.Envelope
	}
	start := time.Now()
	resp, err := d.Client.PostEnvelopes(ctx, p.URL, wires)
	if err != nil {
		d.release(ctx, fp, msgs)
		return progressed, errors.Join(receiptErr, fmt.Errorf("delivering %d envelope(s) (seq %d–%d): %w", len(msgs), msgs[0].Seq, msgs[len(msgs)-1].Seq, err))
	}
	receipts := make([][]byte, len(resp.Results))
	for i, r := range resp.Results {
		if r.ID != msgs[i].ID.String() {
			d.release(ctx, fp, msgs)
			return progressed, fmt.Errorf("peer answered for envelope %s at position %d, expected %s", r.ID, i, msgs[i].ID)
		}
		receipts[i] = r.Receipt
	}
	if err := d.Node.Acknowledge(ctx, p, msgs, receipts); err != nil {
		d.release(ctx, fp, msgs) // acknowledged ones are gone; the rest are retried
		return progressed, fmt.Errorf("peer returned an unusable receipt: %w", err)
	}
	d.Metrics.BatchDuration.Observe(time.Since(start).Seconds())
	d.Metrics.Sent.Add(float64(len(msgs)))
	for _, m := range msgs {
		if m.Kind == envelope.KindReceipt {
			d.Metrics.ReceiptsOut.Inc()
		}
	}
	if receiptErr != nil {
		return true, receiptErr
	}
	return true, d.Node.Store.RecordAttempt(ctx, fp, d.Node.Now(), nil)
}

func (d *Deliverer) release(ctx context.Context, fp envelope.Fingerprint, msgs []parley.Message) {
	ids := make([]envelope.ID, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	if err := d.Node.Store.Release(context.WithoutCancel(ctx), fp, ids); err != nil {
		d.Log.Error("releasing claimed envelopes", "err", err)
	}
}
