package stix

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects in a bundle, the bundle
// itself included. STIX needs about seven levels (bundle, objects, object,
// extensions, extension, documents, document); 64 leaves room for custom
// content without letting a peer exhaust the stack.
const maxDepth = 64

// The decoded form of a bundle is a small tree: jobject (members in input
// order), []any, string, json.Number, bool and nil. Keeping member order
// makes the first reported error deterministic.
type member struct {
	key string
	val any
}

type jobject []member

func (o jobject) get(key string) (any, bool) {
	for i := range o {
		if o[i].key == key {
			return o[i].val, true
		}
	}
	return nil, false
}

func (o jobject) str(key string) string {
	v, _ := o.get(key)
	s, _ := v.(string)
	return s
}

// object returns the member key if it is an object.
func (o jobject) object(key string) (jobject, bool) {
	v, ok := o.get(key)
	if !ok {
		return nil, false
	}
	m, ok := v.(jobject)
	return m, ok
}

// span is where one element of the bundle's objects array lies in the input.
type span struct{ start, end int }

// scanner decodes a bundle in one pass. It accepts exactly RFC 8259 JSON
// (the fuzz target checks it against encoding/json) and rejects what
// encoding/json would silently accept or repair: invalid UTF-8, unpaired
// UTF-16 surrogate escapes, duplicate member names (compared after
// unescaping), nesting deeper than maxDepth, and data after the top-level
// value. For the elements of the top-level "objects" array it records the
// byte spans, so that Object.Raw is the exact input.
type scanner struct {
	src        []byte
	pos        int
	spans      []span
	maxObjects int
	path       []pathSeg
}

type pathSeg struct {
	key   string
	index int
	isIdx bool
}

