// Command gen writes the development set of the name matcher:
// dev_watchlist.csv (persons) and dev_queries.tsv (queries with the entry
// each should find, or none). Run it from the repository root:
//
//	go run ./internal/match/testdata/gen
//
// The output is deterministic (a fixed seed). The persons are fictional
// combinations of real names (plus the three people of the issue:
// Naryshkin, Prigozhin, Tsarnaev); Russian, Ukrainian, Belarusian, Chechen,
// Arabic and Western. The positive queries are the ways other sources write
// the same person: other romanisation conventions (written for this
// generator, in translit.go, independently of the matcher, plus a Spanish
// one the matcher does not know), hand-collected press spellings, Cyrillic
// or Arabic script for a Latin entry, word order swapped, a missing
// patronymic or middle name, initials, one typo, diacritics stripped,
// capitals, titles. The negative queries (about 30%) are relatives (same
// surname, other given name; siblings share the patronymic), namesakes
// born in another year, similar names (same given name, a surname with
// another ending or one letter changed…), and people who are not listed.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

type person struct {
	id     string
	n      int
	kind   string // ru uk be ce ar we
	female bool
	// East Slavic and Chechen: Cyrillic.
	given, patro, surname string
	forms                 [3]string // the given name in Russian, Ukrainian, Belarusian
	// Arabic: indexes into the pools.
	ag, af, fam int
	// Western.
	first, middle, last string
	dob, nat            string
	listed              string   // the primary name on the list
	aliasList           []string // its aliases
	latinOnly           bool     // the list has no Cyrillic or Arabic form
}

type query struct {
	text, dob, want string
}

type gen struct {
	r       *rand.Rand
	persons []*person
	used    map[string]bool // given|surname of listed persons, lower case
	queries []query
}

func main() {
	dir := flag.String("dir", "internal/match/testdata", "output directory")
	flag.Parse()
	g := &gen{r: rand.New(rand.NewPCG(2024, 11)), used: map[string]bool{}}
	g.makePersons()
	for _, p := range g.persons {
		g.positives(p)
	}
	nPos := len(g.queries)
	g.negatives(nPos * 3 / 7) // 30% of all queries
	if err := g.write(*dir); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "%d persons, %d queries (%d positive, %d negative)\n",
		len(g.persons), len(g.queries), nPos, len(g.queries)-nPos)
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *gen) chance(pct int) bool       { return g.r.IntN(100) < pct }

func key(a, b string) string { return strings.ToLower(a + "|" + b) }

func (g *gen) makePersons() {
	add := func(p *person) bool {
		k := key(p.given+p.first+fmt.Sprint(p.ag), p.surname+p.last+fmt.Sprint(p.fam))
		if g.used[k] {
			return false
		}
		g.used[k] = true
		p.n = len(g.persons) + 1
		p.id = fmt.Sprintf("%s-%03d", p.kind, p.n)
		p.dob = g.dob()
		g.persons = append(g.persons, p)
		return true
	}
	// The people of the issue.
	add(&person{kind: "ru", given: "Сергей", patro: "Евгеньевич", surname: "Нарышкин", forms: [3]string{"Сергей", "Сергій", "Сяргей"}})
	add(&person{kind: "ru", given: "Евгений", patro: "Викторович", surname: "Пригожин", forms: [3]string{"Евгений", "Євген", "Яўген"}})
	add(&person{kind: "ce", given: "Джохар", patro: "Анзорович", surname: "Царнаев"})
	for i, dob := range []string{"1954-10-27", "1961-06-01", "1993-07-22"} {
		g.persons[i].dob = dob
	}
	for _, n := range []struct {
		kind string
		n    int
	}{{"ru", 108}, {"uk", 45}, {"be", 12}, {"ce", 34}, {"ar", 60}, {"we", 50}} {
		for made := 0; made < n.n; {
			if add(g.randomPerson(n.kind)) {
				made++
			}
		}
	}
	for _, p := range g.persons {
		g.listForm(p)
		p.aliasList = p.aliases(g)
	}
}

func (g *gen) dob() string {
	y := 1950 + g.r.IntN(50)
	switch n := g.r.IntN(100); {
	case n < 75:
		return fmt.Sprintf("%04d-%02d-%02d", y, 1+g.r.IntN(12), 1+g.r.IntN(28))
	case n < 90:
		return fmt.Sprint(y)
	}
	return ""
}

