package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

// Error is the error of a dump, restore or reset: it names the operation
// and the database, and wraps the cause. It never holds a password.
type Error struct {
	// Op is "dump", "restore" or "reset".
	Op string
	// Target is the database, as Describe returns it.
	Target backup.Target
	// Err is the cause; a failing tool is a *command.ExitError in the
	// chain.
	Err error
}

// Error returns, for instance, `dump database "app" (postgres
// db:5432/app_production): pg_dump exited with status 1: pg_dump: error:
// ...`.
func (e *Error) Error() string {
	return fmt.Sprintf("%s database %q (postgres %s): %v", e.Op, e.Target.Database, e.Target.Location, e.Err)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// errIgnoredOnRestore is the error of a pg_restore that exited with status
// 0 but reported errors it ignored.
var errIgnoredOnRestore = errors.New("pg_restore reported errors ignored on restore")

// toolError words a tool's *command.ExitError for an operator: how the
// tool ended and the lines of its last error message.
type toolError struct{ ee *command.ExitError }

// toolErr returns err, with an *command.ExitError wrapped in a toolError.
func toolErr(err error) error {
	if ee, ok := err.(*command.ExitError); ok {
		return &toolError{ee}
	}
	return err
}

func (e *toolError) Error() string {
	var b strings.Builder
	switch ee := e.ee; {
	case ee.Err != nil:
		fmt.Fprintf(&b, "%s stopped: %v", ee.Command, ee.Err)
	case ee.Code < 0:
		fmt.Fprintf(&b, "%s was killed by a signal", ee.Command)
	default:
		fmt.Fprintf(&b, "%s exited with status %d", ee.Command, ee.Code)
	}
	if msg := lastMessage(e.ee.Stderr); msg != "" {
		b.WriteString(": " + msg)
	}
	return b.String()
}

func (e *toolError) Unwrap() error { return e.ee }

// lastMessage returns the last error message in a tool's stderr tail: from
// its last line holding "error:", "FATAL:" or "ERROR:" to the end, on one
// line; the last line when there is none. libpq's continuation lines
// (indented) join with a space, the tool's further lines with "; ".
func lastMessage(stderr string) string {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	start := len(lines) - 1
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "error:") || strings.Contains(lines[i], "FATAL:") || strings.Contains(lines[i], "ERROR:") {
			start = i
			break
		}
	}
	var b strings.Builder
	for i, l := range lines[start:] {
		if i > 0 && (strings.HasPrefix(l, "\t") || strings.HasPrefix(l, " ")) {
			b.WriteString(" ")
		} else if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strings.Join(strings.Fields(l), " "))
	}
	return b.String()
}
