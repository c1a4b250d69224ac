package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

const testApp = "peerapp"

// sqliteArgs are the flags every sqlite3 run of the tests starts with:
// no ~/.sqliterc, stop at the first error.
var sqliteArgs = []string{"-batch", "-bail", "-init", "/dev/null"}

// newAdapter returns an adapter using the sqlite3 the tests find, with a
// private temp dir the test can inspect.
func newAdapter(t testing.TB) (*sqlite.Adapter, string) {
	t.Helper()
	tmp := t.TempDir()
	return sqlite.New(sqlite.Options{TempDir: tmp, Sqlite3: testenv.Tool(t, "sqlite3")}), tmp
}

// query runs sqlite3 on db with each of sql as one command and returns its
// output without the trailing newline. It fails the test on any error.
func query(t testing.TB, db string, sql ...string) string {
	t.Helper()
	args := append(slices.Clone(sqliteArgs), db)
	return strings.TrimSuffix(string(testenv.RunTool(t, nil, "", "sqlite3", append(args, sql...)...)), "\n")
}

// queryInt runs a query returning one integer.
func queryInt(t testing.TB, db, sql string) int {
	t.Helper()
	out := query(t, db, sql)
	n, err := strconv.Atoi(out)
	if err != nil {
		t.Fatalf("%s on %s: %q is not a number", sql, db, out)
	}
	return n
}

// dumpSQL returns the .dump of db, the comparison point of round trips.
func dumpSQL(t testing.TB, db string) string {
	t.Helper()
	return query(t, db, ".dump")
}

// assertHealthy fails the test unless db passes integrity_check and
// foreign_key_check.
func assertHealthy(t testing.TB, db string) {
	t.Helper()
	if got := query(t, db, "PRAGMA integrity_check;"); got != "ok" {
		t.Errorf("integrity_check of %s: %s", db, got)
	}
	if got := query(t, db, "PRAGMA foreign_key_check;"); got != "" {
		t.Errorf("foreign_key_check of %s: %s", db, got)
	}
}

// assertEmptyDir fails the test if dir holds anything: the adapter left a
// temporary file behind.
func assertEmptyDir(t testing.TB, dir string) {
	t.Helper()
	assertDirHolds(t, dir)
}

// assertDirHolds fails the test unless dir holds exactly names.
func assertDirHolds(t testing.TB, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// newRepo creates a repository in a temp dir with a cheap key.
func newRepo(t testing.TB) *repo.Repository {
	t.Helper()
	be, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(context.Background(), be, "pw", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// backupDatabase does what the backup command does for one database:
// dump it and store the stream under its kamal-backup name and tags.
func backupDatabase(ctx context.Context, r *repo.Repository, a backup.Adapter, db backup.Database) (*repo.Snapshot, error) {
	rc, err := a.Dump(ctx, db)
	if err != nil {
		return nil, err
	}
	return storeDump(ctx, r, a, db, rc)
}

// storeDump stores the dump rc of db under its kamal-backup name and tags,
// and closes rc.
func storeDump(ctx context.Context, r *repo.Repository, a backup.Adapter, db backup.Database, rc io.ReadCloser) (*repo.Snapshot, error) {
	defer rc.Close()
	return r.BackupStream(ctx, backup.DumpFilename(testApp, db.Name, a), rc, repo.SnapshotOptions{
		Tags: backup.DatabaseTags(testApp, db.Name, a.Name()),
		Host: backup.Hostname(testApp, "backup"),
	})
}

// restoreDatabase does what the restore command does for one database:
// find its latest snapshot and restore the dump file into db.
func restoreDatabase(ctx context.Context, r *repo.Repository, a backup.Adapter, name string, db backup.Database) error {
	tags := backup.DatabaseTags(testApp, name, a.Name())
	sn, err := r.FindSnapshot(ctx, "latest", repo.Filter{Tags: [][]string{tags}})
	if err != nil {
		return err
	}
	rc, err := r.OpenFile(ctx, sn, backup.DumpFilename(testApp, name, a))
	if err != nil {
		return err
	}
	defer rc.Close()
	return a.Restore(ctx, db, rc)
}

// dumpBytes dumps db with a and returns the whole copy.
func dumpBytes(t testing.TB, a backup.Adapter, db backup.Database) []byte {
	t.Helper()
	rc, err := a.Dump(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// session is a long-running sqlite3 process fed SQL through its stdin,
// like an application holding a connection open.
type session struct {
	t      testing.TB
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *syncBuffer
	n      int
}

// startSession starts sqlite3 on db with -bail, so that a failing
// statement ends the session and the next exec fails the test.
func startSession(t testing.TB, db string) *session {
	t.Helper()
	cmd := testenv.Command(t, nil, "", "sqlite3", append(slices.Clone(sqliteArgs), db)...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, in: in, out: bufio.NewReader(out), stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Wait()
	})
	return s
}

// exec sends sql and waits until sqlite3 has executed it; it returns the
// output lines sql produced.
func (s *session) exec(sql string) []string {
	s.t.Helper()
	s.n++
	marker := fmt.Sprintf("--done %d--", s.n)
	if _, err := fmt.Fprintf(s.in, "%s\nSELECT '%s';\n", sql, marker); err != nil {
		s.t.Fatalf("session: write: %v; stderr: %s", err, s.stderr)
	}
	var lines []string
	for {
		line, err := s.out.ReadString('\n')
		if err != nil {
			s.t.Fatalf("session: %v before %q; stderr: %s", err, marker, s.stderr)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == marker {
			return lines
		}
		lines = append(lines, line)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// weirdDir creates a directory under parent whose name needs quoting in a
// sqlite3 dot-command: spaces, both quotes, a backslash, a tab, a newline
// and a glob character.
func weirdDir(t testing.TB, parent, base string) string {
	t.Helper()
	dir := filepath.Join(parent, base+` it's a "dir" \ with`+"\ttab\nnewline*ü")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sqlite3Path returns the sqlite3 the tests use.
func sqlite3Path(t testing.TB) string {
	t.Helper()
	return testenv.Tool(t, "sqlite3")
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
