package archiver

import (
	"io/fs"
	"os"
)

// The LocalFS methods that are the same on every platform; Open and
// Xattrs live in fs_linux.go and fs_other.go.

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
