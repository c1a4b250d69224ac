package main

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// randomData returns n incompressible bytes that differ for every seed,
// so that every snapshot of them adds its own packs.
func randomData(seed uint64, n int) string {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 7}).Read(b)
	return string(b)
}

// repoSize is the total size of a repository's files.
func repoSize(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// largestPack returns the path of the largest pack file of a local
// repository.
func largestPack(t testing.TB, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "data", "*", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no packs in %s: %v", dir, err)
	}
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	return slices.MaxFunc(files, func(a, b string) int { return int(size(a) - size(b)) })
}

// lockFiles lists the names of a local repository's lock files.
func lockFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "locks"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// leaveStaleLock runs "repo backup --stdin" as a child process, feeds it
// enough input that it must hold its lock, and kills it with SIGKILL: its
// lock stays behind, naming a PID of this host that no longer exists.
func leaveStaleLock(t *testing.T, env map[string]string) {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "repo", "backup", "--stdin", "--stdin-filename", "stuck.sql")
	cmd.Env = append(os.Environ(), "KAMAL_BACKUP_TEST_MAIN=1", "RESTIC_REPOSITORY="+env["RESTIC_REPOSITORY"],
		"RESTIC_PASSWORD="+env["RESTIC_PASSWORD"])
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stderr = pr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	// The child reads standard input only once it holds its lock; a write
	// larger than the pipe's buffer returns only after it has read.
	if _, err := pw.Write([]byte(randomData(99, 1<<20))); err != nil {
		t.Fatalf("child did not read its input: %v\n%s", err, stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	pw.Close()
	if n := len(lockFiles(t, env["RESTIC_REPOSITORY"])); n != 1 {
		t.Fatalf("the killed backup left %d lock files, want 1\n%s", n, stderr.String())
	}
}
