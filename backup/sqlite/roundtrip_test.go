package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
)

// schemaSQL builds a WAL-mode database with foreign keys, an index, a
// WITHOUT ROWID table, AUTOINCREMENT, a trigger, a view, non-ASCII text
// and binary columns (with NUL bytes and a blob spanning overflow pages).
const schemaSQL = `
PRAGMA journal_mode=WAL;
PRAGMA foreign_keys=ON;
CREATE TABLE authors(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);
CREATE TABLE posts(
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body BLOB,
  created_at TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX posts_author ON posts(author_id);
CREATE TABLE tags(name TEXT PRIMARY KEY, weight REAL) WITHOUT ROWID;
CREATE TABLE audit(id INTEGER PRIMARY KEY, post_id INTEGER REFERENCES posts(id) ON DELETE SET NULL, action TEXT);
CREATE TRIGGER posts_audit AFTER INSERT ON posts
  BEGIN INSERT INTO audit(post_id, action) VALUES (new.id, 'insert'); END;
CREATE VIEW post_titles AS
  SELECT a.name AS author, p.title FROM posts p JOIN authors a ON a.id = p.author_id;
INSERT INTO authors(name) VALUES ('Zoë'), ('日本語の著者'), ('Ωμέγα 🚀');
INSERT INTO posts(author_id, title, body, created_at) VALUES
  (1, 'Crème brûlée', x'00FF00FE0A0D27', '2024-01-01'),
  (2, 'こんにちは', randomblob(70000), '2024-01-02'),
  (3, 'emoji 🎉 "quoted" ''single''', zeroblob(10), '2024-01-03');
INSERT INTO tags VALUES ('ü', 1.5), ('x', -0.25);
DELETE FROM authors WHERE id = 3;
`

// conflictSQL is what the restore target holds before the restore:
// objects with the same names but other definitions, and objects the
// backup does not have.
const conflictSQL = `
PRAGMA journal_mode=WAL;
CREATE TABLE posts(x TEXT);
CREATE TABLE extra(y INTEGER);
CREATE VIEW post_titles AS SELECT 1 AS one;
CREATE TRIGGER extra_trigger AFTER INSERT ON extra BEGIN DELETE FROM posts; END;
INSERT INTO posts VALUES ('conflicting row');
INSERT INTO extra VALUES (42);
`

func TestRoundTripThroughRepository(t *testing.T) {
	ctx := t.Context()
	a, tmp := newAdapter(t)
	dir := t.TempDir()
	src := backup.Database{Name: "app", Adapter: "sqlite", Path: filepath.Join(dir, "production.sqlite3")}
	query(t, src.Path, schemaSQL)
	want := dumpSQL(t, src.Path)
	if !strings.Contains(want, "CREATE TRIGGER posts_audit") || !strings.Contains(want, "日本語の著者") {
		t.Fatalf("fixture is not what the test expects:\n%s", want)
	}

	r := newRepo(t)
	sn, err := backupDatabase(ctx, r, a, src)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sn.Paths, []string{"/databases/peerapp/app/sqlite.sqlite3"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("snapshot paths = %q, want %q", got, want)
	}
	if !sn.HasTags([]string{"kamal-backup", "app:peerapp", "type:database", "database:app", "adapter:sqlite"}) {
		t.Errorf("snapshot tags = %q", sn.Tags)
	}
	assertEmptyDir(t, tmp)

	target := backup.Database{Name: "app", Adapter: "sqlite", Path: filepath.Join(dir, "restored.sqlite3")}
	query(t, target.Path, conflictSQL)
	if err := restoreDatabase(ctx, r, a, "app", target); err != nil {
		t.Fatal(err)
	}
	if got := dumpSQL(t, target.Path); got != want {
		t.Errorf("restored .dump differs\n--- got\n%s\n--- want\n%s", got, want)
	}
	assertHealthy(t, target.Path)
	// The trigger works in the restored copy, and the source is untouched.
	query(t, target.Path, "INSERT INTO posts(author_id, title) VALUES (2, 'after restore');")
	if n := queryInt(t, target.Path, "SELECT count(*) FROM audit;"); n != 4 {
		t.Errorf("audit rows after an insert = %d, want 4", n)
	}
	if got := dumpSQL(t, src.Path); got != want {
		t.Error("the source database changed")
	}
	assertEmptyDir(t, tmp)
	assertDirHolds(t, dir, "production.sqlite3", "restored.sqlite3")
}

