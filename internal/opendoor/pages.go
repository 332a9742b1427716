package opendoor

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

//go:embed locales/*.json
var localeFS embed.FS

// languages lists the languages of the pages, in the order the chooser
// shows them, with their own names. Adding a language is adding a file
// locales/CODE.json with every key of en.json, and a line here.
var languages = []struct{ Code, Name string }{
	{"en", "English"},
	{"fr", "Français"},
}

// loadCatalogs reads every language's messages and checks that each has
// exactly the keys of English.
func loadCatalogs() (map[string]map[string]string, error) {
	cats := map[string]map[string]string{}
	for _, l := range languages {
		b, err := fs.ReadFile(localeFS, "locales/"+l.Code+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("locales/%s.json: %w", l.Code, err)
		}
		cats[l.Code] = m
	}
	en := slices.Sorted(maps.Keys(cats["en"]))
	for code, m := range cats {
		if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, en) {
			return nil, fmt.Errorf("locales/%s.json does not have the same keys as en.json", code)
		}
	}
	return cats, nil
}

// pageNames are the page templates, each rendered inside layout.html.
var pageNames = []string{"choose", "home", "write", "codename", "received", "return", "inbox", "message"}

func parseTemplates() (map[string]*template.Template, error) {
	base, err := template.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// page is what every page has: its language, the path of its GET-able
// equivalent (for the language links), its title and its messages.
type page struct {
	Lang     string
	TitleKey string
	Langs    []langLink
	tr       map[string]string
}

// Tr returns the message key in the page's language. A missing key is an
// error, so that a page never renders with a hole in it.
func (p page) Tr(key string) (string, error) {
	s, ok := p.tr[key]
	if !ok {
		return "", fmt.Errorf("no message %q in language %s", key, p.Lang)
	}
	return s, nil
}

type langLink struct {
	Code, Name, Href, Intro string
	Current                 bool
}

// writePage is the form of a submission: a first one, or a returning
// visitor's (with Session).
type writePage struct {
	page
	Action, Session, Message, ErrorKey, SubmitKey string
	MaxFiles                                      int
	MaxSize                                       string
}

type codenamePage struct {
	page
	Codename, Token, ErrorKey string
}

type returnPage struct {
	page
	ErrorKey string
}

type inboxPage struct {
	page
	Replies []replyView
	Older   bool
	Write   writePage
}

type replyView struct{ Date, Text string }

type messagePage struct {
	page
	TextKey string
}

// newPage returns the base of a page in lang; getPath is the path (after
// the language) of the page to link to in the other languages.
func (h *Handler) newPage(lang, getPath, titleKey string) page {
	p := page{Lang: lang, TitleKey: titleKey, tr: h.catalogs[lang]}
	for _, l := range languages {
		p.Langs = append(p.Langs, langLink{Code: l.Code, Name: l.Name, Href: "/" + l.Code + getPath, Current: l.Code == lang,
			Intro: h.catalogs[l.Code]["choose_intro"]})
	}
	return p
}

// Response sizes: every page is padded to a multiple of pageBucket, and
// every answer to a codename check to exactly checkSize, so that its size
// does not tell a right codename from a wrong one.
const (
	pageBucket = 16 << 10
	checkSize  = 64 << 10
	padOpen    = "\n<!--"
	padClose   = "-->\n"
)

// pad appends an HTML comment of spaces to b so that it is exactly size
// bytes, or (size 0, or b too long) a multiple of pageBucket.
func pad(b []byte, size int) []byte {
	over := len(padOpen) + len(padClose)
	if size == 0 || len(b)+over > size {
		size = (len(b) + over + pageBucket - 1) / pageBucket * pageBucket
	}
	out := make([]byte, 0, size)
	out = append(out, b...)
	out = append(out, padOpen...)
	out = append(out, bytes.Repeat([]byte{' '}, size-len(b)-over)...)
	return append(out, padClose...)
}

func (h *Handler) render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := h.templates[name].ExecuteTemplate(&b, "layout.html", data); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// send writes a rendered page padded to size (0: the next bucket).
func send(w http.ResponseWriter, status int, body []byte, size int) {
	body = pad(body, size)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// message sends a message page: busy, expired, not found, errors.
func (h *Handler) message(w http.ResponseWriter, status int, lang, key string) {
	if _, ok := h.catalogs[lang]; !ok {
		lang = "en"
	}
	b, err := h.render("message", messagePage{page: h.newPage(lang, "/", "title_"+key), TextKey: key + "_text"})
	if err != nil {
		h.log.Error("open door: rendering a message page", "err", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "120")
	}
	send(w, status, b, 0)
}

// humanSize renders a byte count for the form's hint.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// langOf returns the {lang} path value if it is a language of the pages.
func (h *Handler) langOf(r *http.Request) (string, bool) {
	l := r.PathValue("lang")
	_, ok := h.catalogs[l]
	return l, ok
}
