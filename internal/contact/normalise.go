package contact

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ErrEmptyAnswer means there were no answers, or an answer was empty once
// normalised (for example it held only spaces or punctuation).
var ErrEmptyAnswer = errors.New("contact: empty answer")

// ErrInvalidAnswer means an answer is not valid UTF-8.
var ErrInvalidAnswer = errors.New("contact: answer is not valid UTF-8")

// AnswerSeparator joins the normalised answers. It is U+001F INFORMATION
// SEPARATOR ONE, a control character, and rule 5 of NormaliseAnswers removes
// every control character from an answer, so it cannot occur inside one and
// the joined string determines the list of answers.
const AnswerSeparator = "\x1f"

// NormaliseAnswers turns the answers two people typed into one string that
// is equal for both whenever their answers differ only in ways people do not
// mean: letter case, accents, width and compatibility forms, punctuation and
// spacing. The result, as bytes, is the secret for NewInitiator and Respond.
//
// Each answer is processed by these rules, in order:
//
//  1. It must be valid UTF-8 (otherwise ErrInvalidAnswer).
//  2. Unicode NFKC: compatibility forms become their plain equivalents
//     (ﬁ → fi, full-width Ａ → A, ² → 2, Ⅻ → XII, ǅ → Dž).
//  3. Unicode full case folding (golang.org/x/text/cases.Fold): É → é,
//     ß → ss, final ς → σ, Ǆ → ǆ.
//  4. Diacritics are stripped: the answer is decomposed (NFD), every
//     nonspacing or enclosing combining mark (general categories Mn and Me)
//     is removed, and the rest is recomposed (NFC). Éléphant → elephant,
//     Ά → α, مُحَمَّد → محمد. Base letters are never removed, in any script;
//     spacing marks (Mc, such as Devanagari vowel signs) are kept. Letters
//     whose canonical decomposition holds such a mark lose it, which for
//     some scripts is more than an accent — consistently for both parties:
//     й → и, ї → і, が → か, Arabic أ إ آ → ا and ؤ → و (hamza and madda are
//     combining marks; this matches how Arabic text is usually searched),
//     Devanagari anusvara.
//  5. Every character that is punctuation (P*), a separator (Z*) or white
//     space becomes a space: mont-blanc → mont blanc, O'Brien → o brien,
//     «Paris» → paris. Unicode counts & # % * @ / \ among punctuation, so
//     they become spaces too. Other control and format characters (Cc, Cf:
//     soft hyphen, zero-width joiner, BOM…) are removed.
//  6. Decimal digits of any script become ASCII digits: ٢٠٢٤ → 2024.
//  7. Runs of spaces collapse to one space and leading and trailing spaces
//     are trimmed.
//
// Symbols (S*: $, +, €, ^, emoji) are kept as they are. An answer that is empty
// after these rules is an error (ErrEmptyAnswer, with its position), as is an
// empty list. The answers keep the given order — question order is part of
// the secret — and are joined with AnswerSeparator.
func NormaliseAnswers(answers []string) (string, error) {
	if len(answers) == 0 {
		return "", fmt.Errorf("%w: no answers", ErrEmptyAnswer)
	}
	out := make([]string, len(answers))
	for i, a := range answers {
		n, err := normaliseAnswer(a)
		if err != nil {
			return "", fmt.Errorf("answer %d: %w", i+1, err)
		}
		out[i] = n
	}
	return strings.Join(out, AnswerSeparator), nil
}

var stripMarks = func(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Me) }

func normaliseAnswer(a string) (string, error) {
	if !utf8.ValidString(a) {
		return "", ErrInvalidAnswer
	}
	s := norm.NFKC.String(a)
	s = cases.Fold().String(s)
	// x/text's Fold swaps the case of Cherokee letters instead of folding
	// them (both forms map to the other), so Ᏸ and ᏸ would disagree. Unicode
	// folds Cherokee to capitals: do that explicitly.
	s = strings.Map(func(r rune) rune {
		if r >= 0x13A0 && r <= 0x13FF || r >= 0xAB70 && r <= 0xABBF {
			return unicode.ToUpper(r)
		}
		return r
	}, s)

	var b strings.Builder
	space := false // a space is pending
	for _, r := range norm.NFD.String(s) {
		switch {
		case stripMarks(r):
			continue
		case unicode.IsPunct(r) || unicode.In(r, unicode.Z) || unicode.IsSpace(r):
			space = true
			continue
		case unicode.In(r, unicode.Cc, unicode.Cf):
			continue
		case unicode.Is(unicode.Nd, r):
			r = '0' + rune(digitValue(r))
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	s = norm.NFC.String(b.String())
	if s == "" {
		return "", ErrEmptyAnswer
	}
	return s, nil
}

// digitValue returns the value of a decimal digit (category Nd). Unicode
// guarantees that Nd characters come in contiguous runs of ten, from zero to
// nine; Go's table for Nd merges adjacent runs, so the value is the offset
// into the range modulo ten (TestDigitRanges checks this for every range).
func digitValue(r rune) int {
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	panic("contact: digitValue of a non-digit") // broken invariant
}
