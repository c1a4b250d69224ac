package main

import (
	"context"
	"time"

	"github.com/alecthomas/kong"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// restoreCmd restores a snapshot into a directory.
type restoreCmd struct {
	filterFlags
	Snapshot string   `arg:"" name:"snapshot" help:"latest, a snapshot ID or unique prefix, optionally with :subfolder."`
	Target   string   `name:"target" short:"t" required:"" placeholder:"DIR" help:"Directory to restore into."`
	Include  []string `name:"include" short:"i" sep:"none" placeholder:"PATTERN" help:"Only restore entries matching this pattern, and what is below them (repeatable)."`
}

// Help is the detailed help of "repo restore".
func (c *restoreCmd) Help() string {
	return `Restores the snapshot's files, or those below its :subfolder, into the
target directory, replacing what is there. With --json the last line is
restic's restore summary record. On a terminal a progress bar shows the
bytes written (see --progress).

Examples:
  kamal-backup repo restore latest --target /tmp/restore
  kamal-backup repo restore 4adc4fcf:var/lib/app --target /tmp/app --include /var/lib/app/storage

Exit codes: 0 restored; 1 error; 10, 11 and 12 as for every command.`
}

// Run restores the snapshot.
func (c *restoreCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	return g.withRepo(ctx, lockRead, func(ctx context.Context, r *repo.Repository) error {
		sn, ref, err := findSnapshot(ctx, r, c.Snapshot, c.filter())
		if err != nil {
			return err
		}
		g.verbosef("restoring snapshot %s to %s\n", sn.ID().Str(), c.Target)
		start := time.Now()
		prog := restoreProgress{g.newMeter(k.Stderr, "restore", sn.ID().Str())}
		stats, err := restorer.Restore(ctx, r, sn, c.Target, restorer.Options{SubPath: ref.Subfolder, Include: c.Include, Progress: prog})
		if err != nil {
			return err
		}
		if g.JSON {
			return g.printJSON(cli.NewRestoreSummary(restoreCounts(stats), time.Since(start)))
		}
		g.verbosef("restored %d files, %d directories, %s\n", stats.Files, stats.Dirs, cli.FormatBytes(stats.Bytes))
		return nil
	})
}

// restoreCounts converts the restorer's statistics.
func restoreCounts(s restorer.Stats) cli.RestoreCounts {
	return cli.RestoreCounts{Restored: s.Files + s.Dirs + s.Symlinks + s.Special, Skipped: s.Skipped, Bytes: s.Bytes}
}
