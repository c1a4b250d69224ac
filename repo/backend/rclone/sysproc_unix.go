//go:build unix

package rclone

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts rclone in a process group of its own, as restic does,
// so that a Ctrl-C on the terminal interrupts kamal-backup, which then
// closes the backend, rather than killing rclone under it.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
