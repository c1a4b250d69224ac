//go:build unix

package command

import "syscall"

// sysProcAttr starts the command in a new session, which makes it the
// leader of a new process group and detaches it from the terminal.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}

// signalGroup sends sig to every process in the group led by pid.
func signalGroup(pid int, sig syscall.Signal) {
	_ = syscall.Kill(-pid, sig)
}
