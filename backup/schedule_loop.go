package backup

import (
	"context"
	"time"
)

// scheduleLoop runs the scheduled backups until ctx is cancelled.
func (r *Runner) scheduleLoop(ctx context.Context, sleep func(context.Context, time.Duration) error, w *scheduleWatch, opts ScheduleOptions) {
	log := r.log()
	interval := r.Config.Backup.Interval
	// Lateness needs checking between runs only when someone is told.
	_, nop := w.notifier.(nopNotifier)
	watching := opts.OnStatus != nil || !nop
	var lastStart, logged time.Time
	for {
		if ctx.Err() != nil {
			return
		}
		now := r.now()
		w.refresh()
		w.check(now)
		next := r.nextScheduled(lastStart)
		if now.Before(next) {
			wake := next
			if c := w.nextCheck(now); watching && !c.IsZero() && c.Before(wake) {
				wake = c
			}
			if !next.Equal(logged) {
				log.Info("next backup scheduled", "at", next, "in", next.Sub(now).Round(time.Second))
				logged = next
			}
			if sleep(ctx, wake.Sub(now)) != nil {
				return
			}
			continue
		}
		lastStart = now
		w.notifier.Notify(Event{Kind: EventStart, At: now})
		rep, err := r.BackupWithReport(ctx, BackupOptions{Force: true})
		if ctx.Err() != nil {
			log.Info("the backup in progress was abandoned")
			return
		}
		if err != nil {
			log.Error("backup failed; retrying at the next interval", "err", err, "next_backup_at", lastStart.Add(interval))
		}
		w.observe(rep)
		ev := Event{Kind: EventSuccess, At: r.now(), Record: rep}
		if err != nil {
			ev.Kind, ev.Err = EventFailure, err
		}
		w.notifier.Notify(ev)
		if opts.AfterBackup != nil {
			opts.AfterBackup(rep, err)
		}
	}
}

// scheduleNotifier returns n, or when nil the notifier of the notify
// section (a no-op one when nothing is configured), and the function
// that waits for its deliveries when the schedule stops.
func (r *Runner) scheduleNotifier(n Notifier) (Notifier, func()) {
	if n != nil {
		return n, func() {}
	}
	if !r.Config.Notify.Configured() {
		return nopNotifier{}, func() {}
	}
	hn := NewHTTPNotifier(r.Config, HTTPNotifierOptions{Logger: r.Logger})
	return hn, func() {
		ctx, cancel := context.WithTimeout(context.Background(), notifyDrain)
		defer cancel()
		if hn.Close(ctx) != nil {
			r.log().Warn("notifications still queued when the schedule stopped were not delivered")
		}
	}
}
