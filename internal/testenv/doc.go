// Package testenv finds the external programs that kamal-backup's tests drive
// and runs them.
//
// Three kinds of tools are found:
//
//   - Pinned test oracles (restic 0.18.1, rest-server, versitygw) built from
//     tools/go.mod by scripts/tools into the folder named by the
//     KAMAL_BACKUP_TOOLS environment variable. They are never taken from PATH,
//     so a test that asks for restic never silently gets another version.
//   - Versioned system tools such as "restic-0.14", Debian's restic package,
//     whose version is checked once per test binary.
//   - Everything else (sqlite3, pg_dump, initdb, mariadbd, sshd, rclone...),
//     looked up in PATH, then in the sbin folders and in Debian's
//     /usr/lib/postgresql/<major>/bin, newest major first.
//
// A tool that cannot be found skips the test, unless the CI environment
// variable is "true", in which case the test fails: in CI, scripts/test has
// installed everything, so a missing tool is a broken setup, not a reason to
// silently test less.
package testenv
