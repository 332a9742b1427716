package stix

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

// must returns a function that fails the test on an error from a
// constructor: must(t)(NewPerson(…)).
func must(t testing.TB) func([]json.RawMessage, error) []json.RawMessage {
	return func(objs []json.RawMessage, err error) []json.RawMessage {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
}

func parseBuilt(t testing.TB, objs ...[]json.RawMessage) *Bundle {
	t.Helper()
	var all []json.RawMessage
	for _, o := range objs {
		all = append(all, o...)
	}
	b, err := NewBundle(all)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := Parse(b, Options{RequireTLP: true})
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

func TestPersons(t *testing.T) {
	warning, err := os.ReadFile("testdata/valid/warning.json")
	if err != nil {
		t.Fatal(err)
	}
	wb, err := Parse(warning, Options{RequireTLP: true})
	if err != nil {
		t.Fatal(err)
	}
	lone := must(t)(NewPerson(PersonInput{Name: "Abu Khalid", Aliases: []string{"Khalid the Tall"},
		ActorTypes: []string{"terrorist"}}, TLPAmber, testNow))
	// Keep only the threat-actor: a threat-actor that is not attributed to
	// an identity is a person on its own.
	actorOnly := lone[1:2]
	named := must(t)(NewPerson(PersonInput{Name: "Jean Dupont"}, TLPGreen, testNow))
	full := must(t)(NewPerson(PersonInput{Name: "Иван Петров", Aliases: []string{"Ivan Petrov"}, DOB: "1979",
		Nationalities: []string{"RU"}, Documents: []Document{{"passport", "721234567", "RU"}}}, TLPAmber, testNow))
	source := must(t)(NewSource(SourceInput{Name: "NIGHTJAR", Reliability: "A", Credibility: "1"}, TLPRed, testNow))
	wallet := must(t)(NewFinancing(FinancingInput{Kind: "crypto-wallet", Wallet: "bc1qexample"}, TLPRed, testNow))

	id := func(objs []json.RawMessage, i int) string {
		var x struct{ ID string }
		_ = json.Unmarshal(objs[i], &x)
		return x.ID
	}
	tests := []struct {
		name   string
		bundle *Bundle
		want   []Person
	}{
		{"warning: identity and attributed threat-actor are one person", wb, []Person{{
			ObjectID:      "identity--1eab6b18-9ef8-4b96-a9ef-8cf59f774d58",
			Name:          "Иван Сергеевич Петров",
			Aliases:       []string{"Ivan Petrov", "Иван Петров", "Abu Ivan"},
			DOB:           "1979-04-12",
			Nationalities: []string{"RU", "UA"},
			Documents:     []Document{{"passport", "721234567", "RU"}},
		}}},
		{"threat-actor alone", parseBuilt(t, actorOnly), []Person{{
			ObjectID: id(actorOnly, 0), Name: "Abu Khalid", Aliases: []string{"Khalid the Tall"},
		}}},
		{"identity without extension", parseBuilt(t, named), []Person{{ObjectID: id(named, 0), Name: "Jean Dupont"}}},
		{"sources and financing are not persons", parseBuilt(t, source, wallet, full), []Person{{
			ObjectID: id(full, 0), Name: "Иван Петров", Aliases: []string{"Ivan Petrov"}, DOB: "1979",
			Nationalities: []string{"RU"}, Documents: []Document{{"passport", "721234567", "RU"}},
		}}},
		{"several, in order", parseBuilt(t, named, lone), []Person{
			{ObjectID: id(named, 0), Name: "Jean Dupont"},
			{ObjectID: id(lone, 0), Name: "Abu Khalid", Aliases: []string{"Khalid the Tall"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.bundle.Persons()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			// Persons returns copies.
			if len(got) > 0 && len(got[0].Aliases) > 0 {
				got[0].Aliases[0] = "changed"
				if again := tt.bundle.Persons(); again[0].Aliases[0] == "changed" {
					t.Error("Persons shares its slices with the bundle")
				}
			}
		})
	}
}

// An OASIS threat-actor (no Parley extension) yields name and aliases.
func TestPersonsOASIS(t *testing.T) {
	b, err := os.ReadFile("testdata/oasis/examples/threat-reports/apt1.json")
	if err != nil {
		t.Fatal(err)
	}
	bd, err := Parse(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := bd.Persons()
	if len(ps) == 0 {
		t.Fatal("no persons in apt1.json")
	}
	for _, p := range ps {
		if p.Name == "" || p.ObjectID == "" {
			t.Errorf("incomplete person %+v", p)
		}
	}
}
