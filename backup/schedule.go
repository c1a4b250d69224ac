package backup

import (
	"context"
	"fmt"
	"time"
)

// ScheduleOptions tune Schedule. The zero value uses real timers.
type ScheduleOptions struct {
	// Sleep waits for d and returns nil, or returns ctx's cause as soon
	// as ctx is done. nil means a real timer; tests pass one that
	// advances their clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// AfterBackup, when set, is called on Schedule's goroutine after each
	// backup that ran to its end, with its report and error (for metrics
	// or JSON lines). It is not called for a backup abandoned because ctx
	// was cancelled.
	AfterBackup func(rep *BackupReport, err error)
}

// Schedule is the accessory's foreground loop, `kamal-backup schedule`.
// It waits backup.start_delay, then runs a backup every backup.schedule
// until ctx is cancelled, and then returns nil.
//
// Runs are aligned on their starts: the next run is due one interval
// after the last one started (at once if a run took longer than that).
// The first run is due one interval after the start of the last
// successful backup recorded in the state directory, so restarting the
// accessory does not back up again; it is due at once when there is no
// such record or the last recorded run failed. A backup made meanwhile
// by another process (`kamal-backup backup`) postpones the next run the
// same way. Every error is logged and the run is retried at the next
// interval; Schedule returns an error only for an invalid configuration.
//
// When backup.enabled is false, Schedule logs so and idles until ctx is
// cancelled, so that the accessory stays up for restores, lists and
// checks.
//
// Cancelling ctx stops the loop at once. A backup in flight is abandoned,
// not finished: the dump and the snapshot being written are cancelled, so
// no snapshot of that source is written (data already uploaded is left
// for prune), snapshots already completed are kept, the repository lock
// is released, and the run is recorded as failed so that the next start
// backs up at once.
func (r *Runner) Schedule(ctx context.Context, opts ScheduleOptions) error {
	if r.Config == nil {
		return errNoConfig
	}
	interval := r.Config.Backup.Interval
	if interval <= 0 {
		return fmt.Errorf("schedule: backup.schedule must be longer than zero, not %v", interval)
	}
	sleep := opts.Sleep
	if sleep == nil {
		sleep = sleepTimer
	}
	log := r.log()
	if !r.Config.Backup.Enabled {
		log.Info("backups are disabled (backup.enabled: false); idling until stopped")
		<-ctx.Done()
		log.Info("schedule stopped")
		return nil
	}
	log.Info("schedule started", "interval", FormatSchedule(interval), "start_delay", r.Config.Backup.StartDelay, "host", r.Config.Hostname())
	if d := r.Config.Backup.StartDelay; d > 0 {
		log.Info("waiting for the start delay", "delay", d)
		if sleep(ctx, d) != nil {
			log.Info("schedule stopped")
			return nil
		}
	}
	var lastStart time.Time
	for {
		if ctx.Err() != nil {
			log.Info("schedule stopped")
			return nil
		}
		now := r.now()
		if next := r.nextScheduled(lastStart); now.Before(next) {
			log.Info("next backup scheduled", "at", next, "in", next.Sub(now).Round(time.Second))
			if sleep(ctx, next.Sub(now)) != nil {
				log.Info("schedule stopped")
				return nil
			}
			continue
		}
		lastStart = now
		rep, err := r.BackupWithReport(ctx, BackupOptions{Force: true})
		if ctx.Err() != nil {
			log.Info("schedule stopped; the backup in progress was abandoned")
			return nil
		}
		if err != nil {
			log.Error("backup failed; retrying at the next interval", "err", err, "next_backup_at", lastStart.Add(interval))
		}
		if opts.AfterBackup != nil {
			opts.AfterBackup(rep, err)
		}
	}
}

// nextScheduled returns when the next scheduled backup is due: one
// interval after lastStart (the loop's last run, zero if none) or after
// the last successful backup recorded, whichever is later; the zero time
// when due at once.
func (r *Runner) nextScheduled(lastStart time.Time) time.Time {
	var next time.Time
	if !lastStart.IsZero() {
		next = lastStart.Add(r.Config.Backup.Interval)
	}
	if _, due, ok := r.lastBackup(); ok && due.After(next) {
		next = due
	}
	return next
}

// sleepTimer waits for d or until ctx is done.
func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
