package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// messagePage is one message. An unread inbound message is shown without
// its content until the analyst opens it with a POST, which sends the
// signed read receipt: reading is an act the peer learns of, so a GET (a
// prefetch, a crawler, a reload) never does it.
type messagePage struct {
	Layout
	ID, Peer, Kind, Direction, State string
	Seq                              uint64
	Flash                            bool
	SentAt, DeliveredAt, ReadAt      time.Time
	RespondBy                        time.Time
	Refused                          string
	Sealed                           bool // unread inbound: content not shown yet
	Text                             string
	Attachments                      []string // "name (type, N bytes)"
	Records                          string   // stix.Render of the bundle
}

func (h *Handler) message(w http.ResponseWriter, r *http.Request) {
	id, err := envelope.ParseID(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "There is no such message.")
		return
	}
	m, err := h.cfg.Node.Store.Message(r.Context(), id)
	if errors.Is(err, parley.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no such message.")
		return
	}
	if err != nil {
		h.internal(w, r, "message", err)
		return
	}
	if m.Direction == parley.Inbound && m.ReadAt.IsZero() && m.State == parley.StateApplied && m.Refusal == 0 && m.Kind != envelope.KindReceipt {
		h.render(w, http.StatusOK, "message", h.messagePage(r, m, nil))
		return
	}
	h.openMessage(w, r, id)
}

// open reads a message: for an unread inbound one, it records the reading
// and queues the read receipt (parley.Node.Open).
func (h *Handler) open(w http.ResponseWriter, r *http.Request) {
	id, err := envelope.ParseID(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "There is no such message.")
		return
	}
	h.openMessage(w, r, id)
}

func (h *Handler) openMessage(w http.ResponseWriter, r *http.Request, id envelope.ID) {
	m, c, err := h.cfg.Node.Open(r.Context(), id)
	if errors.Is(err, parley.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no such message.")
		return
	}
	if err != nil {
		h.internal(w, r, "opening a message", err)
		return
	}
	if s := current(r.Context()); s != nil && m.Direction == parley.Inbound {
		h.log.Info("web: message read", "user", s.User.Name, "message", id.String(), "peer", m.PeerName)
	}
	h.render(w, http.StatusOK, "message", h.messagePage(r, m, c))
}

func (h *Handler) messagePage(r *http.Request, m parley.Message, c *parley.Content) messagePage {
	p := messagePage{Layout: h.layout(r, m.Kind.String()+" "+m.ID.String()), ID: m.ID.String(), Peer: m.PeerName, Kind: m.Kind.String(),
		Direction: string(m.Direction), State: m.State, Seq: m.Seq, Flash: m.Flash, SentAt: m.SentAt, DeliveredAt: m.DeliveredAt, ReadAt: m.ReadAt}
	if m.Refusal != 0 {
		p.Refused = m.Refusal.String()
	}
	if c == nil {
		p.Sealed = true
		return p
	}
	p.Text, p.RespondBy = c.Text, c.RespondBy
	for _, a := range c.Attachments {
		p.Attachments = append(p.Attachments, a.Name+" ("+a.Type+", "+itoa(len(a.Data))+" bytes)")
	}
	if len(c.Records) > 0 {
		b, err := stix.Parse(c.Records, stix.Options{})
		if err != nil {
			p.Records = "(records that do not parse: " + err.Error() + ")"
		} else {
			var sb strings.Builder
			stix.Render(&sb, b)
			p.Records = sb.String()
		}
	}
	return p
}
