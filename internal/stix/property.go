package stix

import "strings"

// props checks the type-specific properties of an object against its
// table in vocabulary.go.
func (v *validator) props(p string, o jobject, r *typeRules) error {
	for i := range r.props {
		d := &r.props[i]
		val, ok := o.get(d.name)
		if !ok {
			if d.required {
				return bad(join(p, d.name), "missing required property")
			}
			continue
		}
		if err := v.value(p, d, val); err != nil {
			return err
		}
	}
	for _, ord := range r.orders {
		a, okA := o.get(ord.before)
		b, okB := o.get(ord.after)
		if !okA || !okB {
			continue
		}
		ta, _ := parseTimestamp(a.(string), false)
		tb, _ := parseTimestamp(b.(string), false)
		if tb.Before(ta) || ord.strict && tb.Equal(ta) {
			if ord.strict {
				return bad(join(p, ord.after), "must be later than %s", ord.before)
			}
			return bad(join(p, ord.after), "is earlier than %s", ord.before)
		}
	}
	return nil
}

// value checks the value of property d of the object at path p.
func (v *validator) value(p string, d *prop, val any) error {
	q := func() string { return join(p, d.name) }
	switch d.kind {
	case kindString:
		if _, ok := val.(string); !ok {
			return bad(q(), "must be a string")
		}
	case kindStrings:
		if !isStringList(val) {
			return stringList(q(), val)
		}
		if d.types != nil {
			for i, x := range val.([]any) {
				if !contains(d.types, x.(string)) {
					return bad(index(q(), i), "%q is not one of %s", x, strings.Join(d.types, ", "))
				}
			}
		}
	case kindEnum:
		s, ok := val.(string)
		if !ok || !contains(d.types, s) {
			return bad(q(), "must be one of %s", strings.Join(d.types, ", "))
		}
	case kindTime:
		if _, err := timestamp(p, d.name, val, false); err != nil {
			return err
		}
	case kindRef:
		if _, reason := v.ref(val, d.types, d.deny); reason != "" {
			return bad(q(), "%s", reason)
		}
	case kindRefs:
		a, ok := val.([]any)
		if !ok || len(a) == 0 {
			return bad(q(), "must be a non-empty list of identifiers")
		}
		for i, x := range a {
			if _, reason := v.ref(x, d.types, d.deny); reason != "" {
				return bad(index(q(), i), "%s", reason)
			}
		}
	case kindBool:
		if _, ok := val.(bool); !ok {
			return bad(q(), "must be true or false")
		}
	case kindInt:
		if _, err := intIn(q(), val, d.min, d.max); err != nil {
			return err
		}
	case kindNumber:
		if err := numberIn(q(), val, float64(d.min), float64(d.max)); err != nil {
			return err
		}
	case kindKillChain:
		a, ok := val.([]any)
		if !ok || len(a) == 0 {
			return bad(q(), "must be a non-empty list of kill chain phases")
		}
		for i, x := range a {
			k, ok := x.(jobject)
			if !ok {
				return bad(index(q(), i), "must be an object")
			}
			for _, name := range []string{"kill_chain_name", "phase_name"} {
				s, ok := k.get(name)
				if !ok {
					return bad(join(index(q(), i), name), "missing required property")
				}
				if _, ok := s.(string); !ok {
					return bad(join(index(q(), i), name), "must be a string")
				}
			}
		}
	case kindDict:
		if m, ok := val.(jobject); !ok || len(m) == 0 {
			return bad(q(), "must be a non-empty object")
		}
	case kindHashes:
		return hashes(q(), val)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// special checks the rules of a type that a property table cannot say.
func (v *validator) special(p string, o jobject, obj *Object) error {
	switch obj.Type {
	case "relationship":
		if s, _ := o.get("relationship_type"); !validRelationshipType(s.(string)) {
			return bad(join(p, "relationship_type"), "must be lowercase letters, digits and hyphens")
		}
		if v.strict {
			for _, k := range []string{"source_ref", "target_ref"} {
				id, _ := o.get(k)
				v.refs = append(v.refs, pendingRef{path: join(p, k), id: id.(string)})
			}
		}
	case "malware":
		if f, _ := o.get("is_family"); f == true {
			if _, ok := o.get("name"); !ok {
				return bad(join(p, "name"), "missing: a malware family has a name")
			}
		}
	case "malware-analysis":
		_, r := o.get("result")
		_, s := o.get("analysis_sco_refs")
		if !r && !s {
			return bad(p, "needs result or analysis_sco_refs")
		}
	case "observed-data":
		_, a := o.get("objects")
		_, b := o.get("object_refs")
		if a == b {
			return bad(join(p, "object_refs"), "exactly one of objects (deprecated) and object_refs must be present")
		}
	case "location":
		_, region := o.get("region")
		_, country := o.get("country")
		_, lat := o.get("latitude")
		_, long := o.get("longitude")
		_, prec := o.get("precision")
		switch {
		case lat != long:
			return bad(join(p, "longitude"), "latitude and longitude go together")
		case !region && !country && !lat:
			return bad(p, "needs region, country, or latitude and longitude")
		case prec && !lat:
			return bad(join(p, "precision"), "needs latitude and longitude")
		}
	case "marking-definition":
		return v.markingDefinition(p, o, obj)
	case "extension-definition":
		types, _ := o.get("extension_types")
		if _, ok := o.get("extension_properties"); ok && !contains(anyStrings(types), "toplevel-property-extension") {
			return bad(join(p, "extension_properties"), "only a toplevel-property-extension lists extension_properties")
		}
	}
	return nil
}

func validRelationshipType(s string) bool {
	if s == "" {
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

// anyStrings returns the strings of a list, or nil.
func anyStrings(val any) []string {
	a, _ := val.([]any)
	if len(a) == 0 {
		return nil
	}
	out := make([]string, 0, len(a))
	for _, x := range a {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// markings checks object_marking_refs and granular_markings (§7.2), and
// under Parley's rule (Options.RequireTLP) that every object but the
// definitions carries exactly one TLP 2.0 marking.
func (v *validator) markings(p string, o jobject, obj *Object, cls class) error {
	tlp2 := 0
	if mv, ok := o.get("object_marking_refs"); ok {
		q := func(i int) string { return index(join(p, "object_marking_refs"), i) }
		a, ok := mv.([]any)
		if !ok || len(a) == 0 {
			return bad(join(p, "object_marking_refs"), "must be a non-empty list of marking-definition ids")
		}
		obj.Markings = make([]string, 0, len(a))
		for i, x := range a {
			id, err := v.marking(p, i, x, obj)
			if err != nil {
				return err
			}
			for _, prev := range obj.Markings {
				if prev == id {
					return bad(q(i), "%s is listed twice", id)
				}
			}
			obj.Markings = append(obj.Markings, id)
			switch t, v2 := markingTLP(id); {
			case t == TLPNone:
			case v2:
				tlp2++
			case v.strict:
				return bad(q(i), "%s is a TLP 1.0 marking; Parley requires TLP 2.0 (%s)", id, t.MarkingID())
			}
		}
	}
	if gv, ok := o.get("granular_markings"); ok {
		q := join(p, "granular_markings")
		a, ok := gv.([]any)
		if !ok || len(a) == 0 {
			return bad(q, "must be a non-empty list of granular markings")
		}
		for i, x := range a {
			if err := v.granular(index(q, i), x, o, obj); err != nil {
				return err
			}
		}
	}
	if v.strict && cls != classMarking && cls != classExtension && tlp2 != 1 {
		q := join(p, "object_marking_refs")
		if tlp2 == 0 {
			return bad(q, "missing TLP: every object carries exactly one TLP 2.0 marking")
		}
		return bad(q, "%d TLP 2.0 markings: every object carries exactly one", tlp2)
	}
	return nil
}

// markingType is what a marking reference may name.
var markingType = []string{"marking-definition"}

// marking checks a marking reference (object_marking_refs[i] of the object
// at p, or with i < 0 the marking_ref at p) and remembers it for resolution.
func (v *validator) marking(p string, i int, x any, obj *Object) (string, error) {
	q := func() string {
		if i < 0 {
			return p
		}
		return index(join(p, "object_marking_refs"), i)
	}
	id, reason := v.ref(x, markingType, false)
	if reason != "" {
		return "", bad(q(), "%s", reason)
	}
	if id == obj.ID {
		return "", bad(q(), "a marking definition may not mark itself")
	}
	if t, _ := markingTLP(id); t > obj.tlp {
		obj.tlp = t
	}
	if v.strict {
		if _, ok := v.byID[id]; !ok {
			if t, _ := markingTLP(id); t == TLPNone {
				v.refs = append(v.refs, pendingRef{path: q(), id: id, marking: true})
			}
		}
	}
	return id, nil
}

// granular checks one granular marking (§7.2.3): selectors that resolve in
// the object, and exactly one of marking_ref and lang.
func (v *validator) granular(q string, x any, o jobject, obj *Object) error {
	g, ok := x.(jobject)
	if !ok {
		return bad(q, "must be an object")
	}
	for _, m := range g {
		switch m.key {
		case "selectors", "marking_ref", "lang":
		default:
			return bad(join(q, m.key), "not a property of a granular marking")
		}
	}
	sv, ok := g.get("selectors")
	if !ok {
		return bad(join(q, "selectors"), "missing required property")
	}
	if err := stringList(join(q, "selectors"), sv); err != nil {
		return err
	}
	for i, s := range sv.([]any) {
		if !selects(o, s.(string)) {
			return bad(index(join(q, "selectors"), i), "%q selects nothing in this object", s)
		}
	}
	mv, hasRef := g.get("marking_ref")
	lv, hasLang := g.get("lang")
	switch {
	case hasRef == hasLang:
		return bad(q, "needs exactly one of marking_ref and lang")
	case hasRef:
		if _, err := v.marking(join(q, "marking_ref"), -1, mv, obj); err != nil {
			return err
		}
	default:
		if s, ok := lv.(string); !ok || !validLang(s) {
			return bad(join(q, "lang"), "must be an RFC 5646 language tag")
		}
	}
	return nil
}

// selects reports whether a granular-marking selector (§7.2.3.1), such as
// "external_references.[0].url", names something present in o.
func selects(o jobject, sel string) bool {
	var cur any = o
	for _, part := range strings.Split(sel, ".") {
		if len(part) > 2 && part[0] == '[' && part[len(part)-1] == ']' {
			a, ok := cur.([]any)
			if !ok || !digits(part[1:len(part)-1]) || len(part) > 12 {
				return false
			}
			n := 0
			for _, c := range part[1 : len(part)-1] {
				n = n*10 + int(c-'0')
			}
			if n >= len(a) {
				return false
			}
			cur = a[n]
			continue
		}
		m, ok := cur.(jobject)
		if !ok {
			return false
		}
		if cur, ok = m.get(part); !ok {
			return false
		}
	}
	return true
}

// markingDefinition checks §7.2.1: a definition_type and definition, or
// an extension; TLP markings only under their published ids and exactly as
// published.
func (v *validator) markingDefinition(p string, o jobject, obj *Object) error {
	dt, hasType := o.get("definition_type")
	def, hasDef := o.get("definition")
	ext, hasExt := o.get("extensions")
	switch {
	case hasType != hasDef:
		return bad(join(p, "definition"), "definition_type and definition go together")
	case !hasType && !hasExt:
		return bad(join(p, "definition_type"), "missing: a marking definition has definition_type and definition, or an extension")
	}
	level, v2 := markingTLP(obj.ID)
	var tlp2Body jobject
	if eo, ok := ext.(jobject); ok {
		tlp2Body, _ = eo.object(TLP2Extension)
	}
	switch {
	case tlp2Body != nil && !(level != TLPNone && v2):
		return bad(join(join(p, "extensions"), TLP2Extension), "TLP 2.0 markings must use the published marking-definition ids")
	case dt == "tlp" && !(level != TLPNone && !v2):
		return bad(join(p, "definition_type"), "TLP 1.0 markings must use the marking-definition ids of the specification (§7.2.1.4)")
	case level != TLPNone && v2:
		if tlp2Body == nil {
			return bad(join(p, "extensions"), "a TLP 2.0 marking carries the TLP 2.0 extension %s", TLP2Extension)
		}
		q := join(join(p, "extensions"), TLP2Extension)
		if s := tlp2Body.str("tlp_2_0"); s != level.String() {
			return bad(join(q, "tlp_2_0"), "%s is the TLP 2.0 %s marking; tlp_2_0 must be %q", obj.ID, level, level.String())
		}
		if len(tlp2Body) != 2 {
			return bad(q, "the TLP 2.0 extension holds only extension_type and tlp_2_0")
		}
		if o.str("name") != level.Label() {
			return bad(join(p, "name"), "must be %q", level.Label())
		}
		if o.str("created") != tlp2Created {
			return bad(join(p, "created"), "the published TLP 2.0 markings were created %s", tlp2Created)
		}
	case level != TLPNone:
		m := tlp1Of(obj.ID)
		if dt != "tlp" {
			return bad(join(p, "definition_type"), `%s is the TLP 1.0 %s marking; definition_type must be "tlp"`, obj.ID, m.color)
		}
		d, _ := def.(jobject)
		if len(d) != 1 || d.str("tlp") != m.color {
			return bad(join(p, "definition"), `must be {"tlp": %q}`, m.color)
		}
		if n, ok := o.get("name"); ok && n != m.name {
			return bad(join(p, "name"), "must be %q", m.name)
		}
		if o.str("created") != tlp1Created {
			return bad(join(p, "created"), "the specification's TLP 1.0 markings were created %s", tlp1Created)
		}
	case dt == "statement":
		d, _ := def.(jobject)
		s, ok := d.get("statement")
		if !ok {
			return bad(join(join(p, "definition"), "statement"), "missing required property")
		}
		if _, ok := s.(string); !ok {
			return bad(join(join(p, "definition"), "statement"), "must be a string")
		}
	}
	if hasType {
		if _, ok := dt.(string); !ok {
			return bad(join(p, "definition_type"), "must be a string")
		}
	}
	return nil
}

func tlp1Of(id string) tlp1Marking {
	for _, m := range tlp1Markings {
		if m.id == id {
			return m
		}
	}
	return tlp1Marking{}
}
