package parley_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/parley"
)

func TestDecodeContent(t *testing.T) {
	l := parley.Limits{MaxEnvelopeBytes: 1 << 20, MaxAttachmentBytes: 16}
	canonical := string(parley.EncodeContent(&parley.Content{Text: "hello", Attachments: []parley.Attachment{{Name: "a.txt", Type: "text/plain", Data: []byte("hi")}}}))
	b64 := base64.StdEncoding.EncodeToString([]byte("hi"))
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"canonical", canonical, false},
		{"text only", `{"text":"bonjour"}`, false},
		{"attachment only", `{"attachments":[{"name":"x.pdf","type":"application/pdf","data":"` + b64 + `"}]}`, false},
		{"empty object", `{}`, true},
		{"empty text", `{"text":""}`, true},
		{"unknown field", `{"text":"x","extra":1}`, true},
		{"member name in other case", `{"TEXT":"x"}`, true},
		{"duplicate member", `{"text":"a","text":"b"}`, true},
		{"whitespace", `{ "text": "x" }`, true},
		{"trailing data", `{"text":"x"} {}`, true},
		{"invalid UTF-8", "{\"text\":\"\xff\"}", true},
		{"escaped form of a plain character", `{"text":"\u0078"}`, true},
		{"not JSON", `hello`, true},
		{"attachment with slash in name", `{"attachments":[{"name":"../x","type":"text/plain","data":"` + b64 + `"}]}`, true},
		{"attachment named ..", `{"attachments":[{"name":"..","type":"text/plain","data":"` + b64 + `"}]}`, true},
		{"attachment without subtype", `{"attachments":[{"name":"x","type":"text","data":"` + b64 + `"}]}`, true},
		{"attachments over the limit", `{"attachments":[{"name":"x","type":"text/plain","data":"` + base64.StdEncoding.EncodeToString(make([]byte, 17)) + `"}]}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parley.DecodeContent([]byte(tc.body), l)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("DecodeContent(%q) = %+v, want an error", tc.body, c)
				}
				if !errors.Is(err, parley.ErrContent) {
					t.Errorf("error %v does not wrap ErrContent", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeContent(%q): %v", tc.body, err)
			}
			if got := string(parley.EncodeContent(c)); got != tc.body {
				t.Errorf("re-encoded = %s, want %s", got, tc.body)
			}
		})
	}
}

func TestValidNameAndURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"north", true}, {"n-1_b.c", true}, {"", false}, {"a b", false}, {"é", false}, {strings.Repeat("a", 65), false}} {
		if err := parley.ValidName(tc.name); (err == nil) != tc.ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	for _, tc := range []struct {
		url string
		ok  bool
	}{{"http://127.0.0.1:7420", true}, {"https://parley.example.org/base", true}, {"ftp://x", false}, {"http://", false}, {"http://x/?q=1", false}, {"/relative", false}} {
		if err := parley.ValidURL(tc.url); (err == nil) != tc.ok {
			t.Errorf("ValidURL(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func FuzzDecodeContent(f *testing.F) {
	f.Add([]byte(`{"text":"hello"}`))
	f.Add(parley.EncodeContent(&parley.Content{Text: "x", Attachments: []parley.Attachment{{Name: "a", Type: "text/plain", Data: []byte{0, 1}}}}))
	f.Add([]byte(`{"attachments":[{"name":"a","type":"a/b","data":"AA=="}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parley.DecodeContent(body, parley.DefaultLimits)
		if err != nil {
			return
		}
		// Property: an accepted body is the canonical encoding of what it decodes to.
		if got := parley.EncodeContent(c); string(got) != string(body) {
			t.Fatalf("accepted a non-canonical body %q (canonical %q)", body, got)
		}
	})
}
