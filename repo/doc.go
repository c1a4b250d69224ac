// Package repo reads and writes restic-format repositories directly: opening
// with a password, the index, blobs, trees, snapshots, dumping and
// restoring files. A repository written by this package can be read by the
// restic binary (0.14 to 0.18) and the other way round.
//
// The package knows nothing about databases or Kamal; it is a generic
// engine over a backend.Backend.
package repo
