package parley

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/match"
)

// What a social channel refuses to carry: phone numbers, e-mail addresses
// and the names of listed persons in a message's free text. The sender sees
// what triggered the refusal (Finding.String) and may rephrase.
//
// Decisions, each made so that a refusal is rare in ordinary letters but a
// contact detail or a listed name written any usual way is caught:
//
//   - Phone numbers: a run of digit groups joined by a space, a dot, a
//     hyphen, a slash or parentheses, with 7 to 15 digits (E.164), not
//     counting an international prefix (+ or 00) or a "(0)" trunk digit.
//     Digits of any script count (fullwidth ０-９, Arabic-Indic ٠-٩…). A run
//     is not a phone number when it is part of a longer token (a letter, a
//     digit, "#", "№" or a currency sign touches it: ids, "#41"; IBAN-like
//     strings are skipped whole), when "%", a currency sign, a decimal part
//     or a time follows it, or when it reads as something else: a date
//     (2026-11-23, 23.11.2026, 23/11/2026), years (2019 2020, 2019-2026), a
//     reference (2026/000123), an IPv4 address, a version or clause number
//     (1.2.3, 1003.1-2001), a decimal (1234567.89), a range (1200-1350,
//     1000 - 5000, and any en dash: 1000–5000), a ZIP+4 code, a card number
//     or fingerprint (three groups of four digits or more), one digit
//     repeated, or an amount. Amounts: digits grouped by thousands (1 000 000,
//     12.500.000) are an amount, except three groups of three (512 345 678,
//     the national format of Poland, Czechia, Spain and Portugal), which are
//     a phone number unless they end in 000 or a currency sign or word
//     stands next to them; so "146 171 015 people" is refused, and the
//     sender writes 146,171,015. Two groups are a phone number when the
//     first has a trunk 0 or two or three digits (555-0143, 030/1234567),
//     or both have four (2345 6789). A run without separators is one only
//     with an international prefix, with the trunk prefix 0 and 9–12
//     digits, or with 10 digits (North America) or 11 starting with 1, 7 or
//     8, and not when it ends in 000.
//   - E-mail addresses: local@domain.tld with letters of any script (IDN
//     domains in Unicode), digits and . _ + - % ' in the local part; the
//     top-level domain is letters (or xn--). Obfuscated forms are caught
//     when the "at" is bracketed — name [at] example [dot] org, name(at)
//     example.org — or when a plain " at " is followed by a domain written
//     with " dot " (name at example dot org). A plain "at" with no dot word
//     ("user at home", "I work at example.org") is not an address.
//   - Names: see Detector.
//
// Texts longer than dlpMaxScanBytes (1 MiB) are scanned on their first
// dlpMaxScanBytes only: free text on a social channel is far shorter, and a
// caller that accepts longer text must refuse it or scan it in parts.

// Limits of a scan and of a name list.
const (
	dlpMaxScanBytes = 1 << 20
	dlpMaxFindings  = 20

	dlpMaxNameBytes = 256     // one listed name
	dlpMaxLineBytes = 1024    // one line of a names file
	dlpMaxNames     = 100_000 // names in one list
	dlpMaxWordBytes = 64      // longer "words" are not names
	dlpMaxWindow    = 4       // words in one name window
	dlpMemoCap      = 1 << 16
	dlpMaxGroups    = 12 // digit groups of one phone number
)

// The kinds of Finding.
const (
	findingPhone = "phone"
	findingEmail = "email"
	findingName  = "name"
)

// errUnusableName is wrapped by the errors of NewDetector and ReadNames for a
// listed name that cannot be used.
var errUnusableName = errors.New("unusable name")

// Finding is something in free text that a social channel must not carry.
type Finding struct {
	Kind   string // "phone", "email" or "name"
	Text   string // the exact substring of the text that triggered it
	Offset int    // byte offset of Text in the scanned text
	Detail string // for names: which listed name it matched and why (e.g. the match evidence); else ""
}

