// Package interop holds the read-path interoperability suite: repositories
// written by the real restic binaries (0.18.1 and Debian's 0.14) during the
// test run are read with package repo and every answer is compared with
// what restic itself prints. The package has no non-test code.
package interop
