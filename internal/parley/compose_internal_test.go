package parley

import (
	"bytes"
	"testing"
)

// Records are canonicalised on send exactly as EncodeContent writes them,
// or the receiver's canonical-form check would refuse the message.
func TestCanonicalRecords(t *testing.T) {
	for _, in := range []string{
		`{"a": 1}`,
		"{\n  \"name\": \"Tom <&> Jerry\",\n  \"x\": [1, 2, {\"y\": \"\u2028\u2029\"}]\n}",
		`{"s":"\u00e9\/\"","n":1e3}`,
		`[]`,
	} {
		got := canonicalJSON([]byte(in))
		body := EncodeContent(&Content{Records: []byte(in)})
		want := body[len(`{"records":`) : len(body)-1]
		if !bytes.Equal(got, want) {
			t.Errorf("canonicalJSON(%q) = %s, want %s", in, got, want)
		}
		if !bytes.Equal(canonicalJSON(got), got) {
			t.Errorf("canonicalJSON is not idempotent on %s", got)
		}
	}
}
