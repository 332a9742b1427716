package match

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A skeleton is a key that collapses the systematic differences between the
// ways one name is written in Latin letters, so that Naryshkin, Narychkine,
// Naryschkin and Naryškin, and the transliterations of Нарышкин, share one
// key. Its alphabet is lower-case ASCII plus three class symbols:
//
//	X  the hushing sounds and kh: sh, ch, zh, kh, h, j (French), sch, tch,
//	   tsch, shch, š, ž, č, dzh, dj (ш щ ч ж х дж)
//	S  the hissing sounds: s, z, ts, tz, ss, soft c (с з ц)
//	k  k, q, ck and hard c
//
// and these rules: y, j (as a glide), ï, í… are i, and a run of i is one i;
// w is v; x is kS (or X: х in GOST 7.79 B); ou and oo are u, but ou
// before a or e is v (French for w: Oualid, Merouane); ee is i
// (Kareem) except in -eev (Alekseev); ie is e (Yevgeny, Ievgueni, Jewgeni →
// evgeni); io after a consonant is e (Fyodor, Fiodor, Fjodor → fedor); gu
// before e or i is g (Sergueï); th, ph, dh, gh are t, f, d, g; a final h
// after a vowel is dropped (Abdullah, Abdulla); a final ff is v (Romanoff);
// doubled symbols are single; a final e after a consonant is dropped
// (Narychkine, Alexandre). Letters of other scripts are copied.
//
// Some Latin spellings are ambiguous: j before a vowel is a glide in German
// (Jurij) but ж in French (Jirinovski), and a hard c is k in English (Carl)
// but ц in ISO 9 (Carnaev). Such a token has up to maxKeys skeletons, the
// most likely first.
const maxKeys = 4

// skelOptions choose the primary reading of ambiguous letters when the
// system that produced the spelling is known.
type skelOptions struct {
	jIsZh bool // j is ж (French)
	cIsTs bool // a bare c is ц (ISO 9, scholarly, Polish, GOST B)
}

// latinSpecial spells out letters whose diacritic changes the sound, before
// the remaining diacritics are dropped.
var latinSpecial = map[rune]string{
	'š': "sh", 'ş': "sh", 'ș': "sh", 'ŝ': "sh", 'ś': "s", 'ž': "zh", 'ż': "zh", 'ź': "z",
	'ẑ': "zh", 'č': "ch", 'ć': "ch", 'ĉ': "ch", 'ç': "s", 'ł': "l", 'ø': "o", 'đ': "dj",
	'ð': "d", 'þ': "th", 'æ': "ae", 'œ': "oe", 'ß': "ss", 'ı': "i", 'ħ': "h", 'ŋ': "ng",
	'ĳ': "ij", 'ǆ': "dzh", 'ǳ': "dz", 'ǉ': "lj", 'ǌ': "nj", 'ɛ': "e", 'ə': "e", 'ɔ': "o",
	'ʒ': "zh", 'ʃ': "sh", 'ǧ': "g", 'ḥ': "h", 'ḫ': "kh", 'ẖ': "kh", 'ṯ': "th", 'ḏ': "dh",
}

// latinFold maps runes below U+2000 to their ASCII spelling: letters with
// a meaningful diacritic spelled out (latinSpecial), other Latin letters
// without their diacritics, marks to nothing; other runes to themselves.
var latinFold = func() []string {
	t := make([]string, 0x2000)
	for r := rune(0); r < 0x2000; r++ {
		switch {
		case r < 0x80:
			t[r] = string(r)
		case latinSpecial[r] != "":
			t[r] = latinSpecial[r]
		case unicode.Is(unicode.Mn, r):
			t[r] = ""
		case unicode.Is(unicode.Latin, r):
			var b strings.Builder
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
			t[r] = b.String()
		default:
			t[r] = string(r)
		}
	}
	return t
}()

