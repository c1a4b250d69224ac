package main

import (
	"context"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// scheduleCmd is the accessory's foreground loop.
type scheduleCmd struct {
	appConfigFlag
}

// Help is the detailed help of "schedule".
func (c *scheduleCmd) Help() string {
	return `Runs in the foreground, as the Kamal accessory's command: waits
backup.start_delay, then backs up every backup.schedule (as "backup
--force" does) until it receives SIGTERM or SIGINT. The first backup is due
one interval after the last successful one recorded in the state
directory, so restarting the accessory does not back up again.

Errors are logged and the backup is retried at the next interval; the
loop keeps running. When backup.enabled is false it logs so and idles, so
the accessory stays up for restores, lists and checks. Stale locks of
crashed runs are removed before each backup.

On SIGTERM or SIGINT it stops between backups, or abandons the backup in
flight: no snapshot of the source being written is left (data already
uploaded is left for prune), the lock is released, and the run is
recorded as failed so the next start backs up at once. It then exits 0.

Logs are JSON lines on standard error unless it is a terminal.

Examples:
  kamal-backup schedule
  BACKUP_SCHEDULE_SECONDS=3600 kamal-backup schedule

Exit codes: 0 stopped by a signal; 1 the configuration is invalid.`
}

// Run loops until ctx is cancelled (SIGTERM, SIGINT).
func (c *scheduleCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := g.loadAppConfig(c.Config, false)
	if err != nil {
		return err
	}
	r := g.appRunner(cfg, true)
	return r.Schedule(ctx, kbackup.ScheduleOptions{})
}
