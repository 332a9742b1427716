package transcript

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// MaxNoteBytes bounds a signed note; larger notes are refused before parsing.
const MaxNoteBytes = 64 << 10

// Sign returns the signed note of c with one checkpoint signature by signer.
func Sign(c Checkpoint, signer *Key) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("transcript: sign: nil key")
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("transcript: sign: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Body())}, signer.Signer())
	if err != nil {
		return nil, fmt.Errorf("transcript: sign: %w", err)
	}
	if len(msg) > MaxNoteBytes {
		return nil, fmt.Errorf("transcript: sign: note of %d bytes is larger than %d", len(msg), MaxNoteBytes)
	}
	return msg, nil
}

// Cosign verifies the signer's checkpoint signature on signedNote, then
// returns the note with witness's cosignature at time now appended. A
// previous cosignature by the same witness key is replaced; other signature
// lines are kept, the signer's first.
func Cosign(signedNote []byte, signer, witness *Key, now time.Time) ([]byte, error) {
	if witness == nil {
		return nil, errors.New("transcript: cosign: nil witness key")
	}
	n, _, _, err := open(signedNote, signer, nil)
	if err != nil {
		return nil, fmt.Errorf("transcript: cosign: %w", err)
	}
	msg, err := note.Sign(n, witness.Cosigner(func() time.Time { return now }))
	if err != nil {
		return nil, fmt.Errorf("transcript: cosign: %w", err)
	}
	if len(msg) > MaxNoteBytes {
		return nil, fmt.Errorf("transcript: cosign: note of %d bytes is larger than %d", len(msg), MaxNoteBytes)
	}
	return msg, nil
}

// Open verifies a signed checkpoint. The signer's checkpoint signature is
// required; each witness's cosignature is optional. It returns the
// checkpoint and, by witness name, the times of the valid cosignatures.
//
// Signature lines by keys other than these are ignored, as note.Open does;
// but a line with the name and key hash of the signer or a witness must
// verify, and must not be repeated. Witness names must be distinct.
func Open(signedNote []byte, signer *Key, witnesses ...*Key) (Checkpoint, map[string]time.Time, error) {
	_, c, times, err := open(signedNote, signer, witnesses)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("transcript: open: %w", err)
	}
	return c, times, nil
}

type nameHash struct {
	name string
	hash uint32
}

var (
	sigSplit  = []byte("\n\n")
	sigPrefix = []byte("— ")
)

func open(msg []byte, signer *Key, witnesses []*Key) (*note.Note, Checkpoint, map[string]time.Time, error) {
	if signer == nil {
		return nil, Checkpoint{}, nil, errors.New("nil signer key")
	}
	if len(msg) > MaxNoteBytes {
		return nil, Checkpoint{}, nil, fmt.Errorf("note of %d bytes is larger than %d", len(msg), MaxNoteBytes)
	}

	signerID := nameHash{signer.name, signer.hashCheck}
	known := map[nameHash]bool{signerID: true}
	verifiers := []note.Verifier{signer.Verifier()}
	cosigners := make(map[nameHash]string, len(witnesses))
	names := make(map[string]bool, len(witnesses))
	for _, w := range witnesses {
		if w == nil {
			return nil, Checkpoint{}, nil, errors.New("nil witness key")
		}
		id := nameHash{w.name, w.hashCosign}
		if names[w.name] || known[id] {
			return nil, Checkpoint{}, nil, fmt.Errorf("witness %s given twice", w.name)
		}
		names[w.name] = true
		known[id] = true
		cosigners[id] = w.name
		verifiers = append(verifiers, w.CosignatureVerifier())
	}

	// Split the note as note.Open does, to parse the checkpoint before
	// spending time on signatures, and to refuse repeated lines of known
	// keys, which note.Open would skip without verifying.
	split := bytes.LastIndex(msg, sigSplit)
	if split < 0 {
		return nil, Checkpoint{}, nil, errors.New("malformed note: no blank line before the signatures")
	}
	c, err := parseCheckpoint(msg[:split+1])
	if err != nil {
		return nil, Checkpoint{}, nil, err
	}
	seen := make(map[nameHash]bool)
	for sigs := msg[split+2:]; len(sigs) > 0; {
		line, rest, ok := bytes.Cut(sigs, []byte("\n"))
		if !ok {
			return nil, Checkpoint{}, nil, errors.New("malformed note: signature block does not end in a newline")
		}
		sigs = rest
		id, err := parseSigLine(line)
		if err != nil {
			return nil, Checkpoint{}, nil, err
		}
		if known[id] {
			if seen[id] {
				return nil, Checkpoint{}, nil, fmt.Errorf("malformed note: repeated signature by %s", id.name)
			}
			seen[id] = true
		}
	}

	n, err := note.Open(msg, note.VerifierList(verifiers...))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		return nil, Checkpoint{}, nil, fmt.Errorf("no checkpoint signature by %s", signer.name)
	case errors.As(err, &invalid):
		return nil, Checkpoint{}, nil, fmt.Errorf("invalid signature by %s (key hash %08x)", invalid.Name, invalid.Hash)
	case err != nil:
		return nil, Checkpoint{}, nil, err
	}

	signed := false
	times := make(map[string]time.Time)
	for _, s := range n.Sigs {
		id := nameHash{s.Name, s.Hash}
		if id == signerID {
			signed = true
			continue
		}
		w, ok := cosigners[id]
		if !ok {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(s.Base64)
		if err != nil || len(raw) < 4+8 {
			// Verify accepted it, so this cannot happen.
			panic("transcript: verified cosignature too short")
		}
		times[w] = time.Unix(int64(binary.BigEndian.Uint64(raw[4:])), 0).UTC()
	}
	if !signed {
		return nil, Checkpoint{}, nil, fmt.Errorf("no checkpoint signature by %s", signer.name)
	}
	return n, c, times, nil
}

// parseSigLine parses a signature line "— <name> <base64>" (without its
// newline), more strictly than note.Open: the base64 must be canonical.
func parseSigLine(line []byte) (nameHash, error) {
	rest, ok := bytes.CutPrefix(line, sigPrefix)
	if !ok {
		return nameHash{}, errors.New("malformed note: signature line without the em dash prefix")
	}
	name, b64, ok := bytes.Cut(rest, []byte(" "))
	if !ok || len(name) == 0 {
		return nameHash{}, errors.New("malformed note: signature line without a name")
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(string(b64))
	if err != nil || len(raw) < 5 || base64.StdEncoding.EncodeToString(raw) != string(b64) {
		return nameHash{}, fmt.Errorf("malformed note: signature by %.64q is not canonical base64", name)
	}
	return nameHash{string(name), binary.BigEndian.Uint32(raw)}, nil
}
