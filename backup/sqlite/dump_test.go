package sqlite_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/repo"
)

// writerTxn is one transaction of the concurrent writer: a row whose
// checksum covers its payload, and a counter that must always equal the
// number of rows.
const writerTxn = "BEGIN; INSERT INTO log(payload) VALUES (randomblob(300)); " +
	"UPDATE log SET sum = hex(sha3(payload)) WHERE id = last_insert_rowid(); " +
	"UPDATE meta SET n = n + 1; COMMIT;\n"

// writerLimit bounds what writeUntil writes, should the test fail to
// stop it: about 100,000 transactions.
const writerLimit = 32 << 20

// writeUntil feeds writerTxn to a sqlite3 session until stop is closed,
// and closes progressed once it has written 512 KiB.
func writeUntil(in io.Writer, stop <-chan struct{}, progressed chan<- struct{}) error {
	written := 0
	defer func() {
		if written < 512<<10 {
			close(progressed)
		}
	}()
	for written < writerLimit {
		select {
		case <-stop:
			return nil
		default:
		}
		n, err := io.WriteString(in, writerTxn)
		if err != nil {
			return err
		}
		if written < 512<<10 && written+n >= 512<<10 {
			close(progressed)
		}
		written += n
	}
	return fmt.Errorf("still running after %d bytes of SQL", written)
}

// startWriter starts writeUntil on the session w, waits until it has
// progressed, and returns the function that stops it (also run at
// cleanup; it reports a writer failure).
func startWriter(t *testing.T, w *session) func() {
	t.Helper()
	stop, progressed, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() { done <- writeUntil(w.in, stop, progressed) }()
	var once sync.Once
	stopWriter := func() {
		once.Do(func() {
			close(stop)
			// After a failure the session may already be gone.
			if err := <-done; err != nil && !t.Failed() {
				t.Errorf("writer: %v; stderr: %s", err, w.stderr)
			}
		})
	}
	t.Cleanup(stopWriter)
	<-progressed
	return stopWriter
}

// TestDumpWALWithConcurrentWriter backs up a WAL-mode database that
// another process writes to all along (so the newest rows live only in
// the -wal file), restores it from the repository and checks that the
// copy is one consistent state between the row counts seen before and
// after the dump.
func TestDumpWALWithConcurrentWriter(t *testing.T) {
	ctx := t.Context()
	a, tmp := newAdapter(t)
	dir := t.TempDir()
	live := backup.Database{Name: "app", Adapter: "sqlite", Path: filepath.Join(dir, "live.sqlite3")}

	w := startSession(t, live.Path)
	w.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
CREATE TABLE log(id INTEGER PRIMARY KEY, payload BLOB NOT NULL, sum TEXT);
CREATE TABLE meta(n INTEGER NOT NULL);
INSERT INTO meta VALUES (0);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000)
  INSERT INTO log(payload) SELECT randomblob(2000) FROM c;
