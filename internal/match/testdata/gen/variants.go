package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

var (
	slavicConvs = []string{"english", "bgn", "icao", "french", "german", "loc", "iso9", "gostb", "scholarly", "polish", "spanish"}
	ukrConvs    = []string{"ukrnat", "ukrnat", "english", "french", "german", "polish", "icao", "iso9", "scholarly"}
)

func (g *gen) conv(p *person) string {
	if p.kind == "uk" || p.kind == "be" {
		return g.pick(ukrConvs)
	}
	return g.pick(slavicConvs)
}

func (g *gen) rom(p *person, cyr string) string {
	return romanize(cyr, g.conv(p), p.kind == "uk" || p.kind == "be")
}

// queryDOB returns the person's date of birth for a positive query about a
// third of the time, sometimes only its year.
func (g *gen) queryDOB(p *person) string {
	if p.dob == "" || !g.chance(35) {
		return ""
	}
	if len(p.dob) == 10 && g.chance(30) {
		return p.dob[:4]
	}
	return p.dob
}

func (g *gen) positives(p *person) {
	n := 2 + g.r.IntN(3)
	seen := map[string]bool{strings.ToLower(p.listed): true}
	for _, a := range p.aliasList {
		seen[strings.ToLower(a)] = true
	}
	for tries := 0; n > 0 && tries < 30; tries++ {
		var q string
		switch p.kind {
		case "ru", "uk", "be", "ce":
			q = g.slavicVariant(p)
		case "ar":
			q = g.arabicVariant(p)
		case "we":
			q = g.westernVariant(p)
		}
		if q == "" || seen[strings.ToLower(q)] {
			continue
		}
		seen[strings.ToLower(q)] = true
		g.queries = append(g.queries, query{text: q, dob: g.queryDOB(p), want: p.id})
		n--
	}
}

func initial(s string) string {
	r := []rune(s)
	if len(r) >= 2 && strings.ContainsRune("YyJjIi", r[0]) && strings.ContainsRune("aeiouAEIOU", r[1]) {
		return string(r[:2]) + "." // Yu., Ye., Ja.
	}
	if len(r) >= 2 && strings.ContainsRune("CcSsZzKk", r[0]) && (r[1] == 'h' || r[1] == 'H') {
		return string(r[:2]) + "."
	}
	return string(r[:1]) + "."
}

func (g *gen) slavicVariant(p *person) string {
	uk := p.kind == "uk" || p.kind == "be"
	given, surname := p.given, p.surname
	switch g.r.IntN(12) {
	case 0: // another convention, given name and surname
		return g.rom(p, given+" "+surname)
	case 1: // with the patronymic
		return g.rom(p, given+" "+p.patro+" "+surname)
	case 2: // surname first
		if g.chance(50) {
			return g.rom(p, surname+" "+given)
		}
		c := g.conv(p)
		return romanize(surname, c, uk) + ", " + romanize(given+" "+p.patro, c, uk)
	case 3: // initials
		c := g.conv(p)
		gi, pi := initial(romanize(given, c, uk)), initial(romanize(p.patro, c, uk))
		switch g.r.IntN(3) {
		case 0:
			return gi + " " + pi + " " + romanize(surname, c, uk)
		case 1:
			return romanize(surname, c, uk) + " " + gi + pi
		}
		return gi + " " + romanize(surname, c, uk)
	case 4: // a typo
		return g.typo(g.rom(p, given+" "+surname))
	case 5: // a scholarly form with its diacritics stripped
		return stripAccents(romanize(given+" "+surname, g.pick([]string{"iso9", "scholarly", "loc"}), uk))
	case 6: // press spellings
		gs, ok1 := pressGiven[given]
		ss, ok2 := pressSurname[surname]
		if !ok1 && !ok2 {
			return ""
		}
		gv, sv := g.rom(p, given), g.rom(p, surname)
		if ok1 {
			gv = g.pick(gs)
		}
		if ok2 {
			sv = g.pick(ss)
		}
		return gv + " " + sv
	case 7: // Cyrillic, for a list in Latin letters; else the Russian form
		if p.latinOnly {
			if g.chance(50) {
				return surname + " " + given + " " + p.patro
			}
			return given + " " + surname
		}
		if uk && p.forms[0] != "" && p.forms[0] != given {
			return p.forms[0] + " " + surname
		}
		return ""
	case 8: // passport capitals
		return strings.ToUpper(romanize(surname+" "+given, "icao", uk))
	case 9: // a title
		t := g.pick([]string{"Gen. ", "Mr ", "Dr. ", "Col. ", "господин ", "Mr. "})
		if p.female {
			t = g.pick([]string{"Mrs ", "Ms. ", "Dr. ", "госпожа "})
		}
		if strings.HasPrefix(t, "го") {
			return t + given + " " + surname
		}
		return t + g.rom(p, given+" "+surname)
	case 10: // Ukrainian or Belarusian person in the Russian-language press
		if uk && p.forms[0] != "" {
			return romanize(p.forms[0], g.pick([]string{"english", "french", "german"}), false) + " " + romanize(surname, "english", false)
		}
		return g.rom(p, given+" "+surname)
	default: // mixed: a typo in a full name with the patronymic, order swapped
		return g.typo(g.rom(p, surname+" "+given+" "+p.patro))
	}
}

