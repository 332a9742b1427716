package match

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// term is everything the matcher knows about one distinct token: it is
// computed once per spelling and shared by every name that contains it.
// Lists of keys are kept as one string with keySep between keys, to keep
// the millions of terms of a large watchlist compact.
type term struct {
	form     string // normalised token (Normalise)
	keys     string // skeleton keys (see skeletons), primary first
	cons     string // consonant keys of keys, without repeats
	initials uint32 // Latin letters (bit 0 = a) a romanisation of the token may start with
	group    int16  // cognate group of given names (Mykola, Nikolai, Nicolas), or -1
	script   Script
	particle uint8 // class of particle the token can be, or particleNone
	patro    uint8 // patronymic suffix: 0 none, patroMale (-ovich) or patroFemale (-ovna)
	surname  bool  // has a typical surname ending (-ov, -enko, -ski…)
}

const keySep = "\x00"

// keyList iterates over a list of keys.
func keyList(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for s != "" {
			k, rest, _ := strings.Cut(s, keySep)
			if !yield(k) {
				return
			}
			s = rest
		}
	}
}

// primary returns the first key of a list.
func primary(s string) string {
	k, _, _ := strings.Cut(s, keySep)
	return k
}

func hasKey(list, k string) bool {
	for x := range keyList(list) {
		if x == k {
			return true
		}
	}
	return false
}

// appendKey adds k to a list unless it is empty or already there.
func appendKey(list, k string) string {
	switch {
	case k == "" || hasKey(list, k):
		return list
	case list == "":
		return k
	}
	return list + keySep + k
}

func countKeys(list string) int {
	if list == "" {
		return 0
	}
	return strings.Count(list, keySep) + 1
}

const (
	patroMale   = 1
	patroFemale = 2
)

// maxCyrillicKeys bounds the keys of a Cyrillic token; the systems agree on
// most names, so this is rarely reached.
const maxCyrillicKeys = 8

// analyse computes the term of one normalised token.
func analyse(form string) *term {
	t := &term{form: form, script: DetectScript(form), group: -1}
	switch {
	case form == "allah" || form == arabicAllah || form == "аллах":
		// Allah is written without its vowels in Arabic script (الله), and
		// its consonant key (al) is that of Ali: give it its own key.
		t.keys = "ala"
	case t.script == ScriptCyrillic:
		// Every system's spelling, read with the system's own conventions.
		rs := []rune(form)
		lang := detectLang(rs)
		for _, sys := range Systems() {
			lat := renderLang(sys, rs, lang)
			opt := skelOptions{jIsZh: sys == French, cIsTs: sys == ISO9 || sys == Scholarly || sys == Polish || sys == GOST779B}
			if ks := skeletons(lat, opt); len(ks) > 0 && countKeys(t.keys) < maxCyrillicKeys {
				t.keys = appendKey(t.keys, ks[0])
			}
			if c := firstLatin(lat); c != 0 {
				t.initials |= 1 << (c - 'a')
			}
		}
	case t.script == ScriptArabic:
		t.keys = arabicKey([]rune(form))
	case t.script == ScriptLatin, t.script == ScriptNone:
		for _, k := range skeletons(form, skelOptions{}) {
			t.keys = appendKey(t.keys, k)
		}
		if c := firstLatin(form); c != 0 {
			t.initials |= 1 << (c - 'a')
		}
	default:
		t.keys = stripMarks(form)
	}
	for k := range keyList(t.keys) {
		t.cons = appendKey(t.cons, consonants(k))
		t.initials |= classInitials(k)
	}
	f := form
	if t.script == ScriptLatin {
		f = asciiFold(form)
	}
	t.particle = particles[f]
	if t.keys != "" {
		t.patro = patronymicSuffix(t.keys)
		t.surname = surnameSuffix(primary(t.keys))
		t.group = cognateGroup(t.keys)
	}
	return t
}

// firstLatin returns the first ASCII letter of a Latin spelling, or 0.
func firstLatin(s string) byte {
	f := asciiFold(s)
	for i := 0; i < len(f); i++ {
		if c := f[i]; c >= 'a' && c <= 'z' {
			return c
		}
		if f[i] >= 0x80 {
			return 0
		}
	}
	return 0
}

