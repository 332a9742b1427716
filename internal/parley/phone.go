package parley

import (
	"iter"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ---- phone numbers ----

// numRun is a run of digit groups read from a text.
type numRun struct {
	start, end int // bytes: from the '+', '(' or first digit to the last digit
	plus       bool
	groups     []digitGroup
}

type digitGroup struct {
	d      string // ASCII digits
	sep    rune   // separator before the group: ' ', '.', '-', '/', '(' (a parenthesis), 0 for the first
	spaced bool   // the separator is a punctuation mark with spaces around it: 1000 - 5000
	trunk  bool   // a "(0)" trunk digit, not counted
	end    int    // byte offset of the end of the group
}

func scanPhones(text string) iter.Seq[Finding] {
	return func(yield func(Finding) bool) {
		for i := 0; i < len(text); {
			if end := ibanEnd(text, i); end > 0 {
				i = end
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if digitValue(r) >= 0 || r == '+' || r == '＋' || r == '(' {
				if n, ok := readRun(text, i); ok {
					if n.isPhone(text) && !yield(Finding{Kind: findingPhone, Text: text[n.start:n.end], Offset: n.start}) {
						return
					}
					i = n.end
					continue
				}
			}
			i += size
		}
	}
}

// readRun reads the digit groups starting at i; ok is false when there are none.
func readRun(text string, i int) (n numRun, ok bool) {
	pos := i
	lead, open, leadClosed := false, false, false // a leading '('; a parenthesis is open; the leading one closed inside the run
	r, sz := utf8.DecodeRuneInString(text[pos:])
	if r == '(' {
		lead, open = true, true
		pos += sz
		r, sz = utf8.DecodeRuneInString(text[pos:])
	}
	if r == '+' || r == '＋' {
		n.plus = true
		pos += sz
	}
	var sep rune
	spaced, openedAt := false, -1 // openedAt: the group after a '(' that may stay unclosed
	for {
		var digits []byte
		for pos < len(text) {
			r, sz := utf8.DecodeRuneInString(text[pos:])
			v := digitValue(r)
			if v < 0 {
				break
			}
			if len(digits) < 32 {
				digits = append(digits, byte('0'+v))
			}
			pos += sz
		}
		if len(digits) == 0 {
			break
		}
		inParen := open && sep == '('
		if len(n.groups) <= dlpMaxGroups {
			n.groups = append(n.groups, digitGroup{d: string(digits), sep: sep, spaced: spaced, end: pos})
		}
		n.end = pos
		// The separator: at most one of . - /, parentheses, single spaces.
		k, punct, paren, closed, spaces, lastSpace := pos, rune(0), false, false, 0, false
	sepLoop:
		for steps := 0; steps < 4 && k < len(text); steps++ {
			r, sz := utf8.DecodeRuneInString(text[k:])
			switch {
			case isSpaceSep(r) && !lastSpace && spaces < 2:
				spaces++
				lastSpace = true
				k += sz
				continue
			case (isDash(r) || r == '.' || r == '/') && punct == 0:
				punct = r
			case r == ')' && open:
				open, paren, closed = false, true, true
			case r == '(' && !open && !closed:
				open, paren, openedAt = true, true, len(n.groups)
			default:
				break sepLoop
			}
			lastSpace = false
			k += sz
		}
		if closed && inParen && len(digits) == 1 && digits[0] == '0' {
			n.groups[len(n.groups)-1].trunk = true
		}
		if k == pos || k >= len(text) {
			break
		}
		if r, _ := utf8.DecodeRuneInString(text[k:]); digitValue(r) < 0 {
			break
		}
		leadClosed = leadClosed || (lead && closed)
		switch {
		case paren:
			sep = '('
		case isDash(punct):
			sep = '-'
		case punct != 0:
			sep = punct
		default:
			sep = ' '
		}
		spaced = punct != 0 && spaces == 2
		pos = k
	}
	if len(n.groups) == 0 {
		return n, false
	}
	if lead && !leadClosed {
		return readRun(text, i+1) // the '(' encloses the number: (+7 (495) 123-45-67)
	}
	if open && openedAt > 0 && openedAt < len(n.groups) {
		n.groups = n.groups[:openedAt] // 1073741824 (2^30): the number ends before the '('
		n.end = n.groups[openedAt-1].end
	}
	n.start = i
	return n, true
}

// ibanEnd returns the end of an IBAN-like string at i (two capital
// letters, two digits, then capitals and digits, single spaces allowed
// between them, 15 to 34 in all), or 0. Its digits are not a phone number.
func ibanEnd(text string, i int) int {
	alnum := func(j int) bool {
		return j < len(text) && (text[j] >= 'A' && text[j] <= 'Z' || text[j] >= '0' && text[j] <= '9')
	}
	if i+4 > len(text) || !(text[i] >= 'A' && text[i] <= 'Z' && text[i+1] >= 'A' && text[i+1] <= 'Z') ||
		!(text[i+2] >= '0' && text[i+2] <= '9' && text[i+3] >= '0' && text[i+3] <= '9') {
		return 0
	}
	if r, _ := utf8.DecodeLastRuneInString(text[:i]); i > 0 && (isWordRune(r) || digitValue(r) >= 0) {
		return 0
	}
	j, n := i+4, 4
	for n < 34 {
		if alnum(j) {
			j, n = j+1, n+1
		} else if j+1 < len(text) && text[j] == ' ' && alnum(j+1) {
			j++
		} else {
			break
		}
	}
	if n < 15 {
		return 0
	}
	return j
}

// isPhone applies the rules in the comment at the top of dlp.go.
func (n *numRun) isPhone(text string) bool {
	if len(n.groups) == 0 || len(n.groups) > dlpMaxGroups {
		return false // a table of numbers is not a phone number
	}
	var all strings.Builder
	for _, g := range n.groups {
		if !g.trunk {
			all.WriteString(g.d)
		}
	}
	digits := all.String()
	intl := n.plus || strings.HasPrefix(digits, "00")
	if !n.plus && intl {
		digits = digits[2:]
	}
	if len(digits) < 7 || len(digits) > 15 || (intl && digits[0] == '0') {
		return false
	}
	if !n.context(text) || (!intl && currencyNear(text, n.start, n.end)) {
		return false
	}
	gs := n.groups
	years, singles := 0, 0
	for k, g := range gs {
		years += oneIf(yearLike(g.d))
		if len(g.d) == 1 && !g.trunk && !(k == 0 && intl) {
			singles++
		}
		if k >= 2 && g.sep == gs[k-1].sep && strings.ContainsRune(".-/", g.sep) && isDateGroups(gs[k-2].d, gs[k-1].d, g.d) {
			return false
		}
	}
	if (len(gs) >= 2 && years == len(gs)) || singles >= 2 {
		return false
	}
	if intl {
		return true
	}
	seps := map[rune]int{}
	fours := 0
	for _, g := range gs {
		seps[g.sep]++
		fours += oneIf(len(g.d) == 4)
	}
	first, last := gs[0], gs[len(gs)-1]
	switch {
	case strings.Count(digits, digits[:1]) == len(digits):
		return false // 999.999.999, 0000000
	case len(gs) == 1: // no separators
		if strings.HasSuffix(digits, "000") {
			return false
		}
		nd := len(digits)
		return (digits[0] == '0' && nd >= 9 && nd <= 12) ||
			(nd == 10 && digits[0] >= '2') ||
			(nd == 11 && strings.ContainsRune("178", rune(digits[0])))
	case seps['/'] > 1:
		return false // 20/30/600/150
	case seps['.'] > 0 && (seps['-'] > 0 || seps['/'] > 0):
		return false // 1003.1-2001, a clause number
	case fours >= 3:
		return false // a card number, a key fingerprint
	case seps['.'] == len(gs)-1 && len(gs) == 4 && isIPv4(gs):
		return false
	case seps['.'] == len(gs)-1 && slices.ContainsFunc(gs, func(g digitGroup) bool { return len(g.d) == 1 || len(g.d) > 4 }):
		return false // a version or a dotted number
	case last.sep == '.' && len(last.d) <= 2 && slices.ContainsFunc(gs, func(g digitGroup) bool { return len(g.d) != 2 }):
		return false // a decimal
	case yearLike(first.d) && (gs[1].sep == '/' || gs[1].sep == '-'):
		return false // a reference: 2026/000123
	case len(gs) == 2:
		a, _ := strconv.Atoi(first.d)
		b, _ := strconv.Atoi(last.d)
		switch {
		case last.sep == '-' && (last.spaced || len(first.d) == 5 && len(last.d) == 4):
			return false // 1000 - 5000, a ZIP+4 code
		case last.sep == '-' && first.d[0] != '0' && (len(first.d) == len(last.d) || len(first.d) >= 4) && b > a:
			return false // a range: 1200-1350, 10000-100000
		}
		return first.d[0] == '0' || len(first.d) == 2 || len(first.d) == 3 || (len(first.d) == 4 && len(last.d) == 4 && last.sep == ' ')
	case isAmount(gs):
		return len(gs) == 3 && len(first.d) == 3 && last.d != "000"
	}
	return true
}

// context reports whether the run stands on its own in the text.
func (n *numRun) context(text string) bool {
	r, sz := utf8.DecodeLastRuneInString(text[:n.start])
	if n.start > 0 {
		switch {
		case isWordRune(r) || digitValue(r) >= 0 || unicode.Is(unicode.Sc, r) || strings.ContainsRune("#№_@&+", r):
			return false
		case strings.ContainsRune(".,:/-", r):
			if p, _ := utf8.DecodeLastRuneInString(text[:n.start-sz]); digitValue(p) >= 0 {
				return false
			}
		}
	}
	if n.end < len(text) {
		r, sz := utf8.DecodeRuneInString(text[n.end:])
		switch {
		case isWordRune(r) || digitValue(r) >= 0 || unicode.Is(unicode.Sc, r) || strings.ContainsRune("%‰‱@°", r):
			return false
		case strings.ContainsRune(".,:/-–", r):
			if p, _ := utf8.DecodeRuneInString(text[n.end+sz:]); digitValue(p) >= 0 {
				return false
			}
		}
	}
	return true
}

// isDateGroups reports whether three groups read as a day, month and year in some
// order, with a four-digit year.
func isDateGroups(a, b, c string) bool {
	num := func(s string) int { v, _ := strconv.Atoi(s); return v }
	year := func(s string) bool { return len(s) == 4 && num(s) >= 1000 && num(s) <= 2999 }
	dm := func(d, m string) bool {
		return len(d) <= 2 && len(m) <= 2 && num(d) >= 1 && num(d) <= 31 && num(m) >= 1 && num(m) <= 12
	}
	return (year(a) && dm(c, b)) || (year(c) && (dm(a, b) || dm(b, a)))
}

// yearLike reports whether s is a year of the 20th or 21st century.
func yearLike(s string) bool {
	v, err := strconv.Atoi(s)
	return err == nil && len(s) == 4 && v >= 1900 && v <= 2099
}

func isIPv4(gs []digitGroup) bool {
	for _, g := range gs {
		if v, _ := strconv.Atoi(g.d); len(g.d) > 3 || v > 255 {
			return false
		}
	}
	return true
}

// isAmount reports whether the groups are a number grouped by thousands.
func isAmount(gs []digitGroup) bool {
	if len(gs) < 3 || len(gs[0].d) > 3 || gs[0].d[0] == '0' || (gs[1].sep != ' ' && gs[1].sep != '.') {
		return false
	}
	for _, g := range gs[1:] {
		if len(g.d) != 3 || g.sep != gs[1].sep {
			return false
		}
	}
	return true
}

// currencyWords stand next to amounts (compared in lower case).
var currencyWords = map[string]bool{
	"eur": true, "euro": true, "euros": true, "usd": true, "dollar": true, "dollars": true, "gbp": true,
	"pounds": true, "chf": true, "francs": true, "rub": true, "руб": true, "рублей": true, "рубля": true,
	"uah": true, "грн": true, "pln": true, "zł": true, "czk": true, "kč": true, "€": true, "$": true,
	"£": true, "₽": true, "₴": true, "евро": true, "долларов": true,
}

// currencyNear reports whether a currency sign or word stands next to text[start:end].
func currencyNear(text string, start, end int) bool {
	before := strings.TrimRightFunc(text[max(0, start-16):start], isSpaceSep)
	if i := strings.LastIndexFunc(before, func(r rune) bool { return !isWordRune(r) && !unicode.Is(unicode.Sc, r) }); i >= 0 {
		before = before[i+1:]
	}
	after := strings.TrimLeftFunc(text[end:min(len(text), end+16)], isSpaceSep)
	if i := strings.IndexFunc(after, func(r rune) bool { return !isWordRune(r) && !unicode.Is(unicode.Sc, r) }); i >= 0 {
		after = after[:i]
	}
	return currencyWords[strings.ToLower(before)] || currencyWords[strings.ToLower(after)]
}
