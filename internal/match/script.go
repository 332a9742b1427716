package match

import "unicode"

// Script is the writing system of a token or a name.
type Script uint8

const (
	ScriptNone     Script = iota // no letters at all
	ScriptLatin                  // Latin letters, with or without diacritics
	ScriptCyrillic               // Russian, Ukrainian, Belarusian and other Cyrillic alphabets
	ScriptArabic                 // Arabic, Persian and Urdu letters
	ScriptOther                  // any other script (Greek, Han, Hebrew…): matched by spelling only
	ScriptMixed                  // letters of more than one script
)

func (s Script) String() string {
	switch s {
	case ScriptNone:
		return "none"
	case ScriptLatin:
		return "Latin"
	case ScriptCyrillic:
		return "Cyrillic"
	case ScriptArabic:
		return "Arabic"
	case ScriptOther:
		return "other"
	case ScriptMixed:
		return "mixed"
	}
	return "unknown"
}

// scriptOf classifies one rune; marks, digits and punctuation have no script.
func scriptOf(r rune) Script {
	switch {
	case r < 0x80:
		if r|0x20 >= 'a' && r|0x20 <= 'z' {
			return ScriptLatin
		}
		return ScriptNone
	case unicode.Is(unicode.Latin, r):
		return ScriptLatin
	case unicode.Is(unicode.Cyrillic, r):
		return ScriptCyrillic
	case unicode.Is(unicode.Arabic, r):
		if unicode.IsLetter(r) {
			return ScriptArabic
		}
		return ScriptNone // harakat, tatweel, Arabic digits and punctuation
	case unicode.IsLetter(r):
		return ScriptOther
	}
	return ScriptNone
}

// DetectScript reports the script of the letters in s: ScriptNone when s has
// no letters, ScriptMixed when it has letters of more than one script.
func DetectScript(s string) Script {
	found := ScriptNone
	for _, r := range s {
		sc := scriptOf(r)
		if sc == ScriptNone || sc == found {
			continue
		}
		if found != ScriptNone {
			return ScriptMixed
		}
		found = sc
	}
	return found
}

// Homoglyphs: lower-case Latin and Cyrillic letters that look alike. A token
// such as "Нaрышкин" (Latin a among Cyrillic letters) is a common typing
// accident and a common evasion; it is read in its majority script.
var (
	latinToCyrillic = map[rune]rune{
		'a': 'а', 'b': 'в', 'c': 'с', 'e': 'е', 'h': 'н', 'i': 'і', 'j': 'ј', 'k': 'к',
		'm': 'м', 'o': 'о', 'p': 'р', 's': 'ѕ', 't': 'т', 'x': 'х', 'y': 'у',
		'ë': 'ё', 'ï': 'ї',
	}
	cyrillicToLatin = map[rune]rune{
		'а': 'a', 'в': 'b', 'с': 'c', 'е': 'e', 'н': 'h', 'і': 'i', 'ј': 'j', 'к': 'k',
		'м': 'm', 'о': 'o', 'р': 'p', 'ѕ': 's', 'т': 't', 'х': 'x', 'у': 'y',
		'ё': 'ë', 'ї': 'ï',
	}
)

// unmix returns a token whose letters are all of one script. Latin and
// Cyrillic letters mixed in one token are read in the majority script
// (homoglyphs mapped, the rest transliterated); any other mixture is split
// at script changes by the caller, so here it is returned as is.
func unmix(tok []rune) []rune {
	var lat, cyr int
	for _, r := range tok {
		switch scriptOf(r) {
		case ScriptLatin:
			lat++
		case ScriptCyrillic:
			cyr++
		}
	}
	if lat == 0 || cyr == 0 {
		return tok
	}
	out := make([]rune, 0, len(tok))
	if cyr >= lat {
		// Cyrillic majority: Latin look-alikes become Cyrillic; if any Latin
		// letter has no look-alike, the token cannot be read as Cyrillic.
		ok := true
		for _, r := range tok {
			if scriptOf(r) == ScriptLatin {
				c, found := latinToCyrillic[r]
				if !found {
					ok = false
					break
				}
				r = c
			}
			out = append(out, r)
		}
		if ok {
			return out
		}
		out = out[:0]
	}
	// Latin majority (or Cyrillic that could not be kept): Cyrillic
	// look-alikes become Latin, other Cyrillic letters are transliterated.
	for i, r := range tok {
		if scriptOf(r) != ScriptCyrillic {
			out = append(out, r)
			continue
		}
		if l, found := cyrillicToLatin[r]; found && cyr < lat {
			out = append(out, l)
			continue
		}
		var prev, next rune
		if i > 0 {
			prev = tok[i-1]
		}
		if i+1 < len(tok) {
			next = tok[i+1]
		}
		out = append(out, []rune(canonicalLetter(prev, r, next))...)
	}
	return out
}
