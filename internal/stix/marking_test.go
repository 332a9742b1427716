package stix

import (
	"errors"
	"strings"
	"testing"
)

const (
	testStamp   = `"created":"2026-03-14T09:26:53.589Z","modified":"2026-03-14T09:26:53.589Z"`
	tlp1White   = `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`
	statement   = `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--fbdffe46-4b3a-4365-a717-c83752ebe2e4","created":"2026-03-14T09:26:53.589Z","definition_type":"statement","definition":{"statement":"Copyright 2026, Example Service"}}`
	amberMarked = `"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]`
)

func bundleOf(objs ...string) []byte {
	return []byte(`{"type":"bundle","id":"bundle--3301f92f-07cf-493b-a6e7-d423b449251f","objects":[` + strings.Join(objs, ",") + `]}`)
}

// TestModes lists bundles with the outcome in lenient and in strict mode.
func TestModes(t *testing.T) {
	indicator := func(extra string) string {
		return `{"type":"indicator","spec_version":"2.1","id":"indicator--4c009230-4685-4dda-809f-8c7eaf292883",` + testStamp +
			`,"pattern":"[ipv4-addr:value = '203.0.113.1']","pattern_type":"stix","valid_from":"2026-03-14T09:26:53Z"` + extra + `}`
	}
	tests := []struct {
		name                  string
		bundle                []byte
		lenientErr, strictErr string // "" if accepted
		tlp                   TLP
	}{
		{"no markings", bundleOf(indicator("")), "", "missing TLP", TLPNone},
		{"TLP 2.0 amber", bundleOf(indicator("," + amberMarked)), "", "", TLPAmber},
		{"TLP 1.0 white is clear", bundleOf(tlp1White, indicator(`,"object_marking_refs":["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]`)),
			"", "TLP 1.0 marking", TLPClear},
		{"statement and TLP", bundleOf(statement, indicator(`,"object_marking_refs":["marking-definition--fbdffe46-4b3a-4365-a717-c83752ebe2e4","marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]`)),
			"", "", TLPAmber},
		{"statement outside the bundle", bundleOf(indicator(`,"object_marking_refs":["marking-definition--fbdffe46-4b3a-4365-a717-c83752ebe2e4","marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]`)),
			"", "unknown marking", TLPAmber},
		{"TLP 1.0 with the wrong colour", bundleOf(strings.Replace(tlp1White, `"tlp":"white"`, `"tlp":"red"`, 1)),
			`must be {"tlp": "white"}`, `must be {"tlp": "white"}`, TLPNone},
		{"tlp definition under another id", bundleOf(strings.Replace(tlp1White, "613f2e26", "613f2e27", 1)),
			"TLP 1.0 markings must use", "TLP 1.0 markings must use", TLPNone},
		{"statement without text", bundleOf(strings.Replace(statement, `"statement":"Copyright 2026, Example Service"`, `"text":"x"`, 1)),
			"missing required property", "missing required property", TLPNone},
		{"marking marks itself", bundleOf(strings.Replace(statement, `"definition_type"`, `"object_marking_refs":["marking-definition--fbdffe46-4b3a-4365-a717-c83752ebe2e4"],"definition_type"`, 1)),
			"may not mark itself", "may not mark itself", TLPNone},
		{"uppercase id", bundleOf(strings.Replace(indicator(","+amberMarked), "4c009230", "4C009230", 1)),
			"", "lowercase", TLPAmber},
		{"custom object", bundleOf(`{"type":"x-parley-case","spec_version":"2.1","id":"x-parley-case--4c009230-4685-4dda-809f-8c7eaf292883",` + testStamp + `,"x_title":"case 7",` + amberMarked + `}`),
			"", "", TLPAmber},
		{"custom object without created", bundleOf(`{"type":"x-parley-case","spec_version":"2.1","id":"x-parley-case--4c009230-4685-4dda-809f-8c7eaf292883",` + amberMarked + `}`),
			"missing required property", "missing required property", TLPNone},
		{"custom observable (new-sco)", bundleOf(`{"type":"cryptocurrency-wallet","id":"cryptocurrency-wallet--be78509e-6958-51b1-8b26-d17ee0eba2d7","address":"bc1qexample",` +
			`"extensions":{"extension-definition--be78509e-6958-51b1-8b26-d17ee0eba2d7":{"extension_type":"new-sco"}},` + amberMarked + `}`),
			"", "", TLPAmber},
		{"SDO with a UUIDv5 id", bundleOf(strings.Replace(indicator(","+amberMarked), "4685-4dda", "4685-5dda", 1)),
			"must be version 4", "must be version 4", TLPNone},
		{"predefined extension on an SDO", bundleOf(indicator(`,"extensions":{"ntfs-ext":{"sid":"1"}},` + amberMarked)),
			"unknown extension", "unknown extension", TLPNone},
		{"TLP 2.0 extension on an indicator", bundleOf(indicator(`,"extensions":{"` + TLP2Extension + `":{"extension_type":"property-extension","tlp_2_0":"red"}},` + amberMarked)),
			"only to marking definitions", "only to marking definitions", TLPNone},
		{"leap second", bundleOf(indicator(`,"valid_until":"2016-12-31T23:59:60Z",` + amberMarked)),
			"later than valid_from", "later than valid_from", TLPNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				want := tt.lenientErr
				if strict {
					want = tt.strictErr
				}
				bd, err := Parse(tt.bundle, Options{RequireTLP: strict})
				switch {
				case want == "" && err != nil:
					t.Errorf("strict=%v: %v", strict, err)
				case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
					t.Errorf("strict=%v: got %v, want an error containing %q", strict, err, want)
				case want != "" && !errors.Is(err, ErrInvalid):
					t.Errorf("strict=%v: %v does not match ErrInvalid", strict, err)
				case err == nil && bd.MaxTLP() != tt.tlp:
					t.Errorf("strict=%v: MaxTLP %v, want %v", strict, bd.MaxTLP(), tt.tlp)
				}
			}
		})
	}
}
