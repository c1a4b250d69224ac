package interop

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// Passwords of the test repositories; the key files hold no other secret.
const (
	password1     = "test"            // restic init
	password2     = "second password" // restic key add
	cheapPassword = "cheap interop key"
)

// cheapKDF is the scrypt cost of the extra key this suite adds with
// repo.AddKey. restic derives its key, calibrated to ~0.5 s, on every
// command (several seconds for us under -race); pointing restic at the
// cheap key with --key-hint keeps the suite fast and checks on the way
// that restic accepts key files we write.
var cheapKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// Snapshot metadata of the backups every repository holds.
const (
	secondHost = "second-host"
	prefixHost = "prefix-host" // extra snapshots that make a short ID prefix ambiguous
)

// kind is one way of making a repository with the real restic.
type kind struct {
	name    string
	tool    func(testing.TB) string // testenv.Restic or testenv.Restic014
	version string                  // init --repository-version; "" is the default
}

var kinds = []kind{
	{"restic-0.18-v2", testenv.Restic, ""},
	{"restic-0.14-v1", testenv.Restic014, "1"},
	{"restic-0.14-v2", testenv.Restic014, "2"},
}

// resticRepo is a repository restic wrote in this test run, shared by
// all tests; treat it as read-only.
type resticRepo struct {
	kind
	bin   string
	dir   string
	fix   *fixture
	hint  string           // ID of the cheap key
	r     *repo.Repository // ours, opened with password1
	snaps []map[string]any // restic snapshots --json, oldest first
	// IDs of the directory, --stdin and --host second-host snapshots.
	dirSnap, stdinSnap, hostSnap string
}

type lazyRepo struct {
	once sync.Once
	rr   *resticRepo
	err  error
}

// repos caches one repository per kind for the life of the test binary.
var repos sync.Map // kind name -> *lazyRepo

// forEachRepo runs fn in a parallel subtest per kind of repository.
func forEachRepo(t *testing.T, fn func(t *testing.T, rr *resticRepo)) {
	t.Helper()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			fn(t, resticRepoFor(t, k))
		})
	}
}

// resticRepoFor returns the repository of kind k, building it on first use.
func resticRepoFor(t testing.TB, k kind) *resticRepo {
	t.Helper()
	bin := k.tool(t) // skips or fails here, outside the Once
	rr, err := lazyBuild(t, k, bin)
	if err != nil {
		t.Fatalf("build %s repository: %v", k.name, err)
	}
	return rr
}

// lazyBuild builds the repository of kind k once per test binary; t must
// outlive the build.
func lazyBuild(t testing.TB, k kind, bin string) (*resticRepo, error) {
	v, _ := repos.LoadOrStore(k.name, &lazyRepo{})
	l := v.(*lazyRepo)
	l.once.Do(func() { l.rr, l.err = buildRepo(t, k, bin) })
	return l.rr, l.err
}

// TestBuildRepositories builds every kind of repository concurrently
// before the parallel tests start (Go runs them after the sequential
// ones), so that -parallel does not serialise the builds. Tests run alone
// build what they need on demand.
func TestBuildRepositories(t *testing.T) {
	bins := map[string]string{}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) { bins[k.name] = k.tool(t) })
	}
	var wg sync.WaitGroup
	for _, k := range kinds {
		if bins[k.name] == "" {
			continue
		}
		wg.Go(func() {
			if _, err := lazyBuild(t, k, bins[k.name]); err != nil {
				t.Errorf("build %s repository: %v", k.name, err)
			}
		})
	}
	wg.Wait()
}

