package opendoor

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
)

// The decoders below read untrusted bodies into memory, within limits, and
// never touch the disk: net/http's ParseMultipartForm spills large files to
// temporary files, which would put a visitor's plaintext on disk.

// Decoding errors. errTooLarge maps to 413, the others to 400.
var (
	errTooLarge  = errors.New("the request is larger than allowed")
	errMalformed = errors.New("the request is malformed")
)

// formLimits bound an application/x-www-form-urlencoded body.
type formLimits struct {
	MaxBytes  int64 // the whole body
	MaxFields int   // name=value pairs
}

// decodeForm reads a urlencoded body of at most l.MaxBytes bytes and l.MaxFields fields.
func decodeForm(r io.Reader, l formLimits) (url.Values, error) {
	b, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return nil, errMalformed
	}
	if int64(len(b)) > l.MaxBytes {
		return nil, errTooLarge
	}
	if bytes.Count(b, []byte("&"))+1 > l.MaxFields {
		return nil, errTooLarge
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, errMalformed
	}
	for _, vs := range v {
		for _, s := range vs {
			if !utf8.ValidString(s) {
				return nil, errMalformed
			}
		}
	}
	return v, nil
}

// submissionLimits bound a multipart submission.
type submissionLimits struct {
	MaxBytes        int64 // the sum of every part's content: message, files, other fields
	MaxMessageBytes int   // the message field
	MaxFiles        int   // non-empty files
	MaxParts        int   // parts of any kind, empty file inputs included
}

// submission is a decoded multipart form of the open door.
type submission struct {
	Session string // the "session" field, when returning
	Message string // the "message" field
	Files   []opendoorcrypto.File
}

// Field names of the forms.
const (
	fieldMessage  = "message"
	fieldFiles    = "files"
	fieldSession  = "session"
	fieldToken    = "token"
	fieldCodename = "codename"
	shortField    = 256 // bytes of a session, token or codename field
)

// decodeSubmission streams a multipart/form-data body into memory within l.
// Fields other than message, session and files are read (within the
// limits) and ignored. A file input left empty by the browser (no name, no
// bytes) is skipped. File names keep only their last path element.
func decodeSubmission(r io.Reader, contentType string, l submissionLimits) (*submission, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errMalformed
	}
	mr := multipart.NewReader(r, params["boundary"])
	s := &submission{}
	budget := l.MaxBytes
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errMalformed
		}
		if parts >= l.MaxParts {
			return nil, errTooLarge
		}
		name := p.FormName()
		limit := budget
		switch name {
		case fieldMessage:
			limit = min(limit, int64(l.MaxMessageBytes))
		case fieldSession:
			limit = min(limit, shortField)
		}
		data, err := io.ReadAll(io.LimitReader(p, limit+1))
		if err != nil {
			return nil, errMalformed
		}
		if int64(len(data)) > limit {
			return nil, errTooLarge
		}
		budget -= int64(len(data))
		switch {
		case name == fieldFiles:
			fname := cleanFileName(p.FileName())
			if fname == "" && len(data) == 0 {
				continue
			}
			if len(s.Files) >= l.MaxFiles {
				return nil, errTooLarge
			}
			s.Files = append(s.Files, opendoorcrypto.File{Name: fname, Type: cleanType(p.Header.Get("Content-Type")), Data: data})
		case name == fieldMessage:
			if !utf8.Valid(data) {
				return nil, errMalformed
			}
			s.Message = normaliseNewlines(string(data))
		case name == fieldSession:
			s.Session = string(data)
		}
	}
	return s, nil
}

// normaliseNewlines turns the CRLF line ends browsers send into LF.
func normaliseNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// cleanFileName keeps the last element of a browser-supplied file name, as
// valid UTF-8 of at most 255 bytes without control characters.
func cleanFileName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	s = path.Base(strings.ReplaceAll(s, `\`, "/"))
	if s == "." || s == "/" || s == ".." {
		s = ""
	}
	return truncateUTF8(s, 255)
}

// cleanType keeps a media type only if it parses; parameters are dropped.
func cleanType(s string) string {
	mt, _, err := mime.ParseMediaType(s)
	if err != nil || len(mt) > 127 {
		return "application/octet-stream"
	}
	return mt
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
