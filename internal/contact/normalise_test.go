package contact

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormaliseAnswer(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		// Case, spacing and punctuation.
		{"plain", "mont blanc", "mont blanc"},
		{"upper case", "MONT BLANC", "mont blanc"},
		{"hyphen", "mont-blanc", "mont blanc"},
		{"hyphen and case", "Mont-Blanc", "mont blanc"},
		{"unicode hyphen", "Mont‐Blanc", "mont blanc"},
		{"en dash", "1914–1918", "1914 1918"},
		{"em dash", "yes—no", "yes no"},
		{"underscore", "mont_blanc", "mont blanc"},
		{"leading and trailing spaces", "  mont blanc  ", "mont blanc"},
		{"runs of spaces", "mont \t\n  blanc", "mont blanc"},
		{"no-break space", "mont\u00a0blanc", "mont blanc"},
		{"ideographic space", "mont\u3000blanc", "mont blanc"},
		{"line separator", "mont\u2028blanc", "mont blanc"},
		{"apostrophe", "O'Brien", "o brien"},
		{"typographic apostrophe", "O’Brien", "o brien"},
		{"quotes", "\"Paris\"", "paris"},
		{"guillemets", "«Paris»", "paris"},
		{"full stop and comma", "St. Ives, Cornwall", "st ives cornwall"},
		{"brackets", "(the) answer!", "the answer"},
		{"question marks", "¿Qué?", "que"},
		{"slash", "either/or", "either or"},
		// Accents.
		{"acute", "Éléphant", "elephant"},
		{"lower acute", "éléphant", "elephant"},
		{"decomposed input", "E\u0301le\u0301phant", "elephant"},
		{"cedilla", "Français", "francais"},
		{"umlaut", "Zürich", "zurich"},
		{"tilde", "São Paulo", "sao paulo"},
		{"ring", "Ångström", "angstrom"},
		{"ogonek and dot", "Żółć", "zołc"}, // ł is a letter of its own, not l + mark
		{"stroke o kept", "Ørsted", "ørsted"},
		{"caron", "Dvořák", "dvorak"},
		{"enclosing circle", "a\u20dd", "a"},
		// Compatibility forms (NFKC).
		{"ligature fi", "ﬁsh", "fish"},
		{"ligature ffl", "waﬄe", "waffle"},
		{"full width", "ＭＯＮＴ ＢＬＡＮＣ", "mont blanc"},
		{"half width katakana", "ｶﾀｶﾅ", "カタカナ"},
		{"superscript", "x²", "x2"},
		{"roman numeral", "Ⅻ", "xii"},
		{"circled digit", "①", "1"},
		{"digraph DŽ", "ǄEMAL", "dzemal"},
		{"digraph Dž", "ǅemal", "dzemal"},
		{"digraph dž", "ǆemal", "dzemal"},
		{"long s", "ſun", "sun"},
		// Case folding beyond ASCII.
		{"sharp s", "Straße", "strasse"},
		{"capital sharp s", "STRAẞE", "strasse"},
		{"turkish dotted I", "İstanbul", "istanbul"},
		{"turkish dotless i", "ıstanbul", "ıstanbul"},
		// Greek: letters kept, tonos and dialytika stripped, final sigma folded.
		{"greek", "Αθήνα", "αθηνα"},
		{"greek final sigma", "ΟΔΥΣΣΕΥΣ", "οδυσσευσ"},
		{"greek final sigma lower", "οδυσσευς", "οδυσσευσ"},
		{"greek dialytika", "Ϊ", "ι"},
		{"greek polytonic", "ἈΘῆναι", "αθηναι"},
		// Cyrillic: letters kept, marks stripped.
		{"cyrillic", "Москва", "москва"},
		{"cyrillic yo", "Ёлка", "елка"},
		{"cyrillic short i", "Чайковский", "чаиковскии"},
		{"ukrainian", "Київ", "киів"},
		{"serbian", "Ђорђе", "ђорђе"},
		{"cyrillic stress mark", "за́мок", "замок"},
		// Arabic: letters kept, harakat and shadda stripped, punctuation spaced.
		{"arabic", "القاهرة", "القاهرة"},
		{"arabic harakat", "مُحَمَّد", "محمد"},
		{"arabic comma", "نعم، لا", "نعم لا"},
		{"arabic question mark", "ماذا؟", "ماذا"},
		{"arabic combining hamza stripped", "سؤال", "سوال"},
		{"arabic alef forms", "أإآا", "اااا"},
		{"arabic teh marbuta kept", "مدرسة", "مدرسة"},
		{"arabic-indic digits", "٢٠٢٤", "2024"},
		{"persian digits", "۱۳۹۹", "1399"},
		// Hebrew: niqqud stripped.
		{"hebrew", "שָׁלוֹם", "שלום"},
		// Other scripts.
		{"devanagari vowel sign kept", "किताब", "किताब"},
		{"devanagari digits", "१२३", "123"},
		{"thai", "กรุงเทพ", "กรงเทพ"},
		{"chinese", "北京", "北京"},
		{"japanese dakuten", "ガラス", "カラス"},
		{"hangul", "서울", "서울"},
		{"hangul jamo recomposed", "\u1109\u1165\u110b\u116e\u11af", "서울"},
		// Digits, symbols and invisible characters.
		{"ascii digits", "1969", "1969"},
		{"mixed", "Apollo-11 (1969)", "apollo 11 1969"},
		{"symbols kept", "C++ $5 €", "c++ $5 €"},
		{"ampersand is punctuation", "Marks & Spencer", "marks spencer"},
		{"at sign is punctuation", "me@example", "me example"},
		{"emoji kept", "🐈 cat", "🐈 cat"},
		{"soft hyphen removed", "ele\u00adphant", "elephant"},
		{"zero width space", "ele\u200bphant", "elephant"},
		{"zero width joiner", "ele\u200dphant", "elephant"},
		{"byte order mark", "\ufeffelephant", "elephant"},
		{"control character", "ele\x07phant", "elephant"},
		{"separator character", "ele\x1fphant", "elephant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := normaliseAnswer(tc.in)
			if err != nil {
				t.Fatalf("normaliseAnswer(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("normaliseAnswer(%q) = %q, want %q", tc.in, got, tc.want)
			}
			// Normalising again changes nothing.
			if again, _ := normaliseAnswer(got); again != got {
				t.Errorf("not idempotent: %q → %q", got, again)
			}
		})
	}
}

