package match

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// System is a convention for writing Cyrillic names in Latin letters.
type System uint8

// The systems, in the order in which evidence names them when several give
// the same spelling. Hard and soft signs, which some systems write as
// apostrophes or primes, are omitted by all of them here, because names are
// compared after apostrophes are removed.
const (
	English           System = iota // English-language press: Yevgeny Prigozhin, Dzhokhar Tsarnaev
	BGNPCGN                         // BGN/PCGN: 1947 Russian, 2019 Ukrainian, Belarusian
	ICAO9303                        // ICAO Doc 9303 (machine-readable passports, 7th edition)
	French                          // French press: Evgueni Prigojine, Sergueï Narychkine
	German                          // German press (Duden): Jewgeni Prigoschin, Dschochar Zarnajew
	LibraryOfCongress               // ALA-LC romanisation, without the ligature ties
	ISO9                            // ISO 9:1995, identical to GOST 7.79-2000 system A: Naryškin
	GOST779B                        // GOST 7.79-2000 system B (ASCII): Naryshkin, Czarnaev
	Scholarly                       // scholarly (ISO/R 9:1968, Czech-like): Chruščëv
	Polish                          // Polish press: Naryszkin, Carnajew
	UkrainianNational               // Ukrainian national system (2010): Zelenskyi, Hryhorii
	numSystems
)

// Systems returns every system, in evidence order.
func Systems() []System {
	s := make([]System, numSystems)
	for i := range s {
		s[i] = System(i)
	}
	return s
}

func (s System) String() string {
	if int(s) < len(specs) {
		return specs[s].name
	}
	return "unknown system"
}

// cyrLang is the language a Cyrillic token is read in; it changes a few
// letters (Ukrainian г is h, и is y).
type cyrLang uint8

const (
	langRussian cyrLang = iota // also the default when nothing tells
	langUkrainian
	langBelarusian
)

func detectLang(t []rune) cyrLang {
	var uk, be, ru bool
	for _, r := range t {
		switch r {
		case 'є', 'ї', 'ґ':
			uk = true
		case 'ў':
			be = true
		case 'і':
			uk = true // or Belarusian; ы below decides
		case 'ы', 'э', 'ъ', 'ё':
			ru = true
		}
	}
	switch {
	case be, uk && ru:
		return langBelarusian // і with ы is Belarusian
	case uk:
		return langUkrainian
	}
	return langRussian
}

type ending struct{ cyr, lat string }

// spec is one system: letters over the common ones, and the contexts in
// which the systems differ from a letter-by-letter table.
type spec struct {
	name       string
	letters    map[rune]string
	uk, be     map[rune]string // Ukrainian and Belarusian overrides
	initial    map[rune]string // at the start of a word
	afterVowel map[rune]string // after а е ё и о у ы э ю я і ї є
	afterSoft  map[rune]string // after ъ ь й; falls back to afterVowel
	afterHush  map[rune]string // after ж ч ш щ ц
	between    map[rune]string // between two vowels
	frontG     string          // г before е ё и й ы э ю я і є ї (French "gu")
	endings    []ending        // whole endings of a word
	pairs      map[string]string
	hook       func(prev, r, next rune) (string, bool)
}

var common = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'з': "z", 'и': "i",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s",
	'т': "t", 'у': "u", 'ф': "f", 'ъ': "", 'ь': "", 'ы': "y", 'э': "e",
	'і': "i", 'ґ': "g", 'є': "ie", 'ї': "i", 'ў': "u",
}

// otherCyrillic covers letters of the other Cyrillic alphabets (Serbian,
// Macedonian, Kazakh…) approximately, so that such names still match.
var otherCyrillic = map[rune]string{
	'ђ': "dj", 'ћ': "c", 'џ': "dzh", 'ј': "j", 'љ': "lj", 'њ': "nj", 'ѓ': "gj", 'ќ': "kj",
	'ѕ': "dz", 'ә': "a", 'ғ': "gh", 'қ': "q", 'ң': "ng", 'ө': "o", 'ұ': "u", 'ү': "u",
	'һ': "h", 'ҳ': "h", 'ҷ': "j", 'ӣ': "i", 'ӯ': "u", 'ӏ': "",
}

var (
	ukHY  = map[rune]string{'г': "h", 'и': "y"}                         // Ukrainian in most systems
	beH   = map[rune]string{'г': "h"}                                   // Belarusian in most systems
	iotaE = map[rune]string{'е': "ye", 'ё': "yo", 'ю': "yu", 'я': "ya"} // English-like iotation
)

