package repo_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

func pruneOpenDir(t testing.TB, dir string) (*repo.Repository, backend.Backend) {
	t.Helper()
	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return pruneOpenBackend(t, be), be
}

func pruneOpenBackend(t testing.TB, be backend.Backend) *repo.Repository {
	t.Helper()
	r, err := repo.Open(context.Background(), be, prunePassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// pruneNames lists the file names below dir/sub (recursively for data).
func pruneNames(t testing.TB, dir, sub string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() && backend.IsValidName(d.Name()) {
			names = append(names, d.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

func pruneNewNames(before, after []string) []string {
	var out []string
	for _, n := range after {
		if _, found := slices.BinarySearch(before, n); !found {
			out = append(out, n)
		}
	}
	return out
}

// pruneState returns every repository file except locks with its size.
func pruneState(t testing.TB, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, "locks"+string(filepath.Separator)) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pruneDataBytes sums the sizes of all pack files.
func pruneDataBytes(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	for name, size := range pruneState(t, dir) {
		if strings.HasPrefix(name, "data/") {
			n += size
		}
	}
	return n
}

// pruneResticCheck runs restic check on the repository in dir and fails
// the test if it reports errors. Hints are allowed.
func pruneResticCheck(t testing.TB, bin, dir string, readData bool) string {
	t.Helper()
	args := []string{"-r", dir, "--no-cache", "check"}
	if readData {
		args = append(args, "--read-data")
	}
	out := testenv.RunTool(t, []string{"RESTIC_PASSWORD=" + prunePassword}, "", bin, args...)
	if !strings.Contains(string(out), "no errors were found") {
		t.Fatalf("restic check:\n%s", out)
	}
	return string(out)
}
