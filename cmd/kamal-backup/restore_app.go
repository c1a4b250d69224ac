package main

import (
	"context"
	"time"

	"github.com/alecthomas/kong"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// restoreAppCmd groups the app restores: into the local targets or the
// live production ones.
type restoreAppCmd struct {
	Local      restoreLocalCmd      `cmd:"" help:"Restore the app's snapshots into the local targets (config/kamal-backup.local.yml)."`
	Production restoreProductionCmd `cmd:"" help:"Restore the app's snapshots into the live production databases and paths."`
}

// restoreLocalCmd restores the app's snapshots on a developer machine.
type restoreLocalCmd struct {
	appConfigFlag
	Snapshot string `arg:"" optional:"" default:"latest" help:"latest (the default) or a snapshot ID or unique prefix."`
	Yes      bool   `short:"y" name:"yes" help:"Restore without asking."`
}

// Help is the detailed help of "restore local".
func (c *restoreLocalCmd) Help() string {
	return `Restores the latest (or the given) snapshot of each database and of the
files into the local targets: config/kamal-backup.yml merged with
config/kamal-backup.local.yml (local database URLs and paths, in the order
of the production paths). It refuses to run when RAILS_ENV, RACK_ENV,
APP_ENV, NODE_ENV or KAMAL_ENVIRONMENT is production, or when a target is
on a production database server or path. It shows the plan on standard
error and asks before restoring, unless --yes is given. With --json the
restore_result record is printed. On a terminal a progress bar shows the
bytes restored of the files and of each dump (see --progress).

Examples:
  kamal-backup restore local
  kamal-backup restore local 4adc4fcf --yes

Exit codes: 0 restored; 1 refused, not confirmed or failed; 10, 11 and 12
as for every command.`
}

// Run restores into the local targets.
func (c *restoreLocalCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	return runRestore(ctx, g, k, c.Config, kbackup.RestoreOptions{Mode: kbackup.ModeLocal,
		Snapshot: c.Snapshot, Confirm: kbackup.Confirmation{Yes: c.Yes}}, "answer y at the prompt or pass --yes")
}

// restoreProductionCmd restores the app's snapshots over the live data.
type restoreProductionCmd struct {
	appConfigFlag
	Snapshot                 string `arg:"" optional:"" default:"latest" help:"latest (the default) or a snapshot ID or unique prefix."`
	Yes                      bool   `short:"y" name:"yes" help:"Has no effect here (a note says so): type the confirmation or pass --confirm-production-restore."`
	ConfirmProductionRestore bool   `name:"confirm-production-restore" help:"Restore without the typed confirmation (for automation that means it)."`
}

// Help is the detailed help of "restore production".
func (c *restoreProductionCmd) Help() string {
	return `Replaces the live production data with the latest (or the given) snapshot:
the files first (each path restored into a staging directory inside it,
then swapped in, so a mount point stays), then each database. Every
target is probed for writing before anything is downloaded; a read-only
target is refused.

The plan is shown on standard error; then the app name and
"RESTORE PRODUCTION" must be typed, each on its own line, unless
--confirm-production-restore is given. --yes is deliberately ignored, so
that automation passing --yes to every command cannot replace production
data by accident. With --json the restore_result record is printed. On a
terminal a progress bar shows the bytes restored of the files and of each
dump (see --progress).

Examples:
  bin/kamal accessory exec backup "kamal-backup restore production"
  kamal-backup restore production 4adc4fcf --confirm-production-restore --json

Exit codes: 0 restored; 1 refused, not confirmed or failed; 10, 11 and 12
as for every command.`
}

// Run restores into the live production targets.
func (c *restoreProductionCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	return runRestore(ctx, g, k, c.Config, kbackup.RestoreOptions{Mode: kbackup.ModeProduction,
		Snapshot: c.Snapshot, Confirm: kbackup.Confirmation{Yes: c.Yes, ConfirmProductionRestore: c.ConfirmProductionRestore}},
		"type the app name and "+kbackup.ProductionConfirmPhrase+" at the prompt, or pass --confirm-production-restore")
}

// runRestore runs one restore with the configuration at config and
// prints its result: the restore_result
// record with --json (also when it failed), otherwise what was restored
// where. hint says how to confirm.
func runRestore(ctx context.Context, g *Globals, k *kong.Context, config string, opts kbackup.RestoreOptions, hint string) error {
	op := operation(opts.Mode, "restore")
	s, err := openRestorer(ctx, g, config, opts.Mode)
	if err != nil {
		return explain(op, hint, err)
	}
	defer s.close(g)
	opts.Prompt, opts.Env = restorePrompt(g, k.Stderr), g.lookup
	opts.Progress = restoreMeters(g, k)
	res, err := s.restorer.Restore(ctx, opts)
	if g.JSON {
		if perr := g.printJSON(res); perr != nil && err == nil {
			err = perr
		}
	} else if err == nil {
		printRestored(g, res)
	}
	return explain(op, hint, err)
}

// restoreMeters returns the Progress option of a restore or a drill: a
// meter of action "restore" for each of its steps ("files PATH",
// "database NAME"), reporting as --progress asks.
func restoreMeters(g *Globals, k *kong.Context) func(step string) repo.Progress {
	return func(step string) repo.Progress { return g.newMeter(k.Stderr, "restore", step) }
}

// printRestored tells what a restore replaced.
func printRestored(g *Globals, res *kbackup.RestoreResult) {
	if f := res.Files; f != nil {
		for _, p := range f.Paths {
			g.verbosef("restored files %s from snapshot %s into %s\n", p.Source, f.Snapshot, p.Target)
		}
	}
	for _, d := range res.Databases {
		g.verbosef("restored database %s (%s) from snapshot %s into %s\n", d.Database, d.Adapter, d.Snapshot, d.Target)
	}
	g.verbosef("%s restore finished in %v\n", res.Scope, res.FinishedAt.Sub(res.StartedAt).Round(time.Millisecond))
}
