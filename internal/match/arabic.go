package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Arabic names. Arabic script writes consonants and long vowels; its
// romanisations differ mostly in the vowels (Muhammad, Mohamed, Mouhamed),
// in the article (al-, el-, ul-, ad-…), in how compounds with ʿAbd are
// joined (Abd al-Rahman, Abdul Rahman, Abdurrahman, Abderrahmane) and in a
// few consonants (q/k, dh/d, th/t, j/dj/g). An Arabic-script token is
// transcribed into the skeleton alphabet; tokens are then compared by their
// consonant keys, which drop the vowels on both sides.

// arabicLetters maps Arabic and Persian letters into the skeleton alphabet.
var arabicLetters = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "a", 'آ': "a", 'ٱ': "a", 'ء': "", 'ؤ': "", 'ئ': "",
	'ب': "b", 'ت': "t", 'ث': "t", 'ج': "X", 'ح': "X", 'خ': "X", 'د': "d", 'ذ': "d",
	'ر': "r", 'ز': "S", 'س': "S", 'ش': "X", 'ص': "S", 'ض': "d", 'ط': "t", 'ظ': "S",
	'غ': "g", 'ف': "f", 'ق': "k", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "X",
	'ة': "a", 'ى': "a", 'ي': "i", 'و': "u",
	'پ': "p", 'چ': "X", 'ژ': "X", 'گ': "g", 'ک': "k", 'ی': "i", 'ۀ': "a", 'ە': "a",
}

// arabicKey transcribes an Arabic-script token into the skeleton alphabet.
func arabicKey(t []rune) string {
	var b strings.Builder
	for i, r := range t {
		var next rune
		if i+1 < len(t) {
			next = t[i+1]
		}
		if i > 0 && r == t[i-1] {
			continue // a doubled letter (without shadda) is one sound
		}
		switch r {
		case 'ع':
			if i == 0 {
				b.WriteByte('a') // an initial ʿayn is heard as a vowel: Ali, Omar, Abd
			}
			continue
		case 'و':
			if i == 0 || next == 'ا' {
				b.WriteByte('v') // consonantal w: Walid, Marwan
				continue
			}
		case 'ه':
			if i == len(t)-1 && i > 0 {
				continue // a final h after a vowel is not written in Latin (Abdullah/Abdulla)
			}
		}
		if s, ok := arabicLetters[r]; ok {
			b.WriteString(s)
			continue
		}
		if scriptOf(r) == ScriptArabic || r < 0x80 {
			continue // other marks and letters without a reading
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Prefix splitting: the article and the ʿAbd and Abu compounds are written
// joined in Arabic script and often in Latin; they are split so that
// "عبدالرحمن", "Abdurrahman", "Abd al-Rahman" and "Abdul Rahman" give the
// same tokens: abd, (al,) rahman.
const (
	arabicArticle = "ال"
	arabicAbd     = "عبد"
	arabicAllah   = "الله"
)

var abdForms = setOf("abd", "abdul", "abdel", "abdal", "abdoul", "abdou", "abdu", "abdol",
	"abdil", "abdur", "abdus", "abdul", "абд", "абдул", "абдель", "абдуль", "абдал")

var allahForms = setOf("allah", "alla", "ullah", "ulla", "lah", "llah", "la", "lla", "ellah", "illah")

// splitArabicPrefixes splits article and compound prefixes off tokens.
func splitArabicPrefixes(toks []rawToken) []rawToken {
	split := false
	for _, t := range toks {
		if splitPrefix(t.form) != nil {
			split = true
			break
		}
	}
	if !split {
		return toks
	}
	var out []rawToken
	for _, t := range toks {
		parts := splitPrefix(t.form)
		if len(parts) <= 1 {
			if len(parts) == 1 {
				t.form = parts[0]
			}
			out = append(out, t)
			continue
		}
		for i, p := range parts {
			nt := rawToken{form: p}
			if i == len(parts)-1 {
				nt.hyphen, nt.dot = t.hyphen, t.dot
			}
			out = append(out, nt)
		}
	}
	return out
}

func splitPrefix(f string) []string {
	switch {
	case f == "":
	case f[0] == 0xD8 || f[0] == 0xD9 || f[0] == 0xDA || f[0] == 0xDB: // U+0600–U+06FF
		return splitArabicScript(f)
	case strings.HasPrefix(f, "абд"):
		return splitAbdLatin(f)
	case strings.HasPrefix(f, "abd"):
		return splitAbdLatin(asciiFold(f)) // Abduł
	case len(f) > 4 && !isASCII(f) && strings.HasPrefix(asciiFold(f), "abd"):
		return splitAbdLatin(asciiFold(f)) // ʿAbd
	}
	return nil
}

func splitArabicScript(f string) []string {
	var out []string
	for {
		if len(out) > 0 {
			// A split can leave a mark in front, which tokenising again would drop.
			f = strings.TrimLeftFunc(f, func(r rune) bool { return unicode.Is(unicode.Mn, r) })
		}
		n := utf8.RuneCountInString(f)
		switch {
		case strings.HasPrefix(f, arabicAbd) && n > 4:
			out = append(out, arabicAbd)
			f = strings.TrimPrefix(f, arabicAbd)
		case f == arabicAllah, f == "لله":
			return append(out, arabicAllah)
		case strings.HasPrefix(f, arabicArticle) && n > 3:
			out = append(out, arabicArticle)
			f = strings.TrimPrefix(f, arabicArticle)
		default:
			return append(out, f)
		}
	}
}

// splitAbdLatin splits Abd compounds written as one word: abdulaziz,
// abdelaziz, abdurrahman (assimilated article), abdullah. The name itself
// keeps at least three letters.
func splitAbdLatin(f string) []string {
	if abdForms[f] {
		return []string{"abd"}
	}
	cyr := strings.HasPrefix(f, "абд")
	rest := []rune(f)[3:]
	if cyr {
		// Cyrillic Абдулла, Абдурахман: read as Latin would be
		rest = []rune(render(English, rest))
	}
	r := string(rest)
	// abd, then a vowel (u, e, a, o, i, ou), then the article's l or the
	// doubled consonant of an assimilated article, then the name.
	v := 0
	if strings.HasPrefix(r, "ou") {
		v = 2
	} else if r != "" && strings.ContainsRune("aeiou", rune(r[0])) {
		v = 1
	}
	name, r2 := r, r[v:]
	switch {
	case v > 0 && strings.HasPrefix(r2, "l"):
		name = r2[1:] // abd-ul-aziz, abd-el-kader, abd-al-lah
		if allahForms["l"+name] {
			name = "allah"
		}
	case v > 0 && len(r2) >= 2 && r2[0] == r2[1]:
		name = r2[1:] // abd-ur-rahman, abd-us-salam
	case v > 0:
		name = r2 // abdu-rahman, abdou-rahmane
	}
	if allahForms[name] {
		name = "allah"
	}
	if len(name) < 3 {
		return []string{f}
	}
	if strings.HasPrefix(name, "abd") && len(name) < len(f) {
		return append([]string{"abd"}, splitAbdLatin(name)...) // as splitting again would
	}
	return []string{"abd", name}
}
