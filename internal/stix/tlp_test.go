package stix

import (
	"encoding/json"
	"slices"
	"testing"
)

// The TLP 2.0 marking-definition ids are fixed by FIRST/OASIS; a change here
// would make every record Parley ever sent unreadable to others.
func TestTLPMarkingIDsPinned(t *testing.T) {
	tests := []struct {
		tlp  TLP
		want string
	}{
		{TLPClear, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
		{TLPGreen, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
		{TLPAmber, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
		{TLPAmberStrict, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
		{TLPRed, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
		{TLPNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.tlp.String(), func(t *testing.T) {
			if got := tt.tlp.MarkingID(); got != tt.want {
				t.Errorf("MarkingID: got %q, want %q", got, tt.want)
			}
			if tt.tlp == TLPNone {
				return
			}
			if got, v2 := markingTLP(tt.want); got != tt.tlp || !v2 {
				t.Errorf("markingTLP(%s) = %v, %v; want %v, true", tt.want, got, v2, tt.tlp)
			}
		})
	}
	if TLP2Extension != "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d" {
		t.Errorf("TLP2Extension = %s", TLP2Extension)
	}
}

func TestTLP1Markings(t *testing.T) {
	tests := []struct {
		id   string
		want TLP
	}{
		{"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TLPClear}, // WHITE
		{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TLPGreen},
		{"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLPAmber},
		{"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLPRed},
		{"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec", TLPNone},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, v2 := markingTLP(tt.id)
			if got != tt.want || v2 {
				t.Errorf("got %v, %v; want %v, false", got, v2, tt.want)
			}
		})
	}
}

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in      string
		want    TLP
		wantErr bool
	}{
		{"clear", TLPClear, false},
		{"CLEAR", TLPClear, false},
		{"white", TLPClear, false},
		{"White", TLPClear, false},
		{"green", TLPGreen, false},
		{"amber", TLPAmber, false},
		{"amber+strict", TLPAmberStrict, false},
		{"AMBER+STRICT", TLPAmberStrict, false},
		{"TLP:RED", TLPRed, false},
		{" red ", TLPRed, false},
		{"", TLPNone, true},
		{"none", TLPNone, true},
		{"amber strict", TLPNone, true},
		{"amber-strict", TLPNone, true},
		{"black", TLPNone, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTLP(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseTLP(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestTLPString(t *testing.T) {
	tests := []struct {
		tlp        TLP
		str, label string
		roundTrips bool
	}{
		{TLPNone, "none", "TLP:NONE", false},
		{TLPClear, "clear", "TLP:CLEAR", true},
		{TLPGreen, "green", "TLP:GREEN", true},
		{TLPAmber, "amber", "TLP:AMBER", true},
		{TLPAmberStrict, "amber+strict", "TLP:AMBER+STRICT", true},
		{TLPRed, "red", "TLP:RED", true},
		{TLP(42), "none", "TLP:NONE", false},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			if got := tt.tlp.String(); got != tt.str {
				t.Errorf("String: got %q, want %q", got, tt.str)
			}
			if got := tt.tlp.Label(); got != tt.label {
				t.Errorf("Label: got %q, want %q", got, tt.label)
			}
			if back, err := ParseTLP(tt.str); tt.roundTrips && (err != nil || back != tt.tlp) {
				t.Errorf("ParseTLP(String()) = %v, %v", back, err)
			}
		})
	}
}

func TestTLPOrdering(t *testing.T) {
	order := []TLP{TLPNone, TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}
	if !slices.IsSorted(order) {
		t.Fatalf("levels are not ordered: %v", order)
	}
	for i := 1; i < len(order); i++ {
		if !(order[i-1] < order[i]) {
			t.Errorf("%v < %v is false", order[i-1], order[i])
		}
	}
}

// The marking definitions NewBundle emits are the published ones.
func TestTLP2MarkingJSON(t *testing.T) {
	for l := TLPClear; l <= TLPRed; l++ {
		t.Run(l.String(), func(t *testing.T) {
			var m struct {
				ID, Name, Created string
				Extensions        map[string]map[string]string
			}
			if err := json.Unmarshal(tlp2MarkingJSON(l), &m); err != nil {
				t.Fatal(err)
			}
			ext := m.Extensions[TLP2Extension]
			if m.ID != l.MarkingID() || m.Name != l.Label() || m.Created != "2022-10-01T00:00:00.000Z" ||
				ext["tlp_2_0"] != l.String() || ext["extension_type"] != "property-extension" {
				t.Errorf("got %+v", m)
			}
			validateObject(t, tlp2MarkingJSON(l))
		})
	}
}

func TestObjectTLP(t *testing.T) {
	amber, red := TLPAmber.MarkingID(), TLPRed.MarkingID()
	white1 := "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	statement := "marking-definition--fbdffe46-4b3a-4365-a717-c83752ebe2e4"
	tests := []struct {
		name     string
		markings []string
		want     TLP
	}{
		{"none", nil, TLPNone},
		{"statement only", []string{statement}, TLPNone},
		{"amber", []string{amber}, TLPAmber},
		{"highest wins", []string{amber, red}, TLPRed},
		{"tlp 1.0 white is clear", []string{white1, statement}, TLPClear},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Object{Markings: tt.markings}
			if got := o.TLP(); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
