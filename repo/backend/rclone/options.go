package rclone

import (
	"log/slog"
	"time"
)

// DefaultConnections is the number of concurrent requests the backend
// reports suiting it when Options.Connections is zero, as restic's.
const DefaultConnections = 5

// DefaultTimeout bounds how long Open waits for rclone to answer when
// Options.Timeout is zero, as restic's rclone.timeout.
const DefaultTimeout = time.Minute

// stopTimeout is how long Close lets rclone exit after closing its input
// before killing it.
const stopTimeout = 10 * time.Second

// DefaultArgs are the arguments before the remote when Options.Args is
// nil, as restic's rclone.args: b2's hard delete makes removed files go
// away instead of leaving hidden versions.
var DefaultArgs = []string{"serve", "restic", "--stdio", "--b2-hard-delete"}

// Options tune Open. The zero value runs "rclone" from PATH with
// DefaultArgs in the process's environment.
type Options struct {
	// Program is the rclone executable; "" means "rclone" looked up in
	// PATH.
	Program string
	// Args are the arguments before the remote; nil means DefaultArgs.
	// They must make rclone serve the REST protocol on its standard input
	// and output.
	Args []string
	// Env is the child's environment in os.Environ's form; nil means the
	// process's environment.
	Env []string
	// Connections is what Connections reports; 0 means
	// DefaultConnections. All requests share the one HTTP/2 connection.
	Connections uint
	// Timeout bounds how long Open waits for rclone to answer its first
	// request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Logger receives rclone's standard error, one record per line at
	// level Warn, redacted. nil discards it; the last lines are still
	// kept for error messages.
	Logger *slog.Logger
}
