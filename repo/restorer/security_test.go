//go:build linux

package restorer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// TestRestoreRejectsHostileNames restores trees holding nodes whose names
// would escape the target and checks that each fails, names the node and
// writes nothing, neither outside the target nor inside it.
func TestRestoreRejectsHostileNames(t *testing.T) {
	for _, name := range []string{"../evil", "a/b", "", "..", ".", "x\x00y", "/abs"} {
		for _, kind := range []string{tree.TypeFile, tree.TypeDir, tree.TypeSymlink} {
			t.Run(strings.ToValidUTF8(kind+" "+name, "?"), func(t *testing.T) {
				b := newBuilder(t)
				var bad *repo.Node
				switch kind {
				case tree.TypeFile:
					bad = b.file(name, 0o644, []byte("evil"))
				case tree.TypeDir:
					bad = b.dir(name, 0o755, b.file("evil", 0o644, []byte("evil")))
				default:
					bad = symlink(name, "/etc/passwd")
				}
				sn := b.snapshot(b.file("ok", 0o644, []byte("fine")), b.dir("sub", 0o755, bad, b.file("z", 0o644)))
				parent := t.TempDir()
				sibling := filepath.Join(parent, "sibling")
				if err := os.Mkdir(sibling, 0o755); err != nil {
					t.Fatal(err)
				}
				target := filepath.Join(parent, "target")
				_, err := restorer.Restore(context.Background(), b.r, sn, filepath.Join(target, "x"), restorer.Options{})
				if !errors.Is(err, tree.ErrInvalidNode) || !strings.Contains(err.Error(), "/sub") {
					t.Fatalf("got %v, want an error wrapping tree.ErrInvalidNode naming /sub", err)
				}
				if got := readDirNames(t, parent); len(got) != 1 || got[0] != "sibling" {
					t.Errorf("parent holds %q", got)
				}
				if got := readDirNames(t, sibling); len(got) != 0 {
					t.Errorf("sibling holds %q", got)
				}
			})
		}
	}
}

func TestRestoreRejectsDuplicateNames(t *testing.T) {
	b := newBuilder(t)
	outside := t.TempDir()
	sn := b.snapshot(symlink("a", outside), b.dir("a", 0o755, b.file("evil", 0o644, []byte("evil"))))
	_, err := restorer.Restore(context.Background(), b.r, sn, t.TempDir(), restorer.Options{})
	if !errors.Is(err, tree.ErrDuplicateName) {
		t.Fatalf("got %v, want ErrDuplicateName", err)
	}
	if got := readDirNames(t, outside); len(got) != 0 {
		t.Errorf("outside holds %q", got)
	}
}

// TestRestoreRefusesSymlinkInTarget puts a symlink where the snapshot has
// a directory: the restore must not write through it.
func TestRestoreRefusesSymlinkInTarget(t *testing.T) {
	b := newBuilder(t)
	sn := b.snapshot(b.dir("d", 0o755, b.file("f", 0o644, []byte("evil"))))
	target, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(target, "d")); err != nil {
		t.Fatal(err)
	}
	_, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{})
	if !errors.Is(err, restorer.ErrSymlinkInTarget) || !strings.Contains(err.Error(), filepath.Join(target, "d")) {
		t.Fatalf("got %v, want ErrSymlinkInTarget naming the path", err)
	}
	if got := readDirNames(t, outside); len(got) != 0 {
		t.Errorf("outside holds %q", got)
	}
}

// TestRestoreReplacesWithoutFollowing checks that existing entries where
// the snapshot has a file are replaced, not written through: a symlink to
// a file outside and a hard link to a file outside both stay untouched.
func TestRestoreReplacesWithoutFollowing(t *testing.T) {
	b := newBuilder(t)
	sn := b.snapshot(b.file("viasymlink", 0o644, []byte("new")), b.file("viahardlink", 0o644, []byte("new")),
		b.file("plain", 0o644, []byte("new")))
	target, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink(victim, filepath.Join(target, "viasymlink")))
	must(t, os.Link(victim, filepath.Join(target, "viahardlink")))
	must(t, os.WriteFile(filepath.Join(target, "plain"), []byte("old content, longer"), 0o600))

	if _, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{}); err != nil {
		t.Fatal(err)
	}
	checkContent(t, outside, "victim", []byte("precious"))
	for _, rel := range []string{"viasymlink", "viahardlink", "plain"} {
		checkContent(t, target, rel, []byte("new"))
		if fi := lstat(t, target, rel); !fi.Mode().IsRegular() {
			t.Errorf("%s: mode %v", rel, fi.Mode())
		}
	}
}

// TestRestoreKeepsDirectories checks that a directory where the snapshot
// has a file is an error, and is left alone.
func TestRestoreKeepsDirectories(t *testing.T) {
	b := newBuilder(t)
	sn := b.snapshot(b.file("wasdir", 0o644, []byte("new")))
	target := t.TempDir()
	must(t, os.Mkdir(filepath.Join(target, "wasdir"), 0o755))
	must(t, os.WriteFile(filepath.Join(target, "wasdir", "keep"), nil, 0o600))
	_, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(target, "wasdir")) {
		t.Errorf("got %v, want an error naming wasdir, which is a directory", err)
	}
	checkContent(t, target, "wasdir/keep", nil)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
