package parley

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/match"
)

// ---- names ----

// textWord is a run of letters of a text (with apostrophes inside).
type textWord struct {
	start, end int
	letters    int
	info       wordInfo
	joined     bool // only spaces and one . , or - separate it from the word before
	initial    bool // one capital letter and a period
	caps       byte // 'l' lower case, 'T' capitalised, 'U' all capitals, 'n' no case
	first      bool // the first word of a sentence
	long       bool // too long to be a name
}

// nameScan is the state of one Scan's search for names.
type nameScan struct {
	d       *Detector
	text    string
	lookups map[string]windowLookup
	lower   map[string]bool // words the text writes in lower case, built when needed
}

// windowLookup is what the index says about a window's words.
type windowLookup struct {
	full, lone bool    // a full match; the surname alone
	minSim     float64 // of a full match: the lowest similarity of a matched word
	detail     string
}

func (d *Detector) names(text string) iter.Seq[Finding] {
	return func(yield func(Finding) bool) {
		s := &nameScan{d: d, text: text, lookups: map[string]windowLookup{}}
		var buf []textWord
		pos, prevEnd := 0, -1
		for {
			for len(buf) < d.window {
				w, ok := s.nextWord(pos, prevEnd)
				if !ok {
					break
				}
				buf = append(buf, w)
				pos, prevEnd = w.end, w.end
			}
			if len(buf) == 0 {
				return
			}
			n := 1
			if f, size, ok := s.at(buf); ok {
				if !yield(f) {
					return
				}
				n = size
			}
			buf = append(buf[:0], buf[n:]...)
		}
	}
}

var nameApostrophes = "'’ʼʹ"

// nextWord returns the first word at or after pos; prevEnd is the end of
// the word before, or -1.
func (s *nameScan) nextWord(pos, prevEnd int) (textWord, bool) {
	w, ok := wordAt(s.text, pos)
	if !ok {
		return w, false
	}
	if prevEnd >= 0 {
		w.joined = joinsName(s.text[prevEnd:w.start])
	}
	w.first = startsSentence(s.text, w.start)
	if !w.long && w.letters > 1 { // a single letter is an initial or nothing
		w.info = s.d.info(s.text[w.start:w.end])
	}
	return w, true
}

// wordAt returns the first word at or after pos, without its analysis.
func wordAt(text string, pos int) (textWord, bool) {
	for pos < len(text) {
		r, sz := utf8.DecodeRuneInString(text[pos:])
		if unicode.IsLetter(r) {
			break
		}
		pos += sz
	}
	if pos >= len(text) {
		return textWord{}, false
	}
	w := textWord{start: pos}
	upper, lower := 0, 0
	var firstRune rune
scan:
	for pos < len(text) {
		r, sz := utf8.DecodeRuneInString(text[pos:])
		switch {
		case unicode.IsLetter(r):
			if w.letters == 0 {
				firstRune = r
			}
			w.letters++
			upper += oneIf(unicode.IsUpper(r) || unicode.IsTitle(r))
			lower += oneIf(unicode.IsLower(r))
		case unicode.IsMark(r):
		case strings.ContainsRune(nameApostrophes, r):
			next, nsz := utf8.DecodeRuneInString(text[pos+sz:])
			after, _ := utf8.DecodeRuneInString(text[pos+sz+nsz:])
			if !unicode.IsLetter(next) || ((next == 's' || next == 'S') && !unicode.IsLetter(after)) {
				break scan // not inside a word, or a possessive 's
			}
			if p := text[w.start:pos]; (w.letters == 1 && upper == 0) || p == "qu" || p == "Qu" {
				// A French or Italian elision: the word starts after it (l'Ukraine, d'Evgueni).
				w, upper, lower = textWord{start: pos + sz}, 0, 0
			}
		default:
			break scan
		}
		pos += sz
	}
	w.end = pos
	w.initial = w.letters == 1 && upper == 1 && strings.HasPrefix(text[pos:], ".")
	w.long = pos-w.start > dlpMaxWordBytes
	switch {
	case upper == 0 && lower == 0:
		w.caps = 'n'
	case upper == 0:
		w.caps = 'l'
	case lower == 0 && w.letters > 1:
		w.caps = 'U'
	case unicode.IsUpper(firstRune) || unicode.IsTitle(firstRune):
		w.caps = 'T'
	default:
		w.caps = 'l' // iPhone, mcDonald: not a capitalised word
	}
	return w, true
}

