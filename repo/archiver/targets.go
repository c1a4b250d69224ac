package archiver

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// target is a node of the tree of backup targets: the snapshot's root,
// a parent directory of a target, or a target (leaf) saved entirely.
type target struct {
	name   string // name in the snapshot tree
	fsPath string // path to read, as derived from the target given
	abs    string // absolute path, for excludes and messages
	leaf   bool
	kids   map[string]*target
}

// sortedKids returns the children in name order.
func (t *target) sortedKids() []*target {
	names := make([]string, 0, len(t.kids))
	for n := range t.kids {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]*target, len(names))
	for i, n := range names {
		out[i] = t.kids[n]
	}
	return out
}

// add inserts the cleaned target p; cwd makes relative paths absolute.
// Relative components ("." and "..") are dropped from the tree but kept in
// the path read. A target below another target adds nothing; a target
// above others replaces them.
func (t *target) add(p, cwd string) {
	elems := strings.Split(p, "/")
	prefix := ""
	if elems[0] == "" {
		prefix, elems = "/", elems[1:]
	}
	cur := t
	for i, e := range elems {
		prefix = filepath.Join(prefix, e)
		if e == "." || e == ".." || e == "" {
			continue
		}
		if cur.leaf {
			return
		}
		abs := prefix
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(cwd, prefix)
		}
		cur = cur.child(e, prefix, abs)
		if i == len(elems)-1 {
			cur.leaf, cur.kids = true, nil
		}
	}
}

// child returns the child for the path fsPath, named name or, when that
// name is taken by another path, name-1, name-2 and so on.
func (t *target) child(name, fsPath, abs string) *target {
	if t.kids == nil {
		t.kids = map[string]*target{}
	}
	for i := 0; ; i++ {
		n := name
		if i > 0 {
			n = name + "-" + strconv.Itoa(i)
		}
		c, ok := t.kids[n]
		if !ok {
			c = &target{name: n, fsPath: fsPath, abs: abs}
			t.kids[n] = c
			return c
		}
		if c.fsPath == fsPath {
			return c
		}
	}
}

// buildTargets checks that each path exists and builds the target tree.
// It returns the absolute paths of the existing targets (the snapshot's
// paths) and the targets that do not exist. A target made only of "." and
// ".." components (or "/") stands for its entries, as in restic.
func buildTargets(fsys FS, paths []string) (root *target, abs, missing []string, err error) {
	root = &target{abs: "/"}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, nil, nil, err
	}
	for _, p := range paths {
		p = filepath.Clean(p)
		if _, err := fsys.Lstat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				missing = append(missing, p)
				continue
			}
			return nil, nil, nil, err
		}
		if filepath.IsAbs(p) {
			abs = append(abs, p)
		} else {
			abs = append(abs, filepath.Join(cwd, p))
		}
		if !onlyDots(p) {
			root.add(p, cwd)
			continue
		}
		names, err := fsys.ReadDirNames(p)
		if err != nil {
			return nil, nil, nil, err
		}
		slices.Sort(names)
		for _, n := range names {
			root.add(filepath.Join(p, n), cwd)
		}
	}
	return root, abs, missing, nil
}

// onlyDots reports whether the cleaned path p names no component of its
// own: ".", "..", "../.." or "/".
func onlyDots(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e != "" && e != "." && e != ".." {
			return false
		}
	}
	return true
}
