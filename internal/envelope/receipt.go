package envelope

import (
	"encoding/binary"
	"fmt"
	"time"
)

// ReceiptMagic opens every receipt.
const ReceiptMagic = "PRLR"

// ReceiptBodySize is the size of the signed part of a version 1 receipt.
const ReceiptBodySize = 4 + 1 + 1 + 2 + 16 + 16 + 32 + 32 + 8 + 32 + 8

// ReceiptSize is the size of a version 1 receipt on the wire.
const ReceiptSize = ReceiptBodySize + SignatureSize

const ctxReceipt = "parley/v1/receipt"

// ReceiptType says what a receipt acknowledges.
type ReceiptType uint8

// Receipt types.
const (
	Delivered ReceiptType = 1 // the envelope was verified, opened and stored durably
	Read      ReceiptType = 2 // an operator opened the message
	Refused   ReceiptType = 3 // verified and stored as evidence, but its content was refused (Reason says why)
)

// Reason says why a Refused receipt refused an envelope's content. It
// travels in the receipt's two reserved bytes, which are zero in the other
// receipt types.
type Reason uint16

// Refusal reasons.
const (
	ReasonContent    Reason = 1 // the content is not a well-formed message of its kind
	ReasonRecords    Reason = 2 // the STIX records are invalid
	ReasonTLP        Reason = 3 // a record's TLP is above the channel's maximum
	ReasonKind       Reason = 4 // the channel's policy does not allow this kind of message or record
	ReasonSocial     Reason = 5 // a social channel does not carry names, phone numbers, addresses or records
	ReasonLink       Reason = 6 // it answers or withdraws a message this node does not know
	ReasonOriginator Reason = 7 // it carries records received on another channel
)

var reasonNames = map[Reason]string{
	ReasonContent: "malformed content", ReasonRecords: "invalid STIX records", ReasonTLP: "TLP above the channel's maximum",
	ReasonKind: "kind not allowed on this channel", ReasonSocial: "not allowed on a social channel",
	ReasonLink: "links to an unknown message", ReasonOriginator: "records from another channel",
}

func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("reason %d", uint16(r))
}

func (t ReceiptType) String() string {
	switch t {
	case Delivered:
		return "delivered"
	case Read:
		return "read"
	case Refused:
		return "refused"
	}
	return fmt.Sprintf("receipt(%d)", uint8(t))
}

// Receipt is a statement, signed by the recipient of an envelope, that the
// envelope with this id, sequence number and hash reached the given state.
type Receipt struct {
	Type      ReceiptType
	Envelope  ID
	Channel   ID
	Sender    Fingerprint // the envelope's sender, to whom the receipt goes
	Recipient Fingerprint // the envelope's recipient, who signs the receipt
	Seq       uint64
	Reason    Reason   // Refused only: why; zero otherwise
	Hash      [32]byte // SHA-256 of the envelope's wire bytes
	Time      time.Time
	Signature []byte
	Raw       []byte // the exact wire bytes, set by ParseReceipt and SignReceipt
}

func (r *Receipt) body() []byte {
	b := make([]byte, 0, ReceiptBodySize)
	b = append(b, ReceiptMagic...)
	b = append(b, Version, byte(r.Type))
	b = binary.BigEndian.AppendUint16(b, uint16(r.Reason))
	b = append(b, r.Envelope[:]...)
	b = append(b, r.Channel[:]...)
	b = append(b, r.Sender[:]...)
	b = append(b, r.Recipient[:]...)
	b = binary.BigEndian.AppendUint64(b, r.Seq)
	b = append(b, r.Hash[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(r.Time.UnixMilli()))
}

// ReceiptFor returns the unsigned receipt of type t for an envelope.
func ReceiptFor(t ReceiptType, h *Header, hash [32]byte, now time.Time) *Receipt {
	return &Receipt{
		Type: t, Envelope: h.ID, Channel: h.Channel, Sender: h.Sender, Recipient: h.Recipient,
		Seq: h.Seq, Hash: hash, Time: now.Truncate(time.Millisecond).UTC(),
	}
}

// SignReceipt signs r with the recipient's identity and fills Signature and Raw.
func SignReceipt(id *Identity, r *Receipt) error {
	if r.Recipient != id.Fingerprint() {
		return fmt.Errorf("envelope: receipt must be signed by the envelope's recipient")
	}
	if (r.Type != Delivered && r.Type != Read && r.Type != Refused) || r.Seq == 0 || !validTime(r.Time) {
		return fmt.Errorf("envelope: receipt has an invalid type, sequence number or time")
	}
	if (r.Type == Refused) != (r.Reason != 0) {
		return fmt.Errorf("envelope: a refused receipt, and only it, carries a reason")
	}
	body := r.body()
	r.Signature = id.Sign(ctxReceipt, body)
	r.Raw = append(body, r.Signature...)
	return nil
}

// ParseReceipt strictly decodes a receipt. It does not verify the signature.
func ParseReceipt(b []byte) (*Receipt, error) {
	if len(b) < 5 || string(b[:4]) != ReceiptMagic {
		return nil, fmt.Errorf("%w: bad receipt magic", ErrMalformed)
	}
	if b[4] != Version {
		return nil, fmt.Errorf("%w %d", ErrUnknownVersion, b[4])
	}
	if len(b) != ReceiptSize {
		return nil, fmt.Errorf("%w: receipt is %d bytes, want %d", ErrMalformed, len(b), ReceiptSize)
	}
	r := &Receipt{Type: ReceiptType(b[5])}
	if r.Type != Delivered && r.Type != Read && r.Type != Refused {
		return nil, fmt.Errorf("%w: unknown receipt type %d", ErrMalformed, b[5])
	}
	r.Reason = Reason(binary.BigEndian.Uint16(b[6:8]))
	if (r.Type == Refused) != (r.Reason != 0) {
		return nil, fmt.Errorf("%w: reason set on a %s receipt, or missing on a refusal", ErrMalformed, r.Type)
	}
	p := b[8:]
	p = p[copy(r.Envelope[:], p):]
	p = p[copy(r.Channel[:], p):]
	p = p[copy(r.Sender[:], p):]
	p = p[copy(r.Recipient[:], p):]
	r.Seq = binary.BigEndian.Uint64(p)
	p = p[8:]
	p = p[copy(r.Hash[:], p):]
	ms := binary.BigEndian.Uint64(p)
	if ms > 1<<62 {
		return nil, fmt.Errorf("%w: time out of range", ErrMalformed)
	}
	r.Time = time.UnixMilli(int64(ms)).UTC()
	if r.Seq == 0 {
		return nil, fmt.Errorf("%w: sequence number 0", ErrMalformed)
	}
	r.Signature = b[ReceiptBodySize:ReceiptSize:ReceiptSize]
	r.Raw = b[:ReceiptSize:ReceiptSize]
	return r, nil
}

// Verify checks the receipt's signature against the identity that must have
// signed it (the envelope's recipient).
func (r *Receipt) Verify(signer *PublicIdentity) error {
	if len(r.Raw) != ReceiptSize || len(r.Signature) != SignatureSize {
		return fmt.Errorf("%w: receipt is not signed", ErrBadSignature)
	}
	if r.Recipient != signer.Fingerprint() {
		return fmt.Errorf("%w: receipt names another signer", ErrBadSignature)
	}
	return signer.Verify(ctxReceipt, r.Raw[:ReceiptBodySize], r.Signature)
}
