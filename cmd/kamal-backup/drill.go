package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// drillCmd groups the restore drills.
type drillCmd struct {
	Local      drillLocalCmd      `cmd:"" help:"Restore drill on a developer machine, into the local targets or the scratch ones given."`
	Production drillProductionCmd `cmd:"" help:"Restore drill on the server, into scratch targets next to the live ones."`
}

// drillFlags are the flags of both drills.
type drillFlags struct {
	appConfigFlag
	Snapshot   string `arg:"" optional:"" default:"latest" help:"latest (the default) or a snapshot ID or unique prefix."`
	Database   string `name:"database" placeholder:"NAME" help:"Scratch database on the live server (it must exist; its content is replaced); with several databases each gets NAME_<database>."`
	SQLitePath string `name:"sqlite-path" placeholder:"PATH" help:"Scratch SQLite file; with several SQLite databases each gets PATH with _<database> before the extension."`
	Check      string `name:"check" placeholder:"CMD" help:"Command run with /bin/sh -c after the restore; a non-zero exit fails the drill."`
	Yes        bool   `short:"y" name:"yes" help:"Restore without asking."`
}

// drillLocalCmd is a drill into the local targets.
type drillLocalCmd struct {
	drillFlags
	Files string `name:"files" placeholder:"DIR" help:"Scratch directory for the files; default: the local paths."`
}

// drillProductionCmd is a drill into scratch targets on the server. Its
// files go to /restore/files by default, as in the Ruby kamal-backup.
type drillProductionCmd struct {
	drillFlags
	Files string `name:"files" default:"/restore/files" placeholder:"DIR" help:"Scratch directory for the files (default: ${default}); it must be new, empty or made by an earlier drill."`
}

const drillHelp = `Restores the latest (or the given) snapshots into scratch targets, runs
the --check command, and records the drill (operator, snapshot, targets,
timings of each phase, the check's redacted output, status) as
last_restore_drill.json in the state directory, passed or failed. The
live data is never touched: a scratch target equal to (or overlapping) a
live database, SQLite file or path is refused.

The check command sees kamal-backup's environment plus
KAMAL_BACKUP_DRILL_FILES (the restored files directory) and
KAMAL_BACKUP_DRILL_DATABASE_<NAME> (each restored database's URL or
file); point it at those, not at DATABASE_URL, which is the live
database. Keep secrets out of the command line itself: reference them
through variables.

The plan is shown on standard error and confirmed with "y", or --yes.
With --json the drill_result record is printed. On a terminal a progress
bar shows the bytes restored of the files and of each dump (see
--progress).

Exit codes: 0 the drill passed; 1 refused, not confirmed, the restore or
the check failed; 10, 11 and 12 as for every command.`

// Help is the detailed help of "drill local".
func (c *drillLocalCmd) Help() string {
	return drillHelp + `

A local drill restores into the local configuration's targets
(config/kamal-backup.local.yml), or into the scratch targets given, and
refuses to run in a production environment.

Examples:
  kamal-backup drill local --yes
  kamal-backup drill local --sqlite-path tmp/drill.sqlite3 --check 'sqlite3 "$KAMAL_BACKUP_DRILL_DATABASE_APP" "select count(*) from users"'`
}

// Help is the detailed help of "drill production".
func (c *drillProductionCmd) Help() string {
	return drillHelp + `

A production drill needs a scratch target for everything configured:
--database for PostgreSQL and MySQL databases, --sqlite-path for SQLite
ones and --files (default /restore/files) when paths are configured.

Examples:
  bin/kamal accessory exec backup "kamal-backup drill production --database app_drill --yes"
  kamal-backup drill production --database app_drill --files /restore/files \
    --check 'psql "$KAMAL_BACKUP_DRILL_DATABASE_APP" -c "select count(*) from users"' --yes`
}

// Run runs a local drill.
func (c *drillLocalCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	return c.run(ctx, g, k, kbackup.ModeLocal, c.Files)
}

// Run runs a production drill.
func (c *drillProductionCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	return c.run(ctx, g, k, kbackup.ModeProduction, c.Files)
}

// run runs one drill and prints its record: the drill_result with
// --json, otherwise a summary whenever the drill got as far as its check.
func (c *drillFlags) run(ctx context.Context, g *Globals, k *kong.Context, mode kbackup.Mode, files string) error {
	op := operation(mode, "drill")
	const hint = "answer y at the prompt or pass --yes"
	s, err := openRestorer(ctx, g, c.Config, mode)
	if err != nil {
		return explain(op, hint, err)
	}
	defer s.close(g)
	rec, err := s.restorer.Drill(ctx, kbackup.DrillOptions{Mode: mode, Snapshot: c.Snapshot, Database: c.Database,
		SQLitePath: c.SQLitePath, FilesDir: files, Check: c.Check, Confirm: kbackup.Confirmation{Yes: c.Yes},
		Prompt: restorePrompt(g, k.Stderr), Env: g.lookup, Progress: restoreMeters(g, k)})
	switch {
	case g.JSON:
		if perr := g.printJSON(rec); perr != nil && err == nil {
			err = perr
		}
	case err == nil || errors.Is(err, kbackup.ErrCheckFailed):
		printDrill(g, rec, s.recordPath())
	}
	return explain(op, hint, err)
}

// printDrill summarises a drill that ran: its targets, its check and
// where it is recorded.
func printDrill(g *Globals, rec *kbackup.DrillRecord, recordPath string) {
	if f := rec.Files; f != nil {
		g.verbosef("restored files from snapshot %s into %s\n", f.Snapshot, f.Target)
	}
	for _, d := range rec.Databases {
		g.verbosef("restored database %s (%s) from snapshot %s into %s\n", d.Filename, d.Adapter, d.Snapshot, d.Target)
	}
	if chk := rec.Check; chk != nil {
		g.verbosef("check %s: %s\n", chk.Status, chk.Command)
		if chk.Output != nil && *chk.Output != "" {
			g.verbosef("  %s\n", strings.ReplaceAll(strings.TrimRight(*chk.Output, "\n"), "\n", "\n  "))
		}
	}
	g.verbosef("drill %s (%s) in %v; recorded in %s\n", rec.Status, rec.Scope,
		rec.FinishedAt.Sub(rec.StartedAt).Round(time.Millisecond), recordPath)
}
