package match

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets state the properties of the functions that take
// untrusted text: they never panic; Normalise returns valid UTF-8 within
// its limits and is idempotent; Match returns scores in [0,1], best first;
// the watchlist reader returns only entries that Add accepts and reports
// malformed rows with line numbers inside the file.

var fuzzSeeds = []string{
	"", " ", "Sergueï Narychkine", "Нарышкин Сергей Евгеньевич", "Нaрышкин", "Naryшkin",
	"Mohammed bin Abdulrahman al-Masri", "عبدالرحمن المصري", "Abdurrahman", "Gen. Dr. Ivanov Jr.",
	"г-н Иванов", "O'Brien-Smith", "\xff\xfe", "ǅ ǈ ǋ ﬁ Ⅻ ㎏", "İstanbul", "ß ẞ", "a\u0301\u0301",
	"\u0301abc", "Ｎａｒｙｓｈｋｉｎ", "S. E. N.", "---", "Ахмед-Хаджи", "ﷺ ﷽", strings.Repeat("Ab ", 30),
}

func FuzzNormalise(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalise(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalise(%q) = %q: not valid UTF-8", s, n)
		}
		if again := Normalise(n); again != n {
			t.Fatalf("not idempotent: Normalise(%q) = %q, Normalise of that = %q", s, n, again)
		}
		toks := strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '-' })
		if len(toks) > MaxTokens {
			t.Fatalf("Normalise(%q) has %d tokens", s, len(toks))
		}
		for _, tok := range toks {
			if utf8.RuneCountInString(tok) > MaxTokenRunes {
				t.Fatalf("Normalise(%q) has a token of %d runes", s, utf8.RuneCountInString(tok))
			}
		}
		Keys(s) // no panic
		for _, sys := range Systems() {
			if out := Transliterate(s, sys); !utf8.ValidString(out) {
				t.Fatalf("Transliterate(%q, %v) = %q: not valid UTF-8", s, sys, out)
			}
		}
	})
}

var fuzzIndex = func() *Index {
	ix := NewIndex()
	ix.AddAll(Synthetic(500, 9))
	ix.AddAll([]Entry{
		{ID: "n", Name: "Нарышкин Сергей Евгеньевич", Aliases: []string{"Sergey Naryshkin"}, DOB: "1954-10-27"},
		{ID: "m", Name: "محمد عبد الرحمن المصري", Aliases: []string{"Mohammed Abdulrahman al-Masri"}},
		{ID: "s", Name: "S. Smith"},
	})
	return ix
}()

func FuzzMatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "1954-10-27", "RU")
	}
	f.Add("Naryshkin", "1954", "")
	f.Fuzz(func(t *testing.T, name, dob, nat string) {
		hits := fuzzIndex.Match(Query{Name: name, DOB: dob, Nationality: nat}, 10)
		for i, h := range hits {
			if !(h.Score >= 0 && h.Score <= 1) {
				t.Fatalf("Match(%q): score %v", name, h.Score)
			}
			if i > 0 && h.Score > hits[i-1].Score {
				t.Fatalf("Match(%q): hits not in order: %v after %v", name, h.Score, hits[i-1].Score)
			}
			if h.ID == "" || h.Explain() == "" && len(h.Evidence) > 0 {
				t.Fatalf("Match(%q): hit %+v", name, h)
			}
		}
		// A name as an entry is accepted or refused, never half-added.
		ix := NewIndex()
		if err := ix.Add(Entry{ID: "x", Name: name, Aliases: []string{dob, nat}, DOB: dob}); err == nil {
			if ix.Len() != 1 {
				t.Fatalf("Add(%q) succeeded but Len() = %d", name, ix.Len())
			}
			ix.Match(Query{Name: name}, 3)
		} else if ix.Len() != 0 {
			t.Fatalf("Add(%q) failed but Len() = %d", name, ix.Len())
		}
	})
}

func FuzzReadWatchlistCSV(f *testing.F) {
	f.Add([]byte(WatchlistHeader + "\nru-1,Нарышкин Сергей,Sergey Naryshkin|S. N.,1954-10-27,RU\n"))
	f.Add([]byte(WatchlistHeader + "\r\nx,\"a,b\",,,\r\ny,\"unterminated,,,\n\nz,Ivan,,1970-13-01,\n"))
	f.Add([]byte("\xef\xbb\xbf" + WatchlistHeader + "\nx,y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, bad, err := ReadWatchlistCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, b := range bad {
			if b.Line < 2 || b.Line > lines {
				t.Fatalf("row error on line %d of a %d-line file: %v", b.Line, lines, b)
			}
		}
		ix := NewIndex()
		for i, e := range es {
			if err := ix.Add(e); err != nil {
				t.Fatalf("entry %d (%+v) returned by the reader but refused: %v", i, e, err)
			}
		}
	})
}