func (g *gen) arabicVariant(p *person) string {
	gn, fa, fam := p.givenName(), arabicGiven[p.af], arabicFamily[p.fam]
	rnd := func(a arabicName) string { return g.pick(a.roman) }
	switch g.r.IntN(7) {
	case 0:
		return rnd(gn) + " " + rnd(fa) + " " + rnd(fam)
	case 1: // without the father's name
		return rnd(gn) + " " + rnd(fam)
	case 2: // with bin / ibn / ben
		return rnd(gn) + " " + g.pick([]string{"bin", "ibn", "ben", "Bin"}) + " " + rnd(fa) + " " + rnd(fam)
	case 3: // Arabic script, for a Latin entry
		if !p.latinOnly && !strings.ContainsAny(p.listed, "abcdefghijklmnopqrstuvwxyz") {
			return rnd(gn) + " " + rnd(fam) // the entry is in Arabic script: query in Latin
		}
		if g.chance(50) {
			return gn.script + " " + fam.script
		}
		return gn.script + " " + fa.script + " " + fam.script
	case 4:
		return g.typo(rnd(gn) + " " + rnd(fa) + " " + rnd(fam))
	case 5:
		return rnd(fam) + ", " + rnd(gn) + " " + rnd(fa)
	}
	return g.pick([]string{"Sheikh ", "Dr. ", "Mr "}) + rnd(gn) + " " + rnd(fam)
}

func (g *gen) westernVariant(p *person) string {
	full := strings.Join(nonEmpty(p.first, p.middle, p.last), " ")
	switch g.r.IntN(7) {
	case 0:
		if s := stripAccents(full); s != full {
			return s
		}
		return g.typo(full)
	case 1:
		return p.last + ", " + strings.Join(nonEmpty(p.first, p.middle), " ")
	case 2:
		if p.middle != "" {
			return p.first + " " + initial(p.middle) + " " + p.last
		}
		return initial(p.first) + " " + p.last
	case 3:
		return strings.ToUpper(stripAccents(p.last + " " + p.first))
	case 4:
		return g.typo(stripAccents(p.first + " " + p.last))
	case 5:
		r := strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "ß", "ss", "ø", "oe", "å", "aa", "é", "e", "ñ", "n")
		if s := r.Replace(full); s != full {
			return s
		}
		return "Dr. " + full
	}
	if p.middle != "" {
		return p.first + " " + p.last
	}
	return strings.ToLower(full)
}