// specs is indexed by System.
var specs = [numSystems]spec{
	English: {
		name: "English",
		letters: map[rune]string{'ё': "yo", 'ж': "zh", 'й': "y", 'х': "kh", 'ц': "ts", 'ч': "ch",
			'ш': "sh", 'щ': "shch", 'ю': "yu", 'я': "ya", 'є': "ye", 'ї': "yi"},
		uk: ukHY, be: beH,
		initial: iotaE, afterVowel: iotaE, afterSoft: iotaE,
		afterHush: map[rune]string{'ё': "e"},
		endings:   []ending{{"ий", "y"}, {"ый", "y"}},
		pairs:     map[string]string{"кс": "x"},
	},
	BGNPCGN: {
		name: "BGN/PCGN",
		letters: map[rune]string{'ё': "ë", 'ж': "zh", 'й': "y", 'х': "kh", 'ц': "ts", 'ч': "ch",
			'ш': "sh", 'щ': "shch", 'ю': "yu", 'я': "ya", 'є': "ie", 'ї': "i"},
		uk: ukHY, be: map[rune]string{'г': "h", 'ў': "w"},
		initial:    map[rune]string{'е': "ye", 'ё': "yë", 'є': "ye", 'ї': "yi"},
		afterVowel: map[rune]string{'е': "ye", 'ё': "yë"},
		endings:    []ending{{"ый", "yy"}, {"ий", "iy"}},
	},
	ICAO9303: {
		name: "ICAO 9303",
		letters: map[rune]string{'ё': "e", 'ж': "zh", 'й': "i", 'х': "kh", 'ц': "ts", 'ч': "ch",
			'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ю': "iu", 'я': "ia", 'є': "ie", 'ї': "i"},
		uk: ukHY, be: beH,
	},
	French: {
		name: "French",
		letters: map[rune]string{'ё': "io", 'ж': "j", 'й': "ï", 'у': "ou", 'х': "kh", 'ц': "ts",
			'ч': "tch", 'ш': "ch", 'щ': "chtch", 'ю': "iou", 'я': "ia", 'є': "ie", 'ї': "ï"},
		uk:         map[rune]string{'г': "h", 'и': "y"},
		be:         beH,
		afterVowel: map[rune]string{'е': "ïe", 'и': "ï", 'я': "ïa", 'ю': "ïou"},
		afterSoft:  map[rune]string{'е': "ie", 'ё': "io", 'я': "ia", 'ю': "iou"},
		afterHush:  map[rune]string{'ё': "o"},
		between:    map[rune]string{'с': "ss"},
		frontG:     "gu",
		endings:    []ending{{"ий", "i"}, {"ый", "y"}, {"ин", "ine"}, {"ын", "yne"}},
		pairs:      map[string]string{"кс": "x"},
	},
	German: {
		name: "German",
		letters: map[rune]string{'в': "w", 'ё': "jo", 'ж': "sch", 'з': "s", 'й': "j", 'х': "ch",
			'ц': "z", 'ч': "tsch", 'ш': "sch", 'щ': "schtsch", 'ю': "ju", 'я': "ja", 'є': "je",
			'ї': "ji"},
		uk: map[rune]string{'г': "h", 'и': "y"}, be: beH,
		initial:    map[rune]string{'е': "je"},
		afterVowel: map[rune]string{'е': "je"},
		afterHush:  map[rune]string{'ё': "o"},
		between:    map[rune]string{'с': "ss"},
		endings:    []ending{{"ий", "i"}, {"ый", "y"}},
		pairs:      map[string]string{"кс": "x"},
	},
	LibraryOfCongress: {
		name: "Library of Congress",
		letters: map[rune]string{'ё': "ë", 'ж': "zh", 'й': "ĭ", 'х': "kh", 'ц': "ts", 'ч': "ch",
			'ш': "sh", 'щ': "shch", 'э': "ė", 'ю': "iu", 'я': "ia", 'є': "ie", 'ї': "ï"},
		uk: ukHY, be: map[rune]string{'г': "h", 'ў': "ŭ"},
	},
	ISO9: {
		name: "ISO 9",
		letters: map[rune]string{'ё': "ë", 'ж': "ž", 'й': "j", 'х': "h", 'ц': "c", 'ч': "č",
			'ш': "š", 'щ': "ŝ", 'э': "è", 'ю': "û", 'я': "â", 'ґ': "g̀", 'є': "ê", 'і': "ì",
			'ї': "ï", 'ў': "ŭ"},
	},
	GOST779B: {
		name: "GOST 7.79 B",
		letters: map[rune]string{'ё': "yo", 'ж': "zh", 'й': "j", 'х': "x", 'ц': "cz", 'ч': "ch",
			'ш': "sh", 'щ': "shh", 'ю': "yu", 'я': "ya", 'є': "ye", 'ї': "yi"},
		uk: map[rune]string{'и': "y"},
		hook: func(_, r, next rune) (string, bool) {
			if r == 'ц' && (next == 'и' || next == 'е' || next == 'ы' || next == 'й' || next == 'і' ||
				next == 'ю' || next == 'я' || next == 'ё' || next == 'є' || next == 'ї' || next == 'э') {
				return "c", true
			}
			return "", false
		},
	},
	Scholarly: {
		name: "scholarly",
		letters: map[rune]string{'ё': "ë", 'ж': "ž", 'й': "j", 'х': "ch", 'ц': "c", 'ч': "č",
			'ш': "š", 'щ': "šč", 'э': "ė", 'ю': "ju", 'я': "ja", 'є': "je", 'ї': "ji"},
		uk: ukHY, be: beH,
	},
	Polish: {
		name: "Polish",
		letters: map[rune]string{'в': "w", 'е': "ie", 'ё': "io", 'ж': "ż", 'й': "j", 'л': "ł",
			'х': "ch", 'ц': "c", 'ч': "cz", 'ш': "sz", 'щ': "szcz", 'ю': "iu", 'я': "ia",
			'є': "je", 'ї': "ji"},
		uk: ukHY, be: beH,
		initial:    map[rune]string{'е': "je", 'ё': "jo", 'ю': "ju", 'я': "ja"},
		afterVowel: map[rune]string{'е': "je", 'ё': "jo", 'ю': "ju", 'я': "ja"},
		afterSoft:  map[rune]string{'е': "ie", 'ё': "io", 'ю': "iu", 'я': "ia"},
		afterHush:  map[rune]string{'е': "e", 'ё': "o", 'и': "y"},
		endings:    []ending{{"ский", "ski"}, {"ская", "ska"}, {"ий", "ij"}, {"ый", "y"}},
		hook: func(_, r, next rune) (string, bool) {
			if r == 'л' && (isFrontVowel(next) || next == 'ь') {
				return "l", true
			}
			return "", false
		},
	},
	UkrainianNational: {
		name: "Ukrainian national",
		letters: map[rune]string{'г': "h", 'ё': "io", 'ж': "zh", 'и': "y", 'й': "i", 'х': "kh",
			'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ю': "iu", 'я': "ia", 'є': "ie",
			'ї': "i"},
		initial: map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya", 'ё': "yo"},
		pairs:   map[string]string{"зг": "zgh"},
	},
}

