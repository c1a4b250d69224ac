package repo

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// checkCountingBackend counts the loads of pack files.
type checkCountingBackend struct {
	backend.Backend
	packLoads atomic.Int64
}

func (c *checkCountingBackend) Load(ctx context.Context, h backend.Handle, n int, off int64, fn func(io.Reader) error) error {
	if h.Type == backend.PackFile {
		c.packLoads.Add(1)
	}
	return c.Backend.Load(ctx, h, n, off, fn)
}

// Trees shared by several snapshots are loaded once, and an issue below a
// shared tree names every snapshot that reaches it.
func TestCheckSharedTrees(t *testing.T) {
	be := &checkCountingBackend{Backend: mem.New()}
	r, err := Init(t.Context(), be, checkPassword, InitOptions{KDF: KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	missing := ID{9, 9, 9}
	var leaves [][]byte
	var midNodes []*tree.Node
	for i := range 60 {
		nodes := []*tree.Node{{Name: fmt.Sprintf("f%d", i), Type: tree.TypeFile, Mode: 0o644, Content: []ID{}}}
		if i == 17 {
			nodes = append(nodes, &tree.Node{Name: "lost", Type: tree.TypeDir, Mode: os.ModeDir | 0o755, Subtree: &missing})
		}
		leaf := checkTree(t, nodes)
		leaves = append(leaves, leaf)
		lid := id.Hash(leaf)
		midNodes = append(midNodes, &tree.Node{Name: fmt.Sprintf("d%02d", i), Type: tree.TypeDir, Mode: os.ModeDir | 0o755, Subtree: &lid})
	}
	mid := checkTree(t, midNodes)
	mid2 := id.Hash(mid)
	var sids []string
	for _, name := range []string{"a", "b", "c"} {
		root := checkTree(t, []*tree.Node{{Name: name, Type: tree.TypeDir, Mode: os.ModeDir | 0o755, Subtree: &mid2}})
		sids = append(sids, checkTreeSnapshot(t, r, append([][]byte{root, mid}, leaves...)...))
	}
	slices.Sort(sids)
	be.packLoads.Store(0)
	rec := &checkRecorder{}
	res := checkMust(t, r, CheckOptions{Progress: rec, NoLock: true})
	if want := 3 + 1 + 60; res.TreesChecked != want || be.packLoads.Load() != int64(want) {
		t.Errorf("checked %d trees with %d loads, want %d", res.TreesChecked, be.packLoads.Load(), want)
	}
	if len(res.Errors) != 1 || res.Errors[0].Kind != IssueTreeMissing || !slices.Equal(res.Errors[0].Snapshots, sids) {
		t.Fatalf("errors %+v, want tree_missing naming %v", res.Errors, sids)
	}
	if want := []string{CheckStepIndex, CheckStepPacks, CheckStepSnapshots, CheckStepTrees}; !slices.Equal(rec.steps, want) {
		t.Errorf("steps %v, want %v", rec.steps, want)
	}
	indexes, _ := r.listNames(t.Context(), backend.IndexFile)
	if want := len(indexes) + r.idx.NumPacks() + 3 + 64; rec.items != want {
		t.Errorf("progress counted %d items, want %d", rec.items, want)
	}
}

// checkRecorder records the steps and counts the items.
type checkRecorder struct {
	mu    sync.Mutex
	steps []string
	items int
	bytes int64
}

func (p *checkRecorder) CheckStep(step string, total int) {
	p.mu.Lock()
	p.steps = append(p.steps, step)
	p.mu.Unlock()
}

func (p *checkRecorder) CheckAdvance(items int, bytes int64) {
	p.mu.Lock()
	p.items += items
	p.bytes += bytes
	p.mu.Unlock()
}

func TestCheckEmptyRepository(t *testing.T) {
	r, err := Init(t.Context(), mem.New(), checkPassword, InitOptions{KDF: KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	res := checkMust(t, r, CheckOptions{ReadDataSubset: "10%"})
	checkAssertClean(t, res)
	if res.SnapshotsChecked != 0 || res.TreesChecked != 0 || res.PacksRead != 0 {
		t.Errorf("%+v", res)
	}
}

func TestCheckReadDataProgress(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	rec := &checkRecorder{}
	res := checkMust(t, r, CheckOptions{ReadData: true, Progress: rec})
	if rec.steps[len(rec.steps)-1] != CheckStepReadData || rec.bytes != res.BytesRead || res.BytesRead == 0 {
		t.Errorf("steps %v, %d bytes reported, %d read", rec.steps, rec.bytes, res.BytesRead)
	}
}
