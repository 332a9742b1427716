package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/match"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/stix"
	"github.com/parley-dev/parley/internal/web"
	"github.com/pquerna/otp/totp"
)

// cheap keeps tests fast; the hash format is the same.
var cheap = web.HashParams{Memory: 8 << 10, Time: 1, Threads: 1}

const password = "correct horse battery"

type ui struct {
	srv    *httptest.Server
	node   *parley.Node
	peer   *parley.Node // south
	users  parley.WebStore
	secret map[string]string // TOTP secrets by user
}

func newUI(t *testing.T) *ui {
	t.Helper()
	a, b := parleytest.NewNode(t, "north"), parleytest.NewNode(t, "south")
	parleytest.Pair(t, a, "http://north.invalid", b, "http://south.invalid")
	users := a.Store.(parley.WebStore)
	u := &ui{node: a, peer: b, users: users, secret: map[string]string{}}
	for _, x := range []struct{ name, role string }{{"ana", parley.RoleAnalyst}, {"sue", parley.RoleSupervisor}, {"adam", parley.RoleAdmin}} {
		wu := parley.WebUser{Name: x.name, Role: x.role, Password: web.HashPassword(password, cheap), CreatedAt: a.Now()}
		if x.role != parley.RoleAnalyst {
			secret, _, err := web.NewTOTP("Parley north", x.name)
			if err != nil {
				t.Fatal(err)
			}
			wu.TOTPSecret, u.secret[x.name] = secret, secret
		}
		if err := users.AddWebUser(t.Context(), wu); err != nil {
			t.Fatal(err)
		}
	}
	h, err := web.New(web.Config{Node: a, Users: users, Log: parleytest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	u.srv = httptest.NewServer(h)
	t.Cleanup(u.srv.Close)
	return u
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	t  *testing.T
	ui *ui
	c  *http.Client
}

func (u *ui) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ui: u, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, b.ui.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(out)}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in:\n%s", body)
	}
	return m[1]
}

// login signs in as name, with a TOTP code when the user has a secret.
func (b *browser) login(name, pw string) response {
	b.t.Helper()
	page := b.do("GET", "/login", nil)
	f := url.Values{"csrf": {csrfOf(b.t, page.body)}, "name": {name}, "password": {pw}}
	if s := b.ui.secret[name]; s != "" {
		code, err := totp.GenerateCode(s, b.ui.node.Now())
		if err != nil {
			b.t.Fatal(err)
		}
		f.Set("code", code)
	}
	return b.do("POST", "/login", f)
}

func (b *browser) mustLogin(name string) {
	b.t.Helper()
	if r := b.login(name, password); r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		b.t.Fatalf("login %s: status %d, Location %q\n%s", name, r.status, r.header.Get("Location"), r.body)
	}
}

var wantHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-store",
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
}

func checkHeaders(t *testing.T, what string, r response) {
	t.Helper()
	for k, want := range wantHeaders {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
}

func TestHeadersEverywhere(t *testing.T) {
	u := newUI(t)
	anon := u.browser(t)
	for _, path := range []string{"/login", "/static/web.css", "/", "/nope", "/board"} {
		checkHeaders(t, "anonymous GET "+path, anon.do("GET", path, nil))
	}
	checkHeaders(t, "anonymous POST /compose", anon.do("POST", "/compose", url.Values{}))
	b := u.browser(t)
	b.mustLogin("ana")
	for _, path := range []string{"/", "/board", "/hits", "/compose", "/channels/south", "/channels/nobody"} {
		checkHeaders(t, "GET "+path, b.do("GET", path, nil))
	}
	if r := anon.do("GET", "/static/web.css", nil); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
}

func TestLoginRequired(t *testing.T) {
	u := newUI(t)
	anon := u.browser(t)
	for _, path := range []string{"/", "/board", "/hits", "/compose", "/channels/south", "/messages/x/proof"} {
		r := anon.do("GET", path, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Errorf("GET %s: status %d, Location %q; want 303 to /login", path, r.status, r.header.Get("Location"))
		}
	}
	if r := anon.do("POST", "/compose", url.Values{"peer": {"south"}, "kind": {"letter"}, "text": {"hi"}}); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous POST /compose: status %d, want 401", r.status)
	}
}