// asciiFold writes a Latin token in lower-case ASCII: letters with a
// meaningful diacritic are spelled out, other diacritics dropped. Runes of
// other scripts are kept.
func asciiFold(s string) string {
	if isASCII(s) {
		return s
	}
	b := make([]byte, 0, len(s)+4)
	for _, r := range s {
		switch {
		case r < 0x2000:
			b = append(b, latinFold[r]...)
		case unicode.Is(unicode.Mn, r):
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// segment is one position of a skeleton: one symbol string, or two
// alternatives when the spelling is ambiguous.
type segment struct{ a, b string }

var skeletonRules = []struct{ from, to string }{
	// longest first; matched at the current position
	{"schtsch", "X"}, {"shtch", "X"}, {"chtch", "X"}, {"shch", "X"}, {"szcz", "X"},
	{"tsch", "X"}, {"dsch", "X"}, {"dzh", "X"}, {"sch", "X"}, {"tch", "X"},
	{"sh", "X"}, {"ch", "X"}, {"zh", "X"}, {"kh", "X"}, {"sz", "X"},
	{"dj", "X"}, {"ts", "S"}, {"tz", "S"}, {"th", "t"}, {"ph", "f"}, {"dh", "d"},
	{"gh", "g"}, {"bh", "b"}, {"ck", "k"},
}

type skelRule struct{ from, to string }

// rulesByFirst indexes skeletonRules by their first byte, longest first.
var rulesByFirst = func() (t [128][]skelRule) {
	for _, r := range skeletonRules {
		t[r.from[0]] = append(t[r.from[0]], skelRule{r.from, r.to})
	}
	return t
}()

// skeletons returns the skeleton keys of a Latin token, primary first.
func skeletons(tok string, opt skelOptions) []string {
	w := asciiFold(tok)
	var segs []segment
	for i := 0; i < len(w); {
		c := w[i]
		if c >= 0x80 { // another script: copy the rune
			_, n := utf8.DecodeRuneInString(w[i:])
			segs = append(segs, segment{a: w[i : i+n]})
			i += n
			continue
		}
		matched := false
		for _, r := range rulesByFirst[c] {
			if strings.HasPrefix(w[i:], r.from) {
				segs = append(segs, segment{a: r.to})
				i += len(r.from)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		prevVowel := i > 0 && isVowel(w[i-1])
		switch c {
		case 'g':
			segs = append(segs, segment{a: "g"})
			if next == 'u' && i+2 < len(w) && (w[i+2] == 'e' || w[i+2] == 'i' || w[i+2] == 'y') {
				i++ // French gu before e, i: Sergueï, Gueorgui
			}
		case 'c':
			switch {
			case next == 'z':
				segs = append(segs, segment{a: "X", b: "S"}) // Polish cz is ч; GOST 7.79 B cz is ц
				i++
			case next == 'e' || next == 'i' || next == 'y':
				segs = append(segs, segment{a: "S"})
			case opt.cIsTs:
				segs = append(segs, segment{a: "S", b: "k"})
			default:
				segs = append(segs, segment{a: "k", b: "S"})
			}
		case 'j':
			if (i == 0 || prevVowel) && isVowel(next) {
				if opt.jIsZh {
					segs = append(segs, segment{a: "X", b: "i"})
				} else {
					segs = append(segs, segment{a: "i", b: "X"})
				}
			} else {
				segs = append(segs, segment{a: "i"})
			}
		case 'y':
			segs = append(segs, segment{a: "i"})
		case 'w':
			segs = append(segs, segment{a: "v"})
		case 'o':
			switch {
			case next == 'u' && i+2 < len(w) && (w[i+2] == 'a' || w[i+2] == 'e'):
				segs = append(segs, segment{a: "v"}) // French ou for w: Merouane, Oualid
				i++
			case next == 'u' || next == 'o':
				segs = append(segs, segment{a: "u"}) // ou, oo: Oulianov, Iouri, Yoosuf
				i++
			default:
				segs = append(segs, segment{a: "o"})
			}
		case 'x':
			segs = append(segs, segment{a: "kS", b: "X"}) // ks, or х in GOST 7.79 B
		case 'e':
			if next == 'e' && (i+2 >= len(w) || (w[i+2] != 'v' && w[i+2] != 'w')) {
				segs = append(segs, segment{a: "i"}) // English long i: Kareem, Ameena (not Alekseev)
				i++
			} else {
				segs = append(segs, segment{a: "e"})
			}
		case 'q':
			segs = append(segs, segment{a: "k"})
		case 's', 'z':
			segs = append(segs, segment{a: "S"})
		case 'h':
			if i == len(w)-1 && prevVowel && i > 1 {
				break // Abdullah, Fatimah
			}
			segs = append(segs, segment{a: "X"})
		case 'f':
			if next == 'f' && i+2 == len(w) && i > 1 {
				segs = append(segs, segment{a: "v"}) // Romanoff
				i++
			} else {
				segs = append(segs, segment{a: "f"})
			}
		default:
			segs = append(segs, segment{a: string(c)})
		}
		i++
	}
	// Expand the alternatives, primary first, at most maxKeys.
	out := []string{""}
	for _, s := range segs {
		if s.b == "" || len(out) >= maxKeys {
			for k := range out {
				out[k] += s.a
			}
			continue
		}
		n := len(out)
		for k := 0; k < n; k++ {
			out = append(out, out[k]+s.b)
			out[k] += s.a
		}
	}
	keys := out[:0]
	for _, k := range out {
		k = tidy(k)
		if k != "" && !contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isSkelVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// tidy applies the rules that look at the symbols: glides, doubles and the
// final e.
func tidy(k string) string {
	b := []byte(k)
	b = collapse(b)
	// ie → e; io after a consonant → e (ё)
	out := b[:0:0]
	for i := 0; i < len(b); i++ {
		if b[i] == 'i' && i+1 < len(b) {
			if b[i+1] == 'e' {
				continue // the e is copied next
			}
			if b[i+1] == 'o' && i > 0 && !isSkelVowel(b[i-1]) && b[i-1] < 0x80 {
				out = append(out, 'e')
				i++
				continue
			}
		}
		out = append(out, b[i])
	}
	out = collapse(out)
	if n := len(out); n >= 4 && out[n-1] == 'e' && !isSkelVowel(out[n-2]) && out[n-2] < 0x80 {
		out = out[:n-1]
	}
	return string(out)
}

// collapse removes doubled ASCII symbols.
func collapse(b []byte) []byte {
	out := b[:0]
	for i, c := range b {
		if i > 0 && c < 0x80 && c == b[i-1] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// consonants returns the consonant key of a skeleton: an a for an initial
// vowel, then the consonant symbols. Vowels are where romanisations of
// Arabic differ most (Muhammad, Mohamed, Mohammed → mXmd).
func consonants(k string) string {
	if k == "" {
		return ""
	}
	var b []byte
	if isSkelVowel(k[0]) {
		b = append(b, 'a')
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !isSkelVowel(c) {
			b = append(b, c)
		}
	}
	return string(b)
}

// Keys returns the skeleton keys of every token of a name, as the index
// uses them: for a Latin token its skeletons, for a Cyrillic token the
// skeletons of its transliterations under every System, for an Arabic token
// its consonantal transcription. It is meant for tests and diagnostics.
func Keys(name string) [][]string {
	toks := tokenize(name)
	out := make([][]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, slices.Collect(keyList(analyse(t.form).keys)))
	}
	return out
}
