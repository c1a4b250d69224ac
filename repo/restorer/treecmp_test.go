//go:build linux

package restorer_test

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// describeTree maps every path below root to a line describing its type,
// mode, owner, size, mtime, content hash or link target and xattrs.
func describeTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	must(t, filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		var extra string
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			extra, err = os.Readlink(p)
		case fi.Mode().IsRegular():
			var data []byte
			data, err = os.ReadFile(p)
			extra = fmt.Sprintf("%x", sha256.Sum256(data))
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = strings.Join([]string{fi.Mode().String(), fmt.Sprint(st.Uid), fmt.Sprint(st.Gid), fmt.Sprint(fi.Size()),
			fi.ModTime().UTC().Format(time.RFC3339Nano), extra, xattrs(p)}, " ")
		return nil
	}))
	return out
}

// hardLinkGroups returns, sorted, the groups of paths below root that
// share an inode.
func hardLinkGroups(t *testing.T, root string) []string {
	t.Helper()
	byInode := map[uint64][]string{}
	must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Nlink > 1 {
			rel, _ := filepath.Rel(root, p)
			byInode[st.Ino] = append(byInode[st.Ino], rel)
		}
		return nil
	}))
	var groups []string
	for _, g := range byInode {
		slices.Sort(g)
		groups = append(groups, strings.Join(g, ", "))
	}
	slices.Sort(groups)
	return groups
}

func xattrs(p string) string {
	buf := make([]byte, 4096)
	n, err := syscall.Listxattr(p, buf)
	if err != nil || n == 0 {
		return ""
	}
	var out []string
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		val := make([]byte, 4096)
		m, err := syscall.Getxattr(p, name, val)
		if err != nil {
			m = 0
		}
		out = append(out, name+"="+string(val[:m]))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func sortedKeys(maps ...map[string]string) []string {
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}
