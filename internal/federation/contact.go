package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// The first-contact endpoints. The invited node stores an invitation; then,
// when its operator answers with the secret, it drives the handshake against
// the inviting node: start (msg1), finish (msg2 → the inviter's
// confirmation), confirm (its own confirmation and signed yes). A failed
// handshake is answered with one code, handshake_failed, whatever the cause.

// maxContactBody bounds a contact request (an identity file is about 7 KB).
const maxContactBody = 64 << 10

// InvitationRequest delivers an invitation to the invited node.
type InvitationRequest struct {
	ID        string    `json:"id"`
	Identity  []byte    `json:"identity"` // the inviter's identity file
	Purpose   string    `json:"purpose"`
	ExpiresAt time.Time `json:"expires_at"`
}

// HandshakeRequest carries one step of the handshake; fields depend on the step.
type HandshakeRequest struct {
	ID       string `json:"id"`
	Identity []byte `json:"identity,omitempty"` // finish: the invited node's identity file
	Message  []byte `json:"message,omitempty"`  // finish: msg2; confirm: the confirmation
	Answer   []byte `json:"answer,omitempty"`   // confirm: the signed yes
}

// HandshakeResponse answers start (msg1) and finish (the inviter's confirmation).
type HandshakeResponse struct {
	Message []byte `json:"message,omitempty"`
}

// limiter is a per-source token bucket: burst requests, refilled at rate per minute.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	burst   float64
	perMin  float64
}

type bucket struct {
	tokens float64
	last   time.Time
}

func (l *limiter) allow(source string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	if len(l.buckets) > 10000 { // bounded memory under a flood
		clear(l.buckets)
	}
	b, ok := l.buckets[source]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[source] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Minutes()*l.perMin)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (s *Server) registerContact(mux *http.ServeMux) {
	s.contactLimit = &limiter{burst: 10, perMin: 10}
	mux.HandleFunc("POST /federation/v1/contact/invitations", s.contact(s.postInvitation))
	mux.HandleFunc("POST /federation/v1/contact/start", s.contact(s.postStart))
	mux.HandleFunc("POST /federation/v1/contact/finish", s.contact(s.postFinish))
	mux.HandleFunc("POST /federation/v1/contact/confirm", s.contact(s.postConfirm))
	mux.HandleFunc("POST /federation/v1/contact/decline", s.contact(s.postDecline))
}

