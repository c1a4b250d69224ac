//go:build !linux

package archiver

import (
	"io"
	"io/fs"
	"os"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// LocalFS is the operating system's file system. On this platform
// extended attributes are not read.
type LocalFS struct{}

// Lstat implements FS.
func (LocalFS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }

// Stat implements FS.
func (LocalFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// ReadDirNames implements FS.
func (LocalFS) ReadDirNames(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// Readlink implements FS.
func (LocalFS) Readlink(name string) (string, error) { return os.Readlink(name) }

// Open implements FS.
func (LocalFS) Open(name string) (io.ReadCloser, error) { return os.Open(name) }

// Xattrs implements FS; it returns no attributes.
func (LocalFS) Xattrs(string) ([]tree.ExtendedAttribute, error) { return nil, nil }
