package stix

import (
	"os"
	"strings"
	"testing"
)

// TestDocsExamples parses every json block of docs/records.md with Parley's
// rules, and checks that the identifiers the document gives are the code's.
func TestDocsExamples(t *testing.T) {
	b, err := os.ReadFile("../../docs/records.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var blocks []string
	for rest := doc; ; {
		_, after, ok := strings.Cut(rest, "```json\n")
		if !ok {
			break
		}
		block, tail, ok := strings.Cut(after, "\n```")
		if !ok {
			t.Fatal("unterminated json block")
		}
		blocks = append(blocks, block)
		rest = tail
	}
	if len(blocks) < 2 {
		t.Fatalf("found %d json blocks, want at least 2", len(blocks))
	}
	for i, block := range blocks {
		t.Run("block"+string(rune('1'+i)), func(t *testing.T) {
			bd, err := Parse([]byte(block), Options{RequireTLP: true})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(bd.Objects) == 0 {
				t.Error("no objects")
			}
		})
	}
	ids := []string{ParleyIdentityID, PersonExtension, FinancingExtension, SourceExtension, TLP2Extension}
	for l := TLPClear; l <= TLPRed; l++ {
		ids = append(ids, l.MarkingID())
	}
	for _, m := range tlp1Markings {
		ids = append(ids, m.id)
	}
	for _, d := range parleyExtensions {
		ids = append(ids, d.schema)
	}
	for _, id := range ids {
		if !strings.Contains(doc, id) {
			t.Errorf("docs/records.md does not mention %s", id)
		}
	}
}
