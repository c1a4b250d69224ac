package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// probeWritable creates and removes a temporary file in dir. It fails on a
// read-only mount even for root, which permission bits do not stop.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".kamal-backup-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

// probeTargets checks, before anything is downloaded, that every target
// of j can be written: the directory of each file path (where the
// staging directory goes), and the directory of each SQLite database
// (where its download goes). A target that does not exist yet is probed
// at its nearest existing ancestor, which must be a directory; nothing
// is created. Every unwritable target is reported, each wrapping
// ErrTargetNotWritable.
func (r *Restorer) probeTargets(j *job) error {
	var dirs []string
	for _, f := range j.files {
		dirs = append(dirs, absClean(f.target))
	}
	for _, t := range j.dbs {
		if t.db.Path != "" {
			dirs = append(dirs, filepath.Dir(absClean(t.db.Path)))
		}
	}
	var errs []error
	seen := map[string]bool{}
	for _, d := range dirs {
		dir, err := existingDir(d)
		if err == nil && !seen[dir] {
			seen[dir] = true
			err = r.probe(dir)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %v", ErrTargetNotWritable, d, err))
		}
	}
	return errors.Join(errs...)
}

// existingDir returns p if it is a directory, else its nearest existing
// ancestor; a regular file at p counts as its parent directory (a file
// path is replaced by renaming over it).
func existingDir(p string) (string, error) {
	for {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			return p, nil
		case err == nil && fi.Mode().IsRegular():
			return filepath.Dir(p), nil
		case err == nil:
			return "", fmt.Errorf("%s is a %v, not a directory", p, fi.Mode().Type())
		case !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", err
		}
		p = parent
	}
}
