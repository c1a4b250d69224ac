//go:build !linux

package archiver

import (
	"io/fs"
	"time"
)

// sysStat holds the stat(2) fields a node records.
type sysStat struct {
	mtime, atime, ctime time.Time
	uid, gid            uint32
	inode, dev, rdev    uint64
	nlink               uint64
}

// statOf extracts what is portable: on this platform only the
// modification time.
func statOf(fi fs.FileInfo) sysStat {
	t := fi.ModTime()
	return sysStat{mtime: t, atime: t, ctime: t}
}
