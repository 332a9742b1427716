package match

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestReadWatchlistCSV(t *testing.T) {
	f, err := os.Open("testdata/watchlist_malformed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, bad, err := ReadWatchlistCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, e := range es {
		gotIDs = append(gotIDs, e.ID)
	}
	if want := []string{"ru-1", "ru-2", "ok-3"}; !slices.Equal(gotIDs, want) {
		t.Errorf("entries %v, want %v", gotIDs, want)
	}
	if len(es) == 3 {
		if got := es[0].Aliases; !slices.Equal(got, []string{"Sergey Naryshkin", "Sergueï Narychkine"}) {
			t.Errorf("aliases %q", got)
		}
		if got := es[1]; got.Name != "Prigozhin, Yevgeny" || got.DOB != "1961" || !slices.Equal(got.Nationalities, []string{"RU", "BY"}) {
			t.Errorf("quoted row read as %+v", got)
		}
		if got := es[2]; got.Name != "Jürgen Müller" || got.Aliases != nil || !slices.Equal(got.Nationalities, []string{"de"}) {
			t.Errorf("spaces not trimmed: %+v", got)
		}
	}
	want := []struct {
		line int
		text string
	}{
		{5, "4 fields, want 5"},
		{6, `"1970-13-01": date of birth must be YYYY-MM-DD`},
		{7, "entry has no id"},
		{8, "name has no letters"},
		{9, `duplicate id "ru-1" (first on line 2)`},
		{10, `column`},
		{11, "unterminated quoted field"},
		{13, "6 fields, want 5"},
	}
	if len(bad) != len(want) {
		for _, b := range bad {
			t.Log(b)
		}
		t.Fatalf("%d malformed rows reported, want %d", len(bad), len(want))
	}
	for i, w := range want {
		if bad[i].Line != w.line || !strings.Contains(bad[i].Error(), w.text) {
			t.Errorf("row error %d = %q, want line %d containing %q", i, bad[i], w.line, w.text)
		}
	}
	// Every entry returned is accepted whole.
	ix := NewIndex()
	for i, err := range ix.AddAll(es) {
		if err != nil {
			t.Errorf("entry %d refused: %v", i, err)
		}
	}
}

func TestReadWatchlistCSVHeader(t *testing.T) {
	for _, in := range []string{"", "\n\n", "id,name,aliases,dob\nx,y,,\n", "name,id,aliases,dob,nationality\n", "id;name;aliases;dob;nationality\n"} {
		if _, _, err := ReadWatchlistCSV(strings.NewReader(in)); !errors.Is(err, ErrHeader) {
			t.Errorf("ReadWatchlistCSV(%q) error %v, want ErrHeader", in, err)
		}
	}
}

func TestReadWatchlistCSVLongLine(t *testing.T) {
	in := WatchlistHeader + "\nx1,Ivan,,,\nx2," + strings.Repeat("a", MaxLineBytes+10) + ",,,\nx3,Petr,,,\n"
	es, bad, err := ReadWatchlistCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[1].ID != "x3" {
		t.Errorf("entries %+v, want x1 and x3", es)
	}
	if len(bad) != 1 || bad[0].Line != 3 || !strings.Contains(bad[0].Error(), "longer than") {
		t.Errorf("row errors %v, want line 3 too long", bad)
	}
	// A 10,000-character name is an ordinary row.
	long := WatchlistHeader + "\nx," + strings.Repeat("Naryshkin ", 1000) + ",,,\n"
	es, bad, err = ReadWatchlistCSV(strings.NewReader(long))
	if err != nil || len(bad) != 0 || len(es) != 1 {
		t.Errorf("long name: %d entries, %v, %v", len(es), bad, err)
	}
}
