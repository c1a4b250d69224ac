package archiver

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// Options tune Backup. The zero value means defaults.
type Options struct {
	// Snapshot describes the snapshot written: tags, host, time and writer
	// options. Empty Host means os.Hostname, zero Time means Now().
	Snapshot repo.SnapshotOptions
	// Excludes are restic --exclude patterns, recorded in the snapshot. A
	// pattern is a "/"-separated list of filepath.Match globs and "**"
	// (any number of path components). A pattern starting with "/" must
	// match the absolute path from its start; any other pattern may match
	// a run of components anywhere. A pattern also matches everything below
	// what it matches. A leading "!" re-includes what earlier patterns
	// excluded; the last matching pattern wins.
	Excludes []string
	// Parent is the snapshot to compare files with. Nil means
	// Snapshot.Parent if set, else the latest snapshot of the same host,
	// not newer than the new one, whose paths include every target.
	Parent *repo.ID
	// NoParent reads every file and records no parent (restic --force).
	NoParent bool
	// WithAtime records each entry's real access time instead of its
	// modification time (restic --with-atime).
	WithAtime bool
	// FS is the file system read; nil means the operating system's.
	FS FS
	// Logger receives warnings about entries that could not be saved; nil
	// discards them.
	Logger *slog.Logger
	// Progress is told about every entry saved and every error; nil means
	// no reports. Snapshot.Progress is told the bytes as they are read.
	Progress Progress
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Concurrency is the number of files read at once; 0 means
	// 2×GOMAXPROCS.
	Concurrency int
}

func (o Options) withDefaults() Options {
	if o.FS == nil {
		o.FS = LocalFS{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Progress == nil {
		o.Progress = NopProgress{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 2 * runtime.GOMAXPROCS(0)
	}
	if o.Parent == nil && !o.NoParent {
		o.Parent = o.Snapshot.Parent
	}
	return o
}

// Status tells how an entry compares with the parent snapshot.
type Status int

// The statuses of an entry.
const (
	// StatusNew means the parent snapshot has no entry of that name.
	StatusNew Status = iota
	// StatusChanged means the parent's entry differs in any recorded field.
	StatusChanged
	// StatusUnmodified means the entry is recorded exactly as in the parent.
	StatusUnmodified
)

// String returns "new", "changed" or "unmodified".
func (s Status) String() string {
	switch s {
	case StatusNew:
		return "new"
	case StatusChanged:
		return "changed"
	case StatusUnmodified:
		return "unmodified"
	}
	return "unknown"
}

// Progress receives reports while Backup runs. Its methods are called
// concurrently from several goroutines and must not block for long; they
// are never called after Backup returns.
type Progress interface {
	// Item is called once for every entry stored in the snapshot except
	// the root, after its content or (for a directory) its tree is saved.
	// p is the entry's absolute path; n must not be modified.
	Item(p string, n *repo.Node, s Status)
	// Error is called once for every non-fatal error, with the values
	// also collected in Result.Errors.
	Error(p string, err error)
}

// NopProgress is a Progress that ignores every report.
type NopProgress struct{}

// Item implements Progress.
func (NopProgress) Item(string, *repo.Node, Status) {}

// Error implements Progress.
func (NopProgress) Error(string, error) {}
