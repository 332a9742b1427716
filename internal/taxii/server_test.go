package taxii_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
	"github.com/parley-dev/parley/internal/taxii"
)

type envelopeRes struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

type statusRes struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	TotalCount   int    `json:"total_count"`
	SuccessCount int    `json:"success_count"`
	FailureCount int    `json:"failure_count"`
	PendingCount int    `json:"pending_count"`
	Successes    []struct{ ID, Version, Message string }
	Failures     []struct{ ID, Version, Message string }
	Pendings     []struct{ ID, Version, Message string }
}

func objectIDs(t *testing.T, raws []json.RawMessage) []string {
	t.Helper()
	var ids []string
	for _, r := range raws {
		var o struct{ ID string }
		if err := json.Unmarshal(r, &o); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	return ids
}

func TestDiscoveryAndCollections(t *testing.T) {
	north, _ := newPair(t)
	north.addUser("analyst", []string{"south-in", "south-out"}, []string{"south-out"}, stix.TLPAmber)
	north.addUser("reader", []string{"south-in"}, nil, stix.TLPAmber)

	r := north.call("GET", "/taxii2/", "analyst", nil)
	if r.status != 200 || r.header.Get("Content-Type") != taxii.MediaType {
		t.Fatalf("discovery: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	// Without the trailing slash too (clients build some URLs so).
	if r := north.call("GET", "/taxii2", "analyst", nil); r.status != 200 {
		t.Errorf("GET /taxii2: %d %s", r.status, r.body)
	}
	var disc struct {
		Title, Default string
		APIRoots       []string `json:"api_roots"`
	}
	r.json(t, &disc)
	if disc.Title == "" || disc.Default != north.url+"/taxii2/api/" || !slices.Equal(disc.APIRoots, []string{disc.Default}) {
		t.Errorf("discovery = %+v", disc)
	}

	r = north.call("GET", "/taxii2/api/", "analyst", nil)
	var root struct {
		Title            string
		Versions         []string
		MaxContentLength int64 `json:"max_content_length"`
	}
	r.json(t, &root)
	if r.status != 200 || !slices.Equal(root.Versions, []string{taxii.MediaType}) || root.MaxContentLength <= 0 || root.Title == "" {
		t.Errorf("API root: %d %+v", r.status, root)
	}

	type coll struct {
		ID, Title, Alias string
		CanRead          bool     `json:"can_read"`
		CanWrite         bool     `json:"can_write"`
		MediaTypes       []string `json:"media_types"`
	}
	var cs struct{ Collections []coll }
	north.call("GET", "/taxii2/api/collections/", "analyst", nil).json(t, &cs)
	in, out := north.collectionID("south", parley.Inbound), north.collectionID("south", parley.Outbound)
	want := []coll{
		{in, "From south", "south-in", true, false, []string{taxii.STIXMediaType}},
		{out, "To south", "south-out", true, true, []string{taxii.STIXMediaType}},
	}
	if len(cs.Collections) != 2 {
		t.Fatalf("collections = %+v", cs.Collections)
	}
	for i, c := range cs.Collections {
		w := want[i]
		if c.ID != w.ID || c.Title != w.Title || c.Alias != w.Alias || c.CanRead != w.CanRead || c.CanWrite != w.CanWrite || !slices.Equal(c.MediaTypes, w.MediaTypes) {
			t.Errorf("collection %d = %+v, want %+v", i, c, w)
		}
	}
	// A user sees only the collections it has a right on.
	cs.Collections = nil
	north.call("GET", "/taxii2/api/collections/", "reader", nil).json(t, &cs)
	if len(cs.Collections) != 1 || cs.Collections[0].ID != in {
		t.Errorf("reader's collections = %+v", cs.Collections)
	}
	var one coll
	r = north.call("GET", "/taxii2/api/collections/"+in+"/", "reader", nil)
	r.json(t, &one)
	if r.status != 200 || one.ID != in || one.CanWrite {
		t.Errorf("GET collection: %d %+v", r.status, one)
	}
	// Ids are stable and differ by direction; they are UUIDs.
	if in == out || len(in) != 36 || in[14] != '5' {
		t.Errorf("collection ids %s %s", in, out)
	}

	for _, tc := range []struct {
		name, method, path, user string
		status                   int
	}{
		{"forbidden collection", "GET", "/taxii2/api/collections/" + out + "/", "reader", 403},
		{"forbidden objects", "GET", "/taxii2/api/collections/" + out + "/objects/", "reader", 403},
		{"unknown collection", "GET", "/taxii2/api/collections/6f0b1b4e-0d5a-4c83-9b5b-1f4c2f7d9a10/", "reader", 404},
		{"unknown API root", "GET", "/taxii2/other/", "reader", 404},
		{"unknown status", "GET", "/taxii2/api/status/6f0b1b4e-0d5a-4c83-9b5b-1f4c2f7d9a10/", "reader", 404},
		{"unknown object", "GET", "/taxii2/api/collections/" + in + "/objects/indicator--6f0b1b4e-0d5a-4c83-9b5b-1f4c2f7d9a10/", "reader", 404},
		{"unknown object versions", "GET", "/taxii2/api/collections/" + in + "/objects/indicator--6f0b1b4e-0d5a-4c83-9b5b-1f4c2f7d9a10/versions/", "reader", 404},
		{"method not allowed", "PUT", "/taxii2/api/collections/", "reader", 405},
		{"delete refused", "DELETE", "/taxii2/api/collections/" + out + "/objects/indicator--6f0b1b4e-0d5a-4c83-9b5b-1f4c2f7d9a10/", "analyst", 403},
		{"post to inbound", "POST", "/taxii2/api/collections/" + in + "/objects/", "analyst", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.method == "POST" {
				body = envelopeOf(indicators(1)...)
			}
			r := north.call(tc.method, tc.path, tc.user, body)
			var e struct {
				Title, Description string
				HTTPStatus         string `json:"http_status"`
			}
			r.json(t, &e)
			if r.status != tc.status || e.Title == "" || e.HTTPStatus != strconv.Itoa(tc.status) || r.header.Get("Content-Type") != taxii.MediaType {
				t.Errorf("%s %s = %d %s, want %d and a TAXII error", tc.method, tc.path, r.status, r.body, tc.status)
			}
			if tc.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	north, _ := newPair(t)
	tok := north.addUser("analyst", []string{"*"}, nil, stix.TLPAmber)
	north.addUser("other", []string{"*"}, nil, stix.TLPAmber)
	path := "/taxii2/api/collections/"
	for _, tc := range []struct {
		name   string
		auth   string
		status int
	}{
		{"none", "", 401},
		{"wrong password", "Basic " + basic("analyst", "nope"), 401},
		{"another user's password", "Basic " + basic("analyst", "other-password"), 401},
		{"unknown user", "Basic " + basic("nobody", "nobody-password"), 401},
		{"malformed basic", "Basic !!!", 401},
		{"unknown scheme", "Digest x", 401},
		{"password", "Basic " + basic("analyst", "analyst-password"), 200},
		{"bearer token", "Bearer " + tok, 200},
		{"Token scheme", "Token " + tok, 200},
		{"token with another secret", "Bearer " + tok[:len(tok)-4] + "AAAA", 401},
		{"malformed token", "Bearer taxii_123", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 { // the second time from the cache when it succeeded
				r := north.call("GET", path, "", nil, "Authorization", tc.auth)
				if r.status != tc.status {
					t.Fatalf("status %d %s, want %d", r.status, r.body, tc.status)
				}
				if tc.status == 401 {
					ch := strings.Join(r.header.Values("WWW-Authenticate"), ", ")
					if !strings.Contains(ch, "Basic realm=") || !strings.Contains(ch, "Bearer realm=") {
						t.Errorf("WWW-Authenticate = %q", ch)
					}
				}
			}
		})
	}
	// A removed user is refused at once, cached or not.
	if err := north.node.Store.RemoveTAXIIUser(t.Context(), "analyst"); err != nil {
		t.Fatal(err)
	}
	if r := north.call("GET", path, "analyst", nil); r.status != 401 {
		t.Errorf("removed user: %d", r.status)
	}
	if r := north.call("GET", path, "", nil, "Authorization", "Bearer "+tok); r.status != 401 {
		t.Errorf("removed user's token: %d", r.status)
	}
}

func basic(u, p string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(u, p)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func TestMediaTypes(t *testing.T) {
	north, _ := newPair(t)
	north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)
	out := "/taxii2/api/collections/" + north.collectionID("south", parley.Outbound) + "/objects/"
	for _, tc := range []struct {
		accept string
		status int
	}{
		{"", 200},
		{"application/taxii+json;version=2.1", 200},
		{"application/taxii+json; version=2.1", 200},
		{"application/taxii+json", 200},
		{"*/*", 200},
		{"application/*", 200},
		{"text/html, application/taxii+json;version=2.1;q=0.5", 200},
		{"application/taxii+json;version=2.0", 406},
		{"application/json", 406},
		{"application/stix+json;version=2.1", 406},
		{"application/taxii+json;version=2.1;q=0", 406},
		{"text/html", 406},
	} {
		r := north.call("GET", "/taxii2/api/collections/", "analyst", nil, "Accept", tc.accept)
		if r.status != tc.status || r.header.Get("Content-Type") != taxii.MediaType {
			t.Errorf("Accept %q: %d %q, want %d", tc.accept, r.status, r.header.Get("Content-Type"), tc.status)
		}
	}
	for _, tc := range []struct {
		ct     string
		status int
	}{
		{"application/taxii+json;version=2.1", 202},
		{"application/taxii+json", 202},
		{"application/json", 415},
		{"application/stix+json;version=2.1", 415},
		{"application/taxii+json;version=2.0", 415},
		{"", 415},
	} {
		r := north.call("POST", out, "analyst", envelopeOf(indicators(1)...), "Content-Type", tc.ct)
		if r.status != tc.status {
			t.Errorf("Content-Type %q: %d %s, want %d", tc.ct, r.status, r.body, tc.status)
		}
	}
}

func TestPostLimits(t *testing.T) {
	north, _ := newPair(t)
	north.srv.MaxContentLength = 4 << 10
	north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)
	out := "/taxii2/api/collections/" + north.collectionID("south", parley.Outbound) + "/objects/"
	if r := north.call("POST", out, "analyst", envelopeOf(indicators(20)...)); r.status != 413 {
		t.Errorf("oversized POST: %d %s", r.status, r.body)
	}
	// Without a Content-Length the limit holds while reading.
	big := envelopeOf(indicators(20)...)
	req, _ := http.NewRequest("POST", north.url+out, &chunked{big})
	req.Header.Set("Content-Type", taxii.MediaType)
	req.SetBasicAuth("analyst", "analyst-password")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("oversized chunked POST: %d", resp.StatusCode)
	}
	for _, body := range []string{`[]`, `{}`, `{"objects":[]}`, `{"objects":[1]}`, `{"objects":[{"id":"x"}]}`, `{"objects":[{"type":"x","id":"y"}],"objects":[]}`, `{"objects":[{"type":"x","id":"y"}]} x`} {
		if r := north.call("POST", out, "analyst", []byte(body)); r.status != 400 {
			t.Errorf("POST %s: %d %s, want 400", body, r.status, r.body)
		}
	}
}

// chunked hides its length from net/http.
type chunked struct{ b []byte }

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.b)
	c.b = c.b[n:]
	return n, nil
}

