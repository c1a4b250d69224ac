package location

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
)

// openREST opens a "rest:" location: credentials from the URL or, when it
// has none, from RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD read
// through env (restic's precedence), five connections, and restic's retry
// policy around it (retry.Options defaults: up to 15 minutes for transient
// failures, permanent ones at once).
func openREST(ctx context.Context, location string, env Lookup) (backend.Backend, error) {
	cfg, err := rest.ParseLocation(location)
	if err != nil {
		return nil, err
	}
	cfg.ApplyEnvironment(env)
	be, err := rest.Open(ctx, cfg, rest.Options{})
	if err != nil {
		return nil, err
	}
	return retry.New(be, retry.Options{}), nil
}
