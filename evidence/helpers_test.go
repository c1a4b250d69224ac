package evidence

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// update rewrites the golden files: go test ./evidence -update
var update = flag.Bool("update", false, "rewrite golden files")

// fastKDF keeps key derivation cheap in the repositories tests create.
var fastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// now is the injected clock of every test.
var now = time.Date(2026, 11, 27, 14, 12, 5, 0, time.UTC)

const day = 24 * time.Hour

// fixture is an app set up for evidence: a directory holding its
// configuration, repository, state directory and backed-up paths.
type fixture struct {
	dir    string
	cfg    *backup.Config
	r      *repo.Repository
	be     *countingBackend
	env    map[string]string
	labels map[string]string // snapshot ID (full and short) -> stable label
}

// appConfig is the configuration of the test app; %[1]s is the fixture
// directory.
const appConfig = `app: peerapp
databases:
  - name: app
    adapter: postgres
    url: postgres://peer@db.internal:5432/peerapp_production
    password: {secret: DATABASE_PASSWORD}
  - name: cache
    adapter: sqlite
    path: %[1]s/data/cache.sqlite3
paths:
  - %[1]s/storage
restic:
  repository: %[1]s/repo
  password: {secret: RESTIC_PASSWORD}
  check_after_backup: true
  check_read_data_subset: 5%%
  retention: {keep_last: 7, keep_daily: 7, keep_weekly: 4, keep_monthly: 6, keep_yearly: 2}
backup:
  schedule: 1d
state:
  path: %[1]s/state
`

// objectivesConfig declares every objective.
const objectivesConfig = `evidence:
  rpo: 26h
  rto: 2h
  drill_max_age: 30d
  check_max_age: 7d
`

// newFixture creates the app's directory, repository and configuration
// (appConfig followed by extra, formatted with the directory). env
// completes the environment LoadConfig sees.
func newFixture(t testing.TB, extra string, env map[string]string) *fixture {
	t.Helper()
	return newFixtureAt(t, "", extra, env)
}

// newFixtureAt is newFixture with the configured repository location
// replaced by location when it is not empty; the test repository itself
// stays in the fixture directory.
func newFixtureAt(t testing.TB, location, extra string, env map[string]string) *fixture {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"data", "storage", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "cache.sqlite3"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fullEnv := map[string]string{"RESTIC_PASSWORD": "evidence-test-password", "DATABASE_PASSWORD": "db-test-password"}
	for k, v := range env {
		fullEnv[k] = v
	}
	path := filepath.Join(dir, "kamal-backup.yml")
	text := appConfig + extra
	if location != "" {
		text = strings.Replace(text, "repository: %[1]s/repo", "repository: "+location, 1)
	}
	text = strings.ReplaceAll(text, "%[1]s", dir)
	text = strings.ReplaceAll(text, "%%", "%")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := backup.LoadConfig(path, lookup(fullEnv), backup.LoadOptions{})
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	lb, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	be := &countingBackend{Backend: lb}
	r, err := repo.Init(context.Background(), be, cfg.RepositoryPassword().Reveal(), repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, cfg: cfg, r: r, be: be, env: fullEnv, labels: map[string]string{}}
}

