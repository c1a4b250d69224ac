package metrics

import "github.com/prometheus/client_golang/prometheus"

// descs are the descriptions of every metric.
type descs struct {
	buildInfo, interval, lateAfter                                   *prometheus.Desc
	lastSuccess, age, late                                           *prometheus.Desc
	lastRun, lastRunSuccess, lastDuration, lastBytes, lastBytesAdded *prometheus.Desc
	lastBackup, lastBackupSuccess                                    *prometheus.Desc
	lastCheck, lastCheckSuccess, lastCheckErrors                     *prometheus.Desc
	lastDrill, lastDrillSuccess, lastDrillDuration                   *prometheus.Desc
}

// newDescs describes the metrics of app.
func newDescs(app string) descs {
	app1 := prometheus.Labels{"app": app}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("kamal_backup_"+name, help, labels, app1)
	}
	src := "source"
	return descs{
		buildInfo: d("build_info", "kamal-backup's version; always 1.", "version", "goversion"),
		interval:  d("schedule_interval_seconds", "The backup interval, backup.schedule."),
		lateAfter: d("late_after_seconds", "How old a source's newest successful backup may get before the source is late (1.5 intervals)."),

		lastSuccess: d("last_success_timestamp_seconds", "When the source's newest successful backup finished, in Unix time.", src),
		age:         d("backup_age_seconds", "Seconds since the source's newest successful backup finished.", src),
		late:        d("late", "1 when the source's newest successful backup is older than kamal_backup_late_after_seconds (or none was made that long after the schedule started), else 0.", src),

		lastRun:        d("last_run_timestamp_seconds", "When the source's latest backup attempt finished, in Unix time.", src),
		lastRunSuccess: d("last_run_success", "1 when the source's latest backup attempt succeeded, else 0.", src),
		lastDuration:   d("last_duration_seconds", "How long the source's latest backup attempt took.", src),
		lastBytes:      d("last_bytes", "Bytes read from the source by its latest backup attempt.", src),
		lastBytesAdded: d("last_bytes_added", "Bytes of new data stored by the source's latest backup attempt (after deduplication and compression).", src),

		lastBackup:        d("last_backup_timestamp_seconds", "When the latest backup run (last_backup.json) finished, in Unix time."),
		lastBackupSuccess: d("last_backup_success", "1 when the latest backup run succeeded as a whole (every source and step), else 0."),

		lastCheck:        d("last_check_timestamp_seconds", "When the latest repository check (last_check.json) finished, in Unix time."),
		lastCheckSuccess: d("last_check_success", "1 when the latest repository check found no errors, else 0."),
		lastCheckErrors:  d("last_check_errors", "Errors the latest repository check found."),

		lastDrill:         d("last_drill_timestamp_seconds", "When the latest restore drill (last_restore_drill.json) finished, in Unix time."),
		lastDrillSuccess:  d("last_drill_success", "1 when the latest restore drill succeeded, else 0."),
		lastDrillDuration: d("last_drill_duration_seconds", "How long the latest restore drill took."),
	}
}

// all returns every description.
func (d descs) all() []*prometheus.Desc {
	return []*prometheus.Desc{d.buildInfo, d.interval, d.lateAfter, d.lastSuccess, d.age, d.late,
		d.lastRun, d.lastRunSuccess, d.lastDuration, d.lastBytes, d.lastBytesAdded, d.lastBackup,
		d.lastBackupSuccess, d.lastCheck, d.lastCheckSuccess, d.lastCheckErrors, d.lastDrill,
		d.lastDrillSuccess, d.lastDrillDuration}
}
