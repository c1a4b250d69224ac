package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/backup"
)

// The manifest counts exactly what the dump holds, even with a writer
// committing all along, and the restored file counts the same.
func TestDumpCountedExactUnderWrites(t *testing.T) {
	ctx := t.Context()
	a, tmp := newAdapter(t)
	dir := t.TempDir()
	live := backup.Database{Name: "app", Adapter: "sqlite", Path: filepath.Join(dir, "live.sqlite3")}
	w := startSession(t, live.Path)
	w.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
CREATE TABLE log(id INTEGER PRIMARY KEY AUTOINCREMENT, payload BLOB NOT NULL, sum TEXT);
CREATE TABLE meta(n INTEGER NOT NULL);
CREATE TABLE "we""ird | name"(x);
CREATE TABLE empty(x);
CREATE VIRTUAL TABLE docs USING fts5(body);
INSERT INTO meta VALUES (0);
INSERT INTO "we""ird | name" VALUES (1), (2);
INSERT INTO docs VALUES ('hello');`)
	stopWriter := startWriter(t, w)

	cd, err := a.DumpCounted(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	r := newRepo(t)
	if _, err := storeDump(ctx, r, a, live, cd); err != nil {
		t.Fatal(err)
	}
	stopWriter()
	counts, err := cd.RowCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, tmp)
	if !counts.Exact || counts.Method == "" || counts.CountedAt.IsZero() {
		t.Errorf("manifest %+v", counts)
	}
	names := map[string]int64{}
	for _, tr := range counts.Tables {
		if tr.Schema != "" {
			t.Errorf("table %+v has a schema", tr)
		}
		names[tr.Name] = tr.Rows
	}
	// sqlite_sequence and the virtual table are left out; fts5's shadow
	// tables are counted.
	for _, name := range []string{"log", "meta", `we"ird | name`, "empty", "docs_data", "docs_content"} {
		if _, ok := names[name]; !ok {
			t.Errorf("table %q not counted: %v", name, names)
		}
	}
	for _, name := range []string{"sqlite_sequence", "docs"} {
		if _, ok := names[name]; ok {
			t.Errorf("table %q counted: %v", name, names)
		}
	}
	if names[`we"ird | name`] != 2 || names["empty"] != 0 || names["log"] == 0 || names["meta"] != 1 {
		t.Errorf("counts %v", names)
	}

	target := backup.Database{Name: "app", Adapter: "sqlite", Path: filepath.Join(dir, "restored.sqlite3")}
	if err := restoreDatabase(ctx, r, a, "app", target); err != nil {
		t.Fatal(err)
	}
	if got := int64(queryInt(t, target.Path, "SELECT count(*) FROM log;")); got != names["log"] {
		t.Errorf("restored %d log rows, the manifest says %d", got, names["log"])
	}
	restored, err := a.CountRows(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(counts.Tables, restored.Tables); diff != "" {
		t.Errorf("restored counts differ (-manifest +restored):\n%s", diff)
	}
	query(t, target.Path, "DELETE FROM log WHERE id % 2 = 0;")
	tampered, err := a.CountRows(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(counts.Tables, tampered.Tables) {
		t.Error("counts of a tampered table equal the manifest")
	}
	if _, err := a.CountRows(ctx, backup.Database{Name: "gone", Path: filepath.Join(dir, "missing.sqlite3")}); err == nil {
		t.Error("CountRows of a missing file succeeded")
	}
}
