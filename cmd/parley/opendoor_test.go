package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// doorNode is a node serving the open door in process.
type doorNode struct {
	dir, key, fedAddr, doorAddr string
	logs                        *e2eSyncBuffer
}

// newDoorNode creates a node, its open-door key and serves it with the open
// door on, logging at debug level.
func newDoorNode(t *testing.T) *doorNode {
	t.Helper()
	root := t.TempDir()
	n := &doorNode{dir: filepath.Join(root, "north"), key: filepath.Join(root, "opendoor.key"), fedAddr: e2eFreeAddr(t), doorAddr: e2eFreeAddr(t)}
	e2eMust(t, "init", "--dir", n.dir, "--name", "north", "--listen", n.fedAddr)
	out := e2eMust(t, "opendoor", "keygen", "--dir", n.dir, "--out", n.key)
	if !strings.Contains(out, "Private key: "+n.key+" (mode 0600)") {
		t.Errorf("keygen printed:\n%s", out)
	}
	if st, err := os.Stat(n.key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v, %v", st, err)
	}
	n.logs = e2eServe(t, "north", "--dir", n.dir, "--opendoor-listen", n.doorAddr, "--log-level", "debug")
	e2eWaitHealthy(t, n.fedAddr, 20*time.Second)
	e2eEventually(t, 10*time.Second, "the open door", func() (bool, error) {
		res, err := http.Get("http://" + n.doorAddr + "/")
		if err != nil {
			return false, nil
		}
		res.Body.Close()
		return res.StatusCode == 200, nil
	})
	return n
}

// doorClient is a visitor's HTTP client that sends identifying headers the
// node must ignore, and remembers its own local ports.
type doorClient struct {
	hc      *http.Client
	headers map[string]string
	mu      sync.Mutex
	ports   []string
}

func newDoorClient(headers map[string]string) *doorClient {
	c := &doorClient{headers: headers}
	d := &net.Dialer{}
	c.hc = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err == nil {
			c.mu.Lock()
			c.ports = append(c.ports, conn.LocalAddr().String())
			c.mu.Unlock()
		}
		return conn, err
	}}}
	return c
}

func (c *doorClient) do(t *testing.T, method, u, ct string, body []byte) string {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s %s: %d\n%.1000s", method, u, res.StatusCode, b)
	}
	return string(b)
}

var (
	doorCodenameRE = regexp.MustCompile(`id="codename" lang="en">([a-z ]+)<`)
	doorTokenRE    = regexp.MustCompile(`name="token" value="([A-Za-z0-9_-]+)"`)
)

// submitFirst makes a first submission with a file and confirms it; it
// returns the codename.
func (c *doorClient) submitFirst(t *testing.T, base, message, fileName string, file []byte) string {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("message", message)
	fw, _ := w.CreateFormFile("files", fileName)
	fw.Write(file)
	w.Close()
	page := c.do(t, "POST", base+"/en/new", w.FormDataContentType(), b.Bytes())
	codename := doorCodenameRE.FindStringSubmatch(page)
	token := doorTokenRE.FindStringSubmatch(page)
	if codename == nil || token == nil {
		t.Fatalf("no codename page:\n%.2000s", page)
	}
	page = c.do(t, "POST", base+"/en/confirm", "application/x-www-form-urlencoded", []byte(url.Values{"token": {token[1]}, "codename": {codename[1]}}.Encode()))
	if !strings.Contains(page, `id="received"`) {
		t.Fatalf("not received:\n%.2000s", page)
	}
	return codename[1]
}

type doorListJSON struct {
	Items []struct {
		ID, Date, Kind, Visitor string
		Size                    int
	} `json:"items"`
}

