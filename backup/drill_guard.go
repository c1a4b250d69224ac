package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// guardScratch refuses the drill targets of j that are live production
// targets: a database on the same server with the same name as a live
// one, the file of a live SQLite database, and a scratch files directory
// that overlaps a production path, holds a live SQLite database, the
// state directory or a local repository, is a system directory, or
// holds files no drill put there. Every reason is reported, each
// wrapping ErrScratchIsLive.
func (r *Restorer) guardScratch(j *job) error {
	var errs []error
	refuse := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrScratchIsLive}, args...)...))
	}
	live := r.prod.Databases()
	for _, t := range j.dbs {
		if s, ok := serverOf(t.db); ok {
			for _, p := range live {
				if ps, ok := serverOf(p); ok && ps == s {
					refuse("database %q: scratch database %s on %s is the live database %q", t.db.Name, s.name, s.hostPort(), p.Name)
				}
			}
			continue
		}
		c := canonicalPath(t.db.Path)
		for _, p := range live {
			if p.Path != "" && canonicalPath(p.Path) == c {
				refuse("database %q: scratch file %s is the live database %q", t.db.Name, c, p.Name)
			}
		}
	}
	if !j.scratchFiles {
		return errors.Join(errs...)
	}
	dir := canonicalPath(j.files[0].target)
	if SuspiciousPath(dir) {
		refuse("files: %s is a system directory", dir)
	}
	for _, p := range r.prod.Paths {
		if overlaps(dir, canonicalPath(p.Path)) {
			refuse("files: scratch directory %s overlaps the production path %s", dir, p.Path)
		}
	}
	for _, p := range live {
		if p.Path != "" && within(canonicalPath(p.Path), dir) {
			refuse("files: scratch directory %s holds the live database %q", dir, p.Name)
		}
	}
	for _, c := range []*Config{r.prod, j.cfg} {
		if c.State.Path != "" && overlaps(dir, canonicalPath(c.State.Path)) {
			refuse("files: scratch directory %s overlaps the state directory %s", dir, c.State.Path)
		}
		if repoDir, ok := localRepository(c); ok && overlaps(dir, canonicalPath(repoDir)) {
			refuse("files: scratch directory %s overlaps the repository", dir)
		}
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		refuse("files: %s is not a directory", dir)
	}
	if names, err := readNames(dir); err == nil && len(names) > 0 && !fileExists(filepath.Join(dir, DrillMarker)) {
		refuse("files: %s is not empty and no drill made it (choose a new or empty directory)", dir)
	}
	return errors.Join(errs...)
}

// localRepository returns the directory of a repository on the local
// file system (a plain path or local:PATH).
func localRepository(c *Config) (string, bool) {
	loc := c.Repository().Reveal()
	if p, ok := strings.CutPrefix(loc, "local:"); ok {
		return p, p != ""
	}
	return loc, strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, ".")
}

// fileExists reports whether p exists.
func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// writeDrillMarker marks dir as a drill's scratch directory.
func writeDrillMarker(dir string) error {
	return os.WriteFile(filepath.Join(canonicalPath(dir), DrillMarker),
		[]byte("Restored by a kamal-backup drill; the next drill replaces this directory's content.\n"), 0o644)
}
