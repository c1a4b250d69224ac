package backup

import (
	"errors"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// counts returns the number of snapshots of app, queue and the files.
func (f *runFixture) counts(t testing.TB) [3]int {
	t.Helper()
	return [3]int{len(f.snapshots(t, "database:app")), len(f.snapshots(t, "database:queue")), len(f.snapshots(t, "type:files"))}
}

// backupDays runs a backup on each of n days; queue's dump fails on the
// days listed.
func (f *runFixture) backupDays(t testing.TB, n int, queueFails ...int) {
	t.Helper()
	for day := range n {
		fail := false
		for _, d := range queueFails {
			fail = fail || d == day
		}
		var err error
		if fail {
			err = errors.New("queue is down")
		}
		f.adapter.setFail("queue", err)
		if _, err := f.runner.Backup(t.Context(), BackupOptions{}); (err != nil) != fail {
			t.Fatalf("day %d: backup error %v", day, err)
		}
		f.clock.Advance(24 * time.Hour)
	}
	f.adapter.setFail("queue", nil)
}

func TestPruneAppliesRetentionPerGroup(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{paths: true})
	f.backupDays(t, 5, 1, 2, 3)
	if got, want := f.counts(t), [3]int{5, 2, 5}; got != want {
		t.Fatalf("before prune: app, queue, files = %v, want %v", got, want)
	}
	rep, err := f.runner.Prune(t.Context(), PruneOptions{})
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	// keep_last 3 applies to each group on its own: queue's two
	// snapshots are not crowded out by app's newer ones.
	if got, want := f.counts(t), [3]int{3, 2, 3}; got != want {
		t.Errorf("after prune: app, queue, files = %v, want %v", got, want)
	}
	if rep.Forgotten != 4 || rep.Prune == nil || len(rep.Groups) != 3 {
		t.Errorf("report: forgotten %d, prune %v, groups %+v", rep.Forgotten, rep.Prune, rep.Groups)
	}
	for _, g := range rep.Groups {
		if g.Host != "shop-backup" {
			t.Errorf("group %s host %q", g.Group, g.Host)
		}
	}
	// The newest snapshots are the ones kept, and restic agrees the
	// repository is sound.
	app := f.snapshots(t, "database:app")
	if !app[0].Time.Equal(runT0.Add(2 * 24 * time.Hour)) {
		t.Errorf("oldest kept app snapshot is from %v", app[0].Time)
	}
	f.restic(t, "check")
}

func TestForgetAfterBackup(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{forget: true})
	f.backupDays(t, 2)
	f.backupDays(t, 3, 0, 1, 2) // failed runs skip retention
	if got, want := f.counts(t), [3]int{5, 2, 0}; got != want {
		t.Fatalf("app, queue, files = %v, want %v", got, want)
	}
	rep, err := f.runner.BackupWithReport(t.Context(), BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.counts(t), [3]int{3, 3, 0}; got != want {
		t.Errorf("after a backup with forget_after_backup: app, queue, files = %v, want %v", got, want)
	}
	if len(rep.Retention) != 2 || len(rep.Retention[0].Remove) != 3 || len(rep.Retention[1].Remove) != 0 {
		t.Errorf("retention %+v", rep.Retention)
	}
}

func TestPruneRefusesAfterFailedCheck(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	f.backupDays(t, 4)
	failed := &CheckRecord{RecordHeader: NewRecordHeader(KindCheckResult), Status: StatusFailed, Errors: 1}
	if err := f.cfg.StateDir().WriteRecord(LastCheckRecord, failed); err != nil {
		t.Fatal(err)
	}
	_, err := f.runner.Prune(t.Context(), PruneOptions{})
	if !errors.Is(err, repo.ErrLastCheckFailed) {
		t.Fatalf("Prune after a failed check: %v, want ErrLastCheckFailed", err)
	}
	if got := f.counts(t); got[0] != 4 {
		t.Errorf("a refused prune forgot snapshots: %v", got)
	}
	if _, err := f.runner.Prune(t.Context(), PruneOptions{Force: true}); err != nil {
		t.Fatalf("forced Prune: %v", err)
	}
	if got := f.counts(t); got[0] != 3 {
		t.Errorf("after forced prune: %v", got)
	}
}
