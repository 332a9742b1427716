package envelope

import (
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Version is the only envelope format version this package produces and accepts.
const Version = 1

// Magic opens every header.
const Magic = "PRLY"

// HeaderSize is the fixed size of a version 1 header.
const HeaderSize = 4 + 1 + 1 + 2 + 16 + 16 + 32 + 32 + 8 + 8 + 8 + 32

// SaltSize is the size of the commitment salt at the start of the plaintext.
const SaltSize = 32

// MinSize is the smallest well-formed envelope: header, signature and an
// HPKE ciphertext of an empty body (encapsulated key, salt and AEAD tag).
const MinSize = HeaderSize + SignatureSize + 1120 + SaltSize + 16

// Signature contexts, so that a signature made for one purpose never verifies
// for another.
const (
	ctxHeader  = "parley/v1/envelope-header"
	hpkeInfoV1 = "parley/v1/envelope"
)

// Kind is the kind of message an envelope carries.
type Kind uint8

// Kinds of message (SPEC §2).
const (
	KindLetter      Kind = 1
	KindWarning     Kind = 2
	KindRequest     Kind = 3
	KindResponse    Kind = 4
	KindReceipt     Kind = 5
	KindHeartbeat   Kind = 6
	KindCheckpoint  Kind = 7
	KindCosignature Kind = 8
)

var kindNames = map[Kind]string{
	KindLetter: "letter", KindWarning: "warning", KindRequest: "request", KindResponse: "response",
	KindReceipt: "receipt", KindHeartbeat: "heartbeat", KindCheckpoint: "checkpoint", KindCosignature: "cosignature",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is a kind defined by version 1.
func (k Kind) Valid() bool { _, ok := kindNames[k]; return ok }

// ID is a 128-bit random identifier (envelope id, channel id).
type ID [16]byte

// NewID returns a random ID.
func NewID() ID {
	var id ID
	rand.Read(id[:])
	return id
}

func (id ID) String() string { return hex.EncodeToString(id[:]) }

// ParseID decodes a 32-digit hex ID.
func ParseID(s string) (ID, error) {
	var id ID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("envelope: id must be 32 hex digits")
	}
	copy(id[:], b)
	return id, nil
}

// Header is the signed, cleartext part of an envelope.
type Header struct {
	Version    uint8
	Kind       Kind
	ID         ID
	Channel    ID
	Sender     Fingerprint
	Recipient  Fingerprint
	KeyID      KeyID // recipient's HPKE key the ciphertext is sealed to
	Seq        uint64
	Time       time.Time // sender's clock, millisecond precision
	Commitment [32]byte
	// Flash puts the envelope on the channel's flash lane: a second
	// sequence space per direction, delivered and applied independently of
	// the normal lane so that urgent messages never wait behind bulk.
	Flash bool
}

// FlagFlash is the header flag bit of the flash lane.
const FlagFlash = 0x0001

// Errors returned by Parse and Open. Callers branch on them with errors.Is.
var (
	ErrMalformed          = errors.New("envelope: malformed")
	ErrUnknownVersion     = errors.New("envelope: unknown version")
	ErrWrongRecipient     = errors.New("envelope: not addressed to this identity")
	ErrUnknownKey         = errors.New("envelope: sealed to an unknown encryption key")
	ErrDecrypt            = errors.New("envelope: decryption failed")
	ErrCommitmentMismatch = errors.New("envelope: content does not match its commitment")
)

// Marshal encodes the header in its single canonical form.
func (h *Header) Marshal() []byte {
	b := make([]byte, 0, HeaderSize)
	b = append(b, Magic...)
	var flags uint16
	if h.Flash {
		flags |= FlagFlash
	}
	b = append(b, h.Version, byte(h.Kind))
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, h.ID[:]...)
	b = append(b, h.Channel[:]...)
	b = append(b, h.Sender[:]...)
	b = append(b, h.Recipient[:]...)
	b = append(b, h.KeyID[:]...)
	b = binary.BigEndian.AppendUint64(b, h.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(h.Time.UnixMilli()))
	b = append(b, h.Commitment[:]...)
	return b
}

