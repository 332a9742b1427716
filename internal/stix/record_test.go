package stix

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

var uuid4ID = regexp.MustCompile(`^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// common is what every constructed object carries.
type common struct {
	Type, ID, Created, Modified string
	SpecVersion                 string   `json:"spec_version"`
	Markings                    []string `json:"object_marking_refs"`
}

func decodeCommon(t *testing.T, raw json.RawMessage) common {
	t.Helper()
	var c common
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func checkConstructed(t *testing.T, objs []json.RawMessage, tlp TLP, types ...string) []common {
	t.Helper()
	if len(objs) != len(types) {
		t.Fatalf("got %d objects, want %d (%v)", len(objs), len(types), types)
	}
	var out []common
	for i, raw := range objs {
		c := decodeCommon(t, raw)
		if c.Type != types[i] || !strings.HasPrefix(c.ID, c.Type+"--") || !uuid4ID.MatchString(c.ID) {
			t.Errorf("objects[%d]: type %q id %q, want a %s with a UUIDv4 id", i, c.Type, c.ID, types[i])
		}
		if want := "2026-03-14T09:26:53.589Z"; c.Created != want || c.Modified != want {
			t.Errorf("objects[%d]: created %q modified %q, want %q", i, c.Created, c.Modified, want)
		}
		if c.SpecVersion != "2.1" || len(c.Markings) != 1 || c.Markings[0] != tlp.MarkingID() {
			t.Errorf("objects[%d]: spec_version %q markings %v, want 2.1 and [%s]", i, c.SpecVersion, c.Markings, tlp.MarkingID())
		}
		out = append(out, c)
	}
	return out
}

func TestNewPerson(t *testing.T) {
	in := PersonInput{Name: " Иван Сергеевич Петров ", Aliases: []string{"Ivan Petrov", "", "Ivan Petrov", "Иван Сергеевич Петров"},
		DOB: "1979-04-12", Nationalities: []string{"ru", "UA"}, Documents: []Document{{" Passport ", "721234567", "ru"}},
		Roles: []string{"Sponsor"}, ActorTypes: []string{"terrorist"}}
	objs, err := NewPerson(in, TLPAmber, testNow.In(time.FixedZone("MSK", 3*3600)))
	if err != nil {
		t.Fatal(err)
	}
	cs := checkConstructed(t, objs, TLPAmber, "identity", "threat-actor", "relationship")
	var identity struct {
		Name          string
		IdentityClass string `json:"identity_class"`
		Extensions    map[string]personBody
	}
	_ = json.Unmarshal(objs[0], &identity)
	want := personBody{ExtensionType: "property-extension", Aliases: []string{"Ivan Petrov"}, DateOfBirth: "1979-04-12",
		Nationalities: []string{"RU", "UA"}, Documents: []Document{{"passport", "721234567", "RU"}}}
	got := identity.Extensions[PersonExtension]
	if identity.Name != "Иван Сергеевич Петров" || identity.IdentityClass != "individual" ||
		strings.Join(got.Aliases, "|") != strings.Join(want.Aliases, "|") || got.DateOfBirth != want.DateOfBirth ||
		strings.Join(got.Nationalities, "|") != "RU|UA" || len(got.Documents) != 1 || got.Documents[0] != want.Documents[0] {
		t.Errorf("identity: got %+v", identity)
	}
	var actor struct {
		Name      string
		Roles     []string
		Types     []string `json:"threat_actor_types"`
		Aliases   []string
		Extension any `json:"extensions"`
	}
	_ = json.Unmarshal(objs[1], &actor)
	if actor.Name != identity.Name || strings.Join(actor.Roles, ",") != "sponsor" || strings.Join(actor.Types, ",") != "terrorist" ||
		strings.Join(actor.Aliases, ",") != "Ivan Petrov" || actor.Extension != nil {
		t.Errorf("threat-actor: got %+v", actor)
	}
	var rel struct{ RelationshipType, SourceRef, TargetRef string }
	_ = json.Unmarshal(objs[2], &struct {
		R *string `json:"relationship_type"`
		S *string `json:"source_ref"`
		T *string `json:"target_ref"`
	}{&rel.RelationshipType, &rel.SourceRef, &rel.TargetRef})
	if rel.RelationshipType != "attributed-to" || rel.SourceRef != cs[1].ID || rel.TargetRef != cs[0].ID {
		t.Errorf("relationship: got %+v, want attributed-to %s → %s", rel, cs[1].ID, cs[0].ID)
	}

	// Without roles: one identity; without details: no extension.
	objs, err = NewPerson(PersonInput{Name: "Jean Dupont"}, TLPGreen, testNow)
	if err != nil {
		t.Fatal(err)
	}
	checkConstructed(t, objs, TLPGreen, "identity")
	if strings.Contains(string(objs[0]), "extensions") {
		t.Errorf("a name-only person carries an extension: %s", objs[0])
	}
}

func TestConstructorErrors(t *testing.T) {
	good := PersonInput{Name: "Jean Dupont"}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"person no name", func() error { _, err := NewPerson(PersonInput{Name: "  "}, TLPAmber, testNow); return err }, "name is empty"},
		{"person no TLP", func() error { _, err := NewPerson(good, TLPNone, testNow); return err }, "TLP level is required"},
		{"person bad TLP", func() error { _, err := NewPerson(good, TLP(9), testNow); return err }, "TLP level is required"},
		{"person zero time", func() error { _, err := NewPerson(good, TLPAmber, time.Time{}); return err }, "time is zero"},
		{"person bad DOB", func() error {
			_, err := NewPerson(PersonInput{Name: "x", DOB: "1979-02-30"}, TLPAmber, testNow)
			return err
		}, "date of birth"},
		{"person bad nationality", func() error {
			_, err := NewPerson(PersonInput{Name: "x", Nationalities: []string{"RUS"}}, TLPAmber, testNow)
			return err
		}, "nationality"},
		{"person document without number", func() error {
			_, err := NewPerson(PersonInput{Name: "x", Documents: []Document{{Type: "passport"}}}, TLPAmber, testNow)
			return err
		}, "without a number"},
		{"person bad document type", func() error {
			_, err := NewPerson(PersonInput{Name: "x", Documents: []Document{{Type: "pass port", Number: "1"}}}, TLPAmber, testNow)
			return err
		}, "document type"},
		{"person bad role", func() error {
			_, err := NewPerson(PersonInput{Name: "x", Roles: []string{"big boss"}}, TLPAmber, testNow)
			return err
		}, "role"},
		{"financing unknown kind", func() error {
			_, err := NewFinancing(FinancingInput{Name: "x", Kind: "cash"}, TLPRed, testNow)
			return err
		}, "kind"},
		{"financing bad IBAN", func() error {
			_, err := NewFinancing(FinancingInput{Kind: "bank-account", IBAN: "DE89 3704 0044 0532 0130 01"}, TLPRed, testNow)
			return err
		}, "IBAN"},
		{"financing bad BIC", func() error {
			_, err := NewFinancing(FinancingInput{Kind: "bank-account", Bank: "b", BIC: "COBA"}, TLPRed, testNow)
			return err
		}, "BIC"},
		{"financing account without bank", func() error {
			_, err := NewFinancing(FinancingInput{Name: "x", Kind: "bank-account"}, TLPRed, testNow)
			return err
		}, "IBAN or a bank"},
		{"financing wallet without address", func() error {
			_, err := NewFinancing(FinancingInput{Name: "x", Kind: "crypto-wallet"}, TLPRed, testNow)
			return err
		}, "address"},
		{"financing bad currency", func() error {
			_, err := NewFinancing(FinancingInput{Name: "x", Kind: "hawala", Currency: "€"}, TLPRed, testNow)
			return err
		}, "currency"},
		{"financing no name", func() error {
			_, err := NewFinancing(FinancingInput{Kind: "hawala"}, TLPRed, testNow)
			return err
		}, "name is empty"},
		{"source bad reliability", func() error {
			_, err := NewSource(SourceInput{Name: "x", Reliability: "G", Credibility: "1"}, TLPRed, testNow)
			return err
		}, "reliability"},
		{"source bad credibility", func() error {
			_, err := NewSource(SourceInput{Name: "x", Reliability: "A", Credibility: "0"}, TLPRed, testNow)
			return err
		}, "credibility"},
		{"source no name", func() error {
			_, err := NewSource(SourceInput{Reliability: "A", Credibility: "1"}, TLPRed, testNow)
			return err
		}, "name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNewFinancing(t *testing.T) {
	tests := []struct {
		in   FinancingInput
		want financingBody
		name string
	}{
		{FinancingInput{Kind: "bank-account", IBAN: "de89 3704 0044 0532 0130 00", BIC: "cobadeffxxx", Currency: "eur", Country: "de"},
			financingBody{"property-extension", "bank-account", "DE89370400440532013000", "COBADEFFXXX", "", "", "EUR", "DE"},
			"DE89370400440532013000"},
		{FinancingInput{Kind: "crypto-wallet", Wallet: "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", Currency: "btc"},
			financingBody{"property-extension", "crypto-wallet", "", "", "", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "BTC", ""},
			"bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"},
		{FinancingInput{Name: "Hawaladar in Sanaa", Kind: "hawala", Country: "YE"},
			financingBody{"property-extension", "hawala", "", "", "", "", "", "YE"}, "Hawaladar in Sanaa"},
		{FinancingInput{Name: "Al-Amal Trading LLC", Kind: "front-company", Bank: "Emirates NBD"},
			financingBody{"property-extension", "front-company", "", "", "Emirates NBD", "", "", ""}, "Al-Amal Trading LLC"},
	}
	for _, tt := range tests {
		t.Run(tt.in.Kind, func(t *testing.T) {
			objs, err := NewFinancing(tt.in, TLPRed, testNow)
			if err != nil {
				t.Fatal(err)
			}
			checkConstructed(t, objs, TLPRed, "infrastructure")
			var got struct {
				Name       string
				Extensions map[string]financingBody
			}
			_ = json.Unmarshal(objs[0], &got)
			if got.Name != tt.name || got.Extensions[FinancingExtension] != tt.want {
				t.Errorf("got %+v, want name %q and %+v", got, tt.name, tt.want)
			}
		})
	}
}

func TestNewSource(t *testing.T) {
	objs, err := NewSource(SourceInput{Name: "NIGHTJAR", Reliability: "b", Credibility: "2"}, TLPAmberStrict, testNow)
	if err != nil {
		t.Fatal(err)
	}
	checkConstructed(t, objs, TLPAmberStrict, "identity")
	var got struct {
		IdentityClass string `json:"identity_class"`
		Extensions    map[string]map[string]string
	}
	_ = json.Unmarshal(objs[0], &got)
	if ext := got.Extensions[SourceExtension]; got.IdentityClass != "unknown" || ext["reliability"] != "B" || ext["credibility"] != "2" {
		t.Errorf("got %+v", got)
	}
	bd := parseBuilt(t, objs)
	if k := bd.Objects[len(bd.Objects)-1].RecordKind(); k != "source" {
		t.Errorf("RecordKind: got %s, want source", k)
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID("identity")
		if !uuid4ID.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated id %s", id)
		}
		seen[id] = true
	}
}

func TestNewBundle(t *testing.T) {
	person := must(t)(NewPerson(PersonInput{Name: "Jean Dupont"}, TLPGreen, testNow))
	detailed := must(t)(NewPerson(PersonInput{Name: "Иван", DOB: "1979", Roles: []string{"agent"}}, TLPAmber, testNow))
	source := must(t)(NewSource(SourceInput{Name: "N", Reliability: "A", Credibility: "1"}, TLPRed, testNow))
	tests := []struct {
		name string
		objs [][]json.RawMessage
		want []string // ids of the definitions, in order
	}{
		{"no extension: the marking only", [][]json.RawMessage{person}, []string{TLPGreen.MarkingID()}},
		{"person extension", [][]json.RawMessage{detailed}, []string{ParleyIdentityID, PersonExtension,
			TLPClear.MarkingID(), TLPAmber.MarkingID()}},
		{"each once", [][]json.RawMessage{source, detailed, person, source[:0]}, []string{ParleyIdentityID, PersonExtension,
			SourceExtension, TLPClear.MarkingID(), TLPGreen.MarkingID(), TLPAmber.MarkingID(), TLPRed.MarkingID()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var all []json.RawMessage
			for _, o := range tt.objs {
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
			if !uuid4ID.MatchString(bd.ID) || !strings.HasPrefix(bd.ID, "bundle--") {
				t.Errorf("bundle id %s", bd.ID)
			}
			var got []string
			for _, o := range bd.Objects[:len(bd.Objects)-len(all)] {
				got = append(got, o.ID)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("definitions:\n got %v\nwant %v", got, tt.want)
			}
			for i, o := range bd.Objects[len(got):] {
				if string(o.Raw) != string(all[i]) {
					t.Errorf("objects[%d] changed:\n got %s\nwant %s", len(got)+i, o.Raw, all[i])
				}
			}
			// Feeding the bundle's objects back adds nothing twice.
			again := make([]json.RawMessage, len(bd.Objects))
			for i, o := range bd.Objects {
				again[i] = o.Raw
			}
			b2, err := NewBundle(again)
			if err != nil {
				t.Fatal(err)
			}
			if bd2, err := Parse(b2, Options{RequireTLP: true}); err != nil || len(bd2.Objects) != len(bd.Objects) {
				t.Errorf("rebundled: %v, %d objects, want %d", err, len(bd2.Objects), len(bd.Objects))
			}
		})
	}
}

func TestNewBundleErrors(t *testing.T) {
	unmarked := `{"type":"indicator","spec_version":"2.1","id":"indicator--4c009230-4685-4dda-809f-8c7eaf292883",` +
		`"created":"2026-03-14T09:26:53.589Z","modified":"2026-03-14T09:26:53.589Z","pattern":"[ipv4-addr:value = '203.0.113.1']",` +
		`"pattern_type":"stix","valid_from":"2026-03-14T09:26:53Z"}`
	tests := []struct {
		name string
		objs []json.RawMessage
		want string
	}{
		{"empty", nil, "no objects"},
		{"not JSON", []json.RawMessage{json.RawMessage(`{"type":`)}, "object 0"},
		{"no TLP", []json.RawMessage{json.RawMessage(unmarked)}, "missing TLP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBundle(tt.objs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	_, err := NewBundle([]json.RawMessage{json.RawMessage(unmarked)})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
	}
}

func TestMerge(t *testing.T) {
	a := must(t)(NewPerson(PersonInput{Name: "A"}, TLPGreen, testNow))
	b := must(t)(NewPerson(PersonInput{Name: "B", DOB: "1970"}, TLPAmber, testNow))
	ba, err := NewBundle(a)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := NewBundle(append(append([]json.RawMessage{}, a...), b...))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(ba, bb)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := Parse(merged, Options{RequireTLP: true})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, o := range bd.Objects {
		count[o.ID]++
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("%s appears %d times", id, n)
		}
	}
	// Parley identity, person extension, CLEAR, GREEN, AMBER, A, B.
	if len(bd.Objects) != 7 {
		t.Errorf("got %d objects, want 7", len(bd.Objects))
	}

	t.Run("conflict", func(t *testing.T) {
		changed := strings.Replace(string(ba), `"name":"A"`, `"name":"A2"`, 1)
		if _, err := Merge(ba, []byte(changed)); err == nil || !strings.Contains(err.Error(), "same version") {
			t.Errorf("got %v, want a conflict", err)
		}
	})
	t.Run("invalid input", func(t *testing.T) {
		if _, err := Merge(ba, []byte(`{}`)); !errors.Is(err, ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	})
	t.Run("none", func(t *testing.T) {
		if _, err := Merge(); err == nil {
			t.Error("Merge() succeeded")
		}
	})
}

func TestGranularTLP(t *testing.T) {
	objs := must(t)(NewFinancing(FinancingInput{Name: "x", Kind: "hawala", Description: "secret"}, TLPAmber, testNow))
	var m map[string]any
	_ = json.Unmarshal(objs[0], &m)
	m["granular_markings"] = []any{map[string]any{"selectors": []any{"description"}, "marking_ref": TLPRed.MarkingID()}}
	raw, _ := json.Marshal(m)
	b, err := NewBundle([]json.RawMessage{raw})
	if err != nil {
		t.Fatal(err)
	}
	bd, err := Parse(b, Options{RequireTLP: true})
	if err != nil {
		t.Fatal(err)
	}
	o := bd.Objects[len(bd.Objects)-1]
	if o.TLP() != TLPRed || bd.MaxTLP() != TLPRed {
		t.Errorf("TLP %v MaxTLP %v, want red: a granular marking counts", o.TLP(), bd.MaxTLP())
	}
	if len(o.Markings) != 1 || o.Markings[0] != TLPAmber.MarkingID() {
		t.Errorf("Markings %v, want the object-level marking only", o.Markings)
	}
}

func TestRecordKindWithoutParse(t *testing.T) {
	tests := []struct {
		typ, raw, want string
	}{
		{"identity", `{"identity_class":"individual"}`, "person"},
		{"identity", `{"identity_class":"organization"}`, "identity"},
		{"identity", `{"extensions":{"` + SourceExtension + `":{}}}`, "source"},
		{"ipv4-addr", `{}`, "observable"},
		{"infrastructure", `{}`, "financing"},
		{"x-custom", `{}`, "x-custom"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			o := &Object{Type: tt.typ, ID: tt.typ + "--4c009230-4685-4dda-809f-8c7eaf292883", Raw: json.RawMessage(tt.raw)}
			if got := o.RecordKind(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
