package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/evidence"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// e2eDay1 is 03:00 UTC of the first simulated day.
var e2eDay1 = time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)

// e2eClock is the injected clock of the end-to-end test: it stands where
// set puts it and moves one second at each reading, so that runs take
// time without the test sleeping.
type e2eClock struct {
	mu sync.Mutex
	t  time.Time
}

// set moves the clock to t.
func (c *e2eClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// now returns the time and moves the clock one second on.
func (c *e2eClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(time.Second)
	return t
}

// e2eApp is a SQLite app backed up into a local repository by the
// library (backup.Runner and backup.Restorer on the injected clock),
// whose evidence is read through the CLI.
type e2eApp struct {
	dir, config, live, scratch string
	env                        map[string]string
	cfg                        *kbackup.Config
	clock                      *e2eClock
	sqlite3                    string
	adapter                    kbackup.Adapter
	runner                     *kbackup.Runner
	logs                       *bytes.Buffer
}

// newE2EApp creates the live database (a table of items and a table
// holding a 1 MiB random blob, so that its pack is the repository's
// largest), the configuration declaring every objective, and the
// repository.
func newE2EApp(t *testing.T) *e2eApp {
	t.Helper()
	a := &e2eApp{dir: t.TempDir(), clock: &e2eClock{}, sqlite3: testenv.Tool(t, "sqlite3"), logs: &bytes.Buffer{},
		env: map[string]string{"RESTIC_PASSWORD": "e2e-repo-pw-90417", "KAMAL_BACKUP_OPERATOR": "e2e-operator"}}
	a.live, a.scratch = filepath.Join(a.dir, "data", "production.sqlite3"), filepath.Join(a.dir, "drill", "scratch.sqlite3")
	for _, d := range []string{"data", "drill", "state"} {
		if err := os.MkdirAll(filepath.Join(a.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	a.sql(t, a.live, "PRAGMA journal_mode=WAL; CREATE TABLE items(id INTEGER PRIMARY KEY AUTOINCREMENT, day INTEGER);"+
		"CREATE TABLE blobs(b BLOB); INSERT INTO blobs VALUES (randomblob(1048576));")
	a.config = filepath.Join(a.dir, "kamal-backup.yml")
	yml := strings.ReplaceAll(`app: shop
databases:
  - name: app
    adapter: sqlite
    path: DIR/data/production.sqlite3
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
  forget_after_backup: false
backup:
  schedule: 1d
state:
  path: DIR/state
evidence:
  rpo: 26h
  rto: 2h
  drill_max_age: 30d
  check_max_age: 7d
`, "DIR", a.dir)
	writeFile(t, a.config, []byte(yml))
	var err error
	if a.cfg, err = kbackup.LoadConfig(a.config, a.lookup, kbackup.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	be, err := local.Open(filepath.Join(a.dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Init(t.Context(), be, a.env["RESTIC_PASSWORD"], repo.InitOptions{KDF: fastKDF}); err != nil {
		t.Fatal(err)
	}
	a.adapter = sqlite.New(sqlite.Options{Sqlite3: a.sqlite3, TempDir: t.TempDir()})
	a.runner = &kbackup.Runner{Config: a.cfg, Adapters: kbackup.NewRegistry(a.adapter), Now: a.clock.now,
		Logger: slog.New(slog.NewTextHandler(a.logs, nil))}
	return a
}

// lookup is the app's environment.
func (a *e2eApp) lookup(name string) (string, bool) {
	v, ok := a.env[name]
	return v, ok
}

// day returns 03:00 UTC of simulated day d (1-based).
func (a *e2eApp) day(d int) time.Time { return e2eDay1.Add(time.Duration(d-1) * 24 * time.Hour) }

// sql runs statements on the SQLite database at path with sqlite3.
func (a *e2eApp) sql(t testing.TB, path, sql string) string {
	t.Helper()
	return strings.TrimSpace(string(testenv.RunTool(t, nil, "", a.sqlite3, "-batch", "-bail", "-init", "/dev/null", path, sql)))
}

// backup adds the day's row to the live database and runs the day's
// scheduled backup (not forced: it must be due) at 03:00.
func (a *e2eApp) backup(t *testing.T, d int) {
	t.Helper()
	a.sql(t, a.live, fmt.Sprintf("INSERT INTO items(day) VALUES (%d), (%d);", d, d))
	a.clock.set(a.day(d))
	rec, err := a.runner.Backup(t.Context(), kbackup.BackupOptions{})
	if err != nil || rec.Status != kbackup.StatusOK || len(rec.Databases) != 1 {
		t.Fatalf("day %d: backup %+v: %v\n%s", d, rec, err, a.logs)
	}
}

// check runs a check reading every pack at t.
func (a *e2eApp) check(t *testing.T, at time.Time) (*kbackup.CheckRecord, error) {
	t.Helper()
	a.clock.set(at)
	return a.runner.Check(t.Context(), kbackup.CheckOptions{ReadDataSubset: "100%"})
}

// drill runs a production drill of the latest snapshot at t into the
// scratch file, restoring with ad.
func (a *e2eApp) drill(t *testing.T, at time.Time, ad kbackup.Adapter) (*kbackup.DrillRecord, error) {
	t.Helper()
	a.clock.set(at)
	r := a.open(t)
	res, err := kbackup.NewRestorer(r, a.cfg, kbackup.NewRegistry(ad), kbackup.RestorerOptions{Now: a.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return res.Drill(t.Context(), kbackup.DrillOptions{Mode: kbackup.ModeProduction, SQLitePath: a.scratch,
		Confirm: kbackup.Confirmation{Yes: true}, Env: a.lookup})
}

// open opens the repository as it is now; it is closed at the test's end.
func (a *e2eApp) open(t *testing.T) *repo.Repository {
	t.Helper()
	r, err := kbackup.OpenRepository(t.Context(), a.cfg, kbackup.RepositoryOptions{NoInit: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Backend().Close() })
	return r
}

// evidence runs "kamal-backup evidence" at t and decodes its JSON.
func (a *e2eApp) evidence(t *testing.T, at time.Time) *evidence.Document {
	t.Helper()
	res := runEvidenceAt(t, a.env, at, "--config", a.config)
	if res.code != 0 {
		t.Fatalf("evidence at %s: exit %d\n%s", at, res.code, res.stderr)
	}
	var doc evidence.Document
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("evidence at %s: %v\n%s", at, err, res.stdout)
	}
	return &doc
}

// tamperAdapter restores with the real adapter, then runs after on the
// restored scratch database, before the drill verifies its rows.
type tamperAdapter struct {
	kbackup.Adapter
	after func()
}

// Restore restores, then tampers.
func (a *tamperAdapter) Restore(ctx context.Context, db kbackup.Database, rd io.Reader) error {
	if err := a.Adapter.Restore(ctx, db, rd); err != nil {
		return err
	}
	a.after()
	return nil
}

// DumpCounted passes on to the real adapter.
func (a *tamperAdapter) DumpCounted(ctx context.Context, db kbackup.Database) (kbackup.CountedDump, error) {
	return a.Adapter.(kbackup.RowCounter).DumpCounted(ctx, db)
}

// CountRows passes on to the real adapter.
func (a *tamperAdapter) CountRows(ctx context.Context, db kbackup.Database) (*kbackup.RowCounts, error) {
	return a.Adapter.(kbackup.RowCounter).CountRows(ctx, db)
}
