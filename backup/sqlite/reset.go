package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kamal-backup/kamal-backup/backup"
)

// Reset empties the database at db.Path: it copies an empty database of
// the same page size over it through the backup API, as Restore does, so
// that it keeps its journal mode and page size and connections the
// application holds open see an empty database. It never deletes the file
// or its -wal and -shm files: deleting them under an open connection
// loses or corrupts data. A missing file is left missing; a file that is
// not an SQLite database is refused; a target another process is writing
// to is refused with ErrLocked.
func (a *Adapter) Reset(ctx context.Context, db backup.Database) error {
	target, err := absPath(db)
	if err != nil {
		return dbError(db, "reset", err)
	}
	if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return dbError(db, "reset", pathErr(err))
	}
	if err := a.reset(ctx, target); err != nil {
		return dbError(db, "reset", err)
	}
	return nil
}

func (a *Adapter) reset(ctx context.Context, target string) error {
	info, err := a.inspect(ctx, target)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(a.tempDir, "kamal-backup-sqlite-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	empty := filepath.Join(dir, "empty.sqlite3")
	if _, err := a.run(ctx, empty, fmt.Sprintf("PRAGMA page_size=%d;", info.pageSize), "VACUUM;"); err != nil {
		return fmt.Errorf("create an empty database: %w", err)
	}
	return a.replace(ctx, target, empty, info.pageSize)
}
