package sftp_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/sftp"
)

// idOf returns the file name restic gives data.
func idOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// files returns every regular file below dir, slash-separated and
// relative, with its permission bits.
func files(tb testing.TB, dir string) map[string]fs.FileMode {
	tb.Helper()
	out := map[string]fs.FileMode{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fi.Mode().Perm()
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func save(tb testing.TB, be backend.Backend, h backend.Handle, data []byte) {
	tb.Helper()
	if err := be.Save(context.Background(), h, backend.NewByteReader(data)); err != nil {
		tb.Fatalf("save %v: %v", h, err)
	}
}

// longReader claims to be one byte longer than it is.
type longReader struct{ *backend.ByteReader }

func (r longReader) Length() int64 { return r.ByteReader.Length() + 1 }

// TestLayout checks on the server's disk what Create and Save leave: the
// directories of restic init with mode 0700, read-only files where restic
// puts them, and no temporary files, also after a failed save.
func TestLayout(t *testing.T) {
	srv := testenv.StartSSHD(t)
	be, dir := newRepo(t, srv)
	if err := be.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, d := range append([]string{"."}, backend.Dirs()...) {
		fi, err := os.Stat(filepath.Join(dir, d))
		if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v, %v; want a directory with mode 0700", d, fi.Mode(), err)
		}
	}
	if err := be.Create(context.Background()); err != nil {
		t.Fatalf("create again without config: %v", err)
	}

	pack, key := []byte("pack content"), []byte(`{"kdf":"scrypt"}`)
	save(t, be, backend.Handle{Type: backend.ConfigFile}, []byte("config"))
	save(t, be, backend.Handle{Type: backend.PackFile, Name: idOf(pack)}, pack)
	save(t, be, backend.Handle{Type: backend.KeyFile, Name: idOf(key)}, key)
	save(t, be, backend.Handle{Type: backend.ConfigFile}, []byte("replaced config"))
	bad := []byte("short")
	err := be.Save(context.Background(), backend.Handle{Type: backend.PackFile, Name: idOf(bad)},
		longReader{backend.NewByteReader(bad)})
	if !errors.Is(err, backend.ErrLengthMismatch) {
		t.Errorf("save with a wrong length: %v", err)
	}
	if err := be.Create(context.Background()); !errors.Is(err, fs.ErrExist) {
		t.Errorf("create over a config: %v, want fs.ErrExist", err)
	}

	want := map[string]fs.FileMode{
		"config": 0o400,
		"data/" + idOf(pack)[:2] + "/" + idOf(pack): 0o400,
		"keys/" + idOf(key):                         0o400,
	}
	got := files(t, dir)
	if len(got) != len(want) {
		t.Errorf("files %v, want %v", got, want)
	}
	for name, mode := range got {
		if want[name] != mode {
			t.Errorf("%s: mode %v, want %v (unexpected files have none)", name, mode, want[name])
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "config")); err != nil || string(b) != "replaced config" {
		t.Errorf("config: %q, %v", b, err)
	}
}

// TestSaveCreatesMissingDirs: a repository whose directories are gone
// (or were never made) still takes files.
func TestSaveCreatesMissingDirs(t *testing.T) {
	srv := testenv.StartSSHD(t)
	be, dir := newRepo(t, srv)
	pack := []byte("pack")
	save(t, be, backend.Handle{Type: backend.PackFile, Name: idOf(pack)}, pack)
	if _, err := os.Stat(filepath.Join(dir, "data", idOf(pack)[:2], idOf(pack))); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("repository directory: %v, %v", fi.Mode(), err)
	}
}

// TestRelativePath: a path without a leading slash is relative to the
// login directory, as with restic's "sftp:host:path".
func TestRelativePath(t *testing.T) {
	srv := testenv.StartSSHD(t)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rel, err := filepath.Rel(u.HomeDir, dir)
	if err != nil || strings.HasPrefix(rel, "/") {
		t.Skipf("no relative path from %s to %s", u.HomeDir, dir)
	}
	loc := "sftp://" + srv.User + "@127.0.0.1:" + strconv.Itoa(srv.Port) + "/" + filepath.ToSlash(rel)
	cfg, err := sftp.ParseLocation(loc)
	if err != nil {
		t.Fatal(err)
	}
	be, err := sftp.Open(context.Background(), cfg, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	save(t, be, backend.Handle{Type: backend.ConfigFile}, []byte("relative"))
	if b, err := os.ReadFile(filepath.Join(dir, "config")); err != nil || string(b) != "relative" {
		t.Errorf("config in %s: %q, %v", dir, b, err)
	}
	if be.Location() != loc {
		t.Errorf("Location() = %q, want %q", be.Location(), loc)
	}
}
