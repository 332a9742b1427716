package taxii

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// Backend is what the handler needs of a node: its peers, the store's
// collections, users and statuses, and Compose. Implementations are safe
// for concurrent use; not-found is parley.ErrNotFound.
type Backend interface {
	Users
	Composer
	Peers(ctx context.Context) ([]parley.Peer, error)
	CollectionObjects(ctx context.Context, q parley.ObjectQuery) ([]parley.CollectionObject, error)
	AddTAXIIStatus(ctx context.Context, s parley.TAXIIStatus) error
	TAXIIStatus(ctx context.Context, id string, now time.Time) (parley.TAXIIStatus, error)
}

// Server is the TAXII 2.1 handler. Set the fields, then call Handler.
type Server struct {
	Backend Backend
	Log     *slog.Logger
	Clock   parley.Clock
	// Title names the node in the discovery and API root resources.
	Title string
	// MaxContentLength is the largest POST body accepted (413 above);
	// default 8 MiB.
	MaxContentLength int64
	// PageSize is the most objects in one response, and the page when a
	// request sets no limit; default 1000.
	PageSize int
	// Dispatch is how posted objects travel when they do not carry the
	// dispatch extension; default a warning due within the channel's time.
	Dispatch Dispatch
	// StatusKeep is how long the status of a POST can be read; default 7 days.
	StatusKeep time.Duration
	// HashParams are the costs of the hash that stands in for unknown
	// users' (tests lower them); default DefaultParams.
	HashParams HashParams

	once sync.Once
	auth *authenticator
}

// Path is where the TAXII resources live; APIRoot is the one API root.
const (
	Path    = "/taxii2/"
	APIRoot = Path + "api/"
)

func (s *Server) init() {
	s.once.Do(func() {
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		if s.Clock == nil {
			s.Clock = parley.SystemClock{}
		}
		if s.MaxContentLength <= 0 {
			s.MaxContentLength = 8 << 20
		}
		if s.PageSize <= 0 {
			s.PageSize = 1000
		}
		if s.Dispatch.Kind == 0 {
			s.Dispatch.Kind = envelope.KindWarning
		}
		if s.StatusKeep <= 0 {
			s.StatusKeep = 7 * 24 * time.Hour
		}
		if s.HashParams == (HashParams{}) {
			s.HashParams = DefaultParams
		}
		s.auth = newAuthenticator(s.Backend, s.Clock.Now, s.HashParams)
	})
}

// Handler returns the handler of everything under Path.
func (s *Server) Handler() http.Handler {
	s.init()
	return http.HandlerFunc(s.serve)
}

// apiError is a TAXII error message (§3.6.1) with its HTTP status.
type apiError struct {
	status      int
	title       string
	description string
}

func (e *apiError) Error() string { return e.title + ": " + e.description }

func fail(status int, title, format string, args ...any) *apiError {
	return &apiError{status, title, fmt.Sprintf(format, args...)}
}

