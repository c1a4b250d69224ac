package repo_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

const (
	prunePassword = "prune-secret"
	// prunePackSize keeps packs tiny so that a few hundred KiB of test
	// data spread over dozens of packs.
	prunePackSize = 16 << 10
)

var pruneKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// pruneFixture is a local repository of snapshots built blob by blob, so
// that packs mix blobs that different snapshots use.
type pruneFixture struct {
	dir     string
	version uint
	snaps   []repo.ID                     // in creation order
	content map[repo.ID]map[string][]byte // what each snapshot's files hold
	packs   map[repo.ID][]string          // pack files each snapshot added
	indexes map[repo.ID][]string          // index files each snapshot added
	deleted map[repo.ID]bool              // snapshots removed by forget
}

// newPruneFixture creates a repository of format version with n snapshots.
// Snapshot i holds shared.bin (the same in every snapshot), own.bin (only
// in i), pair.bin (half shared with i-1, half with i+1) and dir/log.txt
// (compressible, only in i).
func newPruneFixture(t testing.TB, version uint, n int) *pruneFixture {
	t.Helper()
	f := &pruneFixture{
		dir:     filepath.Join(t.TempDir(), "repo"),
		version: version,
		content: map[repo.ID]map[string][]byte{},
		packs:   map[repo.ID][]string{},
		indexes: map[repo.ID][]string{},
		deleted: map[repo.ID]bool{},
	}
	be, err := local.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(context.Background(), be, prunePassword, repo.InitOptions{Version: version, KDF: pruneKDF})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		f.addSnapshot(t, r, i)
	}
	return f
}

// pruneBlobs returns n blobs of 1–5 KiB, random or compressible text.
func pruneBlobs(seed uint64, n int, text bool) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b9))
	out := make([][]byte, n)
	for i := range out {
		size := 1024 + rng.IntN(4096)
		b := make([]byte, 0, size+64)
		if text {
			for len(b) < size {
				b = fmt.Appendf(b, "%d line %d of blob %d: %x\n", seed, len(b), i, rng.Uint32()%16)
			}
		} else {
			for len(b) < size {
				b = append(b, byte(rng.Uint32()))
			}
		}
		out[i] = b
	}
	return out
}

func (f *pruneFixture) addSnapshot(t testing.TB, r *repo.Repository, i int) {
	t.Helper()
	ctx := context.Background()
	packsBefore, indexBefore := pruneNames(t, f.dir, "data"), pruneNames(t, f.dir, "index")
	w, err := r.NewWriter(ctx, repo.WriterOptions{PackSize: prunePackSize})
	if err != nil {
		t.Fatal(err)
	}
	shared := pruneBlobs(1000, 8, false)
	own := pruneBlobs(2000+uint64(i), 12, false)
	pair := append(pruneBlobs(3000+uint64(i), 5, false), pruneBlobs(3000+uint64(i)+1, 5, false)...)
	logText := pruneBlobs(4000+uint64(i), 6, true)
	save := func(blobs [][]byte) []repo.ID {
		ids := make([]repo.ID, len(blobs))
		for j, b := range blobs {
			if ids[j], _, err = w.SaveBlob(ctx, repo.DataBlob, b); err != nil {
				t.Fatal(err)
			}
		}
		return ids
	}
	sharedIDs := save(shared)
	// Interleave own and pair blobs so that packs mix them.
	var ownIDs, pairIDs []repo.ID
	for j := range max(len(own), len(pair)) {
		if j < len(own) {
			ownIDs = append(ownIDs, save(own[j:j+1])...)
		}
		if j < len(pair) {
			pairIDs = append(pairIDs, save(pair[j:j+1])...)
		}
	}
	logIDs := save(logText)

	when := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	file := func(name string, ids []repo.ID, blobs [][]byte) *tree.Node {
		return &tree.Node{Name: name, Type: tree.TypeFile, Mode: 0o644, ModTime: when, AccessTime: when,
			ChangeTime: when, Size: uint64(len(bytes.Join(blobs, nil))), Content: ids}
	}
	saveTree := func(nodes ...*tree.Node) repo.ID {
		tr := &tree.Tree{}
		for _, n := range nodes {
			if err := tr.Insert(n); err != nil {
				t.Fatal(err)
			}
		}
		data, err := tree.Encode(tr)
		if err != nil {
			t.Fatal(err)
		}
		tid, _, err := w.SaveBlob(ctx, repo.TreeBlob, data)
		if err != nil {
			t.Fatal(err)
		}
		return tid
	}
	sub := saveTree(file("log.txt", logIDs, logText))
	root := saveTree(
		file("shared.bin", sharedIDs, shared),
		file("own.bin", ownIDs, own),
		file("pair.bin", pairIDs, pair),
		&tree.Node{Name: "dir", Type: tree.TypeDir, Mode: os.ModeDir | 0o755, ModTime: when, AccessTime: when, ChangeTime: when, Subtree: &sub},
	)
	if _, err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sn := &repo.Snapshot{Time: when, Tree: &root, Paths: []string{"/data"}, Hostname: "prune-test"}
	sid, err := r.SaveSnapshot(ctx, sn)
	if err != nil {
		t.Fatal(err)
	}
	f.snaps = append(f.snaps, sid)
	f.content[sid] = map[string][]byte{
		"shared.bin":  bytes.Join(shared, nil),
		"own.bin":     bytes.Join(own, nil),
		"pair.bin":    bytes.Join(pair, nil),
		"dir/log.txt": bytes.Join(logText, nil),
	}
	f.packs[sid] = pruneNewNames(packsBefore, pruneNames(t, f.dir, "data"))
	f.indexes[sid] = pruneNewNames(indexBefore, pruneNames(t, f.dir, "index"))
}

