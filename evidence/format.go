package evidence

import (
	"strconv"
	"strings"
	"time"
)

// durationUnits are the units formatDuration uses, largest first.
var durationUnits = []struct {
	name string
	d    time.Duration
}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}}

// formatDuration formats d for people with its two largest units, to the
// second: "3d 4h", "26m 5s", "0s".
func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	neg := d < 0
	if neg {
		d = -d
	}
	var parts []string
	for _, u := range durationUnits {
		if n := d / u.d; n > 0 && len(parts) < 2 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+u.name)
			d -= n * u.d
		} else if len(parts) > 0 {
			break
		}
	}
	if len(parts) == 0 {
		return "0s"
	}
	s := strings.Join(parts, " ")
	if neg {
		s = "-" + s
	}
	return s
}

// formatTime formats t for people, in UTC, to the minute.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
