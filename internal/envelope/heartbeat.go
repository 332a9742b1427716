package envelope

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"
)

// HeartbeatMagic opens every heartbeat.
const HeartbeatMagic = "PRLH"

// HeartbeatBodySize is the size of the signed part of a version 1 heartbeat.
const HeartbeatBodySize = 4 + 1 + 1 + 2 + 16 + 32 + 32 + 16 + 8 + 8

// HeartbeatSize is the size of a version 1 heartbeat on the wire.
const HeartbeatSize = HeartbeatBodySize + SignatureSize

const ctxHeartbeat = "parley/v1/heartbeat"

// Heartbeat types.
const (
	Ping uint8 = 1 // sent every interval on a hotline channel
	Pong uint8 = 2 // the answer, echoing the ping's nonce and time
)

// Heartbeat is a signed liveness probe or its answer. It carries the
// signer's clock, so each side can see the skew of the other's.
type Heartbeat struct {
	Type      uint8
	Channel   ID
	Sender    Fingerprint // who signs this heartbeat
	Recipient Fingerprint
	Nonce     [16]byte
	Time      time.Time // the signer's clock
	EchoTime  time.Time // Pong: the ping's Time; Ping: zero (Unix epoch)
	Signature []byte
	Raw       []byte
}

func (h *Heartbeat) body() []byte {
	b := make([]byte, 0, HeartbeatBodySize)
	b = append(b, HeartbeatMagic...)
	b = append(b, Version, h.Type, 0, 0)
	b = append(b, h.Channel[:]...)
	b = append(b, h.Sender[:]...)
	b = append(b, h.Recipient[:]...)
	b = append(b, h.Nonce[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(h.Time.UnixMilli()))
	return binary.BigEndian.AppendUint64(b, uint64(h.EchoTime.UnixMilli()))
}

// NewPing returns an unsigned ping with a fresh nonce.
func NewPing(channel ID, from, to Fingerprint, now time.Time) *Heartbeat {
	h := &Heartbeat{Type: Ping, Channel: channel, Sender: from, Recipient: to, Time: now.Truncate(time.Millisecond).UTC(), EchoTime: time.UnixMilli(0).UTC()}
	rand.Read(h.Nonce[:])
	return h
}

// PongFor returns the unsigned answer to ping.
func PongFor(ping *Heartbeat, now time.Time) *Heartbeat {
	return &Heartbeat{Type: Pong, Channel: ping.Channel, Sender: ping.Recipient, Recipient: ping.Sender,
		Nonce: ping.Nonce, Time: now.Truncate(time.Millisecond).UTC(), EchoTime: ping.Time}
}

// SignHeartbeat signs h with its sender's identity and fills Signature and Raw.
func SignHeartbeat(id *Identity, h *Heartbeat) error {
	if h.Sender != id.Fingerprint() {
		return fmt.Errorf("envelope: a heartbeat must be signed by its sender")
	}
	if (h.Type != Ping && h.Type != Pong) || !validTime(h.Time) || !validTime(h.EchoTime) {
		return fmt.Errorf("envelope: heartbeat has an invalid type or time")
	}
	body := h.body()
	h.Signature = id.Sign(ctxHeartbeat, body)
	h.Raw = append(body, h.Signature...)
	return nil
}

// ParseHeartbeat strictly decodes a heartbeat. It does not verify it.
func ParseHeartbeat(b []byte) (*Heartbeat, error) {
	if len(b) < 5 || string(b[:4]) != HeartbeatMagic {
		return nil, fmt.Errorf("%w: bad heartbeat magic", ErrMalformed)
	}
	if b[4] != Version {
		return nil, fmt.Errorf("%w %d", ErrUnknownVersion, b[4])
	}
	if len(b) != HeartbeatSize {
		return nil, fmt.Errorf("%w: heartbeat is %d bytes, want %d", ErrMalformed, len(b), HeartbeatSize)
	}
	h := &Heartbeat{Type: b[5]}
	if h.Type != Ping && h.Type != Pong {
		return nil, fmt.Errorf("%w: unknown heartbeat type %d", ErrMalformed, b[5])
	}
	if b[6] != 0 || b[7] != 0 {
		return nil, fmt.Errorf("%w: reserved flags set", ErrMalformed)
	}
	p := b[8:]
	p = p[copy(h.Channel[:], p):]
	p = p[copy(h.Sender[:], p):]
	p = p[copy(h.Recipient[:], p):]
	p = p[copy(h.Nonce[:], p):]
	t, echo := binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])
	if t > 1<<62 || echo > 1<<62 {
		return nil, fmt.Errorf("%w: time out of range", ErrMalformed)
	}
	h.Time, h.EchoTime = time.UnixMilli(int64(t)).UTC(), time.UnixMilli(int64(echo)).UTC()
	h.Signature = b[HeartbeatBodySize:HeartbeatSize:HeartbeatSize]
	h.Raw = b[:HeartbeatSize:HeartbeatSize]
	return h, nil
}

// Verify checks the heartbeat's signature against its signer.
func (h *Heartbeat) Verify(signer *PublicIdentity) error {
	if len(h.Raw) != HeartbeatSize || len(h.Signature) != SignatureSize {
		return fmt.Errorf("%w: heartbeat is not signed", ErrBadSignature)
	}
	if h.Sender != signer.Fingerprint() {
		return fmt.Errorf("%w: heartbeat names another signer", ErrBadSignature)
	}
	return signer.Verify(ctxHeartbeat, h.Raw[:HeartbeatBodySize], h.Signature)
}
