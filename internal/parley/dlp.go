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

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsMark(r) }

// oneIf counts b.
func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
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
