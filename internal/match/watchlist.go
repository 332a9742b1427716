package match

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The watchlist file format (CSV, RFC 4180 quoting, UTF-8):
//
//	id,name,aliases,dob,nationality
//	ru-0001,Нарышкин Сергей Евгеньевич,Sergey Naryshkin|Sergueï Narychkine,1954-10-27,RU
//
// The header is required, exactly these five columns in this order (case
// and surrounding spaces ignored). Aliases and nationalities are separated
// by "|"; dob is YYYY-MM-DD, YYYY or empty. A record must fit on one line
// (quoted fields may hold commas, not line breaks); blank lines are
// skipped; lines of more than MaxLineBytes are malformed.

// WatchlistHeader is the required header of a watchlist CSV file.
const WatchlistHeader = "id,name,aliases,dob,nationality"

// MaxLineBytes bounds a line of a watchlist or evaluation file.
const MaxLineBytes = 1 << 20

// RowError is a malformed row: its 1-based line number and what is wrong.
type RowError struct {
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// ErrHeader is returned when a file does not start with its header.
var ErrHeader = errors.New("bad header")

// ErrDuplicateID is the RowError of a row whose id an earlier row has.
var ErrDuplicateID = errors.New("duplicate id")

// ReadWatchlistCSV reads a watchlist file. It returns the entries of the
// well-formed rows, which Index.Add accepts, and one *RowError per
// malformed row (wrong number of fields, bad quoting, no id, a name without
// letters, a malformed date, an id already used on an earlier line, an
// overlong line); such a row is skipped whole and the rest is read. The
// error is non-nil only when the file cannot be read at all: an I/O error
// or a missing or wrong header.
func ReadWatchlistCSV(r io.Reader) ([]Entry, []*RowError, error) {
	lr := NewLineReader(r)
	header, err := lr.Header()
	if err != nil {
		return nil, nil, err
	}
	if !sameColumns(splitCSVHeader(header), strings.Split(WatchlistHeader, ",")) {
		return nil, nil, fmt.Errorf("line %d: %w: want %q, got %q", lr.Line(), ErrHeader, WatchlistHeader, truncate(header, 200))
	}
	var (
		entries []Entry
		bad     []*RowError
		first   = map[string]int{}
	)
	for {
		line, err := lr.Next()
		if err == io.EOF {
			return entries, bad, nil
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			bad = append(bad, rowErr)
			continue
		}
		if err != nil {
			return entries, bad, err
		}
		e, err := parseWatchlistRow(line)
		if err == nil {
			if at, dup := first[e.ID]; dup {
				err = fmt.Errorf("%w %q (first on line %d)", ErrDuplicateID, e.ID, at)
			}
		}
		if err != nil {
			bad = append(bad, &RowError{Line: lr.Line(), Err: err})
			continue
		}
		first[e.ID] = lr.Line()
		entries = append(entries, e)
	}
}

func splitCSVHeader(line string) []string {
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		return nil
	}
	return rec
}

func sameColumns(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.EqualFold(strings.TrimSpace(got[i]), want[i]) {
			return false
		}
	}
	return true
}

func parseWatchlistRow(line string) (Entry, error) {
	cr := csv.NewReader(strings.NewReader(line))
	cr.FieldsPerRecord = 5
	rec, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				return Entry{}, fmt.Errorf("%d fields, want 5 (%s)", len(rec), WatchlistHeader)
			}
			if pe.Line > 1 || errors.Is(pe.Err, csv.ErrQuote) && strings.Count(line, `"`)%2 == 1 {
				return Entry{}, errors.New("unterminated quoted field (a record must fit on one line)")
			}
			return Entry{}, fmt.Errorf("column %d: %v", pe.Column, pe.Err)
		}
		return Entry{}, err
	}
	if _, err := cr.Read(); err != io.EOF {
		return Entry{}, errors.New("a record must fit on one line")
	}
	e := Entry{
		ID:            strings.TrimSpace(rec[0]),
		Name:          strings.TrimSpace(rec[1]),
		Aliases:       splitList(rec[2]),
		DOB:           strings.TrimSpace(rec[3]),
		Nationalities: splitList(rec[4]),
	}
	// The checks Add makes, so that every entry returned is accepted.
	if _, err := prepare(e); err != nil {
		return Entry{}, err
	}
	return e, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// LineReader reads a text file line by line for the row-oriented formats
// (watchlist CSV, evaluation TSV): it counts lines, skips blank ones,
// removes a UTF-8 byte order mark and a CR before LF, and reports a line
// longer than MaxLineBytes as a *RowError without losing its place.
type LineReader struct {
	br   *bufio.Reader
	line int
}

// NewLineReader returns a LineReader on r.
func NewLineReader(r io.Reader) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Line returns the number of the line last returned.
func (lr *LineReader) Line() int { return lr.line }

// Header returns the first non-blank line, or an error wrapping ErrHeader
// when there is none.
func (lr *LineReader) Header() (string, error) {
	l, err := lr.Next()
	if err == io.EOF {
		return "", fmt.Errorf("%w: the file is empty", ErrHeader)
	}
	return l, err
}

// Next returns the next non-blank line, io.EOF at the end, a *RowError for
// an overlong line, or the reader's error.
func (lr *LineReader) Next() (string, error) {
	for {
		var b []byte
		tooLong := false
		for {
			chunk, err := lr.br.ReadSlice('\n')
			if !tooLong {
				if len(b)+len(chunk) > MaxLineBytes+2 {
					tooLong, b = true, nil
				} else {
					b = append(b, chunk...)
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				if len(chunk) == 0 && len(b) == 0 && !tooLong {
					return "", io.EOF
				}
				break
			}
			if err != nil {
				return "", err
			}
			break
		}
		lr.line++
		if tooLong {
			return "", &RowError{Line: lr.line, Err: fmt.Errorf("line longer than %d bytes", MaxLineBytes)}
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if lr.line == 1 {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		return s, nil
	}
}