// contact wraps a contact handler: rate limit per source address, bounded
// strict JSON, and the mapping of contact errors to codes.
func (s *Server) contact(h func(ctx context.Context, body []byte) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if !s.contactLimit.allow(host, time.Now()) {
			s.refuse(w, r, parley.Errorf(parley.CodeRateLimited, -1, "too many first-contact requests; wait a minute"))
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			s.refuse(w, r, parley.Errorf(parley.CodeUnsupportedMedia, -1, "Content-Type must be application/json"))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxContactBody))
		if err != nil {
			s.refuse(w, r, parley.Errorf(parley.CodeTooLarge, -1, "a contact request is at most %d bytes", maxContactBody))
			return
		}
		out, err := h(r.Context(), body)
		switch {
		case errors.Is(err, parley.ErrInviteUnusable):
			err = parley.Errorf(parley.CodeInviteUnusable, -1, "%v", parley.ErrInviteUnusable)
		case errors.Is(err, parley.ErrHandshake):
			err = parley.Errorf(parley.CodeHandshakeFailed, -1, "%v", parley.ErrHandshake)
		}
		if err != nil {
			s.refuse(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func decodeContactJSON(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return parley.Errorf(parley.CodeMalformed, -1, "bad request body: %v", err)
	}
	if d.More() {
		return parley.Errorf(parley.CodeMalformed, -1, "trailing data after the JSON object")
	}
	return nil
}

func parseInviteID(s string) (envelope.ID, error) {
	id, err := envelope.ParseID(s)
	if err != nil {
		return id, parley.Errorf(parley.CodeMalformed, -1, "bad invitation id")
	}
	return id, nil
}

func (s *Server) postInvitation(ctx context.Context, body []byte) (any, error) {
	var req InvitationRequest
	if err := decodeContactJSON(body, &req); err != nil {
		return nil, err
	}
	id, err := parseInviteID(req.ID)
	if err != nil {
		return nil, err
	}
	inv, err := s.Node.ReceiveInvite(ctx, id, req.Identity, req.Purpose, req.ExpiresAt)
	if err != nil {
		return nil, err
	}
	s.Log.Info("first contact: invitation received", "invitation", id, "from_url", inv.PeerURL, "purpose", inv.Purpose)
	return struct{}{}, nil
}

// decodeHandshake decodes a handshake step and its invitation id.
func decodeHandshake(body []byte) (HandshakeRequest, envelope.ID, error) {
	var req HandshakeRequest
	if err := decodeContactJSON(body, &req); err != nil {
		return req, envelope.ID{}, err
	}
	id, err := parseInviteID(req.ID)
	return req, id, err
}

func (s *Server) postStart(ctx context.Context, body []byte) (any, error) {
	_, id, err := decodeHandshake(body)
	if err != nil {
		return nil, err
	}
	msg1, err := s.Node.HandshakeStart(ctx, id)
	if err != nil {
		return nil, err
	}
	return HandshakeResponse{Message: msg1}, nil
}

func (s *Server) postFinish(ctx context.Context, body []byte) (any, error) {
	req, id, err := decodeHandshake(body)
	if err != nil {
		return nil, err
	}
	confirm, err := s.Node.HandshakeFinish(ctx, id, req.Identity, req.Message)
	if err != nil {
		return nil, err
	}
	return HandshakeResponse{Message: confirm}, nil
}

func (s *Server) postConfirm(ctx context.Context, body []byte) (any, error) {
	req, id, err := decodeHandshake(body)
	if err != nil {
		return nil, err
	}
	if _, err := s.Node.HandshakeConfirm(ctx, id, req.Message, req.Answer); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) postDecline(ctx context.Context, body []byte) (any, error) {
	_, id, err := decodeHandshake(body)
	if err != nil {
		return nil, err
	}
	if err := s.Node.Declined(ctx, id); err != nil {
		return nil, err
	}
	s.Log.Info("first contact: invitation declined by the invited node", "invitation", id)
	return struct{}{}, nil
}

// postJSON sends v and decodes the answer into out (if not nil).
func (c *Client) postJSON(ctx context.Context, baseURL, path string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	u := strings.TrimSuffix(baseURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxContactBody))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var er ErrorResponse
		if json.Unmarshal(rb, &er) != nil || er.Error.Code == "" {
			return &RemoteError{Status: resp.StatusCode, Code: "unknown", Message: http.StatusText(resp.StatusCode)}
		}
		re := &RemoteError{Status: resp.StatusCode, Code: er.Error.Code, Message: er.Error.Message}
		switch parley.Code(er.Error.Code) {
		case parley.CodeInviteUnusable:
			return fmt.Errorf("%w (%v)", parley.ErrInviteUnusable, re)
		case parley.CodeHandshakeFailed:
			return fmt.Errorf("%w (%v)", parley.ErrHandshake, re)
		}
		return re
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rb, out)
}

// Invite delivers an invitation to the node at url.
func (c *Client) Invite(ctx context.Context, url string, inv parley.Invitation, identityFile []byte) error {
	return c.postJSON(ctx, url, "/federation/v1/contact/invitations",
		InvitationRequest{ID: inv.ID.String(), Identity: identityFile, Purpose: inv.Purpose, ExpiresAt: inv.ExpiresAt}, nil)
}

// ContactTransport is the client side of the handshake, for parley.Node.AcceptInvite.
type ContactTransport struct{ C *Client }

var _ parley.Transport = ContactTransport{}

// Start implements parley.Transport.
func (t ContactTransport) Start(ctx context.Context, url string, id envelope.ID) ([]byte, error) {
	var out HandshakeResponse
	err := t.C.postJSON(ctx, url, "/federation/v1/contact/start", HandshakeRequest{ID: id.String()}, &out)
	return out.Message, err
}

// Finish implements parley.Transport.
func (t ContactTransport) Finish(ctx context.Context, url string, id envelope.ID, identityFile, msg2 []byte) ([]byte, error) {
	var out HandshakeResponse
	err := t.C.postJSON(ctx, url, "/federation/v1/contact/finish", HandshakeRequest{ID: id.String(), Identity: identityFile, Message: msg2}, &out)
	return out.Message, err
}

// Confirm implements parley.Transport.
func (t ContactTransport) Confirm(ctx context.Context, url string, id envelope.ID, confirmB, answer []byte) error {
	return t.C.postJSON(ctx, url, "/federation/v1/contact/confirm", HandshakeRequest{ID: id.String(), Message: confirmB, Answer: answer}, nil)
}

// Decline implements parley.Transport.
func (t ContactTransport) Decline(ctx context.Context, url string, id envelope.ID) error {
	return t.C.postJSON(ctx, url, "/federation/v1/contact/decline", HandshakeRequest{ID: id.String()}, nil)
}
