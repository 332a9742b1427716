package contact

import (
	"bytes"
	"encoding"
	"errors"
	"testing"
)

func validMessages(t testing.TB) (msg1, msg2, confirmA, confirmB []byte) {
	t.Helper()
	in, msg1, err := NewInitiator([]byte("s"), []byte("invite"), []byte("alice"))
	if err != nil {
		t.Fatal(err)
	}
	re, msg2, err := Respond([]byte("s"), []byte("invite"), []byte("bob"), msg1, []byte("alice"))
	if err != nil {
		t.Fatal(err)
	}
	_, confirmA, err = in.Finish(msg2, []byte("bob"))
	if err != nil {
		t.Fatal(err)
	}
	_, confirmB, err = re.Confirm(confirmA)
	if err != nil {
		t.Fatal(err)
	}
	return msg1, msg2, confirmA, confirmB
}

func TestMessageSizes(t *testing.T) {
	msg1, msg2, confirmA, confirmB := validMessages(t)
	for _, tc := range []struct {
		name string
		msg  []byte
		want int
	}{
		{"msg1", msg1, 2 + 2 + SessionIDSize + 2 + ShareSize + 2 + EncapsulationKeySize},
		{"msg2", msg2, 2 + 2 + ShareSize + 2 + CiphertextSize},
		{"confirmA", confirmA, 2 + 2 + TagSize},
		{"confirmB", confirmB, 2 + 2 + TagSize},
	} {
		if len(tc.msg) != tc.want {
			t.Errorf("%s is %d bytes, want %d", tc.name, len(tc.msg), tc.want)
		}
		if tc.msg[0] != Version {
			t.Errorf("%s version %d", tc.name, tc.msg[0])
		}
	}
}

func TestMessageRoundTrip(t *testing.T) {
	msg1, msg2, confirmA, confirmB := validMessages(t)
	for _, tc := range []struct {
		name string
		msg  []byte
		m    interface {
			encoding.BinaryMarshaler
			encoding.BinaryUnmarshaler
		}
	}{
		{"msg1", msg1, new(InitMessage)},
		{"msg2", msg2, new(ResponseMessage)},
		{"confirmA", confirmA, new(ConfirmMessage)},
		{"confirmB", confirmB, new(ConfirmMessage)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.m.UnmarshalBinary(tc.msg); err != nil {
				t.Fatal(err)
			}
			got, err := tc.m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.msg) {
				t.Errorf("re-marshalled message differs")
			}
		})
	}
	var c ConfirmMessage
	if err := c.UnmarshalBinary(confirmA); err != nil || c.Type != TypeInitiatorConfirm {
		t.Errorf("confirmA type %d, %v", c.Type, err)
	}
	if err := c.UnmarshalBinary(confirmB); err != nil || c.Type != TypeResponderConfirm {
		t.Errorf("confirmB type %d, %v", c.Type, err)
	}
}

