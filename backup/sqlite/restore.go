package sqlite

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kamal-backup/kamal-backup/backup"
)

// Restore replaces the content of the database at db.Path with the
// database file read from rd:
//
//  1. rd is downloaded into a temporary file next to the target (the
//     target's directory must exist);
//  2. the download must start with an SQLite header and pass PRAGMA
//     quick_check, else the error wraps ErrCorrupt;
//  3. if another process holds a write lock on the target for more than a
//     second, Restore refuses with ErrLocked;
//  4. sqlite3's .restore replaces the target's content through the backup
//     API in one transaction, which the application's open connections
//     see, and which leaves the target as it was if it fails; a target
//     that does not exist is created;
//  5. PRAGMA quick_check must return "ok" on the target.
//
// The backup API cannot change the page size of a WAL database, so when
// the dump's page size differs from a WAL-mode target's, Restore first
// takes the target out of WAL mode, which fails with ErrLocked while any
// other connection has it open. A target that exists but is not an SQLite
// database is refused, not overwritten. The temporary file is removed in
// every case; until steps 1 and 2 succeed the target is not touched.
func (a *Adapter) Restore(ctx context.Context, db backup.Database, rd io.Reader) error {
	target, err := absPath(db)
	if err != nil {
		return dbError(db, "restore", err)
	}
	src, err := download(rd, filepath.Dir(target))
	if err != nil {
		return dbError(db, "restore", err)
	}
	defer removeDatabase(src)
	pageSize, err := readPageSize(src)
	if err == nil {
		err = a.quickCheck(ctx, src)
	}
	if err != nil {
		return dbError(db, "restore: validate the downloaded copy", err)
	}
	if err := a.replace(ctx, target, src, pageSize); err != nil {
		return dbError(db, "restore", err)
	}
	return nil
}

// download copies rd into a new temporary file in dir and returns its
// path. It is hidden and private, and removed if the copy fails.
func download(rd io.Reader, dir string) (string, error) {
	f, err := os.CreateTemp(dir, ".kamal-backup-restore-*.sqlite3")
	if err != nil {
		return "", fmt.Errorf("create a temporary file next to the target: %w", err)
	}
	_, err = io.Copy(f, rd)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeDatabase(f.Name())
		return "", fmt.Errorf("download: %w", err)
	}
	return f.Name(), nil
}

// removeDatabase removes the database file at path and the journal, WAL
// and shared-memory files sqlite3 may have left beside it.
func removeDatabase(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}
