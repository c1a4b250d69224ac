package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupFilesAndRestoreInclude(t *testing.T) {
	t.Parallel()
	env, _ := newRepo(t, "files-password")
	src := filepath.Join(t.TempDir(), "app")
	writeTree(t, src)
	res := mustRun(t, env, "", "repo", "backup", src, "--exclude", "*.tmp", "--tag", "files", "--json")
	var summary struct {
		MessageType string `json:"message_type"`
		FilesNew    int    `json:"files_new"`
		SnapshotID  string `json:"snapshot_id"`
	}
	decodeJSON(t, res.stdout, &summary)
	if summary.MessageType != "summary" || summary.FilesNew != 3 || len(summary.SnapshotID) != 64 {
		t.Fatalf("backup summary: %s", res.stdout)
	}
	res = mustRun(t, env, "", "repo", "ls", "--tag", "files", "latest", src, "--recursive")
	for _, want := range []string{src + "/a.txt", src + "/sub/b", src + "/link", src + "/fifo"} {
		if !strings.Contains(res.stdout, want+"\n") {
			t.Errorf("ls lacks %s:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "c.tmp") {
		t.Errorf("excluded file listed:\n%s", res.stdout)
	}
	target := t.TempDir()
	mustRun(t, env, "", "repo", "restore", summary.SnapshotID[:8], "--target", target, "--include", src+"/sub")
	if b, err := os.ReadFile(filepath.Join(target, filepath.FromSlash(src), "sub", "b")); err != nil || string(b) != "x\n" {
		t.Fatalf("restored sub/b: %q %v", b, err)
	}
	if _, err := os.Lstat(filepath.Join(target, filepath.FromSlash(src), "a.txt")); !os.IsNotExist(err) {
		t.Fatalf("a.txt restored despite --include: %v", err)
	}
	if res := runCLI(t, env, "", "repo", "backup", filepath.Join(src, "missing")); res.code != 1 {
		t.Fatalf("backup of a missing path: exit %d %s", res.code, res.stderr)
	}
}

func TestLockedRepository(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "lock-password")
	backupStream(t, r, "db.sql", "x", snapshotOpts("h"))
	lock, _, err := r.Lock(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	res := runCLI(t, env, "", "repo", "snapshots")
	if res.code != exitLocked || !strings.Contains(res.stderr, "locked") {
		t.Fatalf("snapshots on a locked repository: exit %d %s", res.code, res.stderr)
	}
	if res := runCLI(t, env, "y", "repo", "backup", "--stdin", "--no-lock"); res.code != exitLocked {
		t.Fatalf("backup ignores --no-lock: exit %d %s", res.code, res.stderr)
	}
	mustRun(t, env, "", "repo", "snapshots", "--no-lock")
}
