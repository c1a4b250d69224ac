// Package command runs a child process whose standard output is a stream:
// [Start] returns a [Stream], an io.ReadCloser over the child's stdout.
// This is how a dump tool such as pg_dump becomes a stream whose failure
// aborts the snapshot built from it:
//
//   - stderr goes, line by line and redacted, to a callback, and its last
//     lines are kept for the error;
//   - a non-zero exit is the error of the final Read, in place of io.EOF,
//     as an [*ExitError]; a Read never returns io.EOF for a command that
//     failed;
//   - Close stops the command if it is still running (SIGTERM to its
//     process group, SIGKILL after a grace period) and waits for it, so no
//     process is left behind, running or as a zombie;
//   - a cancelled context stops the command the same way, and the error
//     wraps the context's error.
//
// [Run] and [RunInput] are the blocking forms, for a command whose stdout
// goes to a writer, and for a restore tool (pg_restore, mariadb) that reads
// a stream on its stdin.
//
// The child gets a minimal environment (see [Spec.Env]), never the whole
// environment of kamal-backup unless asked for, and secrets travel in that
// environment, never on the command line: Start refuses arguments that
// [Spec.Redactor] would redact.
//
// Each command runs in a session and process group of its own, so that
// stopping it stops what it started too, and it has no controlling
// terminal: a tool that would prompt for a password on /dev/tty fails
// instead of waiting forever. The package is for Unix systems.
package command