// request is one authenticated request.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	user parley.TAXIIUser
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	u, err := s.auth.authenticate(r)
	if errors.Is(err, errUnauthenticated) {
		h.Add("WWW-Authenticate", `Basic realm="parley TAXII", charset="UTF-8"`)
		h.Add("WWW-Authenticate", `Bearer realm="parley TAXII"`)
		s.writeError(w, r, fail(http.StatusUnauthorized, "Unauthorized", "authenticate with HTTP Basic (a TAXII user's name and password) or a bearer API token"))
		return
	} else if err != nil {
		s.internal(w, r, "authenticating", err)
		return
	}
	if !acceptable(r.Header.Values("Accept")) {
		s.writeError(w, r, fail(http.StatusNotAcceptable, "Not Acceptable", "this server answers only in %s", MediaType))
		return
	}
	if err := s.route(&request{w: w, r: r, user: u}); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			s.writeError(w, r, ae)
			return
		}
		s.internal(w, r, "serving "+r.URL.Path, err)
	}
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.Log.Error("TAXII request failed", "op", what, "method", r.Method, "path", r.URL.Path, "err", err)
	s.writeError(w, r, fail(http.StatusInternalServerError, "Internal Server Error", "the server could not answer; its log says why"))
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.status == http.StatusRequestEntityTooLarge || e.status == http.StatusBadRequest {
		w.Header().Set("Connection", "close") // the body may not have been read
	}
	if e.status >= 400 && e.status < 500 && e.status != http.StatusNotFound && e.status != http.StatusUnauthorized {
		s.Log.Info("TAXII request refused", "method", r.Method, "path", r.URL.Path, "status", e.status, "reason", e.description)
	}
	writeJSON(w, e.status, struct {
		Title       string `json:"title"`
		Description string `json:"description,omitempty"`
		HTTPStatus  string `json:"http_status"`
	}{e.title, e.description, strconv.Itoa(e.status)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("taxii: encoding a response: " + err.Error()) // plain types only
	}
	writeBody(w, status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", MediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

var (
	errNotFound = fail(http.StatusNotFound, "Not Found", "no such TAXII resource")
)

// route dispatches on the path below Path; a trailing slash is optional.
func (s *Server) route(q *request) error {
	rest, ok := strings.CutPrefix(q.r.URL.Path, Path)
	if !ok {
		if q.r.URL.Path+"/" != Path {
			return errNotFound
		}
		rest = "" // "/taxii2": discovery
	}
	rest = strings.TrimSuffix(rest, "/")
	var seg []string
	if rest != "" {
		seg = strings.Split(rest, "/")
		if slices.Contains(seg, "") {
			return errNotFound
		}
	}
	method := func(allowed ...string) error {
		if slices.Contains(allowed, q.r.Method) || (q.r.Method == http.MethodHead && slices.Contains(allowed, http.MethodGet)) {
			return nil
		}
		q.w.Header().Set("Allow", strings.Join(allowed, ", "))
		return fail(http.StatusMethodNotAllowed, "Method Not Allowed", "%s is not allowed here (allowed: %s)", q.r.Method, strings.Join(allowed, ", "))
	}
	switch {
	case len(seg) == 0:
		if err := method(http.MethodGet); err != nil {
			return err
		}
		return s.discovery(q)
	case seg[0] != "api":
		return errNotFound
	case len(seg) == 1:
		if err := method(http.MethodGet); err != nil {
			return err
		}
		return s.apiRoot(q)
	case seg[1] == "status" && len(seg) == 3:
		if err := method(http.MethodGet); err != nil {
			return err
		}
		return s.status(q, seg[2])
	case seg[1] != "collections":
		return errNotFound
	case len(seg) == 2:
		if err := method(http.MethodGet); err != nil {
			return err
		}
		return s.collections(q)
	}
	c, err := s.collection(q, seg[2])
	if err != nil {
		return err
	}
	switch {
	case len(seg) == 3:
		if err := method(http.MethodGet); err != nil {
			return err
		}
		writeJSON(q.w, http.StatusOK, c.resource())
		return nil
	case len(seg) == 4 && seg[3] == "objects":
		if err := method(http.MethodGet, http.MethodPost); err != nil {
			return err
		}
		if q.r.Method == http.MethodPost {
			return s.addObjects(q, c)
		}
		return s.objects(q, c, ListEndpoint, "")
	case len(seg) == 4 && seg[3] == "manifest":
		if err := method(http.MethodGet); err != nil {
			return err
		}
		return s.manifest(q, c)
	case len(seg) == 5 && seg[3] == "objects":
		if err := method(http.MethodGet, http.MethodDelete); err != nil {
			return err
		}
		if q.r.Method == http.MethodDelete {
			if !c.canWrite {
				return fail(http.StatusForbidden, "Forbidden", "this collection is read-only for you")
			}
			return fail(http.StatusForbidden, "Forbidden", "what was sent to a peer is kept as evidence and cannot be deleted; withdraw the warning or request instead (parley withdraw)")
		}
		return s.objects(q, c, ObjectEndpoint, seg[4])
	case len(seg) == 6 && seg[3] == "objects" && seg[5] == "versions":
		if err := method(http.MethodGet); err != nil {
			return err
		}
		return s.versions(q, c, seg[4])
	}
	return errNotFound
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) discovery(q *request) error {
	root := baseURL(q.r) + APIRoot
	writeJSON(q.w, http.StatusOK, struct {
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Default     string   `json:"default"`
		APIRoots    []string `json:"api_roots"`
	}{s.Title + " (Parley)", "The channels of this Parley node: what each partner sent, and what is sent to it.", root, []string{root}})
	return nil
}

func (s *Server) apiRoot(q *request) error {
	writeJSON(q.w, http.StatusOK, struct {
		Title            string   `json:"title"`
		Description      string   `json:"description"`
		Versions         []string `json:"versions"`
		MaxContentLength int64    `json:"max_content_length"`
	}{s.Title + " channels", "Two collections per channel: PEER-in (read-only, what the peer sent) and PEER-out (what is sent to the peer; add objects to send them).",
		[]string{MediaType}, s.MaxContentLength})
	return nil
}

// collection is one collection as the requesting user sees it.
type collection struct {
	id, alias         string
	peer              parley.Peer
	dir               parley.Direction
	canRead, canWrite bool
}

func (c *collection) resource() any {
	title, desc := "From "+c.peer.Name, "STIX objects "+c.peer.Name+" sent on this channel (read-only)."
	if c.dir == parley.Outbound {
		title, desc = "To "+c.peer.Name, "STIX objects sent to "+c.peer.Name+"; objects added here are sent to it, signed and encrypted."
	}
	return struct {
		ID          string   `json:"id"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Alias       string   `json:"alias"`
		CanRead     bool     `json:"can_read"`
		CanWrite    bool     `json:"can_write"`
		MediaTypes  []string `json:"media_types"`
	}{c.id, title, desc, c.alias, c.canRead, c.canWrite, []string{STIXMediaType}}
}

// CollectionID is the id of a channel's collection in one direction: a
// version 5 UUID over the channel id and the direction.
func CollectionID(channel envelope.ID, d parley.Direction) string {
	h := sha1.New()
	h.Write(collectionNamespace[:])
	h.Write([]byte(channel.String() + "/" + string(d)))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// collectionNamespace is the UUID namespace of collection ids
// (c9ff824d-939c-4ba1-9843-e90a8188e2ce).
var collectionNamespace = [16]byte{0xc9, 0xff, 0x82, 0x4d, 0x93, 0x9c, 0x4b, 0xa1, 0x98, 0x43, 0xe9, 0x0a, 0x81, 0x88, 0xe2, 0xce}

// allows reports whether rights (aliases or "*") name alias.
func allows(rights []string, alias string) bool {
	return slices.Contains(rights, "*") || slices.Contains(rights, alias)
}

// allCollections lists every collection, with u's rights on each.
func (s *Server) allCollections(ctx context.Context, u parley.TAXIIUser) ([]*collection, error) {
	peers, err := s.Backend.Peers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*collection, 0, 2*len(peers))
	for _, p := range peers {
		for _, d := range []parley.Direction{parley.Inbound, parley.Outbound} {
			alias := parley.CollectionAlias(p.Name, d)
			out = append(out, &collection{id: CollectionID(p.Channel, d), alias: alias, peer: p, dir: d,
				canRead: allows(u.Read, alias), canWrite: d == parley.Outbound && allows(u.Write, alias)})
		}
	}
	return out, nil
}

func (s *Server) collections(q *request) error {
	cs, err := s.allCollections(q.r.Context(), q.user)
	if err != nil {
		return err
	}
	var res struct {
		Collections []any `json:"collections,omitempty"`
	}
	for _, c := range cs {
		if c.canRead || c.canWrite { // a user sees only what it has a right on
			res.Collections = append(res.Collections, c.resource())
		}
	}
	writeJSON(q.w, http.StatusOK, res)
	return nil
}

// collection finds the collection named by id (or alias): 404 if there is
// none, 403 if the user has no right on it.
func (s *Server) collection(q *request, id string) (*collection, error) {
	cs, err := s.allCollections(q.r.Context(), q.user)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if id != c.id && id != c.alias {
			continue
		}
		if !c.canRead && !c.canWrite {
			return nil, fail(http.StatusForbidden, "Forbidden", "you have no right on collection %s", c.alias)
		}
		return c, nil
	}
	return nil, fail(http.StatusNotFound, "Not Found", "no collection %q in this API root", id)
}

// tlpOf is the highest TLP a user is shown.
func tlpOf(u parley.TAXIIUser) stix.TLP {
	if u.MaxTLP == stix.TLPNone {
		return stix.TLPAmberStrict
	}
	return u.MaxTLP
}
