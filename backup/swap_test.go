package backup

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSwapDir(t *testing.T) {
	target := canonicalPath(t.TempDir())
	WriteTestTree(t, target, map[string]string{
		"a.txt": "old a", "gone.txt": "old", "sub/x": "old x",
		"db/app.sqlite3": "live db", "db/app.sqlite3-wal": "live wal", "db/other": "old other",
		".kamal-backup-old-123/leftover": "from a crash",
	})
	before, _ := os.Stat(target)
	kept, _ := os.Stat(filepath.Join(target, "db/app.sqlite3"))
	staging, err := os.MkdirTemp(target, stagingPrefix)
	if err != nil {
		t.Fatal(err)
	}
	WriteTestTree(t, staging, map[string]string{
		"a.txt": "new a", "sub/y": "new y", "db/other": "new other", "db/app.sqlite3": "stale copy", "new/": "",
	})
	keep := []string{filepath.Join(target, "db/app.sqlite3"), filepath.Join(target, "db/app.sqlite3-wal"), "/elsewhere/x.sqlite3"}
	if done, err := swapDir(target, staging, keep); !done || err != nil {
		t.Fatalf("swapDir: %v, %v", done, err)
	}
	if err := os.RemoveAll(staging); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a.txt": "new a", "sub/": "", "sub/y": "new y", "new/": "",
		"db/": "", "db/app.sqlite3": "live db", "db/app.sqlite3-wal": "live wal", "db/other": "new other",
	}
	if diff := cmp.Diff(want, ReadTestTree(t, target)); diff != "" {
		t.Errorf("target after the swap (-want +got):\n%s", diff)
	}
	after, _ := os.Stat(target)
	if !os.SameFile(before, after) {
		t.Error("the target directory was replaced")
	}
	if now, _ := os.Stat(filepath.Join(target, "db/app.sqlite3")); !os.SameFile(kept, now) {
		t.Error("the kept database file was replaced")
	}
}

// TestSwapDirUndo makes a move fail on a mount point inside the target
// (it cannot be renamed) and checks that the target is left as it was.
func TestSwapDirUndo(t *testing.T) {
	target := canonicalPath(t.TempDir())
	WriteTestTree(t, target, map[string]string{"a.txt": "old a", "b.txt": "old b", "m/": "", "z.txt": "old z"})
	busy := filepath.Join(target, "m")
	if err := syscall.Mount(busy, busy, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("no bind mount: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(busy, 0) })
	staging, err := os.MkdirTemp(target, stagingPrefix)
	if err != nil {
		t.Fatal(err)
	}
	WriteTestTree(t, staging, map[string]string{"a.txt": "new a"})
	done, err := swapDir(target, staging, nil)
	if done || err == nil {
		t.Fatalf("swapDir: %v, %v; want the move of the mount point to fail", done, err)
	}
	got := ReadTestTree(t, target)
	delete(got, filepath.Base(staging)+"/")
	delete(got, filepath.Base(staging)+"/a.txt")
	want := map[string]string{"a.txt": "old a", "b.txt": "old b", "m/": "", "z.txt": "old z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("target after a failed swap (-want +got):\n%s", diff)
	}
}
