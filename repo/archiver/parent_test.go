//go:build linux

package archiver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// subtree returns the tree ID of directory p in sn.
func subtree(t testing.TB, r *repo.Repository, sn *repo.Snapshot, p string) repo.ID {
	t.Helper()
	n, err := r.FindNode(context.Background(), *sn.Tree, p)
	check(t, err)
	return *n.Subtree
}

// rewrite saves a copy of sn in which fn has changed the node at p, and
// returns the copy's ID.
func rewrite(t testing.TB, r *repo.Repository, sn *repo.Snapshot, p string, fn func(*repo.Node)) repo.ID {
	t.Helper()
	ctx := context.Background()
	w, err := r.NewWriter(ctx, repo.WriterOptions{})
	check(t, err)
	var edit func(tid repo.ID, parts []string) repo.ID
	edit = func(tid repo.ID, parts []string) repo.ID {
		tr, err := r.LoadTree(ctx, tid)
		check(t, err)
		for _, n := range tr.Nodes {
			if n.Name != parts[0] {
				continue
			}
			if len(parts) == 1 {
				fn(n)
			} else {
				sub := edit(*n.Subtree, parts[1:])
				n.Subtree = &sub
			}
		}
		data, err := tree.Encode(tr)
		check(t, err)
		id, _, err := w.SaveBlob(ctx, repo.TreeBlob, data)
		check(t, err)
		return id
	}
	root := edit(*sn.Tree, strings.Split(strings.Trim(p, "/"), "/"))
	_, err = w.Flush(ctx)
	check(t, err)
	cp := *sn
	cp.Tree = &root
	id, err := r.SaveSnapshot(ctx, &cp)
	check(t, err)
	return id
}

func TestParent(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for _, f := range []string{"a", "b", "c", "d/e", "d/f"} {
		write(t, filepath.Join(src, f), []byte("content of "+f), 0o644)
	}
	write(t, filepath.Join(src, "big"), random(t, 2<<20), 0o644)
	r := newRepo(t, filepath.Join(base, "repo"))
	first, res := backup(t, r, []string{src}, archiver.Options{})
	if res.FilesRead != 6 || res.Parent != nil {
		t.Fatalf("first backup read %d files, parent %v", res.FilesRead, res.Parent)
	}

	// Unchanged: nothing is read, nothing new is stored but the root.
	var prog countingProgress
	second, res := backup(t, r, []string{src}, archiver.Options{Progress: &prog})
	s := res.Summary
	if res.FilesRead != 0 || s.DataBlobs != 0 || s.FilesUnmodified != 6 || s.FilesNew+s.FilesChanged != 0 ||
		*res.Parent != first.ID() || *second.Parent != first.ID() || s.TotalFilesProcessed != 6 {
		t.Errorf("unchanged: read %d, summary %+v, parent %v", res.FilesRead, s, res.Parent)
	}
	if subtree(t, r, second, src) != subtree(t, r, first, src) {
		t.Error("unchanged directory got a new tree")
	}
	if st := prog.items[filepath.Join(src, "d", "e")]; st != archiver.StatusUnmodified {
		t.Errorf("d/e reported %v", st)
	}

	// A modified file, a new file and a chmod (ctime only) are read.
	write(t, filepath.Join(src, "a"), []byte("new content of a"), 0o644)
	write(t, filepath.Join(src, "d", "new"), []byte("new"), 0o644)
	check(t, os.Chmod(filepath.Join(src, "b"), 0o600))
	third, res := backup(t, r, []string{src}, archiver.Options{})
	s = res.Summary
	if res.FilesRead != 3 || s.FilesNew != 1 || s.FilesChanged != 2 || s.FilesUnmodified != 4 || s.DirsChanged < 2 {
		t.Errorf("changes: read %d, summary %+v", res.FilesRead, s)
	}

	// NoParent reads everything and records no parent.
	sn, res := backup(t, r, []string{src}, archiver.Options{NoParent: true})
	if res.FilesRead != 7 || sn.Parent != nil || res.Parent != nil {
		t.Errorf("NoParent: read %d, parent %v", res.FilesRead, sn.Parent)
	}
	if subtree(t, r, sn, src) != subtree(t, r, third, src) {
		t.Error("NoParent backup differs")
	}

	// A parent whose blob is no longer indexed: the file is read again.
	bogus := rewrite(t, r, third, filepath.Join(src, "c"), func(n *repo.Node) { n.Content = []repo.ID{{1, 2, 3}} })
	_, res = backup(t, r, []string{src}, archiver.Options{Parent: &bogus})
	if res.FilesRead != 1 || *res.Parent != bogus {
		t.Errorf("missing blob: read %d, parent %v", res.FilesRead, res.Parent)
	}

	// Only snapshots of this host, not newer than the new one, with all
	// the targets among their paths, qualify.
	for _, tc := range []struct {
		name  string
		opts  archiver.Options
		paths []string
		want  bool
	}{
		{"other host", archiver.Options{Snapshot: repo.SnapshotOptions{Host: "elsewhere"}}, []string{src}, false},
		{"older time", archiver.Options{Snapshot: repo.SnapshotOptions{Time: time.Unix(1, 0)}}, []string{src}, false},
		{"other paths", archiver.Options{}, []string{filepath.Join(src, "d")}, false},
		{"explicit", archiver.Options{Parent: &bogus}, []string{filepath.Join(src, "d")}, true},
		{"via snapshot options", archiver.Options{Snapshot: repo.SnapshotOptions{Parent: &bogus}}, []string{filepath.Join(src, "d")}, true},
	} {
		_, res := backup(t, r, tc.paths, tc.opts)
		if (res.Parent != nil) != tc.want {
			t.Errorf("%s: parent %v, want one: %v", tc.name, res.Parent, tc.want)
		}
	}
	// A snapshot of more paths is a parent for a subset.
	check(t, os.MkdirAll(filepath.Join(base, "other"), 0o755))
	both, _ := backup(t, r, []string{src, filepath.Join(base, "other")}, archiver.Options{})
	_, res = backup(t, r, []string{src}, archiver.Options{})
	if res.Parent == nil || *res.Parent != both.ID() || res.FilesRead != 0 {
		t.Errorf("superset parent: %v, read %d", res.Parent, res.FilesRead)
	}
}
