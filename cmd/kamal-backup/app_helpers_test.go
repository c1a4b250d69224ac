package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// opsPassword is the repository password of the operator-command tests.
const opsPassword = "ops-e2e-repo-pw-6230"

// opsApp is an app checkout for the end-to-end tests of the operator
// commands: config/kamal-backup.yml, a repository (DIR/repo, created
// with a cheap key) and a state directory (DIR/state), driven through the
// test binary acting as kamal-backup in a child process.
type opsApp struct {
	dir string
	env []string // the child's environment
}

// newOpsApp writes yml, with DIR replaced by the app's directory, as
// config/kamal-backup.yml, creates the repository and returns the app.
// env is added to the child's environment, whose repository password
// variable is OPS_RESTIC_PASSWORD.
func newOpsApp(t *testing.T, yml string, env ...string) *opsApp {
	t.Helper()
	a := &opsApp{dir: t.TempDir()}
	a.write(t, "config/kamal-backup.yml", strings.ReplaceAll(yml, "DIR", a.dir))
	be, err := local.Open(a.path("repo"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Init(context.Background(), be, opsPassword, repo.InitOptions{KDF: fastKDF}); err != nil {
		t.Fatal(err)
	}
	a.env = append([]string{"KAMAL_BACKUP_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + a.dir,
		"TMPDIR=" + os.TempDir(), "OPS_RESTIC_PASSWORD=" + opsPassword}, env...)
	return a
}

// path returns the absolute path of rel in the app.
func (a *opsApp) path(rel string) string { return filepath.Join(a.dir, rel) }

// write creates the file rel in the app with data.
func (a *opsApp) write(t testing.TB, rel, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(a.path(rel)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a.path(rel), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// command returns kamal-backup with args as a child process in the app's
// directory, with extra added to its environment.
func (a *opsApp) command(extra []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir, cmd.Env = a.dir, append(append([]string(nil), a.env...), extra...)
	return cmd
}

// run runs kamal-backup with args in a child process and returns what it
// printed and its exit status.
func (a *opsApp) run(t testing.TB, extra []string, args ...string) result {
	t.Helper()
	cmd := a.command(extra, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	res := result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if strings.Contains(res.output(), opsPassword) {
		t.Errorf("kamal-backup %s printed the repository password:\n%s", strings.Join(args, " "), res.output())
	}
	return res
}

// mustRun runs kamal-backup and fails the test unless it exits 0.
func (a *opsApp) mustRun(t testing.TB, args ...string) result {
	t.Helper()
	res := a.run(t, nil, args...)
	if res.code != 0 {
		t.Fatalf("kamal-backup %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

// restic runs the pinned restic 0.18.1 on the app's repository and
// returns its standard output.
func (a *opsApp) restic(t testing.TB, args ...string) []byte {
	t.Helper()
	env := []string{"RESTIC_REPOSITORY=" + a.path("repo"), "RESTIC_PASSWORD=" + opsPassword}
	return testenv.RunTool(t, env, a.dir, testenv.Restic(t), append([]string{"--no-cache", "-q"}, args...)...)
}

// resticSnapshot is the part of restic's snapshot JSON the tests read.
type resticSnapshot struct {
	ID       string   `json:"short_id"`
	Hostname string   `json:"hostname"`
	Tags     []string `json:"tags"`
	Paths    []string `json:"paths"`
}

// snapshots returns the backup snapshots restic lists with the tag
// filter: the history mirror's type:evidence snapshots are left out
// unless the filter asks for them (see allSnapshots).
func (a *opsApp) snapshots(t testing.TB, tag string) []resticSnapshot {
	t.Helper()
	var out []resticSnapshot
	for _, s := range a.allSnapshots(t, tag) {
		if tag != "" || !slices.Contains(s.Tags, "type:evidence") {
			out = append(out, s)
		}
	}
	return out
}

// allSnapshots returns every snapshot restic lists with the tag filter.
func (a *opsApp) allSnapshots(t testing.TB, tag string) []resticSnapshot {
	t.Helper()
	args := []string{"snapshots", "--json"}
	if tag != "" {
		args = append(args, "--tag", tag)
	}
	var out []resticSnapshot
	if err := json.Unmarshal(a.restic(t, args...), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// record reads the state record name into v.
func (a *opsApp) record(t testing.TB, name string, v any) {
	t.Helper()
	found, err := kbackup.StateDir{Path: a.path("state")}.ReadRecord(name, v)
	if err != nil || !found {
		t.Fatalf("state record %s: found %v, %v", name, found, err)
	}
}

// opsSQLite runs sql on the SQLite database at path with sqlite3.
func opsSQLite(t testing.TB, path, sql string) string {
	t.Helper()
	out, err := exec.Command(testenv.Tool(t, "sqlite3"), path, sql).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s: %v\n%s", path, err, out)
	}
	return strings.TrimSpace(string(out))
}

// wantContains fails the test for every want that s lacks.
func wantContains(t testing.TB, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}
