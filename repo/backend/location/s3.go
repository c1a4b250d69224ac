package location

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// openS3 opens an "s3:" location.
func openS3(ctx context.Context, location string, env Lookup) (backend.Backend, error) {
	return nil, &UnsupportedError{Type: "s3"}
}
