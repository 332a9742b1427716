package match

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits on what one name may cost. Input beyond them is ignored, so a
// 10,000-character name is matched on its beginning instead of being
// refused or slowing the index down.
const (
	MaxNameBytes  = 2048 // bytes of a name that are read (more than the longest normalised name)
	MaxTokens     = 12   // tokens of a name that are kept, after honorifics are dropped
	MaxTokenRunes = 40   // runes of a token that are kept
)

var folder = cases.Fold() // stateless: safe for concurrent use

// rawToken is one word of a name after normalisation.
type rawToken struct {
	form   string // NFKC, case-folded, diacritics kept, one script
	hyphen bool   // joined to the next token by a hyphen
	dot    bool   // followed by a full stop: an initial or an abbreviation
}

// Normalise returns the canonical spelling of a name: Unicode NFKC, case
// folded, invalid UTF-8 and punctuation turned into separators, apostrophes
// removed, honorifics, titles (Mr, Dr, Gen., Sheikh, господин…) and numbers
// dropped, tokens separated by one space or by one hyphen where the input joined them
// with one. Diacritics are kept: they are evidence (Naryškin is the ISO 9
// spelling); the matching keys ignore them.
//
// The result is valid UTF-8, at most MaxTokens tokens of at most
// MaxTokenRunes runes, and Normalise(Normalise(s)) == Normalise(s). It is
// empty when s has no letters or digits.
func Normalise(s string) string {
	toks := tokenize(s)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			if toks[i-1].hyphen {
				b.WriteByte('-')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.form)
	}
	return b.String()
}

// fold applies NFKC, case folding and NFKC again (folding can produce text
// that is not in normal form), stopping at a fixed point.
func fold(s string) string {
	if t, ok := simpleFold(s); ok {
		return t
	}
	for range 4 {
		t := norm.NFKC.String(s)
		var b strings.Builder
		for _, r := range t {
			b.WriteString(stableFold(r))
		}
		if t = norm.NFKC.String(b.String()); t == s {
			break
		}
		s = t
	}
	return s
}

// stableFold case-folds one rune. Where folding does not settle (x/text
// folds Cherokee Ꮴ to ꮴ and back), the letter is written as the least code
// point of its case orbit.
func stableFold(r rune) string {
	f := folder.String(string(r))
	if folder.String(f) == f {
		return f
	}
	least := r
	for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
		least = min(least, o)
	}
	return string(least)
}

// simpleFold folds the common case quickly: text in NFKC whose letters are
// ASCII, Latin-1 and Latin Extended-A, Cyrillic or Arabic, where full case
// folding is the simple lower-case mapping and keeps the normal form.
func simpleFold(s string) (string, bool) {
	ascii := true
	for _, r := range s {
		switch {
		case r < 0x80:
		case r >= 0xC0 && r <= 0x17E && r != 0xDF && r != 0x130 && r != 0x149 && r != 0xD7 && r != 0xF7:
			ascii = false
		case r >= 0x400 && r <= 0x4FF, r >= 0x621 && r <= 0x64A:
			ascii = false
		default:
			return "", false
		}
	}
	if ascii {
		return strings.ToLower(s), true
	}
	if !norm.NFKC.IsNormalString(s) {
		return "", false
	}
	return strings.ToLower(s), true
}

// Rune classes for tokenising.
const (
	classSep = iota
	classWord
	classJoin   // apostrophes and modifier letters that stand for them: removed
	classHyphen // separates, but the joined form is also tried
	classDot    // separates, and marks an initial
)

func classify(r rune) int {
	switch r {
	case '\'', '’', '‘', '`', '´', 'ʹ', 'ʺ', 'ʼ', 'ʻ', 'ʽ', 'ʾ', 'ʿ', '′', '″', 'ˈ', '\u0640': // U+0640 Arabic tatweel
		return classJoin
	case '-', '‐', '‑', '‒', '–', '—', '―', '−', '﹣', '－':
		return classHyphen
	case '.', '。', '．':
		return classDot
	}
	switch {
	case unicode.Is(unicode.Cf, r):
		return classJoin // zero-width joiners, soft hyphens, bidi controls
	case unicode.IsLetter(r), unicode.IsDigit(r):
		return classWord
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Mc, r):
		return classWord
	}
	return classSep
}

