package retry

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Error is an operation that failed for good: a permanent failure, or a
// transient one still failing when the time was up.
type Error struct {
	Op       string        // "save", "load", "stat", "list", "remove" or "create"
	File     string        // "data/<id>", "config", or "keys/" for a listing
	Location string        // the repository, from the backend's Location
	Attempts int           // how many times the operation was tried
	Elapsed  time.Duration // from the first attempt to the last failure
	Err      error         // the last failure
}

// Error returns, for example, "save data/<id> at rest:https://u:[REDACTED]@h/:
// gave up after 9 attempts in 15m2s: 503 Service Unavailable". A cause
// that starts with the same operation and file, as backends' errors do,
// is not repeated.
func (e *Error) Error() string {
	what := e.Op + " " + e.File
	cause := strings.TrimPrefix(e.Err.Error(), what+": ")
	if e.Attempts > 1 {
		return fmt.Sprintf("%s at %s: gave up after %d attempts in %v: %s",
			what, e.Location, e.Attempts, e.Elapsed.Round(time.Millisecond), cause)
	}
	return what + " at " + e.Location + ": " + cause
}

// Unwrap returns the last failure.
func (e *Error) Unwrap() error { return e.Err }

// stopError carries an error that must be returned unchanged and not
// retried: one of the caller's fn, or a reader that cannot rewind.
type stopError struct{ err error }

func (s *stopError) Error() string { return s.err.Error() }
func (s *stopError) Unwrap() error { return s.err }

// permanent reports whether err cannot go away by retrying.
func (b *Backend) permanent(err error) bool {
	return b.be.IsPermanentError(err) || b.be.IsNotExist(err) ||
		errors.Is(err, backend.ErrShortFile) || errors.Is(err, backend.ErrLengthMismatch) ||
		errors.Is(err, fs.ErrExist)
}
