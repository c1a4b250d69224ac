//go:build linux

package archiver_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// TestResticTargetsAndExcludes backs up the same targets with the same
// excludes with Backup and restic 0.18.1, from the same working directory,
// and compares the root trees and recorded paths: relative targets, ".",
// nested and duplicate targets, names claimed twice, missing targets and
// exclude patterns.
func TestResticTargetsAndExcludes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs restic")
	}
	restic := testenv.Restic(t)
	base := quietTempDir(t)
	w := filepath.Join(base, "w")
	first := strings.Split(w, "/")[1] // an absolute target's first name
	for _, f := range []string{"a/data/d/h", "a/data/f1", "a/data/g.txt", "a/data/.hidden", "b/data/f2", first + "/q/qq"} {
		write(t, filepath.Join(w, f), []byte(f), 0o644)
	}
	check(t, syscall.Setxattr(filepath.Join(w, "a"), "user.parent", []byte("of a target"), 0))
	check(t, os.Symlink("a", filepath.Join(w, "lnk")))
	repoDir := filepath.Join(base, "repo")
	r := newRepo(t, repoDir)
	t.Chdir(w)
	for _, tc := range []struct {
		paths, excludes []string
	}{
		{paths: []string{"a/data"}},
		{paths: []string{"lnk/data"}}, // a symlinked parent is recorded as the directory
		{paths: []string{"lnk"}},
		{paths: []string{"./a/data/"}},
		{paths: []string{"."}},
		{paths: []string{"a/../b"}},
		{paths: []string{"b", "a"}},
		{paths: []string{"a/data/f1", "a/data"}},
		{paths: []string{"a/data/d/h", "a/data/d", "a/data/f1"}},
		{paths: []string{"a/data", "a/data"}},
		{paths: []string{first + "/q", filepath.Join(w, "b")}},
		{paths: []string{"nope", "a"}},
		{paths: []string{filepath.Join(w, "a", "data"), filepath.Join(w, "b")}},
		{paths: []string{"a"}, excludes: []string{"d"}},
		{paths: []string{"a"}, excludes: []string{"*.txt", ".*"}},
		{paths: []string{"a"}, excludes: []string{"a/**/f1"}},
		{paths: []string{"a"}, excludes: []string{filepath.Join(w, "a", "data", "g.txt")}},
		{paths: []string{"a"}, excludes: []string{"/w/a"}},
		{paths: []string{"a"}, excludes: []string{"data/*", "!data/f1"}},
		{paths: []string{"a", "b"}, excludes: []string{"b"}},
		{paths: []string{filepath.Join(w, "a")}, excludes: []string{"w"}},
	} {
		args := []string{"backup", "--host", "h"}
		for _, e := range tc.excludes {
			args = append(args, "--exclude", e)
		}
		ours, _ := backup(t, r, tc.paths, archiver.Options{Excludes: tc.excludes, Snapshot: repoSnapshotHost("h")})
		env := []string{"RESTIC_REPOSITORY=" + repoDir, "RESTIC_PASSWORD=" + password, "TMPDIR=" + repoDir + ".tmp"}
		testenv.RunTool(t, env, w, restic, append(append([]string{"--no-cache", "-q"}, args...), tc.paths...)...)
		theirs := resticSnapshot(t, restic, repoDir)
		if theirs["tree"] != ours.Tree.String() {
			t.Errorf("%q excluding %q: root tree %s, restic %s", tc.paths, tc.excludes, ours.Tree, theirs["tree"])
		}
		if got, want := strings.Join(ours.Paths, ","), joinAny(theirs["paths"]); got != want {
			t.Errorf("%q: paths %s, restic %s", tc.paths, got, want)
		}
		if !slices.Equal(ours.Excludes, tc.excludes) {
			t.Errorf("%q: excludes %q", tc.paths, ours.Excludes)
		}
	}

	// What restic refuses, Backup refuses.
	if _, res, err := archiver.Backup(context.Background(), r, []string{"nope"}, archiver.Options{}); !errors.Is(err, archiver.ErrNoTargets) || len(res.Skipped) != 1 {
		t.Errorf("only missing targets: %v, skipped %q", err, res.Skipped)
	}
	if _, _, err := archiver.Backup(context.Background(), r, []string{"a"}, archiver.Options{Excludes: []string{"a"}}); !errors.Is(err, archiver.ErrEmptySnapshot) {
		t.Errorf("everything excluded: %v", err)
	}
}

func joinAny(v any) string {
	var parts []string
	for _, p := range v.([]any) {
		parts = append(parts, p.(string))
	}
	return strings.Join(parts, ",")
}
