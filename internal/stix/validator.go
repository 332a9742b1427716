package stix

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// validator checks one decoded bundle. It returns the first defect found,
// in input order, as a *ValidationError; references that need the whole
// bundle are checked last.
type validator struct {
	strict bool
	// byID indexes the objects by id; a later version of an object
	// (same id, later modified) replaces an earlier one.
	byID map[string]*Object
	// versions detects the same object version twice.
	versions map[string]struct{}
	refs     []pendingRef
}

// pendingRef is a reference that can only be checked once every object of
// the bundle is known.
type pendingRef struct {
	path, id string
	marking  bool // a marking reference; otherwise a relationship endpoint
}

func bad(path, format string, args ...any) *ValidationError {
	return &ValidationError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// bundle validates the top-level object.
func (v *validator) bundle(root jobject, spans []span, src []byte) (*Bundle, error) {
	var objs []any
	haveObjects := false
	for _, m := range root {
		switch m.key {
		case "type":
			if s, ok := m.val.(string); !ok || s != "bundle" {
				return nil, bad("type", `must be "bundle"`)
			}
		case "id":
			if err := v.id("id", m.val, "bundle", classSDO); err != nil {
				return nil, err
			}
		case "objects":
			a, ok := m.val.([]any)
			if !ok {
				return nil, bad("objects", "must be an array of STIX objects")
			}
			if len(a) == 0 {
				return nil, bad("objects", "must not be empty")
			}
			objs, haveObjects = a, true
		default:
			return nil, bad(m.key, "not a property of a STIX 2.1 bundle (type, id, objects)")
		}
	}
	if _, ok := root.get("type"); !ok {
		return nil, bad("type", `missing: a bundle has type "bundle"`)
	}
	id, ok := root.get("id")
	if !ok {
		return nil, bad("id", "missing required property")
	}
	if v.strict && !haveObjects {
		return nil, bad("objects", "missing: a Parley bundle carries at least one object")
	}
	b := &Bundle{ID: id.(string), Objects: make([]*Object, 0, len(objs))}
	v.byID = make(map[string]*Object, len(objs))
	v.versions = make(map[string]struct{}, len(objs))
	for i, x := range objs {
		p := index("objects", i)
		o, ok := x.(jobject)
		if !ok {
			return nil, bad(p, "must be a JSON object")
		}
		obj, err := v.object(p, o)
		if err != nil {
			return nil, err
		}
		obj.Raw = json.RawMessage(src[spans[i].start:spans[i].end:spans[i].end])
		obj.Offset = spans[i].start
		b.Objects = append(b.Objects, obj)
	}
	for _, r := range v.refs {
		// An id names its type, so an id found is an object of that type.
		if _, ok := v.byID[r.id]; ok {
			continue
		}
		if r.marking {
			if t, _ := markingTLP(r.id); t == TLPNone {
				return nil, bad(r.path, "unknown marking %s: not in the bundle and not a TLP marking", r.id)
			}
			continue
		}
		return nil, bad(r.path, "dangling relationship: %s is not in the bundle", r.id)
	}
	return b, nil
}

// object validates one member of the objects array.
func (v *validator) object(p string, o jobject) (*Object, error) {
	typ, err := v.typeName(p, o)
	if err != nil {
		return nil, err
	}
	r := rules[typ]
	cls := classSDO
	if r != nil {
		cls = r.class
	} else {
		cls = customClass(o)
	}
	obj := &Object{Type: typ}
	idv, ok := o.get("id")
	if !ok {
		return nil, bad(join(p, "id"), "missing required property")
	}
	if err := v.id(join(p, "id"), idv, typ, cls); err != nil {
		return nil, err
	}
	obj.ID = idv.(string)

	for _, m := range o {
		if err := propertyName(p, m.key, m.val); err != nil {
			return nil, err
		}
	}
	if err := v.common(p, o, obj, cls); err != nil {
		return nil, err
	}
	if r != nil {
		if err := v.props(p, o, r); err != nil {
			return nil, err
		}
	}
	if err := v.special(p, o, obj); err != nil {
		return nil, err
	}
	if err := v.parley(p, o, obj, cls); err != nil {
		return nil, err
	}

	version := obj.ID
	if !obj.Modified.IsZero() {
		version += "@" + obj.Modified.Format(time.RFC3339Nano)
	}
	if _, dup := v.versions[version]; dup {
		return nil, bad(join(p, "id"), "duplicate object: %s appears twice with the same version", obj.ID)
	}
	v.versions[version] = struct{}{}
	if prev, ok := v.byID[obj.ID]; !ok || obj.Modified.After(prev.Modified) {
		v.byID[obj.ID] = obj
	}
	return obj, nil
}

// typeName checks the type property (STIX 2.1 §3.1): 3–250 characters of
// a–z, 0–9 and hyphen, starting with a letter, no two hyphens in a row.
func (v *validator) typeName(p string, o jobject) (string, error) {
	tv, ok := o.get("type")
	if !ok {
		return "", bad(join(p, "type"), "missing required property")
	}
	t, ok := tv.(string)
	if !ok {
		return "", bad(join(p, "type"), "must be a string")
	}
	if !validTypeName(t) {
		return "", bad(join(p, "type"), "%q is not a STIX type name (3–250 characters a–z, 0–9, hyphen, starting with a letter)", t)
	}
	if t == "bundle" || t == "action" {
		return "", bad(join(p, "type"), "%q may not be used as an object type", t)
	}
	return t, nil
}

func validTypeName(t string) bool {
	if len(t) < 3 || len(t) > 250 || t[0] < 'a' || t[0] > 'z' || strings.Contains(t, "--") {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// customClass decides how to treat an object of a type STIX does not define:
// a custom cyber-observable if it carries a new-sco extension, a custom
// relationship for new-sro, otherwise a custom domain object.
func customClass(o jobject) class {
	ext, _ := o.get("extensions")
	eo, _ := ext.(jobject)
	for _, m := range eo {
		body, _ := m.val.(jobject)
		switch body.str("extension_type") {
		case "new-sco":
			return classSCO
		case "new-sro":
			return classSRO
		}
	}
	return classSDO
}

// id checks an object's own id: its type, "--", and a UUID that is version 4
// (cyber-observables may also use version 5).
func (v *validator) id(p string, val any, typ string, cls class) error {
	s, ok := val.(string)
	if !ok {
		return bad(p, "must be a string")
	}
	if !strings.HasPrefix(s, typ+"--") {
		return bad(p, "%q does not start with %q", s, typ+"--")
	}
	u := s[len(typ)+2:]
	if err := v.uuid(u); err != "" {
		return bad(p, "%q: %s", s, err)
	}
	switch ver := u[14]; {
	case ver == '4':
	case ver == '5' && cls == classSCO:
	default:
		if cls == classSCO {
			return bad(p, "%q: the UUID must be version 4 or 5, not %c", s, ver)
		}
		return bad(p, "%q: the UUID must be version 4, not %c", s, ver)
	}
	return nil
}

// uuid checks the syntax of an RFC 4122 UUID of versions 1–5 and returns a
// reason, or "" if it is valid.
func (v *validator) uuid(u string) string {
	if len(u) != 36 {
		return "not a UUID"
	}
	upper := false
	for i := 0; i < 36; i++ {
		c := u[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "not a UUID"
			}
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			upper = true
		default:
			return "not a UUID"
		}
	}
	if u[14] < '1' || u[14] > '5' {
		return "not an RFC 4122 UUID (version " + u[14:15] + ")"
	}
	switch u[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
	default:
		return "not an RFC 4122 UUID (variant)"
	}
	if upper && v.strict {
		return "the UUID must be written in lowercase hex"
	}
	return ""
}

// ref checks a reference and returns it, or the reason it is invalid. It
// builds no path, as references are many and errors are rare.
func (v *validator) ref(val any, types []string, deny bool) (id, reason string) {
	s, ok := val.(string)
	if !ok {
		return "", "must be a string (a STIX identifier)"
	}
	i := strings.Index(s, "--")
	if i < 0 || !validTypeName(s[:i]) {
		return "", fmt.Sprintf("%q is not a STIX identifier (type--UUID)", s)
	}
	if err := v.uuid(s[i+2:]); err != "" {
		return "", fmt.Sprintf("%q: %s", s, err)
	}
	if len(types) > 0 && slices.Contains(types, s[:i]) == deny {
		if deny {
			return "", fmt.Sprintf("%q: may not refer to a %s", s, s[:i])
		}
		return "", fmt.Sprintf("%q: must refer to an object of type %s", s, strings.Join(types, " or "))
	}
	return s, ""
}

// propertyName checks a property of an object at path parent: its name (§3.1: a–z, 0–9 and
// underscore, 3–250 characters, starting with a letter, or "id"), that it is
// not reserved, and that its value is neither null nor an empty list.
func propertyName(parent, name string, val any) error {
	if name != "id" && !validPropertyName(name) {
		return bad(join(parent, name), "%q is not a valid property name (3–250 characters a–z, 0–9, underscore, starting with a letter)", name)
	}
	if reservedProperties[name] {
		return bad(join(parent, name), "%q is a reserved property name", name)
	}
	switch x := val.(type) {
	case nil:
		return bad(join(parent, name), "must not be null (omit the property instead)")
	case []any:
		if len(x) == 0 {
			return bad(join(parent, name), "must not be an empty list (omit the property instead)")
		}
	}
	return nil
}

func validPropertyName(s string) bool {
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// timestamp parses a STIX timestamp (§3.2): RFC 3339, in UTC, with "Z",
// optionally with fractional seconds; millis requires at least three
// fractional digits.
func timestamp(parent, key string, val any, millis bool) (time.Time, error) {
	s, ok := val.(string)
	if !ok {
		return time.Time{}, bad(join(parent, key), "must be a string (a timestamp)")
	}
	t, reason := parseTimestamp(s, millis)
	if reason != "" {
		return time.Time{}, bad(join(parent, key), "%q is not a STIX timestamp: %s", s, reason)
	}
	return t, nil
}

func parseTimestamp(s string, millis bool) (time.Time, string) {
	// YYYY-MM-DDTHH:MM:SS[.fraction]Z
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		if len(s) >= 19 && s[len(s)-1] != 'Z' {
			return time.Time{}, `must be in UTC and end in "Z"`
		}
		return time.Time{}, "want YYYY-MM-DDTHH:MM:SS[.sss]Z"
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, "want YYYY-MM-DDTHH:MM:SS[.sss]Z"
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, mon, day := num(0, 4), num(5, 7), num(8, 10)
	hour, min, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || mon < 1 || mon > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60 {
		return time.Time{}, "a date or time field is out of range"
	}
	if day > daysIn(year, mon) {
		return time.Time{}, "no such day"
	}
	nanos := 0
	frac := s[19 : len(s)-1]
	if frac != "" {
		if frac[0] != '.' || len(frac) < 2 {
			return time.Time{}, "want YYYY-MM-DDTHH:MM:SS[.sss]Z"
		}
		digits := frac[1:]
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if c < '0' || c > '9' {
				return time.Time{}, "want YYYY-MM-DDTHH:MM:SS[.sss]Z"
			}
			if i < 9 {
				nanos = nanos*10 + int(c-'0')
			}
		}
		for i := len(digits); i < 9; i++ {
			nanos *= 10
		}
	}
	if millis && len(frac) < 4 {
		return time.Time{}, "must be precise to the millisecond (e.g. .000Z)"
	}
	// A leap second (60) is valid RFC 3339; time.Date folds it into the
	// next minute.
	return time.Date(year, time.Month(mon), day, hour, min, sec, nanos, time.UTC), ""
}

func daysIn(year, mon int) int {
	return time.Date(year, time.Month(mon)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// common checks the common properties (§3.2) for the object's class.
func (v *validator) common(p string, o jobject, obj *Object, cls class) error {
	sv, ok := o.get("spec_version")
	if ok {
		if s, _ := sv.(string); s != "2.1" {
			return bad(join(p, "spec_version"), `must be "2.1"`)
		}
	} else if cls != classSCO {
		return bad(join(p, "spec_version"), `missing required property (must be "2.1")`)
	}
	if cls != classSCO {
		cv, ok := o.get("created")
		if !ok {
			return bad(join(p, "created"), "missing required property")
		}
		var err error
		// Marking definitions predate the millisecond rule in the schemas
		// and the TLP 1.0 ones are published without fractions.
		if obj.Created, err = timestamp(p, "created", cv, cls != classMarking); err != nil {
			return err
		}
		mv, ok := o.get("modified")
		switch {
		case ok:
			if obj.Modified, err = timestamp(p, "modified", mv, cls != classMarking); err != nil {
				return err
			}
			if obj.Modified.Before(obj.Created) {
				return bad(join(p, "modified"), "is earlier than created")
			}
		case cls != classMarking:
			// Marking definitions are immutable and have no modified.
			return bad(join(p, "modified"), "missing required property")
		}
		if cv, ok := o.get("created_by_ref"); ok {
			if _, reason := v.ref(cv, identityType, false); reason != "" {
				return bad(join(p, "created_by_ref"), "%s", reason)
			}
		} else if cls == classExtension {
			return bad(join(p, "created_by_ref"), "missing required property (an extension definition names its creator)")
		}
		if rv, ok := o.get("revoked"); ok {
			if _, ok := rv.(bool); !ok {
				return bad(join(p, "revoked"), "must be true or false")
			}
		}
		if lv, ok := o.get("labels"); ok {
			if err := stringList(join(p, "labels"), lv); err != nil {
				return err
			}
		}
		if cv, ok := o.get("confidence"); ok {
			if _, err := intIn(join(p, "confidence"), cv, 0, 100); err != nil {
				return err
			}
		}
		if lv, ok := o.get("lang"); ok {
			if s, ok := lv.(string); !ok || !validLang(s) {
				return bad(join(p, "lang"), "must be an RFC 5646 language tag")
			}
		}
		if ev, ok := o.get("external_references"); ok {
			if err := externalReferences(join(p, "external_references"), ev); err != nil {
				return err
			}
		}
	} else if dv, ok := o.get("defanged"); ok {
		if _, ok := dv.(bool); !ok {
			return bad(join(p, "defanged"), "must be true or false")
		}
	}
	if err := v.markings(p, o, obj, cls); err != nil {
		return err
	}
	return v.extensions(p, o, obj, cls)
}

// identityType is what created_by_ref may name.
var identityType = []string{"identity"}

func stringList(p string, val any) error {
	if isStringList(val) {
		return nil
	}
	a, ok := val.([]any)
	if !ok || len(a) == 0 {
		return bad(p, "must be a non-empty list of strings")
	}
	for i, x := range a {
		if _, ok := x.(string); !ok {
			return bad(index(p, i), "must be a string")
		}
	}
	return nil
}

func isStringList(val any) bool {
	a, ok := val.([]any)
	if !ok || len(a) == 0 {
		return false
	}
	for _, x := range a {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

func intIn(p string, val any, min, max int64) (int64, error) {
	n, ok := val.(json.Number)
	if !ok {
		return 0, bad(p, "must be an integer")
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, bad(p, "must be an integer, not %s", n)
	}
	if i < min || i > max {
		return 0, bad(p, "%d is out of range [%d, %d]", i, min, max)
	}
	return i, nil
}

func numberIn(p string, val any, min, max float64) error {
	n, ok := val.(json.Number)
	if !ok {
		return bad(p, "must be a number")
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return bad(p, "%s is not a representable number", n)
	}
	if f < min || f > max {
		return bad(p, "%s is out of range [%g, %g]", n, min, max)
	}
	return nil
}

// validLang checks the shape of an RFC 5646 tag: subtags of 1–8 letters or
// digits separated by hyphens, the first of letters only.
func validLang(s string) bool {
	parts := strings.Split(s, "-")
	for i, sub := range parts {
		if len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j] | 0x20
			if !(c >= 'a' && c <= 'z' || i > 0 && sub[j] >= '0' && sub[j] <= '9') {
				return false
			}
		}
	}
	return true
}

// externalReferences checks §2.5: each has a source_name and at least one of
// description, url and external_id; CVE and CAPEC ids have fixed shapes.
func externalReferences(p string, val any) error {
	a, ok := val.([]any)
	if !ok || len(a) == 0 {
		return bad(p, "must be a non-empty list of external references")
	}
	for i, x := range a {
		q := index(p, i)
		r, ok := x.(jobject)
		if !ok {
			return bad(q, "must be an object")
		}
		for _, k := range []string{"source_name", "description", "url", "external_id"} {
			if s, ok := r.get(k); ok {
				if _, ok := s.(string); !ok {
					return bad(join(q, k), "must be a string")
				}
			}
		}
		src, ok := r.get("source_name")
		if !ok {
			return bad(join(q, "source_name"), "missing required property")
		}
		_, d := r.get("description")
		_, u := r.get("url")
		eid, e := r.get("external_id")
		if !d && !u && !e {
			return bad(q, "needs at least one of description, url and external_id")
		}
		switch src {
		case "cve":
			if s, _ := eid.(string); !validCVE(s) {
				return bad(join(q, "external_id"), "a cve reference needs an id like CVE-2024-12345")
			}
		case "capec":
			if s, _ := eid.(string); len(s) < 7 || !strings.HasPrefix(s, "CAPEC-") || !digits(s[6:]) {
				return bad(join(q, "external_id"), "a capec reference needs an id like CAPEC-163")
			}
		}
		if h, ok := r.get("hashes"); ok {
			if err := hashes(join(q, "hashes"), h); err != nil {
				return err
			}
		}
	}
	return nil
}

func validCVE(s string) bool {
	if len(s) < 13 || !strings.HasPrefix(s, "CVE-") || s[8] != '-' || !digits(s[4:8]) || !digits(s[9:]) {
		return false
	}
	return len(s) == 13 || s[9] != '0'
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hashes checks a hashes dictionary: keys of 3–250 characters, string
// values, and the hex lengths of the hash algorithms STIX names.
func hashes(p string, val any) error {
	h, ok := val.(jobject)
	if !ok || len(h) == 0 {
		return bad(p, "must be a non-empty dictionary of hashes")
	}
	for _, m := range h {
		s, ok := m.val.(string)
		if !ok {
			return bad(join(p, m.key), "must be a string")
		}
		if len(m.key) < 3 || len(m.key) > 250 {
			return bad(join(p, m.key), "hash names are 3–250 characters")
		}
		want := hashLengths[m.key]
		if want > 0 && (len(s) != want || !isHex(s)) {
			return bad(join(p, m.key), "must be %d hex digits", want)
		}
	}
	return nil
}

// hashLengths are the hex lengths of the hash algorithms in STIX's
// hash-algorithm-ov.
var hashLengths = map[string]int{"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128, "SHA3-256": 64, "SHA3-512": 128}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
