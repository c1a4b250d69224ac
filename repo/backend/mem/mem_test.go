package mem_test

import (
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

func TestBackend(t *testing.T) {
	backendtest.Run(t, func(*testing.T) backend.Backend { return mem.New() })
}