// buildRepo makes the repository: init, our cheap key, a backup of the
// fixture, a --stdin database dump, a --host second-host backup, extra
// snapshots until two IDs share their first hex digit, and a second key.
// It returns errors instead of failing t because the result is shared.
func buildRepo(t testing.TB, k kind, bin string) (*resticRepo, error) {
	fix, err := fixtureOnce()
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	rr := &resticRepo{kind: k, bin: bin, dir: filepath.Join(testRoot, k.name), fix: fix}
	args := []string{"init"}
	if k.version != "" {
		args = append(args, "--repository-version", k.version)
	}
	if _, err := rr.output(t, nil, []string{"RESTIC_PASSWORD=" + password1}, args...); err != nil {
		return nil, err
	}
	if rr.r, err = openRepo(t, rr.dir, password1); err != nil {
		return nil, err
	}
	if rr.hint, err = rr.r.AddKey(t.Context(), cheapPassword, cheapKDF); err != nil {
		return nil, err
	}
	sql, err := os.ReadFile(fix.SQLFile)
	if err != nil {
		return nil, err
	}
	pw2 := rr.dir + ".password2"
	steps := []struct {
		stdin []byte
		args  []string
	}{
		{nil, []string{"backup", fix.Dir}},
		{sql, []string{"backup", "--stdin", "--stdin-filename", stdinName, "--tag", "kamal-backup", "--tag", "type:database"}},
		{nil, []string{"backup", "--host", secondHost, "--tag", "kamal-backup,type:files", filepath.Join(fix.Dir, hostTarget)}},
	}
	for _, s := range steps {
		if _, err := rr.output(t, bytes.NewReader(s.stdin), nil, s.args...); err != nil {
			return nil, err
		}
	}
	if err := rr.makeAmbiguous(t); err != nil {
		return nil, err
	}
	if err := os.WriteFile(pw2, []byte(password2+"\n"), 0o600); err != nil {
		return nil, err
	}
	if _, err := rr.output(t, nil, nil, "key", "add", "--new-password-file", pw2); err != nil {
		return nil, err
	}
	if err := rr.loadSnapshots(t); err != nil {
		return nil, err
	}
	return rr, nil
}

// makeAmbiguous adds tiny --stdin snapshots until two snapshot IDs share
// their first hex digit (at most 17 snapshots are needed).
func (rr *resticRepo) makeAmbiguous(t testing.TB) error {
	for i := 0; ; i++ {
		names, err := rr.snapshotNames()
		if err != nil {
			return err
		}
		if ambiguousPrefix(names) != "" {
			return nil
		}
		if i > 16 {
			return fmt.Errorf("no ambiguous prefix among %v", names)
		}
		_, err = rr.output(t, strings.NewReader(fmt.Sprintf("extra %d\n", i)), nil,
			"backup", "--stdin", "--stdin-filename", "extra.txt", "--host", prefixHost)
		if err != nil {
			return err
		}
	}
}

// snapshotNames lists the snapshot files straight from the directory.
func (rr *resticRepo) snapshotNames() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(rr.dir, "snapshots"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

// ambiguousPrefix returns a one-character prefix of two or more names, or "".
func ambiguousPrefix(names []string) string {
	seen := map[byte]bool{}
	for _, n := range names {
		if seen[n[0]] {
			return n[:1]
		}
		seen[n[0]] = true
	}
	return ""
}

// loadSnapshots stores restic's snapshot list and picks out the IDs of the
// three main snapshots.
func (rr *resticRepo) loadSnapshots(t testing.TB) error {
	out, err := rr.output(t, nil, nil, "snapshots", "--json")
	if err != nil {
		return err
	}
	if rr.snaps, err = decodeJSONList(out); err != nil {
		return err
	}
	for _, s := range rr.snaps {
		sid, _ := s["id"].(string)
		switch {
		case s["hostname"] == secondHost:
			rr.hostSnap = sid
		case fmt.Sprint(s["paths"]) == fmt.Sprint([]any{"/" + stdinName}):
			rr.stdinSnap = sid
		case fmt.Sprint(s["paths"]) == fmt.Sprint([]any{rr.fix.Dir}):
			rr.dirSnap = sid
		}
	}
	if rr.dirSnap == "" || rr.stdinSnap == "" || rr.hostSnap == "" {
		return fmt.Errorf("missing snapshots in %s", out)
	}
	return nil
}

// openRepo opens the local repository in dir with our code.
func openRepo(t testing.TB, dir, password string) (*repo.Repository, error) {
	be, err := local.Open(dir)
	if err != nil {
		return nil, err
	}
	return repo.Open(t.Context(), be, password, repo.Options{})
}
