package local_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// idOf returns the file name restic gives data.
func idOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// longReader claims to be one byte longer than it is.
type longReader struct{ *backend.ByteReader }

func (r longReader) Length() int64 { return r.ByteReader.Length() + 1 }

// files returns every regular file below dir, slash-separated and relative.
func files(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestCreateLayout(t *testing.T) {
	_, dir := create(t)
	for _, d := range append([]string{"."}, backend.Dirs()...) {
		p := filepath.Join(dir, filepath.FromSlash(d))
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			t.Fatalf("%s: not a directory (%v)", d, err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", d, fi.Mode().Perm())
		}
	}
	for _, d := range []string{"data/00", "data/7f", "data/ff", "keys", "locks", "snapshots", "index"} {
		if _, err := os.Stat(filepath.Join(dir, d)); err != nil {
			t.Errorf("%s missing: %v", d, err)
		}
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("create made files: %v", got)
	}
}

func TestSaveLayout(t *testing.T) {
	l, dir := create(t)
	pack := []byte("pack content")
	key := []byte(`{"kdf":"scrypt"}`)
	save(t, l, backend.Handle{Type: backend.ConfigFile}, []byte("config"))
	save(t, l, backend.Handle{Type: backend.PackFile, Name: idOf(pack)}, pack)
	save(t, l, backend.Handle{Type: backend.KeyFile, Name: idOf(key)}, key)
	// A failed save must leave nothing behind either.
	bad := []byte("short")
	err := l.Save(context.Background(), backend.Handle{Type: backend.PackFile, Name: idOf(bad)},
		longReader{backend.NewByteReader(bad)})
	if !errors.Is(err, backend.ErrLengthMismatch) {
		t.Errorf("save with wrong length: %v", err)
	}

	want := map[string]bool{
		"config": true,
		"data/" + idOf(pack)[:2] + "/" + idOf(pack): true,
		"keys/" + idOf(key):                         true,
	}
	got := files(t, dir)
	for _, f := range got {
		if strings.Contains(f, "-tmp-") {
			t.Errorf("leftover temporary file %s", f)
		} else if !want[f] {
			t.Errorf("unexpected file %s", f)
		}
		if runtime.GOOS != "windows" && perm(t, filepath.Join(dir, f)) != 0o400 {
			t.Errorf("%s: mode %v, want 0400", f, perm(t, filepath.Join(dir, f)))
		}
	}
	if len(got) != len(want) {
		t.Errorf("files %v, want %d files", got, len(want))
	}
}

func TestSaveCreatesMissingDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	l := open(t, dir) // not created
	pack := []byte("pack")
	h := backend.Handle{Type: backend.PackFile, Name: idOf(pack)}
	save(t, l, h, pack)
	if _, err := os.Stat(filepath.Join(dir, "data", h.Name[:2], h.Name)); err != nil {
		t.Fatal(err)
	}
}

func TestSaveReplaces(t *testing.T) {
	l, dir := create(t)
	h := backend.Handle{Type: backend.ConfigFile}
	save(t, l, h, []byte("old"))
	save(t, l, h, []byte("new content"))
	got, err := os.ReadFile(filepath.Join(dir, "config"))
	if err != nil || string(got) != "new content" {
		t.Errorf("config after replace: %q, %v", got, err)
	}
}

func TestGroupReadableModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions")
	}
	_, dir := create(t)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("{}"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "config"), 0o640); err != nil {
		t.Fatal(err)
	}
	l := open(t, dir) // reopen: modes are derived from config
	lock := []byte("lock")
	save(t, l, backend.Handle{Type: backend.LockFile, Name: idOf(lock)}, lock)
	if got := perm(t, filepath.Join(dir, "locks", idOf(lock))); got != 0o440 {
		t.Errorf("lock mode %v, want 0440", got)
	}
}

func TestListSkipsMisplacedPacks(t *testing.T) {
	l, dir := create(t)
	pack := []byte("listed")
	save(t, l, backend.Handle{Type: backend.PackFile, Name: idOf(pack)}, pack)
	root, deep := idOf([]byte("in data/")), idOf([]byte("too deep"))
	write := func(rel string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("data/" + root)
	write("data/" + deep[:2] + "/sub/" + deep)
	write("keys/sub/" + deep) // other types are flat: subdirectories ignored
	var got []string
	for _, ft := range []backend.FileType{backend.PackFile, backend.KeyFile} {
		err := l.List(context.Background(), ft, func(fi backend.FileInfo) error {
			got = append(got, fi.Name)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0] != idOf(pack) {
		t.Errorf("listed %v, want only %s", got, idOf(pack))
	}
}
