package opendoor_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/opendoor"
	"github.com/parley-dev/parley/internal/opendoorcrypto"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

// cheapKDF keeps tests fast; the real parameters are exercised by the
// known-answer vectors and the end-to-end tests in cmd/parley.
var cheapKDF = opendoorcrypto.Params{Time: 1, MemoryKiB: 8 << 10, Threads: 1}

type door struct {
	h   *opendoor.Handler
	srv *httptest.Server
	org *opendoorcrypto.PrivateKey
	d   *parley.OpenDoor
}

func newDoor(t *testing.T, tweak func(*opendoor.Config)) *door {
	t.Helper()
	org, err := opendoorcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	d := &parley.OpenDoor{Store: parleytest.NewStore(t), Key: org.Public()}
	cfg := opendoor.Config{Door: d, Log: parleytest.Logger(t), Params: cheapKDF, CheckTime: 20 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	h, err := opendoor.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &door{h: h, srv: srv, org: org, d: d}
}

// response is what a test needs of an answer.
type response struct {
	status int
	header http.Header
	body   string
}

func (d *door) do(t *testing.T, method, path, contentType string, body []byte) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, d.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

func (d *door) postForm(t *testing.T, path string, v url.Values) response {
	return d.do(t, "POST", path, "application/x-www-form-urlencoded", []byte(v.Encode()))
}

func (d *door) postMultipart(t *testing.T, path string, fields map[string]string, files map[string][]byte) response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := w.CreateFormFile("files", name)
		fw.Write(data)
	}
	w.Close()
	return d.do(t, "POST", path, w.FormDataContentType(), b.Bytes())
}

var (
	codenameRE = regexp.MustCompile(`<p class="codename" id="codename" lang="en">([a-z ]+)</p>`)
	tokenRE    = regexp.MustCompile(`name="(?:token|session)" value="([A-Za-z0-9_-]+)"`)
)

func find(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page:\n%.2000s", re, body)
	}
	return m[1]
}

// firstVisit submits a first message and confirms its codename.
func (d *door) firstVisit(t *testing.T, lang, message string, files map[string][]byte) (codename string) {
	t.Helper()
	r := d.postMultipart(t, "/"+lang+"/new", map[string]string{"message": message}, files)
	if r.status != 200 {
		t.Fatalf("POST /%s/new: %d\n%.1000s", lang, r.status, r.body)
	}
	codename = find(t, codenameRE, r.body)
	r = d.postForm(t, "/"+lang+"/confirm", url.Values{"token": {find(t, tokenRE, r.body)}, "codename": {codename}})
	if r.status != 200 || !strings.Contains(r.body, `id="received"`) {
		t.Fatalf("POST /%s/confirm: %d\n%.1000s", lang, r.status, r.body)
	}
	return codename
}

var wantHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy":              "no-referrer",
	"Cache-Control":                "no-store",
	"X-Content-Type-Options":       "nosniff",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
}

// offOrigin finds URLs that would leave the origin: absolute or
// protocol-relative ones in attributes or CSS, and any script.
var offOrigin = regexp.MustCompile(`(?i)<script|(?:src|href|action|formaction|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)|url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)|@import`)

