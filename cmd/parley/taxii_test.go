package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/taxii"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key as
// PEM files into dir and returns the certificate.
func writeCert(t *testing.T, dir string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "north TAXII"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "taxii.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "taxii.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// taxiiDo sends one TAXII request and returns the status and body.
func taxiiDo(t *testing.T, c *http.Client, method, url, auth string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaType)
	if body != nil {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	req.Header.Set("Authorization", auth)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

var tokenLine = regexp.MustCompile(`(?m)^(taxii_[0-9a-f]{16}_[A-Za-z0-9_-]{43})$`)

// TestCLITAXII: users with `taxii user`, the TAXII listener over HTTPS, a
// POST that becomes a warning delivered to the peer, the peer's inbound
// collection, `taxii pull`, and removing a user.
func TestCLITAXII(t *testing.T) {
	root := t.TempDir()
	north, south, _ := e2eInitPair(t, root)
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
		{"no secret", []string{"taxii", "user", "add", "tools", "--read", "*", "--dir", north.dir}, 2, "give --password-file F, --token, or both"},
		{"no rights", []string{"taxii", "user", "add", "tools", "--token", "--dir", north.dir}, 2, "give the user --read or --write collections"},
		{"bad collection", []string{"taxii", "user", "add", "tools", "--token", "--read", "south", "--dir", north.dir}, 2, `--read: "south" is not a collection (PEER-in or PEER-out) or *`},
		{"write inbound", []string{"taxii", "user", "add", "tools", "--token", "--write", "south-in", "--dir", north.dir}, 2, "--write: south-in is read-only (it holds what south sent); write to south-out"},
		{"short password", []string{"taxii", "user", "add", "tools", "--password-file", short, "--read", "*", "--dir", north.dir}, 1, "is 4 bytes; use at least 12"},
		{"remove unknown", []string{"taxii", "user", "remove", "nobody", "--dir", north.dir}, 1, `no TAXII user named "nobody" (see ` + "`parley taxii user list`)"},
		{"unknown subcommand", []string{"taxii", "group", "--dir", north.dir}, 2, "want `parley taxii user add|list|remove` or `parley taxii pull URL`"},
		{"certificate without key", []string{"serve", "--dir", north.dir, "--taxii-listen", "127.0.0.1:0", "--taxii-tls-cert", "taxii.crt"}, 1, "config: set both taxii_tls_cert and taxii_tls_key, or neither"},
		{"missing certificate", []string{"serve", "--dir", north.dir, "--start-audit", "off", "--listen", "127.0.0.1:0", "--taxii-listen", "127.0.0.1:0", "--taxii-tls-cert", "none.crt", "--taxii-tls-key", "none.key"}, 1, "TAXII listener: loading taxii_tls_cert and taxii_tls_key: open " + filepath.Join(north.dir, "none.crt")},
		{"pull to an unknown peer", []string{"taxii", "pull", "http://127.0.0.1:1/taxii2/api/", "--collection", "c", "--to", "west", "--dir", north.dir}, 1, `no peer named "west" (peers: south)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e2eRun(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.msg)
			}
		})
	}
	out := e2eMust(t, "taxii", "user", "add", "tools", "--password-file", pw, "--token", "--read", "south-in,south-out", "--write", "south-out", "--dir", north.dir)
	m := tokenLine.FindStringSubmatch(out)
	if !strings.HasPrefix(out, "added TAXII user tools (read: south-in,south-out; write: south-out; up to TLP:AMBER+STRICT)\n") || m == nil {
		t.Fatalf("user add printed:\n%s", out)
	}
	token := m[1]
	if r := e2eRun(t, "taxii", "user", "add", "tools", "--token", "--read", "*", "--dir", north.dir); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("adding a user twice: %d %q", r.code, r.stderr)
	}
	e2eMust(t, "taxii", "user", "add", "reader", "--password-file", pw, "--read", "north-in", "--max-tlp", "amber", "--dir", south.dir)
	var users struct {
		Users []struct {
			Name     string   `json:"name"`
			Read     []string `json:"read"`
			Write    []string `json:"write"`
			MaxTLP   string   `json:"max_tlp"`
			Password bool     `json:"password"`
			Token    bool     `json:"token"`
		} `json:"users"`
	}
	e2eJSON(t, &users, "taxii", "user", "list", "--json", "--dir", north.dir)
	if len(users.Users) != 1 || users.Users[0].Name != "tools" || !users.Users[0].Password || !users.Users[0].Token || users.Users[0].MaxTLP != "amber+strict" ||
		strings.Join(users.Users[0].Write, ",") != "south-out" {
		t.Errorf("user list = %+v", users)
	}
	if out := e2eMust(t, "taxii", "user", "list", "--dir", north.dir); !strings.Contains(out, "tools  south-in,south-out  south-out  AMBER+STRICT  password+token") {
		t.Errorf("user list printed:\n%s", out)
	}

	cert := writeCert(t, north.dir)
	northTAXII, southTAXII := e2eFreeAddr(t), e2eFreeAddr(t)
	fast := []string{"--retry-min", "20ms", "--retry-max", "300ms", "--poll-interval", "50ms"}
	e2eServe(t, "north", append([]string{"--dir", north.dir, "--taxii-listen", northTAXII, "--taxii-tls-cert", "taxii.crt", "--taxii-tls-key", "taxii.key"}, fast...)...)
	e2eServe(t, "south", append([]string{"--dir", south.dir, "--taxii-listen", southTAXII}, fast...)...)
	e2eWaitHealthy(t, north.addr, 20*time.Second)
	e2eWaitHealthy(t, south.addr, 20*time.Second)

	pool := x509.NewCertPool()
	pool.AddCert(cert)
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + northTAXII + "/taxii2/"
	var cs struct {
		Collections []struct{ ID, Alias string } `json:"collections"`
	}
	e2eEventually(t, 10*time.Second, "north's TAXII listener answers over HTTPS", func() (bool, error) {
		st, b := taxiiDo(t, hc, "GET", base+"api/collections/", "Bearer "+token, nil)
		return st == 200 && json.Unmarshal(b, &cs) == nil, nil
	})
	if len(cs.Collections) != 2 || cs.Collections[1].Alias != "south-out" {
		t.Fatalf("collections = %+v", cs)
	}
	if st, _ := taxiiDo(t, hc, "GET", base, "Basic bm9ib2R5Om5vYm9keQ==", nil); st != 401 {
		t.Errorf("unknown user over HTTPS: %d", st)
	}

	objs := []string{
		`{"type":"indicator","spec_version":"2.1","id":"indicator--7d4c2b1a-3e5f-4a6b-9c8d-0e1f2a3b4c5d","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","name":"wallet","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-03-01T00:00:00.000Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`,
		`{"type":"identity","spec_version":"2.1","id":"identity--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","name":"ACME Trading","identity_class":"organization","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`,
	}
	st, b := taxiiDo(t, hc, "POST", base+"api/collections/"+cs.Collections[1].ID+"/objects/", "Basic "+basicAuth("tools", "correct horse battery"), []byte(`{"objects":[`+strings.Join(objs, ",")+`]}`))
	var status struct {
		ID, Status   string
		SuccessCount int `json:"success_count"`
		Successes    []struct{ Message string }
	}
	if st != 202 || json.Unmarshal(b, &status) != nil {
		t.Fatalf("POST: %d %s", st, b)
	}
	e2eEventually(t, 20*time.Second, "the status of the POST is complete", func() (bool, error) {
		_, b := taxiiDo(t, hc, "GET", base+"api/status/"+status.ID+"/", "Bearer "+token, nil)
		return json.Unmarshal(b, &status) == nil && status.Status == "complete", nil
	})
	if status.SuccessCount != 2 || !strings.Contains(status.Successes[0].Message, "delivered to south") {
		t.Errorf("status = %+v", status)
	}
	var board recBoard
	e2eJSON(t, &board, "board", "--json", "--dir", south.dir)
	if len(board.Items) != 1 || board.Items[0].Kind != "warning" || board.Items[0].Peer != "north" {
		t.Errorf("south's board = %+v", board)
	}

	// South's inbound collection, over plain HTTP.
	sbase := "http://" + southTAXII + "/taxii2/api/"
	var scs struct {
		Collections []struct{ ID, Alias string } `json:"collections"`
	}
	_, b = taxiiDo(t, http.DefaultClient, "GET", sbase+"collections/", "Basic "+basicAuth("reader", "correct horse battery"), nil)
	if json.Unmarshal(b, &scs) != nil || len(scs.Collections) != 1 || scs.Collections[0].Alias != "north-in" {
		t.Fatalf("south's collections: %s", b)
	}
	inbound := scs.Collections[0].ID
	st, b = taxiiDo(t, http.DefaultClient, "GET", sbase+"collections/"+inbound+"/objects/", "Basic "+basicAuth("reader", "correct horse battery"), nil)
	if st != 200 || !strings.Contains(string(b), objs[0]) || !strings.Contains(string(b), objs[1]) {
		t.Fatalf("south's inbound collection: %d %s", st, b)
	}

	// North pulls south's inbound collection and sends it to south again.
	pull := []string{"taxii", "pull", sbase, "--collection", inbound, "--to", "south", "--user", "reader", "--password-file", pw, "--dir", north.dir}
	out = e2eMust(t, pull...)
	if !regexp.MustCompile(`^sent 2 object\(s\) from ` + inbound + ` in 1 message\(s\) to south; next pull starts after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\n$`).MatchString(out) {
		t.Errorf("first pull printed %q", out)
	}
	out = e2eMust(t, pull...)
	if !strings.HasPrefix(out, "sent 0 object(s) from "+inbound+" in 0 message(s) to south;") {
		t.Errorf("second pull printed %q", out)
	}
	if r := e2eRun(t, "taxii", "pull", sbase, "--collection", inbound, "--to", "south", "--user", "reader", "--password-file", short, "--dir", north.dir); r.code != 1 || !strings.Contains(r.stderr, "401 Unauthorized") {
		t.Errorf("pull with a wrong password: %d %q", r.code, r.stderr)
	}

	e2eMust(t, "taxii", "user", "remove", "tools", "--dir", north.dir)
	if st, _ := taxiiDo(t, hc, "GET", base+"api/collections/", "Bearer "+token, nil); st != 401 {
		t.Errorf("removed user's token: %d", st)
	}
}

func basicAuth(user, pw string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pw)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}