// classInitials returns the letters a spelling with this skeleton can start
// with: an initial Y. stands for Yevgeny and Evgeny alike.
func classInitials(k string) uint32 {
	if k == "" {
		return 0
	}
	var letters string
	switch k[0] {
	case 'X':
		letters = "schkzjtd"
	case 'S':
		letters = "szct"
	case 'k':
		letters = "kcq"
	case 'i':
		letters = "iyj"
	case 'e':
		letters = "eyji"
	case 'u':
		letters = "uoyj"
	case 'v':
		letters = "vw"
	case 'f':
		letters = "fp"
	case 'a':
		letters = "aeiou" // an initial vowel, which Arabic leaves open
	default:
		if k[0] >= 'a' && k[0] <= 'z' {
			letters = k[:1]
		}
	}
	var m uint32
	for i := 0; i < len(letters); i++ {
		m |= 1 << (letters[i] - 'a')
	}
	return m
}

// Particles: articles, filiation words and name prefixes. Whether a token is
// used as a particle depends on its place in the name (see shape).
const (
	particleNone   = iota
	particleAl     // the Arabic article: al-, el-, ul-, аль-
	particleAlHyph // ad-, ar-, as-…: an assimilated article, only before a hyphen
	particleBin    // bin, ibn, ben, bint, ould
	particleAbd    // ʿAbd in compounds
	particleOglu   // Turkic filiation: oglu, ogly, kyzy
	particleWest   // van, von, de, da, di…: not at the start or the end
)

var particles = func() map[string]uint8 {
	m := map[string]uint8{}
	add := func(class uint8, words ...string) {
		for _, w := range words {
			m[w] = class
		}
	}
	add(particleAl, "al", "el", "ul", "il", "ال", "аль", "эль", "ал", "эл", "уль")
	add(particleAlHyph, "ad", "ar", "as", "ash", "at", "ath", "az", "an", "ed", "er", "es", "et",
		"ez", "en", "ud", "ur", "us", "ut", "uz", "un", "adh", "ad", "ас", "ад", "ар", "аш", "ат", "аз", "ан")
	add(particleBin, "bin", "ibn", "ben", "bint", "binti", "bent", "ould", "wuld", "бин", "ибн",
		"бен", "بن", "ابن", "بنت", "ولد")
	add(particleAbd, "abd", "عبد", "абд")
	add(particleOglu, "oglu", "ogly", "oghlu", "uly", "kyzy", "qizi", "gizi", "kizi", "оглы",
		"оглу", "кызы", "улы", "гызы")
	add(particleWest, "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos",
		"das", "do", "le", "la", "lo", "y", "zu", "ter", "ten", "af", "av", "vom", "dem", "des")
	return m
}()

// patronymicSuffix recognises -ovich, -evich, -ovna, -evna, -ichna, their
// Ukrainian (-ivna) and Belarusian (-avich, -aŭna, -eŭna) forms, on a
// token's skeletons.
func patronymicSuffix(keys string) uint8 {
	for k := range keyList(keys) {
		if len(k) < 6 {
			continue
		}
		switch {
		case strings.HasSuffix(k, "oviX"), strings.HasSuffix(k, "eviX"), strings.HasSuffix(k, "aviX"):
			return patroMale
		case strings.HasSuffix(k, "ovna"), strings.HasSuffix(k, "evna"), strings.HasSuffix(k, "avna"),
			strings.HasSuffix(k, "iXna"), strings.HasSuffix(k, "ivna"), strings.HasSuffix(k, "euna"),
			strings.HasSuffix(k, "auna"):
			return patroFemale
		}
	}
	return 0
}

var surnameEndings = []string{"ov", "ev", "ova", "eva", "Ski", "Ska", "Skaia", "enko", "uk", "iuk",
	"Svili", "dSe", "ian", "ovS", "iX"}

func surnameSuffix(k string) bool {
	if len(k) < 5 {
		return false
	}
	for _, e := range surnameEndings {
		if strings.HasSuffix(k, e) {
			return true
		}
	}
	return false
}

// Roles of the tokens of one name, used for weights, penalties and the
// wording of evidence.
type role uint8

const (
	roleName role = iota // no better guess
	roleGiven
	roleSurname
	roleMiddle
	rolePatronymic
	roleParticle
	roleInitial
)

func (r role) String() string {
	return [...]string{"name", "given name", "surname", "middle name", "patronymic", "particle", "initial"}[r]
}

// Flags stored with each token of a stored name, in the high bits of its
// term id.
const (
	occHyphen = 1 << 31 // joined to the next token by a hyphen
	occDot    = 1 << 30 // followed by a full stop
	occMask   = occDot - 1
)

