//go:build linux

package restorer_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// selectSnapshot holds /srv/a/{x,y}, /srv/b/z, /srv/c/d/e and /top.
func selectSnapshot(t *testing.T) (*builder, *repo.Snapshot) {
	b := newBuilder(t)
	f := func(name string) *repo.Node { return b.file(name, 0o644, []byte(name)) }
	return b, b.snapshot(b.dir("srv", 0o755,
		b.dir("a", 0o755, f("x"), f("y")),
		b.dir("b", 0o755, f("z")),
		b.dir("c", 0o700, b.dir("d", 0o755, f("e"))),
	), f("top"))
}

// listTree returns the slash paths of every entry below root, sorted.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestRestoreSubPath(t *testing.T) {
	b, sn := selectSnapshot(t)
	for _, sub := range []string{"srv/a", "/srv/a/", "srv/../srv/a"} {
		target := t.TempDir()
		stats, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{SubPath: sub})
		if err != nil {
			t.Fatal(err)
		}
		if got := listTree(t, target); !slices.Equal(got, []string{"x", "y"}) || stats.Files != 2 {
			t.Errorf("SubPath %q: restored %q, stats %+v", sub, got, stats)
		}
		checkContent(t, target, "x", []byte("x"))
	}
	if _, err := restorer.Restore(context.Background(), b.r, sn, t.TempDir(), restorer.Options{SubPath: "srv/nope"}); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("missing SubPath: got %v, want ErrNotFound", err)
	}
	if _, err := restorer.Restore(context.Background(), b.r, sn, t.TempDir(), restorer.Options{SubPath: "top"}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file SubPath: got %v, want a not-a-directory error", err)
	}
}

func TestRestoreInclude(t *testing.T) {
	b, sn := selectSnapshot(t)
	for _, tc := range []struct {
		sub      string
		include  []string
		want     []string
		wantDirs uint64
	}{
		{"", []string{"/srv/a/x", "e"}, []string{"srv", "srv/a", "srv/a/x", "srv/c", "srv/c/d", "srv/c/d/e"}, 4},
		{"", []string{"/srv/b"}, []string{"srv", "srv/b", "srv/b/z"}, 2},
		{"", []string{"/srv/*/y", "/to?"}, []string{"srv", "srv/a", "srv/a/y", "top"}, 2},
		{"", []string{"/**/d"}, []string{"srv", "srv/c", "srv/c/d", "srv/c/d/e"}, 3},
		{"", []string{"/nothing"}, nil, 0},
		{"srv", []string{"/srv/c"}, []string{"c", "c/d", "c/d/e"}, 2},
	} {
		target := t.TempDir()
		stats, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{SubPath: tc.sub, Include: tc.include})
		if err != nil {
			t.Fatal(err)
		}
		if got := listTree(t, target); !slices.Equal(got, tc.want) || stats.Dirs != tc.wantDirs {
			t.Errorf("SubPath %q Include %q: restored %q (%d dirs), want %q (%d dirs)", tc.sub, tc.include, got, stats.Dirs, tc.want, tc.wantDirs)
		}
	}
	if _, err := restorer.Restore(context.Background(), b.r, sn, t.TempDir(), restorer.Options{Include: []string{"[x"}}); err == nil {
		t.Error("bad pattern accepted")
	}
}
