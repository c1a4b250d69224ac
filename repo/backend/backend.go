// Package backend defines how a restic-format repository's files are stored:
// the Backend interface every storage implementation satisfies, the file
// types, and the object layout shared by local, SFTP, S3 and REST storage.
package backend

import (
	"context"
	"io"
)

// FileType is the kind of a file in a repository.
type FileType int

// The file types of a restic repository.
const (
	ConfigFile FileType = iota + 1
	KeyFile
	LockFile
	SnapshotFile
	IndexFile
	PackFile
)

// String returns the type's directory-style name ("data" for packs).
func (t FileType) String() string {
	switch t {
	case ConfigFile:
		return "config"
	case KeyFile:
		return "keys"
	case LockFile:
		return "locks"
	case SnapshotFile:
		return "snapshots"
	case IndexFile:
		return "index"
	case PackFile:
		return "data"
	}
	return "invalid"
}

// Handle names one file: its type and, for everything but the config, its
// 64-hex-character name.
type Handle struct {
	Type FileType
	Name string
}

// String returns "type/name" for error messages.
func (h Handle) String() string {
	if h.Type == ConfigFile {
		return "config"
	}
	return h.Type.String() + "/" + h.Name
}

// FileInfo is a listed file's name and size.
type FileInfo struct {
	Name string
	Size int64
}

// Backend stores a repository's files. Implementations must be safe for
// concurrent use by multiple goroutines.
//
// Errors: a file that does not exist yields an error for which IsNotExist
// returns true. Errors that retrying cannot fix (not found, permission
// denied, a read past the end of a file) are permanent: IsPermanentError
// returns true. Error messages never contain credentials.
type Backend interface {
	// Location returns the repository location with credentials removed.
	Location() string

	// Connections is the number of concurrent operations the backend
	// handles well.
	Connections() uint

	// Save stores the content of rd under h. The whole of rd is written or
	// nothing is: a file is never visible under its final name half-written.
	// Save fails when rd's length does not match rd.Length(). Save may
	// call rd.Rewind and read it again.
	Save(ctx context.Context, h Handle, rd RewindReader) error

	// Load calls fn with a reader over length bytes of h starting at offset
	// (length 0 means to the end of the file). fn may be called more than
	// once when the backend retries, so it must be idempotent; the reader is
	// only valid during the call. A read past the end of the file is a
	// permanent error.
	Load(ctx context.Context, h Handle, length int, offset int64, fn func(rd io.Reader) error) error

	// Stat returns the file's size.
	Stat(ctx context.Context, h Handle) (FileInfo, error)

	// List calls fn for every file of type t, in no particular order. Names
	// that are not valid 64-character lowercase hex IDs are skipped. A
	// missing directory lists as empty. If fn returns an error, List stops
	// and returns it.
	List(ctx context.Context, t FileType, fn func(FileInfo) error) error

	// Remove deletes h. Removing a file that does not exist is an error for
	// which IsNotExist is true.
	Remove(ctx context.Context, h Handle) error

	// IsNotExist reports whether err means the file does not exist.
	IsNotExist(err error) bool

	// IsPermanentError reports whether retrying the failed operation cannot
	// succeed.
	IsPermanentError(err error) bool

	// Close releases the backend's resources.
	Close() error
}

// Creator is implemented by backends that can create a new, empty
// repository location (directories, bucket).
type Creator interface {
	Create(ctx context.Context) error
}