// tokenize splits a name into normalised tokens and drops honorifics.
func tokenize(s string) []rawToken {
	if len(s) > MaxNameBytes {
		s = s[:MaxNameBytes] // a cut rune becomes invalid UTF-8, replaced below
	}
	s = strings.ToValidUTF8(s, " ")
	s = fold(s)
	var (
		toks    []rawToken
		cur     []rune
		scripts uint8 // bit per script seen in cur
		marks   bool  // cur has a combining mark
	)
	flush := func(hyphen, dot bool) {
		if len(cur) == 0 {
			if len(toks) > 0 && dot {
				toks[len(toks)-1].dot = true
			}
			return
		}
		if scripts&(scripts-1) == 0 {
			f := string(cur) // one script
			if marks {
				f = norm.NFKC.String(f) // a removed apostrophe may have parted a letter and its mark
			}
			toks = append(toks, rawToken{form: f})
		} else {
			for _, part := range splitScripts(cur) {
				// A transliterated letter can compose with a following mark.
				toks = append(toks, rawToken{form: norm.NFKC.String(string(unmix(part)))})
			}
		}
		scripts, marks = 0, false
		toks[len(toks)-1].hyphen = hyphen
		toks[len(toks)-1].dot = dot
		cur = cur[:0]
	}
	for _, r := range s {
		switch classify(r) {
		case classWord:
			if len(cur) == 0 && unicode.Is(unicode.Mn, r) {
				continue // a mark with nothing to attach to
			}
			cur = append(cur, r)
			if sc := scriptOf(r); sc != ScriptNone {
				scripts |= 1 << sc
			} else if r >= 0x300 && unicode.Is(unicode.Mn, r) {
				marks = true
			}
		case classJoin:
		case classHyphen:
			flush(true, false)
		case classDot:
			flush(false, true)
		default:
			flush(false, false)
		}
		if len(toks) > 4*MaxTokens {
			break
		}
	}
	flush(false, false)
	for i := range toks {
		if utf8.RuneCountInString(toks[i].form) > MaxTokenRunes {
			toks[i].form = string([]rune(toks[i].form)[:MaxTokenRunes])
			// Truncation can leave a composable pair or a dangling mark at
			// the end; renormalise so that Normalise stays idempotent.
			toks[i].form = norm.NFKC.String(toks[i].form)
		}
	}
	toks = splitArabicPrefixes(toks)
	toks = trimMarks(toks)
	toks = dropHonorifics(toks)
	if len(toks) > MaxTokens {
		toks = toks[:MaxTokens]
	}
	if len(toks) > 0 {
		toks[len(toks)-1].hyphen = false
	}
	return toks
}

// trimMarks removes the marks a split can leave at the start of a token,
// and the tokens left empty, as tokenising again would.
func trimMarks(toks []rawToken) []rawToken {
	out := toks[:0]
	for _, t := range toks {
		f := strings.TrimLeftFunc(t.form, func(r rune) bool { return unicode.Is(unicode.Mn, r) })
		if f == "" {
			if len(out) > 0 {
				out[len(out)-1].hyphen, out[len(out)-1].dot = t.hyphen, out[len(out)-1].dot || t.dot
			}
			continue
		}
		t.form = f
		out = append(out, t)
	}
	return out
}