// postObjects posts objects to north's outbound collection to south as
// analyst and returns the status.
func postObjects(t *testing.T, north *site, objs ...string) statusRes {
	t.Helper()
	r := north.call("POST", "/taxii2/api/collections/"+north.collectionID("south", parley.Outbound)+"/objects/", "analyst", envelopeOf(objs...))
	if r.status != http.StatusAccepted {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	var st statusRes
	r.json(t, &st)
	return st
}

func TestRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, pair func() (*site, *site)) {
		north, south := pair()
		north.addUser("analyst", []string{"*"}, []string{"south-out"}, stix.TLPAmber)
		south.addUser("analyst", []string{"north-in"}, nil, stix.TLPAmber)
		objs := indicators(3)
		st := postObjects(t, north, objs...)
		if st.Status != "pending" || st.TotalCount != 3 || st.PendingCount != 3 || len(st.Pendings) != 3 || st.SuccessCount+st.FailureCount != 0 {
			t.Fatalf("status after POST = %+v", st)
		}
		// The objects are in north's outbound collection at once.
		var env envelopeRes
		north.call("GET", "/taxii2/api/collections/"+north.collectionID("south", parley.Outbound)+"/objects/", "analyst", nil).json(t, &env)
		if len(env.Objects) != 3 {
			t.Fatalf("north's outbound collection holds %d objects", len(env.Objects))
		}

		deliver(t, north, south)
		// taxii2client reads the status at ../../status/ID from the collection.
		r := north.call("GET", "/taxii2/api/status/"+st.ID, "analyst", nil)
		r.json(t, &st)
		if r.status != 200 || st.Status != "complete" || st.SuccessCount != 3 || len(st.Successes) != 3 || !strings.Contains(st.Successes[0].Message, "delivered to south") ||
			!strings.Contains(st.Successes[0].Message, "signed receipt") {
			t.Fatalf("status after delivery = %d %+v", r.status, st)
		}
		if st.Successes[0].Version != "2026-03-01T00:00:00.000Z" {
			t.Errorf("status version = %q", st.Successes[0].Version)
		}
		// Another user does not see the status.
		if r := north.call("GET", "/taxii2/api/status/"+st.ID+"/", "", nil, "Authorization", "Basic "+basic("x", "y")); r.status != 401 {
			t.Errorf("status without auth: %d", r.status)
		}

		// South's inbound collection holds the exact bytes north posted.
		env = envelopeRes{}
		r = south.call("GET", "/taxii2/api/collections/"+south.collectionID("north", parley.Inbound)+"/objects/", "analyst", nil)
		r.json(t, &env)
		if r.status != 200 || env.More || len(env.Objects) != 3 {
			t.Fatalf("south's inbound: %d %s", r.status, r.body)
		}
		for i, o := range env.Objects {
			if string(o) != objs[i] {
				t.Errorf("object %d = %s, want %s", i, o, objs[i])
			}
		}
		// The warning is on south's board, due within the channel's default.
		os, err := south.node.Board(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(os) != 1 || os[0].Kind.String() != "warning" {
			t.Errorf("south's board = %+v", os)
		}

		// Read by south: the status says acknowledged.
		if _, _, err := south.node.Open(t.Context(), os[0].ID); err != nil {
			t.Fatal(err)
		}
		deliver(t, south, north)
		north.call("GET", "/taxii2/api/status/"+st.ID+"/", "analyst", nil).json(t, &st)
		if !strings.Contains(st.Successes[0].Message, "acknowledged: read at") {
			t.Errorf("status after reading = %+v", st.Successes[0])
		}
	})
}

func TestPostRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, pair func() (*site, *site)) {
		north, south := pair()
		north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPRed)
		red := indicator("", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), stix.TLPRed)
		st := postObjects(t, north, append(indicators(2), red)...)
		if st.Status != "complete" || st.FailureCount != 3 || st.PendingCount != 0 || !strings.Contains(st.Failures[2].Message, "TLP above the channel's maximum") {
			t.Fatalf("status of a refused POST = %+v", st)
		}
		// Not STIX 2.1 by Parley's rules (no TLP marking).
		st = postObjects(t, north, `{"type":"indicator","spec_version":"2.1","id":"indicator--`+uuid4()+`","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00.000Z"}`)
		if st.FailureCount != 1 || !strings.Contains(st.Failures[0].Message, "TLP") {
			t.Errorf("status of an unmarked object = %+v", st)
		}
		// Refused by the peer after sending: south allows only green.
		sp, _ := south.node.Store.PeerByName(t.Context(), "north")
		if err := south.node.Store.SetPolicy(t.Context(), sp.Fingerprint(), parley.Policy{Purpose: "liaison", MaxTLP: stix.TLPClear}); err != nil {
			t.Fatal(err)
		}
		st = postObjects(t, north, indicators(2)...)
		deliver(t, north, south)
		north.call("GET", "/taxii2/api/status/"+st.ID+"/", "analyst", nil).json(t, &st)
		if st.Status != "complete" || st.FailureCount != 2 || !strings.Contains(st.Failures[0].Message, "refused by south") {
			t.Errorf("status of a POST the peer refused = %+v", st)
		}
		// What the peer refused leaves the outbound collection.
		var env envelopeRes
		north.call("GET", "/taxii2/api/collections/"+north.collectionID("south", parley.Outbound)+"/objects/", "analyst", nil).json(t, &env)
		if len(env.Objects) != 0 {
			t.Errorf("outbound collection after the refusal holds %d objects", len(env.Objects))
		}
	})
}

