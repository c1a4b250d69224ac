package backup

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHistoryOfBackupRuns backs up five times with check_after_backup
// and forget_after_backup (keep_last 3): every check and backup is in
// the history, mirrored into the repository, where retention never
// touches the mirror snapshots and list leaves them out, and restic
// reads them as ordinary snapshots.
func TestHistoryOfBackupRuns(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{forget: true, check: true})
	for day := range 5 {
		if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
			t.Fatalf("backup %d: %v", day, err)
		}
		f.clock.Advance(24 * time.Hour)
	}
	log, err := f.cfg.StateDir().ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range log.Entries {
		kinds = append(kinds, e.Kind)
	}
	want := slices.Repeat([]string{KindCheckResult, KindBackupResult}, 5)
	if !slices.Equal(kinds, want) || len(log.Bad) != 0 {
		t.Fatalf("history kinds %q (bad lines %v), want %q", kinds, log.Bad, want)
	}
	if got := len(f.snapshots(t, "database:app")); got != 3 {
		t.Errorf("%d app snapshots after retention, want 3", got)
	}
	mirrored := f.snapshots(t, "type:evidence")
	if len(mirrored) != 10 {
		t.Fatalf("%d mirror snapshots, want 10 (retention must not remove them)", len(mirrored))
	}
	// A check and its backup finish at the same time on the test clock:
	// find entry 10 by its tag.
	last := f.snapshots(t, "type:evidence", "seq:10")[0]
	if !last.Time.Equal(log.Entries[9].Time) || last.Hostname != "shop-backup" ||
		!slices.Equal(last.Tags, []string{"kamal-backup", "app:shop", "type:evidence", "seq:10"}) {
		t.Errorf("last mirror snapshot: time %v host %s tags %v", last.Time, last.Hostname, last.Tags)
	}
	rep, err := VerifyHistory(t.Context(), f.cfg.StateDir(), f.open(t), "shop", VerifyHistoryOptions{})
	if err != nil || !rep.OK() || len(rep.Warnings) != 0 || rep.MirroredEntries != 10 {
		t.Errorf("VerifyHistory: problems %v warnings %v mirrored %d, %v", rep.Problems, rep.Warnings, rep.MirroredEntries, err)
	}
	list, err := f.runner.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Type == SourceEvidence {
			t.Errorf("list shows the mirror snapshot %s", s.ShortID)
		}
	}
	if len(list) != 6 {
		t.Errorf("list shows %d snapshots, want 6 (3 per database)", len(list))
	}
	noRunSecret(t, f.readRecord(t, HistoryFile))

	// restic reads the mirror snapshots, and their content is the entry.
	f.restic(t, "check", "--read-data")
	if got := f.resticSnapshots(t, "type:evidence"); len(got) != 10 {
		t.Errorf("restic lists %d mirror snapshots, want 10", len(got))
	}
	var e HistoryEntry
	if err := json.Unmarshal(f.restic(t, "dump", last.ID().String(), "/"+HistoryMirrorFile("shop", 10)), &e); err != nil || e.Hash != log.Entries[9].Hash {
		t.Errorf("restic dump of entry 10: %+v, %v", e, err)
	}
}

// TestHistoryCheckWithoutRepository records a check that could not
// reach the repository locally only; the next run mirrors it.
func TestHistoryCheckWithoutRepository(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	moved := f.repoDir + ".away"
	if err := os.Rename(f.repoDir, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := f.runner.Check(t.Context(), CheckOptions{}); err == nil {
		t.Fatal("check without the repository succeeded")
	}
	if err := os.Rename(moved, f.repoDir); err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyHistory(t.Context(), f.cfg.StateDir(), f.open(t), "shop", VerifyHistoryOptions{})
	if err != nil || !rep.OK() || len(rep.Items) != 1 || rep.Items[0].Status != StatusFailed || rep.Items[0].Mirrored ||
		!slices.Equal(issueCodes(rep.Warnings), []string{IssueNotMirrored}) {
		t.Fatalf("after the failed check: items %+v, warnings %v, problems %v, %v", rep.Items, rep.Warnings, rep.Problems, err)
	}
	if _, err := f.runner.Check(t.Context(), CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err = VerifyHistory(t.Context(), f.cfg.StateDir(), f.open(t), "shop", VerifyHistoryOptions{})
	if err != nil || !rep.OK() || len(rep.Warnings) != 0 || rep.MirroredEntries != 2 {
		t.Errorf("after the second check: warnings %v, problems %v, mirrored %d, %v", rep.Warnings, rep.Problems, rep.MirroredEntries, err)
	}
}

// TestHistoryReplacedAccessoryRun runs a backup with an empty state
// directory on a repository holding a history: the chain continues.
func TestHistoryReplacedAccessoryRun(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(f.stateDir); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24 * time.Hour)
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyHistory(t.Context(), f.cfg.StateDir(), f.open(t), "shop", VerifyHistoryOptions{})
	if err != nil || !rep.OK() || len(rep.Warnings) != 0 || len(rep.Items) != 2 || rep.Head.Seq != 2 || rep.Head.Prev != rep.Items[0].Hash {
		t.Errorf("items %+v, warnings %v, problems %v, %v", rep.Items, rep.Warnings, rep.Problems, err)
	}
	if _, err := os.Stat(filepath.Join(f.stateDir, HistoryFile)); err != nil {
		t.Errorf("the local history was not rebuilt: %v", err)
	}
	// A deleted history entry of a failed run is detected.
	lines := strings.SplitAfter(f.readRecord(t, HistoryFile), "\n")
	if err := os.WriteFile(filepath.Join(f.stateDir, HistoryFile), []byte(lines[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, _ = VerifyHistory(t.Context(), f.cfg.StateDir(), f.open(t), "shop", VerifyHistoryOptions{})
	if !slices.Equal(issueCodes(rep.Problems), []string{IssueDeleted}) {
		t.Errorf("after deleting entry 2: %v", rep.Problems)
	}
}
