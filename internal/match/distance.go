package match

import "unicode/utf8"

// editDistance returns the optimal string alignment distance between a and
// b (insertions, deletions, substitutions and transpositions of adjacent
// symbols), or max+1 when it exceeds max. Skeletons are ASCII; other
// strings are compared rune by rune.
func editDistance(a, b string, max int) int {
	if a == b {
		return 0
	}
	if isASCII(a) && isASCII(b) {
		return osa([]byte(a), []byte(b), max)
	}
	return osa([]rune(a), []rune(b), max)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func osa[T byte | rune](a, b []T, max int) int {
	la, lb := len(a), len(b)
	if d := la - lb; d > max || -d > max {
		return max + 1
	}
	if la == 0 || lb == 0 {
		return la + lb
	}
	// Three rows suffice for transpositions. Names are short; the rows live
	// on the stack for tokens up to 48 symbols.
	var buf [3 * 49]int
	var rows []int
	if 3*(lb+1) <= len(buf) {
		rows = buf[:3*(lb+1)]
	} else {
		rows = make([]int, 3*(lb+1))
	}
	prev2, prev, cur := rows[:lb+1], rows[lb+1:2*(lb+1)], rows[2*(lb+1):]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[lb] > max {
		return max + 1
	}
	return prev[lb]
}

// JaroWinkler returns the Jaro–Winkler similarity of a and b in [0,1],
// compared rune by rune, with the usual prefix scale 0.1 over at most four
// runes. It is the classic baseline for name matching; the matcher uses it
// only as a last resort between skeletons.
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if isASCII(a) && isASCII(b) {
		return jaroWinkler([]byte(a), []byte(b))
	}
	return jaroWinkler([]rune(a), []rune(b))
}

func jaroWinkler[T byte | rune](a, b []T) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [64]bool
	var matchedA, matchedB []bool
	if la <= 64 && lb <= 64 {
		matchedA, matchedB = ma[:la], mb[:lb]
	} else {
		matchedA, matchedB = make([]bool, la), make([]bool, lb)
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !matchedB[j] && a[i] == b[j] {
				matchedA[i], matchedB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !matchedA[i] {
			continue
		}
		for !matchedB[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	prefix := 0
	for prefix < min(4, la, lb) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
