package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckAfterBackupRecords(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{check: true})
	f.cfg.Restic.CheckReadDataSubset = "100%"
	rep, err := f.runner.BackupWithReport(t.Context(), BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Steps, func(s StepResult) bool { return s.Name == StepCheck && s.Status == StatusOK }) {
		t.Errorf("steps %+v lack a successful check", rep.Steps)
	}
	var rec CheckRecord
	if found, err := f.cfg.StateDir().ReadRecord(LastCheckRecord, &rec); !found || err != nil {
		t.Fatalf("no check record: %v %v", found, err)
	}
	if rec.Status != StatusOK || rec.Kind != KindCheckResult || rec.ReadDataSubset != "100%" || rec.Result == nil ||
		rec.Result.PacksRead == 0 || !strings.HasSuffix(rec.Output, "no errors were found\n") || !rec.StartedAt.Equal(runT0) {
		t.Errorf("check record %+v", rec)
	}
}

func TestCheckFindsDamage(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	rec, err := f.runner.Check(t.Context(), CheckOptions{})
	if err != nil || rec.Status != StatusOK {
		t.Fatalf("Check of a sound repository: %v %v", rec, err)
	}
	packs, err := filepath.Glob(filepath.Join(f.repoDir, "data", "*", "*"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no packs: %v", err)
	}
	for _, p := range packs {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	rec, err = f.runner.Check(t.Context(), CheckOptions{})
	if !errors.Is(err, ErrRepositoryDamaged) {
		t.Fatalf("Check of a damaged repository: %v", err)
	}
	if rec.Status != StatusFailed || rec.Errors == 0 || !strings.Contains(rec.Output, "must be repaired") {
		t.Errorf("record %+v", rec)
	}
	var stored CheckRecord
	if _, err := f.cfg.StateDir().ReadRecord(LastCheckRecord, &stored); err != nil || stored.Status != StatusFailed {
		t.Errorf("stored check record %q %v", stored.Status, err)
	}
	// A damaged repository blocks the retention of later backups.
	f.cfg.Restic.ForgetAfterBackup = true
	_, err = f.runner.Backup(t.Context(), BackupOptions{Force: true})
	var se *StepError
	if !errors.As(err, &se) || se.Step != StepRetention {
		t.Errorf("backup after a failed check: %v, want a retention StepError", err)
	}
}

func TestCheckWithoutRepository(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{noInit: true})
	rec, err := f.runner.Check(t.Context(), CheckOptions{})
	if err == nil || rec == nil || rec.Status != StatusFailed || rec.Error == "" {
		t.Fatalf("Check without a repository: %+v %v", rec, err)
	}
	if _, statErr := os.Stat(f.repoDir); !os.IsNotExist(statErr) {
		t.Errorf("Check created the repository: %v", statErr)
	}
}
