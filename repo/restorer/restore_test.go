//go:build linux

package restorer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

func TestRestoreKinds(t *testing.T) {
	b := newBuilder(t)
	big := [][]byte{randomData(300<<10, 1), randomData(200<<10, 2), randomData(123, 3)}
	hl1 := b.file("hard1", 0o640, []byte("shared inode"))
	hl1.Inode, hl1.DeviceID, hl1.Links = 42, 7, 2
	hl2 := *hl1
	hl2.Name = "hard2"
	setuid := b.file("setuid", os.ModeSetuid|0o755, []byte("#!/bin/sh\n"))
	owned := b.file("owned", 0o644, []byte("x"))
	owned.UID, owned.GID = 1234, 5678
	xattr := b.file("xattr", 0o644, []byte("x"))
	xattr.ExtendedAttributes = []tree.ExtendedAttribute{{Name: "user.note", Value: []byte("hello")}}
	fifo := &repo.Node{Name: "fifo", Type: tree.TypeFifo, Mode: os.ModeNamedPipe | 0o620, ModTime: t0, AccessTime: t0}
	sock := &repo.Node{Name: "sock", Type: tree.TypeSocket, Mode: os.ModeSocket | 0o755, ModTime: t0}
	sn := b.snapshot(
		b.file("big", 0o600, big...),
		b.file("empty", 0o644),
		b.dir("emptydir", 0o750),
		b.dir("a", 0o755, b.dir("b", 0o700, b.file("deep", 0o644, []byte("deep")), &hl2)),
		symlink("rel", "a/b/deep"),
		symlink("abs", "/etc/passwd"),
		hl1, setuid, owned, xattr, fifo, sock,
		b.dir("sticky", os.ModeSticky|os.ModeSetgid|0o777),
	)
	target := filepath.Join(t.TempDir(), "target")
	stats, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := restorer.Stats{Files: 8, Dirs: 4, Symlinks: 2, Special: 1, HardLinks: 1, Skipped: 1,
		Bytes: 300<<10 + 200<<10 + 123 + 12 + 10 + 1 + 1 + 4}
	if stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}

	// Check the atime before reading the file updates it.
	if st := lstat(t, target, "big").Sys().(*syscall.Stat_t); !time.Unix(st.Atim.Unix()).Equal(t0.Add(time.Hour)) {
		t.Errorf("big: atime %v, want %v", time.Unix(st.Atim.Unix()), t0.Add(time.Hour))
	}
	checkContent(t, target, "big", bytes.Join(big, nil))
	checkContent(t, target, "empty", nil)
	checkContent(t, target, "a/b/deep", []byte("deep"))
	checkContent(t, target, "a/b/hard2", []byte("shared inode"))
	for rel, mode := range map[string]os.FileMode{
		"big": 0o600, "empty": 0o644, "emptydir": os.ModeDir | 0o750, "a": os.ModeDir | 0o755,
		"a/b": os.ModeDir | 0o700, "setuid": os.ModeSetuid | 0o755, "hard1": 0o640,
		"fifo": os.ModeNamedPipe | 0o620, "sticky": os.ModeDir | os.ModeSticky | os.ModeSetgid | 0o777,
	} {
		if got := lstat(t, target, rel).Mode(); got != mode {
			t.Errorf("%s: mode %v, want %v", rel, got, mode)
		}
	}
	for rel, want := range map[string]time.Time{"big": t0, "empty": t0, "a/b/deep": t0, "fifo": t0, "rel": t0,
		"abs": t0, "a": t0.Add(time.Minute), "a/b": t0.Add(time.Minute), "emptydir": t0.Add(time.Minute)} {
		if got := lstat(t, target, rel).ModTime(); !got.Equal(want) {
			t.Errorf("%s: mtime %v, want %v", rel, got, want)
		}
	}
	for rel, want := range map[string]string{"rel": "a/b/deep", "abs": "/etc/passwd"} {
		if got, err := os.Readlink(filepath.Join(target, rel)); err != nil || got != want {
			t.Errorf("%s: link %q, %v; want %q", rel, got, err, want)
		}
	}
	if !os.SameFile(lstat(t, target, "hard1"), lstat(t, target, "a/b/hard2")) {
		t.Error("hard1 and a/b/hard2 are not the same file")
	}
	if _, err := os.Lstat(filepath.Join(target, "sock")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket restored: %v", err)
	}
	if os.Geteuid() == 0 {
		if st := lstat(t, target, "owned").Sys().(*syscall.Stat_t); st.Uid != 1234 || st.Gid != 5678 {
			t.Errorf("owned: uid %d gid %d", st.Uid, st.Gid)
		}
	}
	buf := make([]byte, 64)
	n, err := syscall.Getxattr(filepath.Join(target, "xattr"), "user.note", buf)
	if !errors.Is(err, syscall.ENOTSUP) && (err != nil || string(buf[:n]) != "hello") {
		t.Errorf("xattr: %q, %v", buf[:n], err)
	}

	// Restoring again over the result replaces everything and gives the
	// same tree.
	if _, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{}); err != nil {
		t.Fatalf("second restore: %v", err)
	}
	checkContent(t, target, "big", bytes.Join(big, nil))
	if !os.SameFile(lstat(t, target, "hard1"), lstat(t, target, "a/b/hard2")) {
		t.Error("after second restore, hard1 and a/b/hard2 are not the same file")
	}
}