// ParseHeader decodes exactly HeaderSize bytes. It rejects unknown versions,
// unknown kinds, flag bits other than FlagFlash and a zero sequence number.
func ParseHeader(b []byte) (*Header, error) {
	if len(b) < 5 || string(b[:4]) != Magic {
		return nil, fmt.Errorf("%w: bad magic", ErrMalformed)
	}
	if b[4] != Version {
		return nil, fmt.Errorf("%w %d", ErrUnknownVersion, b[4])
	}
	if len(b) != HeaderSize {
		return nil, fmt.Errorf("%w: header is %d bytes, want %d", ErrMalformed, len(b), HeaderSize)
	}
	h := &Header{Version: b[4], Kind: Kind(b[5])}
	if !h.Kind.Valid() {
		return nil, fmt.Errorf("%w: unknown kind %d", ErrMalformed, b[5])
	}
	flags := binary.BigEndian.Uint16(b[6:8])
	if flags&^FlagFlash != 0 {
		return nil, fmt.Errorf("%w: reserved flags set", ErrMalformed)
	}
	h.Flash = flags&FlagFlash != 0
	p := b[8:]
	p = p[copy(h.ID[:], p):]
	p = p[copy(h.Channel[:], p):]
	p = p[copy(h.Sender[:], p):]
	p = p[copy(h.Recipient[:], p):]
	p = p[copy(h.KeyID[:], p):]
	h.Seq = binary.BigEndian.Uint64(p)
	ms := binary.BigEndian.Uint64(p[8:])
	if ms > 1<<62 {
		return nil, fmt.Errorf("%w: time out of range", ErrMalformed)
	}
	h.Time = time.UnixMilli(int64(ms)).UTC()
	copy(h.Commitment[:], p[16:])
	if h.Seq == 0 {
		return nil, fmt.Errorf("%w: sequence number 0", ErrMalformed)
	}
	return h, nil
}

// Envelope is a parsed envelope: the exact header bytes, the signature and
// the HPKE ciphertext (encapsulated key followed by the AEAD ciphertext).
type Envelope struct {
	Header     *Header
	HeaderRaw  []byte
	Signature  []byte
	Ciphertext []byte
}

// Bytes returns the wire encoding: header || signature || ciphertext.
func (e *Envelope) Bytes() []byte {
	b := make([]byte, 0, len(e.HeaderRaw)+len(e.Signature)+len(e.Ciphertext))
	b = append(b, e.HeaderRaw...)
	b = append(b, e.Signature...)
	return append(b, e.Ciphertext...)
}

// Hash returns SHA-256 of the wire encoding, the envelope's transcript entry.
func Hash(wire []byte) [32]byte { return sha256.Sum256(wire) }

// Parse splits wire bytes into an envelope and decodes the header. It does
// not verify the signature; see Verify and Open.
func Parse(wire []byte) (*Envelope, error) {
	if len(wire) >= 5 && string(wire[:4]) == Magic && wire[4] != Version {
		return nil, fmt.Errorf("%w %d", ErrUnknownVersion, wire[4])
	}
	if len(wire) < MinSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the smallest envelope", ErrMalformed, len(wire))
	}
	h, err := ParseHeader(wire[:HeaderSize])
	if err != nil {
		return nil, err
	}
	return &Envelope{
		Header:     h,
		HeaderRaw:  wire[:HeaderSize:HeaderSize],
		Signature:  wire[HeaderSize : HeaderSize+SignatureSize : HeaderSize+SignatureSize],
		Ciphertext: wire[HeaderSize+SignatureSize:],
	}, nil
}

// Verify checks the sender's hybrid signature over the exact header bytes.
func (e *Envelope) Verify(sender *PublicIdentity) error {
	if e.Header.Sender != sender.Fingerprint() {
		return fmt.Errorf("%w: header names another sender", ErrBadSignature)
	}
	return sender.Verify(ctxHeader, e.HeaderRaw, e.Signature)
}

// Commit computes the salted content commitment:
// SHA-256("parley/v1/commitment" || 0x00 || salt || body).
func Commit(salt, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("parley/v1/commitment\x00"))
	h.Write(salt)
	h.Write(body)
	var c [32]byte
	h.Sum(c[:0])
	return c
}

// CheckCommitment reports whether salt and body open the header's commitment,
// in constant time. This is what a third party checks on disclosure.
func (h *Header) CheckCommitment(salt, body []byte) bool {
	c := Commit(salt, body)
	return subtle.ConstantTimeCompare(c[:], h.Commitment[:]) == 1
}

func hpkeInfo(sender, recipient Fingerprint) []byte {
	info := make([]byte, 0, len(hpkeInfoV1)+1+2*FingerprintSize)
	info = append(info, hpkeInfoV1...)
	info = append(info, 0)
	info = append(info, sender[:]...)
	return append(info, recipient[:]...)
}

