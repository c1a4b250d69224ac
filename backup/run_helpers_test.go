package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// runTestKDF makes key derivation cheap in these tests.
var runTestKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// Secrets of the test configuration; none may appear in records or
// errors.
const (
	runRepoPassword = "repo-pw-9c1f3e"
	runDBPassword   = "db-pw-71ab0c"
	runQueueURL     = "postgres://shop:queue-pw-5d2e8a@queue-db:5432/queue"
)

// runT0 is the fake clock's start.
var runT0 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// stubClock is a settable clock, safe for concurrent use.
type stubClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *stubClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *stubClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stubAdapter streams fixed bytes as a database dump. It can fail a
// database's dump mid-stream, at Close, or block until ctx is cancelled.
type stubAdapter struct {
	name, ext string

	mu      sync.Mutex
	dumps   map[string]int   // dumps started, per database
	fail    map[string]error // returned mid-stream
	failAt  map[string]error // returned by Close after the last byte
	blockOn map[string]chan struct{}
}

var _ Adapter = (*stubAdapter)(nil)

// newStubAdapter returns a fake adapter called name whose dumps have
// extension ext.
func newStubAdapter(name, ext string) *stubAdapter {
	return &stubAdapter{name: name, ext: ext, dumps: map[string]int{}, fail: map[string]error{},
		failAt: map[string]error{}, blockOn: map[string]chan struct{}{}}
}

func (f *stubAdapter) Name() string { return f.name }
func (f *stubAdapter) Ext() string  { return f.ext }

// stubDump is what the n-th dump of database db holds.
func stubDump(db string, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "-- fake dump of %s, run %d\n", db, n)
	for i := range 200 {
		fmt.Fprintf(&b, "INSERT INTO t VALUES (%d, '%s');\n", i, db)
	}
	return b.Bytes()
}

// setFail makes the dumps of db fail after half their bytes with err (nil
// clears it).
func (f *stubAdapter) setFail(db string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[db] = err
}

// setFailAtClose makes Close of db's dumps return err after every byte
// was read.
func (f *stubAdapter) setFailAtClose(db string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt[db] = err
}

// setBlock makes db's dump block after half its bytes until ctx is done;
// started is closed when it blocks.
func (f *stubAdapter) setBlock(db string, started chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blockOn[db] = started
}

// count returns how many dumps of db were started.
func (f *stubAdapter) count(db string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dumps[db]
}

func (f *stubAdapter) Dump(ctx context.Context, db Database) (io.ReadCloser, error) {
	f.mu.Lock()
	f.dumps[db.Name]++
	n := f.dumps[db.Name]
	fail, failAt, block := f.fail[db.Name], f.failAt[db.Name], f.blockOn[db.Name]
	f.mu.Unlock()
	data := stubDump(db.Name, n)
	half := bytes.NewReader(data[:len(data)/2])
	rest := bytes.NewReader(data[len(data)/2:])
	var rd io.Reader = io.MultiReader(half, rest)
	switch {
	case fail != nil:
		rd = io.MultiReader(half, &stubErrReader{err: fail})
	case block != nil:
		rd = io.MultiReader(half, &stubBlockReader{ctx: ctx, started: block})
	}
	return &stubDumpStream{rd: rd, closeErr: failAt}, nil
}

func (f *stubAdapter) Restore(context.Context, Database, io.Reader) error {
	return errors.New("fake adapter: restore not implemented")
}

func (f *stubAdapter) Reset(context.Context, Database) error {
	return errors.New("fake adapter: reset not implemented")
}

func (f *stubAdapter) Describe(db Database) Target {
	return Target{Adapter: f.name, Database: db.Name, Location: "fake"}
}

// CheckTools pretends the tools are installed.
func (f *stubAdapter) CheckTools(context.Context, Database) error { return nil }

// stubDumpStream is a dump whose Close may fail. Like a file, it cannot
// be read once closed.
type stubDumpStream struct {
	rd       io.Reader
	closeErr error
	closed   atomic.Bool
}

func (s *stubDumpStream) Read(p []byte) (int, error) {
	if s.closed.Load() {
		return 0, os.ErrClosed
	}
	return s.rd.Read(p)
}

func (s *stubDumpStream) Close() error {
	s.closed.Store(true)
	return s.closeErr
}

// stubErrReader fails every Read with err.
type stubErrReader struct{ err error }

func (r *stubErrReader) Read([]byte) (int, error) { return 0, r.err }

// stubBlockReader blocks until ctx is done.
type stubBlockReader struct {
	ctx     context.Context
	started chan struct{}
	once    sync.Once
}