func TestLogin(t *testing.T) {
	u := newUI(t)
	tests := []struct {
		name, user, pw, code string
		want                 int
	}{
		{"analyst", "ana", password, "", http.StatusSeeOther},
		{"wrong password", "ana", "not the password", "", http.StatusUnauthorized},
		{"unknown user", "mallory", password, "", http.StatusUnauthorized},
		{"supervisor without code", "sue", password, "", http.StatusUnauthorized},
		{"supervisor with a wrong code", "sue", password, "000000", http.StatusUnauthorized},
		{"supervisor with code", "sue", password, "totp", http.StatusSeeOther},
		{"admin with code", "adam", password, "totp", http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := u.browser(t)
			page := b.do("GET", "/login", nil)
			code := tt.code
			if code == "totp" {
				code, _ = totp.GenerateCode(u.secret[tt.user], u.node.Now())
			}
			r := b.do("POST", "/login", url.Values{"csrf": {csrfOf(t, page.body)}, "name": {tt.user}, "password": {tt.pw}, "code": {code}})
			if r.status != tt.want {
				t.Fatalf("status %d, want %d\n%s", r.status, tt.want, r.body)
			}
			if tt.want != http.StatusSeeOther {
				if !strings.Contains(r.body, "Wrong name, password or code.") {
					t.Errorf("body lacks the error:\n%s", r.body)
				}
				return
			}
			var session *http.Cookie
			for _, c := range (&http.Response{Header: r.header}).Cookies() {
				if c.Name == "parley-session" {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/", session)
			}
			if r := b.do("GET", "/", nil); r.status != http.StatusOK || !strings.Contains(r.body, "south") {
				t.Errorf("dashboard after login: status %d\n%s", r.status, r.body)
			}
		})
	}
}

