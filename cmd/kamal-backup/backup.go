package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// backupCmd backs up standard input or files.
type backupCmd struct {
	Stdin         bool     `name:"stdin" help:"Back up standard input as one file."`
	StdinFilename string   `name:"stdin-filename" default:"stdin" placeholder:"NAME" help:"File name (may contain /) for --stdin (default: ${default})."`
	Tag           []string `name:"tag" sep:"none" placeholder:"TAG[,TAG...]" help:"Add tags to the snapshot (repeatable, comma-separated)."`
	Host          string   `short:"H" name:"host" envvar:"RESTIC_HOST" placeholder:"HOST" help:"Hostname recorded in the snapshot (default: this machine's)."`
	Exclude       []string `short:"e" name:"exclude" sep:"none" placeholder:"PATTERN" help:"Exclude files matching this pattern (repeatable)."`
	Paths         []string `arg:"" optional:"" name:"path" help:"Files and directories to back up."`
}

// Help is the detailed help of "repo backup".
func (c *backupCmd) Help() string {
	return `Saves a snapshot of standard input (--stdin) or of the given paths. If
standard input fails, no snapshot is written. If some files cannot be read,
the snapshot is still written and the exit code is 3. With --json the last
line is restic's summary record, with the new snapshot_id. On a terminal
a progress bar shows the bytes read (see --progress).

Examples:
  pg_dump -Fc app | kamal-backup repo backup --stdin --stdin-filename databases/app.pgdump --tag app,type:database
  kamal-backup repo backup /var/lib/app --exclude '*.log' --host web1

Exit codes: 0 the snapshot was saved; 1 error, no snapshot (standard input
or its command failed, for one); 3 the snapshot was saved but some files
could not be read; 10, 11 and 12 as for every command.`
}

// Validate checks that the sources are consistent.
func (c *backupCmd) Validate() error {
	switch {
	case c.Stdin && len(c.Paths) > 0:
		return errors.New("--stdin and paths are mutually exclusive")
	case c.Stdin && len(c.Exclude) > 0:
		return errors.New("--exclude does not apply to --stdin")
	case !c.Stdin && len(c.Paths) == 0:
		return errors.New("nothing to back up: give paths or --stdin")
	}
	return nil
}

// Run writes the snapshot.
func (c *backupCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	return g.withRepo(ctx, lockShared, func(ctx context.Context, r *repo.Repository) error {
		opts := repo.SnapshotOptions{Tags: splitTags(c.Tag), Host: c.Host}
		if c.Stdin {
			opts.Progress = g.newMeter(k.Stderr, "backup", c.StdinFilename)
			sn, err := r.BackupStream(ctx, c.StdinFilename, g.stdin, opts)
			if err != nil {
				return err
			}
			return g.reportBackup(sn)
		}
		opts.Progress = g.newMeter(k.Stderr, "backup", "files")
		sn, res, err := archiver.Backup(ctx, r, c.Paths, archiver.Options{Snapshot: opts, Excludes: c.Exclude})
		for _, p := range res.Skipped {
			g.log.Warn("source does not exist, skipping", "path", p)
		}
		for _, e := range res.Errors {
			g.log.Warn("could not back up", "path", e.Path, "err", e.Err)
		}
		if err != nil {
			return err
		}
		if err := g.reportBackup(sn); err != nil {
			return err
		}
		if res.Incomplete() {
			return &incompleteError{SnapshotID: sn.ID().Str(), Unreadable: len(res.Errors)}
		}
		return nil
	})
}

// reportBackup prints the saved snapshot: restic's summary line with
// --json, a short message otherwise.
func (g *Globals) reportBackup(sn *repo.Snapshot) error {
	if g.JSON {
		return g.printJSON(cli.NewBackupSummary(sn))
	}
	g.verbosef("snapshot %s saved\n", sn.ID().Str())
	return nil
}

// splitTags flattens restic-style "--tag a,b --tag c" into a, b, c.
func splitTags(values []string) []string {
	var tags []string
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if t != "" {
				tags = append(tags, t)
			}
		}
	}
	return tags
}

// incompleteError reports a backup that saved a snapshot but could not
// read some of its sources (exit code 3).
type incompleteError struct {
	SnapshotID string
	Unreadable int // entries that could not be saved
}

// Error implements error.
func (e *incompleteError) Error() string {
	return fmt.Sprintf("snapshot %s saved, but %d entries could not be read (see the warnings above)", e.SnapshotID, e.Unreadable)
}
