//go:build linux

package restorer

import (
	"syscall"
	"unsafe"
)

// Raw system calls that package syscall does not export.

// utimensat is the system call; a nil name means dir itself.
func utimensat(dir int, name *byte, ts *[2]syscall.Timespec, flags int) error {
	_, _, errno := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(dir), uintptr(unsafe.Pointer(name)),
		uintptr(unsafe.Pointer(ts)), uintptr(flags), 0, 0)
	return errnoErr(errno)
}

// symlinkat is the system call, which package syscall does not export.
func symlinkat(target string, dir int, name string) error {
	t, err := syscall.BytePtrFromString(target)
	if err != nil {
		return err
	}
	n, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall(syscall.SYS_SYMLINKAT, uintptr(unsafe.Pointer(t)), uintptr(dir), uintptr(unsafe.Pointer(n)))
	return errnoErr(errno)
}

// linkat is the system call, without flags: a symlink is not followed.
func linkat(fromDir int, from string, dir int, name string) error {
	f, err := syscall.BytePtrFromString(from)
	if err != nil {
		return err
	}
	n, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(fromDir), uintptr(unsafe.Pointer(f)),
		uintptr(dir), uintptr(unsafe.Pointer(n)), 0, 0)
	return errnoErr(errno)
}

func errnoErr(errno syscall.Errno) error {
	if errno != 0 {
		return errno
	}
	return nil
}
