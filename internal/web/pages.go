package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// Layout is what every page's frame shows: the title, and for a signed-in
// user their name, role and the CSRF token of the sign-out form.
type Layout struct {
	Node  string
	Title string
	User  string
	Role  string
	CSRF  string
	// Supervisor is true for supervisors and admins.
	Supervisor bool
}

func (h *Handler) layout(r *http.Request, title string) Layout {
	l := Layout{Node: h.cfg.Title, Title: title}
	if s := current(r.Context()); s != nil {
		l.User, l.Role, l.CSRF = s.User.Name, s.User.Role, s.Session.CSRF
		l.Supervisor = parley.RoleRank(s.User.Role) >= parley.RoleRank(parley.RoleSupervisor)
	}
	return l
}

type errorPage struct {
	Layout
	Status  int
	Message string
}

// dashboardPage lists the peers.
type dashboardPage struct {
	Layout
	Peers []peerRow
}

type peerRow struct {
	Name, Purpose, Liveness string
	QueueDepth, Overdue     int
	LastDelivery            time.Time
	LastError               string
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := h.cfg.Node.Store
	status, err := st.Status(ctx)
	if err != nil {
		h.internal(w, r, "dashboard", err)
		return
	}
	lives, err := st.Livenesses(ctx)
	if err != nil {
		h.internal(w, r, "dashboard", err)
		return
	}
	board, err := h.cfg.Node.Board(ctx, nil)
	if err != nil {
		h.internal(w, r, "dashboard", err)
		return
	}
	live := map[envelope.Fingerprint]string{}
	for _, l := range lives {
		live[l.Peer] = l.State
	}
	now := h.cfg.Node.Now()
	overdue := map[envelope.Fingerprint]int{}
	for _, o := range board {
		if o.Overdue(now) {
			overdue[o.Peer]++
		}
	}
	p := dashboardPage{Layout: h.layout(r, "Channels")}
	for _, s := range status {
		fp := s.Peer.Fingerprint()
		l := live[fp]
		if l == "" {
			l = parley.LivenessUnknown
		}
		p.Peers = append(p.Peers, peerRow{Name: s.Peer.Name, Purpose: s.Peer.Purpose, Liveness: l, QueueDepth: s.QueueDepth,
			Overdue: overdue[fp], LastDelivery: s.LastDelivery, LastError: s.LastError})
	}
	h.render(w, http.StatusOK, "dashboard", p)
}

// threadPage is the channel with one peer: its messages in order.
type threadPage struct {
	Layout
	Peer     string
	Messages []messageRow
}

type messageRow struct {
	ID, Kind, Direction, State string
	Seq                        uint64
	Flash                      bool
	SentAt                     time.Time
	DeliveredAt, ReadAt        time.Time
	AnsweredAt                 time.Time
	Obligation                 bool // a warning or request
	Refused                    string
}

func (h *Handler) thread(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := h.cfg.Node.Store.PeerByName(ctx, r.PathValue("peer"))
	if errors.Is(err, parley.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no channel with that peer.")
		return
	}
	if err != nil {
		h.internal(w, r, "thread", err)
		return
	}
	fp := p.Fingerprint()
	ms, err := h.cfg.Node.Store.Messages(ctx, parley.Filter{Peer: &fp})
	if err != nil {
		h.internal(w, r, "thread", err)
		return
	}
	os, err := h.cfg.Node.Store.Obligations(ctx, parley.ObligationFilter{Peer: &fp})
	if err != nil {
		h.internal(w, r, "thread", err)
		return
	}
	answered := map[envelope.ID]time.Time{}
	for _, o := range os {
		answered[o.ID] = o.AnsweredAt
	}
	page := threadPage{Layout: h.layout(r, "Channel with "+p.Name), Peer: p.Name}
	for _, m := range ms {
		row := messageRow{ID: m.ID.String(), Kind: m.Kind.String(), Direction: string(m.Direction), State: m.State, Seq: m.Seq, Flash: m.Flash,
			SentAt: m.SentAt, DeliveredAt: m.DeliveredAt, ReadAt: m.ReadAt}
		if m.Kind == envelope.KindWarning || m.Kind == envelope.KindRequest {
			row.Obligation, row.AnsweredAt = true, answered[m.ID]
		}
		if m.Refusal != 0 {
			row.Refused = m.Refusal.String()
		}
		page.Messages = append(page.Messages, row)
	}
	h.render(w, http.StatusOK, "thread", page)
}

