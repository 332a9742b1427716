package opendoor

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
	"github.com/parley-dev/parley/internal/parley"
)

// Config configures the open door's handler. Zero fields take the defaults
// given in their comments.
type Config struct {
	// Door holds the use cases and the store. Required.
	Door *parley.OpenDoor
	// Log receives errors only: the handler logs no request, no address,
	// no user agent, and nothing that ties an item to a time.
	Log *slog.Logger
	// Params are the Argon2id parameters. Default opendoorcrypto.DefaultParams.
	Params opendoorcrypto.Params
	// MaxBytes bounds a submission: its message and files. Default 10 MiB.
	MaxBytes int64
	// MaxMessageBytes bounds the message text. Default 256 KiB.
	MaxMessageBytes int
	// MaxFiles bounds the files of a submission. Default 5.
	MaxFiles int
	// Workers is how many codename derivations run at once (each holds
	// Params.MemoryKiB of memory). Default 2.
	Workers int
	// Uploads is how many submissions are read at once (each holds up to
	// MaxBytes). Default 4.
	Uploads int
	// Queue is how many requests may wait for a worker or an upload slot,
	// each for at most QueueWait; beyond that the handler answers 503.
	// Defaults 16 and 20s.
	Queue     int
	QueueWait time.Duration
	// CheckTime is the granularity of the answer to a codename check: it
	// is sent at the first multiple of CheckTime after the request
	// arrived, so that its timing does not tell a right codename from a
	// wrong one. Default 1s.
	CheckTime time.Duration
	// RatePerMinute bounds codename checks and submissions together, for
	// everyone. Default 60.
	RatePerMinute int
	// PerCodenamePerHour bounds the checks and submissions under one
	// codename. Default 30.
	PerCodenamePerHour int
	// PendingMax and PendingBytes bound the first submissions held in
	// memory until their codename is confirmed, for at most PendingTTL.
	// Defaults 64, 256 MiB and 1h.
	PendingMax   int
	PendingBytes int64
	PendingTTL   time.Duration
	// SessionTTL is how long a returning visitor may write again without
	// entering the codename again. Default 30m.
	SessionTTL time.Duration
	// Now is the clock of the in-memory limits. Default time.Now.
	Now func() time.Time
}

func (c *Config) defaults() {
	setDefault(&c.Params, opendoorcrypto.DefaultParams)
	setDefault(&c.MaxBytes, 10<<20)
	setDefault(&c.MaxMessageBytes, 256<<10)
	setDefault(&c.MaxFiles, 5)
	setDefault(&c.Workers, 2)
	setDefault(&c.Uploads, 4)
	setDefault(&c.Queue, 16)
	setDefault(&c.QueueWait, 20*time.Second)
	setDefault(&c.CheckTime, time.Second)
	setDefault(&c.RatePerMinute, 60)
	setDefault(&c.PerCodenamePerHour, 30)
	setDefault(&c.PendingMax, 64)
	setDefault(&c.PendingBytes, 256<<20)
	setDefault(&c.PendingTTL, time.Hour)
	setDefault(&c.SessionTTL, 30*time.Minute)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Handler serves the open door. It is safe for concurrent use.
type Handler struct {
	cfg       Config
	log       *slog.Logger
	mux       *http.ServeMux
	templates map[string]*template.Template
	catalogs  map[string]map[string]string
	kdf       *gate
	uploads   *gate
	rate      *bucket
	perName   *window
	pending   *table[*pending]
	sessions  *table[session]
}

// New returns the open door's handler. Templates and messages are parsed
// and checked here, once.
func New(cfg Config) (*Handler, error) {
	if cfg.Door == nil || cfg.Door.Key == nil || cfg.Door.Store == nil {
		return nil, errors.New("opendoor: Config.Door needs a store and the open-door public key")
	}
	cfg.defaults()
	h := &Handler{cfg: cfg, log: cfg.Log}
	var err error
	if h.templates, err = parseTemplates(); err != nil {
		return nil, fmt.Errorf("opendoor: %w", err)
	}
	if h.catalogs, err = loadCatalogs(); err != nil {
		return nil, fmt.Errorf("opendoor: %w", err)
	}
	h.kdf = newGate(cfg.Workers, cfg.Queue, cfg.QueueWait)
	h.uploads = newGate(cfg.Uploads, cfg.Queue, cfg.QueueWait)
	h.rate = newBucket(cfg.RatePerMinute, cfg.Now)
	h.perName = newWindow(cfg.PerCodenamePerHour, time.Hour, 100_000, cfg.Now)
	h.pending = newTable[*pending](cfg.PendingMax, cfg.PendingBytes, cfg.PendingTTL, cfg.Now)
	h.sessions = newTable[session](10_000, 1<<40, cfg.SessionTTL, cfg.Now)

	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", h.choose)
	m.HandleFunc("GET /static/style.css", h.css)
	m.HandleFunc("GET /{lang}/{$}", h.home)
	m.HandleFunc("GET /{lang}/new", h.newForm)
	m.HandleFunc("POST /{lang}/new", h.newSubmit)
	m.HandleFunc("POST /{lang}/confirm", h.confirm)
	m.HandleFunc("GET /{lang}/return", h.returnForm)
	m.HandleFunc("POST /{lang}/return", h.returnSubmit)
	m.HandleFunc("POST /{lang}/write", h.write)
	m.HandleFunc("/", h.notFound)
	h.mux = m
	return h, nil
}

// Headers set on every response of the open door.
var strictHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy":              "no-referrer",
	"Cache-Control":                "no-store",
	"X-Content-Type-Options":       "nosniff",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"X-Frame-Options":              "DENY",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

// ServeHTTP sets the strict headers, recovers from panics without logging
// anything of the request, and dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	for k, v := range strictHeaders {
		hd.Set(k, v)
	}
	hd["Date"] = nil // the visitor's clock is none of our business, nor ours theirs
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// The panic value may hold a visitor's input: log the stack only.
			h.log.Error("open door: a request panicked", "stack", string(debug.Stack()))
			h.message(w, http.StatusInternalServerError, "en", "error")
		}
	}()
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) choose(w http.ResponseWriter, r *http.Request) {
	p := h.newPage("en", "/", "title_choose")
	b, err := h.render("choose", p)
	h.sendOr500(w, "en", b, err, 0)
}

