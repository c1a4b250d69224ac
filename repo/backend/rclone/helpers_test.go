package rclone_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend/rclone"
)

// testEnv returns the environment for rclone and restic in tests: an
// empty rclone configuration file of the test's own.
func testEnv(t testing.TB) []string {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"RCLONE_CONFIG=" + conf}
}

// options returns Options running the rclone found by testenv in env.
func options(t testing.TB, env []string) rclone.Options {
	t.Helper()
	return rclone.Options{Program: testenv.Tool(t, "rclone"), Env: append(os.Environ(), env...)}
}

// openRemote opens remote with opts and closes it when the test ends.
func openRemote(t testing.TB, remote string, opts rclone.Options) *rclone.Rclone {
	t.Helper()
	be, err := rclone.Open(context.Background(), remote, opts)
	if err != nil {
		t.Fatalf("open %s: %v", remote, err)
	}
	t.Cleanup(func() { _ = be.Close() })
	return be
}
