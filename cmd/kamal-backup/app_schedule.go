package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/metrics"
)

// scheduleCmd is the accessory's foreground loop.
type scheduleCmd struct {
	appConfigFlag
	MetricsListen string `name:"metrics-listen" envvar:"KAMAL_BACKUP_METRICS_LISTEN" placeholder:"ADDR" help:"Serve Prometheus metrics at http://ADDR/metrics (and /healthz), e.g. :9153 or 127.0.0.1:9153."`
	MetricsFile   string `name:"metrics-file" envvar:"KAMAL_BACKUP_METRICS_FILE" placeholder:"PATH" help:"Write the metrics to PATH (name it *.prom) for node-exporter's textfile collector, replaced atomically at the start, after each backup and when a backup becomes late."`
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

A source (a database, or the files) is late when its newest successful
backup is older than 1.5 intervals. The notify section of the
configuration sends the start, success and failure of every backup to a
healthchecks.io ping URL, and failures and lateness (by default) to a
webhook as JSON. --metrics-listen and --metrics-file publish Prometheus
metrics: the last success, duration and bytes added per source, the
backup age and lateness, the last check and restore drill. See
docs/MONITORING.md.

On SIGTERM or SIGINT it stops between backups, or abandons the backup in
flight: no snapshot of the source being written is left (data already
uploaded is left for prune), the lock is released, and the run is
recorded as failed so the next start backs up at once. It then exits 0.

Logs are JSON lines on standard error unless it is a terminal.

Examples:
  kamal-backup schedule
  BACKUP_SCHEDULE_SECONDS=3600 kamal-backup schedule
  kamal-backup schedule --metrics-listen :9153
  kamal-backup schedule --metrics-file /var/lib/node_exporter/textfile/kamal_backup.prom

Exit codes: 0 stopped by a signal; 1 the configuration is invalid, the
metrics address cannot be listened on, or the metrics file cannot be
written.`
}

// Run loops until ctx is cancelled (SIGTERM, SIGINT).
func (c *scheduleCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := g.loadAppConfig(c.Config, false)
	if err != nil {
		return err
	}
	r := g.appRunner(cfg, true)
	opts := kbackup.ScheduleOptions{}
	if c.MetricsListen != "" || c.MetricsFile != "" {
		stop, err := c.startMetrics(cfg, r.Logger, &opts)
		if err != nil {
			return err
		}
		defer stop()
	}
	return r.Schedule(ctx, opts)
}

// startMetrics serves and writes the metrics as the flags say, feeding
// them from opts.OnStatus, and returns the function that stops serving.
func (c *scheduleCmd) startMetrics(cfg *kbackup.Config, log *slog.Logger, opts *kbackup.ScheduleOptions) (func(), error) {
	m := metrics.New(metrics.Options{App: cfg.App, State: cfg.StateDir(), Version: programVersion()})
	if c.MetricsFile != "" {
		if err := m.WriteFile(c.MetricsFile); err != nil {
			return nil, fmt.Errorf("metrics file: %w", err)
		}
	}
	stop := func() {}
	if c.MetricsListen != "" {
		srv, err := m.Listen(c.MetricsListen, log)
		if err != nil {
			return nil, err
		}
		log.Info("serving metrics", "addr", srv.Addr().String(), "path", "/metrics")
		stop = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				log.Warn("stop serving metrics", "err", err)
			}
		}
	}
	opts.OnStatus = func(st kbackup.ScheduleStatus) {
		m.SetSchedule(st)
		if c.MetricsFile != "" {
			if err := m.WriteFile(c.MetricsFile); err != nil {
				log.Warn("cannot write the metrics file", "err", err)
			}
		}
	}
	return stop, nil
}
