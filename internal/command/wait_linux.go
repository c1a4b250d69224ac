//go:build linux

package command

import (
	"syscall"
	"unsafe"
)

// waitExit blocks until the process pid has exited, without reaping it.
// Until it is reaped, its pid, and so its process group id, cannot be
// reused, so signalling the group between waitExit and Wait cannot hit
// an unrelated process.
func waitExit(pid int) {
	const (
		pPID    = 1         // P_PID
		wExited = 0x4       // WEXITED
		wNoWait = 0x1000000 // WNOWAIT
	)
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&info)), wExited|wNoWait, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}
