package evidence

import (
	"fmt"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

// scheduleSection says how often backups and checks run and what the
// window's history shows.
func scheduleSection(r *report, doc *Document) {
	r.heading("How often")
	s := doc.Schedule
	if s.Enabled {
		r.para(txt("Backups are scheduled every "), cod(s.Interval), txt(" by the backup accessory."))
	} else {
		r.para(bold("Scheduled backups are disabled"), txt(" (backup.enabled is false): the accessory only serves restores, lists and checks."))
	}
	groups, auto, _ := backup.ParseAutoSubset(s.CheckReadDataSubset)
	switch {
	case s.CheckAfterBackup && auto:
		r.para(txt("A repository check runs after every backup and reads the next group of the rotation "), cod(s.CheckReadDataSubset),
			txt(fmt.Sprintf(": %d checks in a row read every pack stored before the first.", groups)))
	case s.CheckAfterBackup && s.CheckReadDataSubset != "":
		r.para(txt("A repository check runs after every backup and reads "), cod(s.CheckReadDataSubset), txt(" of the stored data."))
	case s.CheckAfterBackup:
		r.para(txt("A repository check runs after every backup (structure only, no data read)."))
	default:
		r.para(txt("No check runs after backups; checks are run separately."))
	}
	h := doc.BackupHistory
	if h.Value == nil {
		r.para(txt("The backup history could not be read: " + h.Error + "."))
		return
	}
	v := h.Value
	r.para(txt(fmt.Sprintf("Over the last %s (%s to %s):",
		formatDuration(time.Duration(v.WindowSeconds)*time.Second), formatTime(v.WindowStart), formatTime(v.WindowEnd))))
	var rows [][]line
	for _, sh := range v.Sources {
		rows = append(rows, []line{{cod(sh.Source)}, {txt(fmt.Sprint(sh.Backups))}, {txt(coverageText(sh))},
			{txt(gapText(sh.LargestGap))}, oldestCell(sh.OldestRestorable)})
	}
	r.table([]string{"Source", "Backups", "Scheduled intervals with a backup", "Largest gap", "Oldest restorable"}, rows)
}

// coverageText describes the share of intervals that got a backup.
func coverageText(sh SourceHistory) string {
	if sh.IntervalCoverage == nil {
		return "none expected"
	}
	return fmt.Sprintf("%d of %d (%.1f%%)", sh.IntervalsWithBackup, sh.IntervalsExpected, *sh.IntervalCoverage*100)
}

// gapText describes the largest gap.
func gapText(g *Gap) string {
	if g == nil {
		return "no backup at all"
	}
	d := formatDuration(time.Duration(g.Seconds) * time.Second)
	if g.Open {
		return d + " since " + formatTime(g.From) + " (ongoing)"
	}
	return d + " (" + formatTime(g.From) + " to " + formatTime(g.To) + ")"
}

// oldestCell describes the oldest restorable snapshot.
func oldestCell(s *SnapshotRef) line {
	if s == nil {
		return line{txt("none")}
	}
	return line{txt(formatTime(s.Time) + " "), cod(s.ID)}
}

// objectivesSection tabulates the objectives.
func objectivesSection(r *report, doc *Document) {
	r.heading("Recovery objectives")
	o := doc.Objectives
	var rows [][]line
	for _, x := range []struct {
		name string
		o    Objective
	}{{"RPO (largest gap between backups)", o.RPO}, {"RTO (duration of the last restore drill)", o.RTO},
		{"Age of the last successful restore drill", o.DrillMaxAge}, {"Age of the last passed check", o.CheckMaxAge}} {
		rows = append(rows, []line{{txt(x.name)}, {txt(deref(x.o.Target, "not declared"))},
			{txt(deref(x.o.Actual, "unknown"))}, {bold(x.o.Verdict)}, {txt(x.o.Reason)}})
	}
	r.table([]string{"Objective", "Target", "Actual", "Verdict", "Why"}, rows)
}
