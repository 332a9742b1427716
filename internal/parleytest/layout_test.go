package parleytest_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestLayout checks the dependency rules of STYLE.md: pure packages import
// nothing of ours; adapters import the domain and pure packages, never each
// other; nothing imports cmd/parley.
func TestLayout(t *testing.T) {
	const mod = "github.com/parley-dev/parley/"
	pure := []string{"envelope", "contact", "match", "stix", "transcript", "opendoorcrypto"}
	adapters := []string{"store", "federation", "opendoor", "taxii", "web"}
	deps := func(pkg string) []string {
		t.Helper()
		out, err := exec.Command("go", "list", "-deps", mod+"internal/"+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		var ours []string
		for _, d := range strings.Fields(string(out)) {
			if strings.HasPrefix(d, mod) && d != mod+"internal/"+pkg {
				ours = append(ours, strings.TrimPrefix(d, mod))
			}
		}
		return ours
	}
	for _, p := range pure {
		if got := deps(p); len(got) > 0 {
			t.Errorf("pure package internal/%s imports %v", p, got)
		}
	}
	for _, a := range adapters {
		for _, d := range deps(a) {
			for _, other := range adapters {
				if other != a && d == "internal/"+other {
					t.Errorf("adapter internal/%s imports adapter %s", a, d)
				}
			}
			if strings.HasPrefix(d, "cmd/") {
				t.Errorf("internal/%s imports %s", a, d)
			}
		}
	}
	if got := deps("parley"); len(got) > 0 {
		for _, d := range got {
			if !slices.Contains(pure, strings.TrimPrefix(d, "internal/")) {
				t.Errorf("the domain imports %s; it may import only pure packages", d)
			}
		}
	}
}
