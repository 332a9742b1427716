package contact

import (
	"crypto/mlkem"
	"encoding/binary"
	"fmt"
)

// Wire format of the contact handshake (version 1).
//
// Every message is
//
//	version (1 byte, = 1) || type (1 byte) || field || field || ...
//
// where each field is a 2-byte big-endian length followed by that many bytes.
// The number of fields and the length of each field are fixed by the type;
// a message with any other version, type, field count, field length or with
// trailing bytes is rejected with ErrInvalidMessage. Parsing therefore
// accepts exactly the bytes MarshalBinary produces: unmarshal-then-marshal
// is the identity, so the transcript can hash the bytes as received.
//
//	type 1, InitMessage (initiator → responder):
//	    session id (16) || CPace share lv_cat(Ya, "") (34) || ML-KEM-768 encapsulation key (1184)
//	type 2, ResponseMessage (responder → initiator):
//	    CPace share lv_cat(Yb, "") (34) || ML-KEM-768 ciphertext (1088)
//	type 3, ConfirmMessage from the initiator: tag (32)
//	type 4, ConfirmMessage from the responder: tag (32)

// Version is the wire-format version this package speaks.
const Version = 1

// Sizes of the fixed-length fields.
const (
	SessionIDSize = 16
	// ShareSize is the length of a CPace share as carried here: lv_cat(Y, AD)
	// with an empty AD.
	ShareSize            = 1 + ElementSize + 1
	EncapsulationKeySize = mlkem.EncapsulationKeySize768
	CiphertextSize       = mlkem.CiphertextSize768
	TagSize              = 32
)

// MessageType is the second byte of every handshake message.
type MessageType uint8

const (
	TypeInit             MessageType = 1
	TypeResponse         MessageType = 2
	TypeInitiatorConfirm MessageType = 3
	TypeResponderConfirm MessageType = 4
)

// InitMessage is the first message, sent by the initiator.
type InitMessage struct {
	// SessionID is chosen at random by the initiator and used as CPace sid.
	SessionID []byte
	// Share is the initiator's CPace message lv_cat(Ya, "").
	Share []byte
	// EncapsulationKey is the initiator's fresh ML-KEM-768 encapsulation key.
	EncapsulationKey []byte
}

// ResponseMessage is the second message, sent by the responder.
type ResponseMessage struct {
	// Share is the responder's CPace message lv_cat(Yb, "").
	Share []byte
	// Ciphertext is the ML-KEM-768 encapsulation to the initiator's key.
	Ciphertext []byte
}

// ConfirmMessage carries a key-confirmation tag.
type ConfirmMessage struct {
	// Type is TypeInitiatorConfirm or TypeResponderConfirm.
	Type MessageType
	Tag  []byte
}

// MarshalBinary encodes m; it fails if a field has the wrong length or the
// share is not a well-formed CPace message with empty AD.
func (m *InitMessage) MarshalBinary() ([]byte, error) {
	if err := checkShare(m.Share); err != nil {
		return nil, err
	}
	return marshal(TypeInit, []field{
		{m.SessionID, SessionIDSize},
		{m.Share, ShareSize},
		{m.EncapsulationKey, EncapsulationKeySize},
	})
}

// UnmarshalBinary decodes b strictly into m. It checks the framing and the
// share's encoding, not whether the key or the point are valid.
func (m *InitMessage) UnmarshalBinary(b []byte) error {
	f, err := unmarshal(b, TypeInit, SessionIDSize, ShareSize, EncapsulationKeySize)
	if err != nil {
		return err
	}
	if err := checkShare(f[1]); err != nil {
		return err
	}
	m.SessionID, m.Share, m.EncapsulationKey = f[0], f[1], f[2]
	return nil
}

// MarshalBinary encodes m.
func (m *ResponseMessage) MarshalBinary() ([]byte, error) {
	if err := checkShare(m.Share); err != nil {
		return nil, err
	}
	return marshal(TypeResponse, []field{
		{m.Share, ShareSize},
		{m.Ciphertext, CiphertextSize},
	})
}

// UnmarshalBinary decodes b strictly into m.
func (m *ResponseMessage) UnmarshalBinary(b []byte) error {
	f, err := unmarshal(b, TypeResponse, ShareSize, CiphertextSize)
	if err != nil {
		return err
	}
	if err := checkShare(f[0]); err != nil {
		return err
	}
	m.Share, m.Ciphertext = f[0], f[1]
	return nil
}

// MarshalBinary encodes m.
func (m *ConfirmMessage) MarshalBinary() ([]byte, error) {
	if m.Type != TypeInitiatorConfirm && m.Type != TypeResponderConfirm {
		return nil, fmt.Errorf("%w: type %d is not a confirmation", ErrInvalidMessage, m.Type)
	}
	return marshal(m.Type, []field{{m.Tag, TagSize}})
}

// UnmarshalBinary decodes b strictly into m; both confirmation types are
// accepted and recorded in m.Type.
func (m *ConfirmMessage) UnmarshalBinary(b []byte) error {
	if len(b) < 2 {
		return fmt.Errorf("%w: short message", ErrInvalidMessage)
	}
	t := MessageType(b[1])
	if t != TypeInitiatorConfirm && t != TypeResponderConfirm {
		return fmt.Errorf("%w: type %d is not a confirmation", ErrInvalidMessage, t)
	}
	f, err := unmarshal(b, t, TagSize)
	if err != nil {
		return err
	}
	m.Type, m.Tag = t, f[0]
	return nil
}

// checkShare requires a CPace message lv_cat(Y, "") with a 32-byte Y.
func checkShare(share []byte) error {
	_, ad, err := parseMessage(share)
	if err != nil || len(ad) != 0 || len(share) != ShareSize {
		return fmt.Errorf("%w: malformed CPace share", ErrInvalidMessage)
	}
	return nil
}

type field struct {
	value []byte
	size  int
}

func marshal(t MessageType, fields []field) ([]byte, error) {
	n := 2
	for _, f := range fields {
		if len(f.value) != f.size {
			return nil, fmt.Errorf("%w: type %d field of %d bytes, want %d", ErrInvalidMessage, t, len(f.value), f.size)
		}
		n += 2 + f.size
	}
	b := make([]byte, 0, n)
	b = append(b, Version, byte(t))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint16(b, uint16(f.size))
		b = append(b, f.value...)
	}
	return b, nil
}

// unmarshal checks version and type and splits b into fields of exactly the
// given sizes. The returned fields are copies, not views into b.
func unmarshal(b []byte, t MessageType, sizes ...int) ([][]byte, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: short message", ErrInvalidMessage)
	}
	if b[0] != Version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrInvalidMessage, b[0], Version)
	}
	if MessageType(b[1]) != t {
		return nil, fmt.Errorf("%w: type %d, want %d", ErrInvalidMessage, b[1], t)
	}
	rest := b[2:]
	out := make([][]byte, len(sizes))
	for i, size := range sizes {
		if len(rest) < 2 {
			return nil, fmt.Errorf("%w: truncated", ErrInvalidMessage)
		}
		if n := int(binary.BigEndian.Uint16(rest)); n != size {
			return nil, fmt.Errorf("%w: field %d has length %d, want %d", ErrInvalidMessage, i, n, size)
		}
		rest = rest[2:]
		if len(rest) < size {
			return nil, fmt.Errorf("%w: truncated", ErrInvalidMessage)
		}
		out[i] = append([]byte(nil), rest[:size]...)
		rest = rest[size:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrInvalidMessage, len(rest))
	}
	return out, nil
}
