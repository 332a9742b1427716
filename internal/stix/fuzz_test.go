package stix

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// FuzzParse states Parse's properties on arbitrary bytes:
//   - it never panics, and it fails only with a *ValidationError;
//   - what it accepts is valid JSON (encoding/json agrees);
//   - its JSON scanner agrees with a json.Decoder token walk (refDecode) on
//     acceptance, tree and spans;
//   - parsing the same bytes again yields the same ids and kinds;
//   - Render never fails on an accepted bundle.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, glob := range []string{"testdata/valid/*.json", "testdata/invalid/*.json", "testdata/oasis/examples/*.json",
		"testdata/oasis/examples/threat-reports/*.json"} {
		files, _ := filepath.Glob(glob)
		seeds = append(seeds, files...)
	}
	for _, file := range seeds {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"bundle","id":"bundle--258cbcfb-41e9-43b0-a3b7-4096ee88707d","objects":[{"a":"\ud83d\ude00","b":[1,-0.5e+3,true,false,null,{}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		opts := Options{MaxObjects: 50}
		bd, err := Parse(b, opts)

		tree, spans, treeErr := decodeTree(b, opts.MaxObjects)
		refTree, refSpans, refOK := refDecode(b, opts.MaxObjects)
		if (treeErr == nil) != refOK {
			t.Fatalf("scanner error %v, json.Decoder walk ok %v", treeErr, refOK)
		}
		if refOK {
			if !reflect.DeepEqual(tree, refTree) {
				t.Fatalf("trees differ:\n scanner %#v\n decoder %#v", tree, refTree)
			}
			for i := range refSpans {
				if refSpans[i].start >= 0 && refSpans[i] != spans[i] {
					t.Fatalf("span %d: scanner %v, decoder %v", i, spans[i], refSpans[i])
				}
			}
		}
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error %T %v, want *ValidationError", err, err)
			}
			return
		}
		if !json.Valid(b) {
			t.Fatal("Parse accepted invalid JSON")
		}
		again, err := Parse(b, opts)
		if err != nil {
			t.Fatalf("second Parse: %v", err)
		}
		if again.ID != bd.ID || len(again.Objects) != len(bd.Objects) || !slices.Equal(again.Kinds(), bd.Kinds()) {
			t.Fatal("second Parse differs")
		}
		for i, o := range bd.Objects {
			if again.Objects[i].ID != o.ID || again.Objects[i].RecordKind() != o.RecordKind() ||
				!bytes.Equal(again.Objects[i].Raw, o.Raw) || !json.Valid(o.Raw) {
				t.Fatalf("objects[%d] differs between parses", i)
			}
		}
		if err := Render(io.Discard, bd); err != nil {
			t.Fatalf("Render: %v", err)
		}
		_ = bd.Persons()
		_ = bd.MaxTLP()
	})
}

// FuzzStrictImpliesLenient checks that Parley's rules only ever add checks.
func FuzzStrictImpliesLenient(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Parse(b, Options{RequireTLP: true}); err != nil {
			return
		}
		if _, err := Parse(b, Options{}); err != nil {
			t.Fatalf("strict Parse accepted, lenient refused: %v", err)
		}
	})
}
