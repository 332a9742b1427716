package transcript

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestCheckpointRoundTrip(t *testing.T) {
	root := tlog.Hash(sha256.Sum256([]byte("root")))
	tests := []struct {
		name string
		c    Checkpoint
		body string
	}{
		{"empty log", Checkpoint{"parley.example/a/b", 0, emptyRoot}, "parley.example/a/b\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"},
		{"small", Checkpoint{"x", 7, root}, "x\n7\n" + "SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n"},
		{"largest size", Checkpoint{"o", MaxSize - 1, root}, "o\n4611686018427387903\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n"},
		{"all printable", Checkpoint{"!~\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}", 1, root}, "!~\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n"},
		{"longest origin", Checkpoint{strings.Repeat("o", 255), 1, root}, strings.Repeat("o", 255) + "\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.c.Body()); got != tt.body {
				t.Fatalf("Body() = %q, want %q", got, tt.body)
			}
			got, err := ParseCheckpoint([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseCheckpoint: %v", err)
			}
			if got != tt.c {
				t.Fatalf("ParseCheckpoint = %+v, want %+v", got, tt.c)
			}
		})
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	const root = "SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I="
	// The same 32 bytes with non-zero unused bits in the last character.
	const nonCanonical = "SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7J="
	tests := []struct {
		name, body string
	}{
		{"empty", ""},
		{"two lines", "o\n7\n"},
		{"no final newline", "o\n7\n" + root},
		{"four lines", "o\n7\n" + root + "\nextension\n"},
		{"empty fourth line", "o\n7\n" + root + "\n\n"},
		{"leading zero", "o\n07\n" + root + "\n"},
		{"zero with leading zero", "o\n00\n" + root + "\n"},
		{"negative", "o\n-7\n" + root + "\n"},
		{"plus sign", "o\n+7\n" + root + "\n"},
		{"empty size", "o\n\n" + root + "\n"},
		{"hex size", "o\n0x7\n" + root + "\n"},
		{"size 2^62", "o\n4611686018427387904\n" + root + "\n"},
		{"size 2^63", "o\n9223372036854775808\n" + root + "\n"},
		{"size 2^64", "o\n18446744073709551616\n" + root + "\n"},
		{"size 20 nines", "o\n99999999999999999999\n" + root + "\n"},
		{"non-canonical base64", "o\n7\n" + nonCanonical + "\n"},
		{"unpadded base64", "o\n7\n" + strings.TrimSuffix(root, "=") + "\n"},
		{"url base64", "o\n7\n" + strings.NewReplacer("+", "-", "/", "_").Replace(root) + "\n"},
		{"31-byte root", "o\n7\nRq+2tJj1CqoG+b14/tNHeJU6Fue/25d2bCpZPUgIvw==\n"},
		{"33-byte root", "o\n7\nRq+2tJj1CqoG+b14/tNHeJU6Fue/25d2bCpZPUgIv/UA\n"},
		{"CRLF", "o\r\n7\r\n" + root + "\r\n"},
		{"CR in root line", "o\n7\n" + root + "\r\n"},
		{"trailing space in origin", "o \n7\n" + root + "\n"},
		{"trailing space in size", "o\n7 \n" + root + "\n"},
		{"trailing space in root", "o\n7\n" + root + " \n"},
		{"leading space", " o\n7\n" + root + "\n"},
		{"space in origin", "a b\n7\n" + root + "\n"},
		{"empty origin", "\n7\n" + root + "\n"},
		{"tab in origin", "a\tb\n7\n" + root + "\n"},
		{"non-ASCII origin", "caf\u00e9\n7\n" + root + "\n"},
		{"DEL in origin", "a\x7f\n7\n" + root + "\n"},
		{"origin too long", strings.Repeat("o", 256) + "\n7\n" + root + "\n"},
		{"NUL", "o\n7\n" + root + "\n\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCheckpoint([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParseCheckpoint(%q) = %+v, want an error", tt.body, c)
			}
		})
	}
}

func TestCheckpointSameBytes(t *testing.T) {
	// The non-canonical root above must really decode to the same bytes
	// under lenient base64, or that test case proves nothing.
	a, _ := base64Lenient("SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=")
	b, _ := base64Lenient("SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7J=")
	if !bytes.Equal(a, b) {
		t.Fatal("the non-canonical test root decodes to different bytes")
	}
}
