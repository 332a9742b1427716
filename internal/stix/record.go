package stix

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The constructors below build records for people who do not write STIX by
// hand. Each returns compact JSON objects, every one carrying the given TLP
// 2.0 marking, with ids type--UUIDv4 (crypto/rand) and created = modified =
// now in UTC to the millisecond. Pass them to NewBundle, which adds the
// marking and extension definitions they use.

// timestampLayout is how Parley writes STIX timestamps.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// newID returns typ--UUIDv4.
func newID(typ string) string {
	var u [16]byte
	rand.Read(u[:]) // never fails (crypto/rand, Go 1.24+)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return typ + "--" + string(s[:])
}

func stamp(now time.Time) string { return now.UTC().Truncate(time.Millisecond).Format(timestampLayout) }

// marshal encodes v without HTML escaping, so that names in any script and
// symbols such as "&" stay as given.
func marshal(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // our structs of strings always encode
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// sdo holds the properties every constructed object starts with.
type sdo struct {
	Type        string   `json:"type"`
	SpecVersion string   `json:"spec_version"`
	ID          string   `json:"id"`
	Created     string   `json:"created"`
	Modified    string   `json:"modified"`
	Markings    []string `json:"object_marking_refs"`
}

func newSDO(typ string, tlp TLP, now time.Time) sdo {
	t := stamp(now)
	return sdo{typ, "2.1", newID(typ), t, t, []string{tlp.MarkingID()}}
}

func checkCommon(op string, tlp TLP, now time.Time) error {
	if !tlp.valid() {
		return fmt.Errorf("stix: %s: a TLP level is required (clear, green, amber, amber+strict or red)", op)
	}
	if now.IsZero() {
		return fmt.Errorf("stix: %s: the time is zero", op)
	}
	return nil
}

// PersonInput describes a person of interest for NewPerson.
type PersonInput struct {
	Name          string // as written, in any script; required
	Aliases       []string
	DOB           string   // "YYYY-MM-DD", "YYYY" or ""
	Nationalities []string // ISO 3166-1 alpha-2, e.g. "RU"
	Documents     []Document
	Roles         []string // threat-actor roles, e.g. "sponsor"
	ActorTypes    []string // threat-actor types, e.g. "terrorist"
}

type personBody struct {
	ExtensionType string     `json:"extension_type"`
	Aliases       []string   `json:"aliases,omitempty"`
	DateOfBirth   string     `json:"date_of_birth,omitempty"`
	Nationalities []string   `json:"nationalities,omitempty"`
	Documents     []Document `json:"documents,omitempty"`
}

// NewPerson returns an identity (identity_class individual) for the person,
// carrying the Parley person extension when there are aliases, a date of
// birth, nationalities or documents; and, when Roles or ActorTypes are
// given, a threat-actor with the same name and aliases and a relationship
// threat-actor attributed-to identity.
func NewPerson(in PersonInput, tlp TLP, now time.Time) ([]json.RawMessage, error) {
	const op = "NewPerson"
	if err := checkCommon(op, tlp, now); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, errors.New("stix: NewPerson: the name is empty")
	}
	body := personBody{ExtensionType: "property-extension", DateOfBirth: strings.TrimSpace(in.DOB)}
	body.Aliases = cleanList(in.Aliases, name)
	if body.DateOfBirth != "" && !validDOB(body.DateOfBirth) {
		return nil, fmt.Errorf("stix: NewPerson: date of birth %q: want YYYY-MM-DD or YYYY", in.DOB)
	}
	for _, n := range in.Nationalities {
		c := strings.ToUpper(strings.TrimSpace(n))
		if !validCountry(c) {
			return nil, fmt.Errorf("stix: NewPerson: nationality %q: want an ISO 3166-1 alpha-2 code such as RU", n)
		}
		body.Nationalities = appendNew(body.Nationalities, c)
	}
	for _, d := range in.Documents {
		doc := Document{Type: strings.ToLower(strings.TrimSpace(d.Type)), Number: strings.TrimSpace(d.Number),
			Country: strings.ToUpper(strings.TrimSpace(d.Country))}
		switch {
		case !validToken(doc.Type):
			return nil, fmt.Errorf("stix: NewPerson: document type %q: want a word such as passport or national-id", d.Type)
		case doc.Number == "":
			return nil, fmt.Errorf("stix: NewPerson: %s without a number", doc.Type)
		case doc.Country != "" && !validCountry(doc.Country):
			return nil, fmt.Errorf("stix: NewPerson: document country %q: want an ISO 3166-1 alpha-2 code", d.Country)
		}
		body.Documents = append(body.Documents, doc)
	}
	roles, err := tokens(op, "role", in.Roles)
	if err != nil {
		return nil, err
	}
	actorTypes, err := tokens(op, "actor type", in.ActorTypes)
	if err != nil {
		return nil, err
	}

	identity := struct {
		sdo
		Name          string         `json:"name"`
		IdentityClass string         `json:"identity_class"`
		Extensions    map[string]any `json:"extensions,omitempty"`
	}{sdo: newSDO("identity", tlp, now), Name: name, IdentityClass: "individual"}
	if body.Aliases != nil || body.DateOfBirth != "" || body.Nationalities != nil || body.Documents != nil {
		identity.Extensions = map[string]any{PersonExtension: body}
	}
	out := []json.RawMessage{marshal(identity)}
	if roles == nil && actorTypes == nil {
		return out, nil
	}
	actor := struct {
		sdo
		Name       string   `json:"name"`
		ActorTypes []string `json:"threat_actor_types,omitempty"`
		Aliases    []string `json:"aliases,omitempty"`
		Roles      []string `json:"roles,omitempty"`
	}{newSDO("threat-actor", tlp, now), name, actorTypes, body.Aliases, roles}
	out = append(out, marshal(actor), newRelationship("attributed-to", actor.ID, identity.ID, tlp, now))
	return out, nil
}

func newRelationship(typ, source, target string, tlp TLP, now time.Time) json.RawMessage {
	return marshal(struct {
		sdo
		RelationshipType string `json:"relationship_type"`
		SourceRef        string `json:"source_ref"`
		TargetRef        string `json:"target_ref"`
	}{newSDO("relationship", tlp, now), typ, source, target})
}

// cleanList trims the strings and drops empty ones, duplicates and skip.
func cleanList(in []string, skip string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && s != skip {
			out = appendNew(out, s)
		}
	}
	return out
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func tokens(op, what string, in []string) ([]string, error) {
	var out []string
	for _, s := range in {
		t := strings.ToLower(strings.TrimSpace(s))
		if !validToken(t) {
			return nil, fmt.Errorf("stix: %s: %s %q: want a lowercase word such as sponsor or terrorist", op, what, s)
		}
		out = appendNew(out, t)
	}
	return out, nil
}

// FinancingInput describes a terrorist-financing channel for NewFinancing.
type FinancingInput struct {
	Name        string // e.g. "Account of Al-Amal Trading"; defaults to the IBAN, wallet or bank
	Kind        string // "bank-account", "crypto-wallet", "hawala" or "front-company"
	IBAN        string // spaces allowed, checked (ISO 13616)
	BIC         string // ISO 9362
	Bank        string
	Wallet      string // a crypto-wallet's address
	Currency    string // ISO 4217 or a ticker, e.g. "EUR", "USDT"
	Country     string // ISO 3166-1 alpha-2
	Description string
}

type financingBody struct {
	ExtensionType string `json:"extension_type"`
	Kind          string `json:"kind"`
	IBAN          string `json:"iban,omitempty"`
	BIC           string `json:"bic,omitempty"`
	Bank          string `json:"bank,omitempty"`
	Wallet        string `json:"wallet,omitempty"`
	Currency      string `json:"currency,omitempty"`
	Country       string `json:"country,omitempty"`
}

// NewFinancing returns an infrastructure object carrying the Parley
// financing extension.
func NewFinancing(in FinancingInput, tlp TLP, now time.Time) ([]json.RawMessage, error) {
	const op = "NewFinancing"
	if err := checkCommon(op, tlp, now); err != nil {
		return nil, err
	}
	b := financingBody{
		ExtensionType: "property-extension",
		Kind:          strings.TrimSpace(in.Kind),
		IBAN:          strings.ToUpper(strings.Join(strings.Fields(in.IBAN), "")),
		BIC:           strings.ToUpper(strings.TrimSpace(in.BIC)),
		Bank:          strings.TrimSpace(in.Bank),
		Wallet:        strings.TrimSpace(in.Wallet),
		Currency:      strings.ToUpper(strings.TrimSpace(in.Currency)),
		Country:       strings.ToUpper(strings.TrimSpace(in.Country)),
	}
	switch {
	case !contains(FinancingKinds, b.Kind):
		return nil, fmt.Errorf("stix: %s: kind %q: want one of %s", op, in.Kind, strings.Join(FinancingKinds, ", "))
	case b.IBAN != "" && !validIBAN(b.IBAN):
		return nil, fmt.Errorf("stix: %s: IBAN %q is not valid (check digits)", op, in.IBAN)
	case b.BIC != "" && !validBIC(b.BIC):
		return nil, fmt.Errorf("stix: %s: BIC %q: want 8 or 11 characters (ISO 9362)", op, in.BIC)
	case b.Currency != "" && !validCurrency(b.Currency):
		return nil, fmt.Errorf("stix: %s: currency %q: want a code such as EUR or USDT", op, in.Currency)
	case b.Country != "" && !validCountry(b.Country):
		return nil, fmt.Errorf("stix: %s: country %q: want an ISO 3166-1 alpha-2 code", op, in.Country)
	case b.Kind == "bank-account" && b.IBAN == "" && b.Bank == "":
		return nil, fmt.Errorf("stix: %s: a bank-account needs an IBAN or a bank", op)
	case b.Kind == "crypto-wallet" && b.Wallet == "":
		return nil, fmt.Errorf("stix: %s: a crypto-wallet needs its address (Wallet)", op)
	}
	name := strings.TrimSpace(in.Name)
	for _, s := range []string{b.IBAN, b.Wallet, b.Bank} {
		if name == "" {
			name = s
		}
	}
	if name == "" {
		return nil, fmt.Errorf("stix: %s: the name is empty", op)
	}
	return []json.RawMessage{marshal(struct {
		sdo
		Name        string         `json:"name"`
		Description string         `json:"description,omitempty"`
		Extensions  map[string]any `json:"extensions"`
	}{newSDO("infrastructure", tlp, now), name, strings.TrimSpace(in.Description), map[string]any{FinancingExtension: b}})}, nil
}

// SourceInput describes a source for NewSource.
type SourceInput struct {
	Name        string // a codename will do
	Reliability string // Admiralty reliability, A (reliable) to F (cannot be judged)
	Credibility string // Admiralty credibility, 1 (confirmed) to 6 (cannot be judged)
	Description string
}

// NewSource returns an identity carrying the Parley source extension with
// the Admiralty grading. Its identity_class is "unknown": whether a source
// is a person or an organisation is itself sensitive, and a source must
// never be matched against watchlists as a person (RecordKind "source").
func NewSource(in SourceInput, tlp TLP, now time.Time) ([]json.RawMessage, error) {
	const op = "NewSource"
	if err := checkCommon(op, tlp, now); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	r := strings.ToUpper(strings.TrimSpace(in.Reliability))
	c := strings.TrimSpace(in.Credibility)
	switch {
	case name == "":
		return nil, fmt.Errorf("stix: %s: the name is empty", op)
	case len(r) != 1 || r[0] < 'A' || r[0] > 'F':
		return nil, fmt.Errorf("stix: %s: reliability %q: want A–F", op, in.Reliability)
	case len(c) != 1 || c[0] < '1' || c[0] > '6':
		return nil, fmt.Errorf("stix: %s: credibility %q: want 1–6", op, in.Credibility)
	}
	return []json.RawMessage{marshal(struct {
		sdo
		Name          string         `json:"name"`
		Description   string         `json:"description,omitempty"`
		IdentityClass string         `json:"identity_class"`
		Extensions    map[string]any `json:"extensions"`
	}{newSDO("identity", tlp, now), name, strings.TrimSpace(in.Description), "unknown", map[string]any{SourceExtension: struct {
		ExtensionType string `json:"extension_type"`
		Reliability   string `json:"reliability"`
		Credibility   string `json:"credibility"`
	}{"property-extension", r, c}}})}, nil
}
