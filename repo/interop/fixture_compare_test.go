package interop

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// TestTreeMatchesFixture checks what restic ls does not print against the
// backed-up directory itself: link targets, hard links, file modes, sizes
// and times of every entry of the directory snapshot.
func TestTreeMatchesFixture(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		ctx := t.Context()
		sn, err := rr.r.FindSnapshot(ctx, rr.dirSnap, repo.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		err = filepath.WalkDir(rr.fix.Dir, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			n, err := rr.r.FindNode(ctx, *sn.Tree, p)
			if err != nil {
				t.Errorf("FindNode %s: %v", p, err)
				return nil
			}
			seen++
			compareNodeToFile(t, p, n)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen < 20 {
			t.Errorf("compared only %d entries", seen)
		}
		a, err1 := rr.r.FindNode(ctx, *sn.Tree, rr.fix.Dir+"/"+helloFile)
		b, err2 := rr.r.FindNode(ctx, *sn.Tree, rr.fix.Dir+"/"+hardLink)
		if err1 != nil || err2 != nil || a.Inode != b.Inode || a.Links != 2 || b.Links != 2 {
			t.Errorf("hard links: %+v, %+v (%v, %v)", a, b, err1, err2)
		}
		d, err := rr.r.FindNode(ctx, *sn.Tree, rr.fix.Dir+"/"+emptyDir)
		if err != nil || d.Subtree == nil {
			t.Fatalf("empty dir: %+v, %v", d, err)
		}
		if tr, err := rr.r.LoadTree(ctx, *d.Subtree); err != nil || len(tr.Nodes) != 0 {
			t.Errorf("empty dir tree: %+v, %v", tr, err)
		}
	})
}

// compareNodeToFile compares a node with the file at p as Lstat sees it.
func compareNodeToFile(t testing.TB, p string, n *repo.Node) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	wantType := map[fs.FileMode]string{0: "file", fs.ModeDir: "dir", fs.ModeSymlink: "symlink", fs.ModeNamedPipe: "fifo"}[fi.Mode().Type()]
	if n.Type != wantType || n.Mode != fi.Mode() {
		t.Errorf("%s: type %s mode %v, want %s %v", p, n.Type, n.Mode, wantType, fi.Mode())
	}
	if !n.ModTime.Equal(fi.ModTime()) {
		t.Errorf("%s: mtime %v, want %v", p, n.ModTime, fi.ModTime())
	}
	if n.UID != st.Uid || n.GID != st.Gid || n.Inode != st.Ino {
		t.Errorf("%s: uid %d gid %d inode %d, want %d %d %d", p, n.UID, n.GID, n.Inode, st.Uid, st.Gid, st.Ino)
	}
	switch n.Type {
	case "file":
		if n.Size != uint64(fi.Size()) || n.Links != st.Nlink {
			t.Errorf("%s: size %d links %d, want %d %d", p, n.Size, n.Links, fi.Size(), st.Nlink)
		}
	case "symlink":
		target, err := os.Readlink(p)
		if err != nil || n.LinkTarget != target {
			t.Errorf("%s: link target %q, want %q (%v)", p, n.LinkTarget, target, err)
		}
	}
}
