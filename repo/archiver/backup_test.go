//go:build linux

package archiver_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// dirNodes loads the nodes of the directory p (absolute) in snapshot sn.
func dirNodes(t testing.TB, r *repo.Repository, sn *repo.Snapshot, p string) map[string]*repo.Node {
	t.Helper()
	n, err := r.FindNode(context.Background(), *sn.Tree, p)
	check(t, err)
	if n.Subtree == nil {
		t.Fatalf("%s has no subtree", p)
	}
	tr, err := r.LoadTree(context.Background(), *n.Subtree)
	check(t, err)
	m := map[string]*repo.Node{}
	for _, n := range tr.Nodes {
		m[n.Name] = n
	}
	return m
}

// content concatenates the data blobs of a file node.
func content(t testing.TB, r *repo.Repository, n *repo.Node) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, id := range n.Content {
		data, err := r.LoadBlob(context.Background(), repo.DataBlob, id)
		check(t, err)
		b.Write(data)
	}
	return b.Bytes()
}

// countingProgress records what Backup reports.
type countingProgress struct {
	mu     sync.Mutex
	items  map[string]archiver.Status
	errors map[string]error
}

func (p *countingProgress) Item(path string, n *repo.Node, s archiver.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.items == nil {
		p.items = map[string]archiver.Status{}
	}
	p.items[path] = s
}

func (p *countingProgress) Error(path string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.errors == nil {
		p.errors = map[string]error{}
	}
	p.errors[path] = err
}

// TestBackupMetadata backs up the fixture and checks every node against
// lstat(2): the rules restic 0.18.1 follows on Linux.
func TestBackupMetadata(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	makeFixture(t, src)
	r := newRepo(t, filepath.Join(base, "repo"))
	var prog countingProgress
	sn, res := backup(t, r, []string{src}, archiver.Options{Progress: &prog, Snapshot: repo.SnapshotOptions{Host: "h", Tags: []string{"t"}}})
	if res.Incomplete() || len(prog.errors) > 0 {
		t.Fatalf("errors: %v %v", res.Errors, prog.errors)
	}
	if len(sn.Paths) != 1 || sn.Paths[0] != src || sn.Hostname != "h" || sn.Tags[0] != "t" || sn.ProgramVersion != repo.ProgramVersion || sn.Parent != nil {
		t.Errorf("snapshot %+v", sn)
	}
	if s := sn.Summary; s == nil || s.FilesNew != uint(res.FilesRead) || s.TotalFilesProcessed != s.FilesNew || s.DataBlobs == 0 {
		t.Errorf("summary %+v, result %+v", sn.Summary, res)
	}
	nodes := dirNodes(t, r, sn, src)
	if _, ok := nodes["sock"]; ok {
		t.Error("socket recorded; restic skips sockets")
	}
	types := map[string]string{"a.txt": tree.TypeFile, "empty": tree.TypeFile, "emptydir": tree.TypeDir, "sub": tree.TypeDir,
		"setuid": tree.TypeFile, "link": tree.TypeSymlink, "badlink": tree.TypeSymlink, "hardlink": tree.TypeFile, "fifo": tree.TypeFifo}
	for _, name := range fixtureNames {
		types[name] = tree.TypeFile
	}
	if os.Getuid() == 0 {
		types["null"] = tree.TypeCharDev
	}
	if len(nodes) != len(types) {
		t.Errorf("%d nodes, want %d", len(nodes), len(types))
	}
	for name, typ := range types {
		n := nodes[name]
		if n == nil {
			t.Errorf("%q missing", name)
			continue
		}
		checkNode(t, r, filepath.Join(src, name), n, typ)
		if _, ok := prog.items[filepath.Join(src, name)]; !ok {
			t.Errorf("%q not reported to Progress", name)
		}
	}
	for name, n := range dirNodes(t, r, sn, filepath.Join(src, "sub")) {
		typ := tree.TypeFile
		if name == "deep" {
			typ = tree.TypeDir
		}
		checkNode(t, r, filepath.Join(src, "sub", name), n, typ)
	}
	if a := nodes["a.txt"]; len(a.ExtendedAttributes) != 3 || a.ExtendedAttributes[0].Name != "user.test" ||
		string(a.ExtendedAttributes[0].Value) != "value" || a.ExtendedAttributes[1].Value == nil || len(a.ExtendedAttributes[2].Value) != 3000 {
		t.Errorf("a.txt xattrs %+v", a.ExtendedAttributes)
	}
	if n := nodes["setuid"]; n.Mode != 0o755|os.ModeSetuid {
		t.Errorf("setuid mode %v", n.Mode)
	}
	if n := nodes["badlink"]; n.LinkTarget != "nowhere/\xff\xfe" {
		t.Errorf("badlink target %q", n.LinkTarget)
	}
	if n := nodes["empty"]; n.Content == nil || len(n.Content) != 0 {
		t.Errorf("empty file content %#v, want []", n.Content)
	}
	if n := nodes["emptydir"]; n.Subtree == nil {
		t.Error("empty dir without subtree")
	} else if data, err := r.LoadBlob(context.Background(), repo.TreeBlob, *n.Subtree); err != nil || string(data) != "{\"nodes\":[]}\n" {
		t.Errorf("empty dir tree %q %v", data, err)
	}
	// The ancestors carry their real metadata (times aside: other
	// processes change /tmp all the time).
	for d := filepath.Dir(src); d != "/"; d = filepath.Dir(d) {
		parent := dirNodes(t, r, sn, filepath.Dir(d))
		n := parent[filepath.Base(d)]
		fi, err := os.Lstat(d)
		check(t, err)
		if len(parent) != 1 || n == nil || n.Type != tree.TypeDir || n.Mode != fi.Mode() || n.Inode != fi.Sys().(*syscall.Stat_t).Ino {
			t.Errorf("%s holds %d entries, want only %+v", filepath.Dir(d), len(parent), n)
		}
	}
}

