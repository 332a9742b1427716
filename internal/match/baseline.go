package match

import (
	"sort"
	"strings"
)

// Scan is the baseline the Index is measured against: the classic
// Jaro–Winkler scan over every name of the list. To be fair to it, names
// are normalised the same way (NFKC, case folding, honorifics dropped),
// diacritics are folded, and Cyrillic is transliterated with the English
// system, so that it compares Latin with Latin; it ignores dates of birth.
// Match only reads, so it is safe for concurrent use.
type Scan struct {
	ids   []string
	names [][]string // per entry: its names in scan form
}

// NewScan prepares a scan over a list; invalid entries are skipped.
func NewScan(es []Entry) *Scan {
	s := &Scan{}
	for _, e := range es {
		var forms []string
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			if f := scanForm(n); f != "" {
				forms = append(forms, f)
			}
		}
		if len(forms) > 0 && strings.TrimSpace(e.ID) != "" {
			s.ids = append(s.ids, strings.TrimSpace(e.ID))
			s.names = append(s.names, forms)
		}
	}
	return s
}

// scanForm is a name as the baseline compares it: normalised tokens in
// Latin letters, separated by spaces.
func scanForm(name string) string {
	toks := tokenize(name)
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		f := t.form
		if DetectScript(f) == ScriptCyrillic {
			f = render(English, []rune(f))
		}
		parts = append(parts, asciiFold(f))
	}
	return strings.Join(parts, " ")
}

// Match scores every entry with the best Jaro–Winkler similarity between
// the query and any of its names, and returns the best limit of them.
func (s *Scan) Match(q Query, limit int) []Hit {
	if limit <= 0 {
		limit = 10
	}
	qf := scanForm(q.Name)
	if qf == "" {
		return nil
	}
	type scored struct {
		i     int
		score float64
		name  int
	}
	top := make([]scored, 0, limit+1)
	for i, forms := range s.names {
		best, bn := 0.0, 0
		for k, f := range forms {
			if j := JaroWinkler(qf, f); j > best {
				best, bn = j, k
			}
		}
		if len(top) == limit && best <= top[limit-1].score {
			continue
		}
		top = append(top, scored{i, best, bn})
		sort.SliceStable(top, func(a, b int) bool { return top[a].score > top[b].score })
		if len(top) > limit {
			top = top[:limit]
		}
	}
	hits := make([]Hit, len(top))
	for k, t := range top {
		hits[k] = Hit{ID: s.ids[t.i], Score: t.score, Name: s.names[t.i][t.name]}
	}
	return hits
}
