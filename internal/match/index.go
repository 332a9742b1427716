package match

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Entry is one person on a watchlist.
type Entry struct {
	ID            string   // unique and non-empty; at most MaxIDBytes of valid UTF-8
	Name          string   // the primary name, in any script
	Aliases       []string // other names and spellings; empty ones are ignored
	DOB           string   // date of birth: "YYYY-MM-DD", "YYYY" or ""
	Nationalities []string // compared case-insensitively: use one convention (ISO 3166 codes)
}

// Query is a person to look up.
type Query struct {
	Name        string
	DOB         string // "YYYY-MM-DD", "YYYY" or ""; anything else is ignored
	Nationality string // optional, same convention as Entry.Nationalities
}

// Hit is a watchlist entry that matches a query.
type Hit struct {
	ID       string
	Score    float64    // in [0,1]; a hit at or above DefaultThreshold is a match
	Name     string     // the entry's name or alias that matched best
	Evidence []Evidence // why: token by token, then date of birth and nationality
}

// DefaultThreshold is the operating point: the score at or above which a
// hit is reported as a match. It was chosen on the development set (see
// docs/matching.md) for recall on transliteration variants at a precision
// of at least 0.95.
const DefaultThreshold = 0.78

// MaxIDBytes bounds an entry's identifier.
const MaxIDBytes = 256

// Errors returned by Add and AddAll, wrapped with the entry's identifier.
var (
	ErrNoID   = errors.New("entry has no id")
	ErrBadID  = errors.New("entry id is not valid UTF-8 of at most 256 bytes")
	ErrNoName = errors.New("name has no letters")
)

// Index is an in-memory watchlist that finds the entries matching a name
// without scanning the list: names are broken into tokens, every distinct
// token is analysed once (skeletons, consonant key, deletion variants for
// typos, cognate group), and an inverted index from those keys to entries
// yields a few dozen candidates, which are then scored in full.
//
// Concurrency: Match may be called from any number of goroutines, also
// while Add, AddAll and Remove run. A writer takes the index's lock for the
// time it inserts (the analysis of new names is done before, outside the
// lock); Match holds the read lock for one query. Every call sees the index
// either before or after a given Add, AddAll or Remove, never half-way.
//
// Memory: entries keep their names and dates; token analyses are shared
// across entries and kept after the last entry that used them is removed
// (a list that churns through many distinct spellings grows; rebuild it).
type Index struct {
	mu      sync.RWMutex
	terms   []term            // by term id
	keys    keyTable          // also maps a spelling's hash to its term id
	nats    map[string]string // interned nationality lists
	post    [][]uint32        // term id → entry slots holding the term
	entries []entry           // by slot; a free slot has id ""
	meta    []slotMeta        // by slot: what candidate selection reads, compactly
	sterms  []slotTermList    // by slot: what probing reads
	byID    map[string]uint32
	free    []uint32
	live    int

	scratch sync.Pool // *matchScratch
}

// slotMeta is the part of an entry that candidate selection reads for
// thousands of entries per query, kept apart from the rest for locality.
type slotMeta struct {
	rank uint32 // hash of the id: breaks ties independently of slots
	year int16  // year of birth, or 0
}

// slotTermList lists an entry's distinct terms in one cache line for
// probing, when there are at most slotTerms of them: a name, a patronymic
// and a surname and their alias spellings usually fit. n > slotTerms means
// see the entry's tokens.
type slotTermList struct {
	n     uint32
	terms [slotTerms]uint32
}

const slotTerms = 7

// entry is one stored person.
type entry struct {
	id    string
	names []string // display names, primary first
	toks  []uint32 // for each name: the token count, then term ids with occ flags
	dob   Date
	nats  string // nationalities separated by "|", interned
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{keys: newKeyTable(), byID: map[string]uint32{}, nats: map[string]string{}}
}

// prepared is an entry checked and tokenised, ready to insert.
type prepared struct {
	id    string
	names []string
	toks  [][]rawToken
	ids   [][]uint32 // term ids of toks, noTerm when unknown
	dob   Date
	nats  []string
}

func prepare(e Entry) (prepared, error) {
	p := prepared{id: strings.TrimSpace(e.ID)}
	switch {
	case p.id == "":
		return p, ErrNoID
	case len(p.id) > MaxIDBytes || !utf8.ValidString(p.id):
		return p, ErrBadID
	}
	var err error
	if p.dob, err = ParseDate(strings.TrimSpace(e.DOB)); err != nil {
		return p, fmt.Errorf("entry %q: %w", p.id, err)
	}
	for i, n := range append([]string{e.Name}, e.Aliases...) {
		toks := tokenize(n)
		if len(toks) == 0 {
			if i == 0 {
				return p, fmt.Errorf("entry %q: primary name %q: %w", p.id, truncate(n, 40), ErrNoName)
			}
			continue
		}
		p.names = append(p.names, strings.ToValidUTF8(truncate(strings.TrimSpace(n), MaxNameBytes), "\uFFFD"))
		p.toks = append(p.toks, toks)
	}
	for _, c := range e.Nationalities {
		if c = normNationality(c); c != "" && !slices.Contains(p.nats, c) {
			p.nats = append(p.nats, strings.ReplaceAll(c, "|", "/"))
		}
	}
	return p, nil
}

