package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Names of the hidden directories a restore makes inside a target
// directory. They live inside the target, not beside it, so that they are
// on the target's file system even when the target is a mount point, and
// every move is a rename.
const (
	stagingPrefix = ".kamal-backup-staging-"
	asidePrefix   = ".kamal-backup-old-"
)

// swapDir replaces the content of the directory target with the content
// of staging, a directory inside target, keeping target itself (it may be
// a mount point, and its inode, owner and mode stay). The old entries are
// first moved into a hidden directory inside target, then the new ones
// renamed into place, then the old ones removed. Entries listed in keep
// (canonical paths) stay where they are, and so do the directories
// leading to them, whose other entries are swapped one level down; a
// staged entry where a kept one is is dropped. Leftovers of an interrupted
// restore are old content like any other entry.
//
// If a move fails, the moves done are undone in reverse order and the
// error returned; if undoing fails too, the old entries are left in the
// hidden directory, which the error names. Failing to remove the old
// entries after a successful swap is only logged by the caller: the
// error is returned with done true.
func swapDir(target, staging string, keep []string) (done bool, err error) {
	aside, err := os.MkdirTemp(target, asidePrefix)
	if err != nil {
		return false, fmt.Errorf("make room for the old content: %w", err)
	}
	s := &swapper{keep: map[string]bool{}, ancestors: map[string]bool{}}
	for _, k := range keep {
		if !within(k, target) {
			continue
		}
		s.keep[k] = true
		for d := filepath.Dir(k); d != target && within(d, target); d = filepath.Dir(d) {
			s.ancestors[d] = true
		}
	}
	skip := map[string]bool{filepath.Base(staging): true, filepath.Base(aside): true}
	if err := s.swap(target, staging, aside, skip); err != nil {
		if rerr := s.undo(); rerr != nil {
			return false, fmt.Errorf("%w; undoing it failed too, the old content is in %s: %v", err, aside, rerr)
		}
		_ = os.RemoveAll(aside)
		return false, err
	}
	if err := os.RemoveAll(aside); err != nil {
		return true, fmt.Errorf("remove the old content in %s: %w", aside, err)
	}
	return true, nil
}

// swapper moves entries and remembers the moves, to undo them.
type swapper struct {
	keep      map[string]bool
	ancestors map[string]bool
	moves     [][2]string
}

// swap moves the entries of dir (but those in skip, kept ones and
// ancestors of kept ones) into aside, then the entries of staged (if not
// empty) into dir.
func (s *swapper) swap(dir, staged, aside string, skip map[string]bool) error {
	names, err := readNames(dir)
	if err != nil {
		return err
	}
	handled := map[string]bool{}
	for _, name := range names {
		p := filepath.Join(dir, name)
		switch {
		case skip[name]:
		case s.keep[p]:
			handled[name] = true
		case s.ancestors[p] && isDir(p):
			handled[name] = true
			sub := filepath.Join(aside, name)
			if err := os.Mkdir(sub, 0o700); err != nil {
				return err
			}
			st := ""
			if staged != "" && isDir(filepath.Join(staged, name)) {
				st = filepath.Join(staged, name)
			}
			if err := s.swap(p, st, sub, nil); err != nil {
				return err
			}
		default:
			if err := s.move(p, filepath.Join(aside, name)); err != nil {
				return err
			}
		}
	}
	if staged == "" {
		return nil
	}
	names, err = readNames(staged)
	if err != nil {
		return err
	}
	for _, name := range names {
		if handled[name] {
			continue
		}
		if err := s.move(filepath.Join(staged, name), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// move renames from to to and remembers it.
func (s *swapper) move(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	s.moves = append(s.moves, [2]string{from, to})
	return nil
}

// undo reverses the moves, last first.
func (s *swapper) undo() error {
	var errs []error
	for i := len(s.moves) - 1; i >= 0; i-- {
		if err := os.Rename(s.moves[i][1], s.moves[i][0]); err != nil {
			errs = append(errs, err)
		}
	}
	s.moves = nil
	return errors.Join(errs...)
}

// readNames lists the entry names of dir.
func readNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// isDir reports whether p is a directory, not following a final symlink.
func isDir(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}
