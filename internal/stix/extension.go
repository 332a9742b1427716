package stix

import (
	"encoding/json"
	"strings"
)

// Parley's own properties travel in STIX 2.1 property extensions (§7.3),
// defined by the extension-definition objects below and created by Parley's
// identity. Their ids were generated once (UUIDv4) and never change; the
// version of each definition is 1.0.0.
const (
	// ParleyIdentityID is the identity that creates Parley's extension
	// definitions. NewBundle includes it (TLP:CLEAR) in every bundle that
	// uses a Parley extension.
	ParleyIdentityID = "identity--97fa8be5-2e40-45d1-b08e-5f485aa74fab"
	// PersonExtension carries aliases, date_of_birth, nationalities and
	// documents on an identity whose identity_class is individual.
	PersonExtension = "extension-definition--e38c2e0f-01e0-48c6-9533-da8fc72cc0c8"
	// FinancingExtension carries kind, iban, bic, bank, wallet, currency and
	// country on an infrastructure that is a financing channel.
	FinancingExtension = "extension-definition--95651221-56cd-4e08-8f52-fda8e47ebdac"
	// SourceExtension carries the Admiralty grading (reliability A–F,
	// credibility 1–6) on an identity that is a source.
	SourceExtension = "extension-definition--43dfab93-bbd6-44d3-a7aa-72441dc30f2c"
)

// definitionsCreated is the created and modified time of Parley's identity
// and extension definitions.
const definitionsCreated = "2026-01-01T00:00:00.000Z"

// FinancingKinds are the values of the financing extension's kind.
var FinancingKinds = []string{"bank-account", "crypto-wallet", "hawala", "front-company"}

type extensionDef struct {
	id, name, schema, description string
}

var parleyExtensions = []extensionDef{
	{PersonExtension, "Parley person", "https://parley.example/ext/person/1.0.0",
		"Identifying details of a person of interest on an identity (identity_class individual): aliases, date_of_birth (YYYY-MM-DD or YYYY), nationalities (ISO 3166-1 alpha-2) and documents (type, number, country)."},
	{FinancingExtension, "Parley financing channel", "https://parley.example/ext/financing/1.0.0",
		"A terrorist-financing channel on an infrastructure: kind (bank-account, crypto-wallet, hawala, front-company), iban, bic, bank, wallet, currency, country (ISO 3166-1 alpha-2)."},
	{SourceExtension, "Parley source", "https://parley.example/ext/source/1.0.0",
		"The Admiralty grading of a source on an identity: reliability (A–F) and credibility (1–6)."},
}

// parleyIdentityJSON is Parley's identity as NewBundle emits it.
func parleyIdentityJSON() []byte {
	return []byte(`{"type":"identity","spec_version":"2.1","id":"` + ParleyIdentityID +
		`","created":"` + definitionsCreated + `","modified":"` + definitionsCreated +
		`","name":"Parley","identity_class":"organization","description":"Creator of Parley's STIX extension definitions.","object_marking_refs":["` +
		TLPClear.MarkingID() + `"]}`)
}

// extensionDefinitionJSON returns one of Parley's extension definitions.
func extensionDefinitionJSON(d extensionDef) []byte {
	b, err := json.Marshal(struct {
		Type           string   `json:"type"`
		SpecVersion    string   `json:"spec_version"`
		ID             string   `json:"id"`
		CreatedByRef   string   `json:"created_by_ref"`
		Created        string   `json:"created"`
		Modified       string   `json:"modified"`
		Name           string   `json:"name"`
		Description    string   `json:"description"`
		Schema         string   `json:"schema"`
		Version        string   `json:"version"`
		ExtensionTypes []string `json:"extension_types"`
	}{"extension-definition", "2.1", d.id, ParleyIdentityID, definitionsCreated, definitionsCreated,
		d.name, d.description, d.schema, "1.0.0", []string{"property-extension"}})
	if err != nil {
		panic(err) // a fixed struct of strings always marshals
	}
	return b
}

