package main

import (
	"strings"
	"unicode"
)

// Romanisation of Cyrillic names as the different conventions write them,
// written for this generator from the published tables and from press
// usage, independently of the matcher's code (internal/match/translit.go):
// the evaluation would be circular if the variants came from the code they
// test. Where usage varies, each convention picks one common form; the
// hand-written spellings in people.go add the irregular real-world ones.

type convention struct {
	name string
	// letters: the default Latin for each lower-case Cyrillic letter.
	letters map[rune]string
	// yot: е ё ю я (and є ї) at the start of a word and after a vowel or a
	// soft or hard sign, where several conventions write a y/j/i glide.
	yot map[rune]string
	// final: whole word endings.
	final [][2]string
	// fix: called for each letter with its neighbours; returns "", false
	// to use the tables.
	fix func(prev, cur, next rune, pos, n int) (string, bool)
	// ukrainian: overrides for Ukrainian words (г is h, и is y).
	ukrainian map[rune]string
}

var conventions = map[string]*convention{}

func addConv(c *convention) { conventions[c.name] = c }

func isVowelCyr(r rune) bool { return strings.ContainsRune("аеёиоуыэюяіїє", r) }
func isHush(r rune) bool     { return strings.ContainsRune("жчшщц", r) }

func init() {
	basic := func(extra map[rune]string) map[rune]string {
		m := map[rune]string{
			'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'з': "z", 'и': "i",
			'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s",
			'т': "t", 'у': "u", 'ф': "f", 'ъ': "", 'ь': "", 'ы': "y", 'э': "e", 'і': "i", 'ў': "u",
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	uk := map[rune]string{'г': "h", 'и': "y", 'ґ': "g", 'і': "i"}

	// BGN/PCGN 1947 as printed in gazetteers, diacritics and primes kept.
	addConv(&convention{name: "bgn",
		letters: basic(map[rune]string{'ё': "ë", 'ж': "zh", 'й': "y", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "shch", 'ъ': "”", 'ь': "’", 'ю': "yu", 'я': "ya", 'є': "ye", 'ї': "yi", 'ў': "w"}),
		yot:       map[rune]string{'е': "ye", 'ё': "yë"},
		final:     [][2]string{{"ый", "yy"}, {"ий", "iy"}},
		ukrainian: uk,
	})
	// The same without diacritics and apostrophes, as newspapers print it.
	addConv(&convention{name: "english",
		letters: basic(map[rune]string{'ё': "yo", 'ж': "zh", 'й': "y", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "shch", 'ю': "yu", 'я': "ya", 'є': "ye", 'ї': "yi", 'ў': "w"}),
		yot:       map[rune]string{'е': "ye", 'ё': "yo", 'ю': "yu", 'я': "ya"},
		final:     [][2]string{{"ий", "y"}, {"ый", "y"}, {"ой", "oy"}},
		ukrainian: uk,
		fix: func(prev, cur, next rune, pos, n int) (string, bool) {
			if cur == 'ё' && isHush(prev) {
				return "e", true
			}
			return "", false
		},
	})
	// ICAO Doc 9303, as in the machine-readable zone of passports.
	addConv(&convention{name: "icao",
		letters: basic(map[rune]string{'ё': "e", 'ж': "zh", 'й': "i", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "shch", 'ъ': "ie", 'ю': "iu", 'я': "ia", 'є': "ie", 'ї': "i"}),
		ukrainian: map[rune]string{'г': "h", 'и': "y", 'ґ': "g"},
	})
	// ISO 9:1995.
	addConv(&convention{name: "iso9",
		letters: basic(map[rune]string{'ё': "ë", 'ж': "ž", 'й': "j", 'х': "h", 'ц': "c", 'ч': "č", 'ш': "š",
			'щ': "ŝ", 'ъ': "ʺ", 'ь': "ʹ", 'э': "è", 'ю': "û", 'я': "â", 'є': "ê", 'ї': "ï", 'і': "ì", 'ґ': "g̀", 'ў': "ŭ"}),
	})
	// GOST 7.79-2000 system B.
	addConv(&convention{name: "gostb",
		letters: basic(map[rune]string{'ё': "yo", 'ж': "zh", 'й': "j", 'х': "x", 'ц': "cz", 'ч': "ch", 'ш': "sh",
			'щ': "shh", 'ъ': "``", 'ь': "`", 'ы': "y'", 'э': "e'", 'ю': "yu", 'я': "ya", 'є': "ye", 'ї': "yi"}),
		ukrainian: map[rune]string{'и': "y'", 'г': "g'"},
		fix: func(prev, cur, next rune, pos, n int) (string, bool) {
			if cur == 'ц' && strings.ContainsRune("иеыйяюёэіїє", next) {
				return "c", true
			}
			return "", false
		},
	})
	// Library of Congress, with the ligatures written as plain letters.
	addConv(&convention{name: "loc",
		letters: basic(map[rune]string{'ё': "ë", 'ж': "zh", 'й': "ĭ", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "shch", 'ъ': "ʺ", 'ь': "ʹ", 'э': "ė", 'ю': "iu", 'я': "ia", 'є': "ie", 'ї': "ï", 'ў': "ŭ"}),
		ukrainian: uk,
	})
	// French press usage.
	addConv(&convention{name: "french",
		letters: basic(map[rune]string{'ё': "io", 'ж': "j", 'й': "ï", 'у': "ou", 'х': "kh", 'ц': "ts", 'ч': "tch",
			'ш': "ch", 'щ': "chtch", 'ю': "iou", 'я': "ia", 'є': "ie", 'ї': "ï"}),
		final:     [][2]string{{"ий", "i"}, {"ый", "y"}, {"ин", "ine"}, {"кий", "ki"}},
		ukrainian: map[rune]string{'г': "h", 'и': "y"},
		fix: func(prev, cur, next rune, pos, n int) (string, bool) {
			switch {
			case cur == 'г' && strings.ContainsRune("еиыэёяю", next):
				return "gu", true
			case cur == 'с' && isVowelCyr(prev) && isVowelCyr(next):
				return "ss", true
			case cur == 'е' && isVowelCyr(prev):
				return "ïe", true
			case cur == 'е' && (prev == 'ь' || prev == 'ъ'):
				return "ie", true
			case cur == 'ё' && isHush(prev):
				return "o", true
			case cur == 'и' && isVowelCyr(prev):
				return "ï", true
			case cur == 'й' && pos == n-1 && prev == 'и':
				return "", true
			}
			return "", false
		},
	})
	// German press usage (Duden).
	addConv(&convention{name: "german",
		letters: basic(map[rune]string{'в': "w", 'ё': "jo", 'ж': "sch", 'з': "s", 'й': "j", 'х': "ch", 'ц': "z",
			'ч': "tsch", 'ш': "sch", 'щ': "schtsch", 'ю': "ju", 'я': "ja", 'є': "je", 'ї': "ji"}),
		yot:       map[rune]string{'е': "je"},
		final:     [][2]string{{"ий", "i"}, {"ый", "y"}},
		ukrainian: map[rune]string{'г': "h", 'и': "y"},
		fix: func(prev, cur, next rune, pos, n int) (string, bool) {
			switch {
			case cur == 'с' && isVowelCyr(prev) && isVowelCyr(next):
				return "ss", true
			case cur == 'ё' && isHush(prev):
				return "o", true
			case cur == 'к' && next == 'с':
				return "x", true
			case cur == 'с' && prev == 'к':
				return "", true
			}
			return "", false
		},
	})
	// Scholarly (ISO/R 9:1968), common in Czech and academic writing.
	addConv(&convention{name: "scholarly",
		letters: basic(map[rune]string{'ё': "ë", 'ж': "ž", 'й': "j", 'х': "ch", 'ц': "c", 'ч': "č", 'ш': "š",
			'щ': "šč", 'э': "ė", 'ю': "ju", 'я': "ja", 'є': "je", 'ї': "ji"}),
		ukrainian: uk,
	})
	// Polish press usage.
	addConv(&convention{name: "polish",
		letters: basic(map[rune]string{'в': "w", 'е': "ie", 'ё': "io", 'ж': "ż", 'й': "j", 'л': "ł", 'х': "ch",
			'ц': "c", 'ч': "cz", 'ш': "sz", 'щ': "szcz", 'ю': "iu", 'я': "ia", 'є': "je", 'ї': "ji"}),
		yot:       map[rune]string{'е': "je", 'ё': "jo", 'ю': "ju", 'я': "ja"},
		final:     [][2]string{{"ский", "ski"}, {"ская", "ska"}, {"ий", "ij"}, {"ый", "y"}},
		ukrainian: uk,
		fix: func(prev, cur, next rune, pos, n int) (string, bool) {
			switch {
			case cur == 'л' && strings.ContainsRune("еёиюяь", next):
				return "l", true
			case cur == 'е' && isHush(prev):
				return "e", true
			case cur == 'и' && (prev == 'ж' || prev == 'ш' || prev == 'ц'):
				return "y", true
			}
			return "", false
		},
	})
	// Spanish press usage (not one of the matcher's systems: a test of
	// generality).
	addConv(&convention{name: "spanish",
		letters: basic(map[rune]string{'ё': "io", 'ж': "zh", 'й': "i", 'х': "j", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "sch", 'ю': "iu", 'я': "ia", 'є': "ie", 'ї': "i", 'ы': "i"}),
		yot:   map[rune]string{'е': "ye"},
		final: [][2]string{{"ий", "i"}, {"ый", "i"}},
		fix: func(prev, cur, next rune, pos, n int) (string, bool) {
			if cur == 'г' && strings.ContainsRune("еи", next) {
				return "gu", true
			}
			return "", false
		},
	})
	// Ukrainian national system (2010), for Ukrainian names.
	addConv(&convention{name: "ukrnat",
		letters: basic(map[rune]string{'г': "h", 'ґ': "g", 'и': "y", 'ж': "zh", 'й': "i", 'х': "kh", 'ц': "ts",
			'ч': "ch", 'ш': "sh", 'щ': "shch", 'ю': "iu", 'я': "ia", 'є': "ie", 'ї': "i", 'ё': "io"}),
		fix: func(prev, cur, next rune, pos, n int) (string, bool) {
			if pos == 0 {
				switch cur {
				case 'є':
					return "ye", true
				case 'ї':
					return "yi", true
				case 'й':
					return "y", true
				case 'ю':
					return "yu", true
				case 'я':
					return "ya", true
				}
			}
			if cur == 'з' && next == 'г' {
				return "zg", true // зг → zgh: the h comes from г
			}
			return "", false
		},
	})
}

func ukrainianWord(w []rune) bool {
	for _, r := range w {
		if strings.ContainsRune("іїєґ", r) {
			return true
		}
	}
	return false
}

// romanize writes a Cyrillic name (several words) under a convention,
// keeping capitals. Ukrainian words (and all words when ukr is set) use
// the convention's Ukrainian letters.
func romanize(name, conv string, ukr bool) string {
	c := conventions[conv]
	if c == nil {
		panic("no convention " + conv)
	}
	var out []string
	for _, word := range strings.Fields(name) {
		var parts []string
		for _, part := range strings.Split(word, "-") {
			parts = append(parts, romanizeWord(part, c, ukr))
		}
		out = append(out, strings.Join(parts, "-"))
	}
	return strings.Join(out, " ")
}

func romanizeWord(word string, c *convention, ukr bool) string {
	orig := []rune(word)
	w := []rune(strings.ToLower(word))
	n := len(w)
	isUkr := ukr || ukrainianWord(w)
	var b strings.Builder
	for i := 0; i < n; i++ {
		at := i
		cur := w[i]
		var prev, next rune
		if i > 0 {
			prev = w[i-1]
		}
		if i+1 < n {
			next = w[i+1]
		}
		var s string
		done := false
		for _, f := range c.final {
			fr := []rune(f[0])
			if i > 0 && n-i == len(fr) && string(w[i:]) == f[0] && !(isUkr && f[0] != "ин") {
				s, done = f[1], true
				i = n - 1
				break
			}
		}
		if !done && c.fix != nil {
			s, done = c.fix(prev, cur, next, i, n)
		}
		if !done && c.yot != nil && (i == 0 || isVowelCyr(prev) || prev == 'ь' || prev == 'ъ' || prev == 'й') {
			s, done = c.yot[cur]
		}
		if !done && isUkr && c.ukrainian != nil {
			s, done = c.ukrainian[cur]
		}
		if !done {
			var ok bool
			if s, ok = c.letters[cur]; !ok {
				s = string(cur)
			}
		}
		if at < len(orig) && unicode.IsUpper(orig[at]) && s != "" {
			rs := []rune(s)
			rs[0] = unicode.ToUpper(rs[0])
			s = string(rs)
		}
		b.WriteString(s)
	}
	return b.String()
}