// checkNode compares n with lstat(2) of p.
func checkNode(t testing.TB, r *repo.Repository, p string, n *repo.Node, typ string) {
	t.Helper()
	fi, err := os.Lstat(p)
	check(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	mtime := time.Unix(st.Mtim.Sec, st.Mtim.Nsec)
	if n.Type != typ || n.Mode != fi.Mode() || !n.ModTime.Equal(mtime) || !n.AccessTime.Equal(mtime) ||
		!n.ChangeTime.Equal(time.Unix(st.Ctim.Sec, st.Ctim.Nsec)) || n.UID != st.Uid || n.GID != st.Gid ||
		n.Inode != st.Ino || n.DeviceID != st.Dev {
		t.Errorf("%s: node %+v does not match lstat %+v", p, n, st)
	}
	wantLinks, wantSize, wantDev := uint64(st.Nlink), uint64(0), uint64(0)
	switch typ {
	case tree.TypeDir, tree.TypeFifo:
		wantLinks = 0
	case tree.TypeFile:
		wantSize = uint64(st.Size)
	case tree.TypeCharDev, tree.TypeDev:
		wantDev = st.Rdev
	}
	if n.Links != wantLinks || n.Size != wantSize || n.Device != wantDev {
		t.Errorf("%s: links %d size %d device %d, want %d %d %d", p, n.Links, n.Size, n.Device, wantLinks, wantSize, wantDev)
	}
	if (st.Uid == 0) != (n.User == "root") || (st.Gid == 0) != (n.Group == "root") {
		t.Errorf("%s: user %q group %q for %d:%d", p, n.User, n.Group, st.Uid, st.Gid)
	}
	switch typ {
	case tree.TypeFile:
		want, err := os.ReadFile(p)
		check(t, err)
		if got := content(t, r, n); !bytes.Equal(got, want) || (len(want) > 0 && len(want) < 512<<10 && len(n.Content) != 1) {
			t.Errorf("%s: content of %d bytes in %d blobs differs", p, len(got), len(n.Content))
		}
	case tree.TypeSymlink:
		if target, _ := os.Readlink(p); n.LinkTarget != target {
			t.Errorf("%s: link target %q, want %q", p, n.LinkTarget, target)
		}
	}
	if typ != tree.TypeFile && n.Content != nil {
		t.Errorf("%s: content %v on a %s", p, n.Content, typ)
	}
	if (typ == tree.TypeDir) != (n.Subtree != nil) {
		t.Errorf("%s: subtree %v on a %s", p, n.Subtree, typ)
	}
}

// TestBackupWithAtime records the real access time.
func TestBackupWithAtime(t *testing.T) {
	base := t.TempDir()
	f := filepath.Join(base, "src", "f")
	write(t, f, []byte("x"), 0o644)
	atime := time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)
	check(t, os.Chtimes(f, atime, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)))
	r := newRepo(t, filepath.Join(base, "repo"))
	for _, with := range []bool{false, true} {
		sn, _ := backup(t, r, []string{f}, archiver.Options{WithAtime: with})
		n := dirNodes(t, r, sn, filepath.Dir(f))["f"]
		if got := n.AccessTime.Equal(atime); got != with {
			t.Errorf("WithAtime %v: atime %v, mtime %v", with, n.AccessTime, n.ModTime)
		}
	}
}

// TestDeterministic: however many files are read at once, the trees are
// the same.
func TestDeterministic(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for i := range 300 {
		size := 10 + i*37
		if i%50 == 0 {
			size = 700 << 10
		}
		write(t, filepath.Join(src, string(rune('a'+i%7)), string(rune('a'+i%5)), "f"+string(rune('0'+i%10))+string(rune('a'+i/10))), random(t, size), 0o644)
	}
	r := newRepo(t, filepath.Join(base, "repo"))
	var want repo.ID
	for i, c := range []int{1, 3, 16} {
		sn, res := backup(t, r, []string{src}, archiver.Options{Concurrency: c, NoParent: true})
		if res.FilesRead != 300 {
			t.Fatalf("concurrency %d read %d files", c, res.FilesRead)
		}
		got := subtree(t, r, sn, src)
		if i == 0 {
			want = got
		} else if got != want {
			t.Errorf("concurrency %d: tree %s, want %s", c, got, want)
		}
	}
}
