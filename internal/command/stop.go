package command

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// errStopped is the reason recorded when Close stops a command.
var errStopped = errors.New("stopped by Close")

// watch stops the command when ctx is done before it exits.
func (s *Stream) watch(ctx context.Context) {
	select {
	case <-ctx.Done():
		s.terminate(context.Cause(ctx), false)
	case <-s.exitCh:
	}
}

// terminate signals the command's process group, with SIGKILL at once if
// kill is set, otherwise with SIGTERM and SIGKILL after the grace period.
// It reports whether it signalled: not after the process has exited.
func (s *Stream) terminate(reason error, kill bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited {
		return false
	}
	if s.reason == nil {
		s.reason = reason
	}
	pid := s.cmd.Process.Pid
	switch {
	case kill:
		signalGroup(pid, syscall.SIGKILL)
	case s.timer == nil:
		signalGroup(pid, syscall.SIGTERM)
		s.timer = time.AfterFunc(s.grace, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if !s.exited {
				signalGroup(pid, syscall.SIGKILL)
			}
		})
	}
	return true
}
