package opendoorcrypto

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"testing"
)

// The word list is built, not copied: these checks are what it promises.
func TestWordList(t *testing.T) {
	ws := Words()
	if len(ws) < 2048 {
		t.Fatalf("the word list has %d words; at least 2048 (11 bits a word) are needed for 8 words to carry 88 bits", len(ws))
	}
	if got := CodenameBits(); got < 88 {
		t.Errorf("CodenameBits() = %.1f, want at least 88", got)
	}
	t.Logf("%d words, %d per codename: %.1f bits", len(ws), CodenameWords, CodenameBits())
	if !slices.IsSorted(ws) {
		t.Error("the word list is not sorted")
	}
	for i, w := range ws {
		if i > 0 && ws[i-1] == w {
			t.Errorf("duplicate word %q", w)
		}
		if len(w) < 3 || len(w) > 8 || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("word %q is not 3 to 8 lower-case ASCII letters", w)
		}
		if NormaliseCodename(w) != w {
			t.Errorf("word %q is not in normal form", w)
		}
	}
}

// TestWordListClean keeps words a visitor should not be handed out of the
// list: violence, drugs, sex, insults, death. The vocabulary is written by
// hand; this is a tripwire for careless additions, not a complete filter.
func TestWordListClean(t *testing.T) {
	deny := strings.Fields(`abuse anal arse ass bastard bitch blood bomb boob butt cocaine cock crap cunt
		damn dead death devil dick die dildo drug drugs dyke fag fart fuck gay gun guns hate heroin hell hitler
		homo horny jew kill killer kkk knife meth murder nazi nude penis piss poop porn pussy racist rape
		satan sex sexy shit slave slut suicide terror tits torture twat vagina war weapon whore wank`)
	set := map[string]bool{}
	for _, w := range Words() {
		set[w] = true
	}
	for _, d := range deny {
		if set[d] {
			t.Errorf("word list holds %q", d)
		}
	}
}

// TestWordListGolden pins the list: a change must be deliberate (it does
// not break existing codenames, which are derived from their words, but it
// changes the entropy stated in the documentation).
func TestWordListGolden(t *testing.T) {
	sum := sha256.Sum256([]byte(strings.Join(Words(), "\n")))
	got := hex.EncodeToString(sum[:])
	if got != wordListSHA256 {
		t.Errorf("word list SHA-256 = %s, want %s (%d words, %.2f bits); if the change is deliberate, update wordListSHA256 and docs/opendoor.md", got, wordListSHA256, len(Words()), CodenameBits())
	}
	if n := len(Words()); math.Abs(CodenameBits()-8*math.Log2(float64(n))) > 1e-9 {
		t.Errorf("CodenameBits inconsistent with %d words", n)
	}
}

const wordListSHA256 = "2766ce6a2f92bfee24c84c7e854860111351110427c4da118817518f33882d5c"