var keyboard = map[rune]string{
	'a': "sqzw", 'b': "vghn", 'c': "xdfv", 'd': "serfcx", 'e': "wsdr", 'f': "drtgvc", 'g': "ftyhbv",
	'h': "gyujnb", 'i': "ujko", 'j': "huikmn", 'k': "jiolm", 'l': "kop", 'm': "njk", 'n': "bhjm",
	'o': "iklp", 'p': "ol", 'q': "wa", 'r': "edft", 's': "awedxz", 't': "rfgy", 'u': "yhji",
	'v': "cfgb", 'w': "qase", 'x': "zsdc", 'y': "tghu", 'z': "asx",
}

// typo makes one keyboard error in one word of at least five letters.
func (g *gen) typo(s string) string {
	words := strings.Fields(s)
	var long []int
	for i, w := range words {
		if len([]rune(w)) >= 5 {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return ""
	}
	i := long[g.r.IntN(len(long))]
	w := []rune(words[i])
	k := 1 + g.r.IntN(len(w)-2)
	switch g.r.IntN(4) {
	case 0: // substitution by a neighbouring key
		if nb, ok := keyboard[unicode.ToLower(w[k])]; ok {
			w[k] = rune(nb[g.r.IntN(len(nb))])
		} else {
			w[k] = 'e'
		}
	case 1:
		w = append(w[:k], w[k+1:]...)
	case 2:
		w = append(w[:k+1], w[k:]...)
	default:
		w[k], w[k+1] = w[k+1], w[k]
	}
	words[i] = string(w)
	return strings.Join(words, " ")
}

// negatives adds count queries that must match nobody.
func (g *gen) negatives(count int) {
	slav := map[string]bool{}
	ar := map[[2]int]bool{}
	we := map[string]bool{}
	var slavs, arabs, wests, dated []*person
	for _, p := range g.persons {
		switch p.kind {
		case "ar":
			ar[[2]int{p.ag, p.fam}] = true
			arabs = append(arabs, p)
		case "we":
			we[p.first+"|"+p.last] = true
			wests = append(wests, p)
		default:
			slav[masculine(p.given)+"|"+masculine(p.surname)] = true
			slavs = append(slavs, p)
		}
		if p.dob != "" {
			dated = append(dated, p)
		}
	}
	added := 0
	emit := func(text, dob string) {
		if text != "" {
			g.queries = append(g.queries, query{text: text, dob: dob})
			added++
		}
	}
	for added < count {
		switch k := g.r.IntN(100); {
		case k < 40: // a relative: same surname, another given name
			p := slavs[g.r.IntN(len(slavs))]
			rel := g.randomPerson(p.kind)
			rel.surname = p.surname
			if rel.female != p.female {
				if rel.female {
					rel.surname = feminine(masculine(p.surname), p.kind)
				} else {
					rel.surname = masculine(p.surname)
				}
			}
			if masculine(rel.given) == masculine(p.given) || slav[masculine(rel.given)+"|"+masculine(rel.surname)] {
				continue
			}
			parts := rel.given + " " + rel.surname
			switch g.r.IntN(3) {
			case 0: // a sibling shares the patronymic
				parts = rel.given + " " + patronymicGender(p.patro, rel.female) + " " + rel.surname
			case 1: // a child's patronymic is the father's name
				if !p.female {
					parts = rel.given + " " + patronymic(p.given, rel.female, p.kind) + " " + rel.surname
				}
			}
			if g.chance(25) {
				emit(parts, "")
			} else {
				emit(g.rom(rel, parts), "")
			}
		case k < 52: // an Arabic brother or a Western relative
			if g.chance(50) {
				p := arabs[g.r.IntN(len(arabs))]
				b := g.r.IntN(len(arabicGiven))
				if b == p.ag || ar[[2]int{b, p.fam}] {
					continue
				}
				emit(g.pick(arabicGiven[b].roman)+" "+g.pick(arabicGiven[p.af].roman)+" "+g.pick(arabicFamily[p.fam].roman), "")
			} else {
				p := wests[g.r.IntN(len(wests))]
				f := g.pick(westernFirst)
				if f == p.first || we[f+"|"+p.last] {
					continue
				}
				emit(f+" "+p.last, "")
			}
		case k < 67: // a namesake born in another year
			p := dated[g.r.IntN(len(dated))]
			y, _ := strconv.Atoi(p.dob[:4])
			y += []int{-30, -22, -15, -9, 8, 12, 19, 27}[g.r.IntN(8)]
			dob := fmt.Sprint(y)
			if g.chance(70) {
				dob = fmt.Sprintf("%04d-%02d-%02d", y, 1+g.r.IntN(12), 1+g.r.IntN(28))
			}
			var text string
			switch p.kind {
			case "ar":
				text = p.givenName().roman[0] + " " + arabicFamily[p.fam].roman[0]
			case "we":
				text = p.first + " " + p.last
			default:
				text = g.rom(p, p.given+" "+p.surname)
			}
			emit(text, dob)
		case k < 82: // a similar name: the same given name, a surname with another ending
			p := slavs[g.r.IntN(len(slavs))]
			s := otherEnding(masculine(p.surname), g)
			if s == "" || slav[masculine(p.given)+"|"+s] {
				continue
			}
			if p.female {
				s = feminine(s, p.kind)
			}
			emit(g.rom(p, p.given+" "+s), "")
		default: // somebody not on the list
			kind := g.pick([]string{"ru", "ru", "uk", "ce", "ar", "ar", "we"})
			q := g.randomPerson(kind)
			switch kind {
			case "ar":
				if ar[[2]int{q.ag, q.fam}] {
					continue
				}
				emit(g.pick(q.givenName().roman)+" "+g.pick(arabicFamily[q.fam].roman), "")
			case "we":
				if we[q.first+"|"+q.last] {
					continue
				}
				emit(q.first+" "+q.last, "")
			default:
				if slav[masculine(q.given)+"|"+masculine(q.surname)] {
					continue
				}
				if g.chance(20) {
					emit(q.given+" "+q.surname, "")
				} else {
					emit(g.rom(q, q.given+" "+q.patro+" "+q.surname), "")
				}
			}
		}
	}
}

// masculine undoes feminine, for comparing families.
func masculine(s string) string {
	for _, p := range [][2]string{{"ская", "ский"}, {"ська", "ський"}, {"ова", "ов"}, {"ёва", "ёв"}, {"ева", "ев"}, {"ина", "ин"}, {"ына", "ын"}} {
		if strings.HasSuffix(s, p[0]) {
			return strings.TrimSuffix(s, p[0]) + p[1]
		}
	}
	return s
}

func patronymicGender(patro string, female bool) string {
	for _, p := range [][2]string{{"овна", "ович"}, {"евна", "евич"}, {"івна", "ович"}, {"ївна", "йович"}, {"инична", "ич"}} {
		if female && strings.HasSuffix(patro, p[1]) {
			return strings.TrimSuffix(patro, p[1]) + p[0]
		}
		if !female && strings.HasSuffix(patro, p[0]) {
			return strings.TrimSuffix(patro, p[0]) + p[1]
		}
	}
	return patro
}

// otherEnding gives a surname of the same root with another ending
// (Петров: Петровский, Петренко, Петрин): a different family.
func otherEnding(s string, g *gen) string {
	for _, e := range []string{"ский", "ський", "енко", "ов", "ев", "ин", "ук", "чук", "ко"} {
		if strings.HasSuffix(s, e) {
			root := strings.TrimSuffix(s, e)
			var others []string
			for _, o := range []string{"ский", "енко", "ин", "ов", "ук", "ич"} {
				if o != e && !(e == "ев" && o == "ов") && !(e == "ов" && o == "ев") {
					others = append(others, o)
				}
			}
			return root + g.pick(others)
		}
	}
	return ""
}
