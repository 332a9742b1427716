package match

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalise(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"case and spaces", "  Sergey   NARYSHKIN ", "sergey naryshkin"},
		{"diacritics kept", "Naryškin, Sergej", "naryškin sergej"},
		{"NFKC full width", "Ｎａｒｙｓｈｋｉｎ", "naryshkin"},
		{"NFKC ligature", "Ruﬁn", "rufin"},
		{"case folding ß", "Weiß", "weiss"},
		{"Cyrillic", "НАРЫШКИН Сергей Евгеньевич", "нарышкин сергей евгеньевич"},
		{"Cyrillic й and ё kept", "Сергей Фёдоров", "сергей фёдоров"},
		{"apostrophes removed", "O'Brien Grigor’yev Il'ich", "obrien grigoryev ilich"},
		{"soft sign primes removed", "Grigorʹev", "grigorev"},
		{"hyphen kept", "Abdul-Rahman Ter-Petrosyan", "abd-rahman ter-petrosyan"},
		{"honorifics", "Gen. Dr. Sergei Ivanov Jr.", "sergei ivanov"},
		{"Russian honorific", "господин Иванов", "иванов"},
		{"hyphenated honorific", "г-н Иванов", "иванов"},
		{"Arabic title", "Sheikh Ahmed al-Masri", "ahmed al-masri"},
		{"only honorifics kept", "Mr Dr", "mr dr"},
		{"punctuation", "Ivanov, I.I. (aka \"Vanya\")", "ivanov i i vanya"},
		{"only punctuation", "?!..--,,", ""},
		{"empty", "", ""},
		{"invalid UTF-8", "Iva\xffnov\xc3", "iva nov"},
		{"homoglyph Latin a in Cyrillic", "Нaрышкин", "нарышкин"},
		{"homoglyph Cyrillic о in Latin", "Naryshkоv", "naryshkov"},
		{"mixed without look-alike", "Naryшkin", "naryshkin"},
		{"Arabic and Latin split", "Ahmedأحمد", "ahmed أحمد"},
		{"Arabic article split", "عبدالرحمن", "عبد ال رحمن"},
		{"Abd compound", "Abdurrahman Abdullah", "abd rahman abd allah"},
		{"zero-width joiner removed", "Iva\u200dnov", "ivanov"},
		{"tatweel removed", "محـمد", "محمد"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalise(tt.in); got != tt.want {
				t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormaliseLimits(t *testing.T) {
	long := strings.Repeat("Abcdefghij", 1000) // 10,000 characters, one token
	got := Normalise(long)
	if n := utf8.RuneCountInString(got); n != MaxTokenRunes {
		t.Errorf("a 10,000-character token normalised to %d runes, want %d", n, MaxTokenRunes)
	}
	many := strings.Repeat("Ivan ", 2000)
	if got := strings.Fields(Normalise(many)); len(got) != MaxTokens {
		t.Errorf("2,000 tokens normalised to %d, want %d", len(got), MaxTokens)
	}
	for _, s := range []string{long, many, strings.Repeat("й", 5000), strings.Repeat("\xff", 5000)} {
		if n := Normalise(s); Normalise(n) != n || !utf8.ValidString(n) {
			t.Errorf("Normalise of a long input is not idempotent or not UTF-8: %q", n)
		}
	}
}

func TestDetectScript(t *testing.T) {
	tests := []struct {
		in   string
		want Script
	}{
		{"Naryshkin", ScriptLatin},
		{"Naryškin", ScriptLatin},
		{"Нарышкин", ScriptCyrillic},
		{"Зеленський", ScriptCyrillic},
		{"محمد", ScriptArabic},
		{"Νίκος", ScriptOther},
		{"Нaрышкин", ScriptMixed},
		{"123 -", ScriptNone},
		{"", ScriptNone},
	}
	for _, tt := range tests {
		if got := DetectScript(tt.in); got != tt.want {
			t.Errorf("DetectScript(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