// proof sends the proof bundle of one message (parley.Node.MakeProof).
func (h *Handler) proof(w http.ResponseWriter, r *http.Request) {
	id, err := envelope.ParseID(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "There is no such message.")
		return
	}
	b, err := h.cfg.Node.MakeProof(r.Context(), id, true)
	if errors.Is(err, parley.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no such message.")
		return
	}
	if errors.Is(err, parley.ErrNotCheckpointed) {
		h.fail(w, r, http.StatusConflict, "The proof is not ready yet: the peer has not cosigned a checkpoint covering this message. Checkpoints follow deliveries; try again in a minute.")
		return
	}
	if err != nil {
		h.internal(w, r, "making a proof", err)
		return
	}
	if s := current(r.Context()); s != nil {
		h.log.Info("web: proof exported", "user", s.User.Name, "message", id.String())
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="proof-`+id.String()+`.json"`)
	w.Write(b)
}

// boardPage is the unanswered board.
type boardPage struct {
	Layout
	Rows []boardRow
}

type boardRow struct {
	ID, Peer, Kind, Direction string
	RespondBy                 time.Time
	Left                      time.Duration // negative: overdue
	Overdue                   bool
	Escalations               int
}

func (h *Handler) board(w http.ResponseWriter, r *http.Request) {
	os, err := h.cfg.Node.Board(r.Context(), nil)
	if err != nil {
		h.internal(w, r, "board", err)
		return
	}
	now := h.cfg.Node.Now()
	p := boardPage{Layout: h.layout(r, "Unanswered")}
	for _, o := range os {
		p.Rows = append(p.Rows, boardRow{ID: o.ID.String(), Peer: o.PeerName, Kind: o.Kind.String(), Direction: string(o.Direction),
			RespondBy: o.RespondBy, Left: o.RespondBy.Sub(now), Overdue: o.Overdue(now), Escalations: o.Escalations})
	}
	h.render(w, http.StatusOK, "board", p)
}

// hitsPage lists received persons who match the watchlist.
type hitsPage struct {
	Layout
	Hits []parley.Hit
}

func (h *Handler) hits(w http.ResponseWriter, r *http.Request) {
	hs, err := h.cfg.Node.Store.Hits(r.Context(), parley.HitFilter{Limit: 500})
	if err != nil {
		h.internal(w, r, "hits", err)
		return
	}
	h.render(w, http.StatusOK, "hits", hitsPage{Layout: h.layout(r, "Watchlist hits"), Hits: hs})
}

// composePage writes a letter or a warning.
type composePage struct {
	Layout
	Peers []string
	Form  composeForm
	Error string // the refusal or mistake, shown inline
	Sent  string // the id of the message just queued
}

// composeForm is the compose page's fields, as posted.
type composeForm struct {
	Peer, Kind, Text, TLP string
	RespondHours          string // warnings: hours until the deadline; empty: the channel's
	Flash                 bool
	PersonName            string
	PersonAliases         string // comma-separated
	PersonDOB             string
	PersonNationalities   string // comma-separated ISO 3166-1 alpha-2
}

func (h *Handler) composeForm(w http.ResponseWriter, r *http.Request) {
	h.renderCompose(w, r, http.StatusOK, composeForm{Kind: "letter", TLP: "amber", Peer: r.URL.Query().Get("peer")}, "", "")
}

func (h *Handler) renderCompose(w http.ResponseWriter, r *http.Request, status int, f composeForm, msg, sent string) {
	ps, err := h.cfg.Node.Store.Peers(r.Context())
	if err != nil {
		h.internal(w, r, "compose", err)
		return
	}
	p := composePage{Layout: h.layout(r, "Compose"), Form: f, Error: msg, Sent: sent}
	for _, x := range ps {
		p.Peers = append(p.Peers, x.Name)
	}
	h.render(w, status, "compose", p)
}

func (h *Handler) compose(w http.ResponseWriter, r *http.Request) {
	f := composeForm{
		Peer: r.PostFormValue("peer"), Kind: r.PostFormValue("kind"), Text: r.PostFormValue("text"), TLP: r.PostFormValue("tlp"),
		RespondHours: strings.TrimSpace(r.PostFormValue("respond_hours")), Flash: r.PostFormValue("flash") == "on",
		PersonName: strings.TrimSpace(r.PostFormValue("person_name")), PersonAliases: r.PostFormValue("person_aliases"),
		PersonDOB: strings.TrimSpace(r.PostFormValue("person_dob")), PersonNationalities: r.PostFormValue("person_nationalities"),
	}
	d, msg := h.draft(f)
	if msg == "" {
		if _, err := h.cfg.Node.Store.PeerByName(r.Context(), f.Peer); errors.Is(err, parley.ErrNotFound) {
			msg = "There is no channel with " + f.Peer + "."
		}
	}
	if msg != "" {
		h.renderCompose(w, r, http.StatusUnprocessableEntity, f, msg, "")
		return
	}
	m, err := h.cfg.Node.Compose(r.Context(), f.Peer, d)
	var ref *parley.Refusal
	switch {
	case errors.As(err, &ref):
		h.renderCompose(w, r, http.StatusUnprocessableEntity, f, "Refused: "+ref.Error(), "")
		return
	case errors.Is(err, parley.ErrContent):
		h.renderCompose(w, r, http.StatusUnprocessableEntity, f, err.Error(), "")
		return
	case err != nil:
		h.internal(w, r, "compose", err)
		return
	}
	if s := current(r.Context()); s != nil {
		h.log.Info("web: message queued", "user", s.User.Name, "peer", f.Peer, "kind", d.Kind.String(), "message", m.ID.String())
	}
	h.renderCompose(w, r, http.StatusOK, composeForm{Kind: f.Kind, TLP: f.TLP, Peer: f.Peer}, "", m.ID.String())
}

// draft builds the draft the form describes, or says what is wrong with it.
func (h *Handler) draft(f composeForm) (parley.Draft, string) {
	var d parley.Draft
	switch f.Kind {
	case "letter":
		d.Kind = envelope.KindLetter
	case "warning":
		d.Kind = envelope.KindWarning
	default:
		return d, "Choose a letter or a warning."
	}
	d.Flash = f.Flash
	d.Content.Text = f.Text
	if f.RespondHours != "" {
		if d.Kind != envelope.KindWarning {
			return d, "Only a warning has a deadline."
		}
		n, err := strconv.ParseFloat(f.RespondHours, 64)
		if err != nil || n <= 0 {
			return d, "The deadline is a number of hours, such as 24."
		}
		d.RespondWithin = time.Duration(n * float64(time.Hour)).Round(time.Second)
	}
	if f.PersonName == "" {
		return d, "" // text only; the channel's policy decides
	}
	tlp, err := stix.ParseTLP(f.TLP)
	if err != nil || tlp == stix.TLPNone {
		return d, "Choose the TLP of the person record."
	}
	objs, err := stix.NewPerson(stix.PersonInput{Name: f.PersonName, Aliases: split(f.PersonAliases), DOB: f.PersonDOB,
		Nationalities: upper(split(f.PersonNationalities))}, tlp, h.cfg.Node.Now())
	if err != nil {
		return d, "The person record: " + err.Error()
	}
	b, err := stix.NewBundle(objs)
	if err != nil {
		return d, "The person record: " + err.Error()
	}
	d.Content.Records = b
	return d, ""
}

func split(s string) []string {
	var out []string
	for x := range strings.SplitSeq(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func upper(ss []string) []string {
	for i, s := range ss {
		ss[i] = strings.ToUpper(s)
	}
	return ss
}