// joinsName reports whether gap may separate two words of one name.
func joinsName(gap string) bool {
	if utf8.RuneCountInString(gap) > 4 {
		return false
	}
	var dot, comma, dash, nl int
	for _, r := range gap {
		switch {
		case r == '.':
			dot++
		case r == ',':
			comma++
		case isDash(r):
			dash++
		case r == '\n':
			nl++
		case r == ' ' || r == '\t' || r == '\r' || isSpaceSep(r):
		default:
			return false
		}
	}
	return dot <= 1 && comma <= 1 && dash <= 1 && nl <= 1
}

// startsSentence reports whether the word at i begins a sentence: it opens
// the text or a line, or follows . ! ? … (a period after a capitalised
// abbreviation of up to three letters, Dr. or S., ends no sentence).
func startsSentence(text string, i int) bool {
	for n := 0; i > 0 && n < 8; n++ {
		r, sz := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case r == '\n' || r == '!' || r == '?' || r == '…':
			return true
		case r == '.':
			j, letters := i-sz, 0
			var first rune
			for j > 0 && letters < 4 {
				p, psz := utf8.DecodeLastRuneInString(text[:j])
				if !unicode.IsLetter(p) {
					break
				}
				first, letters, j = p, letters+1, j-psz
			}
			return letters == 0 || letters > 3 || !unicode.IsUpper(first)
		case unicode.IsSpace(r) || strings.ContainsRune("\"'«»„“”‘’([{—–-*•", r):
			i -= sz
		default:
			return false
		}
	}
	return i == 0
}

// at looks for a name in the first words of buf; it returns the finding
// and how many words it spans.
func (s *nameScan) at(buf []textWord) (Finding, int, bool) {
	for n := len(buf); n >= 1; n-- {
		win := buf[:n]
		cands, joins, initials := 0, 0, 0
		ok := true
		for k, w := range win {
			switch {
			case w.long || (k > 0 && !w.joined):
				ok = false
			case w.info.cand:
				cands++
			case w.initial:
				initials++
			case (w.caps == 'T' || w.caps == 'U') && w.letters >= 3:
				joins++ // a capitalised word that may be a cognate or variant the keys miss (Nikolai for Mykola)
			default:
				ok = false
			}
		}
		if !ok || cands == 0 || joins > 1 || initials > 2 {
			continue
		}
		if n == 1 && !win[0].info.single && win[0].caps == 'l' {
			continue // a lower-case word alone is a name only if a one-word name is listed as it
		}
		forms := make([]string, n)
		inflected := ""
		for k, w := range win {
			forms[k] = s.text[w.start:w.end]
			if w.info.form != "" {
				inflected += fmt.Sprintf("; read %s as %s", forms[k], w.info.form)
				forms[k] = w.info.form
			}
		}
		q := strings.Join(forms, " ")
		lk, done := s.lookups[q]
		if !done {
			lk = s.d.lookupWindow(q)
			s.lookups[q] = lk
		}
		// A window in lower case or with an initial is weaker evidence of a
		// name: its words must be spelt as listed or transliterated.
		weak := initials > 0 || !slices.ContainsFunc(win, func(w textWord) bool { return w.caps != 'l' })
		if (lk.full && (!weak || lk.minSim >= loneSurnameSimilarity)) || (lk.lone && cands == 1 && s.properNoun(win)) {
			start, end := win[0].start, win[n-1].end
			return Finding{Kind: findingName, Text: s.text[start:end], Offset: start, Detail: lk.detail + inflected}, n, true
		}
	}
	return Finding{}, 0, false
}

// properNoun reports whether the window's candidate word is written as a
// surname: capitalised (or in a script without case; in capitals, when it
// has six letters or more), not a sentence's first word that the text also
// writes in lower case, and when inflected, a case of a Russian surname.
func (s *nameScan) properNoun(win []textWord) bool {
	for _, w := range win {
		if !w.info.cand {
			continue
		}
		switch {
		case w.caps == 'l':
			return false
		case w.caps == 'U' && w.letters < 6:
			return false // GREEN, WHITE: an acronym or a value more often than a surname
		case w.info.form != "" && !surnameForm(w.info.form):
			return false // only a surname's cases are read back to the nominative here
		}
		if w.first {
			if s.lower == nil {
				s.lower = map[string]bool{}
				for p := 0; ; {
					x, ok := wordAt(s.text, p)
					if !ok {
						break
					}
					if x.caps == 'l' {
						s.lower[s.text[x.start:x.end]] = true
					}
					p = x.end
				}
			}
			if s.lower[strings.ToLower(s.text[w.start:w.end])] {
				return false
			}
		}
	}
	return true
}

