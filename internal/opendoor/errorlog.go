package opendoor

import (
	"log"
	"log/slog"
	"regexp"
	"strings"
)

// addressRE matches what net/http puts of a client's address in its error
// log ("http: TLS handshake error from 203.0.113.9:51234: …", "http: panic
// serving [2001:db8::1]:443: …"): IPv4 and IPv6 addresses with or without
// a port.
var addressRE = regexp.MustCompile(`\[[0-9A-Fa-f:.%\w]*\](:\d+)?|(\d{1,3}\.){3}\d{1,3}(:\d+)?|([0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(%\w+)?`)

// ScrubAddresses replaces every IP address (and port) in s with "[address]".
func ScrubAddresses(s string) string { return addressRE.ReplaceAllString(s, "[address]") }

// ErrorLog returns a logger for the open door's http.Server.ErrorLog: it
// passes net/http's messages to log at warn level with every address
// scrubbed, so that a visitor's address never reaches the logs.
func ErrorLog(l *slog.Logger) *log.Logger {
	return log.New(scrubWriter{l}, "", 0)
}

type scrubWriter struct{ l *slog.Logger }

func (w scrubWriter) Write(p []byte) (int, error) {
	w.l.Warn("open door: " + ScrubAddresses(strings.TrimSpace(string(p))))
	return len(p), nil
}
