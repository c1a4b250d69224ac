package archiver

import (
	"io"
	"io/fs"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// FS is the file system Backup reads: the operating system's (LocalFS) or,
// in tests, one that injects failures. Names are paths as Backup builds
// them from the targets. Implementations must be safe for concurrent use.
type FS interface {
	// Lstat describes name without following a final symlink. For full
	// metadata, Sys must return a *syscall.Stat_t.
	Lstat(name string) (fs.FileInfo, error)
	// Stat describes name, following symlinks; Backup uses it for the
	// parent directories of a target.
	Stat(name string) (fs.FileInfo, error)
	// ReadDirNames lists the entry names of a directory, in any order.
	ReadDirNames(name string) ([]string, error)
	// Open opens a regular file for reading. It must not follow a final
	// symlink and must not block on a FIFO that replaced the file.
	Open(name string) (io.ReadCloser, error)
	// Readlink returns a symlink's target as raw bytes.
	Readlink(name string) (string, error)
	// Xattrs returns name's extended attributes in the order the OS lists
	// them, without following a final symlink (restic reads those of a
	// symlinked parent directory of a target from the symlink). A file
	// system without extended attributes returns nil, nil.
	Xattrs(name string) ([]tree.ExtendedAttribute, error)
}

var _ FS = LocalFS{}
