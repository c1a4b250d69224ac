package retention_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/retention"
)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want retention.Duration
		str  string
	}{
		{"1y2m3d4h", retention.Duration{Years: 1, Months: 2, Days: 3, Hours: 4}, "1y2m3d4h"},
		{"2d1y", retention.Duration{Years: 1, Days: 2}, "1y2d"},
		{"36h", retention.Duration{Hours: 36}, "36h"},
		{"0d1h", retention.Duration{Hours: 1}, "1h"},
		{"1y0m", retention.Duration{Years: 1}, "1y"},
		{"01d", retention.Duration{Days: 1}, "1d"},
		{" 1d\n", retention.Duration{Days: 1}, "1d"},
		{"1d1d", retention.Duration{Days: 1}, "1d"}, // last value wins, as in restic
		{"1m1d1m", retention.Duration{Months: 1, Days: 1}, "1m1d"},
		{"1d-0h", retention.Duration{Days: 1}, "1d"},
		{"", retention.Duration{}, "0h"},
		{"0y0m0d0h", retention.Duration{}, "0h"},
	}
	for _, c := range cases {
		got, err := retention.ParseDuration(c.in)
		if err != nil || got != c.want || got.String() != c.str {
			t.Errorf("ParseDuration(%q) = %+v (%q), %v; want %+v (%q)", c.in, got, got.String(), err, c.want, c.str)
		}
	}
	for in, msg := range map[string]string{
		"1D":                    "invalid unit 'D' found after number 1",
		"1w":                    "invalid unit 'w' found after number 1",
		"1":                     "no unit found after number 1",
		"1d1":                   "no unit found after number 1",
		"d":                     "no number found",
		"1dd":                   "no number found",
		"+1d":                   "no number found",
		"1 d":                   "invalid unit ' ' found after number 1",
		"1d 2h":                 "no number found",
		"1.5d":                  "invalid unit '.' found after number 1",
		"-1d":                   "negative values are not allowed",
		"1d-2h":                 "negative values are not allowed",
		"99999999999999999999d": "out of range",
	} {
		if d, err := retention.ParseDuration(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseDuration(%q) = %+v, %v; want error %q", in, d, err, msg)
		}
	}
}

func TestDurationText(t *testing.T) {
	var d retention.Duration
	if err := d.UnmarshalText([]byte("1y36h")); err != nil || d != (retention.Duration{Years: 1, Hours: 36}) {
		t.Fatalf("UnmarshalText: %+v, %v", d, err)
	}
	if b, _ := d.MarshalText(); string(b) != "1y36h" {
		t.Fatalf("MarshalText = %q", b)
	}
	if err := d.UnmarshalText([]byte("x")); err == nil {
		t.Fatal("UnmarshalText accepted junk")
	}
}

func TestDurationBefore(t *testing.T) {
	tokyo := time.FixedZone("", 9*3600)
	cases := []struct {
		t    time.Time
		d    retention.Duration
		want time.Time
	}{
		// Years and months in one calendar step, normalised like AddDate.
		{time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC), retention.Duration{Years: 1, Months: 1}, time.Date(2023, 1, 29, 10, 0, 0, 0, time.UTC)},
		{time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC), retention.Duration{Months: 1}, time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)},
		// Hours after the calendar step.
		{time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC), retention.Duration{Months: 1, Hours: 2}, time.Date(2024, 1, 31, 23, 0, 0, 0, time.UTC)},
		// In t's own offset.
		{time.Date(2024, 3, 1, 5, 0, 0, 0, tokyo), retention.Duration{Months: 1}, time.Date(2024, 2, 1, 5, 0, 0, 0, tokyo)},
		// Huge hour counts do not overflow.
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), retention.Duration{Hours: 24 * 366 * 1000}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -366*1000)},
	}
	for _, c := range cases {
		if got := c.d.Before(c.t); !got.Equal(c.want) {
			t.Errorf("%s before %v = %v, want %v", c.d, c.t, got, c.want)
		}
	}
}
