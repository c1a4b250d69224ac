package location

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// openREST opens a "rest:" location.
func openREST(ctx context.Context, location string, env Lookup) (backend.Backend, error) {
	return nil, &UnsupportedError{Type: "rest"}
}