func normNationality(s string) string {
	return strings.ToUpper(strings.TrimSpace(strings.ToValidUTF8(s, "")))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Add inserts an entry, replacing any entry with the same ID. An invalid
// entry (no ID, a primary name without letters, a malformed date) is
// refused with an error wrapping ErrNoID, ErrBadID, ErrNoName or
// ErrBadDate, and the index is unchanged.
func (ix *Index) Add(e Entry) error {
	errs := ix.AddAll([]Entry{e})
	return errs[0]
}

// AddAll inserts entries as one change: readers see all of the valid ones
// or none. It returns one error per entry (nil for those inserted); invalid
// entries are skipped whole. Later entries replace earlier ones with the
// same ID. The analysis of new spellings runs on all cores.
func (ix *Index) AddAll(es []Entry) []error {
	errs := make([]error, len(es))
	ps := make([]prepared, len(es))
	parallel(len(es), func(i int) {
		ps[i], errs[i] = prepare(es[i])
	})
	// Find the term of every token, and analyse the spellings the index
	// does not know yet, outside the write lock and on all cores.
	ix.mu.RLock()
	parallel(len(ps), func(i int) {
		if errs[i] != nil {
			return
		}
		p := &ps[i]
		p.ids = make([][]uint32, len(p.toks))
		for k, toks := range p.toks {
			p.ids[k] = make([]uint32, len(toks))
			for j, t := range toks {
				if id, ok := ix.lookup(t.form); ok {
					p.ids[k][j] = id
				} else {
					p.ids[k][j] = noTerm
				}
			}
		}
	})
	ix.mu.RUnlock()
	seen := map[string]bool{}
	var forms []string
	for i := range ps {
		for k, ids := range ps[i].ids {
			for j, id := range ids {
				if f := ps[i].toks[k][j].form; id == noTerm && !seen[f] {
					seen[f] = true
					forms = append(forms, f)
				}
			}
		}
	}
	analysed := make([]*term, len(forms))
	parallel(len(forms), func(i int) { analysed[i] = analyse(forms[i]) })
	fresh := make(map[string]*term, len(forms))
	for i, f := range forms {
		fresh[f] = analysed[i]
	}

	ix.mu.Lock()
	defer ix.mu.Unlock()
	// Term ids never change, so those found under the read lock hold; the
	// spellings that were new are looked up again by termID, in case
	// another writer added them meanwhile.
	if ix.live == 0 && len(ix.keys.m) == 0 && len(forms) > 1000 {
		ix.keys.m = make(map[uint64]uint32, len(forms)*10)
		ix.byID = make(map[string]uint32, len(es))
	}
	grow := max(0, len(es)-len(ix.free))
	ix.entries = slices.Grow(ix.entries, grow)
	ix.meta = slices.Grow(ix.meta, grow)
	ix.sterms = slices.Grow(ix.sterms, grow)
	ix.terms = slices.Grow(ix.terms, len(forms))
	ix.post = slices.Grow(ix.post, len(forms))
	for i := range ps {
		if errs[i] == nil {
			ix.insert(&ps[i], fresh)
		}
	}
	return errs
}

// parallel runs f(0..n-1) on all cores.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/256))
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// lookup returns the id of a known spelling.
func (ix *Index) lookup(form string) (uint32, bool) {
	v, ok := ix.keys.m[keyHash(keyTerm, form)]
	switch {
	case !ok:
		return 0, false
	case v&listFlag == 0:
		return v, ix.terms[v].form == form
	}
	for _, id := range ix.keys.lists[v&^listFlag] {
		if ix.terms[id].form == form {
			return id, true
		}
	}
	return 0, false
}

// termID returns the id of a spelling, adding it (with its keys) if new.
// The caller holds the write lock.
func (ix *Index) termID(form string, fresh map[string]*term) uint32 {
	if id, ok := ix.lookup(form); ok {
		return id
	}
	t := fresh[form]
	if t == nil {
		t = analyse(form)
	}
	id := uint32(len(ix.terms))
	if id >= occMask {
		panic("match: too many distinct tokens")
	}
	ix.terms = append(ix.terms, *t)
	ix.post = append(ix.post, nil)
	ix.keys.add(keyHash(keyTerm, form), id)
	for k := range keyList(t.keys) {
		ix.keys.add(keyHash(keySkeleton, k), id)
	}
	for c := range keyList(t.cons) {
		switch {
		case len(c) >= 3:
			ix.keys.add(keyHash(keyConsonant, c), id)
		case len(c) == 2 && t.script == ScriptArabic:
			ix.keys.add(keyHash(keyArabicCons, c), id)
		case len(c) == 2:
			ix.keys.add(keyHash(keyShortCons, c), id)
		}
	}
	if t.group >= 0 {
		ix.keys.add(keyHash(keyGroup, groupKey(t.group)), id)
	}
	var hs [maxDeleteKey]uint64
	for _, h := range deleteHashes(primary(t.keys), hs[:0]) {
		ix.keys.add(h, id)
	}
	return id
}

func groupKey(g int16) string { return string(rune(g + 1)) }

// maxDeleteKey bounds the keys whose deletion variants are indexed.
const maxDeleteKey = 24

// deleteHashes returns the distinct hashes, as keyDelete keys, of the
// strings made by deleting one symbol of k, for skeletons of 4 to
// maxDeleteKey bytes. It hashes without building the strings.
func deleteHashes(k string, out []uint64) []uint64 {
	if len(k) < 4 || len(k) > maxDeleteKey || !isASCII(k) {
		return out
	}
	for i := range len(k) {
		if i > 0 && k[i] == k[i-1] {
			continue // the same string as deleting k[i-1]
		}
		h := keyHashSkip(keyDelete, k, i)
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// insert adds a prepared entry; the caller holds the write lock.
func (ix *Index) insert(p *prepared, fresh map[string]*term) {
	if old, ok := ix.byID[p.id]; ok {
		ix.removeSlot(old)
	}
	var toks []uint32
	var distinct []uint32
	n := len(p.toks)
	for _, name := range p.toks {
		n += len(name)
	}
	toks = make([]uint32, 0, n)
	for k, name := range p.toks {
		toks = append(toks, uint32(len(name)))
		for j, t := range name {
			var id uint32 = noTerm
			if p.ids != nil {
				id = p.ids[k][j]
			}
			if id == noTerm {
				id = ix.termID(t.form, fresh)
			}
			occ := id
			if t.hyphen {
				occ |= occHyphen
			}
			if t.dot {
				occ |= occDot
			}
			toks = append(toks, occ)
			if !slices.Contains(distinct, id) {
				distinct = append(distinct, id)
			}
		}
	}
	var slot uint32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
	} else {
		slot = uint32(len(ix.entries))
		ix.entries = append(ix.entries, entry{})
		ix.meta = append(ix.meta, slotMeta{})
		ix.sterms = append(ix.sterms, slotTermList{})
	}
	nats := strings.Join(p.nats, "|")
	if in, ok := ix.nats[nats]; ok {
		nats = in
	} else {
		ix.nats[nats] = nats
	}
	ix.entries[slot] = entry{id: p.id, names: p.names, toks: toks, dob: p.dob, nats: nats}
	ix.meta[slot] = slotMeta{rank: uint32(keyHash(0, p.id)), year: p.dob.Year}
	st := slotTermList{n: slotTerms + 1}
	if len(distinct) <= slotTerms {
		st.n = uint32(copy(st.terms[:], distinct))
	}
	ix.sterms[slot] = st
	for _, id := range distinct {
		ix.post[id] = append(ix.post[id], slot)
	}
	ix.byID[p.id] = slot
	ix.live++
}

// Remove deletes the entry with the given ID and reports whether there was one.
func (ix *Index) Remove(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, ok := ix.byID[strings.TrimSpace(id)]
	if !ok {
		return false
	}
	ix.removeSlot(slot)
	return true
}

func (ix *Index) removeSlot(slot uint32) {
	e := &ix.entries[slot]
	for i := 0; i < len(e.toks); {
		n := int(e.toks[i])
		for _, occ := range e.toks[i+1 : i+1+n] {
			id := occ & occMask
			p := ix.post[id]
			if k := slices.Index(p, slot); k >= 0 {
				p[k] = p[len(p)-1]
				ix.post[id] = p[:len(p)-1]
			}
		}
		i += 1 + n
	}
	delete(ix.byID, e.id)
	*e = entry{}
	ix.meta[slot] = slotMeta{}
	ix.sterms[slot] = slotTermList{}
	ix.free = append(ix.free, slot)
	ix.live--
}

// Len returns the number of entries.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Stats describes the index's size.
type Stats struct {
	Entries  int // persons
	Names    int // names and aliases
	Terms    int // distinct token spellings analysed
	Keys     int // distinct keys in the inverted index
	Postings int // (term, entry) pairs
	Bytes    int // estimate of the memory held, from the sizes of its parts
}

// Stats returns the index's size. Bytes is an estimate; measure the heap
// (runtime.MemStats) for the real figure, as `parley bench match` does.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := Stats{Entries: ix.live, Terms: len(ix.terms), Keys: ix.keys.len()}
	b := ix.keys.bytes() + cap(ix.terms)*int(unsafe.Sizeof(term{})) + cap(ix.entries)*int(unsafe.Sizeof(entry{})) + cap(ix.post)*24
	for _, p := range ix.post {
		s.Postings += len(p)
		b += 4 * cap(p)
	}
	for i := range ix.terms {
		t := &ix.terms[i]
		b += len(t.form) + len(t.keys) + len(t.cons)
	}
	for i := range ix.entries {
		e := &ix.entries[i]
		s.Names += len(e.names)
		b += len(e.id) + 4*cap(e.toks) + 16*cap(e.names)
		for _, n := range e.names {
			b += len(n)
		}
	}
	b += len(ix.byID) * 40
	s.Bytes = b
	return s
}

// Has reports whether an entry with the given ID is on the list.
func (ix *Index) Has(id string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.byID[strings.TrimSpace(id)]
	return ok
}