// String says what was found, for the refusal shown to the sender:
// phone number "+33 1 23 45 67 89", e-mail address "a@b.fr",
// name "Нарышкин" (listed as Sergey Naryshkin).
func (f Finding) String() string {
	switch f.Kind {
	case findingPhone:
		return fmt.Sprintf("phone number %q", f.Text)
	case findingEmail:
		return fmt.Sprintf("e-mail address %q", f.Text)
	case findingName:
		if rest, ok := strings.CutPrefix(f.Detail, "listed as "); ok {
			if q, err := strconv.QuotedPrefix(rest); err == nil {
				if dlpListed, err := strconv.Unquote(q); err == nil {
					return fmt.Sprintf("name %q (listed as %s)", f.Text, dlpListed)
				}
			}
		}
		return fmt.Sprintf("name %q", f.Text)
	}
	return fmt.Sprintf("%s %q", f.Kind, f.Text)
}

func (f Finding) end() int { return f.Offset + len(f.Text) }

// Detector finds phone numbers, e-mail addresses and listed personal names in free text.
// It is safe for concurrent use; a nil *Detector or one with no names still finds phones and e-mails.
//
// Names are matched with internal/match (docs/matching.md): every window of
// one to four consecutive words (letters of any script) that could be part
// of a listed name is looked up in a match.Index of the list, so Сергей
// Нарышкин, Sergueï Narychkine, S. Naryshkin, Naryshkin, Sergey and Сергея
// Нарышкина all match "Sergey Naryshkin". A window is a finding when
//
//   - it matches a listed name at or above match.DefaultThreshold, every
//     word of it is part of that name (a patronymic or middle name the list
//     lacks is allowed: "Sergey Evgenyevich Naryshkin"), and the surname is
//     matched by a word, not an initial ("Sergei N." is too many people).
//     The threshold is the matcher's measured operating point; a window
//     written all in lower case ("john smith") or holding an initial
//     ("S. Naryshkin") is weaker evidence, so its words must be spelt as
//     listed or transliterated, without a typo (similarity ≥ 0.95).
//   - it is the listed name's surname alone (Нарышкин, Narychkine,
//     Prigojine, Dr. Smith), when the surname has at least five letters, the
//     word is spelt as listed (diacritics aside) or is the surname's
//     spelling under a transliteration system, or is a Latin variant of
//     seven letters or more (Narychkine for Naryshkin), and the word is
//     written as a name: capitalised (Naryshkin), in capitals if it has six
//     letters or more (NARYSHKIN), or in a script without case; and not a
//     sentence's first word that the same text also writes in lower case.
//     Ordinary words that are also surnames are thereby ignored when written
//     as words (park, brown), short surnames (Li, Kim, Park) never trigger
//     alone, and a given name alone never does. A capitalised word that is
//     a listed surname still triggers (Green in "said Green"), and so do
//     German nouns, which are all capitalised (Kanal).
//
// Russian and Ukrainian case endings are read back to the nominative in
// capitalised and lower-case words (Нарышкиным, Пригожина, Сергея →
// Нарышкин, Пригожин, Сергей); a surname alone counts inflected only when
// its nominative has a Russian surname's ending (-ов, -ин, -ский…). The
// genitive of a listed man's surname is spelt like his wife's surname
// (Нарышкина), so both trigger. The English possessive is read (Naryshkin's);
// inflections of other Latin-script languages (Polish Naryszkina) are not.
// A one-word listed name triggers on that word in any case: list full names.
//
// Cost: a word is looked up only when its keys (match.Keys) meet a listed
// word's keys, exactly, with one typo, by consonants across Arabic script
// or once a Russian case ending is removed; a capitalised word next to it
// may join the window (a cognate: Nikolai for Mykola). The analysis of a
// spelling is remembered (up to 65,536 spellings), so a 10 KB letter is
// scanned against 1,000 names in about 0.6 ms once its words have been seen
// and 4 ms when none has (BenchmarkScan, BenchmarkScanCold); a megabyte of
// prose takes about 35 ms, a megabyte of random words about a second.
type Detector struct {
	ix         *match.Index
	keys       map[string]bool // skeleton keys of listed words → whether a one-word name has it
	dels       map[string]bool // one-deletion variants of listed keys of 5 symbols or more
	cons       map[string]bool // consonant keys of listed words
	consArabic map[string]bool // consonant keys of listed words in Arabic script
	stems      map[string]bool // listed keys and those keys without their last one or two symbols
	looseKeys  map[string]bool // loose consonant keys of listed words (see looseKey)
	window     int             // longest window worth looking up

	mu   sync.Mutex
	memo map[string]wordInfo // analysed words, reset when full
}

// wordInfo is what a word of a text is to the list.
type wordInfo struct {
	cand   bool   // a listed word could be spelt this way
	single bool   // and that listed word is a one-word name on its own
	form   string // the word to look up, when not the word itself (a nominative)
}

