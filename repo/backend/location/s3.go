package location

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

// openS3 opens an "s3:" location with credentials and region from env
// (see s3.ParseLocation). As restic init does, creating the repository
// also creates a missing bucket. Transient failures are retried with
// backoff (repo/backend/retry).
func openS3(ctx context.Context, location string, env Lookup) (backend.Backend, error) {
	cfg, err := s3.ParseLocation(location, env)
	if err != nil {
		return nil, err
	}
	be, err := s3.Open(ctx, cfg, s3.Options{CreateBucket: true})
	if err != nil {
		return nil, err
	}
	return retry.New(be, retry.Options{}), nil
}
