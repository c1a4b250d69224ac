package retention

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a calendar duration as used by the keep-within rules, such
// as "1y2m3d4h". Years, months and days are calendar units: subtracting
// one month from March 31 gives March 3 (Go's time.AddDate normalisation),
// just as restic does.
type Duration struct {
	Years, Months, Days, Hours int
}

// ParseDuration parses a duration in restic's syntax: a sequence of
// non-negative integers each followed by a unit y (years), m (months), d
// (days) or h (hours), for example "1y2m3d4h" or "36h". Units may come in
// any order; when a unit is repeated the last value wins, as in restic.
// Surrounding white space is ignored and the empty string is the zero
// Duration. Anything else, including a negative value, is an error.
func ParseDuration(s string) (Duration, error) {
	var d Duration
	rest := strings.TrimSpace(s)
	for rest != "" {
		n, unit, tail, err := nextPart(rest)
		if err != nil {
			return Duration{}, fmt.Errorf("parse duration %q: %w", s, err)
		}
		switch unit {
		case 'y':
			d.Years = n
		case 'm':
			d.Months = n
		case 'd':
			d.Days = n
		case 'h':
			d.Hours = n
		}
		rest = tail
	}
	return d, nil
}

// errNegative is the cause for negative duration values.
var errNegative = errors.New("negative values are not allowed")

// nextPart splits one "<number><unit>" off the front of s.
func nextPart(s string) (n int, unit byte, rest string, err error) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return 0, 0, "", errors.New("no number found")
	}
	num := s[:i]
	n, err = strconv.Atoi(num)
	if err != nil {
		return 0, 0, "", fmt.Errorf("number %s is out of range", num)
	}
	if n < 0 {
		return 0, 0, "", errNegative
	}
	if i == len(s) {
		return 0, 0, "", fmt.Errorf("no unit found after number %s", num)
	}
	switch u := s[i]; u {
	case 'y', 'm', 'd', 'h':
		return n, u, s[i+1:], nil
	default:
		return 0, 0, "", fmt.Errorf("invalid unit %q found after number %s", rune(u), num)
	}
}

// String formats d as restic does: the non-zero parts in the order years,
// months, days, hours ("1y2d"); the zero Duration is "0h".
func (d Duration) String() string {
	var b strings.Builder
	for _, p := range []struct {
		n    int
		unit string
	}{{d.Years, "y"}, {d.Months, "m"}, {d.Days, "d"}, {d.Hours, "h"}} {
		if p.n != 0 {
			b.WriteString(strconv.Itoa(p.n))
			b.WriteString(p.unit)
		}
	}
	if b.Len() == 0 {
		return "0h"
	}
	return b.String()
}

// IsZero reports whether d is the zero Duration, which means "rule not
// set".
func (d Duration) IsZero() bool { return d == Duration{} }

// negative reports whether any part of d is negative.
func (d Duration) negative() bool {
	return d.Years < 0 || d.Months < 0 || d.Days < 0 || d.Hours < 0
}

// Before returns t minus d: years, months and days are subtracted
// calendar-wise in t's own location (time.AddDate), then the hours.
func (d Duration) Before(t time.Time) time.Time {
	t = t.AddDate(-d.Years, -d.Months, -d.Days)
	// Subtract hours in chunks so that huge values do not overflow
	// time.Duration.
	const chunk = 100000
	h := d.Hours
	for h > chunk {
		t = t.Add(-chunk * time.Hour)
		h -= chunk
	}
	return t.Add(-time.Duration(h) * time.Hour)
}

// MarshalText encodes d as its String form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes d with ParseDuration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