func TestMessageStrictParsing(t *testing.T) {
	msg1, msg2, confirmA, _ := validMessages(t)
	mutate := func(b []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(b)) }
	for _, tc := range []struct {
		name string
		msg  []byte
		m    encoding.BinaryUnmarshaler
	}{
		{"empty", nil, new(InitMessage)},
		{"one byte", []byte{Version}, new(InitMessage)},
		{"header only", []byte{Version, byte(TypeInit)}, new(InitMessage)},
		{"version 0", mutate(msg1, func(b []byte) []byte { b[0] = 0; return b }), new(InitMessage)},
		{"version 2", mutate(msg1, func(b []byte) []byte { b[0] = 2; return b }), new(InitMessage)},
		{"msg2 as msg1", msg2, new(InitMessage)},
		{"msg1 as msg2", msg1, new(ResponseMessage)},
		{"confirm as msg2", confirmA, new(ResponseMessage)},
		{"msg1 as confirm", msg1, new(ConfirmMessage)},
		{"unknown type", mutate(confirmA, func(b []byte) []byte { b[1] = 5; return b }), new(ConfirmMessage)},
		{"trailing byte", append(bytes.Clone(msg1), 0), new(InitMessage)},
		{"truncated", msg1[:len(msg1)-1], new(InitMessage)},
		{"truncated in length", msg1[:3], new(InitMessage)},
		{"sid length 17", mutate(msg1, func(b []byte) []byte { b[3] = 17; return b }), new(InitMessage)},
		{"share length 0", mutate(msg2, func(b []byte) []byte { b[3] = 0; return b }), new(ResponseMessage)},
		{"tag length 31", mutate(confirmA, func(b []byte) []byte { b[3] = 31; return b[:len(b)-1] }), new(ConfirmMessage)},
		{"tag length 33", append(mutate(confirmA, func(b []byte) []byte { b[3] = 33; return b }), 0), new(ConfirmMessage)},
		// The CPace share inside must itself be lv_cat(Y, "").
		{"share with AD", mutate(msg2, func(b []byte) []byte { b[4+ShareSize-1] = 1; return b }), new(ResponseMessage)},
		{"share with bad Y length", mutate(msg2, func(b []byte) []byte { b[4] = 0x1f; return b }), new(ResponseMessage)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.m.UnmarshalBinary(tc.msg); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("UnmarshalBinary: %v, want ErrInvalidMessage", err)
			}
		})
	}
}

func TestMessageMarshalRejects(t *testing.T) {
	share := lvCat(make([]byte, ElementSize), nil)
	for _, tc := range []struct {
		name string
		m    encoding.BinaryMarshaler
	}{
		{"short sid", &InitMessage{SessionID: make([]byte, 15), Share: share, EncapsulationKey: make([]byte, EncapsulationKeySize)}},
		{"bad share", &InitMessage{SessionID: make([]byte, 16), Share: share[:33], EncapsulationKey: make([]byte, EncapsulationKeySize)}},
		{"short ek", &InitMessage{SessionID: make([]byte, 16), Share: share, EncapsulationKey: make([]byte, 10)}},
		{"short ct", &ResponseMessage{Share: share, Ciphertext: make([]byte, 10)}},
		{"confirm type", &ConfirmMessage{Type: TypeInit, Tag: make([]byte, TagSize)}},
		{"short tag", &ConfirmMessage{Type: TypeInitiatorConfirm, Tag: make([]byte, 31)}},
	} {
		if _, err := tc.m.MarshalBinary(); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: MarshalBinary: %v, want ErrInvalidMessage", tc.name, err)
		}
	}
}

// FuzzUnmarshalMessage parses arbitrary bytes as every message type.
// Properties: no panic; whatever parses marshals back to exactly the same
// bytes (no malleability), and parsed fields do not alias the input.
func FuzzUnmarshalMessage(f *testing.F) {
	msg1, msg2, confirmA, confirmB := validMessages(f)
	for _, m := range [][]byte{msg1, msg2, confirmA, confirmB, nil, {Version}, {Version, 3, 0, 32}} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range []interface {
			encoding.BinaryMarshaler
			encoding.BinaryUnmarshaler
		}{new(InitMessage), new(ResponseMessage), new(ConfirmMessage)} {
			in := bytes.Clone(b)
			if err := m.UnmarshalBinary(in); err != nil {
				if !errors.Is(err, ErrInvalidMessage) {
					t.Fatalf("%T: undocumented error %v", m, err)
				}
				continue
			}
			for i := range in {
				in[i] ^= 0xff // the parsed message must not change with its source
			}
			out, err := m.MarshalBinary()
			if err != nil {
				t.Fatalf("%T: parsed but does not marshal: %v", m, err)
			}
			if !bytes.Equal(out, b) {
				t.Fatalf("%T: marshal(unmarshal(%x)) = %x", m, b, out)
			}
		}
	})
}
