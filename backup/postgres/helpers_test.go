package postgres

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

const testApp = "app"

// recorder is a test adapter's log and the specs of every command it ran.
type recorder struct {
	mu    sync.Mutex
	logs  bytes.Buffer
	specs []command.Spec
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.Write(p)
}

func (r *recorder) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.String()
}

// newTestAdapter returns an adapter whose logs and command specs are
// recorded, and checks when the test ends that none of secrets appears
// in the argv of a command it ran or in its log.
func newTestAdapter(t testing.TB, opts Options, secrets ...string) (*Adapter, *recorder) {
	t.Helper()
	rec := &recorder{}
	opts.Logger = slog.New(slog.NewTextHandler(rec, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := New(opts)
	a.observe = func(s command.Spec) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.specs = append(rec.specs, s)
	}
	t.Cleanup(func() {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, s := range rec.specs {
			argv := strings.Join(append([]string{s.Path}, s.Args...), " ")
			for _, secret := range secrets {
				if strings.Contains(argv, secret) {
					t.Errorf("argv holds a password: %s", argv)
				}
			}
		}
		for _, secret := range secrets {
			if strings.Contains(rec.logs.String(), secret) {
				t.Errorf("log holds a password:\n%s", rec.logs.String())
			}
		}
	})
	return a, rec
}

// newRepo initialises a repository on the local backend.
func newRepo(t testing.TB) *repo.Repository {
	t.Helper()
	be, err := local.Open(filepath.Join(t.TempDir(), "repo"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(t.Context(), be, "repository password", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// backupDB dumps db into r as the backup command does; wrap, if set,
// wraps the dump stream.
func backupDB(t testing.TB, r *repo.Repository, a *Adapter, db backup.Database, wrap func(io.Reader) io.Reader) (*repo.Snapshot, error) {
	t.Helper()
	rc, err := a.Dump(t.Context(), db)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var rd io.Reader = rc
	if wrap != nil {
		rd = wrap(rc)
	}
	return r.BackupStream(t.Context(), backup.DumpFilename(testApp, db.Name, a), rd,
		repo.SnapshotOptions{Tags: backup.DatabaseTags(testApp, db.Name, a.Name()), Host: backup.Hostname(testApp, "backup")})
}

// restoreDB restores the dump of database name in snapshot sn into db.
func restoreDB(t testing.TB, r *repo.Repository, sn *repo.Snapshot, a *Adapter, name string, db backup.Database, wrap func(io.Reader) io.Reader) error {
	t.Helper()
	rc, err := r.OpenFile(t.Context(), sn, backup.DumpFilename(testApp, name, a))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var rd io.Reader = rc
	if wrap != nil {
		rd = wrap(rc)
	}
	return a.Restore(t.Context(), db, rd)
}

// onFirstRead calls fn before the first Read from r.
func onFirstRead(fn func()) func(io.Reader) io.Reader {
	return func(r io.Reader) io.Reader { return &hookReader{r: r, at: 0, fn: fn} }
}

// hookReader calls fn once, before the first Read after at bytes.
type hookReader struct {
	r    io.Reader
	n    int64
	at   int64
	fn   func()
	done bool
}

func (h *hookReader) Read(p []byte) (int, error) {
	if !h.done && h.n >= h.at {
		h.done = true
		h.fn()
	}
	n, err := h.r.Read(p)
	h.n += int64(n)
	return n, err
}

// assertChildArgv fails the test if the command line of a running child
// of the test process holds one of secrets, and returns the names of the
// children's programs.
func assertChildArgv(t testing.TB, secrets ...string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	self := strconv.Itoa(os.Getpid())
	var names []string
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // not a process, or gone
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 || fields[1] != self || fields[0] == "Z" {
			continue
		}
		cmdline := readCmdline(e.Name())
		argv := strings.ReplaceAll(string(cmdline), "\x00", " ")
		names = append(names, filepath.Base(strings.Fields(argv + " ?")[0]))
		for _, s := range secrets {
			if strings.Contains(argv, s) {
				t.Errorf("process %s has the password in its argv: %s", e.Name(), argv)
			}
		}
	}
	return names
}

// readCmdline returns the command line of process pid. A process just
// started may still be inside execve, with an empty command line for a
// moment; readCmdline waits (at most a second) for it to be set.
func readCmdline(pid string) []byte {
	for range 100 {
		b, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		if err != nil || len(b) > 0 {
			return b
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// assertNoSecret fails the test if s holds one of secrets.
func assertNoSecret(t testing.TB, what, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s holds a password: %s", what, s)
		}
	}
}
