// Package stix decodes, validates and builds the STIX 2.1 records Parley
// exchanges: persons of interest, terrorist-financing channels, sources,
// indicators and the relationships between them, marked with TLP 2.0.
//
// # Specifications
//
// The package follows STIX Version 2.1 (OASIS Standard, 10 June 2021), the
// TLP 2.0 marking definitions published by OASIS (cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0) and RFC 8259 (JSON). Parley's
// own properties are STIX 2.1 property extensions with fixed ids
// (PersonExtension, FinancingExtension, SourceExtension), created by
// ParleyIdentityID. docs/records.md maps Parley's records to STIX, lists the
// identifiers and rules, and has complete examples.
//
// # Guarantees
//
// Parse accepts a bundle only if it is valid STIX 2.1 as described in
// docs/records.md: strict JSON (valid UTF-8, no duplicate member names at
// any depth, no unpaired surrogate escapes, at most 64 levels of nesting,
// nothing after the bundle), within Options' size and object limits, every
// object satisfying the common and per-type rules of the specification and
// the rules of Parley's extensions. With Options.RequireTLP it also applies
// Parley's rules: exactly one TLP 2.0 marking per object (definitions
// aside), resolvable markings, complete relationships, lowercase ids. Any
// other input yields a *ValidationError naming the first offending property
// by its JSON path; it matches ErrInvalid. Parse decodes each input once,
// never panics on any input (FuzzParse), and its objects' Raw fields are the
// exact input bytes, so that what was signed can be stored and forwarded
// unchanged.
//
// The constructors (NewPerson, NewFinancing, NewSource) emit objects that
// validate against the OASIS JSON schemas of their types, with UUIDv4 ids
// from crypto/rand, each carrying the TLP 2.0 marking given. NewBundle adds
// the definitions they use and returns only bundles that
// Parse(Options{RequireTLP: true}) accepts.
//
// Render writes a bundle for people to read; it shows names in any script
// as given, escapes control characters, and fails only if its writer does.
//
// Parse, Render and the constructors are safe for concurrent use. The
// package imports only the standard library.
package stix
