package envelope

import (
	"errors"
	"testing"
	"time"
)

func TestHeartbeatRoundTrip(t *testing.T) {
	a, b, _ := testIdentities(t)
	now := time.UnixMilli(1_800_000_000_123).UTC()
	ping := NewPing(ID{1}, a.Fingerprint(), b.Fingerprint(), now)
	if err := SignHeartbeat(a, ping); err != nil {
		t.Fatal(err)
	}
	got, err := ParseHeartbeat(ping.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Verify(a.Public()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Type != Ping || got.Nonce != ping.Nonce || !got.Time.Equal(now) || got.Channel != (ID{1}) {
		t.Errorf("parsed %+v, want the ping", got)
	}
	pong := PongFor(got, now.Add(5*time.Millisecond))
	if err := SignHeartbeat(b, pong); err != nil {
		t.Fatal(err)
	}
	p2, err := ParseHeartbeat(pong.Raw)
	if err != nil || p2.Verify(b.Public()) != nil {
		t.Fatalf("pong does not parse and verify: %v", err)
	}
	if p2.Nonce != ping.Nonce || !p2.EchoTime.Equal(now) || p2.Recipient != a.Fingerprint() {
		t.Errorf("pong %+v does not echo the ping", p2)
	}
	if err := SignHeartbeat(a, PongFor(got, now)); err == nil {
		t.Error("SignHeartbeat signed a pong on behalf of its recipient")
	}
	if err := p2.Verify(a.Public()); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Verify with the wrong identity = %v, want ErrBadSignature", err)
	}
	for i := range ping.Raw {
		b := append([]byte(nil), ping.Raw...)
		b[i] ^= 0x01
		h, err := ParseHeartbeat(b)
		if err == nil && h.Verify(a.Public()) == nil {
			t.Fatalf("byte %d flipped: heartbeat still verifies", i)
		}
	}
}

func FuzzParseHeartbeat(f *testing.F) {
	a, b, _ := testIdentities(f)
	ping := NewPing(ID{2}, a.Fingerprint(), b.Fingerprint(), time.UnixMilli(1_800_000_000_000))
	if err := SignHeartbeat(a, ping); err != nil {
		f.Fatal(err)
	}
	f.Add(ping.Raw)
	f.Add(ping.Raw[:HeartbeatBodySize])
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, err := ParseHeartbeat(raw)
		if err != nil {
			return
		}
		if string(h.Raw) != string(raw) {
			t.Fatal("parse did not keep the exact bytes")
		}
		h.Verify(a.Public()) // must not panic
	})
}
