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
	// Notifier is told of each run's start and end, and of sources
	// becoming late, on Schedule's goroutine. nil means the notifications
	// the configuration's notify section sets up (NewHTTPNotifier), if
	// any; Schedule then waits up to 10 s for them to be delivered before
	// it returns.
	Notifier Notifier
	// OnStatus, when set, is called on Schedule's goroutine with the
	// schedule's view of the backups: when it starts, after each run, and
	// when sources become late (for metrics).
	OnStatus func(ScheduleStatus)
}

// notifyDrain bounds how long Schedule waits, when it stops, for the
// notifications it queued to be delivered.
const notifyDrain = 10 * time.Second

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
// A source is late when its newest successful backup is older than
// LateAfter (one and a half intervals) or, with none known, when the
// schedule has run that long; lateness is checked whenever a source could
// become late, not only between runs, when there is a Notifier or an
// OnStatus to tell. Each run's start, success or failure and the start of
// each lateness episode go to the Notifier: see docs/MONITORING.md.
//
// When backup.enabled is false, Schedule logs so and idles until ctx is
// cancelled, so that the accessory stays up for restores, lists and
// checks; no source is ever late then.
//
// Cancelling ctx stops the loop at once. A backup in flight is abandoned,
// not finished: the dump and the snapshot being written are cancelled, so
// no snapshot of that source is written (data already uploaded is left
// for prune), snapshots already completed are kept, the repository lock
// is released, and the run is recorded as failed so that the next start
// backs up at once. The abandoned run is not notified.
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
	notifier, stop := r.scheduleNotifier(opts.Notifier)
	defer stop()
	watch := r.newScheduleWatch(r.now(), notifier, opts.OnStatus)
	watch.report()
	if d := r.Config.Backup.StartDelay; d > 0 {
		log.Info("waiting for the start delay", "delay", d)
		if sleep(ctx, d) != nil {
			log.Info("schedule stopped")
			return nil
		}
	}
	r.scheduleLoop(ctx, sleep, watch, opts)
	log.Info("schedule stopped")
	return nil
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
