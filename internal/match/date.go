package match

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Date is a date of birth known to the day or only to the year. The zero
// Date is unknown.
type Date struct {
	Year  int16 // 0 when unknown
	Month int8  // 1–12, or 0 when only the year is known
	Day   int8  // 1–31, or 0 when only the year is known
}

// ErrBadDate is returned for a date that is neither YYYY-MM-DD, YYYY nor empty.
var ErrBadDate = errors.New("date of birth must be YYYY-MM-DD, YYYY or empty")

// ParseDate parses "YYYY-MM-DD", "YYYY" or "" (unknown). Years run from 1000
// to 9999, and the day must exist in its month.
func ParseDate(s string) (Date, error) {
	switch len(s) {
	case 0:
		return Date{}, nil
	case 4:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1000 || s[0] == '+' || s[0] == '-' {
			return Date{}, fmt.Errorf("%q: %w", s, ErrBadDate)
		}
		return Date{Year: int16(y)}, nil
	case 10:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil || t.Year() < 1000 {
			return Date{}, fmt.Errorf("%q: %w", s, ErrBadDate)
		}
		return Date{Year: int16(t.Year()), Month: int8(t.Month()), Day: int8(t.Day())}, nil
	}
	return Date{}, fmt.Errorf("%q: %w", s, ErrBadDate)
}

// Known reports whether at least the year is known.
func (d Date) Known() bool { return d.Year != 0 }

// Full reports whether the day is known.
func (d Date) Full() bool { return d.Day != 0 }

func (d Date) String() string {
	switch {
	case !d.Known():
		return ""
	case !d.Full():
		return fmt.Sprintf("%04d", d.Year)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// dobEffect compares a query's date of birth with an entry's and returns
// how the name score changes: raise pulls the score towards 1 by that
// share, factor multiplies it. Exactly one of them departs from its neutral
// value (0 and 1).
func dobEffect(q, e Date) (raise, factor float64, how string) {
	switch {
	case !q.Known():
		return 0, 1, ""
	case !e.Known():
		// The query gives a date the list cannot confirm: a namesake
		// whose date matches ranks first.
		return 0, 0.98, ""
	}
	dy := int(q.Year) - int(e.Year)
	if dy < 0 {
		dy = -dy
	}
	switch {
	case q.Full() && e.Full() && q == e:
		return 0.5, 1, "DOB matches"
	case dy == 0 && (!q.Full() || !e.Full()):
		return 0.25, 1, "year of birth matches"
	case dy == 0 && q.Month == e.Day && q.Day == e.Month:
		return 0, 1, fmt.Sprintf("DOB %s ≈ %s (day and month swapped)", e, q)
	case dy == 0:
		return 0, 0.93, fmt.Sprintf("DOB differs in the same year (%s vs %s)", e, q)
	case dy == 1:
		return 0, 0.85, fmt.Sprintf("year of birth differs by one (%s vs %s)", e, q)
	}
	return 0, 0.7, fmt.Sprintf("DOB differs (%s vs %s)", e, q)
}

// dobRank orders dates of birth as evidence for a query: the same day, the
// same year, unknown, different.
func dobRank(q, e Date) int8 {
	switch {
	case !q.Known() || !e.Known():
		return 0
	case q == e:
		return 2
	case q.Year == e.Year:
		return 1
	}
	return -1
}
