package main

import (
	"io"
	"strings"

	"github.com/alecthomas/kong"
)

// CLI is the command line: global flags and the command tree.
type CLI struct {
	Globals
	Kamal kamalFlags `embed:""`

	// The operator's commands, on config/kamal-backup.yml.
	Init     appInitCmd   `cmd:"" help:"Write a starter config/kamal-backup.yml and print the accessory block for config/deploy.yml."`
	Validate validateCmd  `cmd:"" help:"Check the configuration, tools, repository and state directory without touching data."`
	Backup   appBackupCmd `cmd:"" help:"Back up every database and the files now, if due (--force: even if not)."`
	Schedule scheduleCmd  `cmd:"" help:"Back up on the schedule until stopped: the accessory's command."`
	List     listCmd      `cmd:"" help:"List the app's snapshots by database and files."`
	Check    appCheckCmd  `cmd:"" help:"Check the repository and record the result."`
	Prune    appPruneCmd  `cmd:"" help:"Apply the retention policy per database and files, then prune."`
	Unlock   appUnlockCmd `cmd:"" help:"Remove stale locks from the repository."`

	Repo       repoCmd       `cmd:"" help:"Work with a restic-format repository."`
	Restore    restoreAppCmd `cmd:"" help:"Restore the app's databases and files: local or production."`
	Drill      drillCmd      `cmd:"" help:"Restore drill into scratch targets, with a check command; recorded."`
	Evidence   evidenceGroup `cmd:"" help:"Print the evidence of the app's backups (configuration, snapshots, check, drill, objectives); keygen, verify, history."`
	Version    versionCmd    `cmd:"" help:"Print the version."`
	Completion completionCmd `cmd:"" help:"Print a shell completion script: bash, zsh or fish."`
}

// repoCmd groups the repository commands.
type repoCmd struct {
	Init      initCmd      `cmd:"" help:"Create a new repository."`
	Snapshots snapshotsCmd `cmd:"" help:"List snapshots."`
	Ls        lsCmd        `cmd:"" help:"List files and directories in a snapshot."`
	Dump      dumpCmd      `cmd:"" help:"Write a file from a snapshot to standard output."`
	Restore   restoreCmd   `cmd:"" help:"Restore a snapshot into a directory."`
	Backup    backupCmd    `cmd:"" help:"Back up standard input or files and directories."`
	Cat       catCmd       `cmd:"" help:"Print a repository object: config, snapshot, key or index."`
	Key       keyCmd       `cmd:"" help:"List, add and remove the repository's keys (passwords)."`
	Check     checkCmd     `cmd:"" help:"Check the repository for errors."`
	Forget    forgetCmd    `cmd:"" help:"Remove snapshots by ID or by a retention policy."`
	Prune     pruneCmd     `cmd:"" help:"Delete data that no snapshot uses."`
	Unlock    unlockCmd    `cmd:"" help:"Remove stale locks (or all locks)."`
}

const description = `Reads and writes restic-format backup repositories (restic 0.14 to 0.18 can
read what it writes, and the other way round).

The repository and its password are given as for restic: -r/--repo or
RESTIC_REPOSITORY (or --repository-file / RESTIC_REPOSITORY_FILE), and
RESTIC_PASSWORD, --password-file / RESTIC_PASSWORD_FILE or
--password-command / RESTIC_PASSWORD_COMMAND. Passwords are never printed.

Examples:
  export RESTIC_REPOSITORY=/srv/backups RESTIC_PASSWORD_FILE=/etc/kamal-backup/password
  kamal-backup repo init
  pg_dump app | kamal-backup repo backup --stdin --stdin-filename app.pgdump --tag app
  kamal-backup repo backup /var/lib/app/storage --exclude '*.tmp'
  kamal-backup repo snapshots --json --tag app
  kamal-backup repo ls latest
  kamal-backup repo dump latest /app.pgdump | pg_restore -d app
  kamal-backup repo restore latest:var/lib/app --target /tmp/restore
  kamal-backup repo forget --keep-daily 7 --keep-weekly 4 --prune
  kamal-backup repo check --read-data-subset 5%

Exit codes:
  0   success
  1   error, or check found the repository damaged
  3   backup incomplete: the snapshot was saved but some files could not be read
  10  repository not found
  11  repository is locked by another process
  12  wrong password`

// newParser builds the kong parser. Flags tagged envvar:"NAME" take their
// default from env (not from the process environment, so tests control
// it); help and usage go to stdout, parse errors are returned.
func newParser(root *CLI, env func(string) (string, bool), stdout, stderr io.Writer) (*kong.Kong, error) {
	return kong.New(root,
		kong.Name("kamal-backup"),
		kong.Description(description),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitSignal{code}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Resolvers(envResolver(env)),
		kong.ValueFormatter(helpWithEnv),
	)
}

// envResolver fills flags tagged envvar:"NAME" from env when they are not
// given on the command line.
func envResolver(env func(string) (string, bool)) kong.Resolver {
	return kong.ResolverFunc(func(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
		name := flag.Tag.Get("envvar")
		if name == "" {
			return nil, nil
		}
		if v, ok := env(name); ok && v != "" {
			return v, nil
		}
		return nil, nil
	})
}

// helpWithEnv appends "($NAME)" to the help of flags read from the
// environment.
func helpWithEnv(v *kong.Value) string {
	help := kong.DefaultHelpValueFormatter(v)
	if name := v.Tag.Get("envvar"); name != "" {
		help = strings.TrimSuffix(help, ".") + " ($" + name + ")."
	}
	return help
}
