package command

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Stream is a running command's standard output. Read returns what the
// command writes, then, in place of io.EOF, its error if it failed. Close
// stops the command if it is still running and waits for it; it must be
// called (it is harmless after the final Read).
//
// Read must not be called from two goroutines at once; Close may be called
// while a Read is blocked, which then returns ErrClosed.
type Stream struct {
	name   string
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr *stderrReader
	stdin  *stdinCopier // nil without Spec.Stdin
	grace  time.Duration

	exitCh chan struct{} // closed when the process has exited
	once   sync.Once
	result error // the command's error, set by finish
	closed atomic.Bool

	mu      sync.Mutex
	exited  bool        // the process has exited: signal no more
	reason  error       // why it was signalled first
	timer   *time.Timer // SIGKILL after the grace period
	readErr error       // sticky error for Read
}

// Read reads the command's standard output. At its end, Read waits for the
// command and returns io.EOF if it exited with status 0, or its error: an
// *ExitError for a non-zero exit or a kill, or the failure reading
// Spec.Stdin. After Close, Read returns ErrClosed.
func (s *Stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	err := s.readErr
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n, rerr := s.stdout.Read(p)
	if rerr == nil {
		return n, nil
	}
	err = s.finish()
	switch {
	case s.closed.Load():
		err = ErrClosed
	case err == nil && rerr == io.EOF:
		err = io.EOF
	case err == nil:
		err = fmt.Errorf("read %s output: %w", s.name, rerr)
	}
	s.mu.Lock()
	s.readErr = err
	s.mu.Unlock()
	return n, err
}

// Close stops the command if it is still running (SIGTERM to its process
// group, SIGKILL after the grace period), discards the rest of its
// output, and waits for it. It returns nil when it stopped the command,
// and otherwise the command's error, the one the final Read returned.
// Calling Close again returns nil.
func (s *Stream) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	stopped := s.terminate(errStopped, false)
	s.stdout.Close() // unblocks a command writing to a full pipe, and Read
	err := s.finish()
	if stopped {
		return nil
	}
	return err
}

// finish waits for the command, once, and returns its error.
func (s *Stream) finish() error {
	s.once.Do(func() {
		waitExit(s.cmd.Process.Pid)
		s.mu.Lock()
		if s.reason != nil {
			// Stopping: the processes the command started go too. Its
			// unreaped zombie still holds the group id, so no other
			// group can have it yet.
			signalGroup(s.cmd.Process.Pid, syscall.SIGKILL)
		}
		s.exited = true
		if s.timer != nil {
			s.timer.Stop()
		}
		s.mu.Unlock()
		close(s.exitCh)
		werr := s.cmd.Wait()
		s.stderr.wait(s.grace)
		var inErr error
		if s.stdin != nil {
			inErr = s.stdin.wait()
		}
		s.result = s.exitError(werr, inErr)
	})
	return s.result
}

// exitError turns the result of Wait into the command's error.
func (s *Stream) exitError(werr, inErr error) error {
	var ee *exec.ExitError
	switch {
	case werr == nil && inErr != nil:
		return fmt.Errorf("%s: %w", s.name, inErr)
	case werr == nil:
		return nil
	case !errors.As(werr, &ee):
		return fmt.Errorf("wait for %s: %w", s.name, werr)
	}
	s.mu.Lock()
	reason := s.reason
	s.mu.Unlock()
	if reason == errStopped {
		reason = nil
	}
	return &ExitError{Command: s.name, Code: ee.ExitCode(), Stderr: s.stderr.lines(),
		Err: reason, status: ee.ProcessState.String()}
}
