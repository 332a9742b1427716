package opendoorcrypto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Content is what an item carries: a text and attached files.
type Content struct {
	Text  string
	Files []File
}

// File is one attached file, as the visitor's browser named and typed it.
type File struct {
	Name string
	Type string
	Data []byte
}

// Limits of the content encoding.
const (
	MaxFiles    = 64
	maxShortLen = 1<<16 - 1
)

const contentMagic = "pdc1"

// Marshal encodes c (big-endian lengths):
//
//	"pdc1" | u32 len(text) | text | u16 nfiles |
//	nfiles × ( u16 len(name) | name | u16 len(type) | type | u32 len(data) | data )
//
// It panics if c breaks the limits ParseContent enforces; callers check
// them with Check first.
func (c *Content) Marshal() []byte {
	if err := c.Check(); err != nil {
		panic(err)
	}
	n := len(contentMagic) + 4 + len(c.Text) + 2
	for _, f := range c.Files {
		n += 2 + len(f.Name) + 2 + len(f.Type) + 4 + len(f.Data)
	}
	b := make([]byte, 0, n)
	b = append(b, contentMagic...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(c.Text)))
	b = append(b, c.Text...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(c.Files)))
	for _, f := range c.Files {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.Name)))
		b = append(b, f.Name...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.Type)))
		b = append(b, f.Type...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(f.Data)))
		b = append(b, f.Data...)
	}
	return b
}

// Check reports whether c can be encoded: valid UTF-8 text, names and
// types; at most MaxFiles files; names and types under 64 KiB; text and
// each file under 4 GiB.
func (c *Content) Check() error {
	if !utf8.ValidString(c.Text) || uint64(len(c.Text)) > 1<<32-1 {
		return errors.New("opendoorcrypto: content text is not valid UTF-8 or too long")
	}
	if len(c.Files) > MaxFiles {
		return fmt.Errorf("opendoorcrypto: content has %d files, more than %d", len(c.Files), MaxFiles)
	}
	for i, f := range c.Files {
		if !utf8.ValidString(f.Name) || !utf8.ValidString(f.Type) || len(f.Name) > maxShortLen || len(f.Type) > maxShortLen || uint64(len(f.Data)) > 1<<32-1 {
			return fmt.Errorf("opendoorcrypto: content file %d has a bad name, type or size", i)
		}
	}
	return nil
}

// ErrContent is returned by ParseContent for bytes that are not an encoded
// Content.
var ErrContent = errors.New("opendoorcrypto: malformed content")

// ParseContent decodes what Marshal encodes. It accepts exactly the
// encodings Marshal produces: Marshal(ParseContent(b)) == b.
func ParseContent(b []byte) (*Content, error) {
	if len(b) < len(contentMagic) || string(b[:len(contentMagic)]) != contentMagic {
		return nil, ErrContent
	}
	r := reader{b: b[len(contentMagic):]}
	c := &Content{Text: string(r.bytes(r.u32()))}
	n := r.u16()
	if n > MaxFiles {
		return nil, ErrContent
	}
	for range n {
		var f File
		f.Name = string(r.bytes(uint32(r.u16())))
		f.Type = string(r.bytes(uint32(r.u16())))
		f.Data = r.bytes(r.u32())
		c.Files = append(c.Files, f)
	}
	if r.bad || len(r.b) != 0 {
		return nil, ErrContent
	}
	if c.Check() != nil {
		return nil, ErrContent
	}
	return c, nil
}

// reader consumes b; any short read sets bad and yields zeros.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) take(n uint64) []byte {
	if r.bad || uint64(len(r.b)) < n {
		r.bad = true
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) bytes(n uint32) []byte {
	v := r.take(uint64(n))
	if v == nil {
		return nil
	}
	return append([]byte{}, v...)
}
