package sftp_test

import (
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest"
)

func TestBackend(t *testing.T) {
	srv := testenv.StartSSHD(t)
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		be, _ := newRepo(t, srv)
		return be
	})
}
