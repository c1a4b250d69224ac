package archiver_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

const password = "pw"

// newRepo creates a local repository (cheap key) in dir and opens it.
func newRepo(t testing.TB, dir string) *repo.Repository {
	t.Helper()
	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// restic writes temporary pack files to TMPDIR; keep them out of the
	// directories being backed up (see resticCmd).
	check(t, os.MkdirAll(dir+".tmp", 0o700))
	r, err := repo.Init(context.Background(), be, password, repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reopen opens the repository in dir again, with a fresh index.
func reopen(t testing.TB, dir string) *repo.Repository {
	t.Helper()
	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(context.Background(), be, password, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// backup runs Backup and fails the test on a fatal error.
func backup(t testing.TB, r *repo.Repository, paths []string, opts archiver.Options) (*repo.Snapshot, archiver.Result) {
	t.Helper()
	sn, res, err := archiver.Backup(context.Background(), r, paths, opts)
	if err != nil {
		t.Fatalf("backup %v: %v (errors %v)", paths, err, res.Errors)
	}
	return sn, res
}

// resticCmd runs the given restic binary on the repository in dir, with
// dir+".tmp" as its TMPDIR so that its temporary files do not change the
// times of /tmp, which snapshots record.
func resticCmd(t testing.TB, bin, dir string, args ...string) []byte {
	t.Helper()
	check(t, os.MkdirAll(dir+".tmp", 0o700))
	env := []string{"RESTIC_REPOSITORY=" + dir, "RESTIC_PASSWORD=" + password, "RESTIC_PASSWORD_FILE=",
		"RESTIC_PASSWORD_COMMAND=", "TMPDIR=" + dir + ".tmp"}
	return testenv.RunTool(t, env, "", bin, append([]string{"--no-cache", "-q"}, args...)...)
}

// resticSnapshot returns the newest snapshot as restic stored it ("restic
// snapshots" sorts the paths it shows, "restic cat snapshot" does not).
func resticSnapshot(t testing.TB, bin, dir string) map[string]any {
	t.Helper()
	var snaps []map[string]any
	if err := json.Unmarshal(resticCmd(t, bin, dir, "snapshots", "--json"), &snaps); err != nil || len(snaps) == 0 {
		t.Fatalf("restic snapshots: %v (%d)", err, len(snaps))
	}
	var sn map[string]any
	check(t, json.Unmarshal(resticCmd(t, bin, dir, "cat", "snapshot", snaps[len(snaps)-1]["id"].(string)), &sn))
	return sn
}

// write creates a file with content and mode.
func write(t testing.TB, path string, data []byte, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func random(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixtureNames are the awkward names the fixture contains.
var fixtureNames = []string{"ünïcödé.txt", "tab\there", `quo"te\back`, "a&b<c>.txt", "new\nline"}

// makeFixture fills dir with every kind of entry restic records: regular,
// empty, small and chunked files, an empty directory, symlinks (one with
// a non-UTF-8 target), hard links, a FIFO, a socket, a setuid file,
// awkward names, extended attributes and, as root, a device node.
func makeFixture(t testing.TB, dir string) {
	t.Helper()
	write(t, filepath.Join(dir, "a.txt"), []byte("hello\n"), 0o644)
	check(t, syscall.Setxattr(filepath.Join(dir, "a.txt"), "user.test", []byte("value"), 0))
	check(t, syscall.Setxattr(filepath.Join(dir, "a.txt"), "user.empty", nil, 0))
	check(t, syscall.Setxattr(filepath.Join(dir, "a.txt"), "user.big", random(t, 3000), 0)) // > first buffer
	write(t, filepath.Join(dir, "empty"), nil, 0o600)
	check(t, os.Mkdir(filepath.Join(dir, "emptydir"), 0o700))
	write(t, filepath.Join(dir, "sub", "deep", "f.bin"), random(t, 3000), 0o640)
	write(t, filepath.Join(dir, "sub", "big.bin"), random(t, 3<<20), 0o644)
	write(t, filepath.Join(dir, "sub", "edge.bin"), random(t, 512<<10), 0o644)
	write(t, filepath.Join(dir, "sub", "zeros.bin"), make([]byte, 1<<20), 0o644)
	write(t, filepath.Join(dir, "setuid"), []byte("#!/bin/sh\n"), 0o4755)
	check(t, os.Chmod(filepath.Join(dir, "setuid"), 0o4755|fs.ModeSetuid))
	check(t, os.Symlink("a.txt", filepath.Join(dir, "link")))
	check(t, os.Symlink("nowhere/\xff\xfe", filepath.Join(dir, "badlink")))
	check(t, os.Link(filepath.Join(dir, "a.txt"), filepath.Join(dir, "hardlink")))
	check(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	for i, name := range fixtureNames {
		write(t, filepath.Join(dir, name), []byte{byte('0' + i)}, 0o644)
	}
	if os.Getuid() == 0 {
		check(t, syscall.Mknod(filepath.Join(dir, "null"), syscall.S_IFCHR|0o644, 1<<8|3))
		check(t, os.Chown(filepath.Join(dir, "sub", "deep", "f.bin"), 4321, 8765))
	}
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	check(t, err)
	t.Cleanup(func() { l.Close() })
	check(t, syscall.Setxattr(filepath.Join(dir, "sub"), "user.dir", []byte("d"), 0))
}

// repoSnapshotHost returns snapshot options recording host.
func repoSnapshotHost(host string) repo.SnapshotOptions { return repo.SnapshotOptions{Host: host} }