func (r *stubBlockReader) Read([]byte) (int, error) {
	r.once.Do(func() { close(r.started) })
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

// runFixture is a configuration, an initialised repository, a state
// directory, a fake clock and a Runner with a fake postgres adapter.
type runFixture struct {
	dir      string
	repoDir  string
	stateDir string
	dataDir  string
	clock    *stubClock
	adapter  *stubAdapter
	cfg      *Config
	runner   *Runner
}

// runConfig is the configuration of the fixture; %[1]s is the repository,
// %[2]s the state directory, %[3]s the data directory; extra is appended.
const runConfig = `app: shop
databases:
  - name: app
    adapter: postgres
    url: postgres://shop@app-db:5432/shop
    password: {secret: DB_PASSWORD}
  - name: queue
    adapter: postgres
    url: {secret: QUEUE_URL}
restic:
  repository: %[1]s
  password: {secret: RESTIC_PASSWORD}
  forget_after_backup: %[4]s
  check_after_backup: %[5]s
  retention: {keep_last: 3, keep_daily: 0, keep_weekly: 0, keep_monthly: 0, keep_yearly: 0}
backup:
  schedule: 1d
  enabled: %[6]s
state:
  path: %[2]s
`

// fixtureOptions vary the fixture's configuration.
type fixtureOptions struct {
	forget, check bool
	disabled      bool
	paths         bool   // back up dataDir
	extra         string // appended YAML
	noInit        bool   // leave the repository uncreated
}

// newRunFixture writes the configuration, initialises the repository with
// a cheap key and returns the fixture.
func newRunFixture(t testing.TB, o fixtureOptions) *runFixture {
	t.Helper()
	dir := t.TempDir()
	f := &runFixture{dir: dir, repoDir: filepath.Join(dir, "repo"), stateDir: filepath.Join(dir, "state"),
		dataDir: filepath.Join(dir, "data"), clock: &stubClock{t: runT0}, adapter: newStubAdapter("postgres", "pgdump")}
	if err := os.MkdirAll(filepath.Join(f.dataDir, "uploads"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"uploads/a.txt": "alpha", "uploads/b.txt": "bravo", "skip.tmp": "excluded"} {
		if err := os.WriteFile(filepath.Join(f.dataDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	yaml := fmt.Sprintf(runConfig, f.repoDir, f.stateDir, f.dataDir, yesNo(o.forget), yesNo(o.check), yesNo(!o.disabled))
	if o.paths {
		yaml += fmt.Sprintf("paths:\n  - path: %s\n    exclude: ['*.tmp']\n", f.dataDir)
	}
	yaml += o.extra
	env := fakeEnv{"RESTIC_PASSWORD": runRepoPassword, "DB_PASSWORD": runDBPassword, "QUEUE_URL": runQueueURL}
	f.cfg = mustLoad(t, yaml, env, LoadOptions{})
	if !o.noInit {
		be, err := local.Open(f.repoDir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := repo.Init(t.Context(), be, runRepoPassword, repo.InitOptions{KDF: runTestKDF}); err != nil {
			t.Fatal(err)
		}
	}
	f.runner = &Runner{Config: f.cfg, Adapters: NewRegistry(f.adapter), Now: f.clock.Now, KDF: runTestKDF,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
	return f
}

func yesNo(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// open opens the fixture's repository.
func (f *runFixture) open(t testing.TB) *repo.Repository {
	t.Helper()
	be, err := local.Open(f.repoDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(t.Context(), be, runRepoPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// snapshots returns the repository's snapshots carrying every tag in
// tags, oldest first.
func (f *runFixture) snapshots(t testing.TB, tags ...string) []*repo.Snapshot {
	t.Helper()
	var flt repo.Filter
	if len(tags) > 0 {
		flt.Tags = [][]string{tags}
	}
	snaps, err := f.open(t).Snapshots(t.Context(), flt)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) > 0 {
		return snaps
	}
	// Without a filter: the backups, not the history mirror's snapshots.
	return slices.DeleteFunc(snaps, func(s *repo.Snapshot) bool { return slices.Contains(s.Tags, "type:evidence") })
}

// restic runs the pinned restic on the fixture's repository and returns
// its standard output.
func (f *runFixture) restic(t testing.TB, args ...string) []byte {
	t.Helper()
	env := []string{"RESTIC_PASSWORD=" + runRepoPassword, "RESTIC_REPOSITORY=" + f.repoDir}
	return testenv.RunTool(t, env, "", testenv.Restic(t), append([]string{"--no-cache"}, args...)...)
}

// resticSnapshot is the part of restic's snapshots --json these tests
// read.
type resticSnapshot struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Paths    []string  `json:"paths"`
	Hostname string    `json:"hostname"`
	Tags     []string  `json:"tags"`
}

// resticSnapshots lists the snapshots restic finds with the tag filter.
func (f *runFixture) resticSnapshots(t testing.TB, tag string) []resticSnapshot {
	t.Helper()
	var out []resticSnapshot
	if err := json.Unmarshal(f.restic(t, "snapshots", "--json", "--tag", tag), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// readRecord reads the raw last_backup.json.
func (f *runFixture) readRecord(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.stateDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noRunSecret fails the test if a secret of the fixture occurs in texts.
func noRunSecret(t testing.TB, texts ...string) {
	t.Helper()
	noSecret(t, []string{runRepoPassword, runDBPassword, "queue-pw-5d2e8a"}, texts...)
}

// lockFiles lists the repository's lock files.
func (f *runFixture) lockFiles(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(f.repoDir, "locks"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}
