//go:build linux

package restorer

import (
	"cmp"
	"errors"
	"io"
	"os"
	"syscall"
)

// The file system primitives of a restore. Every entry is created
// relative to an open directory by a validated name, with O_NOFOLLOW or
// AT_SYMLINK_NOFOLLOW, so no symlink in the target is ever followed.

const (
	dirFlags = syscall.O_RDONLY | syscall.O_DIRECTORY | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
	oPath    = 0x200000 // O_PATH, which package syscall lacks on amd64

	atSymlinkNofollow = 0x100
)

// errIsDir means a directory is where the snapshot has something else.
var errIsDir = errors.New("a directory is in the way")

// openTarget creates the target directory if needed and opens it. The
// target path itself may contain symlinks: the caller chose it.
func openTarget(target string) (int, error) {
	if err := os.MkdirAll(target, 0o700); err != nil {
		return -1, err
	}
	fd, err := syscall.Open(target, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: target, Err: err}
	}
	return fd, nil
}

// replace runs create and, if name already exists in dir, removes it and
// runs create again. An existing directory is not removed: errIsDir.
func replace(dir int, name string, create func() error) error {
	err := create()
	if err != syscall.EEXIST {
		return err
	}
	if err := syscall.Unlinkat(dir, name); err != nil {
		if err == syscall.EISDIR {
			return errIsDir
		}
		return err
	}
	return create()
}

// mkdirAt creates the directory name in dir, or reuses an existing one,
// and opens it. An existing symlink is ErrSymlinkInTarget; any other
// existing entry is replaced.
func mkdirAt(dir int, name string) (int, error) {
	if err := syscall.Mkdirat(dir, name, 0o700); err != nil && err != syscall.EEXIST {
		return -1, err
	}
	fd, err := syscall.Openat(dir, name, dirFlags, 0)
	if err != syscall.ENOTDIR && err != syscall.ELOOP {
		return fd, err
	}
	if symlink, err := isSymlinkAt(dir, name); err != nil || symlink {
		return -1, cmp.Or(err, ErrSymlinkInTarget)
	}
	if err := syscall.Unlinkat(dir, name); err != nil {
		return -1, err
	}
	if err := syscall.Mkdirat(dir, name, 0o700); err != nil {
		return -1, err
	}
	return syscall.Openat(dir, name, dirFlags, 0)
}

// isSymlinkAt reports whether name in dir is a symlink.
func isSymlinkAt(dir int, name string) (bool, error) {
	fd, err := syscall.Openat(dir, name, oPath|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return false, err
	}
	return st.Mode&syscall.S_IFMT == syscall.S_IFLNK, nil
}

// createAt creates the empty regular file name in dir, replacing what is
// there, extends it to size without allocating space and opens it for
// writing.
func createAt(dir int, name string, size int64) (int, error) {
	var fd int
	err := replace(dir, name, func() (err error) {
		fd, err = syscall.Openat(dir, name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
		return err
	})
	if err != nil {
		return -1, err
	}
	if size > 0 {
		if err := syscall.Ftruncate(fd, size); err != nil {
			syscall.Close(fd)
			return -1, err
		}
	}
	return fd, nil
}

// symlinkAt creates the symlink name in dir, replacing what is there.
func symlinkAt(target string, dir int, name string) error {
	return replace(dir, name, func() error { return symlinkat(target, dir, name) })
}

// mknodAt creates the FIFO or device node name in dir, replacing what is
// there. Its mode is set later by chmod.
func mknodAt(dir int, name string, typ special, dev uint64) error {
	mode := uint32(syscall.S_IFIFO)
	switch typ {
	case modeBlock:
		mode = syscall.S_IFBLK
	case modeChar:
		mode = syscall.S_IFCHR
	}
	return replace(dir, name, func() error { return syscall.Mknodat(dir, name, mode|0o600, int(dev)) })
}

// linkAt creates name in dir as a hard link to the file at dirs/first
// below root, replacing what is there. dirs and first are validated names
// of entries this restore created; none is followed if it is a symlink.
func linkAt(root int, dirs []string, first string, dir int, name string) error {
	from := root
	for _, d := range dirs {
		fd, err := syscall.Openat(from, d, oPath|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if from != root {
			syscall.Close(from)
		}
		if err != nil {
			return err
		}
		from = fd
	}
	if from != root {
		defer syscall.Close(from)
	}
	return replace(dir, name, func() error { return linkat(from, first, dir, name) })
}

// closeFD closes a descriptor opened by this file.
func closeFD(fd int) error { return syscall.Close(fd) }

// pwrite writes all of b at off in the file fd.
func pwrite(fd int, b []byte, off int64) error {
	for len(b) > 0 {
		n, err := syscall.Pwrite(fd, b, off)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		b, off = b[n:], off+int64(n)
	}
	return nil
}
