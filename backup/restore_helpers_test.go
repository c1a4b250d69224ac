package backup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

// restoreApp is the app of the restore fixtures.
const restoreApp = "shop"

// restored is what a fakeAdapter restored.
type restored struct {
	Database string
	URL      string
	Path     string
	Content  string
}

// fakeAdapter is an adapter that records what it restores and, for a
// file database, writes the dump to the file.
type fakeAdapter struct {
	name, ext string
	fail      error

	mu       sync.Mutex
	restores []restored
}

var _ backup.Adapter = (*fakeAdapter)(nil)

func (a *fakeAdapter) Name() string { return a.name }
func (a *fakeAdapter) Ext() string  { return a.ext }

func (a *fakeAdapter) Dump(context.Context, backup.Database) (io.ReadCloser, error) {
	return nil, errors.New("fake adapter: no dump")
}

func (a *fakeAdapter) Restore(_ context.Context, db backup.Database, rd io.Reader) error {
	data, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	if a.fail != nil {
		return a.fail
	}
	if db.Path != "" {
		if err := os.WriteFile(db.Path, data, 0o600); err != nil {
			return err
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.restores = append(a.restores, restored{Database: db.Name, URL: db.URL.Reveal(), Path: db.Path, Content: string(data)})
	return nil
}

func (a *fakeAdapter) Reset(context.Context, backup.Database) error { return nil }

func (a *fakeAdapter) Describe(db backup.Database) backup.Target {
	loc := db.Path
	if u, err := url.Parse(db.URL.Reveal()); err == nil && db.Path == "" {
		loc = u.Host + u.Path
	}
	return backup.Target{Adapter: a.name, Database: db.Name, Location: loc}
}

// got returns the restores so far.
func (a *fakeAdapter) got() []restored {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.restores)
}

// stepClock is a clock that advances a second each time it is read.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// env is an environment for lookups.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// restoreFixture is an app with a repository holding a database snapshot
// and a file snapshot, its production configuration and a local one.
type restoreFixture struct {
	dir      string
	repo     *repo.Repository
	env      env
	pg       *fakeAdapter
	lite     *fakeAdapter
	adapters backup.Registry
	clock    *stepClock

	// storage is the live production path; localStorage the local one.
	storage, localStorage string
	prodFile, localFile   string
	stateDir, localState  string
	dbSnap, fileSnap      *repo.Snapshot
}

// newRestoreFixture writes the fixture with its repository on disk:
// storage holds a.txt ("v1") and sub/b.txt when backed up; the live copy
// has since changed.
func newRestoreFixture(t *testing.T) *restoreFixture {
	t.Helper()
	return makeRestoreFixture(t, true)
}

// newMemFixture is newRestoreFixture with the repository in memory, for
// the many tests where the storage does not matter: a repository on disk
// syncs every file it writes, which costs a third of a second here.
func newMemFixture(t *testing.T) *restoreFixture {
	t.Helper()
	return makeRestoreFixture(t, false)
}

// makeRestoreFixture makes the fixture, its repository on disk or in
// memory.
func makeRestoreFixture(t *testing.T, onDisk bool) *restoreFixture {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	f := &restoreFixture{dir: dir,
		env:      env{"DB_PASSWORD": "db-secret-password-1", "RESTIC_PASSWORD": "restic-password-1"},
		pg:       &fakeAdapter{name: "postgres", ext: "pgdump"},
		lite:     &fakeAdapter{name: "sqlite", ext: "sqlite3"},
		clock:    &stepClock{t: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)},
		storage:  filepath.Join(dir, "live", "storage"),
		stateDir: filepath.Join(dir, "state"), localState: filepath.Join(dir, "local-state"),
		localStorage: filepath.Join(dir, "dev", "storage"),
	}
	f.adapters = backup.NewRegistry(f.pg, f.lite)
	repoDir := filepath.Join(dir, "repo")
	var be backend.Backend = mem.New()
	if onDisk {
		var err error
		if be, err = local.Open(repoDir); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.repo, err = repo.Init(ctx, be, "restic-password-1", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	backup.WriteTestTree(t, f.storage, map[string]string{"a.txt": "v1", "sub/b.txt": "b1"})
	f.dbSnap = storeDump(t, f.repo, backup.DumpFilename(restoreApp, "app", f.pg), "app", "postgres", "dump-v1", time.Time{})
	f.fileSnap, _, err = archiver.Backup(ctx, f.repo, []string{f.storage}, archiver.Options{NoParent: true,
		Snapshot: repo.SnapshotOptions{Tags: backup.FileTags(restoreApp, []string{f.storage}), Host: "shop-backup"}})
	if err != nil {
		t.Fatal(err)
	}
	backup.WriteTestTree(t, f.storage, map[string]string{"a.txt": "v2-live", "c.txt": "new since the backup"})

	f.prodFile = filepath.Join(dir, "config", "kamal-backup.yml")
	f.localFile = filepath.Join(dir, "config", "kamal-backup.local.yml")
	f.writeConfig(t, fmt.Sprintf(`app: shop
databases:
  - name: app
    adapter: postgres
    url: postgres://shop@db.internal:5432/shop_production
    password: {secret: DB_PASSWORD}
paths:
  - %s
restic:
  repository: %s
  password: {secret: RESTIC_PASSWORD}
state:
  path: %s
`, f.storage, repoDir, f.stateDir), fmt.Sprintf(`databases:
  - name: app
    adapter: postgres
    url: postgres://dev@localhost:5432/shop_development
paths:
  - %s
state:
  path: %s
`, f.localStorage, f.localState))
	return f
}

// writeConfig writes the production and local configuration files.
func (f *restoreFixture) writeConfig(t testing.TB, prod, localYAML string) {
	t.Helper()
	backup.WriteTestTree(t, filepath.Dir(f.prodFile), map[string]string{filepath.Base(f.prodFile): prod, filepath.Base(f.localFile): localYAML})
}

// restorer loads the configurations and returns a Restorer.
func (f *restoreFixture) restorer(t testing.TB, opts backup.RestorerOptions) *backup.Restorer {
	t.Helper()
	prod, err := backup.LoadConfig(f.prodFile, f.env.lookup, backup.LoadOptions{})
	if err != nil {
		t.Fatalf("load production config: %v", err)
	}
	if opts.Local == nil {
		opts.Local, err = backup.LoadConfig(f.prodFile, f.env.lookup, backup.LoadOptions{Local: true})
		if err != nil {
			t.Fatalf("load local config: %v", err)
		}
	}
	if opts.Now == nil {
		opts.Now = f.clock.now
	}
	r, err := backup.NewRestorer(f.repo, prod, f.adapters, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// storeDump writes a database snapshot holding content as name.
func storeDump(t testing.TB, r *repo.Repository, name, database, adapter, content string, at time.Time) *repo.Snapshot {
	t.Helper()
	s, err := r.BackupStream(context.Background(), name, strings.NewReader(content), repo.SnapshotOptions{
		Tags: backup.DatabaseTags(restoreApp, database, adapter), Host: "shop-backup", Time: at})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameDir fails the test unless dir is still the directory before was.
func sameDir(t testing.TB, dir string, before os.FileInfo) {
	t.Helper()
	after, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Errorf("%s was replaced by another directory; the target (a mount point) must stay", dir)
	}
}

// stat stats p or fails the test.
func stat(t testing.TB, p string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// promptFor returns a prompt answering lines, and its output.
func promptFor(lines ...string) (backup.Prompt, *bytes.Buffer) {
	out := &bytes.Buffer{}
	return backup.Prompt{In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: out}, out
}