// cyrTable is a map from the Cyrillic block (U+0400–U+04FF) to Latin
// text, as an array: transliteration runs for every distinct token of a
// watchlist, millions of times for a large one.
type cyrTable struct {
	s  [256]string
	ok [256]bool
}

func (t *cyrTable) get(r rune) (string, bool) {
	i := r - 0x400
	if t == nil || i < 0 || i >= 256 {
		return "", false
	}
	return t.s[i], t.ok[i]
}

// tableOf merges maps into a table; later maps win. It returns nil when
// all are empty.
func tableOf(ms ...map[rune]string) *cyrTable {
	var t *cyrTable
	for _, m := range ms {
		for r, s := range m {
			if i := r - 0x400; i >= 0 && i < 256 {
				if t == nil {
					t = &cyrTable{}
				}
				t.s[i], t.ok[i] = s, true
			}
		}
	}
	return t
}

// compiledSpec is a spec with its maps turned into tables.
type compiledSpec struct {
	base, uk, be                                   *cyrTable
	initial, afterVowel, afterSoft, afterHush, btw *cyrTable
	frontG                                         string
	endings                                        []compiledEnding
	pairs                                          map[string]string
	hook                                           func(prev, r, next rune) (string, bool)
}

type compiledEnding struct {
	cyr []rune
	lat string
}

var compiled = func() (cs [numSystems]compiledSpec) {
	for i := range specs {
		sp := &specs[i]
		c := &cs[i]
		c.base = tableOf(otherCyrillic, common, sp.letters)
		c.uk, c.be = tableOf(sp.uk), tableOf(sp.be)
		c.initial, c.afterVowel, c.afterHush, c.btw = tableOf(sp.initial), tableOf(sp.afterVowel), tableOf(sp.afterHush), tableOf(sp.between)
		c.afterSoft = tableOf(sp.afterSoft)
		if c.afterSoft == nil {
			c.afterSoft = c.afterVowel
		}
		c.frontG, c.pairs, c.hook = sp.frontG, sp.pairs, sp.hook
		for _, e := range sp.endings {
			c.endings = append(c.endings, compiledEnding{[]rune(e.cyr), e.lat})
		}
	}
	return cs
}()

func isCyrVowel(r rune) bool {
	switch r {
	case 'а', 'е', 'ё', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я', 'і', 'ї', 'є':
		return true
	}
	return false
}

func isFrontVowel(r rune) bool {
	switch r {
	case 'е', 'ё', 'и', 'й', 'ы', 'э', 'ю', 'я', 'і', 'є', 'ї':
		return true
	}
	return false
}

