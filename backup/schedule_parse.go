package backup

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// intervalUnits are the units of an interval, as the Ruby kamal-backup
// accepts them, largest first.
var intervalUnits = []struct {
	suffix byte
	d      time.Duration
}{
	{'w', 7 * 24 * time.Hour},
	{'d', 24 * time.Hour},
	{'h', time.Hour},
	{'m', time.Minute},
	{'s', time.Second},
}

// errIntervalSyntax explains the interval syntax.
var errIntervalSyntax = errors.New("write seconds or a whole number with s, m, h, d or w, such as 30m, 6h or 1d")

// ParseSchedule parses a backup interval (backup.schedule,
// BACKUP_SCHEDULE_SECONDS) as the Ruby kamal-backup does: a whole number
// of seconds ("3600") or a whole number followed by one unit s, m, h, d or
// w ("90s", "30m", "6h", "1d", "1w"), case-insensitive, optionally with
// blanks between number and unit. Fractions, signs, combined units
// ("1h30m") and intervals of zero are errors.
func ParseSchedule(s string) (time.Duration, error) {
	d, err := parseInterval(s)
	if err != nil {
		return 0, err
	}
	if d == 0 {
		return 0, fmt.Errorf("%q is zero: %w", s, errIntervalSyntax)
	}
	return d, nil
}

// parseInterval parses an interval in ParseSchedule's syntax, accepting
// zero.
func parseInterval(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && '0' <= t[i] && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("%q is not an interval: %w", s, errIntervalSyntax)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	unit := time.Second
	if rest := strings.TrimLeft(t[i:], " \t"); rest != "" {
		unit = 0
		for _, u := range intervalUnits {
			if len(rest) == 1 && (rest[0] == u.suffix || rest[0] == u.suffix-'a'+'A') {
				unit = u.d
			}
		}
		if unit == 0 {
			return 0, fmt.Errorf("%q is not an interval: %w", s, errIntervalSyntax)
		}
	}
	if n > math.MaxInt64/int64(unit) {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return time.Duration(n) * unit, nil
}

// FormatSchedule formats an interval in ParseSchedule's syntax with the
// largest unit that divides it exactly: 24h is "1d", 90 seconds "90s".
// Parts of a second are dropped.
func FormatSchedule(d time.Duration) string {
	d = d.Truncate(time.Second)
	if d <= 0 {
		return "0s"
	}
	for _, u := range intervalUnits {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + string(u.suffix)
		}
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
