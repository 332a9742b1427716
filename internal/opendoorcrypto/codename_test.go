package opendoorcrypto

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestNewCodename(t *testing.T) {
	ws := Words()
	seen := map[string]bool{}
	for range 200 {
		c, err := NewCodename(nil)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(c, " ")
		if len(parts) != CodenameWords {
			t.Fatalf("codename %q has %d words, want %d", c, len(parts), CodenameWords)
		}
		for _, p := range parts {
			if _, ok := slices.BinarySearch(ws, p); !ok {
				t.Errorf("codename %q: %q is not in the word list", c, p)
			}
		}
		if NormaliseCodename(c) != c {
			t.Errorf("codename %q is not in normal form", c)
		}
		if seen[c] {
			t.Errorf("codename %q came twice in 200 draws", c)
		}
		seen[c] = true
	}
	// The randomness is the reader's: the same bytes give the same codename.
	seed := bytes.Repeat([]byte{7, 1, 9, 200}, 64)
	a, _ := NewCodename(bytes.NewReader(seed))
	b, _ := NewCodename(bytes.NewReader(seed))
	if a != b {
		t.Errorf("NewCodename with the same randomness: %q and %q", a, b)
	}
	if _, err := NewCodename(bytes.NewReader(nil)); err == nil {
		t.Error("NewCodename with an empty reader succeeded")
	}
}

func TestNormaliseCodename(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"otter bamboo cliff", "otter bamboo cliff"},
		{"  Otter-Bamboo  CLIFF\n", "otter bamboo cliff"},
		{"otter.bamboo,cliff;", "otter bamboo cliff"},
		{"otter1bamboo 2 cliff", "otter bamboo cliff"},
		{"", ""},
		{"- . 3", ""},
		{strings.Repeat("a ", 200), strings.TrimSpace(strings.Repeat("a ", 128))},
	} {
		if got := NormaliseCodename(tt.in); got != tt.want {
			t.Errorf("NormaliseCodename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