// lookupWindow asks the index about the words of a window.
func (d *Detector) lookupWindow(q string) windowLookup {
	hits := d.ix.Match(match.Query{Name: q}, 5)
	for _, h := range hits {
		if sim, ok := fullMatch(h); ok {
			return windowLookup{full: true, minSim: sim, detail: fmt.Sprintf("listed as %q: %s; score %.2f", h.Name, h.Explain(), h.Score)}
		}
	}
	for _, h := range hits {
		if loneSurname(h) {
			return windowLookup{lone: true, detail: fmt.Sprintf("listed as %q: %s; the surname alone", h.Name, h.Explain())}
		}
	}
	return windowLookup{}
}

// fullMatch reports whether a hit is a match (DefaultThreshold) in which
// every word of the window is part of the name (or a patronymic or middle
// name the list lacks) and the surname, when the name has one, is matched
// by a word rather than an initial: "Sergei S." matches too many people.
// It returns the lowest similarity of a word matched to a word.
func fullMatch(h match.Hit) (minSim float64, ok bool) {
	if h.Score < match.DefaultThreshold {
		return 0, false
	}
	minSim, surname, matched := 1.0, false, false
	for _, e := range h.Evidence {
		switch e.Kind {
		case match.TokenExtra:
			if e.Role != "patronymic" && e.Role != "middle name" {
				return 0, false
			}
		case match.TokenMatch:
			if e.How != "initial" {
				minSim = min(minSim, e.Score)
			}
			if e.Role == "surname" {
				matched = e.How != "initial"
			}
			surname = surname || e.Role == "surname"
		case match.TokenAbsent:
			surname = surname || e.Role == "surname"
		}
	}
	return minSim, matched || !surname
}

// loneSurname reports whether a hit pairs its surname, of five letters or
// more, and nothing else but particles, with a word of four letters or
// more that is spelt the same (diacritics aside) or is the surname's
// spelling under a transliteration system (Нарышкин, Naryshkin). A Latin
// spelling matched to another only through the skeleton ("transliteration
// variants": Narychkine for Naryshkin) needs seven letters or more, and a
// looser match does not count: short words meet too many surnames that
// way (Vice and Vists, Чаще and Khash, Michel and Mitchell).
func loneSurname(h match.Hit) bool {
	surname := false
	for _, e := range h.Evidence {
		switch {
		case e.Kind == match.TokenExtra:
			return false
		case e.Kind != match.TokenMatch || e.Role == "particle":
		case e.Role == "surname" && e.Score >= loneSurnameSimilarity && utf8.RuneCountInString(e.Entry) >= 5:
			n := utf8.RuneCountInString(e.Query)
			switch {
			case n < 4:
			case e.How == "" || e.How == "diacritics differ":
				surname = true
			case strings.HasPrefix(e.How, "via ") && e.How != "via transliteration":
				surname = true
			case e.How == "transliteration variants":
				surname = n >= 7
			}
		default:
			return false
		}
	}
	return surname
}

// loneSurnameSimilarity is the token similarity a surname alone needs: a
// transliteration variant (0.96) or better, not a typo (0.88 at most) nor
// an Arabic-script consonant match (0.90); see docs/matching.md.
const loneSurnameSimilarity = 0.95

// info analyses a word of a text against the list, once per spelling.
func (d *Detector) info(w string) wordInfo {
	d.mu.Lock()
	wi, ok := d.memo[w]
	d.mu.Unlock()
	if ok {
		return wi
	}
	wi = d.analyse(w)
	wi.form = strings.Clone(wi.form) // not a piece of the text, which the memo must not keep
	d.mu.Lock()
	if len(d.memo) >= dlpMemoCap {
		clear(d.memo)
	}
	d.memo[strings.Clone(w)] = wi
	d.mu.Unlock()
	return wi
}

