// Package metrics exposes the state of kamal-backup's backups as
// Prometheus metrics, for `kamal-backup schedule --metrics-listen` (an
// HTTP endpoint) and `--metrics-file` (a file for node-exporter's
// textfile collector).
//
// A Metrics is a prometheus.Collector in a registry of its own (never the
// global one). The schedule feeds it its view of each source's backups
// (backup.ScheduleOptions.OnStatus); the last backup, check and restore
// drill records are read from the state directory at each collection, so
// that runs made by other processes (`kamal-backup check`, `drill`) show
// up at once and a restarted schedule serves the last values. Ages and
// lateness are computed at collection time. docs/MONITORING.md lists the
// metrics.
package metrics
