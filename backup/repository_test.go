package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

func TestOpenRepository(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{noInit: true})
	opts := RepositoryOptions{KDF: runTestKDF}
	if _, err := OpenRepository(t.Context(), f.cfg, opts); !errors.Is(err, repo.ErrNoRepository) {
		t.Fatalf("open without init_if_missing: %v, want ErrNoRepository", err)
	}
	f.cfg.Restic.InitIfMissing = true
	if _, err := OpenRepository(t.Context(), f.cfg, RepositoryOptions{KDF: runTestKDF, NoInit: true}); !errors.Is(err, repo.ErrNoRepository) {
		t.Fatalf("open with NoInit: %v, want ErrNoRepository", err)
	}
	r, err := OpenRepository(t.Context(), f.cfg, opts)
	if err != nil {
		t.Fatalf("open with init_if_missing: %v", err)
	}
	id := r.Config().ID
	r.Backend().Close()
	r, err = OpenRepository(t.Context(), f.cfg, opts)
	if err != nil || r.Config().ID != id {
		t.Fatalf("reopen: %v (id %s, want %s)", err, r.Config().ID, id)
	}
	if _, err := InitRepository(t.Context(), f.cfg, opts); !errors.Is(err, repo.ErrAlreadyExists) {
		t.Errorf("InitRepository over an existing one: %v", err)
	}
	// restic opens what init_if_missing created.
	f.restic(t, "cat", "config")

	f.cfg.Restic.Password = redact.NewSecret("not-the-password-1234")
	_, err = OpenRepository(t.Context(), f.cfg, opts)
	if !errors.Is(err, repo.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	noSecret(t, []string{"not-the-password-1234", runRepoPassword}, err.Error())
}

func TestBackupInitIfMissing(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{noInit: true})
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); !errors.Is(err, repo.ErrNoRepository) {
		t.Fatalf("backup without a repository: %v", err)
	}
	f.cfg.Restic.InitIfMissing = true
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
		t.Fatalf("backup with init_if_missing: %v", err)
	}
	if n := len(f.snapshots(t)); n != 2 {
		t.Errorf("%d snapshots, want 2", n)
	}
}

// plantStaleLock leaves an exclusive lock file written two hours ago, as
// a process killed during a prune would.
func (f *runFixture) plantStaleLock(t testing.TB) {
	t.Helper()
	be, err := local.Open(f.repoDir)
	if err != nil {
		t.Fatal(err)
	}
	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	r, err := repo.Open(t.Context(), be, runRepoPassword, repo.Options{Now: past})
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := r.Lock(t.Context(), true)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.repoDir, "locks", l.ID())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestStaleLockThenUnlock(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	f.plantStaleLock(t)
	_, err := f.runner.Backup(t.Context(), BackupOptions{})
	var le *repo.LockedError
	if !errors.As(err, &le) || !le.Stale || !strings.Contains(err.Error(), "unlock") {
		t.Fatalf("backup with a stale lock: %v, want a stale LockedError", err)
	}
	n, err := f.runner.Unlock(t.Context(), false)
	if err != nil || n != 1 {
		t.Fatalf("Unlock: %d, %v; want 1 lock removed", n, err)
	}
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
		t.Fatalf("backup after unlock: %v", err)
	}

	// With UnlockStale the runner clears it by itself.
	f.plantStaleLock(t)
	f.runner.UnlockStale = true
	if _, err := f.runner.Backup(t.Context(), BackupOptions{Force: true}); err != nil {
		t.Fatalf("backup with UnlockStale: %v", err)
	}
	if n := len(f.lockFiles(t)); n != 0 {
		t.Errorf("%d lock files left", n)
	}
}