// splitScripts splits a word where Arabic script meets another script; Latin
// and Cyrillic mixtures are left to unmix, since they are usually look-alikes.
func splitScripts(w []rune) [][]rune {
	var parts [][]rune
	start, prev := 0, ScriptNone
	for i, r := range w {
		sc := scriptOf(r)
		if sc == ScriptNone {
			continue
		}
		if prev != ScriptNone && sc != prev && (sc == ScriptArabic || prev == ScriptArabic) {
			parts = append(parts, w[start:i])
			start = i
		}
		prev = sc
	}
	return append(parts, w[start:])
}

// stripMarks removes diacritics: NFD, drop non-spacing marks, NFC. Cyrillic й
// and ё are letters in their own right and are kept.
func stripMarks(s string) string {
	plain := true
	for _, r := range s {
		// ASCII, basic Cyrillic (й and ё are kept anyway), Arabic letters
		if r >= 0x80 && !(r >= 0x430 && r <= 0x44F) && !(r >= 0x621 && r <= 0x64A) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	d := norm.NFD.String(s)
	out := make([]rune, 0, len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			if n := len(out); n > 0 {
				switch {
				case r == '\u0306' && (out[n-1] == 'и' || out[n-1] == 'у'):
					// й, ў
				case r == '\u0308' && (out[n-1] == 'е' || out[n-1] == 'і'):
					// ё, ї
				default:
					continue
				}
			} else {
				continue
			}
		}
		out = append(out, r)
	}
	return norm.NFC.String(string(out))
}

// honorifics are titles and forms of address, compared without diacritics.
var honorifics = setOf(
	// English and international
	"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
	"rev", "reverend", "gen", "general", "col", "colonel", "maj", "major", "capt", "captain",
	"cpt", "lt", "lieutenant", "sgt", "sergeant", "cmdr", "commander", "adm", "admiral", "hon",
	"sen", "senator", "amb", "ambassador", "pres", "president", "jr", "sr", "snr", "jnr",
	"ii", "iii", "iv", "aka", "alias", "nee", "born",
	// French, German
	"mme", "mlle", "mmes", "monsieur", "madame", "herr", "frau",
	// Arabic and Islamic titles in Latin script
	"sheikh", "shaykh", "sheik", "shaikh", "cheikh", "cheik", "scheich", "imam", "mullah",
	"mulla", "mollah", "maulana", "mawlana", "hajji", "haji", "hadji", "hajj", "hadj",
	// Russian, Ukrainian
	"господин", "госпожа", "гн", "гжа", "пан", "пани", "товарищ", "генерал", "полковник",
	"майор", "капитан", "доктор", "профессор", "шейх", "имам", "мулла", "хаджи",
	// Arabic script
	"الشيخ", "شيخ", "الحاج", "حاج", "الدكتور", "دكتور", "الإمام", "الامام", "امام", "إمام",
	"الملا", "ملا", "السيد",
)

// maxHonorificBytes is longer than any honorific in UTF-8 (профессор is 18).
const maxHonorificBytes = 20

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func numeric(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// dropHonorifics removes titles, including hyphenated abbreviations such as
// г-н and г-жа, and numbers. A name made only of these is kept as it is.
func dropHonorifics(toks []rawToken) []rawToken {
	drop := make([]bool, len(toks))
	found := false
	for i := range toks {
		if numeric(toks[i].form) {
			drop[i], found = true, true // a date or a number is not part of a name
			continue
		}
		if len(toks[i].form) > maxHonorificBytes {
			continue
		}
		f := stripMarks(toks[i].form)
		if honorifics[f] {
			drop[i], found = true, true
			continue
		}
		if toks[i].hyphen && i+1 < len(toks) && honorifics[f+stripMarks(toks[i+1].form)] {
			drop[i], drop[i+1], found = true, true, true
		}
	}
	if !found {
		return toks
	}
	out := make([]rawToken, 0, len(toks))
	for i, t := range toks {
		if !drop[i] {
			out = append(out, t)
		} else if len(out) > 0 {
			out[len(out)-1].hyphen = false // what it was joined to is gone
		}
	}
	if len(out) == 0 {
		return toks
	}
	return out
}
