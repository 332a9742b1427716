package parley

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/match"
	"github.com/parley-dev/parley/internal/stix"
)

// Hit is a received person who matches an entry of the local watchlist.
// Hits are local: they are never sent to the peer.
type Hit struct {
	MessageID  envelope.ID
	Peer       envelope.Fingerprint
	PeerName   string
	ObjectID   string // the STIX object of the person received
	PersonName string // the name (or alias) that matched
	EntryID    string // the watchlist entry
	EntryName  string
	Score      float64
	Evidence   string // why, token by token (match.Hit.Explain)
	At         time.Time
}

// HitFilter selects hits.
type HitFilter struct {
	Peer  *envelope.Fingerprint
	Since time.Time
	Limit int
}

// WatchlistStore keeps the watchlist and the hits. Implementations are
// safe for concurrent use.
type WatchlistStore interface {
	// ImportWatchlist adds the entries (replacing those with the same id),
	// or with replace, makes them the whole list, in one transaction, and
	// bumps the version. progress, if not nil, is called as rows are
	// written.
	ImportWatchlist(ctx context.Context, es []match.Entry, replace bool, progress func(done int)) error
	// Watchlist returns every entry, by id, and the version it reflects.
	Watchlist(ctx context.Context) ([]match.Entry, int64, error)
	// WatchlistVersion is a number that changes whenever the list does.
	WatchlistVersion(ctx context.Context) (int64, error)
	// Hits lists hits, newest first. Only hits of applied messages count.
	Hits(ctx context.Context, f HitFilter) ([]Hit, error)
}

// HitThreshold is the score at which a received person is a hit.
const HitThreshold = match.DefaultThreshold

// watchlist is the node's in-memory index of the stored watchlist,
// reloaded when the stored version changes (another process imported).
type watchlist struct {
	mu      sync.Mutex
	ix      *match.Index
	version int64
	checked time.Time
}

// DefaultWatchlistRecheck is how often the stored watchlist version is
// compared with the loaded one (Node.WatchlistRecheck).
const DefaultWatchlistRecheck = 2 * time.Second

// Watchlist returns the index of the stored watchlist, loading it again
// when the list changed. The index is shared: do not modify it.
func (n *Node) Watchlist(ctx context.Context) (*match.Index, error) {
	w := &n.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ix != nil && time.Since(w.checked) < n.WatchlistRecheck {
		return w.ix, nil
	}
	v, err := n.Store.WatchlistVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	w.checked = time.Now()
	if w.ix != nil && v == w.version {
		return w.ix, nil
	}
	es, v, err := n.Store.Watchlist(ctx)
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	ix := match.NewIndex()
	for _, err := range ix.AddAll(es) {
		if err != nil {
			n.Log.Warn("watchlist entry skipped", "err", err)
		}
	}
	w.ix, w.version = ix, v
	if len(es) > 0 {
		n.Log.Info("watchlist loaded", "entries", len(es), "version", v)
	}
	return ix, nil
}

// matchPersons runs every person of a received bundle against the
// watchlist and returns the hits at or above HitThreshold, one per
// (person, entry) with the best of its names.
func (n *Node) matchPersons(ctx context.Context, b *stix.Bundle) ([]Hit, error) {
	persons := b.Persons()
	if len(persons) == 0 {
		return nil, nil
	}
	ix, err := n.Watchlist(ctx)
	if err != nil {
		return nil, err
	}
	if ix.Len() == 0 {
		return nil, nil
	}
	var hits []Hit
	for _, p := range persons {
		best := map[string]Hit{}
		nat := ""
		if len(p.Nationalities) > 0 {
			nat = p.Nationalities[0]
		}
		for _, name := range append([]string{p.Name}, p.Aliases...) {
			for _, h := range ix.Match(match.Query{Name: name, DOB: p.DOB, Nationality: nat}, 5) {
				if h.Score < HitThreshold {
					continue
				}
				if old, ok := best[h.ID]; ok && old.Score >= h.Score {
					continue
				}
				best[h.ID] = Hit{ObjectID: p.ObjectID, PersonName: name, EntryID: h.ID, EntryName: h.Name, Score: h.Score, Evidence: h.Explain()}
			}
		}
		for _, h := range best {
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.ObjectID != b.ObjectID {
			if a.ObjectID < b.ObjectID {
				return -1
			}
			return 1
		}
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return hits, nil
}

// OnHits registers f to be called with the hits a received batch raised,
// after they are committed.
func (n *Node) OnHits(f func(peer Peer, hits []Hit)) {
	n.notifyMu.Lock()
	defer n.notifyMu.Unlock()
	n.hitsIn = append(n.hitsIn, f)
}
