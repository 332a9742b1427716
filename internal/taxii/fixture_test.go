package taxii_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/stix"
	"github.com/parley-dev/parley/internal/taxii"
)

// cheap are Argon2id costs for tests: the hash is the same function,
// only smaller.
var cheap = taxii.HashParams{Memory: 64, Time: 1, Threads: 1}

// backend is the TAXII backend of a test node: its store and Compose.
type backend struct {
	parley.Store
	n *parley.Node
}

func (b backend) Compose(ctx context.Context, peer string, d parley.Draft) (parley.Message, error) {
	return b.n.Compose(ctx, peer, d)
}

// site is a node with a TAXII listener on 127.0.0.1.
type site struct {
	t    testing.TB
	node *parley.Node
	srv  *taxii.Server
	url  string // the listener's base URL
}

// newPair returns north and south, paired, each with a TAXII listener,
// on SQLite stores.
func newPair(t testing.TB) (north, south *site) {
	return newPairOn(t, func(t testing.TB) parley.Store { return parleytest.NewStore(t) })
}

// newPairOn is newPair on the stores open returns.
func newPairOn(t testing.TB, open func(testing.TB) parley.Store) (north, south *site) {
	t.Helper()
	n := parley.NewNode("north", parleytest.Identity(t, "north"), open(t), parleytest.Logger(t))
	s := parley.NewNode("south", parleytest.Identity(t, "south"), open(t), parleytest.Logger(t))
	parleytest.Pair(t, n, "http://north", s, "http://south")
	return newSite(t, n), newSite(t, s)
}

// forEachStore runs f with pairs on every storage backend.
func forEachStore(t *testing.T, f func(t *testing.T, pair func() (north, south *site))) {
	for _, b := range []struct {
		name string
		open func(testing.TB) parley.Store
	}{
		{"sqlite", func(t testing.TB) parley.Store { return parleytest.NewStore(t) }},
		{"postgres", func(t testing.TB) parley.Store { return parleytest.NewPostgresStore(t) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			f(t, func() (*site, *site) { return newPairOn(t, b.open) })
		})
	}
}

func newSite(t testing.TB, n *parley.Node) *site {
	t.Helper()
	srv := &taxii.Server{Backend: backend{n.Store, n}, Log: parleytest.Logger(t), Title: n.Name, HashParams: cheap, PageSize: 1000}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &site{t: t, node: n, srv: srv, url: hs.URL}
}

// addUser adds a TAXII user with password name+"-password" and returns its
// API token.
func (s *site) addUser(name string, read, write []string, max stix.TLP) string {
	s.t.Helper()
	tok, id := taxii.NewToken()
	u := parley.TAXIIUser{Name: name, Password: taxii.HashSecret(name+"-password", cheap), TokenID: id,
		TokenHash: taxii.HashSecret(strings.TrimPrefix(tok, "taxii_"+id+"_"), cheap), Read: read, Write: write, MaxTLP: max, CreatedAt: time.Now()}
	if err := s.node.Store.AddTAXIIUser(context.Background(), u); err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// collectionID is the id of the collection of this site's channel with
// peer in direction d.
func (s *site) collectionID(peer string, d parley.Direction) string {
	s.t.Helper()
	p, err := s.node.Store.PeerByName(context.Background(), peer)
	if err != nil {
		s.t.Fatal(err)
	}
	return taxii.CollectionID(p.Channel, d)
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d %q: %v", r.status, r.body, err)
	}
}

// call sends a request as user (password auth; "" for none) with the
// TAXII Accept header unless headers override it.
func (s *site) call(method, path, user string, body []byte, headers ...string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaType)
	if body != nil {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	if user != "" {
		req.SetBasicAuth(user, user+"-password")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// deliver moves what from queued for to, and the receipts back (direct
// calls: the federation tests cover HTTP).
func deliver(t testing.TB, from, to *site) {
	t.Helper()
	ctx := context.Background()
	p, err := from.node.Store.PeerByName(ctx, to.node.Name)
	if err != nil {
		t.Fatal(err)
	}
	for {
		msgs, err := from.node.Store.Claim(ctx, p.Fingerprint(), false, 256, 1<<30, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			return
		}
		wires := make([][]byte, len(msgs))
		for i, m := range msgs {
			wires[i] = m.Envelope
		}
		res, err := to.node.Receive(ctx, wires)
		if err != nil {
			t.Fatalf("%s receiving: %v", to.node.Name, err)
		}
		raws := make([][]byte, len(res))
		for i, r := range res {
			raws[i] = r.Receipt
		}
		if err := from.node.Acknowledge(ctx, p, msgs, raws); err != nil {
			t.Fatal(err)
		}
	}
}

func uuid4() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// indicator is a valid indicator marked tlp, with id and modified given
// ("" for fresh ones).
func indicator(id string, modified time.Time, tlp stix.TLP) string {
	if id == "" {
		id = "indicator--" + uuid4()
	}
	ts := modified.UTC().Format("2006-01-02T15:04:05.000Z")
	return `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2026-01-01T00:00:00.000Z","modified":"` + ts +
		`","name":"wallet","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00.000Z","object_marking_refs":["` +
		tlp.MarkingID() + `"]}`
}

// envelopeOf is a TAXII envelope of objects.
func envelopeOf(objs ...string) []byte {
	return []byte(`{"objects":[` + strings.Join(objs, ",") + `]}`)
}

// indicators returns n fresh indicators at TLP:GREEN.
func indicators(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = indicator("", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Millisecond), stix.TLPGreen)
	}
	return out
}

func parleyNode(t testing.TB, name string) *parley.Node { return parleytest.NewNode(t, name) }

// pairSites pins two sites' nodes to each other.
func pairSites(t testing.TB, a, b *site) {
	t.Helper()
	parleytest.Pair(t, a.node, "http://"+a.node.Name, b.node, "http://"+b.node.Name)
}
