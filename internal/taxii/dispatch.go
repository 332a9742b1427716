package taxii

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// DispatchExtension is Parley's STIX 2.1 property extension (§7.3) that
// says how objects posted over TAXII travel: on any one of the objects of a
// POST, with members
//
//	"extension_type": "property-extension"
//	"kind":           "warning", "request" or "letter" (required)
//	"respond_within": "72h", "3d"… (warning or request; default: the listener's)
//	"text":           the message's text (optional)
//
// Without it, the objects travel as a warning due within the listener's
// default (taxii_respond_within). The object that carries it is sent as
// posted, the extension included.
const DispatchExtension = "extension-definition--f412aadd-5b6e-4630-9f1b-77ea475fd52d"

// Dispatch is how a POST's objects travel.
type Dispatch struct {
	Kind          envelope.Kind
	RespondWithin time.Duration // zero: the default
	Text          string
}

// maxDispatchText bounds the text of a dispatch extension.
const maxDispatchText = 64 << 10

// dispatchOf reads the dispatch extension of posted objects; def is the
// dispatch when none carries it.
func dispatchOf(objs []Posted, def Dispatch) (Dispatch, error) {
	var body json.RawMessage
	for i, o := range objs {
		if o.Dispatch == nil {
			continue
		}
		if body != nil {
			return def, fmt.Errorf("objects[%d]: only one object of a POST may carry the Parley dispatch extension", i)
		}
		body = o.Dispatch
	}
	if body == nil {
		return def, nil
	}
	var x struct {
		ExtensionType string `json:"extension_type"`
		Kind          string `json:"kind"`
		RespondWithin string `json:"respond_within"`
		Text          string `json:"text"`
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(&x); err != nil {
		return def, fmt.Errorf("dispatch extension: %v (members: extension_type, kind, respond_within, text)", err)
	}
	if x.ExtensionType != "property-extension" {
		return def, fmt.Errorf(`dispatch extension: extension_type must be "property-extension"`)
	}
	out := Dispatch{Text: x.Text}
	switch x.Kind {
	case "warning":
		out.Kind = envelope.KindWarning
	case "request":
		out.Kind = envelope.KindRequest
	case "letter":
		out.Kind = envelope.KindLetter
	default:
		return def, fmt.Errorf(`dispatch extension: kind must be "warning", "request" or "letter", not %q`, x.Kind)
	}
	if x.RespondWithin != "" {
		if out.Kind == envelope.KindLetter {
			return def, fmt.Errorf("dispatch extension: a letter has no respond_within")
		}
		w, err := parley.ParseWithin(x.RespondWithin)
		if err != nil {
			return def, fmt.Errorf("dispatch extension: respond_within: %v", err)
		}
		if w < parley.MinRespondWithin || w > parley.MaxRespondWithin {
			return def, fmt.Errorf("dispatch extension: respond_within must be between %v and %v", parley.MinRespondWithin, parley.MaxRespondWithin)
		}
		out.RespondWithin = w
	}
	if len(x.Text) > maxDispatchText || !utf8.ValidString(x.Text) {
		return def, fmt.Errorf("dispatch extension: text must be valid UTF-8 of at most %d bytes", maxDispatchText)
	}
	return out, nil
}

// bundleOf wraps objects in a STIX 2.1 bundle with a fresh id.
func bundleOf(objs []Posted) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"bundle","id":"bundle--` + newUUID() + `","objects":[`)
	for i, o := range objs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(o.Raw)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// Composer sends a draft to a peer: parley.Node.Compose.
type Composer interface {
	Compose(ctx context.Context, peerName string, d parley.Draft) (parley.Message, error)
}

// Send sends objects to the peer named peer as one message, composed like
// `parley send`, and returns it. A refusal (the channel's policy, Parley's
// STIX rules, originator control, a size limit) is returned as refused,
// with nothing sent; err is a failure of the node.
func Send(ctx context.Context, c Composer, peer string, objs []Posted, def Dispatch) (m parley.Message, refused string, err error) {
	d, err := dispatchOf(objs, def)
	if err != nil {
		return m, err.Error(), nil
	}
	m, err = c.Compose(ctx, peer, parley.Draft{
		Kind:          d.Kind,
		Content:       parley.Content{Text: d.Text, Records: bundleOf(objs)},
		RespondWithin: d.RespondWithin,
	})
	var r *parley.Refusal
	switch {
	case errors.As(err, &r):
		return m, fmt.Sprintf("not sent (%s): %s", r.Reason, r.Detail), nil
	case errors.Is(err, parley.ErrContent):
		return m, "not sent: " + err.Error(), nil
	}
	return m, "", err
}