// NewDetector returns a detector for the given names: one person's name per
// entry, in any script and order, with or without patronymic. Entries are
// taken as they are: a names file's comments and blank lines are skipped by
// ReadNames, and an empty entry here is an error. An entry that is not
// UTF-8, is longer than 256 bytes, holds a control character or has no
// letters is refused with an error that gives its index and why.
// Duplicates are allowed. NewDetector(nil) finds phones and e-mails only.
func NewDetector(names []string) (*Detector, error) {
	if len(names) > dlpMaxNames {
		return nil, fmt.Errorf("name list: %d names, at most %d: %w", len(names), dlpMaxNames, errUnusableName)
	}
	d := &Detector{
		ix:   match.NewIndex(),
		keys: map[string]bool{}, dels: map[string]bool{}, cons: map[string]bool{},
		consArabic: map[string]bool{}, stems: map[string]bool{}, looseKeys: map[string]bool{},
		memo: map[string]wordInfo{},
	}
	entries := make([]match.Entry, 0, len(names))
	for i, n := range names {
		if why := unusableName(n); why != "" {
			return nil, fmt.Errorf("name %d %q: %w: %s", i, clipName(n), errUnusableName, why)
		}
		entries = append(entries, match.Entry{ID: strconv.Itoa(i), Name: n})
		words := match.Keys(n)
		d.window = max(d.window, min(len(words)+1, dlpMaxWindow))
		arabic := strings.ContainsFunc(n, func(r rune) bool { return unicode.Is(unicode.Arabic, r) })
		for _, ks := range words {
			for _, k := range ks {
				d.addKey(k, len(words) == 1, arabic)
			}
		}
	}
	for i, err := range d.ix.AddAll(entries) {
		if err != nil {
			return nil, fmt.Errorf("name %d %q: %w: %w", i, clipName(names[i]), errUnusableName, err)
		}
	}
	return d, nil
}

func (d *Detector) addKey(k string, single, arabic bool) {
	d.keys[k] = d.keys[k] || single
	if c := consonantKey(k); len(c) >= 3 {
		d.cons[c] = d.cons[c] || single
		if arabic {
			d.consArabic[c] = d.consArabic[c] || single
		}
	}
	for j := 0; j <= 2 && len(k)-j >= 3 && len(k) >= 4; j++ {
		d.stems[k[:len(k)-j]] = true
	}
	d.looseKeys[looseKey(k)] = true
	if len(k) >= 5 {
		for i := range len(k) {
			v := k[:i] + k[i+1:]
			d.dels[v] = d.dels[v] || single
		}
	}
}

// unusableName says why s cannot be a listed name, or "".
func unusableName(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "not UTF-8"
	case len(s) > dlpMaxNameBytes:
		return fmt.Sprintf("longer than %d bytes", dlpMaxNameBytes)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "holds a control character"
	case strings.IndexFunc(s, unicode.IsLetter) < 0 || match.Normalise(s) == "":
		return "has no letters"
	}
	return ""
}