// TestNormaliseAnswersAgree lists pairs people would consider the same.
func TestNormaliseAnswersAgree(t *testing.T) {
	for _, pair := range [][2][]string{
		{{"Mont Blanc"}, {"mont-blanc"}},
		{{"Éléphant"}, {"elephant"}},
		{{"ǅ"}, {"dz"}},
		{{"Straße"}, {"STRASSE"}},
		{{"  Zürich "}, {"zurich"}},
		{{"Mont Blanc", "1969"}, {"MONT—BLANC", "１９６９"}},
		{{"Москва"}, {"МОСКВА"}},
		{{"Αθήνα"}, {"ΑΘΗΝΑ"}},
		{{"Ᏸ"}, {"ᏸ"}}, // Cherokee: x/text Fold swaps its cases; both must agree
		{{"مُحَمَّد"}, {"محمد"}},
		{{"Saint-Étienne"}, {"saint etienne"}},
	} {
		a, errA := NormaliseAnswers(pair[0])
		b, errB := NormaliseAnswers(pair[1])
		if errA != nil || errB != nil {
			t.Fatalf("%q / %q: %v / %v", pair[0], pair[1], errA, errB)
		}
		if a != b {
			t.Errorf("%q → %q but %q → %q", pair[0], a, pair[1], b)
		}
	}
}

// TestNormaliseAnswersDiffer lists pairs that must stay distinct.
func TestNormaliseAnswersDiffer(t *testing.T) {
	for _, pair := range [][2][]string{
		{{"mont blanc"}, {"montblanc"}},
		{{"a", "b"}, {"b", "a"}},   // order matters
		{{"a b"}, {"a", "b"}},      // the separator is not a space
		{{"ab", "c"}, {"a", "bc"}}, // boundaries matter
		{{"москва"}, {"moskva"}},   // no transliteration
		{{"Paris"}, {"Pariss"}},
		{{"1969"}, {"1970"}},
		{{"ıstanbul"}, {"istanbul"}}, // dotless i is a letter
	} {
		a, _ := NormaliseAnswers(pair[0])
		b, _ := NormaliseAnswers(pair[1])
		if a == b {
			t.Errorf("%q and %q both normalise to %q", pair[0], pair[1], a)
		}
	}
}

