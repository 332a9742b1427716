package match

import (
	"fmt"
	"slices"
	"strings"
)

// commonCost is the number of entries from which a query token's exact
// spellings make it a common name, whose typo neighbours are not searched.
const commonCost = 1000

// probeCost is how many postings walked cost as much as one entry probed:
// walking writes to a dense array, probing reads the entry's tokens.
const probeCost = 4

// Candidate generation weights: how much a query token that reaches an
// entry through a key of each kind adds to the entry's candidate score.
const (
	candSkeleton  = 1.0
	candCognate   = 0.85
	candConsonant = 0.75
	candTypo      = 0.6
)

// matchScratch is the per-query working memory, pooled: dense
// accumulators over entry slots and the buffers of one query.
type matchScratch struct {
	acc     []slotAcc // by entry slot
	best    float32   // the highest acc
	epoch   uint32
	touched []uint32
	tmark   []uint32  // last token (epoch) that reached a term, by term id
	tweight []float32 // that token's weight for the term
	ttok    []uint8   // that token's index among the probed ones
	tepoch  uint32
	wterms  []weightedTerm
	qtoks   []qtok
	keyBuf  []uint32
	qterms  []*term
	qflags  []uint32
	eterms  []*term
	eflags  []uint32
	eslots  []slot
	cands   []candidate
	al      aligner
}

// slotAcc is an entry's candidate score and the last query token (epoch)
// that added to it, side by side so that one cache line serves both.
type slotAcc struct {
	mark uint32
	acc  float32
}

type candidate struct {
	slot  uint32
	rank  uint32 // the entry's rank, for ties
	acc   float32
	score float64
	name  int  // index of the best-matching name
	dob   int8 // dobRank of the entry's date of birth
}

func (ix *Index) getScratch() *matchScratch {
	sc, _ := ix.scratch.Get().(*matchScratch)
	if sc == nil {
		sc = &matchScratch{}
		sc.al.memo = map[uint64]simResult{}
	}
	if n := len(ix.entries); len(sc.acc) < n {
		sc.acc = make([]slotAcc, n+n/8)
		sc.epoch = 0
	}
	return sc
}

// Match returns the entries most similar to the query, best first, at most
// limit of them (10 when limit ≤ 0), whatever their score: callers keep
// the hits with Score ≥ DefaultThreshold (or their own threshold). A query
// whose name has no letters matches nothing. Match is safe for concurrent
// use with itself and with Add, AddAll and Remove.
func (ix *Index) Match(q Query, limit int) []Hit {
	if limit <= 0 {
		limit = 10
	}
	toks := tokenize(q.Name)
	if len(toks) == 0 {
		return nil
	}
	qdob, err := ParseDate(strings.TrimSpace(q.DOB))
	if err != nil {
		qdob = Date{}
	}
	qnat := normNationality(q.Nationality)

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == 0 {
		return nil
	}
	sc := ix.getScratch()
	defer ix.scratch.Put(sc)

	// The query's tokens, analysed by the index when it knows the spelling.
	sc.qterms, sc.qflags, sc.al.qIDs = sc.qterms[:0], sc.qflags[:0], sc.al.qIDs[:0]
	for _, t := range toks {
		id, ok := ix.lookup(t.form)
		var tm *term
		if ok {
			tm = &ix.terms[id]
		} else {
			tm, id = analyse(t.form), noTerm
		}
		var f uint32
		if t.hyphen {
			f |= occHyphen
		}
		if t.dot {
			f |= occDot
		}
		sc.qterms = append(sc.qterms, tm)
		sc.qflags = append(sc.qflags, f)
		sc.al.qIDs = append(sc.al.qIDs, id)
	}
	sc.al.q = shape(sc.qterms, sc.qflags, sc.al.q)
	clear(sc.al.memo)

	cands := ix.candidates(sc, qdob, max(2*limit, 20))
	for i := range cands {
		c := &cands[i]
		e := &ix.entries[c.slot]
		best, bestName := -1.0, 0
		ix.forNames(sc, e, func(k int, es []slot, tids []uint32) {
			if s, _ := sc.al.score(es, tids, false); s > best {
				best, bestName = s, k
			}
		})
		c.score, _ = adjust(best, qdob, e.dob, qnat, e.nats, false)
		c.name = bestName
		c.dob = dobRank(qdob, e.dob)
	}
	// Best first; ties by id, so that results do not depend on slot order.
	for a := 1; a < len(cands); a++ {
		for b := a; b > 0 && ix.before(cands[b], cands[b-1]); b-- {
			cands[b], cands[b-1] = cands[b-1], cands[b]
		}
	}
	if len(cands) > limit {
		cands = cands[:limit]
	}
	hits := make([]Hit, 0, len(cands))
	for _, c := range cands {
		e := &ix.entries[c.slot]
		var ev []Evidence
		ix.forNames(sc, e, func(k int, es []slot, tids []uint32) {
			if k == c.name {
				_, ev = sc.al.score(es, tids, true)
			}
		})
		_, more := adjust(0, qdob, e.dob, qnat, e.nats, true)
		hits = append(hits, Hit{ID: e.id, Score: c.score, Name: e.names[c.name], Evidence: append(ev, more...)})
	}
	return hits
}

func (ix *Index) before(a, b candidate) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.dob != b.dob {
		return a.dob > b.dob // among equal scores (a perfect name), the date decides
	}
	return ix.entries[a.slot].id < ix.entries[b.slot].id
}

// forNames calls f with the shaped tokens of each name of an entry.
func (ix *Index) forNames(sc *matchScratch, e *entry, f func(k int, es []slot, tids []uint32)) {
	for i, k := 0, 0; i < len(e.toks); k++ {
		n := int(e.toks[i])
		tids := e.toks[i+1 : i+1+n]
		sc.eterms, sc.eflags = sc.eterms[:0], sc.eflags[:0]
		for _, occ := range tids {
			sc.eterms = append(sc.eterms, &ix.terms[occ&occMask])
			sc.eflags = append(sc.eflags, occ&^occMask)
		}
		sc.eslots = shape(sc.eterms, sc.eflags, sc.eslots)
		for j, occ := range tids {
			sc.eslots[j].weight *= idf(len(ix.post[occ&occMask]))
		}
		f(k, sc.eslots, tids)
		i += 1 + n
	}
}

// candidates finds the entries worth scoring. Each query token (and each
// pair of adjacent tokens written together) reaches a set of terms through
// its keys, each with a weight (candSkeleton…candTypo); an entry's
// candidate score is the sum over query tokens of the best weight of the
// token's terms it contains. Tokens are taken rarest first: their posting
// lists are walked until a name has been reached by a strong key; then the
// entries of commoner tokens (Mohammed, Sergei) are not walked but probed:
// the entries already found are checked for their terms. It returns the
// best entries by candidate score: at most m, none below half the best.
func (ix *Index) candidates(sc *matchScratch, qdob Date, m int) []candidate {
	if n := len(ix.terms); len(sc.tmark) < n {
		sc.tmark = make([]uint32, n+n/8)
		sc.tweight = make([]float32, n+n/8)
		sc.ttok = make([]uint8, n+n/8)
		sc.tepoch = 0
	}
	nextT := func() uint32 {
		sc.tepoch++
		if sc.tepoch == 0 {
			clear(sc.tmark)
			sc.tepoch = 1
		}
		return sc.tepoch
	}
	sc.wterms, sc.qtoks, sc.touched, sc.best = sc.wterms[:0], sc.qtoks[:0], sc.touched[:0], 0
	var cur *qtok
	var tep uint32
	anchorRole := false
	// gather adds the terms with key h to the current token, each once,
	// with the weight of the first (strongest) key that reaches it.
	gather := func(h uint64, w float32) {
		sc.keyBuf = ix.keys.get(h, sc.keyBuf[:0])
		for _, id := range sc.keyBuf {
			if sc.tmark[id] == tep {
				continue
			}
			sc.tmark[id] = tep
			sc.wterms = append(sc.wterms, weightedTerm{id, w})
			cur.cost += len(ix.post[id])
			cur.anchor = cur.anchor || w >= candConsonant && anchorRole
		}
	}
	begin := func() {
		sc.qtoks = append(sc.qtoks, qtok{start: len(sc.wterms)})
		cur = &sc.qtoks[len(sc.qtoks)-1]
		tep = nextT()
	}
	end := func() {
		cur.end = len(sc.wterms)
		if cur.end == cur.start {
			sc.qtoks = sc.qtoks[:len(sc.qtoks)-1]
		}
	}
	q := sc.al.q
	for _, s := range q {
		if s.role == roleParticle || s.role == roleInitial || s.t.keys == "" {
			continue
		}
		tw := float32(1)
		if s.role == rolePatronymic {
			tw = 0.5
		}
		anchorRole = s.role != rolePatronymic
		begin()
		t := s.t
		for k := range keyList(t.keys) {
			gather(keyHash(keySkeleton, k), candSkeleton*tw)
		}
		if t.group >= 0 {
			gather(keyHash(keyGroup, groupKey(t.group)), candCognate*tw)
		}
		// Two consonants are a key only between Arabic script and a short
		// name (Ali, علي; Said, سعيد); among Latin names they would reach
		// half the list.
		for c := range keyList(t.cons) {
			switch {
			case len(c) >= 3:
				gather(keyHash(keyConsonant, c), candConsonant*tw)
			case len(c) == 2 && t.script == ScriptArabic:
				gather(keyHash(keyShortCons, c), candConsonant*tw)
				gather(keyHash(keyArabicCons, c), candConsonant*tw)
			case len(c) == 2 && len(primary(t.keys)) <= 5:
				gather(keyHash(keyArabicCons, c), candConsonant*tw)
			}
		}
		// Typos: the entry's key is the query's with one symbol more, one
		// less, or one different (or two swapped). A spelling held by many
		// entries is a real name, not a typo: its neighbours are skipped.
		if cur.cost >= commonCost {
			end()
			continue
		}
		k := primary(t.keys)
		gather(keyHash(keyDelete, k), candTypo*tw)
		if len(k) >= 4 && len(k) <= maxDeleteKey && isASCII(k) {
			for i := range len(k) {
				if i > 0 && k[i] == k[i-1] {
					continue
				}
				gather(keyHashSkip(keySkeleton, k, i), candTypo*tw)
				gather(keyHashSkip(keyDelete, k, i), candTypo*tw)
			}
		}
		end()
	}
	// Two query tokens written as one in the list (Abdul Rahman, Abdulrahman).
	for i := 0; i+1 < len(q); i++ {
		if joinable(q[i]) && joinable(q[i+1]) {
			anchorRole = true
			begin()
			gather(keyHash2(keySkeleton, primary(q[i].t.keys), primary(q[i+1].t.keys)), candSkeleton)
			end()
		}
	}
	slices.SortFunc(sc.qtoks, func(a, b qtok) int { return a.cost - b.cost })

	next := func() uint32 {
		sc.epoch++
		if sc.epoch == 0 {
			clear(sc.acc)
			sc.epoch = 1
		}
		return sc.epoch
	}
	anchored := false
	for k, qt := range sc.qtoks {
		// Walk a token's postings, or probe the entries found so far for
		// its terms, whichever touches less memory; but walk until a name
		// (not a patronymic, not only typo neighbours) has been walked, so
		// that the entries found are those of the query's anchor. Tokens
		// come cheapest first, so once one is probed, the rest are too.
		if anchored && qt.cost > 512 && probeCost*len(sc.touched) < qt.cost {
			ix.probe(sc, sc.qtoks[k:])
			break
		}
		anchored = anchored || qt.anchor
		ep := next()
		for _, wt := range sc.wterms[qt.start:qt.end] {
			for _, slot := range ix.post[wt.id] {
				a := &sc.acc[slot]
				if a.mark == ep {
					continue
				}
				a.mark = ep
				if a.acc == 0 {
					sc.touched = append(sc.touched, slot)
				}
				a.acc += wt.w
				sc.best = max(sc.best, a.acc)
			}
		}
	}
	cut := sc.best / 2
	cs := sc.cands[:0]
	for _, slot := range sc.touched {
		a := sc.acc[slot].acc
		sc.acc[slot].acc = 0
		if a < cut {
			continue
		}
		m := &ix.meta[slot]
		if qdob.Known() && m.year == qdob.Year {
			a += 0.3 // among namesakes, prefer the one born that year
		}
		cs = append(cs, candidate{slot: slot, rank: m.rank, acc: a})
	}
	sc.touched = sc.touched[:0]
	if len(cs) > m {
		selectTop(cs, m)
		cs = cs[:m]
	}
	sc.cands = cs
	return cs
}

