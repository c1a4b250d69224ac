package interop

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// TestMissingRepository opens a directory without a config file, and one
// that does not exist.
func TestMissingRepository(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		dir := copyRepo(t, rr)
		if err := os.Remove(filepath.Join(dir, "config")); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{dir, filepath.Join(dir, "does-not-exist")} {
			if _, err := openRepo(t, d, cheapPassword); !errors.Is(err, repo.ErrNoRepository) {
				t.Errorf("open %s: got %v, want ErrNoRepository", d, err)
			}
		}
	})
}

// TestDamagedConfig damages the config file in several ways.
func TestDamagedConfig(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		damage := map[string]func([]byte) []byte{
			"flipped IV bit":         func(b []byte) []byte { b[3] ^= 1; return b },
			"flipped ciphertext bit": func(b []byte) []byte { b[20] ^= 0x40; return b },
			"flipped MAC bit":        func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b },
			"truncated":              func(b []byte) []byte { return b[:len(b)-10] },
			"shorter than overhead":  func(b []byte) []byte { return b[:20] },
			"empty":                  func(b []byte) []byte { return nil },
		}
		for name, fn := range damage {
			dir := copyRepo(t, rr)
			rewrite(t, filepath.Join(dir, "config"), fn)
			if _, err := openRepo(t, dir, cheapPassword); !errors.Is(err, repo.ErrConfigDamaged) {
				t.Errorf("%s: got %v, want ErrConfigDamaged", name, err)
			}
		}
	})
}

// TestFlippedPackBit flips one bit in the middle of the largest data pack.
func TestFlippedPackBit(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		dir := copyRepo(t, rr)
		pack := largestPack(t, dir)
		rewrite(t, filepath.Join(dir, pack), func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b })
		checkDamagedPack(t, rr, dir, pack)
	})
}

// TestTruncatedPack cuts the largest data pack in half.
func TestTruncatedPack(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		dir := copyRepo(t, rr)
		pack := largestPack(t, dir)
		rewrite(t, filepath.Join(dir, pack), func(b []byte) []byte { return b[:len(b)/2] })
		checkDamagedPack(t, rr, dir, pack)
	})
}

// checkDamagedPack loads every data blob of the directory and --stdin
// snapshots from the damaged copy in dir: each failure must be an
// *IntegrityError naming pack (slash-separated, relative to dir) and the
// blob, at least one blob must fail, and reading a file holding it must
// fail the same way.
func checkDamagedPack(t *testing.T, rr *resticRepo, dir, pack string) {
	t.Helper()
	ctx := t.Context()
	r, err := openRepo(t, dir, cheapPassword)
	if err != nil {
		t.Fatal(err)
	}
	files := map[repo.ID]*repo.Node{} // a file holding each data blob
	for _, sid := range []string{rr.dirSnap, rr.stdinSnap} {
		sn, err := r.FindSnapshot(ctx, sid, repo.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		err = r.Walk(ctx, *sn.Tree, "/", func(_ string, n *repo.Node) error {
			for _, b := range n.Content {
				files[b] = n
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var bad []repo.ID
	for b := range files {
		_, err := r.LoadBlob(ctx, repo.DataBlob, b)
		if err != nil {
			checkIntegrityError(t, err, pack, b.String())
			bad = append(bad, b)
		}
	}
	if len(bad) == 0 {
		t.Fatalf("no blob of %d is damaged after damaging %s", len(files), pack)
	}
	n := files[bad[0]]
	rc := r.NodeReader(ctx, n)
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	var ie *repo.IntegrityError
	if !errors.As(err, &ie) {
		t.Fatalf("reading %s: got %v, want *repo.IntegrityError", n.Name, err)
	}
	if ie.File != pack || !containsID(n.Content, ie.Blob) {
		t.Errorf("reading %s: %v does not name %s and one of its blobs", n.Name, err, pack)
	}
}

// checkIntegrityError checks that err is an *IntegrityError naming file
// and blob, in its fields and its message, and wraps repo.ErrIntegrity.
func checkIntegrityError(t testing.TB, err error, file, blob string) {
	t.Helper()
	var ie *repo.IntegrityError
	switch {
	case !errors.As(err, &ie):
		t.Errorf("blob %.8s: got %v (%T), want *repo.IntegrityError", blob, err, err)
	case ie.File != file || ie.Blob != blob:
		t.Errorf("blob %.8s: IntegrityError names %s blob %s, want %s blob %s", blob, ie.File, ie.Blob, file, blob)
	case !errors.Is(err, repo.ErrIntegrity):
		t.Errorf("blob %.8s: %v does not wrap ErrIntegrity", blob, err)
	case !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), blob):
		t.Errorf("blob %.8s: message %q does not name the file and blob", blob, err)
	}
}

func containsID(ids []repo.ID, s string) bool {
	for _, i := range ids {
		if i.String() == s {
			return true
		}
	}
	return false
}

// copyRepo copies rr into a new directory with hard links, keeping only
// the cheap key so that opening the copy is fast. Change files in the copy
// only with rewrite, which breaks the link.
func copyRepo(t testing.TB, rr *resticRepo) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(rr.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(rr.dir, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o700)
		case filepath.Dir(rel) == "keys" && d.Name() != rr.hint:
			return nil
		}
		if err := os.Link(p, target); err == nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// rewrite replaces the file name with fn applied to its content, as a new
// file so that other hard links keep the original.
func rewrite(t testing.TB, name string, fn func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	data = fn(data)
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// largestPack returns the slash-separated path, relative to dir, of the
// largest pack file: one holding chunks of the 21 MiB file.
func largestPack(t testing.TB, dir string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "data", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var best string
	var size int64 = -1
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > size {
			best, size = m, fi.Size()
		}
	}
	if best == "" {
		t.Fatalf("no pack in %s", dir)
	}
	rel, _ := filepath.Rel(dir, best)
	return filepath.ToSlash(rel)
}