func (h *Handler) css(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(styleCSS)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.message(w, http.StatusNotFound, "en", "not_found")
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	lang, ok := h.langOf(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	b, err := h.render("home", h.newPage(lang, "/", "title_home"))
	h.sendOr500(w, lang, b, err, 0)
}

func (h *Handler) writePage(lang, titleKey, action, submitKey string) writePage {
	return writePage{page: h.newPage(lang, "/new", titleKey), Action: action, SubmitKey: submitKey,
		MaxFiles: h.cfg.MaxFiles, MaxSize: humanSize(h.cfg.MaxBytes)}
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) {
	lang, ok := h.langOf(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	b, err := h.render("write", h.writePage(lang, "title_new", "/"+lang+"/new", "action_continue"))
	h.sendOr500(w, lang, b, err, 0)
}

func (h *Handler) returnForm(w http.ResponseWriter, r *http.Request) {
	lang, ok := h.langOf(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	b, err := h.render("return", returnPage{page: h.newPage(lang, "/return", "title_return")})
	h.sendOr500(w, lang, b, err, 0)
}

// sendOr500 sends a rendered page, or the error page if rendering failed.
func (h *Handler) sendOr500(w http.ResponseWriter, lang string, b []byte, err error, size int) {
	if err != nil {
		h.log.Error("open door: rendering a page", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "error")
		return
	}
	send(w, http.StatusOK, b, size)
}

// readSubmission admits and reads a multipart submission. It answers the
// visitor itself and returns nil when it cannot go on.
func (h *Handler) readSubmission(w http.ResponseWriter, r *http.Request, lang string) (*submission, func()) {
	if !h.rate.take() {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return nil, nil
	}
	leave, err := h.uploads.enter(r.Context())
	if err != nil {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return nil, nil
	}
	// Multipart framing adds a little to the content the limits count.
	body := http.MaxBytesReader(w, r.Body, h.cfg.MaxBytes+64<<10)
	sub, err := decodeSubmission(body, r.Header.Get("Content-Type"), submissionLimits{
		MaxBytes: h.cfg.MaxBytes, MaxMessageBytes: h.cfg.MaxMessageBytes, MaxFiles: h.cfg.MaxFiles, MaxParts: h.cfg.MaxFiles + 8,
	})
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errTooLarge) || errors.As(err, &mbe):
		leave()
		h.message(w, http.StatusRequestEntityTooLarge, lang, "too_large")
		return nil, nil
	case err != nil:
		leave()
		h.message(w, http.StatusBadRequest, lang, "bad_request")
		return nil, nil
	}
	return sub, leave
}

// seal seals a decoded submission in memory and wipes what it can of the
// plaintext (Go strings cannot be wiped; file contents can).
func (h *Handler) seal(sub *submission) (parley.DoorItem, error) {
	c := &opendoorcrypto.Content{Text: sub.Message, Files: sub.Files}
	item, err := h.cfg.Door.Seal(c)
	for _, f := range sub.Files {
		clear(f.Data)
	}
	return item, err
}

func empty(sub *submission) bool { return strings.TrimSpace(sub.Message) == "" && len(sub.Files) == 0 }

// derive runs the KDF in a worker slot.
func (h *Handler) derive(ctx context.Context, codename string) (*opendoorcrypto.Credentials, error) {
	leave, err := h.kdf.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	return opendoorcrypto.Derive(codename, h.cfg.Params)
}

// newSubmit takes a first submission: it is sealed at once and held in
// memory while the visitor confirms the codename it is given.
func (h *Handler) newSubmit(w http.ResponseWriter, r *http.Request) {
	lang, ok := h.langOf(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	sub, leave := h.readSubmission(w, r, lang)
	if sub == nil {
		return
	}
	defer leave()
	if empty(sub) {
		p := h.writePage(lang, "title_new", "/"+lang+"/new", "action_continue")
		p.ErrorKey, p.Message = "empty_message", sub.Message
		b, err := h.render("write", p)
		h.sendOr500(w, lang, b, err, 0)
		return
	}
	item, err := h.seal(sub)
	if err != nil {
		h.log.Error("open door: sealing a submission", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "error")
		return
	}
	codename, err := opendoorcrypto.NewCodename(nil)
	if err != nil {
		h.log.Error("open door: making a codename", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "error")
		return
	}
	cred, err := h.derive(r.Context(), codename)
	if errors.Is(err, errBusy) {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return
	} else if err != nil {
		h.log.Error("open door: deriving credentials", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "error")
		return
	}
	tok, err := h.pending.put(&pending{item: item, cred: cred, codename: codename}, int64(item.Size))
	if err != nil {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return
	}
	b, err := h.render("codename", codenamePage{page: h.newPage(lang, "/new", "title_codename"), Codename: codename, Token: tok})
	h.sendOr500(w, lang, b, err, 0)
}

// maxConfirmMisses is how many wrong confirmations drop a pending submission.
const maxConfirmMisses = 5

// formLimit bounds the small urlencoded forms (confirm, return).
var formLimit = formLimits{MaxBytes: 4 << 10, MaxFields: 8}

// confirm stores a first submission once the visitor has typed its
// codename back.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	lang, ok := h.langOf(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	form, err := decodeForm(http.MaxBytesReader(w, r.Body, formLimit.MaxBytes+1), formLimit)
	if err != nil {
		h.message(w, http.StatusBadRequest, lang, "bad_request")
		return
	}
	tok := form.Get(fieldToken)
	p, ok := h.pending.get(tok)
	if !ok {
		h.message(w, http.StatusGone, lang, "expired")
		return
	}
	typed := opendoorcrypto.NormaliseCodename(form.Get(fieldCodename))
	if subtle.ConstantTimeCompare([]byte(typed), []byte(p.codename)) != 1 {
		misses := 0
		h.pending.update(tok, func(p **pending) { (*p).misses++; misses = (*p).misses })
		if misses >= maxConfirmMisses {
			h.pending.remove(tok)
			h.message(w, http.StatusGone, lang, "expired")
			return
		}
		b, err := h.render("codename", codenamePage{page: h.newPage(lang, "/new", "title_codename"), Codename: p.codename, Token: tok, ErrorKey: "codename_mismatch"})
		h.sendOr500(w, lang, b, err, 0)
		return
	}
	h.pending.remove(tok)
	if _, err := h.cfg.Door.Register(r.Context(), p.cred, p.item); err != nil {
		h.log.Error("open door: storing a first submission", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "error")
		return
	}
	b, err := h.render("received", h.newPage(lang, "/", "title_received"))
	h.sendOr500(w, lang, b, err, 0)
}

// maxReplies is how many replies the visitor's page shows at most.
const maxReplies = 10

// returnSubmit checks a codename. Right or wrong, it does the same work
// (one derivation, one lookup, one constant-time comparison), answers with
// exactly checkSize bytes, and answers at a multiple of CheckTime.
func (h *Handler) returnSubmit(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Now()
	lang, ok := h.langOf(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	form, err := decodeForm(http.MaxBytesReader(w, r.Body, formLimit.MaxBytes+1), formLimit)
	if err != nil {
		h.message(w, http.StatusBadRequest, lang, "bad_request")
		return
	}
	if !h.rate.take() {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return
	}
	cred, err := h.derive(r.Context(), form.Get(fieldCodename))
	if errors.Is(err, errBusy) {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return
	} else if err != nil {
		h.log.Error("open door: deriving credentials", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "error")
		return
	}
	if !h.perName.allow(cred.Lookup) {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return
	}
	b, err := h.checkPage(r.Context(), lang, cred)
	h.waitCheckTime(r.Context(), start)
	h.sendOr500(w, lang, b, err, checkSize)
}

// checkPage renders the answer to a codename check: the visitor's replies
// and a form to write again, or the codename form with an error.
func (h *Handler) checkPage(ctx context.Context, lang string, cred *opendoorcrypto.Credentials) ([]byte, error) {
	v, err := h.cfg.Door.Check(ctx, cred)
	if errors.Is(err, parley.ErrUnknownCodename) {
		return h.render("return", returnPage{page: h.newPage(lang, "/return", "title_return"), ErrorKey: "codename_unknown"})
	} else if err != nil {
		return nil, err
	}
	replies, err := h.cfg.Door.Replies(ctx, v.ID, cred, maxReplies+1)
	if err != nil {
		return nil, err
	}
	tok, err := h.sessions.put(session{visitor: v.ID, lookup: cred.Lookup}, 0)
	if err != nil {
		return nil, err
	}
	p := inboxPage{page: h.newPage(lang, "/return", "title_inbox"), Write: h.writePage(lang, "title_write", "/"+lang+"/write", "action_send")}
	p.Write.Session = tok
	for _, rp := range replies {
		p.Replies = append(p.Replies, replyView{Date: rp.Date.Format("2006-01-02"), Text: rp.Text})
	}
	// Show as many of the latest replies as fit the fixed size.
	for n := min(len(p.Replies), maxReplies); ; n-- {
		q := p
		q.Replies, q.Older = p.Replies[:n], n < len(p.Replies)
		b, err := h.render("inbox", q)
		if err != nil || len(b)+len(padOpen)+len(padClose) <= checkSize || n == 0 {
			return b, err
		}
	}
}

// waitCheckTime sleeps until the first multiple of CheckTime since start.
func (h *Handler) waitCheckTime(ctx context.Context, start time.Time) {
	step := h.cfg.CheckTime
	el := h.cfg.Now().Sub(start)
	d := (el/step+1)*step - el
	if el%step == 0 && el > 0 {
		d = 0
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// write takes a returning visitor's submission.
func (h *Handler) write(w http.ResponseWriter, r *http.Request) {
	lang, ok := h.langOf(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	sub, leave := h.readSubmission(w, r, lang)
	if sub == nil {
		return
	}
	defer leave()
	s, ok := h.sessions.get(sub.Session)
	if !ok {
		h.message(w, http.StatusGone, lang, "expired")
		return
	}
	if !h.perName.allow(s.lookup) {
		h.message(w, http.StatusServiceUnavailable, lang, "busy")
		return
	}
	if empty(sub) {
		p := h.writePage(lang, "title_write", "/"+lang+"/write", "action_send")
		p.ErrorKey, p.Message, p.Session = "empty_message", sub.Message, sub.Session
		b, err := h.render("write", p)
		h.sendOr500(w, lang, b, err, 0)
		return
	}
	item, err := h.seal(sub)
	if err == nil {
		err = h.cfg.Door.Submit(r.Context(), s.visitor, item)
	}
	if err != nil {
		h.log.Error("open door: storing a submission", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "error")
		return
	}
	b, err := h.render("received", h.newPage(lang, "/", "title_received"))
	h.sendOr500(w, lang, b, err, 0)
}
