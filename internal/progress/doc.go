// Package progress shows how a long operation (a backup, restore, dump or
// check) advances: a bar on a terminal, JSON status lines for programs, or
// nothing.
//
// A Meter counts the bytes and items an operation has done with atomic
// adds, cheap enough for every read of a stream, and hands a Status to a
// Reporter at a fixed interval from its own goroutine, plus a final one
// when the operation is done. The Reporter decides what to show and how
// often: Bar draws on every report, JSON writes at most one line per
// interval and always the final one, Discard shows nothing.
//
// A Meter has the methods of repo.Progress (Start, Add, Done), so it can be
// handed to the repository's backup and dump code as is.
package progress