// TestOpenDoorCanary submits unique strings with a forged X-Forwarded-For
// and a unique user agent, reads and answers them as staff, then searches
// every log line, every database file (WAL included) and the whole data
// directory: neither the address (forged or real), nor the user agent, nor
// the plaintext, nor the codename may appear anywhere. Then it deletes the
// submission and checks that the private key no longer reads it.
func TestOpenDoorCanary(t *testing.T) {
	n := newDoorNode(t)
	const (
		fakeIP   = "203.0.113.77"
		agent    = "CanaryBrowser/9.9 (unique-agent-5f1d2c)"
		secret   = "CANARY-PLAINTEXT-8c41e07b the minister's ledger"
		fileText = "CANARY-FILE-2b9f61aa account 4471"
	)
	c := newDoorClient(map[string]string{
		"X-Forwarded-For": fakeIP, "X-Real-IP": fakeIP, "Forwarded": "for=" + fakeIP, "User-Agent": agent,
		"Accept-Language": "x-canary-lang",
	})
	base := "http://" + n.doorAddr
	codename := c.submitFirst(t, base, secret, "ledger-canary.txt", []byte(fileText))
	inbox := c.do(t, "POST", base+"/en/return", "application/x-www-form-urlencoded", []byte(url.Values{"codename": {codename}}.Encode()))
	if !strings.Contains(inbox, `id="no-replies"`) {
		t.Fatalf("return visit:\n%.2000s", inbox)
	}

	var list doorListJSON
	e2eJSON(t, &list, "opendoor", "list", "--dir", n.dir, "--json")
	if len(list.Items) != 1 || list.Items[0].Kind != "submission" || list.Items[0].Date != time.Now().UTC().Format("2006-01-02") {
		t.Fatalf("opendoor list: %+v", list)
	}
	id := list.Items[0].ID
	out := e2eMust(t, "opendoor", "read", id, "--dir", n.dir, "--key", n.key, "--out", filepath.Join(t.TempDir(), "files"))
	if !strings.Contains(out, secret) || !strings.Contains(out, `File: "ledger-canary.txt" (application/octet-stream, 33 bytes) saved to`) {
		t.Errorf("opendoor read printed:\n%s", out)
	}
	reply := strings.TrimSpace(e2eMust(t, "opendoor", "reply", id, "--dir", n.dir, "--text", "CANARY-REPLY-77e0 thank you"))
	inbox = c.do(t, "POST", base+"/en/return", "application/x-www-form-urlencoded", []byte(url.Values{"codename": {codename}}.Encode()))
	if !strings.Contains(inbox, "CANARY-REPLY-77e0 thank you") {
		t.Fatalf("the reply is not shown to the visitor:\n%.3000s", inbox)
	}

	needles := map[string]string{
		"forged address": fakeIP, "user agent": "unique-agent-5f1d2c", "plaintext": "CANARY-PLAINTEXT-8c41e07b",
		"file contents": "CANARY-FILE-2b9f61aa", "file name": "ledger-canary", "codename": codename,
		"reply plaintext": "CANARY-REPLY-77e0", "language header": "x-canary-lang",
	}
	c.mu.Lock()
	for _, p := range c.ports {
		needles["client address "+p] = p
	}
	c.mu.Unlock()
	search := func(when string) {
		logs := n.logs.String()
		if !strings.Contains(logs, "open door serving") {
			t.Fatalf("the log does not show the open door serving; is it the right log?\n%s", logs)
		}
		for what, s := range needles {
			if strings.Contains(logs, s) {
				t.Errorf("%s: the log holds the %s %q", when, what, s)
			}
		}
		filepath.WalkDir(n.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for what, s := range needles {
				if bytes.Contains(b, []byte(s)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s))) {
					t.Errorf("%s: %s holds the %s %q", when, path, what, s)
				}
			}
			return nil
		})
	}
	search("while serving")
	if t.Failed() {
		return
	}
	if _, err := os.Stat(filepath.Join(n.dir, "parley.db-wal")); err != nil {
		t.Errorf("no write-ahead log to search: %v", err)
	}

	// Crypto-shredding: after delete, the private key reads nothing.
	if out := e2eMust(t, "opendoor", "delete", id, "--dir", n.dir); out != "deleted "+id+": its data key is destroyed\n" {
		t.Errorf("delete printed %q", out)
	}
	r := e2eRun(t, "opendoor", "read", id, "--dir", n.dir, "--key", n.key)
	if want := "parley opendoor: no open-door item " + id + " (deleted items cannot be read: their key is destroyed)\n"; r.code != 1 || r.stderr != want {
		t.Errorf("read after delete: exit %d, stderr %q; want 1, %q", r.code, r.stderr, want)
	}
	e2eMust(t, "opendoor", "read", reply, "--dir", n.dir, "--key", n.key)
	search("after delete")
}

