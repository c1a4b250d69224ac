package sqlite_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
)

// restoreFixture returns an adapter, a valid dump of a database built from
// schemaSQL, and a target database holding conflictSQL, with its .dump.
func restoreFixture(t *testing.T) (a *sqlite.Adapter, tmp string, dump []byte, target backup.Database, before string) {
	t.Helper()
	a, tmp = newAdapter(t)
	dir := t.TempDir()
	src := backup.Database{Name: "app", Path: filepath.Join(t.TempDir(), "src.sqlite3")}
	query(t, src.Path, schemaSQL)
	dump = dumpBytes(t, a, src)
	target = backup.Database{Name: "app", Adapter: "sqlite", Path: filepath.Join(dir, "target.sqlite3")}
	query(t, target.Path, conflictSQL)
	return a, tmp, dump, target, dumpSQL(t, target.Path)
}

// assertUnchanged fails the test if the target's content changed or its
// directory holds anything but the database and the WAL files of open
// connections (a leftover temp file).
func assertUnchanged(t *testing.T, target backup.Database, before string) {
	t.Helper()
	if got := dumpSQL(t, target.Path); got != before {
		t.Errorf("target changed\n--- got\n%s\n--- want\n%s", got, before)
	}
	entries, err := os.ReadDir(filepath.Dir(target.Path))
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(target.Path)
	for _, e := range entries {
		if n := e.Name(); n != base && n != base+"-wal" && n != base+"-shm" {
			t.Errorf("leftover file %q next to the target", n)
		}
	}
}

func TestRestoreRefusesLockedTarget(t *testing.T) {
	a, tmp, dump, target, before := restoreFixture(t)
	holder := startSession(t, target.Path)
	holder.exec("BEGIN IMMEDIATE; INSERT INTO extra VALUES (7);")

	err := a.Restore(t.Context(), target, bytes.NewReader(dump))
	if !errors.Is(err, sqlite.ErrLocked) {
		t.Fatalf("Restore into a locked target = %v, want ErrLocked", err)
	}
	const msg = "database is locked by another process; stop the app or use a scratch target"
	if !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), `"app"`) {
		t.Errorf("error %q lacks %q or the database name", err, msg)
	}
	holder.exec("ROLLBACK;")
	assertUnchanged(t, target, before)
	assertEmptyDir(t, tmp)

	// Reset refuses the same way.
	holder.exec("BEGIN IMMEDIATE; INSERT INTO extra VALUES (8);")
	if err := a.Reset(t.Context(), target); !errors.Is(err, sqlite.ErrLocked) {
		t.Fatalf("Reset of a locked target = %v, want ErrLocked", err)
	}
	holder.exec("ROLLBACK;")
	assertUnchanged(t, target, before)
}

func TestRestoreRefusesCorruptDownload(t *testing.T) {
	a, tmp, dump, target, before := restoreFixture(t)
	pageSize := 4096
	flip := func(from, to int) []byte {
		b := bytes.Clone(dump)
		for i := from; i < to; i++ {
			b[i] ^= 0xa5
		}
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"magic", flip(0, 4)},
		{"page 1 b-tree header", flip(100, 112)},
		{"page 2 b-tree header", flip(pageSize, pageSize+12)},
		{"truncated", dump[:len(dump)/2]},
		{"too short", dump[:50]},
		{"empty", nil},
		{"not a database", bytes.Repeat([]byte("INSERT INTO t VALUES (1);\n"), 1000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := a.Restore(t.Context(), target, bytes.NewReader(tc.data))
			if !errors.Is(err, sqlite.ErrCorrupt) || !strings.Contains(err.Error(), `"app"`) {
				t.Errorf("Restore = %v, want ErrCorrupt naming the database", err)
			}
			assertUnchanged(t, target, before)
			assertEmptyDir(t, tmp)
		})
	}
}

func TestRestoreFailingStream(t *testing.T) {
	a, _, dump, target, before := restoreFixture(t)
	boom := errors.New("repository read failed")
	rd := io.MultiReader(bytes.NewReader(dump[:len(dump)/2]), iotest.ErrReader(boom))
	if err := a.Restore(t.Context(), target, rd); !errors.Is(err, boom) {
		t.Errorf("Restore = %v, want the stream's error", err)
	}
	assertUnchanged(t, target, before)
}

func TestRestoreRefusesNonDatabaseTarget(t *testing.T) {
	a, _, dump, _, _ := restoreFixture(t)
	dir := t.TempDir()
	target := backup.Database{Name: "app", Path: filepath.Join(dir, "notes.txt")}
	writeFile(t, target.Path, "not a database, keep me\n")
	if err := a.Restore(t.Context(), target, bytes.NewReader(dump)); err == nil {
		t.Error("Restore over a file that is not a database succeeded")
	}
	if got := readFile(t, target.Path); got != "not a database, keep me\n" {
		t.Errorf("target now holds %q", got)
	}
	assertDirHolds(t, dir, "notes.txt")
}

func TestRestoreMissingDirectory(t *testing.T) {
	a, _, dump, _, _ := restoreFixture(t)
	target := backup.Database{Name: "app", Path: filepath.Join(t.TempDir(), "no", "such", "dir.sqlite3")}
	if err := a.Restore(t.Context(), target, bytes.NewReader(dump)); err == nil {
		t.Error("Restore into a missing directory succeeded")
	}
}

// TestRestoreWithIdleConnection restores under an application that holds
// the target open without a transaction: it sees the new content.
func TestRestoreWithIdleConnection(t *testing.T) {
	a, _, dump, target, _ := restoreFixture(t)
	app := startSession(t, target.Path)
	if got := app.exec("SELECT count(*) FROM extra;"); len(got) != 1 || got[0] != "1" {
		t.Fatalf("app sees %q", got)
	}
	if err := a.Restore(t.Context(), target, bytes.NewReader(dump)); err != nil {
		t.Fatal(err)
	}
	if got := app.exec("SELECT count(*) FROM posts;"); len(got) != 1 || got[0] != "2" {
		t.Errorf("the app's connection sees %q posts after the restore, want 2", got)
	}
	if got := app.exec("PRAGMA quick_check;"); len(got) != 1 || got[0] != "ok" {
		t.Errorf("quick_check through the app's connection: %q", got)
	}
}
