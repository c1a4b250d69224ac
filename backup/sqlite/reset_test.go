package sqlite_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
)

func TestReset(t *testing.T) {
	a, tmp := newAdapter(t)
	dir := t.TempDir()
	db := backup.Database{Name: "app", Path: filepath.Join(dir, "app.sqlite3")}
	query(t, db.Path, "PRAGMA page_size=8192;", schemaSQL)
	app := startSession(t, db.Path)
	app.exec("SELECT count(*) FROM posts;")

	if err := a.Reset(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	if got := app.exec("SELECT count(*) FROM sqlite_master;"); len(got) != 1 || got[0] != "0" {
		t.Errorf("the app's connection sees %q schema objects after Reset, want 0", got)
	}
	if got := query(t, db.Path, "SELECT count(*) FROM sqlite_master;", "PRAGMA page_size;", "PRAGMA journal_mode;", "PRAGMA quick_check;"); got != "0\n8192\nwal\nok" {
		t.Errorf("after Reset: %q, want an empty WAL database with its page size kept", got)
	}
	assertEmptyDir(t, tmp)
	assertDirHolds(t, dir, "app.sqlite3", "app.sqlite3-shm", "app.sqlite3-wal") // the app still has it open
}

func TestResetMissing(t *testing.T) {
	a, _ := newAdapter(t)
	db := backup.Database{Name: "app", Path: filepath.Join(t.TempDir(), "missing.sqlite3")}
	if err := a.Reset(t.Context(), db); err != nil {
		t.Fatalf("Reset of a missing database = %v", err)
	}
	if _, err := os.Stat(db.Path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Reset created the database: %v", err)
	}
}

func TestResetRefusesNonDatabase(t *testing.T) {
	a, _ := newAdapter(t)
	db := backup.Database{Name: "app", Path: filepath.Join(t.TempDir(), "notes.txt")}
	writeFile(t, db.Path, "keep me\n")
	if err := a.Reset(t.Context(), db); err == nil {
		t.Error("Reset of a file that is not a database succeeded")
	}
	if got := readFile(t, db.Path); got != "keep me\n" {
		t.Errorf("file now holds %q", got)
	}
}
