//go:build !linux

package archiver

import (
	"io"
	"os"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// LocalFS is the operating system's file system. On this platform
// extended attributes are not read.
type LocalFS struct{}

// Open implements FS.
func (LocalFS) Open(name string) (io.ReadCloser, error) { return os.Open(name) }

// Xattrs implements FS; it returns no attributes.
func (LocalFS) Xattrs(string) ([]tree.ExtendedAttribute, error) { return nil, nil }
