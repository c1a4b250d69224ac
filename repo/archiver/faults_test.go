//go:build linux

package archiver_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// faultFS is the real file system with hooks that make entries vanish,
// fail or change at chosen moments.
type faultFS struct {
	archiver.LocalFS
	mu        sync.Mutex
	opened    []string
	afterList map[string]func() // run after listing the directory
	failOpen  map[string]error  // Open fails
	failList  map[string]error  // ReadDirNames fails
	afterOpen map[string]func() // run after opening the file
}

func (f *faultFS) ReadDirNames(name string) ([]string, error) {
	if err := f.failList[name]; err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	names, err := f.LocalFS.ReadDirNames(name)
	if hook := f.afterList[name]; hook != nil {
		hook()
	}
	return names, err
}

func (f *faultFS) Open(name string) (io.ReadCloser, error) {
	f.mu.Lock()
	f.opened = append(f.opened, name)
	f.mu.Unlock()
	if err := f.failOpen[name]; err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	rc, err := f.LocalFS.Open(name)
	if hook := f.afterOpen[name]; hook != nil && err == nil {
		hook()
	}
	return rc, err
}

// TestEntriesFailing makes entries vanish after their directory was listed
// and fail to open or list: each is left out and reported, the snapshot
// is still written, and a FIFO is never opened.
func TestEntriesFailing(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for _, f := range []string{"keep", "victim", "vdir/x", "secret", "locked/y", "ok/z"} {
		write(t, filepath.Join(src, f), []byte(f), 0o644)
	}
	check(t, syscall.Mkfifo(filepath.Join(src, "fifo"), 0o644))
	fsys := &faultFS{
		afterList: map[string]func(){src: func() {
			check(t, os.Remove(filepath.Join(src, "victim")))
			check(t, os.RemoveAll(filepath.Join(src, "vdir")))
		}},
		failOpen: map[string]error{filepath.Join(src, "secret"): syscall.EACCES},
		failList: map[string]error{filepath.Join(src, "locked"): syscall.EACCES},
	}
	r := newRepo(t, filepath.Join(base, "repo"))
	var prog countingProgress
	sn, res := backup(t, r, []string{src}, archiver.Options{FS: fsys, Progress: &prog})
	if !res.Incomplete() || len(res.Errors) != 4 {
		t.Fatalf("errors %v, want 4", res.Errors)
	}
	want := []struct {
		name string
		err  error
	}{{"locked", fs.ErrPermission}, {"secret", fs.ErrPermission}, {"vdir", fs.ErrNotExist}, {"victim", fs.ErrNotExist}}
	for i, w := range want {
		e := res.Errors[i]
		if e.Path != filepath.Join(src, w.name) || !errors.Is(e, w.err) || prog.errors[e.Path] == nil {
			t.Errorf("error %d: %v, want %s: %v", i, e, w.name, w.err)
		}
	}
	nodes := dirNodes(t, r, sn, src)
	var names []string
	for n := range nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"fifo", "keep", "ok"}) {
		t.Errorf("entries %q", names)
	}
	if slices.Contains(fsys.opened, filepath.Join(src, "fifo")) {
		t.Error("the FIFO was opened")
	}
	if s := res.Summary; s.FilesNew != 2 || s.TotalFilesProcessed != 2 || s.TotalBytesProcessed != uint64(len("keepok/z")) {
		t.Errorf("summary %+v", s)
	}
	snaps, err := r.Snapshots(context.Background(), repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Errorf("%d snapshots, %v", len(snaps), err)
	}
}

// TestFileChangesWhileRead records what was read when a file grows past
// the small-file size or shrinks after it was examined.
func TestFileChangesWhileRead(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	grow, shrink := filepath.Join(src, "grow"), filepath.Join(src, "shrink")
	write(t, grow, []byte("small"), 0o644)
	write(t, shrink, random(t, 100<<10), 0o644)
	extra := random(t, 700<<10)
	fsys := &faultFS{afterOpen: map[string]func(){
		grow: func() {
			f, err := os.OpenFile(grow, os.O_APPEND|os.O_WRONLY, 0)
			check(t, err)
			_, err = f.Write(extra)
			check(t, err)
			check(t, f.Close())
		},
		shrink: func() { check(t, os.Truncate(shrink, 10)) },
	}}
	r := newRepo(t, filepath.Join(base, "repo"))
	sn, res := backup(t, r, []string{src}, archiver.Options{FS: fsys})
	if res.Incomplete() {
		t.Fatal(res.Errors)
	}
	nodes := dirNodes(t, r, sn, src)
	for _, name := range []string{"grow", "shrink"} {
		want, err := os.ReadFile(filepath.Join(src, name))
		check(t, err)
		n := nodes[name]
		if got := content(t, r, n); !bytes.Equal(got, want) || n.Size != uint64(len(want)) {
			t.Errorf("%s: size %d, content %d bytes, want %d", name, n.Size, len(got), len(want))
		}
	}
	if res.BytesRead != 5+700<<10+10 {
		t.Errorf("read %d bytes", res.BytesRead)
	}
}

// TestCancel stops a backup from its progress callback: no snapshot.
func TestCancel(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for i := range 50 {
		write(t, filepath.Join(src, "d", string(rune('a'+i%26))+string(rune('a'+i/26))), random(t, 1000), 0o644)
	}
	r := newRepo(t, filepath.Join(base, "repo"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, _, err := archiver.Backup(ctx, r, []string{src}, archiver.Options{Progress: cancelOnItem(cancel)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	snaps, err := reopen(t, filepath.Join(base, "repo")).Snapshots(context.Background(), repo.Filter{})
	if err != nil || len(snaps) != 0 {
		t.Fatalf("%d snapshots after cancel (%v)", len(snaps), err)
	}
}

type cancelOnItem context.CancelFunc

func (c cancelOnItem) Item(string, *repo.Node, archiver.Status) { c() }
func (c cancelOnItem) Error(string, error)                      {}