func TestTOTPReplay(t *testing.T) {
	u := newUI(t)
	code, err := totp.GenerateCode(u.secret["sue"], u.node.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{http.StatusSeeOther, http.StatusUnauthorized} {
		b := u.browser(t)
		page := b.do("GET", "/login", nil)
		r := b.do("POST", "/login", url.Values{"csrf": {csrfOf(t, page.body)}, "name": {"sue"}, "password": {password}, "code": {code}})
		if r.status != want {
			t.Errorf("use %d of one code: status %d, want %d", i+1, r.status, want)
		}
	}
}

func TestLoginCSRF(t *testing.T) {
	u := newUI(t)
	b := u.browser(t)
	b.do("GET", "/login", nil)
	r := b.do("POST", "/login", url.Values{"csrf": {"forged"}, "name": {"ana"}, "password": {password}})
	if r.status != http.StatusForbidden {
		t.Errorf("login with a forged token: status %d, want 403", r.status)
	}
}

func TestLoginThrottle(t *testing.T) {
	u := newUI(t)
	b := u.browser(t)
	for range 5 {
		if r := b.login("ana", "wrong password!"); r.status != http.StatusUnauthorized {
			t.Fatalf("failed login: status %d, want 401", r.status)
		}
	}
	if r := b.login("ana", password); r.status != http.StatusTooManyRequests {
		t.Errorf("login after 5 failures: status %d, want 429", r.status)
	}
	other := u.browser(t)
	other.mustLogin("sue") // another account is not locked
}

func TestCSRF(t *testing.T) {
	u := newUI(t)
	b := u.browser(t)
	b.mustLogin("ana")
	form := url.Values{"peer": {"south"}, "kind": {"letter"}, "text": {"hello"}}
	for _, tok := range []string{"", "forged"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if tok != "" {
			f.Set("csrf", tok)
		}
		if r := b.do("POST", "/compose", f); r.status != http.StatusForbidden {
			t.Errorf("compose with csrf %q: status %d, want 403", tok, r.status)
		}
	}
	if r := b.do("POST", "/logout", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("logout without csrf: status %d, want 403", r.status)
	}
	ms, err := u.node.Store.Messages(t.Context(), parley.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 0 {
		t.Errorf("%d messages stored by rejected posts", len(ms))
	}
}

// deliver does what the federation's workers do, by direct calls: it
// moves what north queued to south, brings back the receipts, and has south
// cosign north's checkpoints, so that proofs can be made.
func (u *ui) deliver(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	u.send(t, u.node, u.peer)
	a, b := u.node, u.peer
	operated := []parley.LogID{parley.LogOut, parley.LogOutFlash, parley.LogOurReceipts, parley.LogOurReceiptsFlash}
	for _, pair := range [][2]*parley.Node{{a, b}, {b, a}} {
		x, y := pair[0], pair[1]
		q, err := x.Store.PeerByName(ctx, y.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range operated {
			size, err := x.CheckpointTarget(ctx, q, l)
			if err != nil {
				t.Fatal(err)
			}
			if size == 0 {
				continue
			}
			note, cp, err := x.SignCheckpoint(ctx, q, l, size)
			if err != nil {
				t.Fatal(err)
			}
			cosigned, err := y.Witness(ctx, note)
			if err != nil {
				t.Fatal(err)
			}
			if err := x.AcceptCosigned(ctx, q, l, cp, cosigned); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// send moves what a queued for b on the normal lane to b, and brings back
// the delivered receipts.
func (*ui) send(t *testing.T, a, b *parley.Node) {
	t.Helper()
	ctx := t.Context()
	p, err := a.Store.PeerByName(ctx, b.Name)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := a.Store.Claim(ctx, p.Fingerprint(), false, 1000, 1<<30, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	wires := make([][]byte, len(msgs))
	for i, m := range msgs {
		wires[i] = m.Envelope
	}
	res, err := b.Receive(ctx, wires)
	if err != nil {
		t.Fatal(err)
	}
	raws := make([][]byte, len(res))
	for i, r := range res {
		raws[i] = r.Receipt
	}
	if err := a.Acknowledge(ctx, p, msgs, raws); err != nil {
		t.Fatal(err)
	}
}

func TestRoles(t *testing.T) {
	u := newUI(t)
	m, err := u.node.Compose(t.Context(), "south", parley.Draft{Content: parley.Content{Text: "for the proof"}})
	if err != nil {
		t.Fatal(err)
	}
	u.deliver(t)
	routes := []struct {
		path string
		want map[string]int // by role
	}{
		{"/", map[string]int{"ana": 200, "sue": 200, "adam": 200}},
		{"/board", map[string]int{"ana": 200, "sue": 200, "adam": 200}},
		{"/hits", map[string]int{"ana": 200, "sue": 200, "adam": 200}},
		{"/stats", map[string]int{"ana": 403, "sue": 200, "adam": 200}},
		{"/messages/" + m.ID.String(), map[string]int{"ana": 200, "sue": 200, "adam": 200}},
		{"/compose", map[string]int{"ana": 200, "sue": 200, "adam": 200}},
		{"/channels/south", map[string]int{"ana": 200, "sue": 200, "adam": 200}},
		{"/channels/nobody", map[string]int{"ana": 404, "sue": 404, "adam": 404}},
		{"/messages/" + m.ID.String() + "/proof", map[string]int{"ana": 403, "sue": 200, "adam": 200}},
		{"/messages/bogus/proof", map[string]int{"ana": 403, "sue": 404, "adam": 404}},
	}
	for _, user := range []string{"ana", "sue", "adam"} {
		b := u.browser(t)
		b.mustLogin(user)
		for _, rt := range routes {
			t.Run(user+rt.path, func(t *testing.T) {
				b.t = t
				r := b.do("GET", rt.path, nil)
				if r.status != rt.want[user] {
					t.Errorf("status %d, want %d", r.status, rt.want[user])
				}
			})
		}
	}
}

func TestThreadAndProof(t *testing.T) {
	u := newUI(t)
	m, err := u.node.Compose(t.Context(), "south", parley.Draft{Content: parley.Content{Text: "hello"}})
	if err != nil {
		t.Fatal(err)
	}
	b := u.browser(t)
	b.mustLogin("sue")
	r := b.do("GET", "/channels/south", nil)
	if !strings.Contains(r.body, "/messages/"+m.ID.String()+"/proof") || !strings.Contains(r.body, "queued") {
		t.Errorf("thread lacks the message or its proof link:\n%s", r.body)
	}
	if p := b.do("GET", "/messages/"+m.ID.String()+"/proof", nil); p.status != http.StatusConflict || !strings.Contains(p.body, "not ready yet") {
		t.Errorf("proof before a checkpoint: status %d, want 409\n%s", p.status, p.body)
	}
	u.deliver(t)
	if r := b.do("GET", "/channels/south", nil); !strings.Contains(r.body, "delivered") {
		t.Errorf("thread does not show the message delivered:\n%s", r.body)
	}
	p := b.do("GET", "/messages/"+m.ID.String()+"/proof", nil)
	if p.status != 200 || p.header.Get("Content-Type") != "application/json" || !strings.Contains(p.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("proof: status %d, headers %v", p.status, p.header)
	}
	if _, err := parley.VerifyProof(strings.NewReader(p.body)); err != nil {
		t.Errorf("the downloaded proof does not verify: %v", err)
	}
}

func TestCompose(t *testing.T) {
	u := newUI(t)
	b := u.browser(t)
	b.mustLogin("ana")
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"letter", url.Values{"peer": {"south"}, "kind": {"letter"}, "text": {"hello"}}, 200, "Queued as message"},
		{"warning with a person", url.Values{"peer": {"south"}, "kind": {"warning"}, "text": {"watch out"}, "respond_hours": {"24"},
			"person_name": {"Ivan Petrov"}, "person_dob": {"1970-01-02"}, "person_nationalities": {"ru"}, "tlp": {"amber"}}, 200, "Queued as message"},
		{"letter with a deadline", url.Values{"peer": {"south"}, "kind": {"letter"}, "text": {"x"}, "respond_hours": {"24"}}, 422, "Only a warning has a deadline."},
		{"empty", url.Values{"peer": {"south"}, "kind": {"letter"}}, 422, "a message needs text"},
		{"unknown peer", url.Values{"peer": {"nobody"}, "kind": {"letter"}, "text": {"x"}}, 422, "There is no channel with nobody."},
		{"deadline out of range", url.Values{"peer": {"south"}, "kind": {"warning"}, "text": {"x"}, "respond_hours": {"100000"}}, 422, "a deadline must be between"},
		{"refused: TLP above the channel's", url.Values{"peer": {"south"}, "kind": {"letter"}, "text": {"x"}, "person_name": {"Ivan"}, "tlp": {"red"}}, 422, "Refused:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.t = t
			page := b.do("GET", "/compose", nil)
			tt.form.Set("csrf", csrfOf(t, page.body))
			r := b.do("POST", "/compose", tt.form)
			if r.status != tt.status || !strings.Contains(r.body, tt.want) {
				t.Errorf("status %d (want %d), body lacks %q:\n%s", r.status, tt.status, tt.want, r.body)
			}
		})
	}
	ms, err := u.node.Store.Messages(t.Context(), parley.Filter{Direction: parley.Outbound})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Errorf("%d messages queued, want 2", len(ms))
	}
}

func TestBoardAndHits(t *testing.T) {
	u := newUI(t)
	ctx := t.Context()
	clock := &parleytest.FixedClock{T: time.Now().UTC().Truncate(time.Second)}
	u.node.Clock, u.peer.Clock = clock, clock
	if err := u.node.Store.ImportWatchlist(ctx, []match.Entry{{ID: "W-1", Name: "Ivan Petrov", DOB: "1970-01-02"}}, true, nil); err != nil {
		t.Fatal(err)
	}
	objs, err := stix.NewPerson(stix.PersonInput{Name: "Ivan Petrov", DOB: "1970-01-02"}, stix.TLPAmber, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := stix.NewBundle(objs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.peer.Compose(ctx, "north", parley.Draft{Kind: envelope.KindWarning, RespondWithin: time.Hour, Content: parley.Content{Text: "watch him", Records: bundle}}); err != nil {
		t.Fatal(err)
	}
	u.send(t, u.peer, u.node)
	if _, err := u.node.Compose(ctx, "south", parley.Draft{Kind: envelope.KindWarning, RespondWithin: 3 * time.Hour, Content: parley.Content{Text: "and you watch her"}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	b := u.browser(t)
	b.mustLogin("ana")
	board := b.do("GET", "/board", nil).body
	for _, want := range []string{`<tr class="overdue">`, "we owe an answer", "1h overdue", "awaiting theirs", "1h left"} {
		if !strings.Contains(board, want) {
			t.Errorf("board lacks %q:\n%s", want, board)
		}
	}
	if dash := b.do("GET", "/", nil).body; !strings.Contains(dash, `<td class="overdue">1</td>`) {
		t.Errorf("dashboard lacks the overdue count:\n%s", dash)
	}
	sup := u.browser(t)
	sup.mustLogin("sue")
	stats := sup.do("GET", "/stats", nil).body
	for _, want := range []string{"they asked us", "we asked them", `<td class="overdue">1</td>`, "nothing due"} {
		if !strings.Contains(stats, want) {
			t.Errorf("stats page lacks %q:\n%s", want, stats)
		}
	}
	hits := b.do("GET", "/hits", nil).body
	for _, want := range []string{"Ivan Petrov (W-1)", `<a href="/channels/south">south</a>`} {
		if !strings.Contains(hits, want) {
			t.Errorf("hits page lacks %q:\n%s", want, hits)
		}
	}
}

func TestMessage(t *testing.T) {
	u := newUI(t)
	ctx := t.Context()
	objs, err := stix.NewPerson(stix.PersonInput{Name: "Ivan Petrov"}, stix.TLPGreen, u.peer.Now())
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := stix.NewBundle(objs)
	if err != nil {
		t.Fatal(err)
	}
	in, err := u.peer.Compose(ctx, "north", parley.Draft{Content: parley.Content{Text: "a <b>secret</b> letter", Records: bundle}})
	if err != nil {
		t.Fatal(err)
	}
	u.send(t, u.peer, u.node)
	out, err := u.node.Compose(ctx, "south", parley.Draft{Content: parley.Content{Text: "our own words"}})
	if err != nil {
		t.Fatal(err)
	}
	b := u.browser(t)
	b.mustLogin("ana")
	path := "/messages/" + in.ID.String()
	page := b.do("GET", path, nil)
	if page.status != 200 || !strings.Contains(page.body, "Open and send the read receipt") || strings.Contains(page.body, "secret") {
		t.Fatalf("unread message: status %d, want the open button and no content:\n%s", page.status, page.body)
	}
	if m, _ := u.node.Store.Message(ctx, in.ID); !m.ReadAt.IsZero() {
		t.Errorf("a GET marked the message read")
	}
	if r := b.do("POST", path+"/open", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("open without csrf: status %d, want 403", r.status)
	}
	r := b.do("POST", path+"/open", url.Values{"csrf": {csrfOf(t, page.body)}})
	if r.status != 200 || !strings.Contains(r.body, "a &lt;b&gt;secret&lt;/b&gt; letter") || !strings.Contains(r.body, "Ivan Petrov") {
		t.Errorf("opened message:\n%s", r.body)
	}
	if m, _ := u.node.Store.Message(ctx, in.ID); m.ReadAt.IsZero() {
		t.Errorf("opening did not mark the message read")
	}
	if r := b.do("GET", "/messages/"+out.ID.String(), nil); !strings.Contains(r.body, "our own words") {
		t.Errorf("a sent message shows its content at once:\n%s", r.body)
	}
	if r := b.do("GET", "/messages/0123456789abcdef0123456789abcdef", nil); r.status != http.StatusNotFound {
		t.Errorf("unknown message: status %d, want 404", r.status)
	}
}

func TestLogout(t *testing.T) {
	u := newUI(t)
	b := u.browser(t)
	b.mustLogin("ana")
	page := b.do("GET", "/", nil)
	if r := b.do("POST", "/logout", url.Values{"csrf": {csrfOf(t, page.body)}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: status %d", r.status)
	}
	if r := b.do("GET", "/", nil); r.status != http.StatusSeeOther {
		t.Errorf("after logout: status %d, want 303 to /login", r.status)
	}
}

func TestPasswordHash(t *testing.T) {
	h := web.HashPassword("s3cret password", cheap)
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"s3cret password", true}, {"s3cret passwore", false}, {"", false}} {
		got, err := web.VerifyPassword(tt.pw, h)
		if err != nil || got != tt.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.pw, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if _, err := web.VerifyPassword("x", bad); err == nil {
			t.Errorf("VerifyPassword accepted the hash %q", bad)
		}
	}
}
