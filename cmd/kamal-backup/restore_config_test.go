package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// restoreApp is an app checkout for the restore and drill tests:
// config/kamal-backup.yml (and perhaps the local file), a local
// repository and state directories, all in one temporary directory.
type restoreApp struct {
	dir string
	// env is the binary's environment besides PATH, HOME and the like:
	// the secrets the configuration names.
	env map[string]string
}

// newRestoreApp writes the configuration prod (and the local one, if not
// empty) with every "DIR" replaced by the app directory.
func newRestoreApp(t *testing.T, prod, local string, env map[string]string) *restoreApp {
	t.Helper()
	a := &restoreApp{dir: t.TempDir(), env: env}
	a.write(t, "config/kamal-backup.yml", a.expand(prod))
	if local != "" {
		a.write(t, "config/kamal-backup.local.yml", a.expand(local))
	}
	return a
}

// expand replaces every "DIR" in s by the app directory.
func (a *restoreApp) expand(s string) string { return strings.ReplaceAll(s, "DIR", a.dir) }

// path returns rel inside the app directory.
func (a *restoreApp) path(rel string) string { return filepath.Join(a.dir, rel) }

// write writes content to rel inside the app directory.
func (a *restoreApp) write(t testing.TB, rel, content string) {
	t.Helper()
	p := a.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// read returns the content of rel inside the app directory, or "" when
// it does not exist.
func (a *restoreApp) read(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(a.path(rel))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// lookup reads the app's environment.
func (a *restoreApp) lookup(name string) (string, bool) {
	v, ok := a.env[name]
	return v, ok
}

// backup takes one snapshot per database and one of the files through
// the library, as "kamal-backup backup --force" does, creating the
// repository with a cheap key.
func (a *restoreApp) backup(t testing.TB) {
	t.Helper()
	cfg, err := kbackup.LoadConfig(a.path("config/kamal-backup.yml"), a.lookup, kbackup.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := &kbackup.Runner{Config: cfg, Adapters: appAdapters(nil, cfg.Redactor()), Env: a.lookup, KDF: fastKDF}
	if _, err := r.Backup(t.Context(), kbackup.BackupOptions{Force: true}); err != nil {
		t.Fatalf("backup: %v", err)
	}
}

// run runs the kamal-backup binary (this test binary, through TestMain)
// in the app directory with stdin as its whole standard input, and
// extra variables added to the app's environment.
func (a *restoreApp) run(t testing.TB, stdin string, extra map[string]string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Dir = a.dir
	cmd.Env = []string{"KAMAL_BACKUP_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + a.dir,
		"TMPDIR=" + os.TempDir(), "LC_ALL=C", "USER=drill-operator"}
	for _, m := range []map[string]string{a.env, extra} {
		for k, v := range m {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	t.Logf("kamal-backup %s: exit %d", strings.Join(args, " "), res.code)
	return res
}

// mustSucceed fails the test unless res exited 0.
func mustSucceed(t testing.TB, res result) {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
}

// mustFail fails the test unless res exited 1 with every one of want in
// its standard error, and no secret of the app in its output.
func (a *restoreApp) mustFail(t testing.TB, res result, want ...string) {
	t.Helper()
	if res.code != exitError {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, exitError, res.stdout, res.stderr)
	}
	for _, w := range want {
		if !strings.Contains(res.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
		}
	}
	a.noSecrets(t, res.output())
}

// noSecrets fails the test if out shows a value of the app's environment.
func (a *restoreApp) noSecrets(t testing.TB, out string) {
	t.Helper()
	for name, v := range a.env {
		if strings.Contains(out, v) {
			t.Errorf("the output shows the value of %s:\n%s", name, out)
		}
	}
}

// drillRecord reads the drill record in the state directory rel.
func (a *restoreApp) drillRecord(t testing.TB, rel string) kbackup.DrillRecord {
	t.Helper()
	var rec kbackup.DrillRecord
	if err := json.Unmarshal([]byte(a.read(t, filepath.Join(rel, kbackup.LastDrillRecord))), &rec); err != nil {
		t.Fatalf("drill record: %v", err)
	}
	return rec
}

// sqliteQuery runs sql on the SQLite database db with sqlite3.
func sqliteQuery(t testing.TB, db, sql string) string {
	t.Helper()
	out, err := exec.Command("sqlite3", db, sql).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s: %v\n%s", db, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestExplainRestoreErrors(t *testing.T) {
	t.Parallel()
	locked := fmt.Errorf("lock the repository: %w", &repo.LockedError{PID: 7})
	wrongPassword := fmt.Errorf("open: %w", repo.ErrWrongPassword)
	for _, tc := range []struct {
		err      error
		want     string
		exitCode int
	}{
		{fmt.Errorf("%w: no answer (end of input)", kbackup.ErrNotConfirmed),
			"production restore not confirmed: no answer (end of input) (type it)", exitError},
		{fmt.Errorf("%w: answer the prompt or type it", kbackup.ErrNotConfirmed),
			"production restore not confirmed: answer the prompt or type it", exitError},
		{fmt.Errorf("%w: RAILS_ENV=production", kbackup.ErrProductionTarget),
			"production restore refused: local target looks like production: RAILS_ENV=production", exitError},
		{errors.Join(fmt.Errorf("%w: database", kbackup.ErrScratchIsLive), fmt.Errorf("%w: files", kbackup.ErrNoScratchTarget)),
			"production restore refused: scratch target is a live target: database\nno scratch target: files", exitError},
		{fmt.Errorf("%w: /data: read-only file system", kbackup.ErrTargetNotWritable),
			"production restore refused: restore target is not writable: /data: read-only file system", exitError},
		{fmt.Errorf("%w: exit status 3", kbackup.ErrCheckFailed), "production restore failed: drill check failed: exit status 3", exitError},
		{locked, "production restore failed: " + locked.Error(), exitLocked},
		{wrongPassword, "production restore failed: " + wrongPassword.Error(), exitWrongPassword},
	} {
		err := explain("production restore", "type it", tc.err)
		if err.Error() != tc.want {
			t.Errorf("explain(%v) = %q, want %q", tc.err, err, tc.want)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("explain(%v) does not wrap it", tc.err)
		}
		if got := exitCode(err); got != tc.exitCode {
			t.Errorf("exit code of %v = %d, want %d", tc.err, got, tc.exitCode)
		}
	}
	if explain("x", "", nil) != nil {
		t.Error("explain(nil) is not nil")
	}
}

func TestRestoreHelpAndConfigErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"restore", "production", "--help"}, {"drill", "production", "--help"}} {
		res := mustRun(t, nil, "", args...)
		for _, want := range []string{"Exit codes:", "Examples:", "($KAMAL_BACKUP_CONFIG)"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("%s lacks %q:\n%s", strings.Join(args, " "), want, res.stdout)
			}
		}
	}
	missing := filepath.Join(t.TempDir(), "none.yml")
	res := runCLI(t, map[string]string{"KAMAL_BACKUP_CONFIG": missing}, "", "restore", "production")
	if res.code != exitError || !strings.Contains(res.stderr, "production restore failed: no configuration at") ||
		!strings.Contains(res.stderr, "none.yml") {
		t.Errorf("missing config: exit %d\n%s", res.code, res.stderr)
	}
	res = runCLI(t, nil, "", "drill", "local", "-c", missing)
	if res.code != exitError || !strings.Contains(res.stderr, "local drill failed: no configuration at") {
		t.Errorf("missing config: exit %d\n%s", res.code, res.stderr)
	}
}
