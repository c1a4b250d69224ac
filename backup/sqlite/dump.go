package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/kamal-backup/kamal-backup/backup"
)

// Dump makes an online backup of the live database at db.Path and returns
// it as a stream. The whole copy is made and checked before Dump returns:
//
//  1. sqlite3 opens the live database, waits up to 10 s for a lock, opens
//     one read transaction and copies it with the backup API (.backup)
//     into a file in a private directory under Options.TempDir. Inside one
//     read transaction the copy is a single committed state, including
//     what is still in the -wal file, and it cannot be restarted for ever
//     by a busy writer. In WAL mode writers carry on meanwhile; in
//     rollback-journal mode they wait for the copy to finish.
//  2. PRAGMA quick_check must return "ok" on the copy, else the error
//     wraps ErrCorrupt.
//
// If a step fails, Dump returns the error, naming the database, and
// nothing is streamed; a missing database file is an error wrapping
// fs.ErrNotExist, never created. Closing the stream removes the copy.
func (a *Adapter) Dump(ctx context.Context, db backup.Database) (io.ReadCloser, error) {
	c, err := a.dump(ctx, db)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// dump is Dump, returning the copy.
func (a *Adapter) dump(ctx context.Context, db backup.Database) (*tempCopy, error) {
	live, err := livePath(db)
	if err != nil {
		return nil, dbError(db, "dump", err)
	}
	dir, err := os.MkdirTemp(a.tempDir, "kamal-backup-sqlite-*")
	if err != nil {
		return nil, dbError(db, "dump", err)
	}
	dst := filepath.Join(dir, "backup.sqlite3")
	f, err := a.copyLive(ctx, live, dst)
	if err != nil {
		os.RemoveAll(dir)
		return nil, dbError(db, "dump", err)
	}
	return &tempCopy{f: f, dir: dir, path: dst}, nil
}

// livePath returns the absolute path of db's file, which must exist and
// be a regular file (or a link to one).
func livePath(db backup.Database) (string, error) {
	path, err := absPath(db)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", pathErr(err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	return path, nil
}

// copyLive backs up the database at live into dst, checks the copy and
// opens it.
func (a *Adapter) copyLive(ctx context.Context, live, dst string) (*os.File, error) {
	a.log.Debug("sqlite backup", "database", live, "copy", dst)
	_, err := a.run(ctx, live,
		dotTimeout(busyTimeout),
		"BEGIN;",
		"SELECT count(*) FROM sqlite_master;", // starts the read transaction
		".backup "+dotArg(dst),
		"COMMIT;")
	if err != nil {
		return nil, fmt.Errorf("online backup: %w", err)
	}
	if err := a.quickCheck(ctx, dst); err != nil {
		return nil, fmt.Errorf("check the backup copy: %w", err)
	}
	return os.Open(dst)
}

// tempCopy streams a backup copy and removes its directory on Close.
type tempCopy struct {
	f    *os.File
	dir  string
	path string // the copy, in dir
	once sync.Once
	err  error
}

func (c *tempCopy) Read(p []byte) (int, error) { return c.f.Read(p) }

// Close closes the copy and removes it; calling it again returns the
// first result.
func (c *tempCopy) Close() error {
	c.once.Do(func() { c.err = errors.Join(c.f.Close(), os.RemoveAll(c.dir)) })
	return c.err
}
