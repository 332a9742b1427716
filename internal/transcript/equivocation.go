package transcript

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// An Equivocation is a pair of signed checkpoints that, if both are validly
// signed by the same key for the same origin and size with different roots,
// proves that the signer showed two different logs.
type Equivocation struct {
	A, B []byte // the two signed notes
}

// equivocationHeader is the first line of an encoded Equivocation.
const equivocationHeader = "parley equivocation evidence v1\n"

// MaxEquivocationBytes bounds an encoded Equivocation.
const MaxEquivocationBytes = len(equivocationHeader) + 2*(len("65536\n")+MaxNoteBytes)

// CheckEquivocation returns nil if and only if e proves that signer
// equivocated: both notes carry a valid checkpoint signature by signer, for
// the same origin and size, with different roots. Otherwise the error says
// why not.
func CheckEquivocation(e Equivocation, signer *Key) error {
	a, _, err := Open(e.A, signer)
	if err != nil {
		return fmt.Errorf("transcript: no equivocation: first note: %w", err)
	}
	b, _, err := Open(e.B, signer)
	if err != nil {
		return fmt.Errorf("transcript: no equivocation: second note: %w", err)
	}
	switch {
	case a.Origin != b.Origin:
		return fmt.Errorf("transcript: no equivocation: origins %q and %q differ", a.Origin, b.Origin)
	case a.Size != b.Size:
		return fmt.Errorf("transcript: no equivocation: sizes %d and %d differ (checkpoints of different sizes conflict only if a consistency proof fails)", a.Size, b.Size)
	case a.Root == b.Root:
		return errors.New("transcript: no equivocation: the two checkpoints have the same root")
	}
	return nil
}

// EncodeEquivocation encodes e in the text format described in the package
// documentation. It does not check e.
func EncodeEquivocation(e Equivocation) []byte {
	b := make([]byte, 0, len(equivocationHeader)+len(e.A)+len(e.B)+16)
	b = append(b, equivocationHeader...)
	for _, n := range [][]byte{e.A, e.B} {
		b = strconv.AppendInt(b, int64(len(n)), 10)
		b = append(b, '\n')
		b = append(b, n...)
	}
	return b
}

// DecodeEquivocation decodes an Equivocation strictly: the header line, then
// twice a length line (decimal, no leading zeros, 1 to MaxNoteBytes) and
// that many bytes, which must end in a newline; nothing after. It does not
// verify the notes; CheckEquivocation does. A b that DecodeEquivocation
// accepts is equal to the EncodeEquivocation of its result.
func DecodeEquivocation(b []byte) (Equivocation, error) {
	if len(b) > MaxEquivocationBytes {
		return Equivocation{}, fmt.Errorf("transcript: equivocation evidence larger than %d bytes", MaxEquivocationBytes)
	}
	rest, ok := bytes.CutPrefix(b, []byte(equivocationHeader))
	if !ok {
		return Equivocation{}, errors.New("transcript: not equivocation evidence: bad header")
	}
	var notes [2][]byte
	for i := range notes {
		line, r, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return Equivocation{}, fmt.Errorf("transcript: equivocation evidence: missing length of note %d", i+1)
		}
		n, err := parseSize(line)
		if err != nil || n < 1 || n > MaxNoteBytes {
			return Equivocation{}, fmt.Errorf("transcript: equivocation evidence: bad length of note %d", i+1)
		}
		if int64(len(r)) < n {
			return Equivocation{}, fmt.Errorf("transcript: equivocation evidence: note %d truncated", i+1)
		}
		notes[i] = bytes.Clone(r[:n])
		if notes[i][n-1] != '\n' {
			return Equivocation{}, fmt.Errorf("transcript: equivocation evidence: note %d does not end in a newline", i+1)
		}
		rest = r[n:]
	}
	if len(rest) != 0 {
		return Equivocation{}, errors.New("transcript: equivocation evidence: trailing bytes")
	}
	return Equivocation{A: notes[0], B: notes[1]}, nil
}
