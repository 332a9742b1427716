// Package parleytest holds helpers for tests: real SQLite stores in temporary
// directories, identities, and pairs of nodes that know each other.
package parleytest

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
)

// NewStore opens a fresh SQLite store in t.TempDir(), closed at cleanup.
func NewStore(t testing.TB) *store.DB {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var (
	idMu  sync.Mutex
	idMap = map[string]*envelope.Identity{}
)

// Identity returns a deterministic identity for name (seeds derived from the
// name), cached across tests.
func Identity(t testing.TB, name string) *envelope.Identity {
	t.Helper()
	idMu.Lock()
	defer idMu.Unlock()
	if id, ok := idMap[name]; ok {
		return id
	}
	var s [3][envelope.SeedSize]byte
	for i := range s {
		for j := range s[i] {
			s[i][j] = byte(i*31+j) ^ byte(len(name))
		}
		copy(s[i][:], name)
		s[i][31] = byte(i)
	}
	id, err := envelope.NewIdentity(s[0], s[1], s[2])
	if err != nil {
		t.Fatal(err)
	}
	idMap[name] = id
	return id
}

// NewNode returns a node with a fresh store and the named identity.
func NewNode(t testing.TB, name string) *parley.Node {
	t.Helper()
	n := parley.NewNode(name, Identity(t, name), NewStore(t), Logger(t))
	return n
}

// Logger returns a logger that writes to the test log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// Pair pins a and b to each other; bURL and aURL are their federation URLs
// (may be placeholders when no HTTP is involved).
func Pair(t testing.TB, a *parley.Node, aURL string, b *parley.Node, bURL string) {
	t.Helper()
	ctx := context.Background()
	ch := parley.ChannelID(a.Identity.Fingerprint(), b.Identity.Fingerprint())
	if err := a.Store.AddPeer(ctx, parley.Peer{Name: b.Name, URL: bURL, Identity: b.Identity.Public(), Channel: ch, AddedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := b.Store.AddPeer(ctx, parley.Peer{Name: a.Name, URL: aURL, Identity: a.Identity.Public(), Channel: ch, AddedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// FixedClock is a Clock that returns a set time.
type FixedClock struct {
	mu sync.Mutex
	T  time.Time
}

// Now returns the set time.
func (c *FixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.T }

// Advance moves the clock forward.
func (c *FixedClock) Advance(d time.Duration) { c.mu.Lock(); c.T = c.T.Add(d); c.mu.Unlock() }
