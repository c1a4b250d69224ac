//go:build linux

package restorer_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

var fastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// t0 is a timestamp with nanoseconds, used as the mtime of test nodes.
var t0 = time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)

// builder makes snapshots by hand in an in-memory repository.
type builder struct {
	t *testing.T
	r *repo.Repository
	w *repo.Writer
}

func newBuilder(t *testing.T) *builder {
	t.Helper()
	r, err := repo.Init(context.Background(), mem.New(), "pw", repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.NewWriter(context.Background(), repo.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &builder{t: t, r: r, w: w}
}

// blob stores a data blob.
func (b *builder) blob(data []byte) repo.ID {
	b.t.Helper()
	id, _, err := b.w.SaveBlob(context.Background(), repo.DataBlob, data)
	if err != nil {
		b.t.Fatal(err)
	}
	return id
}

// file returns a file node whose content is chunks, one blob each.
func (b *builder) file(name string, mode os.FileMode, chunks ...[]byte) *repo.Node {
	b.t.Helper()
	n := &repo.Node{Name: name, Type: tree.TypeFile, Mode: mode, ModTime: t0, AccessTime: t0.Add(time.Hour),
		ChangeTime: t0, Content: []repo.ID{}}
	for _, c := range chunks {
		n.Content = append(n.Content, b.blob(c))
		n.Size += uint64(len(c))
	}
	return n
}

// dir returns a directory node holding children.
func (b *builder) dir(name string, mode os.FileMode, children ...*repo.Node) *repo.Node {
	b.t.Helper()
	id := b.tree(children...)
	return &repo.Node{Name: name, Type: tree.TypeDir, Mode: os.ModeDir | mode, ModTime: t0.Add(time.Minute),
		AccessTime: t0.Add(time.Minute), ChangeTime: t0, Subtree: &id}
}

// tree stores a tree blob of nodes, sorted by name. Duplicate names are
// kept, in the order given, so that hostile trees can be built.
func (b *builder) tree(nodes ...*repo.Node) repo.ID {
	b.t.Helper()
	nodes = slices.Clone(nodes)
	slices.SortStableFunc(nodes, func(x, y *repo.Node) int {
		switch {
		case x.Name < y.Name:
			return -1
		case x.Name > y.Name:
			return 1
		}
		return 0
	})
	data := []byte(`{"nodes":[`)
	for i, n := range nodes {
		js, err := n.MarshalJSON()
		if err != nil {
			b.t.Fatal(err)
		}
		if i > 0 {
			data = append(data, ',')
		}
		data = append(data, js...)
	}
	data = append(data, "]}\n"...)
	id, _, err := b.w.SaveBlob(context.Background(), repo.TreeBlob, data)
	if err != nil {
		b.t.Fatal(err)
	}
	return id
}

// snapshot flushes the writer and saves a snapshot whose root tree holds
// nodes. The builder cannot be used afterwards.
func (b *builder) snapshot(nodes ...*repo.Node) *repo.Snapshot {
	b.t.Helper()
	id := b.tree(nodes...)
	if _, err := b.w.Flush(context.Background()); err != nil {
		b.t.Fatal(err)
	}
	sn := &repo.Snapshot{Time: t0, Tree: &id, Paths: []string{"/"}, Hostname: "test"}
	if _, err := b.r.SaveSnapshot(context.Background(), sn); err != nil {
		b.t.Fatal(err)
	}
	return sn
}

func symlink(name, target string) *repo.Node {
	return &repo.Node{Name: name, Type: tree.TypeSymlink, Mode: os.ModeSymlink | 0o777, LinkTarget: target,
		ModTime: t0, AccessTime: t0, ChangeTime: t0}
}

func randomData(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// lstat returns the Lstat result for target/rel or fails the test.
func lstat(t *testing.T, target, rel string) os.FileInfo {
	t.Helper()
	fi, err := os.Lstat(filepath.Join(target, rel))
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// readDirNames lists dir's entries, or nil if dir does not exist.
func readDirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
