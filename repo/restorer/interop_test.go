//go:build linux

package restorer_test

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// TestResticInterop backs up a directory with the real restic (the pinned
// 0.18.1 and Debian's 0.14), restores it with restic and with Restore and
// compares the two results entry by entry.
func TestResticInterop(t *testing.T) {
	t.Run("0.18.1", func(t *testing.T) { resticInterop(t, testenv.Restic(t)) })
	t.Run("0.14", func(t *testing.T) { resticInterop(t, testenv.Restic014(t)) })
}

func resticInterop(t *testing.T, bin string) {
	dir := t.TempDir()
	repoDir := filepath.Join(dir, "repo")
	restic := func(args ...string) {
		t.Helper()
		testenv.RunTool(t, []string{"RESTIC_PASSWORD=pw"}, "", bin, append([]string{"--no-cache", "-q", "--repo", repoDir}, args...)...)
	}
	src := filepath.Join(dir, "src")
	makeSource(t, src)
	restic("init")
	restic("backup", src)
	theirs := filepath.Join(dir, "theirs")
	restic("restore", "latest", "--target", theirs)

	ctx := context.Background()
	be, err := local.Open(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(ctx, be, "pw", repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %d, %v", len(snaps), err)
	}
	ours := filepath.Join(dir, "ours")
	stats, err := restorer.Restore(ctx, r, snaps[0], ours, restorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.HardLinks != 3 || stats.Special != 1 || stats.Symlinks != 2 {
		t.Errorf("stats %+v", stats)
	}
	a, b := describeTree(t, theirs), describeTree(t, ours)
	for _, p := range sortedKeys(a, b) {
		if a[p] != b[p] {
			t.Errorf("%s:\nrestic: %s\nours:   %s", p, a[p], b[p])
		}
	}
	if len(a) < 20 {
		t.Errorf("compared only %d entries", len(a))
	}
	if ha, hb := hardLinkGroups(t, theirs), hardLinkGroups(t, ours); !slices.Equal(ha, hb) || len(ha) != 2 {
		t.Errorf("hard link groups differ:\nrestic: %q\nours:   %q", ha, hb)
	}
}

// makeSource fills dir with every kind of entry restic restores, with
// nanosecond mtimes set bottom-up.
func makeSource(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{"a/b/c", "empty dir", "sticky", "setgid", "private"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	big := make([]byte, 3<<20)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(big)
	must(t, os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o644))
	must(t, os.Link(filepath.Join(dir, "big.bin"), filepath.Join(dir, "a", "big-link")))
	must(t, os.Link(filepath.Join(dir, "big.bin"), filepath.Join(dir, "a", "b", "c", "big-link2")))
	must(t, os.WriteFile(filepath.Join(dir, "small"), []byte("small\n"), 0o600))
	must(t, os.Link(filepath.Join(dir, "small"), filepath.Join(dir, "private", "small-link")))
	must(t, os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "a", "b", "c", "deep"), []byte("deep"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "setuid"), []byte("#!/bin/sh\n"), 0o755))
	must(t, os.Chmod(filepath.Join(dir, "setuid"), os.ModeSetuid|0o755))
	must(t, os.Chmod(filepath.Join(dir, "sticky"), os.ModeSticky|0o777))
	must(t, os.Chmod(filepath.Join(dir, "setgid"), os.ModeSetgid|0o750))
	must(t, os.Chmod(filepath.Join(dir, "private"), 0o700))
	must(t, os.Symlink("../big.bin", filepath.Join(dir, "a", "rel-link")))
	must(t, os.Symlink("/etc/hostname", filepath.Join(dir, "abs-link")))
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o640))
	sparse, err := os.Create(filepath.Join(dir, "sparse"))
	must(t, err)
	_, err = sparse.WriteAt([]byte("head"), 0)
	must(t, err)
	_, err = sparse.WriteAt([]byte("middle"), 9<<20)
	must(t, err)
	must(t, sparse.Truncate(20<<20))
	must(t, sparse.Close())
	_ = syscall.Setxattr(filepath.Join(dir, "small"), "user.note", []byte("value"), 0)
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	must(t, err)
	t.Cleanup(func() { l.Close() })

	// Set times bottom-up so that directory times stay as set.
	var paths []string
	must(t, filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	}))
	for i, p := range slices.Backward(paths) {
		mtime := time.Date(2020, 1, 2, 3, 4, 5, 100000000+i*1234567, time.UTC)
		if err := lutimes(p, mtime.Add(-time.Hour), mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// lutimes sets the times of p without following a symlink.
func lutimes(p string, atime, mtime time.Time) error {
	ts := [2]syscall.Timespec{syscall.NsecToTimespec(atime.UnixNano()), syscall.NsecToTimespec(mtime.UnixNano())}
	ptr, err := syscall.BytePtrFromString(p)
	if err != nil {
		return err
	}
	const atSymlinkNofollow = 0x100
	cwd := -100 // AT_FDCWD
	_, _, errno := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(cwd), uintptr(unsafe.Pointer(ptr)),
		uintptr(unsafe.Pointer(&ts)), atSymlinkNofollow, 0, 0)
	if errno != 0 {
		return &os.PathError{Op: "utimensat", Path: p, Err: errno}
	}
	return nil
}