func aad(headerRaw, sig []byte) []byte {
	a := make([]byte, 0, len(headerRaw)+len(sig))
	a = append(a, headerRaw...)
	return append(a, sig...)
}

// validTime reports whether t encodes as an unsigned millisecond count that
// ParseHeader and ParseReceipt accept.
func validTime(t time.Time) bool {
	ms := t.UnixMilli()
	return ms >= 0 && ms <= 1<<62
}

// SealParams is what the sender chooses for one envelope.
type SealParams struct {
	Kind    Kind
	ID      ID // zero: a random one is chosen
	Channel ID
	Seq     uint64
	Time    time.Time
	Flash   bool // the flash lane
}

// Seal builds a signed, encrypted envelope of body from sender to recipient:
// it draws a salt, commits to the body, signs the header, then seals
// salt || body with HPKE (info binds both fingerprints; the associated data
// is the header and signature). It returns the wire bytes, the parsed
// envelope and the salt (kept by the sender for later disclosure).
func Seal(sender *Identity, recipient *PublicIdentity, p SealParams, body []byte) (wire []byte, env *Envelope, salt []byte, err error) {
	if !p.Kind.Valid() || p.Seq == 0 {
		return nil, nil, nil, fmt.Errorf("envelope: invalid kind or sequence number")
	}
	if !validTime(p.Time) {
		return nil, nil, nil, fmt.Errorf("envelope: time %v is out of range", p.Time)
	}
	salt = make([]byte, SaltSize)
	rand.Read(salt)
	id := p.ID
	if id == (ID{}) {
		id = NewID()
	}
	h := &Header{
		Version: Version, Kind: p.Kind, ID: id, Channel: p.Channel,
		Sender: sender.Fingerprint(), Recipient: recipient.Fingerprint(), KeyID: recipient.KeyID(),
		Seq: p.Seq, Time: p.Time.Truncate(time.Millisecond).UTC(), Commitment: Commit(salt, body), Flash: p.Flash,
	}
	raw := h.Marshal()
	sig := sender.Sign(ctxHeader, raw)
	pt := make([]byte, 0, SaltSize+len(body))
	pt = append(append(pt, salt...), body...)
	ct, err := sealAAD(recipient.hpkeKey, hpkeInfo(h.Sender, h.Recipient), aad(raw, sig), pt)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("envelope: seal: %w", err)
	}
	env = &Envelope{Header: h, HeaderRaw: raw, Signature: sig, Ciphertext: ct}
	return env.Bytes(), env, salt, nil
}

func sealAAD(pk hpke.PublicKey, info, aad, pt []byte) ([]byte, error) {
	enc, s, err := hpke.NewSender(pk, suiteKDF, suiteAEAD, info)
	if err != nil {
		return nil, err
	}
	ct, err := s.Seal(aad, pt)
	if err != nil {
		return nil, err
	}
	return append(enc, ct...), nil
}

// encSize is the size of an MLKEM768-X25519 encapsulated key.
const encSize = 1120

// Open verifies and decrypts an envelope addressed to recipient from sender.
// It checks, in order: the addressing (ErrWrongRecipient, ErrUnknownKey), the
// hybrid signature (ErrBadSignature), the decryption (ErrDecrypt) and the
// commitment (ErrCommitmentMismatch). It returns the salt and the body.
func (e *Envelope) Open(recipient *Identity, sender *PublicIdentity) (salt, body []byte, err error) {
	if e.Header.Recipient != recipient.Fingerprint() {
		return nil, nil, ErrWrongRecipient
	}
	if e.Header.KeyID != recipient.KeyID() {
		return nil, nil, ErrUnknownKey
	}
	if err := e.Verify(sender); err != nil {
		return nil, nil, err
	}
	if len(e.Ciphertext) < encSize {
		return nil, nil, ErrDecrypt
	}
	r, err := hpke.NewRecipient(e.Ciphertext[:encSize], recipient.hpkePriv, suiteKDF, suiteAEAD, hpkeInfo(e.Header.Sender, e.Header.Recipient))
	if err != nil {
		return nil, nil, ErrDecrypt
	}
	pt, err := r.Open(aad(e.HeaderRaw, e.Signature), e.Ciphertext[encSize:])
	if err != nil || len(pt) < SaltSize {
		return nil, nil, ErrDecrypt
	}
	salt, body = pt[:SaltSize], pt[SaltSize:]
	if !e.Header.CheckCommitment(salt, body) {
		return nil, nil, ErrCommitmentMismatch
	}
	return salt, body, nil
}
