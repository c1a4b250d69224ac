package local_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

func TestBackend(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return open(t, filepath.Join(t.TempDir(), "repo"))
	})
}

// open opens the repository in dir and fails the test on error.
func open(tb testing.TB, dir string) *local.Local {
	tb.Helper()
	l, err := local.Open(dir)
	if err != nil {
		tb.Fatalf("open %s: %v", dir, err)
	}
	return l
}

// create opens and creates a new repository below a temporary directory.
func create(tb testing.TB) (*local.Local, string) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "repo")
	l := open(tb, dir)
	if err := l.Create(context.Background()); err != nil {
		tb.Fatalf("create: %v", err)
	}
	return l, dir
}

// save stores data under h and fails the test on error.
func save(tb testing.TB, be backend.Backend, h backend.Handle, data []byte) {
	tb.Helper()
	if err := be.Save(context.Background(), h, backend.NewByteReader(data)); err != nil {
		tb.Fatalf("save %v: %v", h, err)
	}
}

// perm returns the permission bits of path.
func perm(tb testing.TB, path string) fs.FileMode {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestOpenNotDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Open(file); err == nil {
		t.Error("open of a regular file: no error")
	}
	if _, err := local.Open(""); err == nil {
		t.Error("open of an empty path: no error")
	}
}

func TestLocation(t *testing.T) {
	l := open(t, "/some/repo")
	if got := l.Location(); got != "/some/repo" {
		t.Errorf("Location() = %q", got)
	}
	if got := l.Connections(); got != 2 {
		t.Errorf("Connections() = %d", got)
	}
}

func TestCreateExisting(t *testing.T) {
	l, _ := create(t)
	if err := l.Create(context.Background()); err != nil {
		t.Fatalf("create again without config: %v", err)
	}
	save(t, l, backend.Handle{Type: backend.ConfigFile}, []byte("{}"))
	if err := l.Create(context.Background()); !errors.Is(err, fs.ErrExist) {
		t.Errorf("create over existing config: got %v, want fs.ErrExist", err)
	}
}

func TestInvalidHandle(t *testing.T) {
	l, _ := create(t)
	ctx := context.Background()
	for _, h := range []backend.Handle{
		{Type: backend.KeyFile, Name: "../config"},
		{Type: backend.KeyFile, Name: ""},
		{Type: backend.KeyFile, Name: ".."},
		{Type: backend.FileType(0), Name: "abc"},
	} {
		err := l.Save(ctx, h, backend.NewByteReader([]byte("x")))
		if err == nil || !l.IsPermanentError(err) {
			t.Errorf("save %q: got %v, want a permanent error", h.Name, err)
		}
		if _, err := l.Stat(ctx, h); err == nil || !l.IsPermanentError(err) {
			t.Errorf("stat %q: got %v, want a permanent error", h.Name, err)
		}
	}
}
