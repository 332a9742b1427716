package stix

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	b, err := os.ReadFile("testdata/valid/warning.json")
	if err != nil {
		t.Fatal(err)
	}
	bd, err := Parse(b, Options{RequireTLP: true})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Render(&out, bd); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Bundle bundle--258cbcfb-41e9-43b0-a3b7-4096ee88707d: 7 records (and 6 marking and extension definitions), at most TLP:AMBER.",
		"Person “Иван Сергеевич Петров” (identity--1eab6b18-9ef8-4b96-a9ef-8cf59f774d58), TLP:AMBER.",
		"Also known as: Ivan Petrov, Иван Петров, Abu Ivan.",
		"Born 1979-04-12. Nationality: RU, UA. Documents: passport 721234567 (RU).",
		"Threat actor “Иван Сергеевич Петров”",
		"Types: terrorist. Roles: sponsor.",
		"“Иван Сергеевич Петров” (threat-actor--4f223b49-148d-4be6-92e5-19e529dfc0f1) attributed-to “Иван Сергеевич Петров” (identity--1eab6b18-9ef8-4b96-a9ef-8cf59f774d58).",
		"Financing channel “Al-Amal Trading account” (infrastructure--a4aab8c6-b7a9-4d09-898d-b3e00e841118), bank-account, TLP:AMBER. IBAN DE89370400440532013000. BIC COBADEFFXXX.",
		"Source “NIGHTJAR” (identity--bc186ba5-64b0-43be-baca-b85f4c479fa3), graded B2 (usually reliable; probably true), TLP:AMBER.",
		"Indicator “Sponsor's wallet” (indicator--4c009230-4685-4dda-809f-8c7eaf292883), TLP:AMBER. Pattern (stix):",
		"Report “Warning: sponsor of a planned attack”",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "Parley person") || strings.Contains(got, "“Parley”") {
		t.Errorf("definitions rendered as records:\n%s", got)
	}
	// One paragraph per record.
	if n := strings.Count(got, "\n\n"); n != 7 {
		t.Errorf("got %d paragraphs, want 7:\n%s", n, got)
	}
}

func TestRenderEscapesControlCharacters(t *testing.T) {
	objs := must(t)(NewPerson(PersonInput{Name: "Evil\x1b[2J\u202eName"}, TLPGreen, testNow))
	bd := parseBuilt(t, objs)
	var out bytes.Buffer
	if err := Render(&out, bd); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(out.String(), 0x1b) || !strings.Contains(out.String(), `Evil\u001b[2J`) {
		t.Errorf("control character not escaped: %q", out.String())
	}
}

type failingWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, errWrite
	}
	return len(p), nil
}

func TestRenderWriteError(t *testing.T) {
	bd := parseBuilt(t, must(t)(NewPerson(PersonInput{Name: "x"}, TLPGreen, testNow)))
	for n := range 3 {
		if err := Render(&failingWriter{n: n}, bd); !errors.Is(err, errWrite) {
			t.Errorf("after %d writes: got %v, want %v", n, err, errWrite)
		}
	}
}
