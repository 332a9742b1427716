package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/parley"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config configures the web UI's handler. Zero fields take the defaults in
// their comments.
type Config struct {
	// Node holds the use cases and the node's store. Required.
	Node *parley.Node
	// Users keeps the accounts and sessions. Required.
	Users parley.WebStore
	// Log receives errors and sign-ins.
	Log *slog.Logger
	// Title names the node in page titles. Default the node's name.
	Title string
	// SessionTTL is how long a session lasts after sign-in. Default 8h.
	SessionTTL time.Duration
	// LoginsPerMinute bounds failed logins a minute, for everyone
	// together. Default 30.
	LoginsPerMinute int
	// HashWorkers is how many password checks run at once (each holds the
	// hash's Argon2id memory, 64 MiB by default); further logins wait.
	// Default 2.
	HashWorkers int
}

// Handler is the web UI. Create it with New.
type Handler struct {
	cfg   Config
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
	thr   *throttle
	codes usedCodes
	hash  chan struct{} // a slot per concurrent password check
}

var _ http.Handler = (*Handler)(nil)

// New parses the templates and builds the routes.
func New(cfg Config) (*Handler, error) {
	if cfg.Node == nil || cfg.Users == nil {
		return nil, errors.New("web: Config.Node and Config.Users are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Title == "" {
		cfg.Title = cfg.Node.Name
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.LoginsPerMinute <= 0 {
		cfg.LoginsPerMinute = 30
	}
	if cfg.HashWorkers <= 0 {
		cfg.HashWorkers = 2
	}
	h := &Handler{cfg: cfg, log: cfg.Log, pages: map[string]*template.Template{}, thr: &throttle{perMin: cfg.LoginsPerMinute},
		hash: make(chan struct{}, cfg.HashWorkers)}
	funcs := template.FuncMap{"when": when, "ago": ago, "tlps": func() []string { return []string{"clear", "green", "amber", "amber+strict", "red"} }}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing the layout: %w", err)
	}
	for _, name := range []string{"login", "dashboard", "thread", "message", "board", "hits", "stats", "compose", "error"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", name, err)
		}
		h.pages[name] = t
	}
	static, _ := fs.Sub(staticFS, "static")
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", h.loginForm)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.logout)
	m.HandleFunc("GET /{$}", h.need(parley.RoleAnalyst, h.dashboard))
	m.HandleFunc("GET /channels/{peer}", h.need(parley.RoleAnalyst, h.thread))
	m.HandleFunc("GET /messages/{id}", h.need(parley.RoleAnalyst, h.message))
	m.HandleFunc("POST /messages/{id}/open", h.need(parley.RoleAnalyst, h.open))
	m.HandleFunc("GET /messages/{id}/proof", h.need(parley.RoleSupervisor, h.proof))
	m.HandleFunc("GET /board", h.need(parley.RoleAnalyst, h.board))
	m.HandleFunc("GET /hits", h.need(parley.RoleAnalyst, h.hits))
	m.HandleFunc("GET /stats", h.need(parley.RoleSupervisor, h.stats))
	m.HandleFunc("GET /compose", h.need(parley.RoleAnalyst, h.composeForm))
	m.HandleFunc("POST /compose", h.need(parley.RoleAnalyst, h.compose))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "There is no such page.")
	})
	h.mux = m
	return h, nil
}

// Headers set on every response.
var strictHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy":              "no-referrer",
	"Cache-Control":                "no-store",
	"X-Content-Type-Options":       "nosniff",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"X-Frame-Options":              "DENY",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=()",
}

// ServeHTTP sets the strict headers, bounds request bodies and dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	for k, v := range strictHeaders {
		hd.Set(k, v)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	h.mux.ServeHTTP(w, r)
}

// maxFormBytes bounds a form post.
const maxFormBytes = 1 << 20

// render executes a page's template with its typed data.
func (h *Handler) render(w http.ResponseWriter, status int, page string, data any) {
	t := h.pages[page]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout.html", data); err != nil {
		h.log.Error("web: rendering", "page", page, "err", err)
	}
}

// fail renders the error page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := errorPage{Layout: h.layout(r, "Error"), Status: status, Message: msg}
	h.render(w, status, "error", p)
}

// internal logs err and renders a generic error: internal detail is never
// shown.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, op string, err error) {
	h.log.Error("web: "+op, "err", err)
	h.fail(w, r, http.StatusInternalServerError, "Something went wrong; the error is in the node's log.")
}

func itoa(n int) string { return strconv.Itoa(n) }

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// ago says how long is left (d positive) or overdue (d negative), in days,
// hours and minutes: "1d 2h left", "45m overdue".
func ago(d time.Duration) string {
	s := "left"
	if d < 0 {
		d, s = -d, "overdue"
	}
	m := int64(d.Round(time.Minute) / time.Minute)
	days, hours, mins := m/(24*60), m/60%24, m%60
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%dh", hours))
	}
	if mins > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%dm", mins))
	}
	return strings.Join(parts, " ") + " " + s
}
