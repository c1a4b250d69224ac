package metrics

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// stubAdapter is a postgres adapter whose dumps are fixed bytes, or fail
// while fail is set.
type stubAdapter struct {
	mu   sync.Mutex
	fail bool
}

func (a *stubAdapter) Name() string { return "postgres" }
func (a *stubAdapter) Ext() string  { return "pgdump" }
func (a *stubAdapter) Dump(context.Context, backup.Database) (io.ReadCloser, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail {
		return nil, errors.New("the database is down")
	}
	return io.NopCloser(strings.NewReader(strings.Repeat("INSERT INTO t VALUES (1);\n", 100))), nil
}
func (a *stubAdapter) Restore(context.Context, backup.Database, io.Reader) error {
	return errors.ErrUnsupported
}
func (a *stubAdapter) Reset(context.Context, backup.Database) error { return errors.ErrUnsupported }
func (a *stubAdapter) Describe(db backup.Database) backup.Target {
	return backup.Target{Adapter: "postgres", Database: db.Name}
}

func (a *stubAdapter) setFail(b bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail = b
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

// lateNotifier counts late events.
type lateNotifier struct {
	mu   sync.Mutex
	late int
}

func (n *lateNotifier) Notify(ev backup.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ev.Kind == backup.EventLate {
		n.late++
	}
}

// TestScheduleLateMetric runs the schedule with a fake clock: one
// backup, then failing ones, until the database is late (1.5 daily
// intervals after its last success). The metrics, served over loopback
// and written to a file after every status change, must follow: last
// success at the first run, late 0 until 36 h, then 1, with one late
// event.
func TestScheduleLateMetric(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "kamal-backup.yml")
	yml := "app: shop\ndatabases: [{name: app, adapter: postgres, url: 'postgres://shop@db/shop'}]\n" +
		"restic: {repository: " + filepath.Join(dir, "repo") + ", password: {secret: PW}}\n" +
		"state: {path: " + filepath.Join(dir, "state") + "}\n"
	if err := os.WriteFile(cfgPath, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(name string) (string, bool) { return map[string]string{"PW": "metrics-pw-77"}[name], name == "PW" }
	cfg, err := backup.LoadConfig(cfgPath, env, backup.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	be, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	kdf := repo.KDFParams{N: 1024, R: 8, P: 1}
	if _, err := repo.Init(t.Context(), be, "metrics-pw-77", repo.InitOptions{KDF: kdf}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: t0}
	adapter := &stubAdapter{}
	r := &backup.Runner{Config: cfg, Adapters: backup.NewRegistry(adapter), Now: clk.now, KDF: kdf}
	m := New(Options{App: cfg.App, State: cfg.StateDir(), Now: clk.now})
	srv, err := m.Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	url := "http://" + srv.Addr().String() + "/metrics"
	file := filepath.Join(dir, "textfile", "kamal_backup.prom")
	if err := os.Mkdir(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := &lateNotifier{}
	var scrapes []map[string]*dto.MetricFamily
	err = r.Schedule(ctx, backup.ScheduleOptions{Sleep: clk.sleep, Notifier: n,
		OnStatus: func(st backup.ScheduleStatus) {
			m.SetSchedule(st)
			if err := m.WriteFile(file); err != nil {
				t.Error(err)
			}
			scrapes = append(scrapes, scrape(t, url))
		},
		AfterBackup: func(rep *backup.BackupReport, _ error) {
			adapter.setFail(true)
			if clk.now().Sub(t0) >= 48*time.Hour {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	// Statuses: at the start, after the runs at 0 h and 24 h, at 36 h
	// (late), after the run at 48 h.
	if len(scrapes) != 5 {
		t.Fatalf("%d status changes, want 5", len(scrapes))
	}
	src := []string{"source", "database:app"}
	firstRun := scrapes[1]
	wantValue(t, firstRun, float64(t0.Unix()), "last_success_timestamp_seconds", src...)
	if added, _ := value(firstRun, "last_bytes_added", src...); added <= 0 {
		t.Errorf("bytes added by the first run: %v", added)
	}
	wantValue(t, firstRun, 1, "last_backup_success")
	wantValue(t, scrapes[2], 0, "late", src...)
	wantValue(t, scrapes[2], 0, "last_run_success", src...)
	wantValue(t, scrapes[3], 1, "late", src...)
	wantValue(t, scrapes[3], 36*3600, "backup_age_seconds", src...)
	wantValue(t, scrapes[4], 1, "late", src...)
	if n.late != 1 {
		t.Errorf("%d late events, want 1", n.late)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fams := parse(t, f)
	wantValue(t, fams, 1, "late", src...)
	wantValue(t, fams, float64(t0.Unix()), "last_success_timestamp_seconds", src...)
	wantValue(t, fams, 0, "last_backup_success")
}
