//go:build !linux

package restorer

import (
	"errors"
	"os"
	"time"
)

// Restore needs Linux system calls (openat, mknodat, utimensat, xattrs);
// elsewhere every primitive fails with errors.ErrUnsupported.

func openTarget(string) (int, error)                  { return -1, errors.ErrUnsupported }
func mkdirAt(int, string) (int, error)                { return -1, errors.ErrUnsupported }
func createAt(int, string, int64) (int, error)        { return -1, errors.ErrUnsupported }
func symlinkAt(string, int, string) error             { return errors.ErrUnsupported }
func mknodAt(int, string, special, uint64) error      { return errors.ErrUnsupported }
func linkAt(int, []string, string, int, string) error { return errors.ErrUnsupported }
func closeFD(int) error                               { return errors.ErrUnsupported }
func pwrite(int, []byte, int64) error                 { return errors.ErrUnsupported }
func chown(entry, uint32, uint32) error               { return errors.ErrUnsupported }
func chmod(entry, os.FileMode) error                  { return errors.ErrUnsupported }
func setTimes(entry, time.Time, time.Time) error      { return errors.ErrUnsupported }
func setxattr(entry, string, []byte) error            { return errors.ErrUnsupported }
