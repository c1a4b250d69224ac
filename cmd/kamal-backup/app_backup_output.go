package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/cli"
)

// appTimeFormat is how the operator commands print times for people: in
// local time, with the zone.
const appTimeFormat = "2006-01-02 15:04:05 MST"

// appTime formats t for people.
func appTime(t time.Time) string { return t.Local().Format(appTimeFormat) }

// writeBackupSummary prints a backup run for people: why it was skipped,
// or one line per source and per step after the snapshots.
func writeBackupSummary(w io.Writer, rep *kbackup.BackupRecord) error {
	var b strings.Builder
	switch {
	case rep.Status == kbackup.StatusSkipped && rep.Reason == kbackup.ReasonDisabled:
		b.WriteString("Backup skipped: backups are disabled (backup.enabled: false).\n")
	case rep.Status == kbackup.StatusSkipped:
		writeNotDue(&b, rep)
	default:
		took := rep.FinishedAt.Sub(rep.StartedAt).Round(time.Millisecond)
		if rep.Status == kbackup.StatusOK {
			fmt.Fprintf(&b, "Backup finished in %v.\n", took)
		} else {
			fmt.Fprintf(&b, "Backup failed after %v.\n", took)
		}
		for _, s := range rep.Sources {
			b.WriteString("  " + sourceLine(s) + "\n")
		}
		for _, s := range rep.Steps {
			if s.Name == kbackup.StepSnapshots {
				continue
			}
			b.WriteString("  " + stepLine(s, rep.Retention) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeNotDue explains a run skipped because the last backup is current.
func writeNotDue(b *strings.Builder, rep *kbackup.BackupRecord) {
	b.WriteString("Backup skipped: the last backup is still current.\n")
	if rep.LastBackupAt != nil {
		fmt.Fprintf(b, "  last backup: %s\n", appTime(*rep.LastBackupAt))
	}
	if rep.NextBackupAt != nil {
		in := rep.NextBackupAt.Sub(rep.FinishedAt).Round(time.Second)
		fmt.Fprintf(b, "  next backup due: %s (in %v)\n", appTime(*rep.NextBackupAt), in)
	}
	fmt.Fprintf(b, "Run %q to back up now.\n", rep.ForceCommand)
}

// sourceLine describes the backup of one source.
func sourceLine(s kbackup.SourceResult) string {
	name := "files " + strings.Join(s.Paths, ", ")
	if s.Type == kbackup.SourceDatabase {
		name = fmt.Sprintf("database %s (%s)", s.Database, s.Adapter)
	}
	var parts []string
	if s.Snapshot != "" {
		parts = append(parts, fmt.Sprintf("snapshot %s, read %s, added %s",
			shortID(s.Snapshot), cli.FormatBytes(s.Bytes), cli.FormatBytes(s.Added)))
	}
	if s.Status != kbackup.StatusOK {
		parts = append(parts, "failed: "+s.Error)
	}
	return name + ": " + strings.Join(parts, "; ")
}

// stepLine describes a step after the snapshots: verify, retention, check.
func stepLine(s kbackup.StepResult, retained []kbackup.RetentionResult) string {
	line := s.Name + ": " + s.Status
	if s.Error != "" {
		line += ": " + s.Error
	}
	if s.Name == kbackup.StepRetention && s.Status == kbackup.StatusOK {
		var groups []string
		for _, g := range retained {
			groups = append(groups, fmt.Sprintf("%s kept %d, removed %d", g.Group, len(g.Keep), len(g.Remove)))
		}
		if len(groups) > 0 {
			line += " (" + strings.Join(groups, "; ") + ")"
		}
	}
	return line
}

// shortID returns the first 8 characters of a snapshot ID, as restic
// shows them.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
