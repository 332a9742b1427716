package stix

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPure checks STYLE.md's rule for pure packages: internal/stix imports
// the standard library only (outside its tests).
func TestPure(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/parley-dev/parley/internal/stix" {
			t.Errorf("internal/stix depends on %s", p)
		}
	}
}
