package taxii_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/parley-dev/parley/internal/taxii"
)

// FuzzDecodeEnvelope: DecodeEnvelope never panics; what it accepts has
// objects that are JSON objects, returned as exact slices of the input.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(envelopeOf(indicators(2)...)))
	f.Add([]byte(`{"more":false,"objects":[{"type":"x","id":"y","extensions":{"` + taxii.DispatchExtension + `":{"kind":"warning"}}}]}`))
	f.Add([]byte(`{"objects":[{"type":"x","id":"y"}],"objects":[]}`))
	f.Add([]byte(`{"objects":[1,{"type":"x"}]}`))
	f.Add([]byte(`{"objects":[{"type":"x","id":"y"}]} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		objs, err := taxii.DecodeEnvelope(b, 50)
		if err != nil {
			return
		}
		if len(objs) == 0 || len(objs) > 50 {
			t.Fatalf("accepted %d objects", len(objs))
		}
		for _, o := range objs {
			if !json.Valid(o.Raw) || o.Raw[0] != '{' || !bytes.Contains(b, o.Raw) {
				t.Fatalf("object %q is not a JSON object of the input", o.Raw)
			}
		}
	})
}

// FuzzParseFilter: ParseFilter never panics on any query string, and what
// it accepts is within its bounds.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"added_after=2026-03-14T09:26:53.589Z&limit=10&next=1773480413589000",
		"match[id]=indicator--x,identity--y&match[type]=indicator&match[version]=first,last,2026-01-01T00:00:00Z",
		"match[spec_version]=2.0,2.1&match[version]=all",
		"limit=0", "next=01", "added_after=2026-13-01T00:00:00Z", "match[type]=,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		for _, e := range []taxii.Endpoint{taxii.ListEndpoint, taxii.ObjectEndpoint, taxii.VersionsEndpoint} {
			flt, err := taxii.ParseFilter(q, e)
			if err != nil {
				continue
			}
			if flt.Limit < 0 || len(flt.IDs) > 100 || len(flt.Types) > 100 || len(flt.Versions.At) > 100 {
				t.Fatalf("filter out of bounds: %+v", flt)
			}
		}
	})
}
