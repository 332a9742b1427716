package match

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EvidenceKind says what one piece of evidence is about.
type EvidenceKind uint8

const (
	TokenMatch  EvidenceKind = iota // a part of the entry's name matched a part of the query
	TokenAbsent                     // a part of the entry's name has no partner in the query
	TokenExtra                      // a part of the query has no partner in the entry's name
	BirthDate                       // the dates of birth agree or disagree
	Nationality                     // the nationalities agree or disagree
)

// How two tokens matched, from the strongest.
type matchKind uint8

const (
	mkNone     matchKind = iota
	mkExact              // same normalised spelling
	mkPlain              // same letters once diacritics are removed
	mkTranslit           // same skeleton: transliteration variants
	mkJoined             // one token is two tokens of the other written together
	mkParticle           // same particle (al, el, ul)
	mkCognate            // the same given name in another language
	mkVowels             // same consonants, vowels differ
	mkTypo               // one or two edits between skeletons
	mkInitial            // an initial and a name it can abbreviate
	mkFuzzy              // close by Jaro–Winkler on skeletons
)

// Evidence is one reason for a hit's score.
type Evidence struct {
	Kind  EvidenceKind
	Role  string  // for tokens: "surname", "given name", "patronymic", "middle name", "initial", "particle" or "name"
	Entry string  // the watchlist side: a token, or a date or nationality
	Query string  // the query side
	How   string  // how the two sides compare: "French transliteration", "1 edit", "DOB matches"…
	Score float64 // for TokenMatch, the similarity of the two tokens in [0,1]
}

func (e Evidence) String() string {
	switch e.Kind {
	case TokenMatch:
		if e.How == "" {
			return fmt.Sprintf("%s %s = %s", e.Role, e.Entry, e.Query)
		}
		if strings.HasPrefix(e.How, "via ") {
			return fmt.Sprintf("%s %s ≈ %s %s", e.Role, e.Entry, e.Query, e.How)
		}
		return fmt.Sprintf("%s %s ≈ %s (%s)", e.Role, e.Entry, e.Query, e.How)
	case TokenAbsent:
		return fmt.Sprintf("%s %s not in the query", e.Role, e.Entry)
	case TokenExtra:
		return fmt.Sprintf("%s %s not in the listed name", e.Role, e.Query)
	}
	return e.How
}

// Explain renders a hit's evidence in one line, for example
// "surname Нарышкин ≈ Narychkine via French transliteration; given name
// Сергей ≈ Sergueï via French transliteration; DOB matches".
func (h Hit) Explain() string {
	parts := make([]string, len(h.Evidence))
	for i, e := range h.Evidence {
		parts[i] = e.String()
	}
	return strings.Join(parts, "; ")
}

// display capitalises a normalised token for evidence.
func display(form string) string {
	r, n := utf8.DecodeRuneInString(form)
	if r == utf8.RuneError {
		return form
	}
	return string(unicode.ToTitle(r)) + form[n:]
}

// describe says how two matched tokens relate, for evidence.
func describe(q, e *term, kind matchKind, dist int) string {
	switch kind {
	case mkExact:
		return ""
	case mkPlain:
		return "diacritics differ"
	case mkTranslit:
		if via := systemsBetween(q, e); via != "" {
			return "via " + via + " transliteration"
		}
		if q.script != e.script {
			return "via transliteration"
		}
		return "transliteration variants"
	case mkJoined:
		return "written together"
	case mkParticle:
		return "same particle"
	case mkCognate:
		return "same given name in another language"
	case mkVowels:
		if q.script == ScriptArabic || e.script == ScriptArabic {
			return "same consonants, Arabic script"
		}
		return "same consonants"
	case mkTypo:
		if dist == 1 {
			return "1 edit"
		}
		return fmt.Sprintf("%d edits", dist)
	case mkInitial:
		return "initial"
	case mkFuzzy:
		return "similar spelling"
	}
	return ""
}

// systemsBetween names the systems that write the Cyrillic token of the
// pair exactly as the Latin one (ignoring diacritics when none match with
// them), or "" when none does or the pair is not Cyrillic and Latin.
func systemsBetween(q, e *term) string {
	cyr, lat := e, q
	if q.script == ScriptCyrillic {
		cyr, lat = q, e
	}
	if cyr.script != ScriptCyrillic || lat.script != ScriptLatin {
		return ""
	}
	rs := []rune(cyr.form)
	var exact, plain []string
	latPlain := asciiFold(lat.form)
	for _, sys := range Systems() {
		r := render(sys, rs)
		switch {
		case r == lat.form:
			exact = append(exact, sys.String())
		case asciiFold(r) == latPlain || stripMarks(r) == stripMarks(lat.form):
			plain = append(plain, sys.String())
		}
	}
	names := exact
	if len(names) == 0 {
		names = plain
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return names[0] + ", " + names[1] + " and other"
}
