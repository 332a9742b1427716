package taxii

import (
	"mime"
	"strconv"
	"strings"
	"time"
)

// Media types of TAXII 2.1 (§1.6.8) and of the STIX objects it carries.
const (
	MediaType     = "application/taxii+json;version=2.1"
	STIXMediaType = "application/stix+json;version=2.1"
)

// acceptable reports whether an Accept header admits MediaType: absent, or
// a media range with a q above 0 that is */*, application/*, or
// application/taxii+json with no version or version 2.1.
func acceptable(accept []string) bool {
	if len(accept) == 0 {
		return true
	}
	for _, h := range accept {
		for r := range strings.SplitSeq(h, ",") {
			if strings.TrimSpace(r) == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(r)
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
					continue
				}
			}
			switch mt {
			case "*/*", "application/*":
				return true
			case "application/taxii+json":
				if v, ok := params["version"]; !ok || v == "2.1" {
					return true
				}
			}
		}
	}
	return false
}

// contentTypeOK reports whether a request's Content-Type is TAXII 2.1's.
func contentTypeOK(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/taxii+json" {
		return false
	}
	v, ok := params["version"]
	return !ok || v == "2.1"
}

// Timestamps: TAXII dates added are written with microseconds (they are
// unique at that resolution); object versions with as many fractional
// digits as they need, at least milliseconds (STIX 2.1 §3.2).
const addedLayout = "2006-01-02T15:04:05.000000Z"

func formatAdded(t time.Time) string { return t.UTC().Format(addedLayout) }

func formatVersion(t time.Time) string {
	t = t.UTC()
	switch {
	case t.Nanosecond()%1e6 == 0:
		return t.Format("2006-01-02T15:04:05.000Z")
	case t.Nanosecond()%1e3 == 0:
		return t.Format("2006-01-02T15:04:05.000000Z")
	}
	return t.Format("2006-01-02T15:04:05.000000000Z")
}

// parseTimestamp parses a TAXII timestamp (RFC 3339, "Z" or an offset).
func parseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}
