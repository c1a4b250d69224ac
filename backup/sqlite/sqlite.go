package sqlite

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

// Errors callers branch on.
var (
	// ErrLocked means another process holds a write lock on the restore
	// or reset target, or keeps it open while the restore needs it alone.
	ErrLocked = errors.New("database is locked by another process; stop the app or use a scratch target")
	// ErrCorrupt means a file is not an SQLite database or fails PRAGMA
	// quick_check: a damaged live database (Dump) or a damaged download
	// (Restore).
	ErrCorrupt = errors.New("not a valid SQLite database")
)

const (
	// busyTimeout is how long Dump waits for a lock on the live database
	// (sqlite3 .timeout), for instance while a rollback-journal writer
	// commits.
	busyTimeout = 10 * time.Second
	// lockTimeout is how long Restore and Reset wait for another writer
	// to finish before refusing with ErrLocked.
	lockTimeout = time.Second
)

// Options tune an Adapter. The zero value means defaults.
type Options struct {
	// Logger receives the steps of each operation and sqlite3's standard
	// error lines at debug level; nil discards them.
	Logger *slog.Logger
	// TempDir is where Dump keeps the backup copy while it streams and
	// where Reset builds an empty database; empty means os.TempDir(). It
	// needs room for a copy of the largest database. Restore writes its
	// temporary file next to the target instead.
	TempDir string
	// Sqlite3 is the sqlite3 program, a path or a name looked up in PATH;
	// empty means "sqlite3".
	Sqlite3 string
}

// Adapter backs up and restores SQLite databases with the sqlite3 tool.
// It is safe for concurrent use; operations on the same target file are
// serialised by SQLite's own locks, not by the Adapter.
type Adapter struct {
	log     *slog.Logger
	tempDir string
	bin     string
}

var _ backup.Adapter = (*Adapter)(nil)

// New returns an Adapter with opts.
func New(opts Options) *Adapter {
	a := &Adapter{log: opts.Logger, tempDir: opts.TempDir, bin: opts.Sqlite3}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.bin == "" {
		a.bin = "sqlite3"
	}
	return a
}

// Name returns "sqlite".
func (a *Adapter) Name() string { return "sqlite" }

// Ext returns "sqlite3": a dump is an SQLite database file.
func (a *Adapter) Ext() string { return "sqlite3" }

// Describe returns the database's name and file path.
func (a *Adapter) Describe(db backup.Database) backup.Target {
	return backup.Target{Adapter: a.Name(), Database: db.Name, Location: db.Path}
}

// dbError names the database and the step that failed.
func dbError(db backup.Database, op string, err error) error {
	return fmt.Errorf("sqlite database %q (%s): %s: %w", db.Name, db.Path, op, err)
}
