package main

import (
	"context"

	"github.com/alecthomas/kong"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/progress"
	"github.com/kamal-backup/kamal-backup/repo"
)

// appBackupCmd runs one backup of the configured databases and paths.
type appBackupCmd struct {
	appConfigFlag
	Force bool `name:"force" help:"Back up even though the last backup is still current (not when backups are disabled)."`
}

// Help is the detailed help of "backup".
func (c *appBackupCmd) Help() string {
	return `Backs up every configured database (one snapshot each, the dump of its
native tool streamed into the repository) and, when paths are configured,
the files (one snapshot), with the Ruby kamal-backup's names and tags. Then,
as configured, it applies the retention policy to each database's
snapshots and to the file snapshots separately (restic.forget_after_backup)
and checks the repository (restic.check_after_backup). The result is
recorded as last_backup.json in the state directory.

It skips, and exits 0, when the last backup is still current per
backup.schedule (it prints when the next one is due; --force backs up
anyway) or when backup.enabled is false. A repository that does not exist
is created when restic.init_if_missing is set. Stale locks (of crashed
runs) are removed first.

The repository, its password and every database come from the
configuration; the environment variables it documents (RESTIC_REPOSITORY,
RESTIC_PASSWORD, DATABASE_URL, ...) override it. With --json the
backup_result record is printed. On a terminal a progress bar shows the
bytes read from each source (see --progress; schedule shows none).

Examples:
  kamal-backup backup
  kamal-backup backup --force --json
  bin/kamal accessory exec backup "kamal-backup backup --force"

Exit codes: 0 backed up or skipped; 1 a database, the files, the
verification, the retention or the check failed (the other sources are
still backed up); 10, 11 and 12 as for every command.`
}

// Run backs up and prints the result.
func (c *appBackupCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	cfg, err := g.loadAppConfig(c.Config, false)
	if err != nil {
		return err
	}
	runner := g.appRunner(cfg, true)
	runner.Progress = func(step string) repo.Progress { return g.newMeter(k.Stderr, "backup", step) }
	chk := &checkProgress{newMeter: func() *progress.Meter { return g.newMeter(k.Stderr, "check", "read data") }}
	runner.CheckProgress = chk // check_after_backup
	rep, err := runner.BackupWithReport(ctx, kbackup.BackupOptions{Force: c.Force})
	chk.finish()
	if rep == nil {
		return err
	}
	if g.JSON {
		if perr := g.printJSON(rep); err == nil {
			err = perr
		}
		return err
	}
	if !g.Quiet || rep.Status == kbackup.StatusFailed {
		if werr := writeBackupSummary(g.stdout, rep); err == nil {
			err = werr
		}
	}
	return err
}
