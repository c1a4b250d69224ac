package backup_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// sqliteCount returns the number of rows of table t in db.
func sqliteCount(t *testing.T, db string) string {
	t.Helper()
	out := testenv.RunTool(t, nil, "", "sqlite3", "-batch", "-init", "/dev/null", db, "select count(*) from t;")
	return strings.TrimSpace(string(out))
}

// TestRestoreSQLite backs up a real SQLite database that lies inside the
// backed-up storage, drills it into scratch targets, then restores
// production: the live database keeps its inode (the files swap leaves it
// in place) and gets the backed-up content.
func TestRestoreSQLite(t *testing.T) {
	sqlite3 := testenv.Tool(t, "sqlite3")
	ctx := t.Context()
	dir := t.TempDir()
	storage := filepath.Join(dir, "live", "storage")
	live := filepath.Join(storage, "db", "production.sqlite3")
	backup.WriteTestTree(t, storage, map[string]string{"uploads/a.txt": "v1", "db/keep.txt": "x"})
	testenv.RunTool(t, nil, "", sqlite3, "-batch", "-init", "/dev/null", live,
		"pragma journal_mode=wal; create table t(x); insert into t values (1),(2),(3);")

	cfgPath := filepath.Join(dir, "config", "kamal-backup.yml")
	backup.WriteTestTree(t, filepath.Dir(cfgPath), map[string]string{"kamal-backup.yml": fmt.Sprintf(`app: shop
databases:
  - {name: app, adapter: sqlite, path: %s}
paths: [%s]
restic: {repository: %s, password: {secret: RESTIC_PASSWORD}}
state: {path: %s}
`, live, storage, filepath.Join(dir, "repo"), filepath.Join(dir, "state"))})
	e := env{"RESTIC_PASSWORD": "restic-password-1"}
	cfg, err := backup.LoadConfig(cfgPath, e.lookup, backup.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	be, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(ctx, be, "restic-password-1", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	a := sqlite.New(sqlite.Options{TempDir: t.TempDir(), Sqlite3: sqlite3})
	db := cfg.Databases()[0]
	rc, err := a.Dump(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.BackupStream(ctx, backup.DumpFilename("shop", "app", a), rc, repo.SnapshotOptions{Tags: backup.DatabaseTags("shop", "app", "sqlite"), Host: cfg.Hostname()})
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := archiver.Backup(ctx, r, []string{storage}, archiver.Options{Excludes: cfg.FileExcludes(), NoParent: true,
		Snapshot: repo.SnapshotOptions{Tags: backup.FileTags("shop", []string{storage}), Host: cfg.Hostname()}}); err != nil {
		t.Fatal(err)
	}
	testenv.RunTool(t, nil, "", sqlite3, "-batch", "-init", "/dev/null", live, "insert into t values (4),(5);")
	backup.WriteTestTree(t, storage, map[string]string{"uploads/a.txt": "v2", "uploads/new.txt": "new"})

	res, err := backup.NewRestorer(r, cfg, backup.NewRegistry(a), backup.RestorerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scratchDB := filepath.Join(dir, "scratch", "drill.sqlite3")
	scratchFiles := filepath.Join(dir, "scratch", "files")
	rec, err := res.Drill(ctx, backup.DrillOptions{Mode: backup.ModeProduction, SQLitePath: scratchDB, FilesDir: scratchFiles,
		Check:   fmt.Sprintf(`test "$(%s -batch -init /dev/null "$KAMAL_BACKUP_DRILL_DATABASE_APP" 'select count(*) from t')" = 3`, sqlite3),
		Confirm: backup.Confirmation{Yes: true}})
	if err != nil {
		t.Fatalf("Drill: %v (check %+v)", err, rec.Check)
	}
	if got := sqliteCount(t, scratchDB); got != "3" {
		t.Errorf("scratch database has %s rows, want 3", got)
	}
	if got := sqliteCount(t, live); got != "5" {
		t.Errorf("the drill changed the live database: %s rows", got)
	}
	if data, err := os.ReadFile(filepath.Join(scratchFiles, strings.TrimPrefix(storage, "/"), "uploads/a.txt")); err != nil || string(data) != "v1" {
		t.Errorf("scratch files: %q, %v", data, err)
	}
	if rec.Databases[0].Target != scratchDB || rec.Check.Status != backup.StatusOK {
		t.Errorf("record %+v check %+v", rec.Databases, rec.Check)
	}

	before := stat(t, live)
	storageBefore := stat(t, storage)
	if _, err := res.Restore(ctx, backup.RestoreOptions{Mode: backup.ModeProduction, Confirm: backup.Confirmation{ConfirmProductionRestore: true}}); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if got := sqliteCount(t, live); got != "3" {
		t.Errorf("live database has %s rows after the restore, want 3", got)
	}
	if !os.SameFile(before, stat(t, live)) {
		t.Error("the live database file was replaced; an open application would lose it")
	}
	sameDir(t, storage, storageBefore)
	got := backup.ReadTestTree(t, storage)
	if got["uploads/a.txt"] != "v1" || got["uploads/new.txt"] != "" {
		t.Errorf("storage after the restore: %v", got)
	}
	for name := range got {
		if strings.Contains(name, ".kamal-backup-") {
			t.Errorf("leftover %s", name)
		}
	}
}