func TestRoundTripIntoNewFile(t *testing.T) {
	a, _ := newAdapter(t)
	dir := t.TempDir()
	src := backup.Database{Name: "app", Path: filepath.Join(dir, "src.sqlite3")}
	query(t, src.Path, schemaSQL)
	target := backup.Database{Name: "app", Path: filepath.Join(dir, "scratch.sqlite3")}
	if err := a.Restore(t.Context(), target, strings.NewReader(string(dumpBytes(t, a, src)))); err != nil {
		t.Fatal(err)
	}
	if got, want := dumpSQL(t, target.Path), dumpSQL(t, src.Path); got != want {
		t.Errorf("restored .dump differs\n--- got\n%s\n--- want\n%s", got, want)
	}
}

// TestRoundTripPaths uses database, target and temp paths that must be
// quoted in sqlite3 dot-commands.
func TestRoundTripPaths(t *testing.T) {
	ctx := t.Context()
	parent := t.TempDir()
	tmp := weirdDir(t, parent, "tmp")
	a := sqlite.New(sqlite.Options{TempDir: tmp, Sqlite3: sqlite3Path(t)})
	srcDir, dstDir := weirdDir(t, parent, "src"), weirdDir(t, parent, "dst")
	src := backup.Database{Name: "app", Path: filepath.Join(srcDir, `db's "name" \x.sqlite3`)}
	query(t, src.Path, schemaSQL)
	target := backup.Database{Name: "app", Path: filepath.Join(dstDir, `-restored 'db'.sqlite3`)}
	query(t, target.Path, conflictSQL)

	r := newRepo(t)
	if _, err := backupDatabase(ctx, r, a, src); err != nil {
		t.Fatal(err)
	}
	if err := restoreDatabase(ctx, r, a, "app", target); err != nil {
		t.Fatal(err)
	}
	if got, want := dumpSQL(t, target.Path), dumpSQL(t, src.Path); got != want {
		t.Errorf("restored .dump differs\n--- got\n%s\n--- want\n%s", got, want)
	}
	assertEmptyDir(t, tmp)
	assertDirHolds(t, dstDir, `-restored 'db'.sqlite3`)
}

// TestRestorePageSizeIntoWAL restores a backup whose page size differs
// from that of a WAL-mode target, which the backup API cannot do without
// first taking the target out of WAL mode.
func TestRestorePageSizeIntoWAL(t *testing.T) {
	a, _ := newAdapter(t)
	dir := t.TempDir()
	src := backup.Database{Name: "app", Path: filepath.Join(dir, "src.sqlite3")}
	query(t, src.Path, "PRAGMA page_size=8192; CREATE TABLE big(x); INSERT INTO big VALUES (randomblob(20000));")
	target := backup.Database{Name: "app", Path: filepath.Join(dir, "target.sqlite3")}
	query(t, target.Path, conflictSQL)
	if err := a.Restore(t.Context(), target, strings.NewReader(string(dumpBytes(t, a, src)))); err != nil {
		t.Fatal(err)
	}
	if got, want := dumpSQL(t, target.Path), dumpSQL(t, src.Path); got != want {
		t.Errorf("restored .dump differs\n--- got\n%s\n--- want\n%s", got, want)
	}
	if got := query(t, target.Path, "PRAGMA page_size;"); got != "8192" {
		t.Errorf("page_size = %s, want 8192", got)
	}
	assertHealthy(t, target.Path)
}

func TestDescribe(t *testing.T) {
	a := sqlite.New(sqlite.Options{})
	got := a.Describe(backup.Database{Name: "cache", Adapter: "sqlite", Path: "/data/storage/production.sqlite3"})
	want := backup.Target{Adapter: "sqlite", Database: "cache", Location: "/data/storage/production.sqlite3"}
	if got != want {
		t.Errorf("Describe = %+v, want %+v", got, want)
	}
	if a.Name() != "sqlite" || a.Ext() != "sqlite3" {
		t.Errorf("Name, Ext = %q, %q", a.Name(), a.Ext())
	}
	if got := backup.DumpFilename("peerapp", "app", a); got != "databases/peerapp/app/sqlite.sqlite3" {
		t.Errorf("DumpFilename = %q", got)
	}
}
