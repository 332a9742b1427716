package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCLIUser: the accounts of the web UI, and the exact errors a user sees.
func TestCLIUser(t *testing.T) {
	root := t.TempDir()
	north, _, _ := e2eInitPair(t, root)
	pw := filepath.Join(root, "pw")
	os.WriteFile(pw, []byte("correct horse battery\n"), 0o600)
	short := filepath.Join(root, "short")
	os.WriteFile(short, []byte("tiny\n"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no role", []string{"user", "add", "ana", "--password-file", pw, "--dir", north.dir}, 2, `--role: role "": want analyst, supervisor or admin`},
		{"no password", []string{"user", "add", "ana", "--role", "analyst", "--dir", north.dir}, 2, "give --password-file F (- reads standard input)"},
		{"short password", []string{"user", "add", "ana", "--role", "analyst", "--password-file", short, "--dir", north.dir}, 1, "is 4 bytes; use at least 12"},
		{"remove unknown", []string{"user", "remove", "nobody", "--dir", north.dir}, 1, "no web user named nobody (see `parley user list`)"},
		{"unknown subcommand", []string{"user", "rename", "--dir", north.dir}, 2, "want `parley user add|list|remove`"},
		{"certificate without key", []string{"serve", "--dir", north.dir, "--web-listen", "127.0.0.1:0", "--web-tls-cert", "web.crt"}, 1, "config: set both web_tls_cert and web_tls_key, or neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e2eRun(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.msg)
			}
		})
	}
	if out := e2eMust(t, "user", "add", "ana", "--role", "analyst", "--password-file", pw, "--dir", north.dir); out != "added web user ana (analyst)\n" {
		t.Errorf("user add analyst printed:\n%s", out)
	}
	out := e2eMust(t, "user", "add", "sue", "--role", "supervisor", "--password-file", pw, "--dir", north.dir)
	if !strings.HasPrefix(out, "added web user sue (supervisor)\nsecond factor (shown once; load it into an authenticator app):\notpauth://totp/") {
		t.Errorf("user add supervisor printed:\n%s", out)
	}
	if r := e2eRun(t, "user", "add", "ana", "--role", "admin", "--password-file", pw, "--dir", north.dir); r.code != 1 || !strings.Contains(r.stderr, "a web user named ana exists; remove it first with `parley user remove ana`") {
		t.Errorf("adding a user twice: %d %q", r.code, r.stderr)
	}
	list := e2eMust(t, "user", "list", "--dir", north.dir)
	if !regexp.MustCompile(`(?m)^ana +analyst +none +`).MatchString(list) || !regexp.MustCompile(`(?m)^sue +supervisor +totp +`).MatchString(list) {
		t.Errorf("user list printed:\n%s", list)
	}
	if out := e2eMust(t, "user", "remove", "ana", "--dir", north.dir); out != "removed web user ana and ended their sessions\n" {
		t.Errorf("user remove printed:\n%s", out)
	}
}

// TestServeWeb: serve with web_listen; an analyst signs in and sends a
// letter from the compose page.
func TestServeWeb(t *testing.T) {
	root := t.TempDir()
	north, _, _ := e2eInitPair(t, root)
	pw := filepath.Join(root, "pw")
	os.WriteFile(pw, []byte("correct horse battery\n"), 0o600)
	e2eMust(t, "user", "add", "ana", "--role", "analyst", "--password-file", pw, "--dir", north.dir)
	webAddr := e2eFreeAddr(t)
	e2eServe(t, "north", "--dir", north.dir, "--web-listen", webAddr)
	e2eWaitHealthy(t, north.addr, 20*time.Second)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	base := "http://" + webAddr
	get := func(path string) (int, string) {
		t.Helper()
		res, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		return res.StatusCode, string(b)
	}
	post := func(path string, f url.Values) (int, string) {
		t.Helper()
		res, err := hc.PostForm(base+path, f)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	var body string
	e2eEventually(t, 10*time.Second, "the web UI", func() (bool, error) {
		res, err := hc.Get(base + "/login")
		if err != nil {
			return false, nil
		}
		res.Body.Close()
		return res.StatusCode == 200, nil
	})
	_, body = get("/login")
	if code, b := post("/login", url.Values{"csrf": {csrf.FindStringSubmatch(body)[1]}, "name": {"ana"}, "password": {"correct horse battery"}}); code != 200 || !strings.Contains(b, "south") {
		t.Fatalf("login: status %d\n%s", code, b)
	}
	_, body = get("/compose")
	code, b := post("/compose", url.Values{"csrf": {csrf.FindStringSubmatch(body)[1]}, "peer": {"south"}, "kind": {"letter"}, "text": {"hello from the web"}})
	if code != 200 || !strings.Contains(b, "Queued as message") {
		t.Fatalf("compose: status %d\n%s", code, b)
	}
	if _, b := get("/channels/south"); !strings.Contains(b, "letter") {
		t.Errorf("thread lacks the letter:\n%s", b)
	}
}
