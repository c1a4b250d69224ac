package metrics

import (
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kamal-backup/kamal-backup/backup"
)

// Options tune New.
type Options struct {
	// App is the value of the app label every metric carries.
	App string
	// State is the state directory whose last backup, check and drill
	// records are read at each collection.
	State backup.StateDir
	// Now is the clock of backup ages and lateness; nil means time.Now.
	Now func() time.Time
	// Version is the kamal-backup version in kamal_backup_build_info.
	Version string
}

// Metrics collects kamal-backup's metrics into a registry of its own. Its
// methods are safe for concurrent use.
type Metrics struct {
	opts  Options
	reg   *prometheus.Registry
	descs descs

	mu     sync.Mutex
	status *backup.ScheduleStatus
}

var _ prometheus.Collector = (*Metrics)(nil)

// New returns the metrics of the app whose state is opts.State.
func New(opts Options) *Metrics {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Metrics{opts: opts, reg: prometheus.NewRegistry(), descs: newDescs(opts.App)}
	m.reg.MustRegister(m)
	return m
}

// SetSchedule records the schedule's view of the backups; it has the
// signature of backup.ScheduleOptions.OnStatus.
func (m *Metrics) SetSchedule(st backup.ScheduleStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status = &st
}

// schedule returns the last status set, nil when none was.
func (m *Metrics) schedule() *backup.ScheduleStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

// Registry returns the registry the metrics are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics at /metrics and "ok" at /healthz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// WriteFile writes the metrics to path in the Prometheus text format, for
// node-exporter's textfile collector (name it *.prom): into a temporary
// file in the same directory, then renamed over path, so that a reader
// never sees a partial file.
func (m *Metrics) WriteFile(path string) error {
	return prometheus.WriteToTextfile(path, m.reg)
}

// goVersion is the Go version of the build info metric.
var goVersion = runtime.Version()
