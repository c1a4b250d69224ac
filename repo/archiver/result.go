package archiver

import (
	"errors"
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo"
)

// Errors returned by Backup.
var (
	// ErrNoTargets means none of the paths to back up exists.
	ErrNoTargets = errors.New("all source directories/files do not exist")
	// ErrEmptySnapshot means everything was excluded or unreadable, so the
	// root tree would be empty; restic refuses to save such a snapshot.
	ErrEmptySnapshot = errors.New("snapshot is empty")
)

// Result describes a finished backup.
type Result struct {
	// Summary holds the statistics recorded in the snapshot, counted as
	// restic 0.17+ counts them: only regular files and directories (not
	// the root) are counted as new, changed or unmodified.
	Summary repo.SnapshotSummary
	// FilesRead and BytesRead count the regular files actually opened
	// and read; files reused from the parent snapshot are not counted.
	FilesRead uint
	BytesRead uint64
	// Parent is the parent snapshot used, or nil.
	Parent *repo.ID
	// Skipped lists targets that did not exist and were left out, as
	// restic does with a warning (and exit code 0).
	Skipped []string
	// Errors lists the entries that could not be saved, sorted by path.
	Errors []*ItemError
}

// Incomplete reports whether some entries could not be saved; restic exits
// with code 3 in that case.
func (r *Result) Incomplete() bool { return len(r.Errors) > 0 }

// ItemError is a non-fatal error about one entry: it vanished, could not be
// read, or its attributes could not be read.
type ItemError struct {
	// Path is the absolute path of the entry.
	Path string
	Err  error
}

// Error implements error.
func (e *ItemError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *ItemError) Unwrap() error { return e.Err }
