package parley

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/envelope"
)

// Direction of a message relative to this node.
type Direction string

// Directions.
const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Message states.
const (
	StateQueued    = "queued"    // outbound, in the outbox
	StateDelivered = "delivered" // outbound, a signed delivered receipt is stored
	StateHeld      = "held"      // inbound, stored but waiting for an earlier sequence number
	StateApplied   = "applied"   // inbound, in order, visible in the inbox
)

// Message is one envelope sent or received, with its opened content.
type Message struct {
	ID          envelope.ID
	Direction   Direction
	Peer        envelope.Fingerprint
	PeerName    string
	Channel     envelope.ID
	Seq         uint64
	Flash       bool // on the flash lane
	Kind        envelope.Kind
	SentAt      time.Time // the sender's clock, from the signed header
	StoredAt    time.Time // this node's clock, when committed
	State       string
	Envelope    []byte // exact wire bytes
	Hash        [32]byte
	Salt        []byte
	Body        []byte // the committed plaintext (Content encoded)
	DeliveredAt time.Time
	ReadAt      time.Time
	// Refusal is set when the content was refused (by the peer for an
	// outbound message, by this node for an inbound one): the envelope is
	// kept as evidence and nothing it carried was applied.
	Refusal envelope.Reason
}

// Content is the plaintext of a message: text, attachments, STIX records,
// and for warnings, requests, responses and withdrawals what they link to.
type Content struct {
	Text        string       `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Records is a STIX 2.1 bundle (docs/records.md).
	Records json.RawMessage `json:"records,omitempty"`
	// RespondBy is the deadline of a warning or request.
	RespondBy time.Time `json:"respond_by,omitzero"`
	// InReplyTo is the envelope id a response answers.
	InReplyTo string `json:"in_reply_to,omitempty"`
	// Withdraws is the envelope id of a warning or request its sender
	// withdraws (the message is then a letter).
	Withdraws string `json:"withdraws,omitempty"`
}

// Attachment is a file carried inside a sealed letter.
type Attachment struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Data []byte `json:"data"`
}

// Limits bound what a node accepts and produces.
type Limits struct {
	MaxEnvelopeBytes   int // whole envelope on the wire
	MaxAttachmentBytes int // sum of attachment sizes in one message
}

// DefaultLimits are used when a Config leaves them zero.
var DefaultLimits = Limits{MaxEnvelopeBytes: 16 << 20, MaxAttachmentBytes: 8 << 20}

// ErrContent reports content that is not well-formed.
var ErrContent = errors.New("bad content")

// Validate checks content against limits: UTF-8 text, safe attachment names,
// bounded sizes, and at least some text, one attachment or records. Which
// fields a kind of message needs is checked by ValidateKind.
func (c *Content) Validate(l Limits) error {
	if c.Text == "" && len(c.Attachments) == 0 && len(c.Records) == 0 {
		return fmt.Errorf("%w: a message needs text, an attachment or records", ErrContent)
	}
	if !utf8.ValidString(c.Text) {
		return fmt.Errorf("%w: text is not valid UTF-8", ErrContent)
	}
	total := 0
	for i, a := range c.Attachments {
		if a.Name == "" || len(a.Name) > 255 || !utf8.ValidString(a.Name) ||
			strings.ContainsAny(a.Name, "/\\\x00") || a.Name == "." || a.Name == ".." {
			return fmt.Errorf("%w: attachment %d has an unsafe name", ErrContent, i)
		}
		if mt, _, err := mime.ParseMediaType(a.Type); err != nil || !strings.Contains(mt, "/") {
			return fmt.Errorf("%w: attachment %q has media type %q", ErrContent, a.Name, a.Type)
		}
		total += len(a.Data)
	}
	if total > l.MaxAttachmentBytes {
		return fmt.Errorf("%w: attachments total %d bytes, the limit is %d", ErrContent, total, l.MaxAttachmentBytes)
	}
	return nil
}

// EncodeContent returns the canonical encoding of c (JSON, attachments in
// base64), the body that is committed to and sealed.
func EncodeContent(c *Content) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("parley: encoding content: " + err.Error()) // only plain types inside
	}
	return b
}

// DecodeContent strictly decodes a body: it must be valid UTF-8 and exactly
// the canonical encoding EncodeContent produces for its value (so member
// names are exact, there are no duplicates, unknown fields or trailing data,
// and one content has one body), and the result must validate against l.
func DecodeContent(body []byte, l Limits) (*Content, error) {
	if !utf8.Valid(body) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrContent)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	var c Content
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrContent, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrContent)
	}
	if err := c.Validate(l); err != nil {
		return nil, err
	}
	if !bytes.Equal(EncodeContent(&c), body) || (c.Records != nil && len(c.Records) == 0) {
		return nil, fmt.Errorf("%w: not in canonical form", ErrContent)
	}
	return &c, nil
}

// AttachmentType guesses a media type from a file name.
func AttachmentType(name string) string {
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
