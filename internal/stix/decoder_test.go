package stix

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// refDecode is a reference for decodeTree, written as a json.Decoder token
// walk. It is slower (a third of Parse's speed) and so is not used by Parse,
// but FuzzParse checks that the two agree on every input: same acceptance,
// same tree, same spans.
func refDecode(src []byte, maxObjects int) (jobject, []span, bool) {
	if !utf8.Valid(src) {
		return nil, nil, false
	}
	r := &refWalker{src: src, maxObjects: maxObjects, dec: json.NewDecoder(bytes.NewReader(src))}
	r.dec.UseNumber()
	tok, ok := r.token()
	if d, isDelim := tok.(json.Delim); !ok || !isDelim || d != '{' {
		return nil, nil, false
	}
	root, ok := r.object(1, true)
	if !ok {
		return nil, nil, false
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, nil, false
	}
	return root, r.spans, true
}

type refWalker struct {
	src        []byte
	dec        *json.Decoder
	spans      []span
	maxObjects int
}

func (r *refWalker) token() (json.Token, bool) {
	before := r.dec.InputOffset()
	tok, err := r.dec.Token()
	if err != nil {
		return nil, false
	}
	if s, ok := tok.(string); ok && strings.ContainsRune(s, utf8.RuneError) {
		// The decoder replaces bad surrogate escapes with U+FFFD.
		if refBadSurrogate(r.src[before:r.dec.InputOffset()]) {
			return nil, false
		}
	}
	return tok, true
}

func refBadSurrogate(raw []byte) bool {
	for i := 0; i+5 < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if raw[i+1] != 'u' {
			i++
			continue
		}
		v, _ := strconv.ParseUint(string(raw[i+2:i+6]), 16, 32)
		switch {
		case v >= 0xd800 && v < 0xdc00:
			if i+11 >= len(raw) || raw[i+6] != '\\' || raw[i+7] != 'u' {
				return true
			}
			lo, _ := strconv.ParseUint(string(raw[i+8:i+12]), 16, 32)
			if lo < 0xdc00 || lo >= 0xe000 {
				return true
			}
			i += 11
		case v >= 0xdc00 && v < 0xe000:
			return true
		default:
			i += 5
		}
	}
	return false
}

func (r *refWalker) value(tok json.Token, depth int) (any, bool) {
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, true
	}
	if depth >= maxDepth {
		return nil, false
	}
	if d == '{' {
		return r.object(depth+1, false)
	}
	return r.array(depth+1, false)
}

func (r *refWalker) object(depth int, root bool) (jobject, bool) {
	obj := jobject{}
	for {
		tok, ok := r.token()
		if !ok {
			return nil, false
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return obj, true
		}
		key := tok.(string)
		if _, dup := obj.get(key); dup {
			return nil, false
		}
		if tok, ok = r.token(); !ok {
			return nil, false
		}
		var val any
		if d, isDelim := tok.(json.Delim); isDelim && d == '[' && root && key == "objects" {
			val, ok = r.array(depth+1, true)
		} else {
			val, ok = r.value(tok, depth)
		}
		if !ok {
			return nil, false
		}
		obj = append(obj, member{key, val})
	}
}

func (r *refWalker) array(depth int, objects bool) ([]any, bool) {
	arr := []any{}
	for i := 0; ; i++ {
		tok, ok := r.token()
		if !ok {
			return nil, false
		}
		if d, ok := tok.(json.Delim); ok && d == ']' {
			return arr, true
		}
		if objects && i >= r.maxObjects {
			return nil, false
		}
		start := int(r.dec.InputOffset())
		if _, isDelim := tok.(json.Delim); isDelim {
			start-- // the opening '{' or '[' is one byte
		} else {
			start = -1 // a scalar: its start is not tracked
		}
		v, ok := r.value(tok, depth)
		if !ok {
			return nil, false
		}
		if objects {
			r.spans = append(r.spans, span{start, int(r.dec.InputOffset())})
		}
		arr = append(arr, v)
	}
}
