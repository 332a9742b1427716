package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/parley"
)

// Filter is what the URL parameters of a TAXII GET ask for (§3.4).
type Filter struct {
	AddedAfter time.Time // zero: none
	Limit      int       // 0: the server's page size
	Next       time.Time // from the next parameter; zero: none
	IDs, Types []string
	Versions   parley.VersionMatch
	// NoSpec is set when match[spec_version] names no version this server
	// holds (every object here is STIX 2.1): nothing matches.
	NoSpec bool
}

// Endpoint is a kind of GET endpoint; it decides which parameters apply.
type Endpoint int

const (
	ListEndpoint     Endpoint = iota // objects, manifest: every parameter
	ObjectEndpoint                   // one object: no match[id], match[type]
	VersionsEndpoint                 // versions: no match[id], match[type], match[version]
)

// maxMatchValues bounds the values of one match parameter.
const maxMatchValues = 100

// ParseFilter decodes the URL parameters of a GET to an Endpoint (§3.4.1:
// added_after, limit, next and match[...]). Parameters the Endpoint does
// not take, and filters this server does not support, are ignored, as the
// specification asks; malformed values are errors.
func ParseFilter(q url.Values, e Endpoint) (Filter, error) {
	var f Filter
	one := func(k string) (string, bool, error) {
		vs, ok := q[k]
		if !ok {
			return "", false, nil
		}
		if len(vs) != 1 {
			return "", false, fmt.Errorf("%s is given %d times", k, len(vs))
		}
		return vs[0], true, nil
	}
	list := func(k string) ([]string, error) {
		var out []string
		for _, v := range q[k] {
			for s := range strings.SplitSeq(v, ",") {
				s = strings.TrimSpace(s)
				if s == "" {
					return nil, fmt.Errorf("%s has an empty value", k)
				}
				out = append(out, s)
			}
		}
		if len(out) > maxMatchValues {
			return nil, fmt.Errorf("%s has more than %d values", k, maxMatchValues)
		}
		return out, nil
	}
	if s, ok, err := one("added_after"); err != nil {
		return f, err
	} else if ok {
		t, good := parseTimestamp(s)
		if !good {
			return f, fmt.Errorf("added_after %q is not a timestamp (like 2026-03-14T09:26:53.589Z)", s)
		}
		f.AddedAfter = t
	}
	if s, ok, err := one("limit"); err != nil {
		return f, err
	} else if ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return f, fmt.Errorf("limit %q is not a positive integer", s)
		}
		f.Limit = n
	}
	if s, ok, err := one("next"); err != nil {
		return f, err
	} else if ok {
		t, good := parseNext(s)
		if !good {
			return f, fmt.Errorf("next %q is not a value this server returned", s)
		}
		f.Next = t
	}
	if vs, err := list("match[spec_version]"); err != nil {
		return f, err
	} else if len(vs) > 0 {
		f.NoSpec = true
		for _, v := range vs {
			if v == "2.1" {
				f.NoSpec = false
			}
		}
	}
	if e == ListEndpoint {
		var err error
		if f.IDs, err = list("match[id]"); err != nil {
			return f, err
		}
		if f.Types, err = list("match[type]"); err != nil {
			return f, err
		}
	}
	if e != VersionsEndpoint {
		vs, err := list("match[version]")
		if err != nil {
			return f, err
		}
		for _, v := range vs {
			switch v {
			case "all":
				f.Versions.All = true
			case "first":
				f.Versions.First = true
			case "last":
				f.Versions.Last = true
			default:
				t, ok := parseTimestamp(v)
				if !ok {
					return f, fmt.Errorf("match[version] %q is not first, last, all or a timestamp", v)
				}
				f.Versions.At = append(f.Versions.At, t)
			}
		}
	}
	return f, nil
}

// The next parameter is the date added of the last object of the previous
// page, in microseconds: dates added are unique within a collection, so
// the following page starts after it whatever the filters.
func formatNext(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

func parseNext(s string) (time.Time, bool) {
	if len(s) == 0 || len(s) > 19 || (len(s) > 1 && s[0] == '0') {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return time.Time{}, false
	}
	return time.UnixMicro(n).UTC(), true
}

// Posted is one object of a POSTed envelope.
type Posted struct {
	Raw      json.RawMessage
	ID, Type string
	Version  string // modified, else created, else ""
	// Dispatch is the body of Parley's dispatch extension, if the object
	// carries it.
	Dispatch json.RawMessage
}

// ErrEnvelope reports a POST body that is not a TAXII envelope of objects.
var ErrEnvelope = errors.New("not a TAXII envelope of STIX objects")

// DecodeEnvelope decodes the body of a POST to objects/ (§3.7): a JSON
// object whose "objects" member is a non-empty array of at most max JSON
// objects, each with string "type" and "id". Other members (more, next,
// custom properties) are ignored; a member name may not repeat; nothing may
// follow the envelope. The objects are returned as their exact bytes; the
// STIX rules are applied when they are sent.
func DecodeEnvelope(b []byte, max int) ([]Posted, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrEnvelope, fmt.Sprintf(format, args...))
	}
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, bad("the body must be a JSON object")
	}
	seen := map[string]bool{}
	var raws []json.RawMessage
	found := false
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, bad("%v", err)
		}
		k, _ := t.(string)
		if seen[k] {
			return nil, bad("member %q appears twice", k)
		}
		seen[k] = true
		if k != "objects" {
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return nil, bad("%v", err)
			}
			continue
		}
		found = true
		if t, err := d.Token(); err != nil || t != json.Delim('[') {
			return nil, bad("objects must be an array")
		}
		for d.More() {
			if len(raws) == max {
				return nil, bad("more than %d objects", max)
			}
			var raw json.RawMessage
			if err := d.Decode(&raw); err != nil {
				return nil, bad("%v", err)
			}
			raws = append(raws, raw)
		}
		if _, err := d.Token(); err != nil {
			return nil, bad("%v", err)
		}
	}
	if _, err := d.Token(); err != nil {
		return nil, bad("%v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, bad("data after the envelope")
	}
	if !found || len(raws) == 0 {
		return nil, bad("objects is missing or empty")
	}
	out := make([]Posted, len(raws))
	for i, raw := range raws {
		var o struct {
			Type       *string                    `json:"type"`
			ID         *string                    `json:"id"`
			Created    string                     `json:"created"`
			Modified   string                     `json:"modified"`
			Extensions map[string]json.RawMessage `json:"extensions"`
		}
		if raw[0] != '{' {
			return nil, bad("objects[%d] is not a JSON object", i)
		}
		if err := json.Unmarshal(raw, &o); err != nil || o.Type == nil || o.ID == nil {
			return nil, bad("objects[%d] needs a string type and id", i)
		}
		v := o.Modified
		if v == "" {
			v = o.Created
		}
		out[i] = Posted{Raw: raw, ID: *o.ID, Type: *o.Type, Version: v, Dispatch: o.Extensions[DispatchExtension]}
	}
	return out, nil
}
