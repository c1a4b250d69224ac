//go:build linux

package archiver

import (
	"bytes"
	"errors"
	"os"
	"syscall"
	"unsafe"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// Xattrs implements FS.
func (LocalFS) Xattrs(name string) ([]tree.ExtendedAttribute, error) {
	list, err := xattrCall(name, "")
	if err != nil || len(list) == 0 {
		return nil, ignoreXattr(err)
	}
	var attrs []tree.ExtendedAttribute
	for _, attr := range bytes.Split(bytes.TrimSuffix(list, []byte{0}), []byte{0}) {
		val, err := xattrCall(name, string(attr))
		if errors.Is(err, syscall.ENODATA) {
			continue // removed since listed
		}
		if err != nil {
			return attrs, ignoreXattr(err)
		}
		attrs = append(attrs, tree.ExtendedAttribute{Name: string(attr), Value: val})
	}
	return attrs, nil
}

func ignoreXattr(err error) error {
	if errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}

// xattrCall lists the attribute names of path (attr == "") or reads one
// attribute, without following a final symlink, growing the buffer until
// the value fits. The result is never nil on success.
func xattrCall(path, attr string) ([]byte, error) {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		return nil, err
	}
	var a *byte
	trap := uintptr(syscall.SYS_LLISTXATTR)
	if attr != "" {
		if a, err = syscall.BytePtrFromString(attr); err != nil {
			return nil, err
		}
		trap = syscall.SYS_LGETXATTR
	}
	op := "listxattr"
	if attr != "" {
		op = "getxattr " + attr
	}
	buf := make([]byte, 0, 256)
	for {
		var bp unsafe.Pointer
		if cap(buf) > 0 {
			bp = unsafe.Pointer(&buf[:1][0])
		}
		var n uintptr
		var errno syscall.Errno
		if attr == "" {
			n, _, errno = syscall.Syscall(trap, uintptr(unsafe.Pointer(p)), uintptr(bp), uintptr(cap(buf)))
		} else {
			n, _, errno = syscall.Syscall6(trap, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(a)), uintptr(bp), uintptr(cap(buf)), 0, 0)
		}
		switch {
		case errno == syscall.ERANGE && cap(buf) < 1<<24:
			buf = make([]byte, 0, 2*cap(buf))
			continue
		case errno == syscall.EINTR:
			continue
		case errno != 0:
			return nil, &os.PathError{Op: op, Path: path, Err: errno}
		}
		return buf[:n], nil
	}
}
