package interoptest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// Restic runs the pinned restic (found by testenv.Restic, so a missing
// restic skips the test locally and fails it with CI=true) on one
// repository, without a cache and without the caller's password settings.
type Restic struct {
	Repository string   // RESTIC_REPOSITORY; may hold credentials
	Password   string   // RESTIC_PASSWORD
	Env        []string // more NAME=value pairs, later entries win
	Flags      []string // global flags put before the command's arguments
}

// Run runs restic with args and stdin (nil for none) in a fresh working
// directory and returns its standard output. If restic fails, the test
// fails with its standard error.
func (r Restic) Run(t testing.TB, stdin io.Reader, args ...string) []byte {
	t.Helper()
	env := append([]string{"RESTIC_REPOSITORY=" + r.Repository, "RESTIC_PASSWORD=" + r.Password,
		"RESTIC_PASSWORD_FILE=", "RESTIC_PASSWORD_COMMAND=", "RESTIC_CACHE_DIR="}, r.Env...)
	all := append(append([]string{"--no-cache"}, r.Flags...), args...)
	cmd := testenv.Command(t, env, t.TempDir(), testenv.Restic(t), all...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}
