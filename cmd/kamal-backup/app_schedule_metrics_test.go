package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// Tokens of the notification URLs of the monitoring test: secrets.
const (
	monHookToken = "hooktok-8d1e0f6a2b7c4e93"
	monHCUUID    = "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"
)

// monRequest is a request the loopback notification server received.
type monRequest struct {
	path string
	body string
}

// monServer stands for a webhook receiver and healthchecks.
type monServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []monRequest
	got  chan struct{} // a value per request
}

func newMonServer(t *testing.T) *monServer {
	s := &monServer{got: make(chan struct{}, 64)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, monRequest{r.URL.Path, string(body)})
		s.mu.Unlock()
		s.got <- struct{}{}
	}))
	t.Cleanup(s.Close)
	return s
}

// wait returns once n requests were received.
func (s *monServer) wait(t *testing.T, n int) []monRequest {
	t.Helper()
	timeout := time.After(scheduleTimeout)
	for {
		s.mu.Lock()
		reqs := append([]monRequest(nil), s.reqs...)
		s.mu.Unlock()
		if len(reqs) >= n {
			return reqs
		}
		select {
		case <-s.got:
		case <-timeout:
			t.Fatalf("%d notification requests in %v, want %d: %+v", len(reqs), scheduleTimeout, n, reqs)
		}
	}
}

// scrapeMetrics GETs url and parses the Prometheus text format.
func scrapeMetrics(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return parseMetrics(t, resp.Body)
}

// parseMetrics parses the Prometheus text format.
func parseMetrics(t *testing.T, r io.Reader) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

// gauge returns the value of kamal_backup_<name> for source ("" for a
// metric without one); ok is false when there is none.
func gauge(fams map[string]*dto.MetricFamily, name, source string) (float64, bool) {
	for _, m := range fams["kamal_backup_"+name].GetMetric() {
		src := ""
		for _, l := range m.GetLabel() {
			if l.GetName() == "source" {
				src = l.GetValue()
			}
		}
		if src == source {
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// TestOpsScheduleMonitoring runs the schedule with a broken SQLite
// database, metrics served on loopback and written to a file, and
// notifications to a loopback server. The scrape, taken while the
// schedule runs, must show the files backed up and the database failed;
// healthchecks must get /start then /fail and the webhook a failure
// document; neither the repository password nor the URLs' tokens may
// appear in a request or the log.
func TestOpsScheduleMonitoring(t *testing.T) {
	t.Parallel()
	srv := newMonServer(t)
	hook := srv.URL + "/hook/" + monHookToken
	hc := srv.URL + "/hc/" + monHCUUID
	notify := "notify: {on: [failure], webhook: {secret: HOOK_URL}, healthchecks: {secret: HC_URL}}\n"
	a := newOpsSQLiteApp(t, strings.NewReplacer("DIR/data/app.sqlite3", "DIR/data/broken.sqlite3", "state:\n", notify+"state:\n"),
		"HOOK_URL="+hook, "HC_URL="+hc)
	a.write(t, "data/broken.sqlite3", strings.Repeat("not a database\n", 512))
	a.write(t, "textfile/.keep", "")
	promFile := a.path("textfile/kamal_backup.prom")
	s := startSchedule(t, a, "KAMAL_BACKUP_METRICS_LISTEN=127.0.0.1:0", "KAMAL_BACKUP_METRICS_FILE="+promFile)
	s.waitFor(t, "serving metrics")
	addr := ""
	for _, l := range strings.Split(s.log(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "serving metrics" {
			addr = rec.Addr
		}
	}
	s.waitFor(t, "backup failed")
	reqs := srv.wait(t, 3)

	fams := scrapeMetrics(t, "http://"+addr+"/metrics")
	var rec kbackup.BackupRecord
	a.record(t, kbackup.LastBackupRecord, &rec)
	files := rec.Sources[len(rec.Sources)-1]
	if v, _ := gauge(fams, "last_success_timestamp_seconds", "files"); v != float64(files.FinishedAt.UnixNano())/1e9 {
		t.Errorf("files last success %v, recorded %v", v, files.FinishedAt)
	}
	if v, ok := gauge(fams, "last_bytes_added", "files"); !ok || v <= 0 {
		t.Errorf("files bytes added %v %v", v, ok)
	}
	for name, want := range map[string]float64{"last_run_success": 0, "late": 0} {
		if v, ok := gauge(fams, name, "database:app"); !ok || v != want {
			t.Errorf("database %s = %v (%v), want %v", name, v, ok, want)
		}
	}
	if v, ok := gauge(fams, "last_backup_success", ""); !ok || v != 0 {
		t.Errorf("last_backup_success %v %v", v, ok)
	}
	f, err := os.Open(promFile)
	if err != nil {
		t.Fatal(err)
	}
	fromFile := parseMetrics(t, f)
	f.Close()
	if v, ok := gauge(fromFile, "last_run_success", "files"); !ok || v != 1 {
		t.Errorf("metrics file: files last_run_success %v %v", v, ok)
	}
	s.stop(t)

	var paths []string
	for _, r := range reqs {
		paths = append(paths, r.path)
	}
	want := []string{"/hc/" + monHCUUID + "/start", "/hc/" + monHCUUID + "/fail", "/hook/" + monHookToken}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("requests %q, want %q", paths, want)
	}
	var doc kbackup.Notification
	if err := json.Unmarshal([]byte(reqs[2].body), &doc); err != nil || doc.Event != kbackup.EventFailure || doc.App != "notes" ||
		doc.Record == nil || doc.Record.Status != kbackup.StatusFailed || !strings.Contains(doc.Error, "database app") {
		t.Errorf("webhook payload %v: %s", err, reqs[2].body)
	}
	for _, text := range append([]string{s.log()}, reqs[1].body, reqs[2].body) {
		for _, secret := range []string{opsPassword, monHookToken, monHCUUID} {
			if strings.Contains(text, secret) {
				t.Errorf("secret %q in:\n%s", secret, text)
			}
		}
	}
}

// TestOpsScheduleMetricsFlagErrors requires an address in use and a
// metrics file that cannot be written to stop the schedule at once with
// exit 1, before any backup.
func TestOpsScheduleMetricsFlagErrors(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil)
	busy := httptest.NewServer(http.NotFoundHandler())
	defer busy.Close()
	addr := strings.TrimPrefix(busy.URL, "http://")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--metrics-listen", addr}, "metrics: listen on " + addr},
		{[]string{"--metrics-file", a.path("missing/kamal_backup.prom")}, "metrics file: "},
	} {
		res := a.run(t, nil, append([]string{"schedule"}, tc.args...)...)
		if res.code != exitError || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("schedule %s: exit %d, want %d and %q:\n%s", strings.Join(tc.args, " "), res.code, exitError, tc.want, res.output())
		}
	}
	if n := len(a.snapshots(t, "")); n != 0 {
		t.Errorf("%d snapshots written", n)
	}
}
