package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/mysql"
	"github.com/kamal-backup/kamal-backup/backup/postgres"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/redact"
)

// appConfigFlag is the -c/--config flag of the operator commands (backup,
// schedule, list, check, prune, unlock, init, validate).
type appConfigFlag struct {
	Config string `short:"c" name:"config" envvar:"KAMAL_BACKUP_CONFIG" default:"config/kamal-backup.yml" placeholder:"FILE" help:"The kamal-backup configuration (default: ${default})."`
}

// appLocalFlag is the --local flag of the operator commands that make
// sense on a developer machine.
type appLocalFlag struct {
	Local bool `name:"local" help:"Merge kamal-backup.local.yml (next to the configuration) over it, as local restores do; the state directory defaults to tmp/kamal-backup."`
}

// appConfigError is a configuration that did not load: every problem,
// one per line.
type appConfigError struct {
	path string
	err  error
}

// Error lists the problems under the file's name.
func (e *appConfigError) Error() string {
	var msgs []string
	if j, ok := e.err.(interface{ Unwrap() []error }); ok {
		for _, err := range j.Unwrap() {
			msgs = append(msgs, err.Error())
		}
	} else {
		msgs = []string{e.err.Error()}
	}
	if len(msgs) == 1 {
		return fmt.Sprintf("invalid configuration %s: %s", e.path, msgs[0])
	}
	return fmt.Sprintf("invalid configuration %s (%d problems):\n  %s", e.path, len(msgs), strings.Join(msgs, "\n  "))
}

// Unwrap returns LoadConfig's error.
func (e *appConfigError) Unwrap() error { return e.err }

// loadAppConfig loads the configuration at path (with the local override
// file when local is set), logs its warnings and registers its secrets
// with the redactor of everything the program prints.
func (g *Globals) loadAppConfig(path string, local bool) (*kbackup.Config, error) {
	if err := g.rejectRepoFlags(); err != nil {
		return nil, err
	}
	cfg, err := kbackup.LoadConfig(path, g.lookup, kbackup.LoadOptions{Local: local})
	if err != nil {
		return nil, appLoadError(path, err)
	}
	g.addConfigSecrets(cfg)
	for _, w := range cfg.Warnings {
		g.log.Warn("configuration: " + w)
	}
	return cfg, nil
}

// rejectRepoFlags refuses the repository flags of the repo commands
// when given on the command line: the operator commands take the
// repository and its password from the configuration, which the
// environment variables (RESTIC_REPOSITORY, ...) still override.
func (g *Globals) rejectRepoFlags() error {
	for _, f := range []struct{ flag, env, value string }{
		{"-r/--repo", "RESTIC_REPOSITORY", g.Repo},
		{"--repository-file", "RESTIC_REPOSITORY_FILE", g.RepositoryFile},
		{"--password-file", "RESTIC_PASSWORD_FILE", g.PasswordFile},
		{"--password-command", "RESTIC_PASSWORD_COMMAND", g.PasswordCommand},
	} {
		if env, _ := g.lookup(f.env); f.value != "" && f.value != env {
			return fmt.Errorf("%s is for the repo commands; this command reads the repository from the configuration (restic section, or $%s)", f.flag, f.env)
		}
	}
	return nil
}

// appLoadError explains why the configuration at path did not load: it
// is missing, or err joins its problems (FieldErrors).
func appLoadError(path string, err error) error {
	var fe *kbackup.FieldError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no configuration at %s: create one with \"kamal-backup init\", or name it with -c FILE or KAMAL_BACKUP_CONFIG", path)
	case errors.As(err, &fe):
		return &appConfigError{path: path, err: err}
	}
	return err
}

// addConfigSecrets registers the secrets cfg resolved with the redactor
// of standard error (the configuration redacts its own records and
// errors; this covers everything else printed).
func (g *Globals) addConfigSecrets(cfg *kbackup.Config) {
	g.redact.Add(cfg.RepositoryPassword().Reveal())
	g.redact.Add(cfg.Restic.RESTPassword.Reveal())
	for _, db := range cfg.Databases() {
		g.redact.Add(db.Password.Reveal())
	}
}

// appLogger is the logger of the operations on cfg: the program's
// logger, also redacting every secret of cfg.
func (g *Globals) appLogger(cfg *kbackup.Config) *slog.Logger {
	return slog.New(redact.Handler(g.log.Handler(), cfg.Redactor()))
}

// appAdapters returns the database adapters kamal-backup ships, assembled
// explicitly (there is no init() registration).
func appAdapters(log *slog.Logger, red *redact.Redactor) kbackup.Registry {
	return kbackup.NewRegistry(
		postgres.New(postgres.Options{Logger: log}),
		mysql.New(mysql.Options{Logger: log, Redactor: red}),
		sqlite.New(sqlite.Options{Logger: log}),
	)
}

// appRunner returns the Runner of the operations on cfg. unlockStale
// removes stale locks before each lock is taken, as the accessory's
// backups do so that a crashed run cannot block the schedule.
func (g *Globals) appRunner(cfg *kbackup.Config, unlockStale bool) *kbackup.Runner {
	log := g.appLogger(cfg)
	return &kbackup.Runner{
		Config:      cfg,
		Adapters:    appAdapters(log, cfg.Redactor()),
		Logger:      log,
		Env:         g.lookup,
		RetryLock:   g.RetryLock,
		UnlockStale: unlockStale,
	}
}
