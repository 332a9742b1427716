package match

// keyTable maps the hash of a key (a skeleton, a consonant key, a deletion
// variant, a cognate group) to the terms that have it. Most keys belong to
// one term, so a term id is stored inline and only shared keys get a list:
// this keeps the several million keys of a large watchlist compact.
type keyTable struct {
	m     map[uint64]uint32 // a term id, or listFlag | index into lists
	lists [][]uint32
}

const listFlag = 1 << 31

// Kinds of keys, hashed together with the key.
const (
	keySkeleton   = 'K'
	keyConsonant  = 'C' // three consonants or more
	keyShortCons  = 'c' // two consonants, of a name not in Arabic script
	keyArabicCons = 'A' // two consonants, of a name in Arabic script
	keyDelete     = 'D'
	keyGroup      = 'G'
	keyTerm       = 'T' // a spelling, to find its term id
)

// keyHash is FNV-1a over the kind and the key. It is deterministic, so an
// index built twice from the same list is identical; a collision only
// costs a candidate that the scorer then rejects.
func keyHash(kind byte, k string) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(k); i++ {
		h ^= uint64(k[i])
		h *= 1099511628211
	}
	return h
}

// keyHash2 is keyHash of a+b.
func keyHash2(kind byte, a, b string) uint64 {
	h := keyHash(kind, a)
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i])
		h *= 1099511628211
	}
	return h
}

// keyHashSkip is keyHash of k without its byte at i.
func keyHashSkip(kind byte, k string, i int) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for j := 0; j < len(k); j++ {
		if j != i {
			h ^= uint64(k[j])
			h *= 1099511628211
		}
	}
	return h
}

func newKeyTable() keyTable { return keyTable{m: map[uint64]uint32{}} }

// add records that term tid has key h. Terms are added in increasing id
// order, so a repeat is always at the end.
func (kt *keyTable) add(h uint64, tid uint32) {
	v, ok := kt.m[h]
	switch {
	case !ok:
		kt.m[h] = tid
	case v&listFlag == 0:
		if v != tid {
			kt.m[h] = listFlag | uint32(len(kt.lists))
			kt.lists = append(kt.lists, []uint32{v, tid})
		}
	default:
		l := kt.lists[v&^listFlag]
		if l[len(l)-1] != tid {
			kt.lists[v&^listFlag] = append(l, tid)
		}
	}
}

// get appends the terms with key h to buf.
func (kt *keyTable) get(h uint64, buf []uint32) []uint32 {
	v, ok := kt.m[h]
	switch {
	case !ok:
		return buf
	case v&listFlag == 0:
		return append(buf, v)
	}
	return append(buf, kt.lists[v&^listFlag]...)
}

func (kt *keyTable) len() int { return len(kt.m) }

// bytes estimates the table's memory.
func (kt *keyTable) bytes() int {
	n := len(kt.m) * 16 * 9 / 8 // swiss-table slots of 12 bytes plus control, at 7/8 load
	for _, l := range kt.lists {
		n += 24 + 4*cap(l)
	}
	return n
}
