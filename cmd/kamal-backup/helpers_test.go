package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// fastKDF keeps key derivation cheap in repositories the tests create.
var fastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// result is what one in-process run of the CLI produced.
type result struct {
	stdout, stderr string
	code           int
}

// output returns stdout and stderr together, for leak checks.
func (r result) output() string { return r.stdout + r.stderr }

// runCLI runs the CLI in-process with only env as its environment and
// stdin as its standard input.
func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	code := run(context.Background(), args, lookup, strings.NewReader(stdin), &stdout, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// mustRun runs the CLI and fails the test unless it exits 0.
func mustRun(t testing.TB, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	res := runCLI(t, env, stdin, args...)
	if res.code != 0 {
		t.Fatalf("kamal-backup %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

// newRepo creates a repository with a cheap KDF in a temporary directory
// and returns the environment that reaches it.
func newRepo(t testing.TB, password string) (map[string]string, *repo.Repository) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(context.Background(), be, password, repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"RESTIC_REPOSITORY": dir, "RESTIC_PASSWORD": password}, r
}

// backupStream stores data as name through the library.
func backupStream(t testing.TB, r *repo.Repository, name, data string, opts repo.SnapshotOptions) *repo.Snapshot {
	t.Helper()
	sn, err := r.BackupStream(context.Background(), name, strings.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// snapshotOpts returns options for a snapshot of host.
func snapshotOpts(host string) repo.SnapshotOptions {
	return repo.SnapshotOptions{Host: host}
}

// cheapKey replaces the key that init (restic's or ours) wrote, whose
// scrypt parameters are calibrated to take half a second, by one for the
// same password with cheap parameters, so that every later run of either
// program opens the repository quickly.
func cheapKey(t testing.TB, repoDir, password string) {
	t.Helper()
	ctx := context.Background()
	be, err := local.Open(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(ctx, be, password, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddKey(ctx, password, fastKDF); err != nil {
		t.Fatal(err)
	}
	if err := be.Remove(ctx, backend.Handle{Type: backend.KeyFile, Name: r.KeyID()}); err != nil {
		t.Fatal(err)
	}
}
