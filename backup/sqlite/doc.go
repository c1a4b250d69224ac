// Package sqlite is the kamal-backup adapter for SQLite databases. It
// drives the sqlite3 command-line tool rather than linking SQLite, so that
// kamal-backup stays a static binary without cgo; every copy goes through
// SQLite's online backup API (the .backup and .restore dot-commands), which
// is safe while the application has the database open, in WAL mode too.
//
// Dump copies the live database into a private temporary file inside one
// read transaction, so the copy is a single committed state even while
// the application keeps writing; it checks the copy with PRAGMA
// quick_check before streaming it, so a damaged database never becomes a
// snapshot.
//
// Restore downloads the stream into a temporary file next to the target,
// checks that it is an SQLite database passing PRAGMA quick_check, refuses
// with [ErrLocked] when another process holds a write lock on the target,
// replaces the target's content through the backup API, and checks the
// result. The target file is never deleted or renamed: an application
// holding it open sees the restored content instead of a deleted inode.
// Reset empties a database the same way.
//
// Every file path reaches sqlite3 as an absolute path: on its command line
// for the database it opens, and quoted for its dot-command parser
// otherwise, so names with spaces, quotes, backslashes or newlines are
// safe.
package sqlite