func (g *gen) randomPerson(kind string) *person {
	p := &person{kind: kind}
	switch kind {
	case "ru", "uk", "be":
		p.female = g.chance(30)
		pool := slavicMale
		if p.female {
			pool = slavicFemale
		}
		f := pool[g.r.IntN(len(pool))]
		p.forms = f
		lang := map[string]int{"ru": 0, "uk": 1, "be": 2}[kind]
		p.given = f[lang]
		if p.given == "" {
			p.given = f[0]
		}
		father := slavicMale[g.r.IntN(len(slavicMale))]
		fa := father[lang]
		if fa == "" {
			fa = father[0]
		}
		p.patro = patronymic(fa, p.female, kind)
		switch kind {
		case "ru":
			p.surname = g.pick(russianSurnames)
		case "uk":
			p.surname = g.pick(ukrainianSurnames)
		case "be":
			p.surname = g.pick(belarusianSurnames)
		}
		if p.female {
			p.surname = feminine(p.surname, kind)
		}
	case "ce":
		p.given = g.pick(chechenMale)
		p.patro = patronymic(g.pick(chechenMale), false, "ru")
		p.surname = g.pick(chechenSurnames)
	case "ar":
		p.female = g.chance(20)
		p.ag = g.r.IntN(len(arabicGiven))
		if p.female {
			p.ag = -1 - g.r.IntN(len(arabicFemale))
		}
		p.af = g.r.IntN(len(arabicGiven))
		p.fam = g.r.IntN(len(arabicFamily))
	case "we":
		p.first, p.last = g.pick(westernFirst), g.pick(westernSurnames)
		if g.chance(20) {
			p.middle = g.pick(westernFirst)
		}
	}
	return p
}

// irregularPatronymics are [masculine, feminine] patronymics that the
// rules below do not give.
var irregularPatronymics = map[string][2]string{
	"Павел": {"Павлович", "Павловна"}, "Пётр": {"Петрович", "Петровна"}, "Дмитрий": {"Дмитриевич", "Дмитриевна"},
	"Георгий": {"Георгиевич", "Георгиевна"}, "Яков": {"Яковлевич", "Яковлевна"}, "Илья": {"Ильич", "Ильинична"},
	"Семён": {"Семёнович", "Семёновна"}, "Павло": {"Павлович", "Павлівна"}, "Петро": {"Петрович", "Петрівна"},
	"Микола": {"Миколайович", "Миколаївна"}, "Ілля": {"Ілліч", "Іллівна"}, "Дмитро": {"Дмитрович", "Дмитрівна"},
	"Кирило": {"Кирилович", "Кирилівна"}, "Михайло": {"Михайлович", "Михайлівна"}, "Пятро": {"Пятровіч", "Пятроўна"},
}

// patronymic forms the patronymic from the father's given name.
func patronymic(father string, female bool, kind string) string {
	if i := strings.IndexByte(father, '-'); i >= 0 {
		father = father[i+1:]
	}
	if p, ok := irregularPatronymics[father]; ok && p[0] != "" {
		if female {
			return p[1]
		}
		return p[0]
	}
	r := []rune(father)
	last := r[len(r)-1]
	stem := string(r[:len(r)-1])
	sex := func(m, f string) string {
		if female {
			return f
		}
		return m
	}
	switch kind {
	case "uk":
		switch {
		case last == 'й' || last == 'ь':
			return stem + sex("йович", "ївна")
		case last == 'о':
			return stem + sex("ович", "івна")
		}
		return father + sex("ович", "івна")
	case "be":
		switch {
		case last == 'й' || last == 'ь':
			return stem + sex("евіч", "еўна")
		case last == 'а':
			return stem + sex("іч", "ічна")
		}
		return father + sex("авіч", "аўна")
	}
	switch {
	case last == 'я' || last == 'а':
		return stem + sex("ич", "инична")
	case strings.HasSuffix(father, "ий"):
		return string(r[:len(r)-2]) + sex("ьевич", "ьевна") // Григорий → Григорьевич
	case last == 'й' || last == 'ь':
		return stem + sex("евич", "евна")
	}
	return father + sex("ович", "овна")
}

func feminine(s, kind string) string {
	for _, p := range [][2]string{{"ский", "ская"}, {"ський", "ська"}, {"ской", "ская"}, {"ов", "ова"},
		{"ёв", "ёва"}, {"ев", "ева"}, {"ин", "ина"}, {"ын", "ына"}, {"оў", "ова"}, {"аў", "ава"}, {"скі", "ская"}} {
		if strings.HasSuffix(s, p[0]) {
			return strings.TrimSuffix(s, p[0]) + p[1]
		}
	}
	return s
}

