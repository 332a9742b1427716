package parley

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ---- e-mail addresses ----

// atMark is where an address's "@" is written: '@' itself, 'b' a bracketed
// [at] (at) {at} <at>, 'w' the plain word " at ".
type atMark struct {
	start, end int
	kind       byte
}

func scanEmails(text string) iter.Seq[Finding] {
	return func(yield func(Finding) bool) {
		last := 0 // end of the previous address: a local part does not reach back before it
		for i := 0; i < len(text); {
			m, ok := nextAt(text, i)
			if !ok {
				return
			}
			if f, ok := readEmail(text, last, m); ok {
				if !yield(f) {
					return
				}
				last, i = f.end(), f.end()
				continue
			}
			i = m.end
		}
	}
}

// nextAt finds the next at-mark at or after i.
func nextAt(text string, i int) (atMark, bool) {
	for ; i < len(text); i++ {
		switch c := text[i]; c {
		case '@':
			return atMark{i, i + 1, '@'}, true
		case 0xEF:
			if strings.HasPrefix(text[i:], "＠") {
				return atMark{i, i + len("＠"), '@'}, true
			}
		case '[', '(', '{', '<':
			if n := bracketWord(text[i:], "at"); n > 0 {
				return atMark{i, i + n, 'b'}, true
			}
		case 'a', 'A':
			if i > 0 && text[i-1] == ' ' && len(text) > i+2 && (text[i+1] == 't' || text[i+1] == 'T') && text[i+2] == ' ' {
				return atMark{i, i + 2, 'w'}, true
			}
		}
	}
	return atMark{}, false
}

// bracketWord returns the length of "[word]" (or (word), {word}, <word>,
// any case) at the start of s, or 0.
func bracketWord(s, textWord string) int {
	if len(s) < len(textWord)+2 {
		return 0
	}
	k := strings.IndexByte("[({<", s[0])
	if k < 0 || !strings.EqualFold(s[1:1+len(textWord)], textWord) || s[1+len(textWord)] != "])}>"[k] {
		return 0
	}
	return len(textWord) + 2
}

func isLocalRune(r rune) bool {
	return isWordRune(r) || digitValue(r) >= 0 || strings.ContainsRune("._+-%'", r)
}

func isLabelRune(r rune) bool { return isWordRune(r) || digitValue(r) >= 0 || r == '-' }

// readEmail reads the address around m, if there is one.
func readEmail(text string, last int, m atMark) (Finding, bool) {
	localEnd, domStart := m.start, m.end
	if m.kind != '@' {
		localEnd = len(strings.TrimRight(text[:localEnd], " "))
		domStart += len(text[domStart:]) - len(strings.TrimLeft(text[domStart:], " "))
		if m.start-localEnd > 2 || domStart-m.end > 2 {
			return Finding{}, false
		}
	}
	start := localEnd
	for start > last && localEnd-start < 64 {
		r, sz := utf8.DecodeLastRuneInString(text[:start])
		if !isLocalRune(r) {
			break
		}
		start -= sz
	}
	for start < localEnd && text[start] == '.' {
		start++
	}
	local := text[start:localEnd]
	if local == "" || strings.HasSuffix(local, ".") || strings.Contains(local, "..") ||
		strings.IndexFunc(local, func(r rune) bool { return isWordRune(r) || digitValue(r) >= 0 }) < 0 {
		return Finding{}, false
	}
	// The domain: labels joined by dots, written "." or [dot] or, after a
	// bracketed or plain-word at, " dot ".
	var labels []string
	pos, end, wordDot := domStart, domStart, false
	for pos-domStart <= 253 {
		l := pos
		for l < len(text) {
			r, sz := utf8.DecodeRuneInString(text[l:])
			if !isLabelRune(r) {
				break
			}
			l += sz
		}
		label := text[pos:l]
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			break
		}
		labels, end = append(labels, label), l
		n := dotMark(text[l:], m.kind != '@')
		if n == 0 {
			break
		}
		wordDot = wordDot || text[l] != '.'
		pos = l + n
	}
	if len(labels) < 2 || (m.kind == 'w' && !wordDot) {
		return Finding{}, false
	}
	if tld := labels[len(labels)-1]; !(utf8.RuneCountInString(tld) >= 2 && strings.IndexFunc(tld, func(r rune) bool { return !unicode.IsLetter(r) }) < 0) &&
		!(len(tld) > 4 && strings.EqualFold(tld[:4], "xn--")) {
		return Finding{}, false
	}
	return Finding{Kind: findingEmail, Text: text[start:end], Offset: start}, true
}

// dotMark returns the length of the dot at the start of s followed by a
// label: ".", [dot] (or (dot), {dot}, <dot>) with or without one space
// either side, and when words are allowed " dot " in any case.
func dotMark(s string, words bool) int {
	n := 0
	switch {
	case strings.HasPrefix(s, "."):
		n = 1
	case bracketWord(s, "dot") > 0:
		n = bracketWord(s, "dot")
	case strings.HasPrefix(s, " ") && bracketWord(s[1:], "dot") > 0:
		n = 1 + bracketWord(s[1:], "dot")
	case words && len(s) >= 5 && strings.EqualFold(s[:5], " dot "):
		return 5 * oneIf(startsLabel(s[5:]))
	default:
		return 0
	}
	if n > 1 && strings.HasPrefix(s[n:], " ") {
		n++
	}
	return n * oneIf(startsLabel(s[n:]))
}

func startsLabel(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r) || digitValue(r) >= 0
}
