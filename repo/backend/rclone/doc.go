// Package rclone stores a restic-format repository on any of rclone's
// remotes, the way restic's "rclone:" backend does: it runs
// "rclone serve restic --stdio <remote:path>" as a child process and
// speaks restic's REST protocol to it over HTTP/2 on the child's standard
// input and output, with the REST client of package rest.
//
// Locations are restic's: "rclone:remote:path", where "remote:path" is
// anything rclone accepts, including on-the-fly remotes
// (":local:/srv/repo", ":s3,provider=AWS:bucket/path"). The child
// inherits the environment, so RCLONE_* variables (RCLONE_CONFIG,
// RCLONE_CONFIG_PASS, RCLONE_CONFIG_<REMOTE>_<OPTION>, ...) configure it.
// Parameters of a connection string whose names look secret ("key",
// "secret_access_key", "pass", ...) are redacted from Location and from
// rclone's messages.
//
// The child lives as long as the backend: Close ends its input, which
// makes rclone exit, and kills it if it does not. A child that died makes
// every later operation fail permanently with its exit status and its last
// messages.
package rclone
