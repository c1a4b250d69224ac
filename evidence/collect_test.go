package evidence

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// TestUnreadableState puts a state record that is not JSON and one that
// cannot be read at all in the state directory: each becomes an error at
// its place, the rest of the evidence is collected.
func TestUnreadableState(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 3)
	state := filepath.Join(f.dir, "state")
	if err := os.WriteFile(filepath.Join(state, backup.LastCheckRecord), []byte(`{"status": "ok", `), 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory in place of the record: reading it fails, even as root.
	if err := os.Mkdir(filepath.Join(state, backup.LastDrillRecord), 0o700); err != nil {
		t.Fatal(err)
	}
	doc := f.collect(t)
	js := render(t, doc, FormatJSON)
	for _, want := range []string{`"last_restic_check": {
    "error": "read state record`, `"last_restore_drill": {
    "error": "read state record`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %q:\n%s", want, js)
		}
	}
	if doc.LatestDatabaseBackups["app"].Value == nil || doc.BackupHistory.Value == nil {
		t.Errorf("the snapshots were not collected: %+v", doc.LatestDatabaseBackups)
	}
	o := doc.Objectives
	if o.CheckMaxAge.Verdict != VerdictUnknown || o.DrillMaxAge.Verdict != VerdictUnknown || o.RTO.Verdict != VerdictUnknown {
		t.Errorf("objectives judged on unreadable records: %+v", o)
	}
	if o.Verdict != VerdictUnknown {
		t.Errorf("overall verdict %s, want unknown", o.Verdict)
	}
	for _, format := range []string{FormatMarkdown, FormatHTML} {
		if out := render(t, doc, format); !strings.Contains(out, "could not be read") {
			t.Errorf("%s does not say the records could not be read:\n%s", format, out)
		}
	}
}

// TestUnreadableSnapshots damages a snapshot file: every place that
// needs the snapshots records the error, the rest is collected.
func TestUnreadableSnapshots(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 2)
	f.writeRecords(t)
	var name string
	err := f.r.Backend().List(context.Background(), backend.SnapshotFile, func(fi backend.FileInfo) error {
		name = fi.Name
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "repo", "snapshots", name), []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := f.collect(t)
	for place, fact := range map[string]Fact[SnapshotRef]{"app": doc.LatestDatabaseBackups["app"],
		"cache": doc.LatestDatabaseBackups["cache"], "files": doc.LatestFileBackup} {
		if fact.Error == "" {
			t.Errorf("latest backup of %s: %+v, want an error", place, fact)
		}
	}
	if doc.BackupHistory.Error == "" || doc.Repository.Value == nil || doc.Repository.Value.Snapshots.Error == "" {
		t.Errorf("history %+v, repository %+v: want errors", doc.BackupHistory, doc.Repository)
	}
	if doc.Repository.Value.SizeBytes.Value == nil {
		t.Errorf("the size was not collected: %+v", doc.Repository.Value.SizeBytes)
	}
	if doc.Objectives.RPO.Verdict != VerdictUnknown || doc.Objectives.CheckMaxAge.Verdict != VerdictPass {
		t.Errorf("objectives %+v", doc.Objectives)
	}
	js := render(t, doc, FormatJSON)
	if !strings.Contains(js, `"app": {
      "error": "`) {
		t.Errorf("latest_database_backups.app is not an error object:\n%s", js)
	}
	render(t, doc, FormatMarkdown)
	render(t, doc, FormatHTML)
}

// TestNoRepository collects without a repository.
func TestNoRepository(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	doc, err := Collect(context.Background(), f.cfg, nil, f.options())
	if err != nil {
		t.Fatal(err)
	}
	if doc.Repository.Error == "" || doc.LatestFileBackup.Error == "" || doc.BackupHistory.Error == "" {
		t.Errorf("no errors recorded: %+v", doc)
	}
	render(t, doc, FormatMarkdown)
}

