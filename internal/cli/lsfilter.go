package cli

import (
	"errors"
	"path"
	"strings"
)

// ErrRelativeFilter means an ls directory filter does not start with "/".
var ErrRelativeFilter = errors.New("all path filters must be absolute, starting with a forward slash '/'")

// ListFilter selects the nodes `ls` prints, as restic's ls does: with no
// directories everything is listed; otherwise each directory and its
// direct children, or all its descendants when Recursive is set.
type ListFilter struct {
	dirs      []string
	recursive bool
}

// NewListFilter checks and cleans the directory filters.
func NewListFilter(dirs []string, recursive bool) (ListFilter, error) {
	f := ListFilter{recursive: recursive}
	for _, d := range dirs {
		if !strings.HasPrefix(d, "/") {
			return ListFilter{}, ErrRelativeFilter
		}
		f.dirs = append(f.dirs, path.Clean(d))
	}
	return f, nil
}

// Match reports whether the node at p is printed.
func (f ListFilter) Match(p string) bool {
	if len(f.dirs) == 0 {
		return true
	}
	for _, d := range f.dirs {
		if p == d || path.Dir(p) == d || (f.recursive && within(p, d)) {
			return true
		}
	}
	return false
}

// Descend reports whether the directory at p may hold printed nodes.
func (f ListFilter) Descend(p string) bool {
	if len(f.dirs) == 0 {
		return true
	}
	for _, d := range f.dirs {
		if p == d || within(d, p) || (f.recursive && within(p, d)) {
			return true
		}
	}
	return false
}

// within reports whether p lies strictly below dir.
func within(p, dir string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}