// digraphInitials are two-letter abbreviations of one Cyrillic letter (Yu.
// for Юрий, Ch. for Чингиз).
var digraphInitials = setOf("ch", "sh", "zh", "kh", "ts", "yu", "ya", "ye", "yo", "ju", "ja", "je", "jo",
	"iu", "ia", "ie", "io")

// slot is one token of a name, with the role it plays in that name.
type slot struct {
	t       *term
	role    role
	lineage bool    // a forebear's name after bin or ibn, often left out
	weight  float64 // relative importance in the name
	absent  float64 // share of the weight lost when the token has no partner
}

// lineageAbsent is the share of a forebear's name lost when it is left out:
// Usama bin Muhammad bin Awad bin Ladin is Usama bin Ladin.
const lineageAbsent = 0.2

// shape decides the role of each token of a name from its terms, positions
// and the hyphen and full-stop flags.
func shape(ts []*term, flags []uint32, out []slot) []slot {
	out = out[:0]
	n := len(ts)
	for i, t := range ts {
		s := slot{t: t, role: roleName}
		hyph := flags[i]&occHyphen != 0
		dot := flags[i]&occDot != 0
		switch {
		case n > 1 && isInitial(t.form, dot):
			s.role = roleInitial
		case n > 1 && t.particle != particleNone:
			switch t.particle {
			case particleAl:
				if i < n-1 {
					s.role = roleParticle
				}
			case particleAlHyph:
				if hyph && i < n-1 {
					s.role = roleParticle
				}
			case particleBin, particleWest:
				if i > 0 && i < n-1 {
					s.role = roleParticle
				}
			case particleAbd:
				if i < n-1 {
					s.role = roleParticle
				}
			case particleOglu:
				if i > 0 {
					s.role = roleParticle
				}
			}
		}
		out = append(out, s)
	}
	// Regular tokens, then the patronymic among them.
	var reg []int
	for i := range out {
		if out[i].role == roleName {
			reg = append(reg, i)
		}
	}
	patro := -1
	if len(reg) >= 2 {
		var cands []int
		for k, i := range reg {
			switch {
			case out[i].t.patro == patroFemale:
				cands = append(cands, k)
			case out[i].t.patro == patroMale && len(reg) >= 3:
				cands = append(cands, k)
			}
		}
		switch {
		case len(cands) == 1:
			patro = cands[0]
		case len(cands) > 1:
			patro = cands[len(cands)-1]
			for _, k := range cands {
				if k == 1 {
					patro = k // Given Patronymic Surname
				}
			}
		}
	}
	if patro >= 0 {
		out[reg[patro]].role = rolePatronymic
		reg = append(reg[:patro:patro], reg[patro+1:]...)
	}
	if len(reg) > 0 {
		sur, giv := len(reg)-1, 0
		switch {
		case patro == len(reg) && len(reg) >= 2:
			sur, giv = 0, 1 // Surname Given Patronymic
		case patro == 1:
			// Given Patronymic Surname
		case len(reg) >= 2 && out[reg[0]].t.surname && !out[reg[len(reg)-1]].t.surname:
			sur, giv = 0, 1 // Surname Given
		}
		if len(reg) == 1 {
			out[reg[0]].role = roleName
		} else {
			for k, i := range reg {
				switch k {
				case sur:
					out[i].role = roleSurname
				case giv:
					out[i].role = roleGiven
				default:
					out[i].role = roleMiddle
				}
			}
		}
	}
	for i := range out {
		out[i].weight, out[i].absent = roleWeight(out[i].role, out[i].t)
		if i > 0 && i < n-1 && out[i-1].role == roleParticle && out[i-1].t.particle == particleBin &&
			(out[i].role == roleMiddle || out[i].role == roleName) {
			out[i].lineage = true
		}
	}
	return out
}

// roleWeight returns a token's weight and the share of it that is lost
// when the token has no partner in the other name.
func roleWeight(r role, t *term) (w, absent float64) {
	switch r {
	case rolePatronymic:
		return 0.7, 0.25
	case roleParticle:
		if t.particle == particleAbd {
			return 0.5, 1
		}
		return 0.15, 1
	case roleInitial:
		return 0.35, 0.5
	case roleMiddle:
		return 1, 0.4
	}
	return 1, 1
}

func isInitial(form string, dot bool) bool {
	if utf8.RuneCountInString(form) == 1 {
		r, _ := utf8.DecodeRuneInString(form)
		return unicode.IsLetter(r)
	}
	return dot && digraphInitials[form]
}
