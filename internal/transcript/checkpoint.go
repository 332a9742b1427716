package transcript

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// maxOriginLen bounds the origin line of a checkpoint.
const maxOriginLen = 255

// A Checkpoint commits to the tree of a log: its origin (which names the log),
// its size and its root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Body returns the C2SP tlog-checkpoint body "<origin>\n<size>\n<base64 root>\n".
// It does not check c; Sign does.
func (c Checkpoint) Body() []byte {
	b := make([]byte, 0, len(c.Origin)+1+20+1+44+1)
	b = append(b, c.Origin...)
	b = append(b, '\n')
	b = strconv.AppendInt(b, c.Size, 10)
	b = append(b, '\n')
	b = base64.StdEncoding.AppendEncode(b, c.Root[:])
	b = append(b, '\n')
	return b
}

// check reports whether c can be encoded as a body that ParseCheckpoint accepts.
func (c Checkpoint) check() error {
	if err := checkOrigin(c.Origin); err != nil {
		return err
	}
	if c.Size < 0 || c.Size >= MaxSize {
		return fmt.Errorf("checkpoint size %d out of range", c.Size)
	}
	return nil
}

func checkOrigin(origin string) error {
	if origin == "" {
		return errors.New("empty checkpoint origin")
	}
	if len(origin) > maxOriginLen {
		return fmt.Errorf("checkpoint origin longer than %d bytes", maxOriginLen)
	}
	for i := 0; i < len(origin); i++ {
		if c := origin[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("checkpoint origin has byte %#02x at %d", c, i)
		}
	}
	return nil
}

// ParseCheckpoint parses a checkpoint body strictly: exactly three lines,
// each ending in "\n"; an origin of 1 to 255 bytes in [\x21-\x7e]; a size in
// decimal without sign or leading zeros, below MaxSize; a root in canonical
// standard base64 (with padding) of 32 bytes. Extension lines are refused.
// A body ParseCheckpoint accepts is equal to the Body of its result.
func ParseCheckpoint(body []byte) (Checkpoint, error) {
	c, err := parseCheckpoint(body)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("transcript: %w", err)
	}
	return c, nil
}

func parseCheckpoint(body []byte) (Checkpoint, error) {
	const maxBody = maxOriginLen + 1 + 19 + 1 + 44 + 1
	if len(body) > maxBody {
		return Checkpoint{}, errors.New("checkpoint body too long")
	}
	origin, rest, ok1 := bytes.Cut(body, []byte("\n"))
	size, rest, ok2 := bytes.Cut(rest, []byte("\n"))
	root, rest, ok3 := bytes.Cut(rest, []byte("\n"))
	if !ok1 || !ok2 || !ok3 {
		return Checkpoint{}, errors.New("checkpoint body has fewer than three lines")
	}
	if len(rest) != 0 {
		return Checkpoint{}, errors.New("checkpoint body has more than three lines")
	}
	var c Checkpoint
	if err := checkOrigin(string(origin)); err != nil {
		return Checkpoint{}, err
	}
	c.Origin = string(origin)
	var err error
	if c.Size, err = parseSize(size); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint size: %w", err)
	}
	if len(root) != 44 {
		return Checkpoint{}, errors.New("checkpoint root is not 44 bytes of base64")
	}
	var buf [33]byte // base64.StdEncoding.DecodedLen(44)
	n, err := base64.StdEncoding.Strict().Decode(buf[:], root)
	if err != nil || n != len(c.Root) {
		return Checkpoint{}, errors.New("checkpoint root is not canonical base64 of 32 bytes")
	}
	c.Root = tlog.Hash(buf[:32])
	return c, nil
}

// parseSize parses a decimal size in [0, MaxSize) without sign or leading zeros.
func parseSize(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 19 {
		return 0, fmt.Errorf("%q is not a size", b)
	}
	if b[0] == '0' && len(b) > 1 {
		return 0, fmt.Errorf("%q has a leading zero", b)
	}
	var n uint64 // 19 decimal digits fit in a uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a decimal size", b)
		}
		n = n*10 + uint64(c-'0')
	}
	if n >= MaxSize {
		return 0, fmt.Errorf("%q is not below 2^62", b)
	}
	return int64(n), nil
}
