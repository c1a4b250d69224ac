//go:build linux

package archiver

import (
	"io/fs"
	"syscall"
	"time"
)

// sysStat holds the stat(2) fields a node records.
type sysStat struct {
	mtime, atime, ctime time.Time
	uid, gid            uint32
	inode, dev, rdev    uint64
	nlink               uint64
}

// statOf extracts the stat fields of fi; times are in the local zone, as
// restic records them.
func statOf(fi fs.FileInfo) sysStat {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t := fi.ModTime()
		return sysStat{mtime: t, atime: t, ctime: t}
	}
	return sysStat{
		mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
		atime: time.Unix(st.Atim.Sec, st.Atim.Nsec),
		ctime: time.Unix(st.Ctim.Sec, st.Ctim.Nsec),
		uid:   st.Uid, gid: st.Gid,
		inode: st.Ino, dev: st.Dev, rdev: st.Rdev,
		nlink: uint64(st.Nlink),
	}
}
