package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/location"
)

// RepositoryOptions tune OpenRepository. The zero value opens the
// configured repository with the process environment for backend
// credentials, creating it when the configuration says init_if_missing.
type RepositoryOptions struct {
	// Logger receives the repository's debug and warning messages; nil
	// discards them.
	Logger *slog.Logger
	// Now is the repository's clock (lock files, snapshot summaries); nil
	// means time.Now. Lock files are compared with other machines'
	// clocks, so only tests should change it.
	Now func() time.Time
	// Env reads backend credentials (AWS_*, RESTIC_REST_*, ...); nil
	// means os.LookupEnv. The configuration's restic.rest credentials
	// take precedence over RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD.
	Env func(name string) (string, bool)
	// NoInit opens only: a missing repository is an error wrapping
	// repo.ErrNoRepository even with init_if_missing (for preflight
	// checks that must not create anything).
	NoInit bool
	// KDF are the scrypt parameters of the key file of a repository
	// created by init_if_missing; zero means calibrate, as restic does.
	KDF repo.KDFParams
}

// OpenRepository opens the configured repository with the configured
// password. When there is none and cfg.Restic.InitIfMissing is set (and
// opts.NoInit is not), it creates one, as the Ruby kamal-backup runs
// restic init. Close the repository's backend (r.Backend().Close()) when
// done.
//
// Errors wrap repo.ErrNoRepository, repo.ErrWrongPassword or
// repo.ErrConfigDamaged where they apply, and *location.UnsupportedError
// for a location type this build cannot open. They never contain the
// password or the credentials of the location.
func OpenRepository(ctx context.Context, cfg *Config, opts RepositoryOptions) (*repo.Repository, error) {
	be, err := openBackend(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	pw := cfg.RepositoryPassword().Reveal()
	ropts := repo.Options{Logger: opts.Logger, Now: opts.Now}
	r, err := repo.Open(ctx, be, pw, ropts)
	if errors.Is(err, repo.ErrNoRepository) && cfg.Restic.InitIfMissing && !opts.NoInit {
		r, err = repo.Init(ctx, be, pw, repo.InitOptions{KDF: opts.KDF, Hostname: cfg.Hostname(), Options: ropts})
		if errors.Is(err, repo.ErrAlreadyExists) {
			// Another process created it meanwhile.
			r, err = repo.Open(ctx, be, pw, ropts)
		} else if err == nil {
			orDiscard(opts.Logger).Info("repository created (init_if_missing)", "repository", cfg.RepositoryDisplay())
		}
	}
	switch {
	case errors.Is(err, repo.ErrNoRepository):
		// repo.Open's message repeats the location.
		be.Close()
		hint := ""
		if !cfg.Restic.InitIfMissing {
			hint = " (set restic.init_if_missing: true to create it)"
		}
		return nil, fmt.Errorf("open repository %s: %w%s", cfg.RepositoryDisplay(), repo.ErrNoRepository, hint)
	case err != nil:
		be.Close()
		return nil, fmt.Errorf("open repository %s: %w", cfg.RepositoryDisplay(), err)
	}
	return r, nil
}

// InitRepository creates the configured repository, protected by the
// configured password, and returns it opened; close its backend when done.
// An existing repository is an error wrapping repo.ErrAlreadyExists.
// opts.NoInit is ignored.
func InitRepository(ctx context.Context, cfg *Config, opts RepositoryOptions) (*repo.Repository, error) {
	be, err := openBackend(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	r, err := repo.Init(ctx, be, cfg.RepositoryPassword().Reveal(), repo.InitOptions{KDF: opts.KDF,
		Hostname: cfg.Hostname(), Options: repo.Options{Logger: opts.Logger, Now: opts.Now}})
	if err != nil {
		be.Close()
		return nil, fmt.Errorf("init repository %s: %w", cfg.RepositoryDisplay(), err)
	}
	return r, nil
}

// openBackend opens the configured location with the credentials of opts.
func openBackend(ctx context.Context, cfg *Config, opts RepositoryOptions) (backend.Backend, error) {
	be, err := location.OpenWithEnv(ctx, cfg.Repository().Reveal(), backendEnv(cfg, opts.Env))
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", cfg.RepositoryDisplay(), err)
	}
	return be, nil
}

// backendEnv returns env with the configuration's REST credentials in
// place of RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD.
func backendEnv(cfg *Config, env func(string) (string, bool)) location.Lookup {
	if env == nil {
		env = os.LookupEnv
	}
	return func(name string) (string, bool) {
		switch {
		case name == "RESTIC_REST_USERNAME" && !cfg.Restic.RESTUsername.IsZero():
			return cfg.Restic.RESTUsername.Reveal(), true
		case name == "RESTIC_REST_PASSWORD" && !cfg.Restic.RESTPassword.IsZero():
			return cfg.Restic.RESTPassword.Reveal(), true
		}
		return env(name)
	}
}

// orDiscard returns l, or a logger discarding everything when l is nil.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