func clipName(s string) string {
	if len(s) > 40 {
		s = strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// ReadNames reads a names file: UTF-8, one person's name per line, a byte
// order mark allowed, surrounding spaces trimmed; blank lines and lines
// starting with # are skipped. Lines longer than 1,024 bytes and names
// NewDetector would refuse are reported with their line numbers (up to ten
// of them, joined), and then no names are returned.
func ReadNames(r io.Reader) ([]string, error) {
	lr := match.NewLineReader(r)
	var names []string
	var errs []error
	for len(errs) < 10 {
		s, err := lr.Next()
		var row *match.RowError
		if err == io.EOF {
			break
		} else if errors.As(err, &row) {
			errs = append(errs, fmt.Errorf("line %d: %w: longer than %d bytes", row.Line, errUnusableName, dlpMaxLineBytes))
			continue
		} else if err != nil {
			return nil, fmt.Errorf("read names: %w", err)
		}
		s = strings.TrimSpace(s)
		why := unusableName(s)
		switch {
		case s == "" || s[0] == '#':
		case len(s) > dlpMaxLineBytes:
			errs = append(errs, fmt.Errorf("line %d: %w: longer than %d bytes", lr.Line(), errUnusableName, dlpMaxLineBytes))
		case why != "":
			errs = append(errs, fmt.Errorf("line %d: %w: %s", lr.Line(), errUnusableName, why))
		case len(names) >= dlpMaxNames:
			errs = append(errs, fmt.Errorf("line %d: %w: more than %d names", lr.Line(), errUnusableName, dlpMaxNames))
		default:
			names = append(names, s)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("read names: %w", errors.Join(errs...))
	}
	return names, nil
}

// Scan returns what text must not carry on a social channel, in order of
// Offset, at most 20 findings, none overlapping another: where candidates
// overlap (an e-mail address made of a name, a phone number in an address)
// the longest is kept. Any input is accepted; invalid UTF-8 separates words.
// Only the first 1 MiB of text is scanned.
func (d *Detector) Scan(text string) []Finding {
	if len(text) > dlpMaxScanBytes {
		text = text[:dlpMaxScanBytes]
	}
	srcs := []iter.Seq[Finding]{scanPhones(text), scanEmails(text)}
	if d != nil && d.window > 0 {
		srcs = append(srcs, d.names(text))
	}
	var pulls []func() (Finding, bool)
	var heads []Finding
	var live []bool
	for _, s := range srcs {
		next, stop := iter.Pull(s)
		defer stop()
		f, ok := next()
		pulls, heads, live = append(pulls, next), append(heads, f), append(live, ok)
	}
	// Candidates arrive in order of Offset; a cluster is a maximal run of
	// overlapping ones, resolved longest first. A cluster is cut at 32 to
	// bound the work; what overlaps its result afterwards is dropped.
	var out, cluster []Finding
	clusterEnd, barrier := 0, 0
	flush := func() {
		slices.SortStableFunc(cluster, func(a, b Finding) int {
			if len(a.Text) != len(b.Text) {
				return len(b.Text) - len(a.Text)
			}
			return a.Offset - b.Offset
		})
		n := len(out)
		for _, c := range cluster {
			if !slices.ContainsFunc(out[n:], func(o Finding) bool { return c.Offset < o.end() && o.Offset < c.end() }) {
				out = append(out, c)
			}
		}
		slices.SortFunc(out[n:], func(a, b Finding) int { return a.Offset - b.Offset })
		for _, o := range out[n:] {
			barrier = max(barrier, o.end())
		}
		cluster = cluster[:0]
	}
	for len(out) < dlpMaxFindings {
		best := -1
		for i := range heads {
			if live[i] && (best < 0 || heads[i].Offset < heads[best].Offset) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		c := heads[best]
		heads[best], live[best] = pulls[best]()
		if c.Offset < barrier {
			continue
		}
		if len(cluster) > 0 && (c.Offset >= clusterEnd || len(cluster) == 32) {
			flush()
			if c.Offset < barrier {
				continue
			}
		}
		if len(cluster) == 0 {
			clusterEnd = 0
		}
		cluster = append(cluster, c)
		clusterEnd = max(clusterEnd, c.end())
	}
	if len(out) < dlpMaxFindings {
		flush()
	}
	return out[:min(len(out), dlpMaxFindings)]
}

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

func isSpaceSep(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' || r == '\u2007'
}

// isDash reports whether r joins the groups of a phone number: hyphens and
// the figure dash, not the en dash of ranges (1000–5000).
func isDash(r rune) bool { return r == '-' || (r >= '\u2010' && r <= '\u2012') }

// digitValue returns the value of a decimal digit of any script, or -1.
// Decimal digits are encoded in contiguous runs of whole 0–9 sets (a
// Unicode stability policy), so every range of unicode.Nd starts at a zero.
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x80 || !unicode.IsDigit(r) {
		return -1
	}
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// isPhone applies the rules in the comment at the top of this file.
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

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsMark(r) }

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

// oneIf counts b.
func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- names ----

// textWord is a run of letters of a text (with apostrophes inside).
type textWord struct {
	start, end int
	letters    int
	info       wordInfo
	joined     bool // only spaces and one . , or - separate it from the word before
	initial    bool // one capital letter and a period
	caps       byte // 'l' lower case, 'T' capitalised, 'U' all capitals, 'n' no case
	first      bool // the first word of a sentence
	long       bool // too long to be a name
}

// nameScan is the state of one Scan's search for names.
type nameScan struct {
	d       *Detector
	text    string
	lookups map[string]windowLookup
	lower   map[string]bool // words the text writes in lower case, built when needed
}

// windowLookup is what the index says about a window's words.
type windowLookup struct {
	full, lone bool    // a full match; the surname alone
	minSim     float64 // of a full match: the lowest similarity of a matched word
	detail     string
}

func (d *Detector) names(text string) iter.Seq[Finding] {
	return func(yield func(Finding) bool) {
		s := &nameScan{d: d, text: text, lookups: map[string]windowLookup{}}
		var buf []textWord
		pos, prevEnd := 0, -1
		for {
			for len(buf) < d.window {
				w, ok := s.nextWord(pos, prevEnd)
				if !ok {
					break
				}
				buf = append(buf, w)
				pos, prevEnd = w.end, w.end
			}
			if len(buf) == 0 {
				return
			}
			n := 1
			if f, size, ok := s.at(buf); ok {
				if !yield(f) {
					return
				}
				n = size
			}
			buf = append(buf[:0], buf[n:]...)
		}
	}
}

var nameApostrophes = "'’ʼʹ"

// nextWord returns the first word at or after pos; prevEnd is the end of
// the word before, or -1.
func (s *nameScan) nextWord(pos, prevEnd int) (textWord, bool) {
	w, ok := wordAt(s.text, pos)
	if !ok {
		return w, false
	}
	if prevEnd >= 0 {
		w.joined = joinsName(s.text[prevEnd:w.start])
	}
	w.first = startsSentence(s.text, w.start)
	if !w.long && w.letters > 1 { // a single letter is an initial or nothing
		w.info = s.d.info(s.text[w.start:w.end])
	}
	return w, true
}

// wordAt returns the first word at or after pos, without its analysis.
func wordAt(text string, pos int) (textWord, bool) {
	for pos < len(text) {
		r, sz := utf8.DecodeRuneInString(text[pos:])
		if unicode.IsLetter(r) {
			break
		}
		pos += sz
	}
	if pos >= len(text) {
		return textWord{}, false
	}
	w := textWord{start: pos}
	upper, lower := 0, 0
	var firstRune rune
scan:
	for pos < len(text) {
		r, sz := utf8.DecodeRuneInString(text[pos:])
		switch {
		case unicode.IsLetter(r):
			if w.letters == 0 {
				firstRune = r
			}
			w.letters++
			upper += oneIf(unicode.IsUpper(r) || unicode.IsTitle(r))
			lower += oneIf(unicode.IsLower(r))
		case unicode.IsMark(r):
		case strings.ContainsRune(nameApostrophes, r):
			next, nsz := utf8.DecodeRuneInString(text[pos+sz:])
			after, _ := utf8.DecodeRuneInString(text[pos+sz+nsz:])
			if !unicode.IsLetter(next) || ((next == 's' || next == 'S') && !unicode.IsLetter(after)) {
				break scan // not inside a word, or a possessive 's
			}
			if p := text[w.start:pos]; (w.letters == 1 && upper == 0) || p == "qu" || p == "Qu" {
				// A French or Italian elision: the word starts after it (l'Ukraine, d'Evgueni).
				w, upper, lower = textWord{start: pos + sz}, 0, 0
			}
		default:
			break scan
		}
		pos += sz
	}
	w.end = pos
	w.initial = w.letters == 1 && upper == 1 && strings.HasPrefix(text[pos:], ".")
	w.long = pos-w.start > dlpMaxWordBytes
	switch {
	case upper == 0 && lower == 0:
		w.caps = 'n'
	case upper == 0:
		w.caps = 'l'
	case lower == 0 && w.letters > 1:
		w.caps = 'U'
	case unicode.IsUpper(firstRune) || unicode.IsTitle(firstRune):
		w.caps = 'T'
	default:
		w.caps = 'l' // iPhone, mcDonald: not a capitalised word
	}
	return w, true
}

// joinsName reports whether gap may separate two words of one name.
func joinsName(gap string) bool {
	if utf8.RuneCountInString(gap) > 4 {
		return false
	}
	var dot, comma, dash, nl int
	for _, r := range gap {
		switch {
		case r == '.':
			dot++
		case r == ',':
			comma++
		case isDash(r):
			dash++
		case r == '\n':
			nl++
		case r == ' ' || r == '\t' || r == '\r' || isSpaceSep(r):
		default:
			return false
		}
	}
	return dot <= 1 && comma <= 1 && dash <= 1 && nl <= 1
}

// startsSentence reports whether the word at i begins a sentence: it opens
// the text or a line, or follows . ! ? … (a period after a capitalised
// abbreviation of up to three letters, Dr. or S., ends no sentence).
func startsSentence(text string, i int) bool {
	for n := 0; i > 0 && n < 8; n++ {
		r, sz := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case r == '\n' || r == '!' || r == '?' || r == '…':
			return true
		case r == '.':
			j, letters := i-sz, 0
			var first rune
			for j > 0 && letters < 4 {
				p, psz := utf8.DecodeLastRuneInString(text[:j])
				if !unicode.IsLetter(p) {
					break
				}
				first, letters, j = p, letters+1, j-psz
			}
			return letters == 0 || letters > 3 || !unicode.IsUpper(first)
		case unicode.IsSpace(r) || strings.ContainsRune("\"'«»„“”‘’([{—–-*•", r):
			i -= sz
		default:
			return false
		}
	}
	return i == 0
}

// at looks for a name in the first words of buf; it returns the finding
// and how many words it spans.
func (s *nameScan) at(buf []textWord) (Finding, int, bool) {
	for n := len(buf); n >= 1; n-- {
		win := buf[:n]
		cands, joins, initials := 0, 0, 0
		ok := true
		for k, w := range win {
			switch {
			case w.long || (k > 0 && !w.joined):
				ok = false
			case w.info.cand:
				cands++
			case w.initial:
				initials++
			case (w.caps == 'T' || w.caps == 'U') && w.letters >= 3:
				joins++ // a capitalised word that may be a cognate or variant the keys miss (Nikolai for Mykola)
			default:
				ok = false
			}
		}
		if !ok || cands == 0 || joins > 1 || initials > 2 {
			continue
		}
		if n == 1 && !win[0].info.single && win[0].caps == 'l' {
			continue // a lower-case word alone is a name only if a one-word name is listed as it
		}
		forms := make([]string, n)
		inflected := ""
		for k, w := range win {
			forms[k] = s.text[w.start:w.end]
			if w.info.form != "" {
				inflected += fmt.Sprintf("; read %s as %s", forms[k], w.info.form)
				forms[k] = w.info.form
			}
		}
		q := strings.Join(forms, " ")
		lk, done := s.lookups[q]
		if !done {
			lk = s.d.lookupWindow(q)
			s.lookups[q] = lk
		}
		// A window in lower case or with an initial is weaker evidence of a
		// name: its words must be spelt as listed or transliterated.
		weak := initials > 0 || !slices.ContainsFunc(win, func(w textWord) bool { return w.caps != 'l' })
		if (lk.full && (!weak || lk.minSim >= loneSurnameSimilarity)) || (lk.lone && cands == 1 && s.properNoun(win)) {
			start, end := win[0].start, win[n-1].end
			return Finding{Kind: findingName, Text: s.text[start:end], Offset: start, Detail: lk.detail + inflected}, n, true
		}
	}
	return Finding{}, 0, false
}

// properNoun reports whether the window's candidate word is written as a
// surname: capitalised (or in a script without case; in capitals, when it
// has six letters or more), not a sentence's first word that the text also
// writes in lower case, and when inflected, a case of a Russian surname.
func (s *nameScan) properNoun(win []textWord) bool {
	for _, w := range win {
		if !w.info.cand {
			continue
		}
		switch {
		case w.caps == 'l':
			return false
		case w.caps == 'U' && w.letters < 6:
			return false // GREEN, WHITE: an acronym or a value more often than a surname
		case w.info.form != "" && !surnameForm(w.info.form):
			return false // only a surname's cases are read back to the nominative here
		}
		if w.first {
			if s.lower == nil {
				s.lower = map[string]bool{}
				for p := 0; ; {
					x, ok := wordAt(s.text, p)
					if !ok {
						break
					}
					if x.caps == 'l' {
						s.lower[s.text[x.start:x.end]] = true
					}
					p = x.end
				}
			}
			if s.lower[strings.ToLower(s.text[w.start:w.end])] {
				return false
			}
		}
	}
	return true
}

// lookupWindow asks the index about the words of a window.
func (d *Detector) lookupWindow(q string) windowLookup {
	hits := d.ix.Match(match.Query{Name: q}, 5)
	for _, h := range hits {
		if sim, ok := fullMatch(h); ok {
			return windowLookup{full: true, minSim: sim, detail: fmt.Sprintf("listed as %q: %s; score %.2f", h.Name, h.Explain(), h.Score)}
		}
	}
	for _, h := range hits {
		if loneSurname(h) {
			return windowLookup{lone: true, detail: fmt.Sprintf("listed as %q: %s; the surname alone", h.Name, h.Explain())}
		}
	}
	return windowLookup{}
}

// fullMatch reports whether a hit is a match (DefaultThreshold) in which
// every word of the window is part of the name (or a patronymic or middle
// name the list lacks) and the surname, when the name has one, is matched
// by a word rather than an initial: "Sergei S." matches too many people.
// It returns the lowest similarity of a word matched to a word.
func fullMatch(h match.Hit) (minSim float64, ok bool) {
	if h.Score < match.DefaultThreshold {
		return 0, false
	}
	minSim, surname, matched := 1.0, false, false
	for _, e := range h.Evidence {
		switch e.Kind {
		case match.TokenExtra:
			if e.Role != "patronymic" && e.Role != "middle name" {
				return 0, false
			}
		case match.TokenMatch:
			if e.How != "initial" {
				minSim = min(minSim, e.Score)
			}
			if e.Role == "surname" {
				matched = e.How != "initial"
			}
			surname = surname || e.Role == "surname"
		case match.TokenAbsent:
			surname = surname || e.Role == "surname"
		}
	}
	return minSim, matched || !surname
}

// loneSurname reports whether a hit pairs its surname, of five letters or
// more, and nothing else but particles, with a word of four letters or
// more that is spelt the same (diacritics aside) or is the surname's
// spelling under a transliteration system (Нарышкин, Naryshkin). A Latin
// spelling matched to another only through the skeleton ("transliteration
// variants": Narychkine for Naryshkin) needs seven letters or more, and a
// looser match does not count: short words meet too many surnames that
// way (Vice and Vists, Чаще and Khash, Michel and Mitchell).
func loneSurname(h match.Hit) bool {
	surname := false
	for _, e := range h.Evidence {
		switch {
		case e.Kind == match.TokenExtra:
			return false
		case e.Kind != match.TokenMatch || e.Role == "particle":
		case e.Role == "surname" && e.Score >= loneSurnameSimilarity && utf8.RuneCountInString(e.Entry) >= 5:
			n := utf8.RuneCountInString(e.Query)
			switch {
			case n < 4:
			case e.How == "" || e.How == "diacritics differ":
				surname = true
			case strings.HasPrefix(e.How, "via ") && e.How != "via transliteration":
				surname = true
			case e.How == "transliteration variants":
				surname = n >= 7
			}
		default:
			return false
		}
	}
	return surname
}

// loneSurnameSimilarity is the token similarity a surname alone needs: a
// transliteration variant (0.96) or better, not a typo (0.88 at most) nor
// an Arabic-script consonant match (0.90); see docs/matching.md.
const loneSurnameSimilarity = 0.95

// info analyses a word of a text against the list, once per spelling.
func (d *Detector) info(w string) wordInfo {
	d.mu.Lock()
	wi, ok := d.memo[w]
	d.mu.Unlock()
	if ok {
		return wi
	}
	wi = d.analyse(w)
	wi.form = strings.Clone(wi.form) // not a piece of the text, which the memo must not keep
	d.mu.Lock()
	if len(d.memo) >= dlpMemoCap {
		clear(d.memo)
	}
	d.memo[strings.Clone(w)] = wi
	d.mu.Unlock()
	return wi
}

func (d *Detector) analyse(w string) wordInfo {
	script := match.DetectScript(w)
	if script == match.ScriptCyrillic {
		// The keys of a Cyrillic word are its spellings under every system
		// (about 14 µs); most words of a letter are ruled out first by
		// their English spelling (about 2 µs), compared loosely.
		gate := slices.Concat(match.Keys(match.Transliterate(w, match.English))...)
		if _, ok := d.near(gate, script); !ok && !d.stemmed(gate) && !slices.ContainsFunc(gate, func(k string) bool { return d.looseKeys[looseKey(k)] }) {
			return wordInfo{}
		}
	}
	keys := slices.Concat(match.Keys(w)...)
	if cand, single := d.exact(keys); cand {
		return wordInfo{cand: true, single: single}
	}
	if script == match.ScriptCyrillic && d.stemmed(keys) {
		for _, lemma := range nominatives(w) {
			if cand, single := d.exact(slices.Concat(match.Keys(lemma)...)); cand {
				return wordInfo{cand: true, single: single, form: lemma}
			}
		}
	}
	if single, ok := d.near(keys, script); ok {
		return wordInfo{cand: true, single: single}
	}
	return wordInfo{}
}

// near reports whether a key is a listed key with one typo, or has the
// consonants of a listed key across Arabic script and the others.
func (d *Detector) near(keys []string, script match.Script) (single, ok bool) {
	cons := d.consArabic
	if script == match.ScriptArabic {
		cons = d.cons
	}
	for _, k := range keys {
		if single, ok := d.keys[k]; ok {
			return single, true
		}
		if single, ok := d.dels[k]; ok {
			return single, true
		}
		if single, ok := cons[consonantKey(k)]; ok {
			return single, true
		}
		if len(k) >= 5 {
			for i := range len(k) {
				v := k[:i] + k[i+1:]
				if single, ok := d.keys[v]; ok {
					return single, true
				}
				if single, ok := d.dels[v]; ok {
					return single, true
				}
			}
		}
	}
	return false, false
}

func (d *Detector) exact(keys []string) (cand, single bool) {
	for _, k := range keys {
		if s, ok := d.keys[k]; ok {
			cand, single = true, single || s
		}
	}
	return cand, single
}

// stemmed reports whether a key of a Cyrillic word, without its last one
// to three symbols, is a listed key without its last zero to two: a cheap
// test before the word's nominatives are tried.
func (d *Detector) stemmed(keys []string) bool {
	for _, k := range keys {
		for j := 1; j <= 3 && len(k)-j >= 3; j++ {
			if d.stems[k[:len(k)-j]] {
				return true
			}
		}
	}
	return false
}

// caseEndings are Russian and Ukrainian case endings of names and the
// nominative endings they come from: Нарышкиным → Нарышкин, Сергея →
// Сергей, Игорю → Игорь, Зеленского → Зеленский, Анны → Анна, Марии → Мария.
var caseEndings = [][2]string{
	{"ым", ""}, {"ом", ""}, {"а", ""}, {"у", ""}, {"е", ""},
	{"я", "й"}, {"ю", "й"}, {"ем", "й"}, {"е", "й"}, {"и", "й"}, {"єм", "й"},
	{"я", "ь"}, {"ю", "ь"}, {"ем", "ь"}, {"е", "ь"},
	{"ого", "ий"}, {"ому", "ий"}, {"им", "ий"}, {"ом", "ий"}, {"ого", "ой"}, {"ому", "ой"}, {"ым", "ой"},
	{"ы", "а"}, {"и", "а"}, {"е", "а"}, {"у", "а"}, {"ой", "а"}, {"ою", "а"},
	{"и", "я"}, {"ю", "я"}, {"ей", "я"}, {"ею", "я"},
}

// surnameForm reports whether a nominative has a Russian surname's ending.
func surnameForm(n string) bool {
	n = strings.ToLower(n)
	for _, end := range []string{"ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ской", "ова", "ева", "ёва", "ина", "ына", "ская", "цкая"} {
		if strings.HasSuffix(n, end) {
			return true
		}
	}
	return false
}

// nominatives returns the nominatives a Cyrillic word may be a case of.
func nominatives(w string) []string {
	var out []string
	lw := strings.ToLower(w)
	if len(lw) != len(w) {
		return nil
	}
	for _, e := range caseEndings {
		if strings.HasSuffix(lw, e[0]) && utf8.RuneCountInString(lw)-utf8.RuneCountInString(e[0]) >= 3 {
			n := w[:len(w)-len(e[0])] + e[1]
			if strings.ToUpper(w) == w && w != lw {
				n = strings.ToUpper(n)
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// looseKey is a key's consonants with g and X (sh, zh, kh, h…) as one: the
// systems disagree on г (g, h), so a Cyrillic word's English spelling is
// compared with listed keys this way before its full analysis.
func looseKey(k string) string { return strings.ReplaceAll(consonantKey(k), "g", "X") }

// consonantKey is a key without its vowels, an initial vowel written a, as
// the index's consonant keys are (docs/matching.md): Mohammed, محمد → mXmd.
func consonantKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case strings.IndexByte("aeiou", c) < 0:
			b.WriteByte(c)
		case i == 0:
			b.WriteByte('a')
		}
	}
	return b.String()
}