func TestDispatchExtension(t *testing.T) {
	north, south := newPair(t)
	north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)
	withExt := func(ext string) string {
		o := indicator("", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), stix.TLPGreen)
		return strings.TrimSuffix(o, "}") + `,"extensions":{"` + taxii.DispatchExtension + `":` + ext + `}}`
	}
	st := postObjects(t, north, withExt(`{"extension_type":"property-extension","kind":"request","respond_within":"2d","text":"Do you know this wallet?"}`))
	if st.PendingCount != 1 {
		t.Fatalf("status = %+v", st)
	}
	deliver(t, north, south)
	os, err := south.node.Board(t.Context(), nil)
	if err != nil || len(os) != 1 || os[0].Kind.String() != "request" || os[0].RespondBy.Sub(os[0].SentAt).Round(time.Hour) != 48*time.Hour {
		t.Fatalf("south's board = %+v, %v", os, err)
	}
	_, c, err := south.node.Open(t.Context(), os[0].ID)
	if err != nil || c.Text != "Do you know this wallet?" {
		t.Errorf("text = %q, %v", c.Text, err)
	}
	st = postObjects(t, north, withExt(`{"extension_type":"property-extension","kind":"letter"}`))
	deliver(t, north, south)
	if os, _ := south.node.Board(t.Context(), nil); len(os) != 1 || st.PendingCount != 1 {
		t.Errorf("a letter opened an obligation: %+v", os)
	}
	for _, bad := range []string{
		`{"extension_type":"property-extension","kind":"response"}`,
		`{"extension_type":"property-extension","kind":"letter","respond_within":"2d"}`,
		`{"extension_type":"property-extension","kind":"warning","respond_within":"soon"}`,
		`{"extension_type":"property-extension","kind":"warning","colour":"red"}`,
	} {
		st := postObjects(t, north, withExt(bad))
		if st.FailureCount != 1 || !strings.Contains(st.Failures[0].Message, "dispatch extension") {
			t.Errorf("extension %s: status %+v", bad, st)
		}
	}
}