// lookup turns a map into an environment lookup.
func lookup(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// backupDatabase stores a database snapshot taken at t, labelled in
// golden output as label.
func (f *fixture) backupDatabase(t testing.TB, name, adapter string, at time.Time, label string) *repo.Snapshot {
	t.Helper()
	file := "databases/peerapp/" + name + "/" + adapter + ".dump"
	return f.snapshot(t, file, "dump of "+name+"\n", backup.DatabaseTags("peerapp", name, adapter), at, label)
}

// backupFiles stores a file snapshot taken at t.
func (f *fixture) backupFiles(t testing.TB, at time.Time, label string) *repo.Snapshot {
	t.Helper()
	return f.snapshot(t, "storage/file.txt", "file content\n", backup.FileTags("peerapp", []string{"/srv/peerapp/storage"}), at, label)
}

// snapshot stores data as file in a snapshot with tags taken at t.
func (f *fixture) snapshot(t testing.TB, file, data string, tags []string, at time.Time, label string) *repo.Snapshot {
	t.Helper()
	sn, err := f.r.BackupStream(context.Background(), file, strings.NewReader(data),
		repo.SnapshotOptions{Tags: tags, Host: "peerapp-backup", Time: at})
	if err != nil {
		t.Fatal(err)
	}
	f.labels[sn.ID().String()] = label
	f.labels[sn.ID().Str()] = label
	return sn
}

// daily backs up every source once a day at 03:00 UTC for the days
// before now, skipping the days in skip.
func (f *fixture) daily(t testing.TB, days int, skip ...int) {
	t.Helper()
	base := time.Date(now.Year(), now.Month(), now.Day(), 3, 0, 0, 0, time.UTC)
	for d := days - 1; d >= 0; d-- {
		if containsInt(skip, d) {
			continue
		}
		at := base.Add(-time.Duration(d) * day)
		n := string(rune('a' + d))
		f.backupDatabase(t, "app", "postgres", at, "dbapp-0"+n)
		f.backupDatabase(t, "cache", "sqlite", at.Add(10*time.Second), "cache-0"+n)
		f.backupFiles(t, at.Add(20*time.Second), "files-0"+n)
	}
}

func containsInt(l []int, v int) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// writeRecords writes a passed check two days ago and a successful
// production drill five days ago.
func (f *fixture) writeRecords(t testing.TB) {
	t.Helper()
	sd := f.cfg.StateDir()
	checkAt := now.Add(-2*day + time.Hour)
	if err := sd.WriteRecord(backup.LastCheckRecord, &backup.CheckRecord{
		RecordHeader: backup.NewRecordHeader(backup.KindCheckResult), Status: backup.StatusOK,
		StartedAt: checkAt, FinishedAt: checkAt.Add(4 * time.Second), ReadDataSubset: "5%",
		Output: "using temporary cache\nload indexes\ncheck all packs\ncheck snapshots, trees and blobs\nno errors were found\n",
	}); err != nil {
		t.Fatal(err)
	}
	drillAt := now.Add(-5*day + 2*time.Hour)
	op, out := "deploy", "restored 3 tables, 1204 rows\n"
	if err := sd.WriteRecord(backup.LastDrillRecord, &backup.DrillRecord{
		RecordHeader: backup.NewRecordHeader(backup.KindDrillResult), Status: backup.StatusOK, Scope: "production",
		Operator: &op, RequestedSnapshot: "latest", StartedAt: drillAt, FinishedAt: drillAt.Add(95 * time.Second),
		Databases: []backup.DrillDatabase{
			{Database: "app", Snapshot: "dbapp-0f", Adapter: "postgres", Filename: "/databases/peerapp/app/postgres.pgdump", Target: "peerapp_drill"},
			{Database: "cache", Snapshot: "cache-0f", Adapter: "sqlite", Filename: "/databases/peerapp/cache/sqlite.sqlite3", Target: "/restore/cache.sqlite3"},
		},
		Files: &backup.DrillFiles{Snapshot: "files-0f", Target: "/restore/files"},
		Check: &backup.DrillCheck{Status: backup.StatusOK, Command: "bin/rails runner 'puts User.count'", Output: &out},
		Phases: []backup.DrillPhase{
			phase("resolve", "", drillAt, 0, 2),
			phase("fetch", "app", drillAt, 2, 30),
			phase("restore", "app", drillAt, 30, 60),
			phase("fetch", "cache", drillAt, 60, 62),
			phase("restore", "cache", drillAt, 62, 70),
			phase("restore files", "", drillAt, 70, 85),
			phase("check", "", drillAt, 85, 95),
		},
	}); err != nil {
		t.Fatal(err)
	}
}

// phase is a drill phase from start+from to start+to seconds.
func phase(name, database string, start time.Time, from, to int) backup.DrillPhase {
	return backup.DrillPhase{Name: name, Database: database, StartedAt: start.Add(time.Duration(from) * time.Second),
		FinishedAt: start.Add(time.Duration(to) * time.Second), DurationSeconds: float64(to - from)}
}

// fakeTools is the tool versions seam of the tests: PostgreSQL and
// SQLite installed, MariaDB and rclone not.
func fakeTools(context.Context) map[string]*string {
	pg, restore, sqlite := "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "3.40.1 2022-12-28 14:03:47"
	return map[string]*string{"pg_dump": &pg, "pg_restore": &restore, "sqlite3": &sqlite}
}

// options are Collect's options for the tests: the injected clock, tool
// versions and environment, and no process environment.
func (f *fixture) options() Options {
	return Options{Now: func() time.Time { return now }, ToolVersions: fakeTools, Version: "v1.2.3-test",
		Env: lookup(map[string]string{ImageVersionEnv: "1.2.3"}), Redactor: &redact.Redactor{}}
}

// collect runs Collect with the fixture's options.
func (f *fixture) collect(t testing.TB) *Document {
	t.Helper()
	doc, err := Collect(context.Background(), f.cfg, f.r, f.options())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return doc
}

// render renders doc in format.
func render(t testing.TB, doc *Document, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(doc, format, &b); err != nil {
		t.Fatalf("Render %s: %v", format, err)
	}
	return b.String()
}

// stable replaces what changes from run to run in out: snapshot IDs (by
// their labels) and the fixture directory.
func (f *fixture) stable(out string) string {
	for id, label := range f.labels {
		if len(id) == 64 {
			out = strings.ReplaceAll(out, id, label)
		}
	}
	for id, label := range f.labels {
		out = strings.ReplaceAll(out, id, label)
	}
	return strings.ReplaceAll(out, f.dir, "/srv/peerapp")
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./evidence -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended):\n%s", name, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n- " + wl + "\n+ " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

// countingBackend counts the listings of each file type.
type countingBackend struct {
	backend.Backend
	lists [backend.PackFile + 1]atomic.Int32
}

// List counts and lists.
func (c *countingBackend) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	c.lists[t].Add(1)
	return c.Backend.List(ctx, t, fn)
}

// Create passes on to the local backend, so Init can create it.
func (c *countingBackend) Create(ctx context.Context) error {
	if cr, ok := c.Backend.(backend.Creator); ok {
		return cr.Create(ctx)
	}
	return nil
}
