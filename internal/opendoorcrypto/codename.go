package opendoorcrypto

import (
	"crypto/rand"
	"io"
	"math"
	"math/big"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// CodenameWords is the number of words in a codename. With the 2,397 words
// of Words, a codename carries 8 × log2(2397) ≈ 89.8 bits of entropy; the
// list would have to fall below 2,048 words (and a test forbids it) for a
// codename to carry less than 88 bits.
const CodenameWords = 8

// maxCodenameInput bounds what NormaliseCodename reads of a typed codename:
// a generated codename is at most 8 × 9 bytes.
const maxCodenameInput = 256

var words = sync.OnceValue(func() []string { return buildWords(vocabulary) })

// buildWords turns a vocabulary into a word list: the lower-case words of 3
// to 8 ASCII letters, each once, sorted.
func buildWords(vocab string) []string {
	var out []string
	for _, w := range strings.Fields(vocab) {
		if len(w) < 3 || len(w) > 8 || strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
			continue
		}
		out = append(out, w)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Words returns the codename word list (English only, for ease of typing on
// any keyboard). The caller may modify the returned slice.
func Words() []string { return slices.Clone(words()) }

// CodenameBits is the entropy of a codename from NewCodename, in bits.
func CodenameBits() float64 { return CodenameWords * math.Log2(float64(len(words()))) }

// NewCodename returns CodenameWords words, drawn uniformly and independently
// from Words with randomness from r (nil: crypto/rand), separated by spaces.
func NewCodename(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	ws := words()
	n := big.NewInt(int64(len(ws)))
	out := make([]string, CodenameWords)
	for i := range out {
		k, err := rand.Int(r, n)
		if err != nil {
			return "", err
		}
		out[i] = ws[k.Int64()]
	}
	return strings.Join(out, " "), nil
}

// NormaliseCodename returns the canonical form of a typed codename: its
// runs of letters, lower-cased, separated by single spaces. Everything else
// (spaces, hyphens, dots, line breaks, digits) only separates words, so
// "Otter-Bamboo  cliff…" and "otter bamboo cliff" are the same codename.
// Only the first 256 bytes of s are read.
func NormaliseCodename(s string) string {
	if len(s) > maxCodenameInput {
		s = s[:maxCodenameInput]
	}
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }), " ")
}