func pathString(segs []pathSeg) string {
	var b strings.Builder
	for _, s := range segs {
		if s.isIdx {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

func (s *scanner) fail(reason string) error {
	return &ValidationError{Path: pathString(s.path), Reason: reason}
}

func (s *scanner) syntax(what string) error {
	if s.pos >= len(s.src) {
		return s.fail("unexpected end of input")
	}
	return s.fail("malformed JSON at byte " + strconv.Itoa(s.pos) + ": " + what)
}

func decodeTree(src []byte, maxObjects int) (jobject, []span, error) {
	if !utf8.Valid(src) {
		return nil, nil, &ValidationError{Reason: "input is not valid UTF-8"}
	}
	s := &scanner{src: src, maxObjects: maxObjects}
	s.ws()
	if s.pos >= len(src) || src[s.pos] != '{' {
		if s.pos < len(src) && src[s.pos] == '[' {
			return nil, nil, &ValidationError{Reason: "a bundle must be a JSON object, not an array"}
		}
		return nil, nil, &ValidationError{Reason: "a bundle must be a JSON object"}
	}
	s.pos++
	root, err := s.object(1, true)
	if err != nil {
		return nil, nil, err
	}
	s.ws()
	if s.pos != len(src) {
		return nil, nil, &ValidationError{Reason: "data after the bundle"}
	}
	return root, s.spans, nil
}

func (s *scanner) ws() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value decodes the value at s.pos (after whitespace); depth is the
// nesting of the enclosing container.
func (s *scanner) value(depth int) (any, error) {
	s.ws()
	if s.pos >= len(s.src) {
		return nil, s.syntax("")
	}
	switch c := s.src[s.pos]; {
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return nil, s.fail("nesting deeper than " + strconv.Itoa(maxDepth) + " levels")
		}
		s.pos++
		if c == '{' {
			return s.object(depth+1, false)
		}
		return s.array(depth + 1)
	case c == '"':
		return s.string(false)
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return true, s.literal("true")
	case c == 'f':
		return false, s.literal("false")
	case c == 'n':
		return nil, s.literal("null")
	}
	return nil, s.syntax("want a value")
}

func (s *scanner) literal(lit string) error {
	if len(s.src)-s.pos < len(lit) || string(s.src[s.pos:s.pos+len(lit)]) != lit {
		return s.syntax("want a value")
	}
	s.pos += len(lit)
	return nil
}

// object decodes members up to the closing brace; s.pos is after '{'.
func (s *scanner) object(depth int, root bool) (jobject, error) {
	obj := make(jobject, 0, 8)
	var seen map[string]struct{}
	s.ws()
	if s.pos < len(s.src) && s.src[s.pos] == '}' {
		s.pos++
		return obj, nil
	}
	for {
		s.ws()
		if s.pos >= len(s.src) || s.src[s.pos] != '"' {
			return nil, s.syntax("want a member name")
		}
		key, err := s.string(true)
		if err != nil {
			return nil, err
		}
		if seen == nil && len(obj) >= 16 {
			seen = make(map[string]struct{}, 2*len(obj))
			for _, m := range obj {
				seen[m.key] = struct{}{}
			}
		}
		var dup bool
		if seen != nil {
			_, dup = seen[key]
			seen[key] = struct{}{}
		} else {
			_, dup = obj.get(key)
		}
		s.path = append(s.path, pathSeg{key: key})
		if dup {
			return nil, s.fail("duplicate member name " + strconv.Quote(key))
		}
		s.ws()
		if s.pos >= len(s.src) || s.src[s.pos] != ':' {
			return nil, s.syntax("want ':'")
		}
		s.pos++
		var val any
		if s.ws(); root && key == "objects" && s.pos < len(s.src) && s.src[s.pos] == '[' {
			s.pos++
			val, err = s.objects(depth + 1)
		} else {
			val, err = s.value(depth)
		}
		if err != nil {
			return nil, err
		}
		s.path = s.path[:len(s.path)-1]
		obj = append(obj, member{key, val})
		s.ws()
		if s.pos < len(s.src) {
			switch s.src[s.pos] {
			case ',':
				s.pos++
				continue
			case '}':
				s.pos++
				return obj, nil
			}
		}
		return nil, s.syntax("want ',' or '}'")
	}
}

// array decodes elements up to the closing bracket; s.pos is after '['.
func (s *scanner) array(depth int) ([]any, error) {
	arr := []any{}
	s.ws()
	if s.pos < len(s.src) && s.src[s.pos] == ']' {
		s.pos++
		return arr, nil
	}
	for i := 0; ; i++ {
		s.path = append(s.path, pathSeg{index: i, isIdx: true})
		v, err := s.value(depth)
		if err != nil {
			return nil, err
		}
		s.path = s.path[:len(s.path)-1]
		arr = append(arr, v)
		s.ws()
		if s.pos < len(s.src) {
			switch s.src[s.pos] {
			case ',':
				s.pos++
				continue
			case ']':
				s.pos++
				return arr, nil
			}
		}
		return nil, s.syntax("want ',' or ']'")
	}
}

// objects decodes the bundle's objects array, recording each element's span.
func (s *scanner) objects(depth int) ([]any, error) {
	arr := []any{}
	s.ws()
	if s.pos < len(s.src) && s.src[s.pos] == ']' {
		s.pos++
		return arr, nil
	}
	for i := 0; ; i++ {
		s.path = append(s.path, pathSeg{index: i, isIdx: true})
		if i >= s.maxObjects {
			return nil, s.fail("more than " + strconv.Itoa(s.maxObjects) + " objects")
		}
		s.ws()
		start := s.pos
		v, err := s.value(depth)
		if err != nil {
			return nil, err
		}
		s.path = s.path[:len(s.path)-1]
		s.spans = append(s.spans, span{start, s.pos})
		arr = append(arr, v)
		s.ws()
		if s.pos < len(s.src) {
			switch s.src[s.pos] {
			case ',':
				s.pos++
				continue
			case ']':
				s.pos++
				return arr, nil
			}
		}
		return nil, s.syntax("want ',' or ']'")
	}
}

// number decodes a JSON number, keeping its text.
func (s *scanner) number() (json.Number, error) {
	start := s.pos
	src := s.src
	if src[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(src) && src[s.pos] == '0':
		s.pos++
	case s.pos < len(src) && src[s.pos] >= '1' && src[s.pos] <= '9':
		for s.pos < len(src) && src[s.pos] >= '0' && src[s.pos] <= '9' {
			s.pos++
		}
	default:
		return "", s.syntax("malformed number")
	}
	if s.pos < len(src) && src[s.pos] == '.' {
		s.pos++
		if s.pos >= len(src) || src[s.pos] < '0' || src[s.pos] > '9' {
			return "", s.syntax("malformed number")
		}
		for s.pos < len(src) && src[s.pos] >= '0' && src[s.pos] <= '9' {
			s.pos++
		}
	}
	if s.pos < len(src) && (src[s.pos] == 'e' || src[s.pos] == 'E') {
		s.pos++
		if s.pos < len(src) && (src[s.pos] == '+' || src[s.pos] == '-') {
			s.pos++
		}
		if s.pos >= len(src) || src[s.pos] < '0' || src[s.pos] > '9' {
			return "", s.syntax("malformed number")
		}
		for s.pos < len(src) && src[s.pos] >= '0' && src[s.pos] <= '9' {
			s.pos++
		}
	}
	return json.Number(src[start:s.pos]), nil
}

// string decodes a JSON string at s.pos (on the opening quote). Member
// names that are common STIX property names are interned.
func (s *scanner) string(key bool) (string, error) {
	s.pos++
	start := s.pos
	src := s.src
	for i := start; i < len(src); i++ {
		switch c := src[i]; {
		case c == '"':
			s.pos = i + 1
			if key {
				if k, ok := internedKeys[string(src[start:i])]; ok {
					return k, nil
				}
			}
			return string(src[start:i]), nil
		case c == '\\':
			return s.escaped(start)
		case c < 0x20:
			s.pos = i
			return "", s.syntax("control character in string")
		}
	}
	s.pos = len(src)
	return "", s.syntax("")
}

// escaped decodes a string with escapes, from its first byte at start.
func (s *scanner) escaped(start int) (string, error) {
	src := s.src
	b := make([]byte, 0, 32)
	for i := start; i < len(src); {
		c := src[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return string(b), nil
		case c < 0x20:
			s.pos = i
			return "", s.syntax("control character in string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(src) {
			break
		}
		switch src[i+1] {
		case '"', '\\', '/':
			b = append(b, src[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(src, i+2)
			if !ok {
				s.pos = i
				return "", s.syntax("malformed \\u escape")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+1 < len(src) && src[i] == '\\' && src[i+1] == 'u' {
					r2, ok = hex4(src, i+2)
				}
				dec := utf16.DecodeRune(r, r2)
				if !ok || dec == utf8.RuneError {
					s.pos = i
					return "", s.fail("string contains an unpaired UTF-16 surrogate escape")
				}
				r = dec
				i += 6
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			s.pos = i
			return "", s.syntax("malformed escape")
		}
		i += 2
	}
	s.pos = len(src)
	return "", s.syntax("")
}

func hex4(src []byte, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range src[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// internedKeys saves an allocation per member name for the names STIX and
// Parley use.
var internedKeys = func() map[string]string {
	m := map[string]string{}
	add := func(k string) { m[k] = k }
	for _, k := range []string{"type", "spec_version", "id", "created", "modified", "created_by_ref", "revoked",
		"labels", "confidence", "lang", "external_references", "object_marking_refs", "granular_markings",
		"extensions", "extension_type", "defanged", "source_name", "description", "url", "external_id",
		"selectors", "marking_ref", "objects", "kill_chain_name", "phase_name", "tlp_2_0", "definition",
		"definition_type", "statement", "tlp", "aliases", "date_of_birth", "nationalities", "documents",
		"number", "country", "kind", "iban", "bic", "bank", "wallet", "currency", "reliability", "credibility",
		PersonExtension, FinancingExtension, SourceExtension, TLP2Extension} {
		add(k)
	}
	for _, r := range rules {
		for _, p := range r.props {
			add(p.name)
		}
	}
	return m
}()
