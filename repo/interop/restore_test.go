package interop

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// TestRestore restores the directory and --stdin snapshots with restic
// restore and with restorer.Restore and compares the two trees: names,
// types, modes, times, owners, sizes, contents, link targets and hard
// links.
func TestRestore(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		for _, sid := range []string{rr.dirSnap, rr.stdinSnap} {
			theirs, ours := t.TempDir(), t.TempDir()
			rr.restic(t, "restore", sid, "--target", theirs)
			sn, err := rr.r.FindSnapshot(t.Context(), sid, repo.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := restorer.Restore(t.Context(), rr.r, sn, ours, restorer.Options{}); err != nil {
				t.Fatalf("Restore %s: %v", sid[:8], err)
			}
			a, b := describeTree(t, theirs), describeTree(t, ours)
			for _, p := range unionKeys(a, b) {
				if a[p] != b[p] {
					t.Errorf("%s:\nrestic: %s\nours:   %s", p, a[p], b[p])
				}
			}
			if ha, hb := hardLinkGroups(t, theirs), hardLinkGroups(t, ours); !slices.Equal(ha, hb) {
				t.Errorf("hard link groups differ:\nrestic: %q\nours:   %q", ha, hb)
			}
			if sid == rr.dirSnap && len(a) < 25 {
				t.Errorf("compared only %d entries", len(a))
			}
		}
	})
}

// describeTree describes every entry below root, by relative path.
func describeTree(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel], err = describe(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// describe summarises one file system entry.
func describe(p string) (string, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return "", err
	}
	st := fi.Sys().(*syscall.Stat_t)
	s := fmt.Sprintf("%v uid=%d gid=%d links=%d mtime=%s", fi.Mode(), st.Uid, st.Gid, st.Nlink,
		fi.ModTime().UTC().Format("2006-01-02T15:04:05.999999999"))
	switch fi.Mode().Type() {
	case 0:
		sum, err := sumFile(p)
		if err != nil {
			return "", err
		}
		s += fmt.Sprintf(" size=%d sha256=%x", fi.Size(), sum[:8])
	case fs.ModeSymlink:
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		s += " -> " + target
	}
	return s, nil
}

// hardLinkGroups returns the sets of paths sharing an inode, each set
// sorted and joined by " = ", the list sorted.
func hardLinkGroups(t testing.TB, root string) []string {
	t.Helper()
	byInode := map[uint64][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		ino := fi.Sys().(*syscall.Stat_t).Ino
		rel, _ := filepath.Rel(root, p)
		byInode[ino] = append(byInode[ino], rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, paths := range byInode {
		if len(paths) > 1 {
			slices.Sort(paths)
			groups = append(groups, strings.Join(paths, " = "))
		}
	}
	slices.Sort(groups)
	return groups
}

func unionKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
