package sftp_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest/interoptest"
	"github.com/kamal-backup/kamal-backup/repo/backend/sftp"
)

// openLocation opens the restic location loc with srv's key, as the CLI
// would with the location string.
func openLocation(t testing.TB, srv *testenv.SSHD, loc string) backend.Backend {
	t.Helper()
	cfg, err := sftp.ParseLocation(loc)
	if err != nil {
		t.Fatal(err)
	}
	be, err := sftp.Open(context.Background(), cfg, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = be.Close() })
	return be
}

// remote is a repository in a new directory on srv, for us and for
// restic 0.18.1.
func remote(t *testing.T, srv *testenv.SSHD, dir ...string) interoptest.Remote {
	loc := srv.Location(filepath.Join(append([]string{t.TempDir()}, dir...)...))
	return interoptest.Remote{
		Open:   func(t testing.TB) backend.Backend { return openLocation(t, srv, loc) },
		Restic: interoptest.Restic{Repository: loc, Password: "sftp-test-password", Flags: []string{"--quiet"}},
		Host:   "sftp-test",
	}
}

// resticRemote is remote with restic reaching the server through its own
// ssh (which only the tests that run restic need).
func resticRemote(t *testing.T, srv *testenv.SSHD, dir ...string) interoptest.Remote {
	rem := remote(t, srv, dir...)
	rem.Restic.Flags = append(rem.Restic.Flags, srv.ResticArgs(t)...)
	return rem
}

// TestRoundTrip backs up a 20 MiB stream to a repository that does not
// exist yet and reads it back through a new connection.
func TestRoundTrip(t *testing.T) {
	srv := testenv.StartSSHD(t)
	interoptest.RoundTrip(t, remote(t, srv, "apps", "app"))
}

// TestResticReadsOurs: restic 0.18.1, over OpenSSH's ssh, lists, dumps
// and fully checks a repository we wrote.
func TestResticReadsOurs(t *testing.T) {
	srv := testenv.StartSSHD(t)
	interoptest.ResticReadsOurs(t, resticRemote(t, srv, "repo"))
}

// TestWeReadRestic: a repository restic 0.18.1 wrote over SFTP reads back
// byte for byte, and a backup we add to it passes restic check.
func TestWeReadRestic(t *testing.T) {
	srv := testenv.StartSSHD(t)
	interoptest.WeReadRestic(t, resticRemote(t, srv, "repo"))
}
