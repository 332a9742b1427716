package stix

import (
	"fmt"
	"strings"
)

// TLP is a TLP 2.0 level, ordered: TLPClear < TLPGreen < TLPAmber <
// TLPAmberStrict < TLPRed. TLPNone (the zero value) means "no TLP marking"
// and sorts below every level.
type TLP int

// The TLP 2.0 levels, in order.
const (
	TLPNone TLP = iota
	TLPClear
	TLPGreen
	TLPAmber
	TLPAmberStrict
	TLPRed
)

// TLP2Extension is the id of the extension definition that the TLP 2.0
// marking definitions use (OASIS cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0).
const TLP2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// tlp2Created is the created timestamp of every published TLP 2.0 marking
// definition.
const tlp2Created = "2022-10-01T00:00:00.000Z"

// tlp1Created is the created timestamp of the STIX 2.1 specification's TLP
// 1.0 marking definitions (§7.2.1.4).
const tlp1Created = "2017-01-20T00:00:00.000Z"

var tlpNames = [...]string{"none", "clear", "green", "amber", "amber+strict", "red"}

// tlp2IDs are the marking-definition ids of the TLP 2.0 levels.
var tlp2IDs = [...]string{
	TLPClear:       "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	TLPGreen:       "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	TLPAmber:       "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	TLPAmberStrict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	TLPRed:         "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

// tlp1Marking is one of the STIX 2.1 specification's TLP 1.0 marking
// definitions (§7.2.1.4). TLP 1.0 WHITE is TLP 2.0 CLEAR.
type tlp1Marking struct {
	id, name, color string
	level           TLP
}

var tlp1Markings = [...]tlp1Marking{
	{"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white", TLPClear},
	{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green", TLPGreen},
	{"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber", TLPAmber},
	{"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red", TLPRed},
}

// ParseTLP parses a TLP level: "clear", "green", "amber", "amber+strict" or
// "red", in any case, with an optional "TLP:" prefix. "white" (TLP 1.0) is
// read as clear.
func ParseTLP(s string) (TLP, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimPrefix(v, "tlp:")
	if v == "white" {
		return TLPClear, nil
	}
	for t := TLPClear; t <= TLPRed; t++ {
		if v == tlpNames[t] {
			return t, nil
		}
	}
	return TLPNone, fmt.Errorf("stix: unknown TLP level %q (want clear, green, amber, amber+strict or red)", s)
}

// String returns "clear", "green", "amber", "amber+strict", "red", or "none"
// for TLPNone and any value out of range.
func (t TLP) String() string {
	if !t.valid() {
		return "none"
	}
	return tlpNames[t]
}

// Label returns the level as TLP 2.0 writes it, e.g. "TLP:AMBER+STRICT".
func (t TLP) Label() string {
	if !t.valid() {
		return "TLP:NONE"
	}
	return "TLP:" + strings.ToUpper(tlpNames[t])
}

// MarkingID returns the id of the TLP 2.0 marking definition of the level, or
// "" for TLPNone.
func (t TLP) MarkingID() string {
	if !t.valid() {
		return ""
	}
	return tlp2IDs[t]
}

func (t TLP) valid() bool { return t >= TLPClear && t <= TLPRed }

// markingTLP returns the level a marking-definition id stands for, and
// whether it is a TLP 2.0 (rather than 1.0) marking.
func markingTLP(id string) (level TLP, v2 bool) {
	for t := TLPClear; t <= TLPRed; t++ {
		if tlp2IDs[t] == id {
			return t, true
		}
	}
	for _, m := range tlp1Markings {
		if m.id == id {
			return m.level, false
		}
	}
	return TLPNone, false
}

// tlp2MarkingJSON returns the TLP 2.0 marking definition of the level as
// published by OASIS.
func tlp2MarkingJSON(t TLP) []byte {
	return []byte(`{"type":"marking-definition","spec_version":"2.1","id":"` + tlp2IDs[t] +
		`","created":"` + tlp2Created + `","name":"` + t.Label() +
		`","extensions":{"` + TLP2Extension + `":{"extension_type":"property-extension","tlp_2_0":"` + tlpNames[t] + `"}}}`)
}
