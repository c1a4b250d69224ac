package rclone_test

import (
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest"
)

// TestBackend runs the conformance suite over a local directory served by
// rclone, named as a plain path.
func TestBackend(t *testing.T) {
	env := testEnv(t)
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return openRemote(t, filepath.Join(t.TempDir(), "repo"), options(t, env))
	})
}
