package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kamal-backup/kamal-backup/backup"
)

// Describe sends the description of every metric.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range m.descs.all() {
		ch <- d
	}
}

// Collect sends the current metrics: the schedule's view of each source,
// ages and lateness at this moment, and the state directory's records.
// A record that is missing or cannot be read leaves its metrics out.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	d := m.descs
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	}
	gauge(d.buildInfo, 1, m.opts.Version, goVersion)
	if st := m.schedule(); st != nil {
		m.collectSchedule(gauge, *st)
	}
	var rec backup.BackupRecord
	if m.read(backup.LastBackupRecord, &rec) && rec.Status != backup.StatusSkipped {
		gauge(d.lastBackup, unix(rec.FinishedAt))
		gauge(d.lastBackupSuccess, flag(rec.Status == backup.StatusOK))
	}
	var check backup.CheckRecord
	if m.read(backup.LastCheckRecord, &check) {
		gauge(d.lastCheck, unix(check.FinishedAt))
		gauge(d.lastCheckSuccess, flag(check.Status == backup.StatusOK))
		gauge(d.lastCheckErrors, float64(check.Errors))
	}
	var drill backup.DrillRecord
	if m.read(backup.LastDrillRecord, &drill) {
		gauge(d.lastDrill, unix(drill.FinishedAt))
		gauge(d.lastDrillSuccess, flag(drill.Status == backup.StatusOK))
		gauge(d.lastDrillDuration, drill.FinishedAt.Sub(drill.StartedAt).Seconds())
	}
}

// collectSchedule sends the per-source metrics of st.
func (m *Metrics) collectSchedule(gauge func(*prometheus.Desc, float64, ...string), st backup.ScheduleStatus) {
	d := m.descs
	now := m.opts.Now()
	gauge(d.interval, st.Interval.Seconds())
	gauge(d.lateAfter, st.LateAfter.Seconds())
	for _, s := range st.Sources {
		gauge(d.late, flag(st.Late(s, now)), s.Source)
		if !s.LastSuccessAt.IsZero() {
			gauge(d.lastSuccess, unix(s.LastSuccessAt), s.Source)
			gauge(d.age, max(0, now.Sub(s.LastSuccessAt).Seconds()), s.Source)
		}
		if l := s.Last; l != nil {
			gauge(d.lastRun, unix(l.FinishedAt), s.Source)
			gauge(d.lastRunSuccess, flag(l.Status == backup.StatusOK), s.Source)
			gauge(d.lastDuration, l.FinishedAt.Sub(l.StartedAt).Seconds(), s.Source)
			gauge(d.lastBytes, float64(l.Bytes), s.Source)
			gauge(d.lastBytesAdded, float64(l.Added), s.Source)
		}
	}
}

// read reads the state record name into v; false when it is missing or
// unreadable.
func (m *Metrics) read(name string, v any) bool {
	found, err := m.opts.State.ReadRecord(name, v)
	return found && err == nil
}

// unix returns t in seconds since the Unix epoch, with fractions.
func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// flag returns 1 for true and 0 for false.
func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