// render transliterates one lower-case Cyrillic token under a system.
// Letters that are not Cyrillic are copied.
func render(sys System, t []rune) string {
	return renderLang(sys, t, detectLang(t))
}

func renderLang(sys System, t []rune, lang cyrLang) string {
	c := &compiled[sys]
	var buf [64]byte
	b := buf[:0]
	for i := 0; i < len(t); i++ {
		r := t[i]
		var prev, next rune
		if i > 0 {
			prev = t[i-1]
		}
		if i+1 < len(t) {
			next = t[i+1]
		}
		if s, n, ok := c.special(t, i, lang); ok {
			b = append(b, s...)
			i += n - 1
			continue
		}
		b = append(b, c.letter(prev, r, next, i == 0, lang)...)
	}
	return string(b)
}

// special handles endings and two-letter sequences; it returns the Latin
// text and how many runes it consumed.
func (c *compiledSpec) special(t []rune, i int, lang cyrLang) (string, int, bool) {
	if i > 0 {
		for _, e := range c.endings {
			if len(t)-i == len(e.cyr) && slices.Equal(t[i:], e.cyr) {
				if lang == langUkrainian && e.lat != "ine" {
					break // Ukrainian -ий is -yi, not -i/-y
				}
				return e.lat, len(e.cyr), true
			}
		}
	}
	if i+1 < len(t) && c.pairs != nil {
		if s, ok := c.pairs[string(t[i:i+2])]; ok {
			return s, 2, true
		}
	}
	return "", 0, false
}

func (c *compiledSpec) letter(prev, r, next rune, start bool, lang cyrLang) string {
	if c.hook != nil {
		if s, ok := c.hook(prev, r, next); ok {
			return s
		}
	}
	var ctx *cyrTable
	switch {
	case start:
		ctx = c.initial
	case isCyrVowel(prev):
		ctx = c.afterVowel
	case prev == 'ъ' || prev == 'ь' || prev == 'й':
		ctx = c.afterSoft
	case prev == 'ж' || prev == 'ч' || prev == 'ш' || prev == 'щ' || prev == 'ц':
		ctx = c.afterHush
	}
	if s, ok := ctx.get(r); ok {
		return s
	}
	if isCyrVowel(prev) && isCyrVowel(next) {
		if s, ok := c.btw.get(r); ok {
			return s
		}
	}
	switch lang {
	case langUkrainian:
		if s, ok := c.uk.get(r); ok {
			return s
		}
	case langBelarusian:
		if s, ok := c.be.get(r); ok {
			return s
		}
	}
	if r == 'г' && c.frontG != "" && isFrontVowel(next) {
		return c.frontG
	}
	if s, ok := c.base.get(r); ok {
		return s
	}
	return string(r)
}

// canonicalLetter transliterates one Cyrillic letter in context with the
// English system, without diacritics; it is used to read the odd Cyrillic
// letter inside a Latin word.
func canonicalLetter(prev, r, next rune) string {
	lr := unicode.ToLower(r)
	if base := []rune(stripMarks(string(lr))); len(base) == 1 {
		lr = base[0] // ӵ is ч with a diaeresis
	}
	out := stripMarks(compiled[English].letter(unicode.ToLower(prev), lr, unicode.ToLower(next), prev == 0, langRussian))
	for _, c := range out {
		if scriptOf(c) == ScriptCyrillic {
			return "" // no reading: dropped, so that the token has one script
		}
	}
	return out
}

// Transliterate writes the Cyrillic letters of s in Latin letters under sys;
// other characters are copied. Capitals are kept: a capital Cyrillic letter
// gives a capitalised Latin sequence (Щ → Shch), and a word in capitals
// stays in capitals.
func Transliterate(s string, sys System) string {
	if sys >= numSystems {
		return s
	}
	var b strings.Builder
	rs := []rune(norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD")))
	for i := 0; i < len(rs); {
		if scriptOf(rs[i]) != ScriptCyrillic {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && (scriptOf(rs[j]) == ScriptCyrillic || unicode.Is(unicode.Mn, rs[j])) {
			j++
		}
		word := rs[i:j]
		lower := make([]rune, len(word))
		upper := 0
		for k, r := range word {
			lower[k] = unicode.ToLower(r)
			if unicode.IsUpper(r) {
				upper++
			}
		}
		lat := render(sys, lower)
		switch {
		case upper > 1 && upper == len(word):
			lat = strings.ToUpper(lat)
		case upper > 0 && unicode.IsUpper(word[0]):
			lr := []rune(lat)
			if len(lr) > 0 {
				lr[0] = unicode.ToUpper(lr[0])
			}
			lat = string(lr)
		}
		b.WriteString(lat)
		i = j
	}
	return b.String()
}