func checkContent(t *testing.T, target, rel string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(target, rel))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes differ from the %d expected", rel, len(got), len(want))
	}
}

func TestRestoreSizeMismatch(t *testing.T) {
	b := newBuilder(t)
	f := b.file("f", 0o644, []byte("12345"))
	f.Size = 6
	sn := b.snapshot(f)
	_, err := restorer.Restore(context.Background(), b.r, sn, t.TempDir(), restorer.Options{})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("size")) {
		t.Fatalf("got %v, want a size mismatch error", err)
	}
}

func TestRestoreMissingBlob(t *testing.T) {
	b := newBuilder(t)
	f := b.file("f", 0o644, []byte("12345"))
	f.Content = append(f.Content, repo.ID{1, 2, 3})
	sn := b.snapshot(f)
	_, err := restorer.Restore(context.Background(), b.r, sn, t.TempDir(), restorer.Options{})
	if !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}

type recorder struct {
	mu          sync.Mutex
	start, done restorer.Stats
	bytes       uint64
}

func (r *recorder) Start(total restorer.Stats) { r.start = total }
func (r *recorder) Bytes(n uint64)             { r.mu.Lock(); r.bytes += n; r.mu.Unlock() }
func (r *recorder) Done(s restorer.Stats)      { r.done = s }

func TestRestoreProgress(t *testing.T) {
	b := newBuilder(t)
	sn := b.snapshot(b.file("f", 0o644, randomData(1000, 1), randomData(2000, 2)), b.dir("d", 0o755,
		b.file("g", 0o644, make([]byte, 1<<20))))
	var rec recorder
	stats, err := restorer.Restore(context.Background(), b.r, sn, t.TempDir(), restorer.Options{Progress: &rec})
	if err != nil {
		t.Fatal(err)
	}
	if rec.start != stats || rec.done != stats || rec.bytes != stats.Bytes || stats.Bytes != 3000+1<<20 {
		t.Fatalf("progress start %+v done %+v bytes %d; stats %+v", rec.start, rec.done, rec.bytes, stats)
	}
}

func TestRestoreCanceled(t *testing.T) {
	b := newBuilder(t)
	sn := b.snapshot(b.file("f", 0o644, randomData(1000, 1)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := restorer.Restore(ctx, b.r, sn, t.TempDir(), restorer.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestRestoreDeviceNode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("device nodes are restored only as root")
	}
	if err := syscall.Mknod(filepath.Join(t.TempDir(), "probe"), syscall.S_IFCHR|0o600, 1<<8|3); err != nil {
		t.Skipf("cannot create device nodes here: %v", err)
	}
	b := newBuilder(t)
	null := &repo.Node{Name: "null", Type: tree.TypeCharDev, Mode: os.ModeDevice | os.ModeCharDevice | 0o666,
		Device: 1<<8 | 3, ModTime: t0, AccessTime: t0}
	sn := b.snapshot(null)
	target := t.TempDir()
	stats, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{})
	if err != nil || stats.Special != 1 {
		t.Fatalf("stats %+v, %v", stats, err)
	}
	fi := lstat(t, target, "null")
	if st := fi.Sys().(*syscall.Stat_t); fi.Mode() != null.Mode || st.Rdev != 1<<8|3 || !fi.ModTime().Equal(t0) {
		t.Errorf("null: mode %v rdev %#x mtime %v", fi.Mode(), st.Rdev, fi.ModTime())
	}
}