func TestNormaliseAnswersJoin(t *testing.T) {
	got, err := NormaliseAnswers([]string{"Mont-Blanc", " 1969 ", "Éléphant"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "mont blanc\x1f1969\x1felephant"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNormaliseAnswersErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []string
		want    error
		text    string
	}{
		{"no answers", nil, ErrEmptyAnswer, "contact: empty answer: no answers"},
		{"empty answer", []string{"a", ""}, ErrEmptyAnswer, "answer 2: contact: empty answer"},
		{"only spaces", []string{"   "}, ErrEmptyAnswer, "answer 1: contact: empty answer"},
		{"only punctuation", []string{"ok", "?!-"}, ErrEmptyAnswer, "answer 2: contact: empty answer"},
		{"only marks", []string{"\u0301\u0308"}, ErrEmptyAnswer, "answer 1: contact: empty answer"},
		{"only invisible", []string{"\u200b\ufeff"}, ErrEmptyAnswer, "answer 1: contact: empty answer"},
		{"invalid UTF-8", []string{"ok", "\xff"}, ErrInvalidAnswer, "answer 2: contact: answer is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NormaliseAnswers(tc.answers)
			if !errors.Is(err, tc.want) || err.Error() != tc.text {
				t.Errorf("error %q, want %q (%v)", err, tc.text, tc.want)
			}
		})
	}
}

// TestDigitRanges checks the assumption digitValue relies on: every range of
// Go's Nd table has stride 1, starts at a digit zero and covers whole runs
// of ten.
func TestDigitRanges(t *testing.T) {
	check := func(lo, hi, stride uint32) {
		if stride != 1 || (hi-lo+1)%10 != 0 {
			t.Errorf("Nd range %#x-%#x stride %d is not whole runs of ten", lo, hi, stride)
		}
	}
	for _, r := range unicode.Nd.R16 {
		check(uint32(r.Lo), uint32(r.Hi), uint32(r.Stride))
	}
	for _, r := range unicode.Nd.R32 {
		check(r.Lo, r.Hi, r.Stride)
	}
	for _, tc := range []struct {
		r    rune
		want int
	}{{'0', 0}, {'9', 9}, {'٣', 3}, {'۷', 7}, {'९', 9}, {'𝟘', 0}, {'𝟡', 9}, {'߅', 5}} {
		if got := digitValue(tc.r); got != tc.want {
			t.Errorf("digitValue(%q) = %d, want %d", tc.r, got, tc.want)
		}
	}
}

// FuzzNormaliseAnswers: no panic; the result is valid UTF-8 in NFC without
// the separator, control characters, marks, doubled or edge spaces; and
// normalising it again gives it back.
func FuzzNormaliseAnswers(f *testing.F) {
	for _, s := range []string{"Mont-Blanc", "Éléphant", "ǅ", "مُحَمَّد", "Ёлка", "ｶﾞ", "", " ", "\xff", "a\x1fb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := normaliseAnswer(s)
		if err != nil {
			if !errors.Is(err, ErrEmptyAnswer) && !errors.Is(err, ErrInvalidAnswer) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		if !utf8.ValidString(got) || strings.Contains(got, AnswerSeparator) ||
			strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("normaliseAnswer(%q) = %q", s, got)
		}
		for _, r := range got {
			if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Mn, unicode.Me, unicode.P) {
				t.Fatalf("normaliseAnswer(%q) = %q keeps %U", s, got, r)
			}
		}
		if again, err := normaliseAnswer(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", s, got, again, err)
		}
	})
}

func BenchmarkNormaliseAnswers(b *testing.B) {
	answers := []string{"Mont-Blanc", "Éléphant", "Москва", "مُحَمَّد"}
	for b.Loop() {
		if _, err := NormaliseAnswers(answers); err != nil {
			b.Fatal(err)
		}
	}
}