// TestRPOGap leaves three days without backups: the largest gap is four
// days, the RPO objective fails and so does the whole.
func TestRPOGap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 10, 4, 5, 6)
	f.writeRecords(t)
	doc := f.collect(t)
	o := doc.Objectives
	if o.RPO.Verdict != VerdictFail || o.Verdict != VerdictFail {
		t.Fatalf("RPO %+v, overall %s: want fail", o.RPO, o.Verdict)
	}
	if *o.RPO.ActualSeconds != int64(4*day/time.Second) || !strings.HasPrefix(o.Reasons[0], "rpo: largest gap between backups of database:app was 4d") {
		t.Errorf("RPO %+v, reasons %q", o.RPO, o.Reasons)
	}
	app := doc.BackupHistory.Value.Sources[0]
	if app.Backups != 7 || app.IntervalsExpected != 10 || app.IntervalsWithBackup != 7 || *app.IntervalCoverage != 0.7 {
		t.Errorf("history of app: %+v", app)
	}
	g := app.LargestGap
	base := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	if g.Open || !g.From.Equal(base.Add(-7*day)) || !g.To.Equal(base.Add(-3*day)) {
		t.Errorf("largest gap %+v", g)
	}
}

// TestOpenGap stops backing up three days ago: the gap until now counts.
func TestOpenGap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 10, 0, 1, 2)
	f.writeRecords(t)
	doc := f.collect(t)
	g := doc.BackupHistory.Value.Sources[2].LargestGap
	if !g.Open || !g.To.Equal(now) || doc.Objectives.RPO.Verdict != VerdictFail {
		t.Errorf("gap %+v, RPO %+v", g, doc.Objectives.RPO)
	}
	if !strings.Contains(doc.Objectives.RPO.Reason, "no backup of database:app for 3d 11h") {
		t.Errorf("reason %q", doc.Objectives.RPO.Reason)
	}
}

// TestFailedRuns records a failed check and a failed drill.
func TestFailedRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 3)
	sd := f.cfg.StateDir()
	at := now.Add(-time.Hour)
	msg := "restore databases: pg_restore: error: could not connect"
	for name, rec := range map[string]any{
		backup.LastCheckRecord: &backup.CheckRecord{RecordHeader: backup.NewRecordHeader(backup.KindCheckResult),
			Status: backup.StatusFailed, StartedAt: at, FinishedAt: at.Add(time.Minute), Errors: 2, Output: "pack abc: damaged\n"},
		backup.LastDrillRecord: &backup.DrillRecord{RecordHeader: backup.NewRecordHeader(backup.KindDrillResult),
			Status: backup.StatusFailed, Scope: "local", RequestedSnapshot: "latest", StartedAt: at, FinishedAt: at.Add(time.Minute), Error: &msg},
	} {
		if err := sd.WriteRecord(name, rec); err != nil {
			t.Fatal(err)
		}
	}
	doc := f.collect(t)
	o := doc.Objectives
	for name, obj := range map[string]Objective{"rto": o.RTO, "drill_max_age": o.DrillMaxAge, "check_max_age": o.CheckMaxAge} {
		if obj.Verdict != VerdictFail {
			t.Errorf("%s: %+v, want fail", name, obj)
		}
	}
	md := render(t, doc, FormatMarkdown)
	for _, want := range []string{"The last repository check **FAILED**", "It found 2 errors.",
		"The last restore drill **FAILED**", "Error: restore databases: pg\\_restore: error: could not connect",
		"No verification command ran", "**FAIL**: at least one declared recovery objective is not met."} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestCancelled returns the context's error instead of a document of
// errors.
func TestCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if doc, err := Collect(ctx, f.cfg, f.r, f.options()); err == nil {
		t.Fatalf("Collect returned %+v, want an error", doc)
	}
}

// TestWindowAndRetention collects with a short window and a policy with
// rules the Ruby version does not know.
func TestWindowAndRetention(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	f.daily(t, 10)
	f.cfg.Restic.Retention.Hourly = 24
	f.cfg.Restic.Retention.Daily = 0
	opts := f.options()
	opts.Window = 3 * day
	doc, err := Collect(context.Background(), f.cfg, f.r, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s := doc.BackupHistory.Value.Sources[0]; s.Backups != 3 || s.IntervalsExpected != 3 || s.Snapshots != 10 {
		t.Errorf("history over 3 days: %+v", s)
	}
	js, _ := json.Marshal(doc.Retention)
	if want := `{"RESTIC_KEEP_LAST":"7","RESTIC_KEEP_HOURLY":"24","RESTIC_KEEP_DAILY":"0","RESTIC_KEEP_WEEKLY":"4","RESTIC_KEEP_MONTHLY":"6","RESTIC_KEEP_YEARLY":"2"}`; string(js) != want {
		t.Errorf("retention %s, want %s", js, want)
	}
}