// addUnused writes n random blobs that no snapshot references. With
// indexed, they are listed in an index file; otherwise the index file is
// removed so that their packs are unreferenced, as after a crashed backup.
func (f *pruneFixture) addUnused(t testing.TB, seed uint64, n int, indexed bool) []string {
	t.Helper()
	ctx := context.Background()
	r, be := f.open(t)
	packsBefore, indexBefore := pruneNames(t, f.dir, "data"), pruneNames(t, f.dir, "index")
	w, err := r.NewWriter(ctx, repo.WriterOptions{PackSize: prunePackSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range pruneBlobs(seed, n, false) {
		if _, _, err := w.SaveBlob(ctx, repo.DataBlob, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if !indexed {
		for _, name := range pruneNewNames(indexBefore, pruneNames(t, f.dir, "index")) {
			if err := be.Remove(ctx, backend.Handle{Type: backend.IndexFile, Name: name}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return pruneNewNames(packsBefore, pruneNames(t, f.dir, "data"))
}

// forget removes snapshot files as restic forget does.
func (f *pruneFixture) forget(t testing.TB, sids ...repo.ID) {
	t.Helper()
	_, be := f.open(t)
	for _, sid := range sids {
		if err := be.Remove(context.Background(), backend.Handle{Type: backend.SnapshotFile, Name: sid.String()}); err != nil {
			t.Fatal(err)
		}
		f.deleted[sid] = true
	}
}

// kept returns the snapshots not forgotten.
func (f *pruneFixture) kept() []repo.ID {
	var out []repo.ID
	for _, sid := range f.snaps {
		if !f.deleted[sid] {
			out = append(out, sid)
		}
	}
	return out
}

// open opens the fixture's repository afresh.
func (f *pruneFixture) open(t testing.TB) (*repo.Repository, backend.Backend) {
	t.Helper()
	return pruneOpenDir(t, f.dir)
}

// withDir returns a shallow copy of f describing the repository copied to
// dir.
func (f *pruneFixture) withDir(dir string) *pruneFixture {
	g := *f
	g.dir = dir
	return &g
}

// copy copies the repository to a new directory and returns a fixture for
// the copy.
func (f *pruneFixture) copy(t testing.TB) *pruneFixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dir, os.DirFS(f.dir)); err != nil {
		t.Fatal(err)
	}
	return f.withDir(dir)
}

// verify checks that exactly the kept snapshots exist and that every file
// of each dumps byte for byte as written.
func (f *pruneFixture) verify(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	r, _ := f.open(t)
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []repo.ID
	for _, s := range snaps {
		got = append(got, s.ID())
	}
	want := f.kept()
	if !slices.Equal(got, want) {
		t.Fatalf("snapshots %v, want %v", got, want)
	}
	for _, s := range snaps {
		for name, content := range f.content[s.ID()] {
			rc, err := r.OpenFile(ctx, s, name)
			if err != nil {
				t.Fatalf("snapshot %s: open %s: %v", s.ID().Str(), name, err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("snapshot %s: read %s: %v", s.ID().Str(), name, err)
			}
			if !bytes.Equal(data, content) {
				t.Fatalf("snapshot %s: %s differs (%d bytes, want %d)", s.ID().Str(), name, len(data), len(content))
			}
		}
	}
}
