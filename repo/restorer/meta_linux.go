//go:build linux

package restorer

import (
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// utimeOmit is UTIME_OMIT: utimensat leaves this time alone.
const utimeOmit = 1<<30 - 2

// chown sets the numeric owner and group of e, not following a symlink.
func chown(e entry, uid, gid uint32) error {
	if e.fd >= 0 {
		return syscall.Fchown(e.fd, int(uid), int(gid))
	}
	return syscall.Fchownat(e.dir, e.name, int(uid), int(gid), atSymlinkNofollow)
}

// chmod sets the permission, setuid, setgid and sticky bits of e, which
// is not a symlink.
func chmod(e entry, m os.FileMode) error {
	mode := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		mode |= syscall.S_ISUID
	}
	if m&os.ModeSetgid != 0 {
		mode |= syscall.S_ISGID
	}
	if m&os.ModeSticky != 0 {
		mode |= syscall.S_ISVTX
	}
	if e.fd >= 0 {
		return syscall.Fchmod(e.fd, mode)
	}
	return syscall.Fchmodat(e.dir, e.name, mode, 0)
}

// setTimes sets the access and modification times of e, not following a
// symlink.
func setTimes(e entry, atime, mtime time.Time) error {
	ts := [2]syscall.Timespec{timespec(atime), timespec(mtime)}
	if e.fd >= 0 {
		return utimensat(e.fd, nil, &ts, 0)
	}
	p, err := syscall.BytePtrFromString(e.name)
	if err != nil {
		return err
	}
	return utimensat(e.dir, p, &ts, atSymlinkNofollow)
}

// setxattr sets an extended attribute of e, not following a symlink. An
// entry without a descriptor is reached through /proc/self/fd, as Linux
// has no xattr call relative to a directory descriptor before 6.13.
func setxattr(e entry, name string, value []byte) error {
	attr, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	var val unsafe.Pointer
	if len(value) > 0 {
		val = unsafe.Pointer(&value[0])
	}
	if e.fd >= 0 {
		_, _, errno := syscall.Syscall6(syscall.SYS_FSETXATTR, uintptr(e.fd), uintptr(unsafe.Pointer(attr)),
			uintptr(val), uintptr(len(value)), 0, 0)
		return errnoErr(errno)
	}
	p, err := syscall.BytePtrFromString("/proc/self/fd/" + strconv.Itoa(e.dir) + "/" + e.name)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_LSETXATTR, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(attr)),
		uintptr(val), uintptr(len(value)), 0, 0)
	return errnoErr(errno)
}

// timespec converts t for utimensat; the zero time leaves the time alone
// and times beyond what int64 nanoseconds hold (years 1678 to 2262) are
// clamped.
func timespec(t time.Time) syscall.Timespec {
	if t.IsZero() {
		return syscall.Timespec{Nsec: utimeOmit}
	}
	minT, maxT := time.Unix(0, -1<<63), time.Unix(0, 1<<63-1)
	switch {
	case t.Before(minT):
		t = minT
	case t.After(maxT):
		t = maxT
	}
	return syscall.NsecToTimespec(t.UnixNano())
}
