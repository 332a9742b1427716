package match

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Scoring. Two names are compared by aligning their tokens: each query
// token is paired with at most one token of the listed name (or two adjacent
// tokens written together are paired with one), in the order of decreasing
// similarity. Word order therefore does not matter. The name score is
//
//	Σ_pairs sim·(w_q+w_e) / ( Σ_pairs (w_q+w_e) + Σ_unpaired w·absent )
//
// where w is a token's weight (1 for names, 0.7 for a patronymic, 0.35 for
// an initial, 0.15 for a particle, times a mild rarity factor on the
// watchlist side) and absent the share of it lost when the token has no
// partner: 1 for a given name or surname, 0.4 for a middle name, 0.25 for a
// patronymic, 0.2 for a forebear's name after bin, 0.5 for an initial, 0
// for an article or a particle whose name is missing too. A patronymic or
// middle name present on both sides but different counts in full. So a
// missing patronymic costs a few hundredths, a different given name about
// half the score.

// Token similarities, by how two tokens match.
const (
	simPlain    = 0.97 // same letters without diacritics: Naryškin, Naryskin
	simTranslit = 0.96 // same skeleton: Narychkine, Naryshkin, Нарышкин
	simJoined   = 0.93 // Abdul Rahman, Abdulrahman
	simArabic   = 0.90 // same consonants across Arabic script and Latin
	simCognate  = 0.85 // Mykola, Nikolai
	simVowels   = 0.80 // same consonants and at most two edits: Mohammed, Muhammad
	simInitial  = 0.90 // S. and Sergei: as good as an initial can be
	simGender   = 0.45 // Ivanov and Ivanova: kept below minPair
	minPair     = 0.50 // weaker pairs are left unpaired
)

type simResult struct {
	sim  float32
	kind matchKind
	dist int8
}

// tokenSim compares two name tokens (not particles or initials).
func tokenSim(q, e *term) simResult {
	if q == e || q.form == e.form {
		return simResult{1, mkExact, 0}
	}
	if q.script == e.script && stripMarks(q.form) == stripMarks(e.form) {
		return simResult{simPlain, mkPlain, 0}
	}
	if q.keys == "" || e.keys == "" {
		return simResult{}
	}
	for a := range keyList(q.keys) {
		if hasKey(e.keys, a) {
			return simResult{simTranslit, mkTranslit, 0}
		}
	}
	if q.group >= 0 && q.group == e.group {
		return simResult{simCognate, mkCognate, 0}
	}
	qk, ek := primary(q.keys), primary(e.keys)
	if genderFlip(qk, ek) || familySwap(qk, ek) {
		return simResult{simGender, mkNone, 0}
	}
	if q.script == ScriptArabic || e.script == ScriptArabic {
		return arabicSim(q, e)
	}
	consEq := false
	for c := range keyList(q.cons) {
		if len(c) >= 3 && hasKey(e.cons, c) {
			consEq = true
			break
		}
	}
	// Edits: between skeletons, and between the spellings themselves when
	// both are in one script (a typo can straddle a digraph: Tsras, Taras).
	best, d := simResult{}, 3
	qi := 0
	for a := range keyList(q.keys) {
		if qi++; qi > maxTypoKeys {
			break
		}
		ei := 0
		for b := range keyList(e.keys) {
			if ei++; ei > maxTypoKeys {
				break
			}
			x := editDistance(a, b, 2)
			d = min(d, x)
			if r := typoSim(x, max(len(a), len(b))); r.sim > best.sim {
				best = r
			}
		}
	}
	if q.script == e.script {
		a, b := plainForm(q), plainForm(e)
		x := editDistance(a, b, 2)
		d = min(d, x)
		if r := typoSim(x, max(utf8.RuneCountInString(a), utf8.RuneCountInString(b))); r.sim > best.sim {
			best = r
		}
	}
	if best.kind == mkTypo && best.dist == 2 && firstSymbol(qk) != firstSymbol(ek) {
		// Two edits including the first letter: another name (Ahmed,
		// Mohammed), since typos rarely touch the first letter.
		best = simResult{}
	}
	if consEq && d <= 2 {
		// Only vowels differ: the commonest variation in romanised Arabic
		// and Turkic names (Omar, Umar; Mohammed, Muhammad).
		v := simResult{simVowels, mkVowels, int8(d)}
		if d <= 1 {
			v.sim = simArabic
		}
		if v.sim > best.sim {
			best = v
		}
	}
	if best.sim == 0 {
		if j := JaroWinkler(qk, ek); j >= 0.9 && min(len(qk), len(ek)) >= 6 {
			best = simResult{float32(0.5 + (j-0.9)*2), mkFuzzy, 0}
		}
	}
	return best
}