func TestOriginatorControlAndTLP(t *testing.T) {
	north, south := newPair(t)
	west := newSite(t, parleyNode(t, "west"))
	pairSites(t, north, west)
	north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPRed)
	north.addUser("green", []string{"*"}, nil, stix.TLPGreen)
	south.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)

	// South sends north an amber and a green object.
	amber := indicator("", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), stix.TLPAmber)
	green := indicators(1)[0]
	r := south.call("POST", "/taxii2/api/collections/"+south.collectionID("north", parley.Outbound)+"/objects/", "analyst", envelopeOf(amber, green))
	if r.status != 202 {
		t.Fatal(r.status, string(r.body))
	}
	deliver(t, south, north)
	get := func(user, coll string) []string {
		var env envelopeRes
		north.call("GET", "/taxii2/api/collections/"+coll+"/objects/", user, nil).json(t, &env)
		return objectIDs(t, env.Objects)
	}
	fromSouth, fromWest := north.collectionID("south", parley.Inbound), north.collectionID("west", parley.Inbound)
	if got := get("analyst", fromSouth); len(got) != 2 {
		t.Errorf("north's south-in = %v", got)
	}
	if got := get("green", fromSouth); len(got) != 1 || !strings.Contains(green, got[0]) {
		t.Errorf("a TLP:GREEN user sees %v", got)
	}
	if got := get("analyst", fromWest); len(got) != 0 {
		t.Errorf("south's objects appear in west's collection: %v", got)
	}
	// The amber object by id: 404 for the green user.
	var o struct{ ID string }
	json.Unmarshal([]byte(amber), &o)
	if r := north.call("GET", "/taxii2/api/collections/"+fromSouth+"/objects/"+o.ID+"/", "green", nil); r.status != 404 {
		t.Errorf("an amber object by id for a green user: %d", r.status)
	}
	// Forwarding south's object to west is refused before sending.
	r = north.call("POST", "/taxii2/api/collections/"+north.collectionID("west", parley.Outbound)+"/objects/", "analyst", envelopeOf(green))
	var st statusRes
	r.json(t, &st)
	if st.FailureCount != 1 || !strings.Contains(st.Failures[0].Message, "records from another channel") {
		t.Errorf("forwarding to another channel: %+v", st)
	}
}

