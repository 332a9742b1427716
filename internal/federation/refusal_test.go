package federation

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// Content a node must not apply is refused with a signed receipt, not an
// HTTP error: the envelope is verified and kept as evidence, its sequence
// number is used (so the lane does not block), and nothing is applied.
func TestPostEnvelopesContentRefused(t *testing.T) {
	tests := []struct {
		name   string
		kind   envelope.Kind
		body   []byte
		reason envelope.Reason
	}{
		{"sealed body that is not JSON", envelope.KindLetter, []byte("not json"), envelope.ReasonContent},
		{"sealed letter with an unknown field", envelope.KindLetter, []byte(`{"text":"hi","script":"x"}`), envelope.ReasonContent},
		{"sealed empty letter", envelope.KindLetter, []byte(`{}`), envelope.ReasonContent},
		{"warning without a deadline", envelope.KindWarning, letterBody("a warning"), envelope.ReasonContent},
		{"records that are not STIX", envelope.KindWarning, []byte(`{"text":"x","records":{"type":"bundle"},"respond_by":"` + time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339) + `"}`), envelope.ReasonRecords},
		{"response to an unknown message", envelope.KindResponse, []byte(`{"text":"yes","in_reply_to":"00112233445566778899aabbccddeeff"}`), envelope.ReasonLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, nil)
			bad := p.sealBody(t, 1, tt.kind, tt.body)
			out := p.deliver(t, bad, p.letter(t, 2))
			if len(out.Results) != 2 || out.Results[0].Status != "stored" || out.Results[1].Status != "stored" {
				t.Fatalf("results = %+v, want both stored", out.Results)
			}
			r, err := envelope.ParseReceipt(out.Results[0].Receipt)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Verify(p.south.Identity.Public()); err != nil || r.Type != envelope.Refused || r.Reason != tt.reason {
				t.Errorf("receipt = %s %v (%v), want a signed refusal for %v", r.Type, r.Reason, err, tt.reason)
			}
			if r2, _ := envelope.ParseReceipt(out.Results[1].Receipt); r2 == nil || r2.Type != envelope.Delivered {
				t.Errorf("the letter after the refused envelope was not delivered: %+v", r2)
			}
			msgs, err := p.south.Store.Messages(t.Context(), parley.Filter{Direction: parley.Inbound})
			if err != nil || len(msgs) != 2 {
				t.Fatalf("south holds %d messages (%v), want 2", len(msgs), err)
			}
			if msgs[0].Refusal != tt.reason || msgs[1].Refusal != 0 || msgs[1].State != parley.StateApplied {
				t.Errorf("stored: refusal %v then %v/%s", msgs[0].Refusal, msgs[1].Refusal, msgs[1].State)
			}
			if b, err := p.south.Board(t.Context(), nil); err != nil || len(b) != 0 {
				t.Errorf("a refused message reached the board: %+v %v", b, err)
			}
		})
	}
}
