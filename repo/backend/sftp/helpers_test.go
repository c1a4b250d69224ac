package sftp_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend/sftp"
)

// options returns Options that use the server's key and known_hosts file
// only: no agent, nothing from the home directory.
func options(srv *testenv.SSHD) sftp.Options {
	return sftp.Options{KeyFile: srv.KeyFile, KnownHostsFile: srv.KnownHosts, Home: "/nonexistent"}
}

// config returns the Config of a repository in dir on srv.
func config(srv *testenv.SSHD, dir string) sftp.Config {
	return sftp.Config{User: srv.User, Host: srv.Host, Port: srv.Port, Path: filepath.ToSlash(dir)}
}

// open opens the repository in dir on srv with opts and closes it when the
// test ends.
func open(tb testing.TB, srv *testenv.SSHD, dir string, opts sftp.Options) *sftp.SFTP {
	tb.Helper()
	be, err := sftp.Open(context.Background(), config(srv, dir), opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { _ = be.Close() })
	return be
}

// newRepo opens a new repository directory on srv, not yet created.
func newRepo(tb testing.TB, srv *testenv.SSHD) (*sftp.SFTP, string) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "repo")
	return open(tb, srv, dir, options(srv)), dir
}