// listForm decides how the person is written on the watchlist.
func (g *gen) listForm(p *person) {
	switch p.kind {
	case "ru", "uk", "be", "ce":
		switch n := g.r.IntN(100); {
		case n < 40:
			p.listed = p.surname + " " + p.given + " " + p.patro
		case n < 65:
			p.listed = p.given + " " + p.patro + " " + p.surname
		case n < 85:
			p.listed = romanize(p.given+" "+p.patro+" "+p.surname, pickConv(g, p, "english", "bgn"), false)
			p.listed = stripAccents(p.listed)
			p.latinOnly = true
		default:
			p.listed = strings.ToUpper(romanize(p.surname+" "+p.given, "icao", p.kind == "uk"))
			p.latinOnly = true
		}
	case "ar":
		switch n := g.r.IntN(100); {
		case n < 75:
			p.listed = strings.Join([]string{p.givenName().roman[0], arabicGiven[p.af].roman[0], arabicFamily[p.fam].roman[0]}, " ")
			p.latinOnly = n >= 50
		default:
			p.listed = strings.Join([]string{p.givenName().script, arabicGiven[p.af].script, arabicFamily[p.fam].script}, " ")
		}
	case "we":
		p.listed = strings.Join(nonEmpty(p.first, p.middle, p.last), " ")
		p.latinOnly = true
	}
}

func (p *person) givenName() arabicName {
	if p.ag < 0 {
		return arabicFemale[-1-p.ag]
	}
	return arabicGiven[p.ag]
}

func pickConv(g *gen, p *person, choices ...string) string {
	if p.kind == "uk" && g.chance(60) {
		return "ukrnat"
	}
	return choices[g.r.IntN(len(choices))]
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// aliases are the other names the list gives.
func (p *person) aliases(g *gen) []string {
	var out []string
	switch p.kind {
	case "ru", "uk", "be", "ce":
		if !p.latinOnly && g.chance(55) {
			out = append(out, stripAccents(romanize(p.given+" "+p.surname, pickConv(g, p, "english", "icao"), false)))
		}
		if p.kind == "uk" && g.chance(30) && p.forms[0] != "" && p.forms[0] != p.given {
			out = append(out, p.forms[0]+" "+p.surname) // the Russian form of the given name
		}
	case "ar":
		if !p.latinOnly && strings.ContainsAny(p.listed, "abcdefghijklmnopqrstuvwxyz") {
			out = append(out, strings.Join([]string{p.givenName().script, arabicGiven[p.af].script, arabicFamily[p.fam].script}, " "))
		}
		if g.chance(30) {
			out = append(out, p.givenName().roman[0]+" "+arabicFamily[p.fam].roman[0])
		}
	}
	return out
}

func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '’', '”', 'ʹ', 'ʺ', '`', '\'':
			continue
		}
		if d, ok := plainLatin[r]; ok {
			b.WriteString(d)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var plainLatin = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'ā': "a", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ė': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ĭ': "i", 'ī': "i", 'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ŭ': "u", 'ç': "c", 'č': "c", 'ć': "c", 'š': "s", 'ś': "s",
	'ş': "s", 'ž': "z", 'ż': "z", 'ź': "z", 'ñ': "n", 'ń': "n", 'ł': "l", 'ø': "o", 'å': "a", 'ŝ': "s", 'ḥ': "h",
	'ṣ': "s", 'ṭ': "t", 'Ø': "O", 'Ł': "L", 'Š': "S", 'Ž': "Z", 'Č': "C", 'Ś': "S",
	'É': "E", 'Ö': "O", 'Ü': "U", 'Ä': "A", 'ʿ': "", 'ʾ': "", 'ß': "ss", 'ğ': "g", '̀': "",
}

func (g *gen) write(dir string) error {
	wf, err := os.Create(filepath.Join(dir, "dev_watchlist.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(wf)
	w.Write([]string{"id", "name", "aliases", "dob", "nationality"})
	for _, p := range g.persons {
		w.Write([]string{p.id, p.listed, strings.Join(p.aliasList, "|"), p.dob, p.nationality()})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := wf.Close(); err != nil {
		return err
	}
	qf, err := os.Create(filepath.Join(dir, "dev_queries.tsv"))
	if err != nil {
		return err
	}
	fmt.Fprintln(qf, "query\tquery_dob\texpected_id")
	for _, q := range g.queries {
		text := strings.Join(strings.Fields(strings.Map(func(r rune) rune {
			if r == '\t' || unicode.IsControl(r) {
				return ' '
			}
			return r
		}, q.text)), " ")
		fmt.Fprintf(qf, "%s\t%s\t%s\n", text, q.dob, q.want)
	}
	return qf.Close()
}

func (p *person) nationality() string {
	switch p.kind {
	case "ru", "ce":
		return "RU"
	case "uk":
		return "UA"
	case "be":
		return "BY"
	case "ar":
		return []string{"IQ", "SY", "EG", "SA", "YE", "LY", "DZ", "MA", "TN", "JO"}[p.n%10]
	}
	return []string{"GB", "US", "FR", "DE", "ES", "IT", "PL", "SE", "NO", "IE"}[p.n%10]
}
