package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// NewBundle returns a bundle (bundle--UUIDv4) of the given objects, preceded
// by the definitions they use, each exactly once: Parley's identity and
// extension definitions for the Parley extensions they carry, and the TLP
// 2.0 marking definitions they reference (unless objects already holds
// them). Objects keep their bytes. The result is checked with
// Parse(Options{RequireTLP: true}); the *ValidationError of a failed check is
// returned wrapped, with paths into the result.
func NewBundle(objects []json.RawMessage) ([]byte, error) {
	if len(objects) == 0 {
		return nil, errors.New("stix: NewBundle: no objects")
	}
	out, err := assemble(objects)
	if err != nil {
		return nil, fmt.Errorf("stix: NewBundle: %w", err)
	}
	if _, err := Parse(out, Options{RequireTLP: true}); err != nil {
		return nil, fmt.Errorf("stix: NewBundle: the result is not a valid Parley bundle: %w", err)
	}
	return out, nil
}

// assemble writes the bundle: definitions first, then objects.
func assemble(objects []json.RawMessage) ([]byte, error) {
	type head struct {
		ID         string                     `json:"id"`
		Markings   []string                   `json:"object_marking_refs"`
		Extensions map[string]json.RawMessage `json:"extensions"`
		Granular   []struct {
			MarkingRef string `json:"marking_ref"`
		} `json:"granular_markings"`
	}
	have := map[string]bool{}
	var levels [TLPRed + 1]bool
	var exts = map[string]bool{}
	size := 0
	for i, raw := range objects {
		var h head
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
		have[h.ID] = true
		size += len(raw) + 1
		refs := h.Markings
		for _, g := range h.Granular {
			refs = append(refs, g.MarkingRef)
		}
		for _, m := range refs {
			if t, v2 := markingTLP(m); v2 {
				levels[t] = true
			}
		}
		for k := range h.Extensions {
			exts[k] = true
		}
	}
	var defs [][]byte
	if exts[PersonExtension] || exts[FinancingExtension] || exts[SourceExtension] {
		if !have[ParleyIdentityID] {
			defs = append(defs, parleyIdentityJSON())
			levels[TLPClear] = true
		}
		for _, d := range parleyExtensions {
			if exts[d.id] && !have[d.id] {
				defs = append(defs, extensionDefinitionJSON(d))
			}
		}
	}
	for t := TLPClear; t <= TLPRed; t++ {
		if levels[t] && !have[t.MarkingID()] {
			defs = append(defs, tlp2MarkingJSON(t))
		}
	}
	var b bytes.Buffer
	b.Grow(size + 2048)
	b.WriteString(`{"type":"bundle","id":"` + newID("bundle") + `","objects":[`)
	n := 0
	for _, o := range append(defs, toBytes(objects)...) {
		if n > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		b.Write(bytes.TrimSpace(o))
		n++
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

func toBytes(objects []json.RawMessage) [][]byte {
	out := make([][]byte, len(objects))
	for i, o := range objects {
		out[i] = o
	}
	return out
}

// Merge returns one bundle (with a new id) holding the objects of all the
// given bundles, each object version once: an object whose id and modified
// time match one already taken is dropped if its bytes are the same (up to
// JSON whitespace) and is an error otherwise. Each input must pass
// Parse(Options{}); the result is checked the same way, and also with
// RequireTLP if every input passes it.
func Merge(bundles ...[]byte) ([]byte, error) {
	if len(bundles) == 0 {
		return nil, errors.New("stix: Merge: no bundles")
	}
	strict := true
	seen := map[string][]byte{}
	var objects []json.RawMessage
	for i, raw := range bundles {
		b, err := Parse(raw, Options{})
		if err != nil {
			return nil, fmt.Errorf("stix: Merge: bundle %d: %w", i, err)
		}
		if strict {
			_, err := Parse(raw, Options{RequireTLP: true})
			strict = err == nil
		}
		for _, o := range b.Objects {
			key := o.ID + "@" + o.Modified.String()
			var c bytes.Buffer
			if err := json.Compact(&c, o.Raw); err != nil {
				return nil, fmt.Errorf("stix: Merge: %w", err) // unreachable: Raw is valid JSON
			}
			if prev, ok := seen[key]; ok {
				if !bytes.Equal(prev, c.Bytes()) {
					return nil, fmt.Errorf("stix: Merge: bundle %d: two different objects have id %s and the same version", i, o.ID)
				}
				continue
			}
			seen[key] = c.Bytes()
			objects = append(objects, o.Raw)
		}
	}
	out, err := assemble(objects)
	if err != nil {
		return nil, fmt.Errorf("stix: Merge: %w", err)
	}
	if _, err := Parse(out, Options{RequireTLP: strict}); err != nil {
		return nil, fmt.Errorf("stix: Merge: the result is not valid: %w", err)
	}
	return out, nil
}
