//go:build unix

package backup

import (
	"errors"
	"os"
	"syscall"
)

// flock waits for an advisory lock on f (flock(2)), released when f is
// closed. Locks of two open files conflict even within one process.
func flock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