// extensions checks the extensions dictionary (§7.3): keys are
// extension-definition ids with an extension_type, or on cyber-observables
// one of the predefined extension names. Parley's and the TLP 2.0 bodies
// are checked in full.
func (v *validator) extensions(p string, o jobject, obj *Object, cls class) error {
	ev, ok := o.get("extensions")
	if !ok {
		return nil
	}
	q := join(p, "extensions")
	eo, ok := ev.(jobject)
	if !ok || len(eo) == 0 {
		return bad(q, "must be a non-empty object")
	}
	for _, m := range eo {
		k := join(q, m.key)
		body, ok := m.val.(jobject)
		if !ok || len(body) == 0 {
			return bad(k, "an extension must be a non-empty object")
		}
		if !strings.HasPrefix(m.key, "extension-definition--") {
			if cls == classSCO && predefinedSCOExtensions[m.key] {
				continue
			}
			return bad(k, "unknown extension: keys are extension-definition ids (or, on cyber-observables, predefined extension names)")
		}
		// A reference to a definition that may be outside the bundle: any
		// RFC 4122 version, as for other references.
		if _, reason := v.ref(m.key, extensionType, false); reason != "" {
			return bad(k, "not an extension-definition id: %s", reason)
		}
		et, ok := body.get("extension_type")
		if !ok {
			return bad(join(k, "extension_type"), "missing required property")
		}
		if s, _ := et.(string); !contains(extensionTypeEnum, s) {
			return bad(join(k, "extension_type"), "must be one of %s", strings.Join(extensionTypeEnum, ", "))
		}
		for _, b := range body {
			if err := propertyName(k, b.key, b.val); err != nil {
				return err
			}
		}
		switch m.key {
		case TLP2Extension:
			if obj.Type != "marking-definition" {
				return bad(k, "the TLP 2.0 extension applies only to marking definitions")
			}
		case PersonExtension:
			if err := personExtension(k, o, body, obj); err != nil {
				return err
			}
		case FinancingExtension:
			if err := financingExtension(k, obj, body); err != nil {
				return err
			}
		case SourceExtension:
			if err := sourceExtension(k, obj, body); err != nil {
				return err
			}
		}
	}
	return nil
}

// extensionType is what an extensions key may name.
var extensionType = []string{"extension-definition"}

// propertyExtension checks the members of a Parley extension body: the
// extension_type and only the listed properties.
func propertyExtension(k string, body jobject, allowed ...string) error {
	if body.str("extension_type") != "property-extension" {
		return bad(join(k, "extension_type"), `must be "property-extension"`)
	}
	for _, m := range body {
		if m.key != "extension_type" && !contains(allowed, m.key) {
			return bad(join(k, m.key), "not a property of this extension (%s)", strings.Join(allowed, ", "))
		}
	}
	return nil
}

func personExtension(k string, o, body jobject, obj *Object) error {
	if obj.Type != "identity" {
		return bad(k, "the person extension applies to identities")
	}
	if c, ok := o.get("identity_class"); ok && c != "individual" {
		return bad(k, `the person extension applies to identities whose identity_class is "individual"`)
	}
	if err := propertyExtension(k, body, "aliases", "date_of_birth", "nationalities", "documents"); err != nil {
		return err
	}
	if a, ok := body.get("aliases"); ok {
		if err := textList(join(k, "aliases"), a); err != nil {
			return err
		}
	}
	if d, ok := body.get("date_of_birth"); ok {
		if s, _ := d.(string); !validDOB(s) {
			return bad(join(k, "date_of_birth"), "must be YYYY-MM-DD or YYYY")
		}
	}
	if n, ok := body.get("nationalities"); ok {
		a, ok := n.([]any)
		if !ok || len(a) == 0 {
			return bad(join(k, "nationalities"), "must be a non-empty list of ISO 3166-1 alpha-2 codes")
		}
		for i, x := range a {
			if s, _ := x.(string); !validCountry(s) {
				return bad(index(join(k, "nationalities"), i), "must be an ISO 3166-1 alpha-2 code such as \"RU\"")
			}
		}
	}
	if d, ok := body.get("documents"); ok {
		q := join(k, "documents")
		a, ok := d.([]any)
		if !ok || len(a) == 0 {
			return bad(q, "must be a non-empty list of documents")
		}
		for i, x := range a {
			if err := document(index(q, i), x); err != nil {
				return err
			}
		}
	}
	return nil
}

func document(q string, x any) error {
	d, ok := x.(jobject)
	if !ok {
		return bad(q, "must be an object with type, number and optionally country")
	}
	for _, m := range d {
		switch m.key {
		case "type", "number", "country":
			if _, ok := m.val.(string); !ok {
				return bad(join(q, m.key), "must be a string")
			}
		default:
			return bad(join(q, m.key), "not a property of a document (type, number, country)")
		}
	}
	if t, ok := d.get("type"); !ok || !validToken(t.(string)) {
		return bad(join(q, "type"), `must be a lowercase word such as "passport" or "national-id"`)
	}
	if n, ok := d.get("number"); !ok || strings.TrimSpace(n.(string)) == "" {
		return bad(join(q, "number"), "missing document number")
	}
	if c, ok := d.get("country"); ok && !validCountry(c.(string)) {
		return bad(join(q, "country"), "must be an ISO 3166-1 alpha-2 code such as \"RU\"")
	}
	return nil
}

func financingExtension(k string, obj *Object, body jobject) error {
	if obj.Type != "infrastructure" {
		return bad(k, "the financing extension applies to infrastructure objects")
	}
	if err := propertyExtension(k, body, "kind", "iban", "bic", "bank", "wallet", "currency", "country"); err != nil {
		return err
	}
	for _, m := range body {
		if s, ok := m.val.(string); !ok || strings.TrimSpace(s) == "" {
			return bad(join(k, m.key), "must be a non-empty string")
		}
	}
	kind, ok := body.get("kind")
	if !ok {
		return bad(join(k, "kind"), "missing required property")
	}
	if !contains(FinancingKinds, kind.(string)) {
		return bad(join(k, "kind"), "must be one of %s", strings.Join(FinancingKinds, ", "))
	}
	if s, ok := body.get("iban"); ok && !validIBAN(s.(string)) {
		return bad(join(k, "iban"), "not a valid IBAN (ISO 13616, uppercase, no spaces, check digits)")
	}
	if s, ok := body.get("bic"); ok && !validBIC(s.(string)) {
		return bad(join(k, "bic"), "not a valid BIC (ISO 9362: 8 or 11 characters)")
	}
	if s, ok := body.get("currency"); ok && !validCurrency(s.(string)) {
		return bad(join(k, "currency"), "must be an ISO 4217 code or a ticker such as \"EUR\" or \"USDT\" (3–10 uppercase letters and digits)")
	}
	if s, ok := body.get("country"); ok && !validCountry(s.(string)) {
		return bad(join(k, "country"), "must be an ISO 3166-1 alpha-2 code such as \"AE\"")
	}
	switch kind {
	case "bank-account":
		_, iban := body.get("iban")
		_, bank := body.get("bank")
		if !iban && !bank {
			return bad(k, "a bank-account needs an iban or a bank")
		}
	case "crypto-wallet":
		if _, ok := body.get("wallet"); !ok {
			return bad(join(k, "wallet"), "missing: a crypto-wallet needs its address")
		}
	}
	return nil
}

func sourceExtension(k string, obj *Object, body jobject) error {
	if obj.Type != "identity" {
		return bad(k, "the source extension applies to identities")
	}
	if err := propertyExtension(k, body, "reliability", "credibility"); err != nil {
		return err
	}
	r, ok := body.get("reliability")
	if !ok {
		return bad(join(k, "reliability"), "missing required property")
	}
	if s, _ := r.(string); len(s) != 1 || s[0] < 'A' || s[0] > 'F' {
		return bad(join(k, "reliability"), "must be one of A, B, C, D, E, F (Admiralty reliability)")
	}
	c, ok := body.get("credibility")
	if !ok {
		return bad(join(k, "credibility"), "missing required property")
	}
	if s, _ := c.(string); len(s) != 1 || s[0] < '1' || s[0] > '6' {
		return bad(join(k, "credibility"), "must be one of 1, 2, 3, 4, 5, 6 (Admiralty credibility)")
	}
	return nil
}

func textList(q string, val any) error {
	a, ok := val.([]any)
	if !ok || len(a) == 0 {
		return bad(q, "must be a non-empty list of strings")
	}
	for i, x := range a {
		if s, ok := x.(string); !ok || strings.TrimSpace(s) == "" {
			return bad(index(q, i), "must be a non-empty string")
		}
	}
	return nil
}

func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validDOB accepts YYYY-MM-DD (a real date) or YYYY.
func validDOB(s string) bool {
	switch len(s) {
	case 4:
		return digits(s)
	case 10:
		if s[4] != '-' || s[7] != '-' || !digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:]) {
			return false
		}
		y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
		m := int(s[5]-'0')*10 + int(s[6]-'0')
		d := int(s[8]-'0')*10 + int(s[9]-'0')
		return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
	}
	return false
}

// validCountry checks the shape of an ISO 3166-1 alpha-2 code (two
// uppercase letters); whether the code is assigned is not checked.
func validCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func validCurrency(s string) bool {
	if len(s) < 3 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validIBAN checks ISO 13616: country code, two check digits, up to 30
// letters and digits, and the mod-97 check.
func validIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 || !validCountry(s[:2]) || !digits(s[2:4]) {
		return false
	}
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[(i+4)%len(s)]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// validBIC checks ISO 9362: four letters (institution), two letters
// (country), two letters or digits (location), optionally three more
// (branch).
func validBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z'
		if i < 6 && !letter || i >= 6 && !letter && !(c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// parley applies Parley's own rules and records what Bundle's methods need:
// the reserved ids of Parley's definitions, the record kind, the person.
func (v *validator) parley(p string, o jobject, obj *Object, cls class) error {
	switch obj.ID {
	case ParleyIdentityID:
		if o.str("name") != "Parley" || o.str("identity_class") != "organization" {
			return bad(join(p, "id"), "%s is reserved for Parley's own identity (name \"Parley\", identity_class organization)", obj.ID)
		}
		if _, ok := o.get("extensions"); ok {
			return bad(join(p, "extensions"), "Parley's own identity carries no extensions")
		}
	case PersonExtension, FinancingExtension, SourceExtension:
		if o.str("created_by_ref") != ParleyIdentityID || o.str("version") != "1.0.0" {
			return bad(join(p, "id"), "%s is reserved for Parley's extension definition (created by %s, version 1.0.0)", obj.ID, ParleyIdentityID)
		}
	}
	obj.kind = kindOf(o, obj, cls)
	switch obj.kind {
	case "person":
		obj.person = personOf(o, obj)
	case "relationship":
		src, _ := o.get("source_ref")
		dst, _ := o.get("target_ref")
		obj.rel = &relation{typ: o.str("relationship_type"), source: src.(string), target: dst.(string)}
	}
	return nil
}

// kindOf maps an object to Parley's record kind; see Object.RecordKind.
func kindOf(o jobject, obj *Object, cls class) string {
	ext, _ := o.object("extensions")
	switch {
	case cls == classSCO:
		return "observable"
	case obj.Type == "marking-definition":
		return "marking"
	case obj.Type == "extension-definition", obj.ID == ParleyIdentityID:
		return "extension"
	case obj.Type == "identity":
		if _, ok := ext.get(SourceExtension); ok {
			return "source"
		}
		if _, ok := ext.get(PersonExtension); ok || o.str("identity_class") == "individual" {
			return "person"
		}
		return "identity"
	case obj.Type == "threat-actor":
		return "person"
	case obj.Type == "infrastructure":
		return "financing"
	}
	return obj.Type
}
