package command

import (
	"errors"
	"fmt"
	"strings"
)

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("command: read after close")

// TailLines is how many of its last stderr lines an ExitError keeps.
const TailLines = 20

// ExitError is the error of a command that did not exit with status 0.
type ExitError struct {
	// Command is the program name, without its arguments.
	Command string
	// Code is the exit status, or -1 when a signal ended the command.
	Code int
	// Stderr holds the last TailLines lines of the command's standard
	// error, redacted, joined with "\n".
	Stderr string
	// Err is why kamal-backup stopped the command: the context's error
	// (context.Canceled, context.DeadlineExceeded or the cancel cause) or
	// a failure reading Spec.Stdin. It is nil when the command exited by
	// itself.
	Err error

	status string // "exit status 1", "signal: killed"
}

// Error returns the command name, why it ended, and its last stderr line:
// "pg_dump: exit status 1: pg_dump: error: connection ... failed".
func (e *ExitError) Error() string {
	var b strings.Builder
	b.WriteString(e.Command)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v (%s)", e.Err, e.status)
	} else {
		b.WriteString(": " + e.status)
	}
	if last := lastLine(e.Stderr); last != "" {
		b.WriteString(": " + last)
	}
	return b.String()
}

// Unwrap returns Err, so that errors.Is(err, context.Canceled) works.
func (e *ExitError) Unwrap() error { return e.Err }

// lastLine returns the last non-blank line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, " \t\r\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
