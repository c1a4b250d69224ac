// Package sftp stores a restic-format repository on an SSH server over
// SFTP, laid out as restic's sftp backend lays it out (the same layout as
// a local repository: config at the root, packs in data/<xx>/<id>).
//
// Locations are restic's: "sftp:user@host:/srv/repo" or
// "sftp:host:repo" (a path relative to the login directory), and
// "sftp://user@host:2222//srv/repo" or "sftp://user@host/repo" when a port
// is needed. Unlike restic, which runs the system's ssh program, this
// package speaks SSH itself (golang.org/x/crypto/ssh and
// github.com/pkg/sftp), so ~/.ssh/config is not read: the user, port and
// key come from the location and Options.
//
// Authentication uses public keys only: those of an ssh-agent and a key
// file. The server's host key must already be in a known_hosts file; an
// unknown host is refused with an error that shows the key's fingerprint
// and how to add it, never trusted on first use.
//
// Files are written to "<name>-tmp-<random>" next to their final name,
// synced when the server supports fsync@openssh.com and renamed into place
// with posix-rename@openssh.com when supported, so a file is never visible
// half-written. A connection that breaks is re-established by the next
// operation.
//
// Contexts are checked before each request and while data flows; a single
// request to a server that stopped answering cannot be abandoned, but a
// keepalive probe drops such a connection within a minute, failing the
// request with a transient error.
package sftp
