package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/internal/progress"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/location"
)

// Globals are the flags every command accepts, and what run hands to
// every command: streams, environment, logger (writing to the redacted
// standard error) and redactor.
type Globals struct {
	Repo            string        `short:"r" name:"repo" envvar:"RESTIC_REPOSITORY" placeholder:"LOCATION" help:"Repository location: a local path, local:/path, rest:URL, s3:host/bucket/prefix, sftp:user@host:/path or rclone:remote:path (credentials are never printed)."`
	RepositoryFile  string        `name:"repository-file" envvar:"RESTIC_REPOSITORY_FILE" placeholder:"FILE" help:"File whose first line is the repository location."`
	PasswordFile    string        `name:"password-file" envvar:"RESTIC_PASSWORD_FILE" placeholder:"FILE" help:"File whose first line is the repository password."`
	PasswordCommand string        `name:"password-command" envvar:"RESTIC_PASSWORD_COMMAND" placeholder:"COMMAND" help:"Command that prints the repository password (run without a shell)."`
	JSON            bool          `name:"json" help:"Print machine-readable JSON (restic's shapes)."`
	Quiet           bool          `short:"q" name:"quiet" help:"Print only errors and the data asked for."`
	Progress        string        `name:"progress" enum:"auto,json,none" default:"auto" envvar:"KAMAL_BACKUP_PROGRESS" help:"Progress of backup, restore, dump and check on standard error: auto (a bar on a terminal, JSON status lines otherwise, nothing with --quiet), json (status lines) or none."`
	NoLock          bool          `name:"no-lock" help:"Do not lock the repository for commands that only read it."`
	RetryLock       time.Duration `name:"retry-lock" placeholder:"DURATION" help:"Keep retrying this long while the repository is locked (e.g. 5m)."`

	stdin    io.Reader
	stdout   io.Writer
	lookup   func(string) (string, bool)
	redact   *cli.Redactor
	terminal bool // stderr is a terminal
	log      *slog.Logger
	reporter progress.Reporter // chosen by --progress on first use
}

// secretEnv lists environment variables whose values are redacted from
// everything printed, whether or not they are used.
var secretEnv = []string{"RESTIC_PASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"RESTIC_REST_PASSWORD", "B2_ACCOUNT_KEY", "AZURE_ACCOUNT_KEY", "AZURE_ACCOUNT_SAS"}

func addEnvSecrets(r *cli.Redactor, env func(string) (string, bool)) {
	for _, name := range secretEnv {
		if v, ok := env(name); ok {
			r.Add(v)
		}
	}
}

// location returns the repository location from --repo or
// --repository-file (or their environment variables).
func (g *Globals) location() (string, error) {
	switch {
	case g.Repo != "" && g.RepositoryFile != "":
		return "", errors.New("--repo and --repository-file are mutually exclusive (check RESTIC_REPOSITORY and RESTIC_REPOSITORY_FILE)")
	case g.Repo != "":
		return g.Repo, nil
	case g.RepositoryFile != "":
		b, err := os.ReadFile(g.RepositoryFile)
		if err != nil {
			return "", fmt.Errorf("read repository file: %w", err)
		}
		loc := strings.TrimSpace(firstLine(string(b)))
		if loc == "" {
			return "", fmt.Errorf("repository file %s is empty", g.RepositoryFile)
		}
		return loc, nil
	}
	return "", errors.New("no repository given: use -r/--repo, RESTIC_REPOSITORY, --repository-file or RESTIC_REPOSITORY_FILE")
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// passwordLookup is the lookup handed to repo.PasswordFromEnv: the
// --password-file and --password-command flags come first (and hide
// RESTIC_PASSWORD, as in restic), then the environment.
func (g *Globals) passwordLookup(name string) (string, bool) {
	switch name {
	case "RESTIC_PASSWORD":
		if g.PasswordFile != "" || g.PasswordCommand != "" {
			return "", false
		}
	case "RESTIC_PASSWORD_FILE":
		return g.PasswordFile, g.PasswordFile != ""
	case "RESTIC_PASSWORD_COMMAND":
		return g.PasswordCommand, g.PasswordCommand != ""
	}
	return g.lookup(name)
}

// password reads the repository password and registers it with the
// redactor.
func (g *Globals) password(ctx context.Context) (string, error) {
	if g.PasswordFile != "" && g.PasswordCommand != "" {
		return "", errors.New("--password-file and --password-command are mutually exclusive")
	}
	pw, err := repo.PasswordFromEnv(ctx, g.passwordLookup)
	if err != nil {
		return "", err
	}
	g.redact.Add(pw)
	return pw, nil
}

// openBackend opens the repository location without reading anything.
func (g *Globals) openBackend(ctx context.Context) (backend.Backend, error) {
	loc, err := g.location()
	if err != nil {
		return nil, err
	}
	return location.OpenWithEnv(ctx, loc, g.lookup)
}

// lockMode is the lock a command takes on the repository.
type lockMode int

const (
	// lockRead is a shared lock that --no-lock skips.
	lockRead lockMode = iota
	// lockShared is a shared lock for commands that add data.
	lockShared
	// lockExclusive excludes every other process.
	lockExclusive
)

// withRepo opens and locks the repository, runs fn under the lock's
// context, and unlocks and closes. If the lock is lost meanwhile, the
// error says so.
func (g *Globals) withRepo(ctx context.Context, mode lockMode, fn func(context.Context, *repo.Repository) error) error {
	r, err := g.openRepo(ctx)
	if err != nil {
		return err
	}
	defer g.closeRepo(r)
	if mode == lockRead && g.NoLock {
		return fn(ctx, r)
	}
	lock, lctx, err := r.LockWithOptions(ctx, repo.LockOptions{Exclusive: mode == lockExclusive, RetryLock: g.RetryLock})
	if err != nil {
		return err
	}
	err = fn(lctx, r)
	if err != nil && lctx.Err() != nil && ctx.Err() == nil {
		err = context.Cause(lctx)
	}
	if uerr := lock.Unlock(); uerr != nil {
		g.log.Warn("unlock repository", "err", uerr)
	}
	return err
}

// openRepo opens the repository without locking it; close it with
// closeRepo.
func (g *Globals) openRepo(ctx context.Context) (*repo.Repository, error) {
	be, err := g.openBackend(ctx)
	if err != nil {
		return nil, err
	}
	pw, err := g.password(ctx)
	if err != nil {
		be.Close()
		return nil, err
	}
	r, err := repo.Open(ctx, be, pw, repo.Options{Logger: g.log})
	if err != nil {
		be.Close()
		return nil, err
	}
	return r, nil
}

// closeRepo releases the repository's backend; a failure is only logged,
// the command's result stands.
func (g *Globals) closeRepo(r *repo.Repository) {
	if err := r.Backend().Close(); err != nil {
		g.log.Warn("close repository", "err", err)
	}
}
