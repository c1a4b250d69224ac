package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

func TestSQLiteExcludes(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	all := func(db string) []string {
		return []string{db, db + "-wal", db + "-shm", db + "-journal"}
	}
	for _, tc := range []struct {
		name       string
		dbs        []string
		backupPath string
		want       []string
	}{
		{"inside", []string{"/data/storage/production.sqlite3"}, "/data/storage",
			all("/data/storage/production.sqlite3")},
		{"deeper", []string{"/data/storage/db/cache.sqlite3"}, "/data/",
			all("/data/storage/db/cache.sqlite3")},
		{"outside", []string{"/data/other/production.sqlite3"}, "/data/storage", nil},
		{"sibling prefix", []string{"/data/storage2/production.sqlite3"}, "/data/storage", nil},
		{"the path itself", []string{"/data/storage/production.sqlite3"}, "/data/storage/production.sqlite3", nil},
		{"parent of the path", []string{"/data/app.sqlite3"}, "/data/storage", nil},
		{"unclean", []string{"/data/storage/../storage/./db/app.sqlite3"}, "/data/storage/",
			all("/data/storage/db/app.sqlite3")},
		{"several and duplicates", []string{"/srv/a.sqlite3", "/data/x.sqlite3", "/srv/b/c.db", "/srv/a.sqlite3", ""}, "/srv",
			slices.Concat(all("/srv/a.sqlite3"), all("/srv/b/c.db"))},
		{"glob characters", []string{"/data/db[1]*?.sqlite3", `/data/back\slash.db`}, "/data",
			slices.Concat(all(`/data/db\[1\]\*\?.sqlite3`), all(`/data/back\\slash.db`))},
		{"relative", []string{"storage/app.sqlite3"}, "storage",
			all(filepath.Join(cwd, "storage/app.sqlite3"))},
		{"root", []string{"/app.sqlite3"}, "/", all("/app.sqlite3")},
		{"none", nil, "/data", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := backup.SQLiteExcludes(tc.dbs, tc.backupPath); !slices.Equal(got, tc.want) {
				t.Errorf("SQLiteExcludes(%q, %q) =\n%q\nwant\n%q", tc.dbs, tc.backupPath, got, tc.want)
			}
		})
	}
}

// excludeFixture is a directory holding SQLite files and their
// neighbours, including a database whose name is a glob matching a
// neighbour. It maps paths below root to whether SQLiteExcludes must
// leave them out of a snapshot of root.
var excludeFixture = map[string]bool{
	"production.sqlite3":         true,
	"production.sqlite3-wal":     true,
	"production.sqlite3-shm":     true,
	"production.sqlite3-journal": true,
	"production.sqlite3.bak":     false,
	"production.sqlite3-wal.old": false,
	"db/cache[1]*.sqlite3":       true,
	"db/cache[1]*.sqlite3-wal":   true,
	"db/cache1x.sqlite3":         false,
	"db/cache1x.sqlite3-wal":     false,
	"uploads/avatar.png":         false,
}

// makeExcludeFixture writes excludeFixture below a new directory and
// returns it with the patterns SQLiteExcludes gives for it.
func makeExcludeFixture(t *testing.T) (root string, excludes []string) {
	t.Helper()
	root = filepath.Join(t.TempDir(), "storage dir")
	for name := range excludeFixture {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dbs := []string{filepath.Join(root, "production.sqlite3"), filepath.Join(root, "db/cache[1]*.sqlite3"), "/elsewhere/other.sqlite3"}
	return root, backup.SQLiteExcludes(dbs, root)
}

// TestSQLiteExcludesArchiver backs up the fixture with the archiver and
// checks that exactly the database files are left out.
func TestSQLiteExcludesArchiver(t *testing.T) {
	ctx := context.Background()
	root, excludes := makeExcludeFixture(t)
	be, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(ctx, be, "pw", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	sn, res, err := archiver.Backup(ctx, r, []string{root}, archiver.Options{Excludes: excludes, NoParent: true,
		Snapshot: repo.SnapshotOptions{Tags: backup.FileTags("peerapp", []string{root}), Host: "peerapp-backup"}})
	if err != nil || res.Incomplete() {
		t.Fatalf("backup: %v (errors %v)", err, res.Errors)
	}
	if !slices.Equal(sn.Excludes, excludes) {
		t.Errorf("snapshot excludes = %q, want %q", sn.Excludes, excludes)
	}
	for name, excluded := range excludeFixture {
		_, err := r.FindNode(ctx, *sn.Tree, filepath.Join(root, name))
		switch {
		case excluded && !errors.Is(err, repo.ErrNotFound):
			t.Errorf("%s is in the snapshot (%v), want it excluded", name, err)
		case !excluded && err != nil:
			t.Errorf("%s is missing from the snapshot: %v", name, err)
		}
	}
}

// TestSQLiteExcludesRestic checks that restic itself reads the patterns
// the same way: the Ruby kamal-backup passes them to restic --exclude.
func TestSQLiteExcludesRestic(t *testing.T) {
	restic := testenv.Restic(t)
	root, excludes := makeExcludeFixture(t)
	repoDir := t.TempDir()
	env := []string{"RESTIC_REPOSITORY=" + repoDir, "RESTIC_PASSWORD=pw", "RESTIC_PASSWORD_FILE=",
		"RESTIC_PASSWORD_COMMAND=", "TMPDIR=" + t.TempDir()}
	testenv.RunTool(t, env, "", restic, "--no-cache", "-q", "init")
	args := []string{"--no-cache", "-q", "backup", "--host", "peerapp-backup"}
	for _, e := range excludes {
		args = append(args, "--exclude", e)
	}
	testenv.RunTool(t, env, "", restic, append(args, root)...)
	listed := map[string]bool{}
	for _, line := range strings.Split(string(testenv.RunTool(t, env, "", restic, "--no-cache", "-q", "ls", "latest")), "\n") {
		listed[line] = true
	}
	for name, excluded := range excludeFixture {
		if in := listed[filepath.Join(root, name)]; in == excluded {
			t.Errorf("%s: in restic's snapshot = %v, want %v", name, in, !excluded)
		}
	}
}
