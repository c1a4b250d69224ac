//go:build linux

package archiver

import (
	"io"
	"os"
	"syscall"
)

// LocalFS is the operating system's file system. Files are opened with
// O_NOFOLLOW, O_NONBLOCK and, where permitted, O_NOATIME.
type LocalFS struct{}

// Open implements FS. The file is read with plain read(2) calls, without
// the runtime poller, which is what regular files need.
func (LocalFS) Open(name string) (io.ReadCloser, error) {
	const flags = syscall.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	for _, extra := range []int{syscall.O_NOATIME, 0} {
		fd, err := retry(func() (int, error) { return syscall.Open(name, flags|extra, 0) })
		if err == nil {
			return &fdFile{fd: fd, name: name}, nil
		}
		if extra == 0 || err != syscall.EPERM {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
	}
	panic("unreachable")
}

// fdFile reads a file descriptor.
type fdFile struct {
	fd   int
	name string
}

func (f *fdFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := retry(func() (int, error) { return syscall.Read(f.fd, p) })
	switch {
	case err != nil:
		return 0, &os.PathError{Op: "read", Path: f.name, Err: err}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (f *fdFile) Close() error {
	if err := syscall.Close(f.fd); err != nil {
		return &os.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

func retry(fn func() (int, error)) (int, error) {
	for {
		n, err := fn()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
