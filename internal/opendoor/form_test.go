package opendoor

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
)

// encodeSubmission writes s as multipart/form-data, as a browser would;
// tests and fuzz targets use it. It returns the body and its content type.
func encodeSubmission(s *submission) ([]byte, string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if s.Session != "" {
		if err := w.WriteField(fieldSession, s.Session); err != nil {
			return nil, "", err
		}
	}
	if err := w.WriteField(fieldMessage, s.Message); err != nil {
		return nil, "", err
	}
	for _, f := range s.Files {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, fieldFiles, f.Name)}
		h["Content-Type"] = []string{f.Type}
		pw, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		pw.Write(f.Data)
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

var testLimits = submissionLimits{MaxBytes: 1 << 16, MaxMessageBytes: 1 << 12, MaxFiles: 3, MaxParts: 8}

func TestDecodeSubmission(t *testing.T) {
	in := &submission{Session: "abc", Message: "line one\nline two ✓", Files: []opendoorcrypto.File{
		{Name: "ledger.csv", Type: "text/csv", Data: []byte("a,b\n")},
		{Name: "photo.jpg", Type: "image/jpeg", Data: bytes.Repeat([]byte{0xff}, 1000)},
	}}
	body, ct, err := encodeSubmission(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSubmission(bytes.NewReader(body), ct, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(in) {
		t.Errorf("decodeSubmission = %+v, want %+v", got, in)
	}
	for _, tt := range []struct {
		name string
		s    *submission
		ct   string
		want error
	}{
		{"message too long", &submission{Message: strings.Repeat("x", 1<<12+1)}, "", errTooLarge},
		{"too many files", &submission{Files: make([]opendoorcrypto.File, 4)}, "", errTooLarge},
		{"too many bytes", &submission{Files: []opendoorcrypto.File{{Name: "a", Data: make([]byte, 1<<16)}, {Name: "b", Data: make([]byte, 10)}}}, "", errTooLarge},
		{"not multipart", &submission{}, "application/x-www-form-urlencoded", errMalformed},
		{"no boundary", &submission{}, "multipart/form-data", errMalformed},
		{"bad utf-8", &submission{Message: "\xff"}, "", errMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.s.Files {
				if tt.s.Files[i].Name == "" {
					tt.s.Files[i].Name = "f"
				}
			}
			body, ct, err := encodeSubmission(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ct != "" {
				ct = tt.ct
			}
			if _, err := decodeSubmission(bytes.NewReader(body), ct, testLimits); !errors.Is(err, tt.want) {
				t.Errorf("decodeSubmission = %v, want %v", err, tt.want)
			}
		})
	}
	// A browser sends an empty file input as a part with no name and no bytes: skipped.
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("message", "hi")
	w.CreateFormFile("files", "")
	w.Close()
	got, err = decodeSubmission(&b, w.FormDataContentType(), testLimits)
	if err != nil || len(got.Files) != 0 || got.Message != "hi" {
		t.Errorf("empty file input: %+v, %v", got, err)
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":               "report.pdf",
		`C:\Users\anna\report.pdf`: "report.pdf",
		"/home/anna/report.pdf":    "report.pdf",
		"../../etc/passwd":         "passwd",
		"a\x00b\nc.txt":            "abc.txt",
		"..":                       "",
		"\xffname":                 "\uFFFDname",
		strings.Repeat("é", 200):   strings.Repeat("é", 127),
	} {
		if got := cleanFileName(in); got != want {
			t.Errorf("cleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeForm(t *testing.T) {
	l := formLimits{MaxBytes: 64, MaxFields: 3}
	v, err := decodeForm(strings.NewReader("token=abc&codename=otter+bamboo"), l)
	if err != nil || v.Get("codename") != "otter bamboo" || v.Get("token") != "abc" {
		t.Errorf("decodeForm = %v, %v", v, err)
	}
	for in, want := range map[string]error{
		strings.Repeat("a", 65): errTooLarge,
		"a=1&b=2&c=3&d=4":       errTooLarge,
		"a=%zz":                 errMalformed,
		"a=%ff":                 errMalformed,
	} {
		if _, err := decodeForm(strings.NewReader(in), l); !errors.Is(err, want) {
			t.Errorf("decodeForm(%q) = %v, want %v", in, err, want)
		}
	}
}

// FuzzDecodeForm: decodeForm never panics, never returns more than its
// limits allow, and agrees with url.ParseQuery on what it accepts.
func FuzzDecodeForm(f *testing.F) {
	f.Add("token=abc&codename=otter+bamboo")
	f.Add("a=%zz&&=;")
	f.Fuzz(func(t *testing.T, s string) {
		l := formLimits{MaxBytes: 256, MaxFields: 4}
		v, err := decodeForm(strings.NewReader(s), l)
		if err != nil {
			return
		}
		if len(s) > 256 || len(v) > 4 {
			t.Fatalf("decodeForm(%q) accepted beyond its limits: %v", s, v)
		}
		want, _ := url.ParseQuery(s)
		if fmt.Sprint(v) != fmt.Sprint(want) {
			t.Fatalf("decodeForm(%q) = %v, url.ParseQuery = %v", s, v, want)
		}
	})
}

// FuzzDecodeSubmission: on any body, decodeSubmission never panics and
// keeps within its limits; what it accepts, encoded again, decodes to the
// same submission (parse, marshal, parse is stable).
func FuzzDecodeSubmission(f *testing.F) {
	seed, ct, _ := encodeSubmission(&submission{Session: "s", Message: "hello", Files: []opendoorcrypto.File{{Name: "a.txt", Type: "text/plain", Data: []byte("data")}}})
	boundary := strings.TrimPrefix(ct, "multipart/form-data; boundary=")
	f.Add(seed, boundary)
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi\r\n--x--\r\n"), "x")
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../a\"\r\nContent-Type: text/plain; charset=x\r\n\r\n\x00\x01\r\n--x--"), "x")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		l := submissionLimits{MaxBytes: 4096, MaxMessageBytes: 512, MaxFiles: 2, MaxParts: 6}
		s, err := decodeSubmission(bytes.NewReader(body), "multipart/form-data; boundary="+boundary, l)
		if err != nil {
			return
		}
		n := len(s.Message)
		for _, f := range s.Files {
			n += len(f.Data)
		}
		if n > 4096 || len(s.Message) > 512 || len(s.Files) > 2 || len(s.Session) > shortField {
			t.Fatalf("accepted beyond the limits: %d bytes, %d files", n, len(s.Files))
		}
		again, ct, err := encodeSubmission(s)
		if err != nil {
			t.Fatalf("encoding an accepted submission: %v", err)
		}
		s2, err := decodeSubmission(bytes.NewReader(again), ct, submissionLimits{MaxBytes: 1 << 20, MaxMessageBytes: 1 << 20, MaxFiles: 2, MaxParts: 6})
		if err != nil {
			t.Fatalf("decoding the re-encoded submission: %v", err)
		}
		if fmt.Sprint(s2) != fmt.Sprint(s) {
			t.Fatalf("re-encoded submission differs:\n%+v\n%+v", s2, s)
		}
	})
}
