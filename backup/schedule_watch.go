package backup

import (
	"time"
)

// scheduleWatch follows the sources' backups for Schedule: it keeps the
// ScheduleStatus, tells OnStatus when it changes and the notifier when
// sources become late, once per lateness episode.
type scheduleWatch struct {
	r        *Runner
	st       ScheduleStatus
	notifier Notifier
	onStatus func(ScheduleStatus)
	merged   time.Time // StartedAt of the last backup record merged
	late     bool      // in a lateness episode: the late event was sent
}

// newScheduleWatch returns the watch of a schedule starting at now, with
// the last backup record of the state directory merged.
func (r *Runner) newScheduleWatch(now time.Time, n Notifier, onStatus func(ScheduleStatus)) *scheduleWatch {
	interval := r.Config.Backup.Interval
	w := &scheduleWatch{r: r, notifier: n, onStatus: onStatus,
		st: ScheduleStatus{Interval: interval, LateAfter: LateAfter(interval), Since: now}}
	for _, g := range r.retentionGroups() {
		w.st.Sources = append(w.st.Sources, SourceStatus{Source: g.name})
	}
	w.refresh()
	return w
}

// refresh merges the state directory's last backup record when it is
// new (a backup made by another process). Unreadable records are left
// to lastBackup to report.
func (w *scheduleWatch) refresh() {
	var rec BackupRecord
	found, err := w.r.Config.StateDir().ReadRecord(LastBackupRecord, &rec)
	if err != nil || !found || rec.StartedAt.Equal(w.merged) {
		return
	}
	w.observe(&rec)
}

// observe merges the record of a run and reports the new status.
func (w *scheduleWatch) observe(rec *BackupRecord) {
	if rec == nil {
		return
	}
	w.merged = rec.StartedAt
	w.st.merge(rec)
	w.report()
}

// report gives the status to OnStatus.
func (w *scheduleWatch) report() {
	if w.onStatus != nil {
		w.onStatus(w.st.clone())
	}
}

// check starts a lateness episode, notifying the late sources, when a
// source is late at now and none was; it ends the episode when none is.
func (w *scheduleWatch) check(now time.Time) {
	var late []LateSource
	var names []string
	for _, s := range w.st.Sources {
		if !w.st.Late(s, now) {
			continue
		}
		ls := LateSource{Source: s.Source, LateSince: w.st.LateSince(s)}
		if !s.LastSuccessAt.IsZero() {
			t := s.LastSuccessAt
			ls.LastSuccessAt = &t
		}
		late = append(late, ls)
		names = append(names, s.Source)
	}
	switch {
	case len(late) == 0:
		w.late = false
	case !w.late:
		w.late = true
		w.r.log().Warn("backup late: no successful backup within 1.5 intervals", "sources", names,
			"late_after", FormatSchedule(w.st.LateAfter))
		w.notifier.Notify(Event{Kind: EventLate, At: now, Late: late})
		w.report()
	}
}

// nextCheck returns the earliest time after now at which a source that
// is not late yet becomes late; zero when there is none.
func (w *scheduleWatch) nextCheck(now time.Time) time.Time {
	var next time.Time
	for _, s := range w.st.Sources {
		if t := w.st.LateSince(s); t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}
