package backup

import (
	"slices"
	"time"
)

// SourceStatus is what the schedule knows of one configured source.
type SourceStatus struct {
	// Source names it as the retention groups do: "database:<name>" or
	// "files".
	Source string
	// LastSuccessAt is when its newest successful snapshot finished; zero
	// when none is known (none since the schedule started, nor in the
	// last backup record it found).
	LastSuccessAt time.Time
	// Last is its result in the latest run known; nil when none.
	Last *SourceResult
}

// ScheduleStatus is the schedule's view of the backups, which Schedule
// gives to ScheduleOptions.OnStatus (for metrics).
type ScheduleStatus struct {
	// Interval is backup.schedule.
	Interval time.Duration
	// LateAfter is how old the newest successful backup of a source may
	// get before the source is late: LateAfter(Interval), one and a half
	// intervals.
	LateAfter time.Duration
	// Since is when the schedule started: a source with no known success
	// is late LateAfter after it.
	Since time.Time
	// Sources are the configured sources, databases in configured order,
	// then the files.
	Sources []SourceStatus
}

// LateAfter is how old the newest successful backup of a source may get,
// with backups due every interval, before it is late: 1.5 × interval.
// Ages are measured from the end of the backup, so a backup may take up
// to half an interval longer than the one before without being late.
func LateAfter(interval time.Duration) time.Duration { return interval + interval/2 }

// LateSince returns when s is, or becomes, late.
func (st ScheduleStatus) LateSince(s SourceStatus) time.Time {
	ref := s.LastSuccessAt
	if ref.IsZero() {
		ref = st.Since
	}
	return ref.Add(st.LateAfter)
}

// Late reports whether s is late at now: LateSince(s) has come.
func (st ScheduleStatus) Late(s SourceStatus, now time.Time) bool {
	return !now.Before(st.LateSince(s))
}

// clone returns a copy of st sharing nothing with it.
func (st ScheduleStatus) clone() ScheduleStatus {
	st.Sources = slices.Clone(st.Sources)
	for i, s := range st.Sources {
		if s.Last != nil {
			last := *s.Last
			last.Paths = slices.Clone(last.Paths)
			st.Sources[i].Last = &last
		}
	}
	return st
}

// sourceName returns the name of a source result: "database:<name>" or
// "files".
func sourceName(s SourceResult) string {
	if s.Type == SourceFiles {
		return "files"
	}
	return "database:" + s.Database
}

// merge takes in the sources of rec: each one's result, if newer than
// the one known, and its success.
func (st *ScheduleStatus) merge(rec *BackupRecord) {
	if rec == nil {
		return
	}
	for _, res := range rec.Sources {
		i := slices.IndexFunc(st.Sources, func(s SourceStatus) bool { return s.Source == sourceName(res) })
		if i < 0 {
			continue
		}
		s := &st.Sources[i]
		if s.Last == nil || !res.StartedAt.Before(s.Last.StartedAt) {
			last := res
			s.Last = &last
		}
		if res.Status == StatusOK && res.Snapshot != "" && res.FinishedAt.After(s.LastSuccessAt) {
			s.LastSuccessAt = res.FinishedAt
		}
	}
}