// probe adds to each entry found so far the best weight of each of the
// tokens qts it contains, in one pass over the entries.
func (ix *Index) probe(sc *matchScratch, qts []qtok) {
	sc.tepoch++
	if sc.tepoch == 0 {
		clear(sc.tmark)
		sc.tepoch = 1
	}
	tep := sc.tepoch
	for k, qt := range qts[:min(len(qts), 32)] {
		for _, wt := range sc.wterms[qt.start:qt.end] {
			sc.tmark[wt.id] = tep
			sc.tweight[wt.id] = wt.w
			sc.ttok[wt.id] = uint8(k)
		}
	}
	var best [32]float32
	for _, slot := range sc.touched {
		clear(best[:len(qts)])
		if m := &ix.sterms[slot]; m.n <= slotTerms {
			for _, id := range m.terms[:m.n] {
				if sc.tmark[id] == tep {
					best[sc.ttok[id]] = max(best[sc.ttok[id]], sc.tweight[id])
				}
			}
		} else {
			toks := ix.entries[slot].toks
			for i := 0; i < len(toks); {
				n := int(toks[i])
				for _, occ := range toks[i+1 : i+1+n] {
					if id := occ & occMask; sc.tmark[id] == tep {
						best[sc.ttok[id]] = max(best[sc.ttok[id]], sc.tweight[id])
					}
				}
				i += 1 + n
			}
		}
		var sum float32
		for _, b := range best[:len(qts)] {
			sum += b
		}
		sc.acc[slot].acc += sum
		sc.best = max(sc.best, sc.acc[slot].acc)
	}
}

type weightedTerm struct {
	id uint32
	w  float32
}

// qtok is one query token's terms (wterms[start:end]) and the length of
// their posting lists.
type qtok struct {
	start, end, cost int
	anchor           bool // a name (not a patronymic) reached by a strong key
}

// selectTop partially orders cs so that its first m elements are the m
// with the highest acc (ties by rank, then slot), in O(len(cs)) expected
// time.
func selectTop(cs []candidate, m int) {
	less := func(a, b candidate) bool { // a ranks before b
		if a.acc != b.acc {
			return a.acc > b.acc
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.slot < b.slot
	}
	lo, hi := 0, len(cs)-1
	seed := uint32(len(cs))
	for lo < hi {
		seed = seed*1664525 + 1013904223
		p := lo + int(seed%uint32(hi-lo+1))
		cs[p], cs[hi] = cs[hi], cs[p]
		pivot, store := cs[hi], lo
		for i := lo; i < hi; i++ {
			if less(cs[i], pivot) {
				cs[i], cs[store] = cs[store], cs[i]
				store++
			}
		}
		cs[store], cs[hi] = cs[hi], cs[store]
		switch {
		case store == m-1 || store == m:
			return
		case store < m:
			lo = store + 1
		default:
			hi = store - 1
		}
	}
}

// adjust applies the evidence of dates of birth and nationality to a name
// score; with explain it also returns that evidence.
func adjust(s float64, qd, ed Date, qn string, en string, explain bool) (float64, []Evidence) {
	var ev []Evidence
	raise, factor, how := dobEffect(qd, ed)
	s = (s + (1-s)*raise) * factor
	if explain && how != "" {
		ev = append(ev, Evidence{Kind: BirthDate, Entry: ed.String(), Query: qd.String(), How: how})
	}
	if qn != "" && en != "" {
		if slices.Contains(strings.Split(en, "|"), qn) {
			s += (1 - s) * 0.15
			if explain {
				ev = append(ev, Evidence{Kind: Nationality, Entry: qn, Query: qn, How: "nationality matches (" + qn + ")"})
			}
		} else {
			s *= 0.95
			if explain {
				ev = append(ev, Evidence{Kind: Nationality, Entry: en, Query: qn,
					How: fmt.Sprintf("nationality differs (%s vs %s)", en, qn)})
			}
		}
	}
	return max(0, min(1, s)), ev
}
