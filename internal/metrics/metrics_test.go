package metrics

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kamal-backup/kamal-backup/backup"
)

// t0 is the time of the records of these tests.
var t0 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// parse reads the text exposition format.
func parse(t testing.TB, r io.Reader) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

// scrape GETs url and parses the metrics it serves.
func scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return parse(t, resp.Body)
}

// value returns the value of the gauge name whose labels include want
// (label, value pairs); ok is false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want ...string) (float64, bool) {
	f := fams["kamal_backup_"+name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(want); i += 2 {
			if have[want[i]] != want[i+1] {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

// wantValue fails the test unless gauge name (with labels) is want.
func wantValue(t testing.TB, fams map[string]*dto.MetricFamily, want float64, name string, labels ...string) {
	t.Helper()
	got, ok := value(fams, name, labels...)
	if !ok || got != want {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
	}
}

// fixture writes backup, check and drill records into a state directory
// and returns metrics on it, at t0 + 40h, with a schedule status of a
// database backed up at t0 + 30h and a files source never backed up.
func fixture(t testing.TB) (*Metrics, backup.StateDir) {
	t.Helper()
	state := backup.StateDir{Path: t.TempDir()}
	at := func(h time.Duration) time.Time { return t0.Add(h * time.Hour) }
	app := backup.SourceResult{Type: backup.SourceDatabase, Database: "app", Status: backup.StatusOK, Snapshot: "abc",
		StartedAt: at(30).Add(-90 * time.Second), FinishedAt: at(30), Bytes: 5000, Added: 1200}
	files := backup.SourceResult{Type: backup.SourceFiles, Status: backup.StatusFailed, StartedAt: at(30), FinishedAt: at(30), Error: "boom"}
	for name, rec := range map[string]any{
		backup.LastBackupRecord: backup.BackupRecord{Status: backup.StatusFailed, StartedAt: at(30).Add(-90 * time.Second), FinishedAt: at(30),
			Sources: []backup.SourceResult{app, files}},
		backup.LastCheckRecord: backup.CheckRecord{Status: backup.StatusFailed, StartedAt: at(20), FinishedAt: at(21), Errors: 2},
		backup.LastDrillRecord: backup.DrillRecord{Status: backup.StatusOK, StartedAt: at(10), FinishedAt: at(10).Add(5 * time.Minute)},
	} {
		if err := state.WriteRecord(name, rec); err != nil {
			t.Fatal(err)
		}
	}
	m := New(Options{App: "shop", State: state, Version: "1.2.3", Now: func() time.Time { return at(40) }})
	m.SetSchedule(backup.ScheduleStatus{Interval: 24 * time.Hour, LateAfter: 36 * time.Hour, Since: t0, Sources: []backup.SourceStatus{
		{Source: "database:app", LastSuccessAt: app.FinishedAt, Last: &app},
		{Source: "files", Last: &files},
	}})
	return m, state
}

// checkFixture checks the metrics of fixture.
func checkFixture(t testing.TB, fams map[string]*dto.MetricFamily) {
	t.Helper()
	db, files := []string{"source", "database:app", "app", "shop"}, []string{"source", "files"}
	wantValue(t, fams, float64(t0.Add(30*time.Hour).Unix()), "last_success_timestamp_seconds", db...)
	wantValue(t, fams, 10*3600, "backup_age_seconds", db...)
	wantValue(t, fams, 0, "late", db...)
	wantValue(t, fams, 1, "late", files...) // none in 40h, late after 36h
	wantValue(t, fams, 90, "last_duration_seconds", db...)
	wantValue(t, fams, 5000, "last_bytes", db...)
	wantValue(t, fams, 1200, "last_bytes_added", db...)
	wantValue(t, fams, 1, "last_run_success", db...)
	wantValue(t, fams, 0, "last_run_success", files...)
	if _, ok := value(fams, "last_success_timestamp_seconds", files...); ok {
		t.Error("a last success time for a source never backed up")
	}
	wantValue(t, fams, 0, "last_backup_success")
	wantValue(t, fams, 36*3600, "late_after_seconds")
	wantValue(t, fams, 24*3600, "schedule_interval_seconds")
	wantValue(t, fams, float64(t0.Add(21*time.Hour).Unix()), "last_check_timestamp_seconds")
	wantValue(t, fams, 0, "last_check_success")
	wantValue(t, fams, 2, "last_check_errors")
	wantValue(t, fams, 1, "last_drill_success")
	wantValue(t, fams, 300, "last_drill_duration_seconds")
	wantValue(t, fams, 1, "build_info", "version", "1.2.3")
}

func TestServe(t *testing.T) {
	m, _ := fixture(t)
	srv, err := m.Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.Addr().String()
	checkFixture(t, scrape(t, base+"/metrics"))
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("/healthz: %s %q", resp.Status, body)
	}
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/metrics"); err == nil {
		t.Error("still serving after Shutdown")
	}
	if _, err := m.Listen(srv.Addr().String(), nil); err != nil {
		t.Errorf("the address is not free after Shutdown: %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	m, state := fixture(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "kamal_backup.prom")
	if err := m.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	checkFixture(t, parse(t, f))
	f.Close()
	// A new check replaces the file's content.
	if err := state.WriteRecord(backup.LastCheckRecord, backup.CheckRecord{Status: backup.StatusOK, FinishedAt: t0.Add(39 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fams := parse(t, strings.NewReader(string(data)))
	wantValue(t, fams, 1, "last_check_success")
	wantValue(t, fams, 0, "last_check_errors")
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the textfile directory, want only the metrics file", len(entries))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("metrics file mode %v, %v", fi.Mode(), err)
	}
}

func TestNoState(t *testing.T) {
	m := New(Options{App: "shop", State: backup.StateDir{Path: t.TempDir()}})
	srv, err := m.Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(t.Context())
	fams := scrape(t, "http://"+srv.Addr().String()+"/metrics")
	wantValue(t, fams, 1, "build_info")
	if len(fams) != 1 {
		t.Errorf("%d metric families without state, want only build_info", len(fams))
	}
}
