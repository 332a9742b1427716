package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

// The fuzz targets state the properties of the federation API's parsers of
// untrusted bytes. FuzzDecodeBatch: DecodeBatch never panics, fails only
// with ErrBatch, and what it accepts re-encodes to exactly the input.
// FuzzReceiveEnvelopes and FuzzReceiveReceipts: whatever body a peer posts,
// the handler never panics and never answers 5xx, every refusal is a coded
// JSON error with that code's status, and a 200 answer is given only for a
// batch whose every item was genuinely signed by the paired peer.

// fuzzMaxItem is the item limit FuzzDecodeBatch decodes with: small, so
// that the fuzzer reaches it from both sides.
const fuzzMaxItem = 64

func FuzzDecodeBatch(f *testing.F) {
	f.Add(EncodeBatch([][]byte{[]byte("a")}))
	f.Add(EncodeBatch([][]byte{{}, []byte("two"), bytes.Repeat([]byte{0xff}, fuzzMaxItem)}))
	f.Add(EncodeBatch(make([][]byte, 300)))
	f.Add(EncodeBatch([][]byte{make([]byte, fuzzMaxItem+1)}))
	f.Add([]byte("PRLB\x01\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := DecodeBatch(b, fuzzMaxItem)
		if err != nil {
			if items != nil {
				t.Errorf("DecodeBatch returned items with error %v", err)
			}
			if !errors.Is(err, ErrBatch) {
				t.Errorf("DecodeBatch error %v does not wrap ErrBatch", err)
			}
			return
		}
		if len(items) == 0 || len(items) > MaxBatchItems {
			t.Errorf("DecodeBatch accepted %d items", len(items))
		}
		for i, it := range items {
			if len(it) > fuzzMaxItem {
				t.Errorf("item %d is %d bytes, over the limit", i, len(it))
			}
			if cap(it) != len(it) {
				t.Errorf("item %d has spare capacity: appending to it would overwrite the next", i)
			}
		}
		if got := EncodeBatch(items); !bytes.Equal(got, b) {
			t.Errorf("EncodeBatch(DecodeBatch(b)) differs from b:\ngot  %x\nwant %x", got, b)
		}
	})
}

// fuzzServer is south's federation handler on a real SQLite store, built
// once per fuzzing process and shared by every input, as a long-running
// node is; north is its only peer.
type fuzzServer struct {
	handler      http.Handler
	south        *parley.Node
	north, other *envelope.Identity
	channel      envelope.ID
}

func newFuzzServer(f *testing.F) *fuzzServer {
	f.Helper()
	north, southID := parleytest.Identity(f, "north"), parleytest.Identity(f, "south")
	south := parley.NewNode("south", southID, parleytest.NewStore(f), nil)
	ch := parley.ChannelID(north.Fingerprint(), southID.Fingerprint())
	if err := south.Store.AddPeer(context.Background(), parley.Peer{
		Name: "north", URL: "http://north.invalid", Identity: north.Public(), Channel: ch, AddedAt: time.Now(),
	}); err != nil {
		f.Fatal(err)
	}
	srv := &Server{Node: south, Log: slog.New(slog.DiscardHandler), Metrics: NewMetrics(nil)}
	mux := http.NewServeMux()
	srv.Register(mux)
	return &fuzzServer{handler: mux, south: south, north: north, other: parleytest.Identity(f, "mallory"), channel: ch}
}

// post serves one request in-process and returns the recorded answer.
func (s *fuzzServer) post(path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", MediaType)
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// checkRefusal checks the shape of every non-200 answer: a coded JSON error
// whose code maps to the status sent, never a 5xx.
func checkRefusal(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var er ErrorResponse
	d := json.NewDecoder(rec.Body)
	d.DisallowUnknownFields()
	if err := d.Decode(&er); err != nil {
		t.Fatalf("status %d with a body that is not an error response: %v", rec.Code, err)
	}
	if got := parley.Code(er.Error.Code).HTTPStatus(); got != rec.Code {
		t.Errorf("code %q answered with status %d, want %d", er.Error.Code, rec.Code, got)
	}
}

func FuzzReceiveEnvelopes(f *testing.F) {
	s := newFuzzServer(f)
	southPub := s.south.Identity.Public()
	letter := func(seq uint64, body []byte) []byte {
		return seal(f, s.north, southPub, envelope.SealParams{Kind: envelope.KindLetter, Channel: s.channel, Seq: seq}, body)
	}
	one, two, three := letter(1, letterBody("one")), letter(2, letterBody("two")), letter(3, letterBody("three"))
	f.Add(EncodeBatch([][]byte{one}))
	f.Add(EncodeBatch([][]byte{two, three}))
	f.Add(EncodeBatch([][]byte{one, one}))
	f.Add(EncodeBatch([][]byte{flip(one, envelope.HeaderSize+1, 0x01)}))
	f.Add(EncodeBatch([][]byte{flip(one, offSeq+7, 0x01)}))
	f.Add(EncodeBatch([][]byte{one[:len(one)-1]}))
	f.Add(EncodeBatch([][]byte{one[:envelope.HeaderSize]}))
	f.Add(append(EncodeBatch([][]byte{one}), 0))
	f.Add(EncodeBatch([][]byte{letter(4, []byte("not json"))}))
	f.Add(EncodeBatch([][]byte{letter(1<<40, letterBody("far"))}))
	f.Add(EncodeBatch([][]byte{seal(f, s.other, southPub, envelope.SealParams{Kind: envelope.KindLetter, Channel: s.channel, Seq: 1}, letterBody("?"))}))
	f.Add(EncodeBatch([][]byte{seal(f, s.north, s.other.Public(), envelope.SealParams{Kind: envelope.KindLetter, Channel: s.channel, Seq: 1}, letterBody("?"))}))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := s.post(envelopesPath, body)
		if rec.Code != http.StatusOK {
			checkRefusal(t, rec)
			return
		}
		items, err := DecodeBatch(body, s.south.Limits.MaxEnvelopeBytes)
		if err != nil {
			t.Fatalf("200 for a body that is not a batch: %v", err)
		}
		var out DeliveryResponse
		d := json.NewDecoder(rec.Body)
		d.DisallowUnknownFields()
		if err := d.Decode(&out); err != nil || len(out.Results) != len(items) {
			t.Fatalf("200 with %d results for %d envelopes (%v)", len(out.Results), len(items), err)
		}
		for i, w := range items {
			e, err := envelope.Parse(w)
			if err != nil {
				t.Fatalf("item %d accepted but does not parse: %v", i, err)
			}
			if err := e.Verify(s.north.Public()); err != nil {
				t.Fatalf("item %d accepted but not signed by north: %v", i, err)
			}
			if _, _, err := e.Open(s.south.Identity, s.north.Public()); err != nil {
				t.Fatalf("item %d accepted but does not open: %v", i, err)
			}
			res := out.Results[i]
			if !slices.Contains([]string{"stored", "held", "duplicate"}, res.Status) || res.ID != e.Header.ID.String() {
				t.Errorf("item %d: result %s %q", i, res.ID, res.Status)
			}
			r, err := envelope.ParseReceipt(res.Receipt)
			if err != nil {
				t.Fatalf("item %d: receipt does not parse: %v", i, err)
			}
			if err := r.Verify(southPub); err != nil || (r.Type != envelope.Delivered && r.Type != envelope.Refused) || r.Envelope != e.Header.ID || r.Hash != envelope.Hash(w) {
				t.Errorf("item %d: receipt is not south's delivered or refused receipt for it (%v)", i, err)
			}
		}
	})
}
