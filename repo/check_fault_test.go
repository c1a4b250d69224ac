package repo

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// checkPackOf returns a pack of r holding only blobs of type typ.
func checkPackOf(t testing.TB, r *Repository, typ BlobType) ID {
	t.Helper()
	idx, err := r.index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ids := idx.PackIDs()
	packs := idx.Packs()
	for _, pid := range ids {
		if len(packs[pid]) > 0 && packs[pid][0].Type == typ {
			return pid
		}
	}
	t.Fatalf("no %v pack", typ)
	return ID{}
}

// checkFile returns the path of a repository file on disk.
func checkFile(dir string, h backend.Handle) string {
	return filepath.Join(dir, filepath.FromSlash(backend.Path(h)))
}

func checkPackFile(dir string, pid ID) string {
	return checkFile(dir, backend.Handle{Type: backend.PackFile, Name: pid.String()})
}

// checkFirstFile returns the path of the first file of type ft.
func checkFirstFile(t testing.TB, r *Repository, dir string, ft backend.FileType) string {
	t.Helper()
	names, err := r.listNames(t.Context(), ft)
	if err != nil || len(names) == 0 {
		t.Fatalf("no %v files: %v", ft, err)
	}
	return checkFile(dir, backend.Handle{Type: ft, Name: names[0]})
}

// checkFlip inverts the byte at off (negative: from the end) of a file.
func checkFlip(t testing.TB, path string, off int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(data))
	}
	data[off] ^= 0xff
	checkWrite(t, path, data)
}

// checkWrite replaces a (read-only) repository file.
func checkWrite(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.Chmod(path, 0o600); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkRenameToHash renames a file to the SHA-256 of its content, so the
// name check passes and the damage must be found by decryption.
func checkRenameToHash(t testing.TB, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := os.Rename(path, filepath.Join(filepath.Dir(path), hex.EncodeToString(sum[:]))); err != nil {
		t.Fatal(err)
	}
}

// checkTreeSnapshot stores trees (raw JSON, the first one the root) with a
// Writer and saves a snapshot of the root. It returns the snapshot ID.
func checkTreeSnapshot(t testing.TB, r *Repository, trees ...[]byte) string {
	t.Helper()
	w, err := r.NewWriter(t.Context(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var root ID
	for i, raw := range trees {
		tid, _, err := w.SaveBlob(t.Context(), TreeBlob, raw)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			root = tid
		}
	}
	if _, err := w.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	return checkSnapshotOf(t, r, root)
}

// checkSnapshotOf saves a snapshot whose tree is root.
func checkSnapshotOf(t testing.TB, r *Repository, root ID) string {
	t.Helper()
	sn := &Snapshot{Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Tree: &root, Paths: []string{"/fault"}, Hostname: "h"}
	sid, err := r.SaveSnapshot(t.Context(), sn)
	if err != nil {
		t.Fatal(err)
	}
	return sid.String()
}

// checkTree encodes nodes (file, dir and other nodes with fixed times),
// applying edits to the JSON.
func checkTree(t testing.TB, nodes []*tree.Node, edits ...string) []byte {
	t.Helper()
	tr := &tree.Tree{}
	for _, n := range nodes {
		ts := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		n.ModTime, n.AccessTime, n.ChangeTime = ts, ts, ts
		if err := tr.Insert(n); err != nil {
			t.Fatal(err)
		}
	}
	data, err := tree.Encode(tr)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(edits...).Replace(string(data)))
}

// checkSavePack uploads a pack holding the given plaintexts as blobs of
// the given types, without indexing it, and returns its ID and entries.
func checkSavePack(t testing.TB, r *Repository, types []BlobType, plains ...[]byte) (ID, []pack.Blob) {
	t.Helper()
	p := pack.NewPacker(r.key, nil)
	for i, plain := range plains {
		stored, ulen := pack.EncodeBlob(r.key, plain, false, nil)
		if err := p.Add(types[i], sha256.Sum256(plain), stored, ulen); err != nil {
			t.Fatal(err)
		}
	}
	data, blobs, err := p.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	pid := ID(sha256.Sum256(data))
	h := backend.Handle{Type: backend.PackFile, Name: pid.String()}
	if err := r.be.Save(t.Context(), h, backend.NewByteReader(data)); err != nil {
		t.Fatal(err)
	}
	return pid, blobs
}

// checkIndexPack writes an index file listing pack pid.
func checkIndexPack(t testing.TB, r *Repository, pid ID, blobs []pack.Blob) {
	t.Helper()
	if err := r.saveIndex(t.Context(), []index.Pack{{ID: pid, Blobs: blobs}}); err != nil {
		t.Fatal(err)
	}
}
