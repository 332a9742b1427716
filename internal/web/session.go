package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/parley-dev/parley/internal/parley"
)

// Cookie names: with TLS the session cookie takes the __Host- prefix, which
// binds it to this origin with path / and Secure. Browsers refuse __Host-
// cookies without Secure, so over plain HTTP (loopback, or behind a proxy
// that terminates TLS) the plain name is used.
const (
	sessionCookie       = "parley-session"
	sessionCookieSecure = "__Host-parley-session"
	loginCookie         = "parley-login"
	loginCookieSecure   = "__Host-parley-login"
)

func cookieName(r *http.Request, plain, secure string) string {
	if r.TLS != nil {
		return secure
	}
	return plain
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, plain, secure, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(r, plain, secure), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// signedIn is the user of a request and their session.
type signedIn struct {
	User    parley.WebUser
	Session parley.WebSession
}

type ctxKey struct{}

func current(ctx context.Context) *signedIn {
	s, _ := ctx.Value(ctxKey{}).(*signedIn)
	return s
}

// session returns the request's valid session and its user, or nil.
func (h *Handler) session(r *http.Request) (*signedIn, error) {
	c, err := r.Cookie(cookieName(r, sessionCookie, sessionCookieSecure))
	if err != nil || c.Value == "" {
		return nil, nil
	}
	ctx := r.Context()
	s, err := h.cfg.Users.WebSession(ctx, hashSessionID(c.Value), h.cfg.Node.Now())
	if errors.Is(err, parley.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := h.cfg.Users.WebUser(ctx, s.User)
	if errors.Is(err, parley.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &signedIn{User: u, Session: s}, nil
}

// need wraps a handler with the session check, the role check and, for
// POST, the CSRF check.
func (h *Handler) need(role string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := h.session(r)
		if err != nil {
			h.internal(w, r, "reading the session", err)
			return
		}
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			h.fail(w, r, http.StatusUnauthorized, "Sign in first.")
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, s))
		if parley.RoleRank(s.User.Role) < parley.RoleRank(role) {
			h.fail(w, r, http.StatusForbidden, "This page is for the "+role+" role or above.")
			return
		}
		if r.Method == http.MethodPost && !equalToken(r.PostFormValue("csrf"), s.Session.CSRF) {
			h.fail(w, r, http.StatusForbidden, "The form expired or did not come from this site; reload the page and try again.")
			return
		}
		next(w, r)
	}
}

// loginPage is the sign-in form.
type loginPage struct {
	Layout
	Token string // the login form's double-submitted CSRF token
	Name  string
	Error string
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	tok := randomToken()
	h.setCookie(w, r, loginCookie, loginCookieSecure, tok, 600)
	h.render(w, http.StatusOK, "login", loginPage{Layout: h.layout(r, "Sign in"), Token: tok})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName(r, loginCookie, loginCookieSecure))
	if err != nil || !equalToken(r.PostFormValue("csrf"), c.Value) {
		h.fail(w, r, http.StatusForbidden, "The form expired or did not come from this site; reload the page and try again.")
		return
	}
	name, pw, code := r.PostFormValue("name"), r.PostFormValue("password"), r.PostFormValue("code")
	now := h.cfg.Node.Now()
	again := func(status int, msg string) {
		tok := randomToken()
		h.setCookie(w, r, loginCookie, loginCookieSecure, tok, 600)
		h.render(w, status, "login", loginPage{Layout: h.layout(r, "Sign in"), Token: tok, Name: name, Error: msg})
	}
	if !h.thr.allowed(name, now) {
		again(http.StatusTooManyRequests, "Too many failed sign-ins; wait a few minutes and try again.")
		return
	}
	u, err := h.cfg.Users.WebUser(r.Context(), name)
	if err != nil && !errors.Is(err, parley.ErrNotFound) {
		h.internal(w, r, "reading the user", err)
		return
	}
	hash := u.Password
	if err != nil {
		hash = dummyHash()
	}
	select {
	case h.hash <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	ok, verr := VerifyPassword(pw, hash)
	<-h.hash
	if verr != nil {
		h.log.Error("web: stored password hash", "user", name, "err", verr)
	}
	ok = ok && err == nil
	if ok && parley.RoleRank(u.Role) >= parley.RoleRank(parley.RoleSupervisor) {
		step, valid := totpStep(code, u.TOTPSecret, now)
		ok = u.TOTPSecret != "" && valid && h.codes.accept(u.Name, step)
	}
	if !ok {
		h.thr.failed(name, now)
		h.log.Warn("web: failed sign-in", "user", name)
		again(http.StatusUnauthorized, "Wrong name, password or code.")
		return
	}
	h.thr.succeeded(name)
	id := randomToken()
	s := parley.WebSession{IDHash: hashSessionID(id), User: u.Name, CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(h.cfg.SessionTTL)}
	if err := h.cfg.Users.AddWebSession(r.Context(), s); err != nil {
		h.internal(w, r, "storing the session", err)
		return
	}
	h.log.Info("web: signed in", slog.String("user", u.Name), slog.String("role", u.Role))
	h.setCookie(w, r, loginCookie, loginCookieSecure, "", -1)
	h.setCookie(w, r, sessionCookie, sessionCookieSecure, id, int(h.cfg.SessionTTL/time.Second))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if err != nil {
		h.internal(w, r, "reading the session", err)
		return
	}
	if s != nil {
		if !equalToken(r.PostFormValue("csrf"), s.Session.CSRF) {
			h.fail(w, r, http.StatusForbidden, "The form expired or did not come from this site; reload the page and try again.")
			return
		}
		if err := h.cfg.Users.DeleteWebSession(r.Context(), s.Session.IDHash); err != nil {
			h.internal(w, r, "ending the session", err)
			return
		}
	}
	h.setCookie(w, r, sessionCookie, sessionCookieSecure, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