// firstSymbol is the first symbol of a skeleton, vowels counted as one.
func firstSymbol(k string) byte {
	if k == "" {
		return 0
	}
	if isSkelVowel(k[0]) {
		return 'a'
	}
	return k[0]
}

// maxTypoKeys bounds the keys of each token compared for typos: the first
// are the commonest spellings (English, BGN/PCGN, ICAO, French).
const maxTypoKeys = 4

// typoSim is the similarity of tokens d edits apart, the longer of l
// symbols: one edit is a typo in all but the shortest names, two are one
// only in long ones.
func typoSim(d, l int) simResult {
	switch {
	case d == 1 && l >= 6:
		return simResult{0.88, mkTypo, 1}
	case d == 1 && l == 5:
		return simResult{0.82, mkTypo, 1}
	case d == 1 && l == 4:
		return simResult{0.72, mkTypo, 1}
	case d == 2 && l >= 9:
		return simResult{0.75, mkTypo, 2}
	case d == 2 && l >= 7:
		return simResult{0.65, mkTypo, 2}
	case d == 2 && l == 6:
		return simResult{0.55, mkTypo, 2}
	}
	return simResult{}
}

// plainForm is a token's spelling for counting typos: Latin folded to
// ASCII, other scripts as they are.
func plainForm(t *term) string {
	if t.script == ScriptLatin {
		return asciiFold(t.form)
	}
	return t.form
}

// arabicSim compares tokens when one is in Arabic script, which has no
// short vowels: by consonant keys.
func arabicSim(q, e *term) simResult {
	best := simResult{}
	for a := range keyList(q.cons) {
		for b := range keyList(e.cons) {
			switch {
			case a == b && len(a) >= 3:
				return simResult{simArabic, mkVowels, 0}
			case a == b && len(a) == 2:
				best = simResult{0.85, mkVowels, 0} // Said, Ali: short names share consonants more often
			case max(len(a), len(b)) >= 4 && a[0] == b[0] && editDistance(a, b, 1) == 1 && best.sim < 0.72:
				best = simResult{0.72, mkTypo, 1}
			}
		}
	}
	return best
}

// genderFlip reports whether two skeletons are the masculine and feminine
// forms of one name (Ivanov, Ivanova; Aleksandr, Aleksandra; Oleg, Olga;
// Zelenski, Zelenskaia): the feminine ends in a, the masculine does not,
// and they are one edit apart once the a is removed.
func genderFlip(a, b string) bool {
	if strings.HasSuffix(b, "a") {
		a, b = b, a
	}
	if !strings.HasSuffix(a, "a") || strings.HasSuffix(b, "a") || len(b) < 3 {
		return false
	}
	if len(a) == len(b) && swapped(a, b) {
		return false // Ostap, Ostpa: a typo
	}
	return editDistance(a[:len(a)-1], b, 1) <= 1
}

