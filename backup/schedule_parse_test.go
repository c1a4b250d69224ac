package backup

import (
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string // substring of the error; "" for success
	}{
		{in: "1d", want: 24 * time.Hour},
		{in: "6h", want: 6 * time.Hour},
		{in: "30m", want: 30 * time.Minute},
		{in: "90s", want: 90 * time.Second},
		{in: "45s", want: 45 * time.Second},
		{in: "1w", want: 7 * 24 * time.Hour},
		{in: "3600", want: time.Hour},
		{in: "6H", want: 6 * time.Hour},
		{in: "2 d", want: 48 * time.Hour},
		{in: " 1d ", want: 24 * time.Hour},
		{in: "0", err: `"0" is zero`},
		{in: "0s", err: `"0s" is zero`},
		{in: "", err: `"" is not an interval`},
		{in: "daily", err: `"daily" is not an interval`},
		{in: "1.5h", err: `"1.5h" is not an interval`},
		{in: "-1", err: `"-1" is not an interval`},
		{in: "+60", err: `"+60" is not an interval`},
		{in: "1h30m", err: `"1h30m" is not an interval`},
		{in: "1y", err: `"1y" is not an interval`},
		{in: "1ms", err: `"1ms" is not an interval`},
		{in: "99999999999999999999", err: "is too large"},
		{in: "99999999999w", err: "is too large"},
	}
	for _, tc := range cases {
		got, err := ParseSchedule(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseSchedule(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseSchedule(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
		}
	}
	if d, err := parseInterval("0"); err != nil || d != 0 {
		t.Errorf("parseInterval(0) = %v, %v", d, err)
	}
}

func TestFormatSchedule(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour: "1d", 7 * 24 * time.Hour: "1w", 36 * time.Hour: "36h", 90 * time.Second: "90s",
		30 * time.Minute: "30m", 0: "0s", 1500 * time.Millisecond: "1s",
	} {
		if got := FormatSchedule(d); got != want {
			t.Errorf("FormatSchedule(%v) = %q, want %q", d, got, want)
		}
		if d >= time.Second {
			if back, err := ParseSchedule(want); err != nil || back != d.Truncate(time.Second) {
				t.Errorf("ParseSchedule(FormatSchedule(%v)) = %v, %v", d, back, err)
			}
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"1d", "6h", "30m", "90s", "3600", "0", "1w", " 2 D ", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSchedule(s)
		if err != nil {
			return
		}
		if d <= 0 || d%time.Second != 0 {
			t.Fatalf("ParseSchedule(%q) = %v", s, d)
		}
		if back, err := ParseSchedule(FormatSchedule(d)); err != nil || back != d {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}
