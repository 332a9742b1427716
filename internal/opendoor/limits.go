package opendoor

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
	"github.com/parley-dev/parley/internal/parley"
)

// Abuse is limited without identity: nothing here knows who a visitor is.
// A gate bounds concurrent work and sheds what it cannot queue; a bucket
// bounds the global rate; a window counts per codename (by lookup key,
// right or wrong codenames alike); pending submissions and sessions are
// bounded maps held in memory only.

// errBusy is returned when load is shed: the visitor sees a 503 page.
var errBusy = errors.New("the open door is busy")

// gate admits n holders at a time and queues at most q more, each for at
// most wait; beyond that it sheds (errBusy) rather than queue without bound.
type gate struct {
	slots   chan struct{}
	waiting chan struct{}
	wait    time.Duration
}

func newGate(n, q int, wait time.Duration) *gate {
	return &gate{slots: make(chan struct{}, n), waiting: make(chan struct{}, q), wait: wait}
}

// enter takes a slot; the caller calls the returned function to leave.
func (g *gate) enter(ctx context.Context) (func(), error) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	select {
	case g.waiting <- struct{}{}:
	default:
		return nil, errBusy
	}
	defer func() { <-g.waiting }()
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, errBusy
	}
}

func (g *gate) leave() { <-g.slots }

// bucket is a token bucket: rate tokens a minute, at most burst saved.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	burst  float64
	rate   float64 // per second
	last   time.Time
	now    func() time.Time
}

func newBucket(perMinute int, now func() time.Time) *bucket {
	b := float64(max(perMinute, 1))
	return &bucket{tokens: b, burst: b, rate: b / 60, last: now(), now: now}
}

// take spends one token, or reports false when none is left.
func (b *bucket) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.now()
	b.tokens = min(b.burst, b.tokens+t.Sub(b.last).Seconds()*b.rate)
	b.last = t
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// window counts actions per codename (lookup key) in fixed windows; the
// whole map is dropped when a window ends, and it never holds more than max
// keys (beyond that, everything is refused until the window ends: load is
// shed, never let through).
type window struct {
	mu     sync.Mutex
	counts map[[opendoorcrypto.LookupSize]byte]int
	limit  int
	max    int
	length time.Duration
	start  time.Time
	now    func() time.Time
}

func newWindow(limit int, length time.Duration, max int, now func() time.Time) *window {
	return &window{counts: map[[opendoorcrypto.LookupSize]byte]int{}, limit: limit, max: max, length: length, start: now(), now: now}
}

// allow counts one action for key and reports whether it is within the limit.
func (w *window) allow(key [opendoorcrypto.LookupSize]byte) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t := w.now(); t.Sub(w.start) >= w.length {
		clear(w.counts)
		w.start = t
	}
	n, ok := w.counts[key]
	if !ok && len(w.counts) >= w.max {
		return false
	}
	w.counts[key] = n + 1
	return n < w.limit
}

// pending is a first submission awaiting its codename's confirmation: it is
// already sealed; the codename is kept only to show it again.
type pending struct {
	item     parley.DoorItem
	cred     *opendoorcrypto.Credentials
	codename string
	misses   int
}

// session lets a returning visitor write again without typing the codename
// a second time. It holds no key: replies are read only by entering the
// codename.
type session struct {
	visitor parley.VisitorID
	lookup  [opendoorcrypto.LookupSize]byte
}

// table is a bounded map of random tokens to values that expire.
type table[V any] struct {
	mu      sync.Mutex
	m       map[string]*entry[V]
	max     int
	maxSize int64
	size    int64
	ttl     time.Duration
	now     func() time.Time
}

type entry[V any] struct {
	v       V
	size    int64
	expires time.Time
}

func newTable[V any](max int, maxSize int64, ttl time.Duration, now func() time.Time) *table[V] {
	return &table[V]{m: map[string]*entry[V]{}, max: max, maxSize: maxSize, ttl: ttl, now: now}
}

// put stores v under a new random token; errBusy when the table is full.
func (t *table[V]) put(v V, size int64) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, e := range t.m {
		if now.After(e.expires) {
			t.size -= e.size
			delete(t.m, k)
		}
	}
	if len(t.m) >= t.max || t.size+size > t.maxSize {
		return "", errBusy
	}
	b := make([]byte, 24)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	t.m[tok] = &entry[V]{v: v, size: size, expires: now.Add(t.ttl)}
	t.size += size
	return tok, nil
}

// get returns the value under tok, if it has not expired.
func (t *table[V]) get(tok string) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[tok]
	if !ok || t.now().After(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// update changes the value under tok, if it is still there.
func (t *table[V]) update(tok string, f func(*V)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.m[tok]; ok {
		f(&e.v)
	}
}

// remove deletes tok.
func (t *table[V]) remove(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.m[tok]; ok {
		t.size -= e.size
		delete(t.m, tok)
	}
}
