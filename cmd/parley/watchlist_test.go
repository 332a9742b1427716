package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLIWatchlist imports a watchlist with a malformed row, matches names
// against it, and sees a hit raised by a received warning.
func TestCLIWatchlist(t *testing.T) {
	root := t.TempDir()
	north, south, _ := e2eInitPair(t, root)
	csv := filepath.Join(root, "list.csv")
	rows := "id,name,aliases,dob,nationality\n" +
		"W-1,Sergei Naryshkin,Сергей Нарышкин|Narychkine,1954-10-27,RU\n" +
		"W-2,Yevgeny Prigozhin,,1961,RU\n" +
		"W-3,Broken,,27/10/1954,RU\n" +
		"W-4,Dzhokhar Tsarnaev,Джохар Царнаев,1993-07-22,RU\n"
	if err := os.WriteFile(csv, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e2eRun(t, "watchlist", "import", csv, "--dir", south.dir)
	if r.code != 0 || r.stdout != "Imported 3 entries; skipped 1 malformed (listed above).\n" || !strings.Contains(r.stderr, "skipped line 4:") {
		t.Fatalf("watchlist import: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	var list struct {
		Total   int `json:"total"`
		Entries []struct {
			ID      string   `json:"id"`
			Name    string   `json:"name"`
			Aliases []string `json:"aliases"`
		} `json:"entries"`
	}
	e2eJSON(t, &list, "watchlist", "list", "--dir", south.dir, "--json")
	if list.Total != 3 || len(list.Entries) != 3 || list.Entries[0].ID != "W-1" || len(list.Entries[0].Aliases) != 2 {
		t.Errorf("watchlist list = %+v", list)
	}
	var m struct {
		Query      string  `json:"query"`
		Threshold  float64 `json:"threshold"`
		Candidates []struct {
			ID       string  `json:"id"`
			Name     string  `json:"name"`
			Score    float64 `json:"score"`
			Match    bool    `json:"match"`
			Evidence string  `json:"evidence"`
		} `json:"candidates"`
	}
	e2eJSON(t, &m, "watchlist", "match", "Prigojine Evgueni", "--dir", south.dir, "--json")
	if len(m.Candidates) == 0 || m.Candidates[0].ID != "W-2" || !m.Candidates[0].Match || m.Candidates[0].Evidence == "" {
		t.Errorf("watchlist match Prigojine = %+v", m)
	}
	out := e2eMust(t, "watchlist", "match", "Царнаев Джохар", "--dob", "1993-07-22", "--dir", south.dir)
	if !strings.HasPrefix(out, "* 1. ") || !strings.Contains(out, "W-4") {
		t.Errorf("watchlist match text:\n%s", out)
	}
	if r := e2eRun(t, "watchlist", "match", "X", "--dob", "yesterday", "--dir", south.dir); r.code != 2 {
		t.Errorf("bad --dob: exit %d", r.code)
	}

	fast := []string{"--retry-min", "20ms", "--retry-max", "300ms", "--poll-interval", "50ms"}
	e2eServe(t, "north", append([]string{"--dir", north.dir}, fast...)...)
	e2eServe(t, "south", append([]string{"--dir", south.dir}, fast...)...)
	e2eWaitHealthy(t, north.addr, 20*time.Second)
	e2eWaitHealthy(t, south.addr, 20*time.Second)
	bundle := filepath.Join(root, "w.json")
	e2eMust(t, "record", "person", "--name", "Нарышкин Сергей Евгеньевич", "--dob", "1954-10-27", "--nationality", "RU", "--into", bundle)
	id := strings.TrimSpace(e2eMust(t, "send", "--dir", north.dir, "--to", "south", "--warning", "--records", bundle))
	var hits struct {
		Hits []struct {
			MessageID  string  `json:"message_id"`
			Peer       string  `json:"peer"`
			ObjectID   string  `json:"object_id"`
			PersonName string  `json:"person_name"`
			EntryID    string  `json:"entry_id"`
			EntryName  string  `json:"entry_name"`
			Score      float64 `json:"score"`
			Evidence   string  `json:"evidence"`
		} `json:"hits"`
	}
	e2eEventually(t, 30*time.Second, "the hit at south", func() (bool, error) {
		e2eJSON(t, &hits, "hits", "--dir", south.dir, "--json")
		return len(hits.Hits) > 0, nil
	})
	h := hits.Hits[0]
	if len(hits.Hits) != 1 || h.MessageID != id || h.Peer != "north" || h.EntryID != "W-1" || !strings.HasPrefix(h.ObjectID, "identity--") || h.Score < 0.78 {
		t.Errorf("hits = %+v", hits)
	}
	if got := e2eMust(t, "hits", "--dir", north.dir); got != "No hits.\n" {
		t.Errorf("the sender has hits: %q", got)
	}
	text := e2eMust(t, "hits", "--dir", south.dir, "--peer", "north")
	if !strings.Contains(text, fmt.Sprintf("message %s", id)) || !strings.Contains(text, "W-1") {
		t.Errorf("hits text:\n%s", text)
	}
}
