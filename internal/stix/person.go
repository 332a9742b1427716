package stix

import "slices"

// Person is a person of interest as a bundle describes them, for watchlist
// matching. Names are as given, in any script.
type Person struct {
	ObjectID      string
	Name          string
	Aliases       []string
	DOB           string   // "YYYY-MM-DD", "YYYY" or ""
	Nationalities []string // ISO 3166-1 alpha-2 codes
	Documents     []Document
}

// Document is an identity document, e.g. {"passport", "1234567", "RU"}.
type Document struct {
	Type    string `json:"type"`
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// personOf extracts a person from a validated identity or threat-actor.
func personOf(o jobject, obj *Object) *Person {
	p := &Person{ObjectID: obj.ID, Name: o.str("name")}
	if obj.Type == "threat-actor" {
		a, _ := o.get("aliases")
		p.Aliases = anyStrings(a)
		return p
	}
	ext, _ := o.object("extensions")
	body, _ := ext.object(PersonExtension)
	a, _ := body.get("aliases")
	p.Aliases = anyStrings(a)
	p.DOB = body.str("date_of_birth")
	n, _ := body.get("nationalities")
	p.Nationalities = anyStrings(n)
	d, _ := body.get("documents")
	docs, _ := d.([]any)
	for _, x := range docs {
		doc := x.(jobject)
		p.Documents = append(p.Documents, Document{Type: doc.str("type"), Number: doc.str("number"), Country: doc.str("country")})
	}
	return p
}

// Persons returns every person in the bundle, in the order of their objects:
// each identity of kind "person" with its name and the details of the
// Parley person extension, and each threat-actor with its name and aliases.
// A threat-actor that a relationship in the bundle says is attributed-to
// such an identity (as NewPerson emits them) is not a separate person: its
// name and aliases are added to the identity's aliases. When an object
// appears in several versions, the first is used. The Persons are copies.
func (b *Bundle) Persons() []Person {
	first := map[string]*Object{}
	for _, o := range b.Objects {
		if o.person != nil && first[o.ID] == nil {
			first[o.ID] = o
		}
	}
	attributed := map[string]string{} // threat-actor id -> identity id
	for _, o := range b.Objects {
		if o.rel == nil || o.rel.typ != "attributed-to" {
			continue
		}
		s, t := first[o.rel.source], first[o.rel.target]
		if s != nil && t != nil && s.Type == "threat-actor" && t.Type == "identity" && attributed[s.ID] == "" {
			attributed[s.ID] = t.ID
		}
	}
	names := map[string][]string{} // identity id -> names of its threat-actors
	for _, o := range b.Objects {
		if first[o.ID] == o && o.Type == "threat-actor" {
			if id, ok := attributed[o.ID]; ok {
				names[id] = append(names[id], o.person.Name)
				names[id] = append(names[id], o.person.Aliases...)
			}
		}
	}
	var out []Person
	for _, o := range b.Objects {
		if first[o.ID] != o || attributed[o.ID] != "" {
			continue
		}
		p := clonePerson(o.person)
		for _, n := range names[o.ID] {
			if n != p.Name && !slices.Contains(p.Aliases, n) {
				p.Aliases = append(p.Aliases, n)
			}
		}
		out = append(out, p)
	}
	return out
}

func clonePerson(p *Person) Person {
	c := *p
	c.Aliases = slices.Clone(p.Aliases)
	c.Nationalities = slices.Clone(p.Nationalities)
	c.Documents = slices.Clone(p.Documents)
	return c
}
