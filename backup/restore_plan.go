package backup

import (
	"fmt"
	"io"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// job is what one restore or drill writes: its database and file targets.
type job struct {
	mode Mode
	// cfg is the configuration the targets come from.
	cfg   *Config
	dbs   []dbTarget
	files []fileTarget
	// keep are files that swapping in restored directories leaves in
	// place: the SQLite databases being restored (with their -wal, -shm
	// and -journal files), which the file snapshot excludes and whose
	// inode an open application must keep.
	keep []string
	// scratchFiles marks the file target as a drill's scratch directory,
	// whose old content is replaced only if a drill made it.
	scratchFiles bool
	// progress is the restore's or drill's Progress option; may be nil.
	progress func(step string) repo.Progress
}

// progressOf returns the receiver of step's progress, or nil.
func (j *job) progressOf(step string) repo.Progress {
	if j.progress == nil {
		return nil
	}
	return j.progress(step)
}

// dbTarget is a database to restore and its adapter.
type dbTarget struct {
	db      Database
	adapter Adapter
}

// fileTarget is a path of the file snapshot and where it goes.
type fileTarget struct {
	// source is the path in the snapshot, as configured; empty means the
	// whole snapshot (a drill's scratch directory).
	source string
	// target is the local directory (or file) whose content is replaced.
	target string
}

// planRestore returns the job of a restore in mode: the configured
// databases and paths of that mode's configuration.
func (r *Restorer) planRestore(mode Mode) (*job, error) {
	cfg, err := r.config(mode)
	if err != nil {
		return nil, err
	}
	j := &job{mode: mode, cfg: cfg}
	for _, db := range cfg.Databases() {
		if err := j.addDatabase(r.adapters, db); err != nil {
			return nil, err
		}
	}
	j.files = r.fileTargets(cfg)
	return j, nil
}

// fileTargets are the configured paths of cfg, each restored from its
// restore_from path.
func (r *Restorer) fileTargets(cfg *Config) []fileTarget {
	var files []fileTarget
	for i, p := range cfg.Paths {
		src := p.Path
		if i < len(cfg.RestoreFrom) {
			src = cfg.RestoreFrom[i]
		}
		files = append(files, fileTarget{source: src, target: p.Path})
	}
	if len(cfg.Paths) == 0 && len(cfg.RestoreFrom) > 0 {
		r.log.Warn("files are not restored: the local configuration lists no paths to restore them into",
			"production_paths", cfg.RestoreFrom)
	}
	return files
}

// addDatabase adds db with its adapter, and its file to keep in swaps.
func (j *job) addDatabase(adapters Registry, db Database) error {
	a, err := adapters.Lookup(db.Adapter)
	if err != nil {
		return fmt.Errorf("database %q: %w", db.Name, err)
	}
	j.dbs = append(j.dbs, dbTarget{db: db, adapter: a})
	if db.Path != "" {
		p := canonicalPath(db.Path)
		j.keep = append(j.keep, p, p+"-wal", p+"-shm", p+"-journal")
	}
	return nil
}

// printPlan writes what is about to be restored, for the operator to
// confirm.
func printPlan(w io.Writer, j *job, sel *selection, redact func(string) string) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "kamal-backup will restore (%s):\n", j.mode)
	if sel.files != nil {
		for _, f := range j.files {
			fmt.Fprintf(w, "  files %s from snapshot %s (%s): replaces the content of %s\n",
				sourceLabel(f.source), sel.files.ID().Str(), sel.files.Time.UTC().Format(time.RFC3339), redact(f.target))
		}
	}
	for i, t := range j.dbs {
		c := sel.dbs[i]
		fmt.Fprintf(w, "  database %s (%s) from snapshot %s (%s): replaces %s\n", t.db.Name, t.adapter.Name(),
			c.snap.ID().Str(), c.snap.Time.UTC().Format(time.RFC3339), redact(t.adapter.Describe(t.db).Location))
	}
}

// sourceLabel shows a snapshot path; "/" for the whole snapshot.
func sourceLabel(source string) string {
	if source == "" {
		return "/"
	}
	return source
}