UPDATE log SET sum = hex(sha3(payload));
UPDATE meta SET n = (SELECT count(*) FROM log);
COMMIT;`)

	// The writer writes transactions until stopped. Once it has written
	// more than the pipe and stdio buffers hold, sqlite3 has executed most
	// of them: that is the "progressed" signal, no sleeping needed.
	stopWriter := startWriter(t, w)

	if fi, err := os.Stat(live.Path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the live database has no WAL content: %v", err)
	}
	before := queryInt(t, live.Path, "SELECT count(*) FROM log;")
	rc, err := a.Dump(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	after := queryInt(t, live.Path, "SELECT count(*) FROM log;")
	stopWriter()
	final := w.exec("SELECT count(*) FROM log;")
	t.Logf("rows: %d before the dump, %d after, %s when the writer stopped", before, after, strings.Join(final, ""))
	if after <= before {
		t.Errorf("the writer made no progress during the dump (%d rows before, %d after)", before, after)
	}
	r := newRepo(t)
	if _, err := storeDump(ctx, r, a, live, rc); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, tmp)

	target := backup.Database{Name: "app", Adapter: "sqlite", Path: filepath.Join(dir, "restored.sqlite3")}
	if err := restoreDatabase(ctx, r, a, "app", target); err != nil {
		t.Fatal(err)
	}
	assertHealthy(t, target.Path)
	rows := queryInt(t, target.Path, "SELECT count(*) FROM log;")
	if rows < before || rows > after {
		t.Errorf("restored %d rows, want between %d and %d", rows, before, after)
	}
	if got := queryInt(t, target.Path, "SELECT max(id) FROM log;"); got != rows {
		t.Errorf("max(id) = %d with %d rows: not a prefix of the inserts", got, rows)
	}
	if got := queryInt(t, target.Path, "SELECT n FROM meta;"); got != rows {
		t.Errorf("meta.n = %d with %d rows: not one transaction-consistent state", got, rows)
	}
	if bad := queryInt(t, target.Path, "SELECT count(*) FROM log WHERE sum IS NOT hex(sha3(payload));"); bad != 0 {
		t.Errorf("%d rows fail their checksum", bad)
	}
}

func TestDumpMissingSource(t *testing.T) {
	ctx := t.Context()
	a, tmp := newAdapter(t)
	r := newRepo(t)
	db := backup.Database{Name: "cache", Adapter: "sqlite", Path: filepath.Join(t.TempDir(), "missing.sqlite3")}
	_, err := backupDatabase(ctx, r, a, db)
	if err == nil {
		t.Fatal("backup of a missing database succeeded")
	}
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), `"cache"`) || !strings.Contains(err.Error(), db.Path) {
		t.Errorf("error = %v; want fs.ErrNotExist naming the database and its path", err)
	}
	snaps, lerr := r.Snapshots(ctx, repo.Filter{})
	if lerr != nil || len(snaps) != 0 {
		t.Errorf("snapshots after a failed dump: %d, %v", len(snaps), lerr)
	}
	if _, serr := os.Stat(db.Path); !errors.Is(serr, fs.ErrNotExist) {
		t.Errorf("Dump created the missing database: %v", serr)
	}
	assertEmptyDir(t, tmp)
}

func TestDumpRefusesDirectory(t *testing.T) {
	a, tmp := newAdapter(t)
	_, err := a.Dump(t.Context(), backup.Database{Name: "app", Path: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), `"app"`) {
		t.Errorf("Dump of a directory = %v", err)
	}
	assertEmptyDir(t, tmp)
}

// TestDumpCorruptSource: the backup API copies pages as they are, so the
// quick_check of the copy is what catches a damaged live database.
func TestDumpCorruptSource(t *testing.T) {
	a, tmp := newAdapter(t)
	path := filepath.Join(t.TempDir(), "corrupt.sqlite3")
	query(t, path, "CREATE TABLE t(x TEXT); CREATE INDEX tx ON t(x);",
		"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000) INSERT INTO t SELECT 'row ' || i FROM c;")
	corruptPage(t, path, 3)
	_, err := a.Dump(t.Context(), backup.Database{Name: "app", Path: path})
	if !errors.Is(err, sqlite.ErrCorrupt) || !strings.Contains(err.Error(), `"app"`) {
		t.Errorf("Dump of a corrupt database = %v; want ErrCorrupt naming the database", err)
	}
	assertEmptyDir(t, tmp)
}

func TestDumpCloseRemovesCopy(t *testing.T) {
	a, tmp := newAdapter(t)
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	query(t, path, "CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(100000));")
	rc, err := a.Dump(t.Context(), backup.Database{Name: "app", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if _, err := io.ReadFull(rc, buf); err != nil || string(buf) != "SQLite format 3\x00" {
		t.Fatalf("first bytes %q, %v", buf, err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Errorf("temp dir holds %d entries while streaming, want 1", len(entries))
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, tmp)
	if err := rc.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// corruptPage overwrites the b-tree page header of page n (1-based) of
// the database file at path.
func corruptPage(t testing.TB, path string, n int) {
	t.Helper()
	pageSize := queryInt(t, path, "PRAGMA page_size;")
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, int64((n-1)*pageSize)); err != nil {
		t.Fatal(err)
	}
}
