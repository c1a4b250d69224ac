//go:build linux

package restorer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// TestRestoreMany restores many multi-blob files spread over directories,
// which keeps every worker busy on blobs of different files at once, and
// checks every file and every directory time.
func TestRestoreMany(t *testing.T) {
	b := newBuilder(t)
	want := map[string][]byte{}
	var dirs []*repo.Node
	for d := range 12 {
		var files []*repo.Node
		for f := range 15 {
			var chunks [][]byte
			for c := range 3 {
				chunks = append(chunks, randomData(1000+d*100+f*10+c, uint64(d*1000+f*10+c)))
			}
			name := fmt.Sprintf("f%02d", f)
			files = append(files, b.file(name, 0o644, chunks...))
			want[fmt.Sprintf("d%02d/%s", d, name)] = bytes.Join(chunks, nil)
		}
		dirs = append(dirs, b.dir(fmt.Sprintf("d%02d", d), 0o755, files...))
	}
	sn := b.snapshot(dirs...)
	target := t.TempDir()
	fds := openFDs(t)
	stats, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := openFDs(t); n != fds {
		t.Errorf("%d descriptors open before, %d after", fds, n)
	}
	if stats.Files != 180 || stats.Dirs != 12 {
		t.Errorf("stats %+v", stats)
	}
	for d := range 12 {
		if got := lstat(t, target, fmt.Sprintf("d%02d", d)).ModTime(); !got.Equal(t0.Add(time.Minute)) {
			t.Errorf("d%02d: mtime %v", d, got)
		}
	}
	for rel, data := range want {
		checkContent(t, target, rel, data)
	}
}

// TestRestoreHardLinkFirstExcluded checks that when Include leaves out
// the first name of a shared inode, the first name restored gets the
// content.
func TestRestoreHardLinkFirstExcluded(t *testing.T) {
	b := newBuilder(t)
	a := b.file("a", 0o644, []byte("shared"))
	a.Inode, a.DeviceID, a.Links = 9, 1, 3
	c, d := *a, *a
	c.Name, d.Name = "c", "d"
	sn := b.snapshot(a, &c, &d)
	target := t.TempDir()
	stats, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{Include: []string{"/c", "/d"}})
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, target, "c", []byte("shared"))
	if !os.SameFile(lstat(t, target, "c"), lstat(t, target, "d")) || stats.HardLinks != 1 || stats.Bytes != 6 {
		t.Errorf("c and d not linked; stats %+v", stats)
	}
	if _, err := os.Lstat(filepath.Join(target, "a")); !os.IsNotExist(err) {
		t.Errorf("a restored: %v", err)
	}
}

// cancelOnBytes cancels the restore when content starts to be written.
type cancelOnBytes struct {
	restorer.Progress
	cancel context.CancelFunc
}

func (c cancelOnBytes) Bytes(uint64) { c.cancel() }

func TestRestoreCanceledWhileWriting(t *testing.T) {
	b := newBuilder(t)
	var files []*repo.Node
	for i := range 50 {
		files = append(files, b.file(fmt.Sprintf("f%02d", i), 0o644, randomData(5000, uint64(i)), randomData(5000, uint64(i+100))))
	}
	sn := b.snapshot(b.dir("d", 0o755, files...))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fds := openFDs(t)
	var rec recorder
	_, err := restorer.Restore(ctx, b.r, sn, t.TempDir(), restorer.Options{Progress: cancelOnBytes{&rec, cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if n := openFDs(t); n != fds {
		t.Errorf("%d descriptors open before, %d after", fds, n)
	}
}

// openFDs counts the descriptors the test process has open.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