func TestObjectsFiltersAndVersions(t *testing.T) {
	forEachStore(t, func(t *testing.T, pair func() (*site, *site)) {
		north, _ := pair()
		north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)
		coll := "/taxii2/api/collections/" + north.collectionID("south", parley.Outbound)
		id := "indicator--" + uuid4()
		t1, t2, t3 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 0, 0, 0, 123456000, time.UTC)
		other := indicators(1)[0]
		postObjects(t, north, indicator(id, t2, stix.TLPGreen), other)
		postObjects(t, north, indicator(id, t1, stix.TLPGreen))                                   // an older version, added later
		postObjects(t, north, indicator(id, t3, stix.TLPGreen), indicator(id, t2, stix.TLPGreen)) // t2 again: the same version
		ident := `{"type":"identity","spec_version":"2.1","id":"identity--` + uuid4() + `","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"ACME","identity_class":"organization","object_marking_refs":["` + stix.TLPGreen.MarkingID() + `"]}`
		postObjects(t, north, ident)

		versionsOf := func(q string) []string {
			t.Helper()
			r := north.call("GET", coll+"/objects/?"+q, "analyst", nil)
			if r.status != 200 {
				t.Fatalf("GET ?%s: %d %s", q, r.status, r.body)
			}
			var env envelopeRes
			r.json(t, &env)
			var out []string
			for _, o := range env.Objects {
				var x struct{ ID, Modified string }
				json.Unmarshal(o, &x)
				if x.ID == id {
					out = append(out, x.Modified)
				} else {
					out = append(out, strings.SplitN(x.ID, "--", 2)[0])
				}
			}
			return out
		}
		const v1, v2, v3 = "2026-03-01T00:00:00.000Z", "2026-03-02T00:00:00.000Z", "2026-03-03T00:00:00.123Z"
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"indicator", v3, "identity"}}, // last versions, in the order added
			{"match[version]=last", []string{"indicator", v3, "identity"}},
			{"match[version]=first", []string{"indicator", v1, "identity"}},
			{"match[version]=all", []string{v2, "indicator", v1, v3, "identity"}},
			{"match[version]=first,last", []string{"indicator", v1, v3, "identity"}},
			{"match[version]=" + v2, []string{v2}},
			{"match[version]=2026-03-03T00:00:00.123000Z", []string{v3}},
			{"match[type]=identity", []string{"identity"}},
			{"match[type]=identity,indicator&match[version]=all", []string{v2, "indicator", v1, v3, "identity"}},
			{"match[id]=" + id + "&match[version]=all", []string{v2, v1, v3}},
			{"match[id]=" + id + "&match[type]=identity", nil},
			{"match[spec_version]=2.1", []string{"indicator", v3, "identity"}},
			{"match[spec_version]=2.0", nil},
			{"match[spec_version]=2.0,2.1&match[type]=identity", []string{"identity"}},
			{"unknown=1&match[colour]=red&match[type]=identity", []string{"identity"}},
		} {
			if got := versionsOf(tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("?%s = %v, want %v", tc.query, got, tc.want)
			}
		}
		for _, q := range []string{"limit=0", "limit=x", "limit=-1", "added_after=yesterday", "next=abc", "next=01", "match[version]=newest", "match[type]=", "limit=1&limit=2"} {
			if r := north.call("GET", coll+"/objects/?"+q, "analyst", nil); r.status != 400 {
				t.Errorf("?%s: %d, want 400", q, r.status)
			}
		}

		// One object: the last version by default; its versions; the manifest.
		var env envelopeRes
		north.call("GET", coll+"/objects/"+id+"/", "analyst", nil).json(t, &env)
		if len(env.Objects) != 1 || !strings.Contains(string(env.Objects[0]), v3) {
			t.Errorf("GET object = %s", env.Objects)
		}
		north.call("GET", coll+"/objects/"+id+"/?match[version]=all", "analyst", nil).json(t, &env)
		if len(env.Objects) != 3 {
			t.Errorf("GET object, all versions = %d", len(env.Objects))
		}
		var vs struct {
			More     bool
			Versions []string
		}
		r := north.call("GET", coll+"/objects/"+id+"/versions/", "analyst", nil)
		r.json(t, &vs)
		if !slices.Equal(vs.Versions, []string{v2, v1, v3}) || r.header.Get("X-TAXII-Date-Added-First") == "" {
			t.Errorf("versions = %+v %v", vs, r.header)
		}
		north.call("GET", coll+"/objects/"+id+"/versions/?limit=2", "analyst", nil).json(t, &vs)
		if !vs.More || len(vs.Versions) != 2 {
			t.Errorf("versions, limit 2 = %+v", vs)
		}
		var man struct {
			More    bool
			Objects []struct {
				ID        string
				DateAdded string `json:"date_added"`
				Version   string
				MediaType string `json:"media_type"`
			}
		}
		r = north.call("GET", coll+"/manifest/?match[version]=all", "analyst", nil)
		r.json(t, &man)
		if len(man.Objects) != 5 || man.Objects[0].ID != id || man.Objects[0].Version != v2 || man.Objects[0].MediaType != taxii.STIXMediaType || man.More {
			t.Fatalf("manifest = %+v", man)
		}
		if man.Objects[0].DateAdded != r.header.Get("X-TAXII-Date-Added-First") || man.Objects[4].DateAdded != r.header.Get("X-TAXII-Date-Added-Last") {
			t.Errorf("manifest dates %v vs headers %v", man.Objects, r.header)
		}
		// added_after is exclusive.
		if got := versionsOf("match[version]=all&added_after=" + url.QueryEscape(man.Objects[2].DateAdded)); !slices.Equal(got, []string{v3, "identity"}) {
			t.Errorf("added_after the third = %v", got)
		}
	})
}

