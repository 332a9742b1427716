package stix

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// invalidCase is one line of testdata/invalid/cases.txt.
type invalidCase struct {
	file, path, reason string
	opts               Options
}

func readInvalidCases(t testing.TB) []invalidCase {
	t.Helper()
	f, err := os.Open("testdata/invalid/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []invalidCase
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 4 {
			t.Fatalf("cases.txt:%d: want 4 tab-separated fields, got %d", n, len(fields))
		}
		c := invalidCase{file: fields[0], path: fields[2], reason: fields[3]}
		for _, o := range strings.Split(fields[1], ",") {
			k, v, _ := strings.Cut(o, "=")
			switch k {
			case "lenient":
			case "strict":
				c.opts.RequireTLP = true
			case "maxbytes":
				c.opts.MaxBytes, err = strconv.Atoi(v)
			case "maxobjects":
				c.opts.MaxObjects, err = strconv.Atoi(v)
			default:
				t.Fatalf("cases.txt:%d: unknown option %q", n, o)
			}
			if err != nil {
				t.Fatalf("cases.txt:%d: %v", n, err)
			}
		}
		cases = append(cases, c)
	}
	return cases
}

func TestInvalid(t *testing.T) {
	cases := readInvalidCases(t)
	listed := map[string]bool{}
	for _, c := range cases {
		listed[c.file] = true
		t.Run(strings.TrimSuffix(c.file, ".json"), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/invalid", c.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(b, c.opts)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse: got %v, want a *ValidationError", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			if ve.Path != c.path {
				t.Errorf("path: got %q, want %q (error: %v)", ve.Path, c.path, err)
			}
			if !strings.Contains(ve.Reason, c.reason) {
				t.Errorf("reason: got %q, want it to contain %q", ve.Reason, c.reason)
			}
			// Every defect is a defect in strict mode too.
			if !c.opts.RequireTLP {
				o := c.opts
				o.RequireTLP = true
				if _, err := Parse(b, o); err == nil {
					t.Errorf("strict Parse accepted what lenient Parse refused")
				}
			}
		})
	}
	files, _ := filepath.Glob("testdata/invalid/*.json")
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not listed in testdata/invalid/cases.txt", f)
		}
	}
}

// TestInvalidFromValid checks that each invalid file is a defect and not
// an accident: without it the base bundle parses in the same mode.
func TestValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata/valid/*.json")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, strict := range []bool{false, true} {
				bd, err := Parse(b, Options{RequireTLP: strict})
				if err != nil {
					t.Fatalf("Parse(RequireTLP: %v): %v", strict, err)
				}
				for i, o := range bd.Objects {
					if !json.Valid(o.Raw) || !strings.Contains(string(o.Raw), o.ID) {
						t.Errorf("objects[%d].Raw = %.60q…, not the object %s", i, o.Raw, o.ID)
					}
				}
			}
		})
	}
}

func TestWarningBundle(t *testing.T) {
	b, err := os.ReadFile("testdata/valid/warning.json")
	if err != nil {
		t.Fatal(err)
	}
	bd, err := Parse(b, Options{RequireTLP: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := bd.ID, "bundle--258cbcfb-41e9-43b0-a3b7-4096ee88707d"; got != want {
		t.Errorf("ID: got %s, want %s", got, want)
	}
	if got, want := bd.MaxTLP(), TLPAmber; got != want {
		t.Errorf("MaxTLP: got %v, want %v", got, want)
	}
	if got, want := strings.Join(bd.Kinds(), ","), "extension,financing,indicator,marking,person,relationship,report,source"; got != want {
		t.Errorf("Kinds: got %s, want %s", got, want)
	}
	wantKinds := []string{"extension", "extension", "extension", "extension", "marking", "marking", "person", "person",
		"relationship", "financing", "source", "indicator", "report"}
	for i, o := range bd.Objects {
		if got := o.RecordKind(); got != wantKinds[i] {
			t.Errorf("objects[%d] (%s).RecordKind: got %s, want %s", i, o.ID, got, wantKinds[i])
		}
	}
	ind := bd.Objects[11]
	if got, want := ind.Created.Format(timestampLayout), "2026-03-14T09:26:53.589Z"; got != want {
		t.Errorf("indicator Created: got %s, want %s", got, want)
	}
	if got := bd.Objects[4].Modified; !got.IsZero() {
		t.Errorf("marking definition Modified: got %v, want zero", got)
	}
	if got, want := strings.Join(ind.Markings, ","), TLPAmber.MarkingID(); got != want {
		t.Errorf("indicator Markings: got %s, want %s", got, want)
	}
	// Raw is the exact input: it starts at the object's brace in b.
	var raw struct{ Type string }
	if err := json.Unmarshal(ind.Raw, &raw); err != nil || raw.Type != "indicator" {
		t.Errorf("indicator Raw does not decode as the indicator: %v %q", err, raw.Type)
	}
}

func TestOASISExamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/oasis/examples/*.json")
	more, _ := filepath.Glob("testdata/oasis/examples/*/*.json")
	files = append(files, more...)
	if len(files) < 20 {
		t.Fatalf("found %d OASIS files, want the examples and interop files", len(files))
	}
	examples := 0
	for _, f := range files {
		name := strings.TrimPrefix(f, "testdata/oasis/examples/")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var head struct {
				Schema string `json:"$schema"`
				Type   string `json:"type"`
			}
			if err := json.Unmarshal(b, &head); err != nil {
				t.Fatal(err)
			}
			switch {
			case head.Schema != "":
				// The interop files are JSON Schemas (the interoperability
				// profile), not STIX content; schema_test.go compiles them.
				t.Skip("a JSON Schema, not STIX content")
			case head.Type != "bundle":
				b = wrap(t, b)
			}
			bd, err := Parse(b, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(bd.Objects) == 0 {
				t.Fatal("no objects")
			}
			examples++
		})
	}
	if examples < 8 {
		t.Errorf("parsed %d examples, want at least 8", examples)
	}
}

// wrap puts one STIX object into a bundle.
func wrap(t testing.TB, obj []byte) []byte {
	t.Helper()
	return []byte(`{"type":"bundle","id":"bundle--3301f92f-07cf-493b-a6e7-d423b449251f","objects":[` + string(obj) + `]}`)
}

func TestValidationErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *ValidationError
		want string
	}{
		{"path", &ValidationError{Path: "objects[3].created", Reason: "no such day"}, "objects[3].created: no such day"},
		{"root", &ValidationError{Reason: "input is not valid UTF-8"}, "input is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
