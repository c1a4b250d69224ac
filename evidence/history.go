package evidence

import (
	"math"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// BackupHistory describes each source's backups over a window ending at
// the document's time.
type BackupHistory struct {
	// WindowStart and WindowEnd bound the window: a backup at t is in it
	// when WindowStart < t <= WindowEnd.
	WindowStart   time.Time `json:"window_start"`
	WindowEnd     time.Time `json:"window_end"`
	WindowSeconds int64     `json:"window_seconds"`
	// IntervalSeconds is the configured time between backups, the
	// length of the scheduled intervals counted by each source.
	IntervalSeconds int64 `json:"interval_seconds"`
	// Sources are the databases in configured order, then the files.
	Sources []SourceHistory `json:"sources"`
}

// SourceHistory is one source's backups over the window.
type SourceHistory struct {
	// Source names the source: "database:<name>" or "files".
	Source string `json:"source"`
	// Type is SourceDatabase or SourceFiles.
	Type string `json:"type"`
	// Database is the database's name; null for files.
	Database *string `json:"database"`
	// Backups counts the source's snapshots in the window.
	Backups int `json:"backups"`
	// Snapshots counts the source's snapshots in the whole repository.
	Snapshots int `json:"snapshots"`
	// Newest and OldestRestorable are the source's newest and oldest
	// snapshots in the repository; null when there is none.
	Newest           *SnapshotRef `json:"newest"`
	OldestRestorable *SnapshotRef `json:"oldest_restorable"`
	// LargestGap is the longest time without a new backup: between two
	// consecutive snapshots, the later one in the window, or from the
	// newest snapshot until the document's time. It is the recovery
	// point achieved: data written just after a gap's start was at risk
	// for that long. Null when the source has no snapshot.
	LargestGap *Gap `json:"largest_gap"`
	// IntervalsExpected counts the scheduled intervals of the window
	// (consecutive spans of IntervalSeconds ending at WindowEnd), not
	// counting those that ended before the source's first snapshot;
	// IntervalsWithBackup counts those holding at least one snapshot.
	IntervalsExpected   int `json:"intervals_expected"`
	IntervalsWithBackup int `json:"intervals_with_backup"`
	// IntervalCoverage is IntervalsWithBackup / IntervalsExpected,
	// rounded to 4 decimals; null when no interval is expected.
	IntervalCoverage *float64 `json:"interval_coverage"`
}

// Gap is a time without a new backup.
type Gap struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Seconds int64     `json:"seconds"`
	// Open is set when no backup ended the gap: To is the document's
	// time.
	Open bool `json:"open"`
}

// duration returns the gap's length.
func (g *Gap) duration() time.Duration { return g.To.Sub(g.From) }

// history computes the backup history of sources from all snapshots
// (oldest first), over the window ending at now, with intervals of the
// given length.
func history(sources []source, all []*repo.Snapshot, now time.Time, window, interval time.Duration) BackupHistory {
	h := BackupHistory{WindowStart: now.Add(-window), WindowEnd: now, WindowSeconds: seconds(window),
		IntervalSeconds: seconds(interval), Sources: []SourceHistory{}}
	for _, s := range sources {
		h.Sources = append(h.Sources, sourceHistory(s, s.of(all), now, window, interval))
	}
	return h
}

// sourceHistory computes one source's history from its snapshots.
func sourceHistory(s source, snaps []*repo.Snapshot, now time.Time, window, interval time.Duration) SourceHistory {
	sh := SourceHistory{Source: s.label, Type: s.typ, Snapshots: len(snaps)}
	if s.database != "" {
		name := s.database
		sh.Database = &name
	}
	start := now.Add(-window)
	for _, sn := range snaps {
		if sn.Time.After(start) && !sn.Time.After(now) {
			sh.Backups++
		}
	}
	if len(snaps) > 0 {
		oldest, newest := refOf(snaps[0]), refOf(snaps[len(snaps)-1])
		sh.OldestRestorable, sh.Newest = &oldest, &newest
		sh.LargestGap = largestGap(snaps, start, now)
	}
	sh.IntervalsExpected, sh.IntervalsWithBackup = intervals(snaps, now, window, interval)
	if sh.IntervalsExpected > 0 {
		c := math.Round(float64(sh.IntervalsWithBackup)/float64(sh.IntervalsExpected)*1e4) / 1e4
		sh.IntervalCoverage = &c
	}
	return sh
}

// largestGap returns the longest gap between consecutive snapshots
// whose later one lies in (start, now], or from the newest snapshot to
// now. snaps must not be empty.
func largestGap(snaps []*repo.Snapshot, start, now time.Time) *Gap {
	last := snaps[len(snaps)-1].Time
	best := &Gap{From: last, To: now, Open: true}
	if now.Before(last) {
		best.To = last // a snapshot from the future: no open gap
	}
	for i := 1; i < len(snaps); i++ {
		from, to := snaps[i-1].Time, snaps[i].Time
		if !to.After(start) || to.After(now) {
			continue
		}
		if g := (&Gap{From: from, To: to}); g.duration() > best.duration() {
			best = g
		}
	}
	best.Seconds = seconds(best.duration())
	return best
}

// intervals counts the scheduled intervals of the window, (now-(k+1)i,
// now-k·i] for k = 0 .. max(1, window/i)-1, that end after the first
// snapshot (the source did not exist before it), and those holding a
// snapshot. With no snapshot at all every interval is expected.
func intervals(snaps []*repo.Snapshot, now time.Time, window, interval time.Duration) (expected, covered int) {
	if interval <= 0 {
		return 0, 0
	}
	n := max(1, int(window/interval))
	hit := make([]bool, n)
	for _, sn := range snaps {
		d := now.Sub(sn.Time)
		if d < 0 || d/interval >= time.Duration(n) {
			continue
		}
		hit[d/interval] = true
	}
	for k := range n {
		if len(snaps) > 0 && now.Add(-time.Duration(k)*interval).Before(snaps[0].Time) {
			break // this interval and all older ones end before the first snapshot
		}
		expected++
		if hit[k] {
			covered++
		}
	}
	return expected, covered
}

// seconds returns d in whole seconds, rounded.
func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }
