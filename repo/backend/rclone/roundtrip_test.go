package rclone_test

import (
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest/interoptest"
)

// newRemote returns a new local rclone remote, reached by us through
// rclone and by restic 0.18.1 on "rclone:<remote>" through its own rclone.
func newRemote(t *testing.T) interoptest.Remote {
	remote := ":local:" + filepath.Join(t.TempDir(), "repo")
	env := testEnv(t) // RCLONE_CONFIG
	return interoptest.Remote{
		Open: func(t testing.TB) backend.Backend { return openRemote(t, remote, options(t, env)) },
		Restic: interoptest.Restic{Repository: "rclone:" + remote, Password: "rclone-test-password", Env: env,
			Flags: []string{"--quiet", "-o", "rclone.program=" + testenv.Tool(t, "rclone")}},
		Host: "rclone-test",
	}
}

// TestRoundTrip backs up a 20 MiB stream to a repository that does not
// exist yet and reads it back through a new rclone.
func TestRoundTrip(t *testing.T) {
	interoptest.RoundTrip(t, newRemote(t))
}

// TestResticReadsOurs: restic 0.18.1, through its own rclone, lists,
// dumps and fully checks a repository we wrote.
func TestResticReadsOurs(t *testing.T) {
	interoptest.ResticReadsOurs(t, newRemote(t))
}

// TestWeReadRestic: a repository restic 0.18.1 wrote through rclone reads
// back byte for byte, and a backup we add to it passes restic check.
func TestWeReadRestic(t *testing.T) {
	interoptest.WeReadRestic(t, newRemote(t))
}