// TestEveryRouteHeaders checks every route, in every language, for the
// strict headers, no cookie, no Date, no script and no off-origin URL, and
// a padded size.
func TestEveryRouteHeaders(t *testing.T) {
	d := newDoor(t, nil)
	codename := d.firstVisit(t, "en", "hello", nil)
	type req struct {
		name, method, path string
		form               url.Values
		multipart          map[string]string
		status             int
	}
	var reqs []req
	reqs = append(reqs,
		req{"languages", "GET", "/", nil, nil, 200},
		req{"stylesheet", "GET", "/static/style.css", nil, nil, 200},
		req{"not found", "GET", "/nope", nil, nil, 404},
		req{"unknown language", "GET", "/de/", nil, nil, 404},
		req{"favicon", "GET", "/favicon.ico", nil, nil, 404},
	)
	for _, lang := range []string{"en", "fr"} {
		reqs = append(reqs,
			req{lang + " home", "GET", "/" + lang + "/", nil, nil, 200},
			req{lang + " new form", "GET", "/" + lang + "/new", nil, nil, 200},
			req{lang + " new", "POST", "/" + lang + "/new", nil, map[string]string{"message": "hi"}, 200},
			req{lang + " new empty", "POST", "/" + lang + "/new", nil, map[string]string{"message": "  "}, 200},
			req{lang + " new not multipart", "POST", "/" + lang + "/new", url.Values{"message": {"x"}}, nil, 400},
			req{lang + " confirm expired", "POST", "/" + lang + "/confirm", url.Values{"token": {"nope"}, "codename": {"x"}}, nil, 410},
			req{lang + " return form", "GET", "/" + lang + "/return", nil, nil, 200},
			req{lang + " return right", "POST", "/" + lang + "/return", url.Values{"codename": {codename}}, nil, 200},
			req{lang + " return wrong", "POST", "/" + lang + "/return", url.Values{"codename": {"wrong words"}}, nil, 200},
			req{lang + " write expired", "POST", "/" + lang + "/write", nil, map[string]string{"session": "nope", "message": "x"}, 410},
			req{lang + " confirm by GET", "GET", "/" + lang + "/confirm", nil, nil, 404},
		)
	}
	for _, rq := range reqs {
		t.Run(rq.name, func(t *testing.T) {
			var r response
			switch {
			case rq.multipart != nil:
				r = d.postMultipart(t, rq.path, rq.multipart, nil)
			case rq.form != nil:
				r = d.postForm(t, rq.path, rq.form)
			default:
				r = d.do(t, rq.method, rq.path, "", nil)
			}
			if r.status != rq.status {
				t.Errorf("status = %d, want %d", r.status, rq.status)
			}
			for k, want := range wantHeaders {
				if got := r.header.Values(k); len(got) != 1 || got[0] != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			for _, k := range []string{"Set-Cookie", "Date", "Server"} {
				if v := r.header.Get(k); v != "" {
					t.Errorf("%s: %q, want none", k, v)
				}
			}
			if m := offOrigin.FindString(r.body); m != "" {
				t.Errorf("the response holds %q", m)
			}
			if rq.path == "/static/style.css" {
				if ct := r.header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				return
			}
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if len(r.body)%(16<<10) != 0 {
				t.Errorf("body is %d bytes, not padded to a multiple of 16 KiB", len(r.body))
			}
			if strings.Contains(r.body, "no message") {
				t.Errorf("a message is missing from the page")
			}
		})
	}
}

// TestVisit walks a visit as a browser would: first contact with a file,
// a mistyped confirmation, a staff reply, the return visit reading it and
// writing again, and a wrong codename answered with the same size.
func TestVisit(t *testing.T) {
	d := newDoor(t, nil)
	r := d.postMultipart(t, "/fr/new", map[string]string{"message": "Les factures sont fausses."}, map[string][]byte{"grand-livre.csv": []byte("1,2,3")})
	codename := find(t, codenameRE, r.body)
	token := find(t, tokenRE, r.body)
	if n := len(strings.Fields(codename)); n != opendoorcrypto.CodenameWords {
		t.Errorf("codename %q has %d words", codename, n)
	}
	if items, _ := d.d.Store.DoorItems(t.Context(), parley.DoorFilter{}); len(items) != 0 {
		t.Fatalf("%d items stored before the codename was confirmed", len(items))
	}
	r = d.postForm(t, "/fr/confirm", url.Values{"token": {token}, "codename": {codename + " extra"}})
	if !strings.Contains(r.body, "Ce n’est pas le nom de code") || !strings.Contains(r.body, codename) {
		t.Fatalf("a mistyped codename: %.2000s", r.body)
	}
	r = d.postForm(t, "/fr/confirm", url.Values{"token": {token}, "codename": {strings.ToUpper(strings.ReplaceAll(codename, " ", "-"))}})
	if r.status != 200 || !strings.Contains(r.body, `id="received"`) {
		t.Fatalf("confirm: %d %.1000s", r.status, r.body)
	}
	if r := d.postForm(t, "/fr/confirm", url.Values{"token": {token}, "codename": {codename}}); r.status != 410 {
		t.Errorf("confirming twice: %d, want 410", r.status)
	}
	items, err := d.d.Store.DoorItems(t.Context(), parley.DoorFilter{})
	if err != nil || len(items) != 1 {
		t.Fatalf("stored items: %v, %v", items, err)
	}
	_, c, err := parley.OpenDoorItem(t.Context(), d.d.Store, d.org, items[0].ID)
	if err != nil || c.Text != "Les factures sont fausses." || len(c.Files) != 1 || c.Files[0].Name != "grand-livre.csv" || string(c.Files[0].Data) != "1,2,3" {
		t.Fatalf("the stored submission: %+v, %v", c, err)
	}

	r = d.postForm(t, "/en/return", url.Values{"codename": {codename}})
	if !strings.Contains(r.body, `id="no-replies"`) {
		t.Errorf("no reply yet: %.2000s", r.body)
	}
	if _, err := d.d.Reply(t.Context(), items[0].ID, "We read it. <b>Thank you</b>."); err != nil {
		t.Fatal(err)
	}
	right := d.postForm(t, "/en/return", url.Values{"codename": {codename}})
	if !strings.Contains(right.body, "We read it. &lt;b&gt;Thank you&lt;/b&gt;.") {
		t.Fatalf("the reply is not on the page: %.3000s", right.body)
	}
	wrong := d.postForm(t, "/en/return", url.Values{"codename": {"otter bamboo cliff anchor velvet maple harbor quill"}})
	if !strings.Contains(wrong.body, `id="codename-error"`) {
		t.Errorf("a wrong codename: %.2000s", wrong.body)
	}
	if len(right.body) != len(wrong.body) || len(right.body) != 64<<10 {
		t.Errorf("right and wrong codenames answer with %d and %d bytes, want 65536 both", len(right.body), len(wrong.body))
	}

	r = d.postMultipart(t, "/en/write", map[string]string{"session": find(t, tokenRE, right.body), "message": "More: the second ledger."}, nil)
	if r.status != 200 || !strings.Contains(r.body, `id="received"`) {
		t.Fatalf("writing again: %d %.1000s", r.status, r.body)
	}
	subs, _ := d.d.Store.DoorItems(t.Context(), parley.DoorFilter{Kind: opendoorcrypto.KindSubmission})
	if len(subs) != 2 || subs[0].Visitor != subs[1].Visitor {
		t.Errorf("after writing again: %+v", subs)
	}
}

// TestInboxFitsItsSize: however long and many the replies, the answer to a
// codename check stays exactly 64 KiB: the oldest replies give way.
func TestInboxFitsItsSize(t *testing.T) {
	d := newDoor(t, nil)
	codename := d.firstVisit(t, "en", "hello", nil)
	items, _ := d.d.Store.DoorItems(t.Context(), parley.DoorFilter{})
	for i := range 12 {
		if _, err := d.d.Reply(t.Context(), items[0].ID, fmt.Sprintf("%02d ", i)+strings.Repeat(`<"&`, 1300)); err != nil {
			t.Fatal(err)
		}
	}
	r := d.postForm(t, "/en/return", url.Values{"codename": {codename}})
	if len(r.body) != 64<<10 || !strings.Contains(r.body, "Older replies are not shown") {
		t.Errorf("inbox with long replies: %d bytes, older note %v", len(r.body), strings.Contains(r.body, "Older replies"))
	}
}

func TestLimits(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		d := newDoor(t, func(c *opendoor.Config) { c.MaxBytes = 1000 })
		r := d.postMultipart(t, "/en/new", map[string]string{"message": "x"}, map[string][]byte{"big": make([]byte, 2000)})
		if r.status != 413 {
			t.Errorf("status %d, want 413", r.status)
		}
		if items, _ := d.d.Store.DoorItems(t.Context(), parley.DoorFilter{}); len(items) != 0 {
			t.Error("something was stored")
		}
	})
	t.Run("global rate", func(t *testing.T) {
		d := newDoor(t, func(c *opendoor.Config) { c.RatePerMinute = 2 })
		for i, want := range []int{200, 200, 503} {
			if r := d.postForm(t, "/en/return", url.Values{"codename": {"a b c"}}); r.status != want {
				t.Errorf("check %d: status %d, want %d", i, r.status, want)
			} else if want == 503 && r.header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		}
	})
	t.Run("per codename", func(t *testing.T) {
		d := newDoor(t, func(c *opendoor.Config) { c.PerCodenamePerHour = 2 })
		for i, want := range []int{200, 200, 503} {
			if r := d.postForm(t, "/en/return", url.Values{"codename": {"same words"}}); r.status != want {
				t.Errorf("check %d: status %d, want %d", i, r.status, want)
			}
		}
		if r := d.postForm(t, "/en/return", url.Values{"codename": {"other words"}}); r.status != 200 {
			t.Errorf("another codename: %d, want 200", r.status)
		}
	})
	t.Run("pending bounded", func(t *testing.T) {
		d := newDoor(t, func(c *opendoor.Config) { c.PendingMax = 1 })
		if r := d.postMultipart(t, "/en/new", map[string]string{"message": "a"}, nil); r.status != 200 {
			t.Fatalf("first: %d", r.status)
		}
		if r := d.postMultipart(t, "/en/new", map[string]string{"message": "b"}, nil); r.status != 503 {
			t.Errorf("second while the first is pending: %d, want 503", r.status)
		}
	})
	t.Run("queue sheds", func(t *testing.T) {
		// One worker, no queue, and a derivation slow enough to overlap.
		d := newDoor(t, func(c *opendoor.Config) {
			c.Workers, c.Queue, c.Params = 1, 1, opendoorcrypto.Params{Time: 4, MemoryKiB: 32 << 10, Threads: 1}
			c.QueueWait = time.Millisecond
		})
		statuses := make(chan int, 8)
		for range 8 {
			go func() {
				statuses <- d.postForm(t, "/en/return", url.Values{"codename": {"a"}}).status
			}()
		}
		got := map[int]int{}
		for range 8 {
			got[<-statuses]++
		}
		if got[503] == 0 || got[200] == 0 || got[200]+got[503] != 8 {
			t.Errorf("8 concurrent checks with one worker: %v, want some 200 and some 503, nothing else", got)
		}
	})
}

func TestScrubAddresses(t *testing.T) {
	for _, in := range []string{
		"http: TLS handshake error from 203.0.113.77:51234: EOF",
		"http: panic serving [2001:db8::1]:443: boom",
		"http: panic serving 2001:db8:0:1::7: boom",
		"http: URL query contains semicolon from 198.51.100.2",
	} {
		got := opendoor.ScrubAddresses(in)
		if regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|db8`).MatchString(got) {
			t.Errorf("ScrubAddresses(%q) = %q", in, got)
		}
	}
	var b bytes.Buffer
	l := opendoor.ErrorLog(slogTo(&b))
	l.Printf("http: TLS handshake error from 203.0.113.77:51234: EOF")
	if strings.Contains(b.String(), "203.0.113") || !strings.Contains(b.String(), "[address]") {
		t.Errorf("ErrorLog wrote %q", b.String())
	}
}