// TestOpenDoorCLIErrors pins what a user sees when the open door is
// misused.
func TestOpenDoorCLIErrors(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "n")
	e2eMust(t, "init", "--dir", dir, "--name", "n", "--listen", e2eFreeAddr(t))
	key := filepath.Join(root, "k")
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"opendoor"}, 2, "parley opendoor: opendoor needs a command: keygen, list, read, reply, delete or purge\n(run `parley opendoor --help` for usage)\n"},
		{[]string{"opendoor", "fly"}, 2, "parley opendoor: unknown opendoor command \"fly\" (keygen, list, read, reply, delete, purge)\n(run `parley opendoor --help` for usage)\n"},
		{[]string{"opendoor", "keygen", "--dir", dir}, 2, "parley opendoor: --out FILE is required: where the private key goes (a removable disk, say)\n(run `parley opendoor --help` for usage)\n"},
		{[]string{"opendoor", "reply", "00", "--dir", dir, "--text", "x"}, 2, "parley opendoor: \"00\" is not an open-door item id (32 hex digits, as printed by `parley opendoor list`)\n(run `parley opendoor --help` for usage)\n"},
		{[]string{"opendoor", "reply", strings.Repeat("ab", 16), "--dir", dir, "--text", "x"}, 1, "parley opendoor: no open-door key at " + filepath.Join(dir, "opendoor.pub") + " (hint: `parley opendoor keygen --dir " + dir + " --out opendoor.key` makes one; keep the private key offline)\n"},
		{[]string{"serve", "--dir", dir, "--opendoor-listen", "127.0.0.1:0"}, 1, "parley serve: opendoor_listen is set but no open-door key at " + filepath.Join(dir, "opendoor.pub") + " (hint: `parley opendoor keygen --dir " + dir + " --out opendoor.key` makes one; keep the private key offline)\n"},
		{[]string{"serve", "--dir", dir, "--opendoor-retention", "36h"}, 1, "parley serve: config: opendoor_retention must be a whole number of days (the open door stores dates, not times), such as 90d\n"},
		{[]string{"opendoor", "keygen", "--dir", dir, "--out", key}, 0, ""},
		{[]string{"opendoor", "keygen", "--dir", dir, "--out", key + "2"}, 1, "parley opendoor: " + filepath.Join(dir, "opendoor.pub") + " already holds an open-door key; refusing to replace it (submissions sealed to it need its private key: move it away first if you really mean to)\n"},
		{[]string{"opendoor", "reply", strings.Repeat("ab", 16), "--dir", dir, "--text", "x"}, 1, "parley opendoor: no open-door item abababababababababababababababab to reply to (see `parley opendoor list`)\n"},
		{[]string{"opendoor", "list", "--dir", dir}, 0, ""},
	} {
		r := e2eRun(t, tt.args...)
		if r.code != tt.code || r.stderr != tt.stderr {
			t.Errorf("parley %s: exit %d, stderr\n%q\nwant %d,\n%q", strings.Join(tt.args, " "), r.code, r.stderr, tt.code, tt.stderr)
		}
	}
	os.Chmod(key, 0o644)
	r := e2eRun(t, "opendoor", "read", strings.Repeat("ab", 16), "--dir", dir, "--key", key)
	if want := "parley opendoor: open-door private key " + key + " is readable by others (mode 0644); fix it with `chmod 600 " + key + "`\n"; r.stderr != want {
		t.Errorf("read with a readable key: %q, want %q", r.stderr, want)
	}
	var got map[string]any
	e2eJSON(t, &got, "opendoor", "list", "--dir", dir, "--json")
	if b, _ := json.Marshal(got); string(b) != `{"items":[]}` {
		t.Errorf("list --json of an empty door: %s", b)
	}
}
