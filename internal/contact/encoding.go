package contact

import "errors"

// This file holds the length-value encoding of the CPace draft (Section 6.3
// and Appendix A.1): prepend_len uses LEB128 (7 bits per byte, least
// significant group first, bit 7 set while more bytes follow), and lv_cat
// concatenates prepend_len of each argument. The session layer reuses it to
// hash its own transcripts.

var errLV = errors.New("contact: malformed length-value field")

// prependLenSize returns the number of bytes of the LEB128 encoding of n.
func prependLenSize(n int) int {
	size := 1
	for n >= 0x80 {
		n >>= 7
		size++
	}
	return size
}

// appendLEB128 appends the LEB128 encoding of n to b.
func appendLEB128(b []byte, n int) []byte {
	if n < 0 {
		panic("contact: negative length") // broken invariant
	}
	for n >= 0x80 {
		b = append(b, byte(n&0x7f)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// prependLen is prepend_len(data): LEB128(len(data)) || data.
func prependLen(data []byte) []byte {
	return append(appendLEB128(make([]byte, 0, prependLenSize(len(data))+len(data)), len(data)), data...)
}

// lvCat is lv_cat(args...): prepend_len(a0) || prepend_len(a1) || ...
func lvCat(args ...[]byte) []byte {
	n := 0
	for _, a := range args {
		n += prependLenSize(len(a)) + len(a)
	}
	out := make([]byte, 0, n)
	for _, a := range args {
		out = appendLEB128(out, len(a))
		out = append(out, a...)
	}
	return out
}

// readLV reads one prepend_len field from b and returns the value and the
// remaining bytes. It rejects truncated input, lengths above maxLen and
// non-minimal LEB128 encodings (a trailing zero group such as 0x80 0x00),
// so that every accepted field has exactly one encoding.
func readLV(b []byte, maxLen int) (value, rest []byte, err error) {
	n, shift, i := 0, 0, 0
	for {
		if i >= len(b) || shift > 28 {
			return nil, nil, errLV
		}
		c := b[i]
		i++
		n |= int(c&0x7f) << shift
		if c&0x80 == 0 {
			if c == 0 && i > 1 {
				return nil, nil, errLV // non-minimal: redundant zero group
			}
			break
		}
		shift += 7
	}
	if n > maxLen || n > len(b)-i {
		return nil, nil, errLV
	}
	return b[i : i+n], b[i+n:], nil
}