func (d *Detector) analyse(w string) wordInfo {
	script := match.DetectScript(w)
	if script == match.ScriptCyrillic {
		// The keys of a Cyrillic word are its spellings under every system
		// (about 14 µs); most words of a letter are ruled out first by
		// their English spelling (about 2 µs), compared loosely.
		gate := slices.Concat(match.Keys(match.Transliterate(w, match.English))...)
		if _, ok := d.near(gate, script); !ok && !d.stemmed(gate) && !slices.ContainsFunc(gate, func(k string) bool { return d.looseKeys[looseKey(k)] }) {
			return wordInfo{}
		}
	}
	keys := slices.Concat(match.Keys(w)...)
	if cand, single := d.exact(keys); cand {
		return wordInfo{cand: true, single: single}
	}
	if script == match.ScriptCyrillic && d.stemmed(keys) {
		for _, lemma := range nominatives(w) {
			if cand, single := d.exact(slices.Concat(match.Keys(lemma)...)); cand {
				return wordInfo{cand: true, single: single, form: lemma}
			}
		}
	}
	if single, ok := d.near(keys, script); ok {
		return wordInfo{cand: true, single: single}
	}
	return wordInfo{}
}

// near reports whether a key is a listed key with one typo, or has the
// consonants of a listed key across Arabic script and the others.
func (d *Detector) near(keys []string, script match.Script) (single, ok bool) {
	cons := d.consArabic
	if script == match.ScriptArabic {
		cons = d.cons
	}
	for _, k := range keys {
		if single, ok := d.keys[k]; ok {
			return single, true
		}
		if single, ok := d.dels[k]; ok {
			return single, true
		}
		if single, ok := cons[consonantKey(k)]; ok {
			return single, true
		}
		if len(k) >= 5 {
			for i := range len(k) {
				v := k[:i] + k[i+1:]
				if single, ok := d.keys[v]; ok {
					return single, true
				}
				if single, ok := d.dels[v]; ok {
					return single, true
				}
			}
		}
	}
	return false, false
}

func (d *Detector) exact(keys []string) (cand, single bool) {
	for _, k := range keys {
		if s, ok := d.keys[k]; ok {
			cand, single = true, single || s
		}
	}
	return cand, single
}

// stemmed reports whether a key of a Cyrillic word, without its last one
// to three symbols, is a listed key without its last zero to two: a cheap
// test before the word's nominatives are tried.
func (d *Detector) stemmed(keys []string) bool {
	for _, k := range keys {
		for j := 1; j <= 3 && len(k)-j >= 3; j++ {
			if d.stems[k[:len(k)-j]] {
				return true
			}
		}
	}
	return false
}

// caseEndings are Russian and Ukrainian case endings of names and the
// nominative endings they come from: Нарышкиным → Нарышкин, Сергея →
// Сергей, Игорю → Игорь, Зеленского → Зеленский, Анны → Анна, Марии → Мария.
var caseEndings = [][2]string{
	{"ым", ""}, {"ом", ""}, {"а", ""}, {"у", ""}, {"е", ""},
	{"я", "й"}, {"ю", "й"}, {"ем", "й"}, {"е", "й"}, {"и", "й"}, {"єм", "й"},
	{"я", "ь"}, {"ю", "ь"}, {"ем", "ь"}, {"е", "ь"},
	{"ого", "ий"}, {"ому", "ий"}, {"им", "ий"}, {"ом", "ий"}, {"ого", "ой"}, {"ому", "ой"}, {"ым", "ой"},
	{"ы", "а"}, {"и", "а"}, {"е", "а"}, {"у", "а"}, {"ой", "а"}, {"ою", "а"},
	{"и", "я"}, {"ю", "я"}, {"ей", "я"}, {"ею", "я"},
}

// surnameForm reports whether a nominative has a Russian surname's ending.
func surnameForm(n string) bool {
	n = strings.ToLower(n)
	for _, end := range []string{"ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ской", "ова", "ева", "ёва", "ина", "ына", "ская", "цкая"} {
		if strings.HasSuffix(n, end) {
			return true
		}
	}
	return false
}

// nominatives returns the nominatives a Cyrillic word may be a case of.
func nominatives(w string) []string {
	var out []string
	lw := strings.ToLower(w)
	if len(lw) != len(w) {
		return nil
	}
	for _, e := range caseEndings {
		if strings.HasSuffix(lw, e[0]) && utf8.RuneCountInString(lw)-utf8.RuneCountInString(e[0]) >= 3 {
			n := w[:len(w)-len(e[0])] + e[1]
			if strings.ToUpper(w) == w && w != lw {
				n = strings.ToUpper(n)
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}
