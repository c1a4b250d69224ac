package location

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// ErrEmpty means no repository location was given.
var ErrEmpty = errors.New("no repository location given")

// UnsupportedError reports a location of a known type that this build
// cannot open yet. Its message names the type only.
type UnsupportedError struct {
	Type string // e.g. "s3"
}

// Error implements error.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("repository type %s is not supported yet", e.Type)
}

// remoteTypes are the location prefixes restic understands besides
// "local".
var remoteTypes = []string{"s3", "rest", "sftp", "rclone", "swift", "b2", "azure", "gs", "smb"}

// Type returns the location's type: "local" for a plain path or a
// "local:" location, otherwise the prefix before the first colon when it
// is one of restic's location types.
func Type(location string) string {
	prefix, _, ok := strings.Cut(location, ":")
	if !ok {
		return "local"
	}
	for _, t := range remoteTypes {
		if prefix == t {
			return t
		}
	}
	return "local"
}

// Open returns the backend for location. A plain path or "local:/path"
// opens a local directory (which need not exist yet, so that a repository
// can be created there). A known remote type is an *UnsupportedError; an
// empty location is ErrEmpty. Errors never contain credentials.
func Open(ctx context.Context, location string) (backend.Backend, error) {
	return OpenWithEnv(ctx, location, os.LookupEnv)
}

// Lookup reads an environment variable, like os.LookupEnv.
type Lookup func(name string) (string, bool)

// OpenWithEnv is Open with credentials (AWS_*, RESTIC_REST_*, ...) read
// through env instead of the process environment.
func OpenWithEnv(ctx context.Context, location string, env Lookup) (backend.Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if location == "" {
		return nil, ErrEmpty
	}
	switch t := Type(location); t {
	case "local":
		dir := strings.TrimPrefix(location, "local:")
		if dir == "" {
			return nil, fmt.Errorf("%w: local: needs a path", ErrEmpty)
		}
		be, err := local.Open(dir)
		if err != nil {
			return nil, err
		}
		return be, nil
	case "rest":
		return openREST(ctx, location, env)
	case "s3":
		return openS3(ctx, location, env)
	case "sftp":
		return openSFTP(ctx, location, env)
	case "rclone":
		return openRclone(ctx, location, env)
	default:
		return nil, &UnsupportedError{Type: t}
	}
}
