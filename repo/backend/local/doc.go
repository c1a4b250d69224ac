// Package local stores a restic-format repository in a directory on the
// local file system, laid out exactly as restic lays it out: config at the
// root, packs in data/<xx>/<id> and the other file types in flat
// directories.
//
// Files are written to a temporary file next to their final name, synced,
// renamed into place and made read-only, so a file is never visible
// half-written and a crash leaves at most an invisible "-tmp-" file behind.
package local
