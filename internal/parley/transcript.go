package parley

import (
	"fmt"
	"strings"

	"github.com/parley-dev/parley/internal/envelope"
)

// LogID names one of the eight transcript logs a node keeps per peer
// (SPEC §2 "Transcript"). A node operates four of them — its envelopes to
// the peer on each lane, and its delivered or refused receipts for the
// peer's envelopes on each lane — signs their checkpoints and has the peer
// cosign them; it mirrors the peer's four and cosigns the peer's
// checkpoints after checking them against its mirror. In every log the
// entry at index i is the SHA-256 of the wire bytes of the envelope with
// sequence number i+1 on that lane, or of the receipt for that envelope.
type LogID uint8

// The logs of one peer.
const (
	LogOut                LogID = 0 // our envelopes to the peer, normal lane
	LogOutFlash           LogID = 1 // our envelopes to the peer, flash lane
	LogIn                 LogID = 2 // mirror of the peer's LogOut
	LogInFlash            LogID = 3 // mirror of the peer's LogOutFlash
	LogOurReceipts        LogID = 4 // our receipts for the peer's normal-lane envelopes
	LogOurReceiptsFlash   LogID = 5 // our receipts for the peer's flash-lane envelopes
	LogTheirReceipts      LogID = 6 // mirror of the peer's LogOurReceipts
	LogTheirReceiptsFlash LogID = 7 // mirror of the peer's LogOurReceiptsFlash
)

// NumLogs is the number of logs per peer.
const NumLogs = 8

var logNames = [NumLogs]string{"letters", "flash", "letters", "flash", "receipts", "flash-receipts", "receipts", "flash-receipts"}

// Operated reports whether this node signs the log's checkpoints.
func (l LogID) Operated() bool {
	return l == LogOut || l == LogOutFlash || l == LogOurReceipts || l == LogOurReceiptsFlash
}

// Mirror is the log the peer keeps for the same entries: LogOut ↔ LogIn and
// so on.
func (l LogID) Mirror() LogID {
	switch l {
	case LogOut, LogOutFlash:
		return l + 2
	case LogIn, LogInFlash:
		return l - 2
	case LogOurReceipts, LogOurReceiptsFlash:
		return l + 2
	}
	return l - 2
}

// Lane is the lane whose sequence numbers index the log (1: flash).
func (l LogID) Lane() int { return int(l) % 2 }

func (l LogID) String() string {
	if l >= NumLogs {
		return fmt.Sprintf("log(%d)", uint8(l))
	}
	side := "ours"
	if !l.Operated() {
		side = "theirs"
	}
	return logNames[l] + "/" + side
}

// Origin is the checkpoint origin of a log operated by operator on channel:
// "parley/v1/<channel>/<operator fingerprint>/<letters|flash|receipts|flash-receipts>".
func Origin(channel envelope.ID, operator envelope.Fingerprint, l LogID) string {
	return "parley/v1/" + channel.String() + "/" + operator.String() + "/" + logNames[l]
}

// ParseOrigin splits an origin into its channel, operator and the log as
// the operator numbers it (an operated LogID).
func ParseOrigin(origin string) (envelope.ID, envelope.Fingerprint, LogID, error) {
	var ch envelope.ID
	var fp envelope.Fingerprint
	parts := strings.Split(origin, "/")
	if len(parts) != 5 || parts[0] != "parley" || parts[1] != "v1" {
		return ch, fp, 0, fmt.Errorf("origin %q is not a Parley log", origin)
	}
	ch, err := envelope.ParseID(parts[2])
	if err != nil {
		return ch, fp, 0, fmt.Errorf("origin %q: bad channel", origin)
	}
	fp, err = envelope.ParseFingerprint(parts[3])
	if err != nil {
		return ch, fp, 0, fmt.Errorf("origin %q: bad operator", origin)
	}
	for _, l := range []LogID{LogOut, LogOutFlash, LogOurReceipts, LogOurReceiptsFlash} {
		if logNames[l] == parts[4] {
			return ch, fp, l, nil
		}
	}
	return ch, fp, 0, fmt.Errorf("origin %q: unknown log %q", origin, parts[4])
}