// swapped reports whether equal-length a and b differ by one swap of
// adjacent symbols.
func swapped(a, b string) bool {
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// familySuffixes are surname endings that mark a family name (Slavic,
// Armenian): two surnames with the same stem and different endings are
// different families (Petrov, Petrin, Petrenko, Petrovich), not a typo.
// Endings are on skeletons; -ov and -ev are one ending (ё).
var familySuffixes = []struct{ end, class string }{
	{"enko", "enko"}, {"Skaia", "Ski"}, {"Ska", "Ski"}, {"Ski", "Ski"}, {"iuk", "uk"}, {"uk", "uk"}, {"ova", "ova"}, {"eva", "ova"}, {"ov", "ov"}, {"ev", "ov"}, {"ina", "ina"},
	{"in", "in"}, {"iX", "iX"}, {"ian", "ian"},
}

func familySuffix(k string) (stem, class string) {
	for _, f := range familySuffixes {
		if len(k) > len(f.end)+2 && strings.HasSuffix(k, f.end) {
			return k[:len(k)-len(f.end)], f.class
		}
	}
	return k, ""
}

// familySwap reports whether two skeletons are one stem with two different
// family endings.
func familySwap(a, b string) bool {
	sa, ca := familySuffix(a)
	sb, cb := familySuffix(b)
	return ca != "" && cb != "" && ca != cb && editDistance(sa, sb, 1) <= 1
}

// idf is the rarity factor of a watchlist token held by df entries:
// 1.15 for a unique token, 1 for one held by 30, 0.75 from 10,000.
func idf(df int) float64 {
	return max(0.75, min(1.15, 1.15-0.1*math.Log10(1+float64(df))))
}

// cand is a possible pairing of query tokens q0..q1 with entry tokens e0..e1.
type cand struct {
	q0, q1, e0, e1 int8
	simResult
}

// aligner scores names against one query; it memoises token similarities
// and is used by one goroutine at a time.
type aligner struct {
	q     []slot
	qIDs  []uint32 // term ids of the query tokens in the index, or noTerm
	memo  map[uint64]simResult
	cands []cand
}

const noTerm = math.MaxUint32

// pairSim compares query token i with an entry token in its role.
func (al *aligner) pairSim(i int, e slot, tid uint32) simResult {
	q := al.q[i]
	if q.role == roleInitial && e.role == roleParticle && e.t.particle == particleAbd ||
		e.role == roleInitial && q.role == roleParticle && q.t.particle == particleAbd {
		// A. for Abd al-Karim
		if q.t.first()&e.t.first() != 0 {
			return simResult{simInitial, mkInitial, 0}
		}
		return simResult{}
	}
	if q.role == roleParticle || e.role == roleParticle {
		// The same particle pairs even where one name uses it as a name
		// (Ter-Petrosyan Levon, Levon Ter-Petrossian).
		if q.t.particle != particleNone && particleFamily(q.t.particle) == particleFamily(e.t.particle) &&
			(q.t.particle != particleWest || q.t.form == e.t.form) {
			return simResult{1, mkParticle, 0}
		}
		return simResult{}
	}
	if q.role == roleInitial || e.role == roleInitial {
		qi, ei := q.t.initials, e.t.initials
		if q.role == roleInitial {
			qi = q.t.first()
		}
		if e.role == roleInitial {
			ei = e.t.first()
		}
		if qi&ei != 0 {
			return simResult{simInitial, mkInitial, 0}
		}
		return simResult{}
	}
	var r simResult
	k := uint64(i)<<32 | uint64(tid)
	if cached, ok := al.memo[k]; ok && al.memo != nil {
		r = cached
	} else {
		r = tokenSim(q.t, e.t)
		if al.memo != nil {
			al.memo[k] = r
		}
	}
	if (q.t.patro != 0) != (e.t.patro != 0) && (r.kind == mkFuzzy || r.kind == mkCognate || r.kind == mkVowels && r.dist > 1) {
		// A patronymic is not a given name (Sergeyevich, Sergei), though a
		// typo can hide its ending (Ruslanivič).
		return simResult{}
	}
	return r
}

func particleFamily(p uint8) uint8 {
	if p == particleAlHyph {
		return particleAl
	}
	return p
}

// first returns the letters an initial stands for: the first letters of
// the token's own romanisations, without the classes of classInitials.
func (t *term) first() uint32 {
	if t.script == ScriptCyrillic {
		var m uint32
		rs := []rune(t.form)
		for _, sys := range Systems() {
			if c := firstLatin(render(sys, rs)); c != 0 {
				m |= 1 << (c - 'a')
			}
		}
		return m
	}
	if c := firstLatin(t.form); c != 0 {
		return 1 << (c - 'a')
	}
	return t.initials
}

// joinable reports whether a token may be written together with its
// neighbour (Abdul Rahman, al-Baghdadi, Ter-Petrosyan).
func joinable(s slot) bool { return s.role != roleInitial && s.t.keys != "" }

// joinedEqual reports whether c is a and b written together.
func joinedEqual(a, b, c *term) bool {
	if a.script == ScriptArabic || b.script == ScriptArabic || c.script == ScriptArabic {
		// Across Arabic script, by consonants: ال مصري and Elmasry.
		for kc := range keyList(c.cons) {
			for ka := range keyList(a.cons) {
				for kb := range keyList(b.cons) {
					kb = strings.TrimPrefix(kb, "a") // the initial-vowel mark, medial once joined
					if len(ka)+len(kb) == len(kc) && len(kc) >= 4 && strings.HasPrefix(kc, ka) && strings.HasSuffix(kc, kb) {
						return true
					}
				}
			}
		}
	}
	for kc := range keyList(c.keys) {
		for ka := range keyList(a.keys) {
			if len(kc) <= len(ka) || !strings.HasPrefix(kc, ka) {
				continue
			}
			for kb := range keyList(b.keys) {
				if len(ka)+len(kb) == len(kc) && strings.HasSuffix(kc, kb) {
					return true
				}
			}
		}
	}
	return false
}

// score aligns the query with one name of an entry (its slots and the term
// ids of its tokens) and returns the name score in [0,1]; with explain it
// also returns the evidence.
func (al *aligner) score(es []slot, tids []uint32, explain bool) (float64, []Evidence) {
	nq, ne := len(al.q), len(es)
	if nq == 0 || ne == 0 {
		return 0, nil
	}
	cs := al.cands[:0]
	for i := range al.q {
		for j, e := range es {
			if r := al.pairSim(i, e, tids[j]&occMask); r.sim >= minPair {
				cs = append(cs, cand{int8(i), int8(i), int8(j), int8(j), r})
			}
		}
	}
	for i := 0; i+1 < nq; i++ {
		if !joinable(al.q[i]) || !joinable(al.q[i+1]) {
			continue
		}
		for j, e := range es {
			if e.role != roleParticle && e.role != roleInitial && joinedEqual(al.q[i].t, al.q[i+1].t, e.t) {
				cs = append(cs, cand{int8(i), int8(i + 1), int8(j), int8(j), simResult{simJoined, mkJoined, 0}})
			}
		}
	}
	for j := 0; j+1 < ne; j++ {
		if !joinable(es[j]) || !joinable(es[j+1]) {
			continue
		}
		for i, q := range al.q {
			if q.role != roleParticle && q.role != roleInitial && joinedEqual(es[j].t, es[j+1].t, q.t) {
				cs = append(cs, cand{int8(i), int8(i), int8(j), int8(j + 1), simResult{simJoined, mkJoined, 0}})
			}
		}
	}
	// Strongest first; among equals, the heavier pairing (joined tokens,
	// names before initials), then the earlier tokens.
	for a := 1; a < len(cs); a++ {
		for b := a; b > 0 && better(cs[b], cs[b-1]); b-- {
			cs[b], cs[b-1] = cs[b-1], cs[b]
		}
	}
	al.cands = cs
	var usedQ, usedE uint32
	var num, den float64
	var chosen []cand
	for _, c := range cs {
		mq := span(c.q0, c.q1)
		me := span(c.e0, c.e1)
		if usedQ&mq != 0 || usedE&me != 0 {
			continue
		}
		usedQ |= mq
		usedE |= me
		var w float64
		for i := c.q0; i <= c.q1; i++ {
			w += al.q[i].weight
		}
		for j := c.e0; j <= c.e1; j++ {
			w += es[j].weight
		}
		num += float64(c.sim) * w
		den += w
		if explain {
			chosen = append(chosen, c)
		}
	}
	// A patronymic or middle name unpaired on both sides is a conflict.
	var qPatro, ePatro, qMid, eMid bool
	for i, q := range al.q {
		if usedQ&(1<<i) == 0 {
			qPatro = qPatro || q.role == rolePatronymic
			qMid = qMid || q.role == roleMiddle
		}
	}
	for j, e := range es {
		if usedE&(1<<j) == 0 {
			ePatro = ePatro || e.role == rolePatronymic
			eMid = eMid || e.role == roleMiddle
		}
	}
	absent := func(s slot, nextUnpaired bool) float64 {
		switch {
		case s.lineage:
			return lineageAbsent
		case s.role == rolePatronymic && qPatro && ePatro, s.role == roleMiddle && qMid && eMid:
			return 1
		case s.role == roleParticle && (nextUnpaired || s.t.particle != particleAbd && s.t.particle != particleWest):
			// al-, bin, abd belong to the name after them, which pays when
			// it is missing; the article and bin are often left out.
			return 0
		}
		return s.absent
	}
	for i, q := range al.q {
		if usedQ&(1<<i) == 0 {
			den += q.weight * absent(q, i+1 < nq && usedQ&(1<<(i+1)) == 0)
		}
	}
	for j, e := range es {
		if usedE&(1<<j) == 0 {
			den += e.weight * absent(e, j+1 < ne && usedE&(1<<(j+1)) == 0)
		}
	}
	if den == 0 {
		return 0, nil
	}
	s := num / den
	if !explain {
		return s, nil
	}
	return s, al.evidence(es, chosen, usedQ, usedE)
}

func better(a, b cand) bool {
	if a.sim != b.sim {
		return a.sim > b.sim
	}
	if wa, wb := (a.q1-a.q0)+(a.e1-a.e0), (b.q1-b.q0)+(b.e1-b.e0); wa != wb {
		return wa > wb
	}
	if a.e0 != b.e0 {
		return a.e0 < b.e0
	}
	return a.q0 < b.q0
}

func span(a, b int8) uint32 {
	var m uint32
	for i := a; i <= b; i++ {
		m |= 1 << i
	}
	return m
}

func (al *aligner) evidence(es []slot, chosen []cand, usedQ, usedE uint32) []Evidence {
	// In the order of the listed name.
	for a := 1; a < len(chosen); a++ {
		for b := a; b > 0 && chosen[b].e0 < chosen[b-1].e0; b-- {
			chosen[b], chosen[b-1] = chosen[b-1], chosen[b]
		}
	}
	var ev []Evidence
	for _, c := range chosen {
		var qs, ess []string
		for i := c.q0; i <= c.q1; i++ {
			qs = append(qs, display(al.q[i].t.form))
		}
		for j := c.e0; j <= c.e1; j++ {
			ess = append(ess, display(es[j].t.form))
		}
		r := es[c.e0].role
		if c.e0 != c.e1 {
			r = roleName
		}
		how := ""
		if c.q0 == c.q1 && c.e0 == c.e1 {
			how = describe(al.q[c.q0].t, es[c.e0].t, c.kind, int(c.dist))
		} else {
			how = describe(nil, nil, c.kind, 0)
		}
		ev = append(ev, Evidence{Kind: TokenMatch, Role: r.String(), Entry: strings.Join(ess, " "),
			Query: strings.Join(qs, " "), How: how, Score: float64(c.sim)})
	}
	for j, e := range es {
		if usedE&(1<<j) == 0 {
			ev = append(ev, Evidence{Kind: TokenAbsent, Role: e.role.String(), Entry: display(e.t.form)})
		}
	}
	for i, q := range al.q {
		if usedQ&(1<<i) == 0 {
			ev = append(ev, Evidence{Kind: TokenExtra, Role: q.role.String(), Query: display(q.t.form)})
		}
	}
	return ev
}