func TestPagination(t *testing.T) {
	forEachStore(t, func(t *testing.T, pair func() (*site, *site)) {
		north, south := pair()
		north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)
		south.addUser("analyst", []string{"*"}, nil, stix.TLPAmber)
		const n, per = 3000, 500
		all := indicators(n)
		for i := 0; i < n; i += per {
			postObjects(t, north, all[i:i+per]...)
		}
		deliver(t, north, south)
		coll := "/taxii2/api/collections/" + south.collectionID("north", parley.Inbound)
		for _, path := range []string{"/objects/", "/manifest/"} {
			t.Run(strings.Trim(path, "/"), func(t *testing.T) {
				var got []string
				last := ""
				q := "?limit=700"
				pages := 0
				for {
					r := south.call("GET", coll+path+q, "analyst", nil)
					if r.status != 200 {
						t.Fatalf("%d %s", r.status, r.body)
					}
					var env envelopeRes
					r.json(t, &env)
					pages++
					first := r.header.Get("X-TAXII-Date-Added-First")
					if first <= last {
						t.Fatalf("page %d starts at %s, not after %s", pages, first, last)
					}
					last = r.header.Get("X-TAXII-Date-Added-Last")
					got = append(got, objectIDs(t, env.Objects)...)
					if !env.More {
						break
					}
					if env.Next == "" || len(env.Objects) != 700 {
						t.Fatalf("page %d: more with next %q and %d objects", pages, env.Next, len(env.Objects))
					}
					q = "?limit=700&next=" + url.QueryEscape(env.Next)
				}
				if pages != 5 || len(got) != n {
					t.Fatalf("%d pages, %d objects", pages, len(got))
				}
				for i, o := range all {
					if !strings.Contains(o, got[i]) {
						t.Fatalf("object %d is %s, not in the order added", i, got[i])
					}
				}
			})
		}
		// Resuming with added_after = the last date seen neither skips nor repeats.
		south.srv.PageSize = n
		var env envelopeRes
		r := south.call("GET", coll+"/objects/?limit=1234", "analyst", nil)
		r.json(t, &env)
		r2 := south.call("GET", coll+"/objects/?added_after="+url.QueryEscape(r.header.Get("X-TAXII-Date-Added-Last")), "analyst", nil)
		var rest envelopeRes
		r2.json(t, &rest)
		if len(env.Objects)+len(rest.Objects) != n || rest.More {
			t.Errorf("resumed: %d + %d objects", len(env.Objects), len(rest.Objects))
		}
		// A page is at most PageSize.
		south.srv.PageSize = 100
		south.call("GET", coll+"/objects/?limit=5000", "analyst", nil).json(t, &env)
		if len(env.Objects) != 100 || !env.More {
			t.Errorf("limit above the page size: %d objects", len(env.Objects))
		}
	})
}

func TestStatusExpires(t *testing.T) {
	north, _ := newPair(t)
	north.addUser("analyst", []string{"*"}, []string{"*"}, stix.TLPAmber)
	north.addUser("other", []string{"*"}, []string{"*"}, stix.TLPAmber)
	st := postObjects(t, north, indicators(1)...)
	if r := north.call("GET", "/taxii2/api/status/"+st.ID+"/", "other", nil); r.status != 404 {
		t.Errorf("another user's status: %d", r.status)
	}
	north.srv.StatusKeep = time.Millisecond // read when the status is read
	clock := &fixedClock{time.Now().Add(8 * 24 * time.Hour)}
	north.srv.Clock = clock
	if r := north.call("GET", "/taxii2/api/status/"+st.ID+"/", "analyst", nil); r.status != 404 {
		t.Errorf("expired status: %d", r.status)
	}
}

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }
