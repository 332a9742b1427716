package stix

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Limits on what Parse accepts.
const (
	// MaxBundleBytes is the largest bundle Parse accepts by default.
	MaxBundleBytes = 16 << 20
	// MaxObjects is the largest number of objects in one bundle that Parse
	// accepts by default.
	MaxObjects = 20000
)

// Object is one validated STIX object of a Bundle.
type Object struct {
	Type string
	ID   string
	// Raw is the object's exact bytes as they appeared in the bundle; it
	// aliases the slice given to Parse.
	Raw json.RawMessage
	// Offset is where Raw starts in the bytes given to Parse, so that a
	// caller that stores those bytes can find the object in them again.
	Offset int
	// Markings is the object's object_marking_refs, in order.
	Markings []string
	// Created and Modified are zero for cyber-observables and wherever the
	// property is absent (marking definitions have no modified).
	Created, Modified time.Time

	tlp    TLP       // highest TLP of object and granular markings
	kind   string    // RecordKind, computed by Parse
	person *Person   // for kind "person"
	rel    *relation // for kind "relationship"
}

type relation struct{ typ, source, target string }

// TLP returns the highest TLP level among the object's markings, object-level
// (Markings) and granular; TLPNone if it has no TLP marking. TLP 1.0
// markings count as their TLP 2.0 equivalents (WHITE as CLEAR).
func (o *Object) TLP() TLP {
	t := o.tlp
	for _, m := range o.Markings {
		if l, _ := markingTLP(m); l > t {
			t = l
		}
	}
	return t
}

// RecordKind returns the object's kind in Parley's policy vocabulary, which
// channel policies allow or refuse:
//
//   - "person": an identity with identity_class "individual" or carrying the
//     Parley person extension, or any threat-actor;
//   - "source": an identity carrying the Parley source extension (this wins
//     over "person": a source is never matched against watchlists);
//   - "financing": any infrastructure (Parley's financing channels are
//     infrastructure objects with the financing extension);
//   - "indicator", "relationship", "report", "note", "opinion": the STIX types;
//   - "marking": a marking-definition;
//   - "extension": an extension-definition, and Parley's own identity
//     (ParleyIdentityID), which only exists as their creator;
//   - "observable": any cyber-observable (SCO);
//   - otherwise the STIX type, e.g. "identity" for an organisation,
//     "malware", "sighting", or a custom type.
func (o *Object) RecordKind() string {
	if o.kind != "" {
		return o.kind
	}
	// An Object not made by Parse: classify it from its bytes.
	var x struct {
		IdentityClass string                     `json:"identity_class"`
		Extensions    map[string]json.RawMessage `json:"extensions"`
	}
	_ = json.Unmarshal(o.Raw, &x)
	m := jobject{{"identity_class", x.IdentityClass}}
	var ext jobject
	for k := range x.Extensions {
		ext = append(ext, member{k, jobject{}})
	}
	if ext != nil {
		m = append(m, member{"extensions", ext})
	}
	cls := classSDO
	if r := rules[o.Type]; r != nil {
		cls = r.class
	}
	return kindOf(m, o, cls)
}

// Bundle is a validated STIX 2.1 bundle.
type Bundle struct {
	ID      string
	Objects []*Object
}

// MaxTLP returns the highest TLP of any object in the bundle.
func (b *Bundle) MaxTLP() TLP {
	t := TLPNone
	for _, o := range b.Objects {
		t = max(t, o.TLP())
	}
	return t
}

// Kinds returns the distinct RecordKind values of the bundle's objects,
// sorted.
func (b *Bundle) Kinds() []string {
	var ks []string
	for _, o := range b.Objects {
		if k := o.RecordKind(); !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// Options select the checks Parse makes. The zero value is the STIX 2.1
// specification alone ("lenient"); RequireTLP adds Parley's rules ("strict").
type Options struct {
	// RequireTLP applies Parley's rules: every object except
	// marking-definition and extension-definition carries exactly one TLP
	// 2.0 marking (and no TLP 1.0 marking); marking references resolve to a
	// marking definition in the bundle or a TLP marking; relationship
	// endpoints are in the bundle; ids are lowercase.
	RequireTLP bool
	// MaxBytes is the largest bundle accepted; 0 means MaxBundleBytes.
	MaxBytes int
	// MaxObjects is the most objects accepted; 0 means MaxObjects.
	MaxObjects int
}

// Parse strictly decodes and validates a STIX 2.1 bundle: a JSON object with
// type "bundle", an id bundle--UUID and an objects array. Invalid input
// yields a *ValidationError (which matches ErrInvalid) naming the first
// offending property. The returned objects' Raw fields alias b.
func Parse(b []byte, opts Options) (*Bundle, error) {
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = MaxBundleBytes
	}
	maxObjects := opts.MaxObjects
	if maxObjects <= 0 {
		maxObjects = MaxObjects
	}
	if len(b) > maxBytes {
		return nil, &ValidationError{Reason: fmt.Sprintf("bundle of %d bytes exceeds the limit of %d bytes", len(b), maxBytes)}
	}
	root, spans, err := decodeTree(b, maxObjects)
	if err != nil {
		return nil, err
	}
	v := &validator{strict: opts.RequireTLP}
	return v.bundle(root, spans, b)
}
