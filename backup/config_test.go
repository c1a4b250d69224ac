package backup

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// TestReferenceExample checks every value of the reference's full example.
func TestReferenceExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "examples", "reference_full.yml"))
	if err != nil {
		t.Fatal(err)
	}
	env := fakeEnv{"DATABASE_PASSWORD": "db-pw-1", "RESTIC_PASSWORD": "restic-pw-1", "U": "backup", "P": "rest-pw-1"}
	cfg := mustLoad(t, string(data), env, LoadOptions{ShapeOnly: false, Local: true})
	if cfg.App != "chatwithwork" || cfg.Accessory != "backup" || cfg.Hostname() != "chatwithwork-backup" {
		t.Errorf("app %q accessory %q host %q", cfg.App, cfg.Accessory, cfg.Hostname())
	}
	dbs := cfg.Databases()
	wantDBs := []Database{
		{Name: "app", Adapter: "postgres", URL: redact.NewSecret("postgres://user@db:5432/app_production"), Password: redact.NewSecret("db-pw-1")},
		{Name: "cache", Adapter: "sqlite", Path: "/data/storage/production.sqlite3"},
	}
	if diff := cmp.Diff(wantDBs, dbs); diff != "" {
		t.Errorf("databases (-want +got):\n%s", diff)
	}
	r := cfg.Restic
	if r.Repository.Reveal() != "s3:https://s3.example.com/app-backups" || r.Password.Reveal() != "restic-pw-1" ||
		r.RESTUsername.Reveal() != "backup" || r.RESTPassword.Reveal() != "rest-pw-1" ||
		!r.InitIfMissing || !r.CheckAfterBackup || r.CheckReadDataSubset != "5%" || !r.ForgetAfterBackup {
		t.Errorf("restic %+v", r)
	}
	if diff := cmp.Diff(retention.Policy{Last: 7, Daily: 7, Weekly: 4, Monthly: 6, Yearly: 2}, cfg.Policy()); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if cfg.Backup != (ScheduleConfig{Interval: 24 * time.Hour, Enabled: true}) {
		t.Errorf("backup %+v", cfg.Backup)
	}
	if len(cfg.Warnings) != 2 || !strings.HasSuffix(cfg.Warnings[0], "restic.repository_file: ignored: restic.repository is set too") {
		t.Errorf("warnings %q", cfg.Warnings)
	}
	// Loaded for the accessory (not Local) the paths are the backup paths.
	cfg = mustLoad(t, string(data), env, LoadOptions{ShapeOnly: true})
	wantPaths := []PathConfig{{Path: "/data/storage"}, {Path: "/rails/storage", Exclude: []string{"/rails/storage/*.sqlite3"}}}
	if diff := cmp.Diff(wantPaths, cfg.Paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	if cfg.State.Path != DefaultStateDir || cfg.StateDir().Path != DefaultStateDir {
		t.Errorf("state %q", cfg.State.Path)
	}
	wantEx := []string{"/rails/storage/*.sqlite3", "/data/storage/production.sqlite3", "/data/storage/production.sqlite3-wal", "/data/storage/production.sqlite3-shm", "/data/storage/production.sqlite3-journal"}
	if got := cfg.FileExcludes(); !slices.Equal(got, wantEx) {
		t.Errorf("excludes %q, want %q", got, wantEx)
	}
}

// TestRubyBehaviour checks the Ruby kamal-backup's documented defaults and
// spellings, one setting at a time.
func TestRubyBehaviour(t *testing.T) {
	load := func(t *testing.T, extra string) *Config {
		t.Helper()
		return mustLoad(t, validBase+extra, baseEnv(), LoadOptions{ShapeOnly: true})
	}
	t.Run("defaults", func(t *testing.T) {
		cfg := load(t, "")
		if cfg.Accessory != "backup" || !cfg.Restic.ForgetAfterBackup || cfg.Restic.InitIfMissing || cfg.Restic.CheckAfterBackup ||
			cfg.Backup.Interval != 24*time.Hour || !cfg.Backup.Enabled || cfg.Backup.StartDelay != 0 || cfg.State.Path != "/var/lib/kamal-backup" ||
			len(cfg.Paths) != 0 || cfg.Notify.Configured() || !slices.Equal(cfg.Notify.On, defaultNotifyOn) || cfg.Evidence != (EvidenceConfig{}) {
			t.Errorf("defaults: %+v", cfg)
		}
	})
	t.Run("retention defaults apply per rule", func(t *testing.T) {
		cfg := load(t, "  retention: {keep_daily: 14, keep_yearly: 0, keep_hourly: 24, keep_within_daily: 1m}\n")
		want := retention.Policy{Last: 7, Hourly: 24, Daily: 14, Weekly: 4, Monthly: 6, WithinDaily: retention.Duration{Months: 1}}
		if diff := cmp.Diff(want, cfg.Policy()); diff != "" {
			t.Errorf("policy (-want +got):\n%s", diff)
		}
	})
	t.Run("forget after backup unless explicitly false", func(t *testing.T) {
		for _, v := range []string{"false", "0", "no", "n", "off", "OFF", "No", "'0'"} {
			if load(t, "  forget_after_backup: "+v+"\n").Restic.ForgetAfterBackup {
				t.Errorf("%s kept forget on", v)
			}
		}
		for _, v := range []string{"true", "1", "yes", "y", "on", "TRUE", "~"} {
			if !load(t, "  forget_after_backup: "+v+"\n").Restic.ForgetAfterBackup {
				t.Errorf("%s turned forget off", v)
			}
		}
	})
	t.Run("adapter aliases", func(t *testing.T) {
		for alias, want := range map[string]string{"postgresql": "postgres", "PostgreSQL": "postgres"} {
			cfg := mustLoad(t, strings.Replace(validBase, "adapter: postgres", "adapter: "+alias, 1), baseEnv(), LoadOptions{})
			if got := cfg.Databases()[0].Adapter; got != want {
				t.Errorf("%s: adapter %q", alias, got)
			}
		}
		y := "app: a\ndatabases:\n  - {name: a, adapter: mysql2, url: 'mysql2://a@db/a'}\n  - {name: b, adapter: mariadb, url: 'mariadb://b@db/b'}\n" +
			"  - {name: c, adapter: sqlite3, database: /x.sqlite3}\nrestic: {repository: /r, password: {secret: P}}\n"
		cfg := mustLoad(t, y, fakeEnv{}, LoadOptions{ShapeOnly: true})
		var got []string
		for _, d := range cfg.Databases() {
			got = append(got, d.Adapter+":"+d.Path)
		}
		if want := []string{"mysql:", "mysql:", "sqlite:/x.sqlite3"}; !slices.Equal(got, want) {
			t.Errorf("adapters %q, want %q", got, want)
		}
	})
	t.Run("schedule spellings", func(t *testing.T) {
		for in, want := range map[string]time.Duration{"1d": 24 * time.Hour, "6h": 6 * time.Hour, "30m": 30 * time.Minute,
			"90s": 90 * time.Second, "1w": 7 * 24 * time.Hour, "3600": time.Hour, "'86400'": 24 * time.Hour} {
			if got := load(t, "backup: {schedule: "+in+", start_delay: 0}\n").Backup.Interval; got != want {
				t.Errorf("%s: %v, want %v", in, got, want)
			}
		}
	})
	t.Run("single path and restore_from values", func(t *testing.T) {
		cfg := load(t, "paths: /data/storage\nrestore_from: /prod/storage\n")
		if len(cfg.Paths) != 1 || cfg.Paths[0].Path != "/data/storage" || !slices.Equal(cfg.RestoreFrom, []string{"/prod/storage"}) {
			t.Errorf("paths %+v restore_from %q", cfg.Paths, cfg.RestoreFrom)
		}
		if cfg := load(t, "paths:\n"); cfg.Paths != nil && len(cfg.Paths) != 0 {
			t.Errorf("null paths: %+v", cfg.Paths)
		}
	})
	t.Run("evidence and notify", func(t *testing.T) {
		cfg := load(t, "evidence: {rpo: 1d, rto: 4h, drill_max_age: 13w, check_max_age: 7d}\nnotify: {webhook: {secret: HOOK}, on: [failure]}\n")
		want := EvidenceConfig{RPO: 24 * time.Hour, RTO: 4 * time.Hour, DrillMaxAge: 13 * 7 * 24 * time.Hour, CheckMaxAge: 7 * 24 * time.Hour}
		if cfg.Evidence != want {
			t.Errorf("evidence %+v", cfg.Evidence)
		}
		if n := cfg.Notify; !slices.Equal(n.On, []string{EventFailure}) || !slices.Equal(cfg.Summary().Notify, []string{"on", "webhook"}) {
			t.Errorf("notify %+v, summary %q", n, cfg.Summary().Notify)
		}
	})
}

// TestLocalConfig checks the local override of the Ruby test suite: the
// local app, SQLite database, paths and restore_from win.
func TestLocalConfig(t *testing.T) {
	local := `app: local-app
databases:
  - name: app
    adapter: sqlite
    path: tmp/development.sqlite3
paths:
  - storage
  - tmp/uploads
restore_from:
  - /data/storage
  - /data/uploads
`
	dir := t.TempDir()
	path := configDir(t, dir, validBase+"paths: [/data/storage]\n", local)
	cfg, err := LoadConfig(path, baseEnv().lookup, LoadOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.App != "local-app" || cfg.Databases()[0].Adapter != "sqlite" || cfg.Databases()[0].Path != "tmp/development.sqlite3" ||
		!cfg.Local() || cfg.State.Path != DefaultLocalStateDir {
		t.Errorf("local config %+v", cfg)
	}
	var paths []string
	for _, p := range cfg.Paths {
		paths = append(paths, p.Path)
	}
	if !slices.Equal(paths, []string{"storage", "tmp/uploads"}) || !slices.Equal(cfg.RestoreFrom, []string{"/data/storage", "/data/uploads"}) {
		t.Errorf("paths %q restore_from %q", paths, cfg.RestoreFrom)
	}

	// Without local paths, production paths are the restore sources and
	// never the local targets.
	path = configDir(t, t.TempDir(), validBase+"paths: [/data/storage]\n", "state: {path: tmp/state}\n")
	cfg, err = LoadConfig(path, baseEnv().lookup, LoadOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Paths) != 0 || !slices.Equal(cfg.RestoreFrom, []string{"/data/storage"}) || cfg.State.Path != "tmp/state" {
		t.Errorf("paths %+v restore_from %q state %q", cfg.Paths, cfg.RestoreFrom, cfg.State.Path)
	}
	if len(cfg.Warnings) != 1 || !strings.HasPrefix(cfg.Warnings[0], "databases: the local file lists none") {
		t.Errorf("warnings %q", cfg.Warnings)
	}

	// An explicit local path; a missing local file is no error.
	other := filepath.Join(t.TempDir(), "other.yml")
	if err := os.WriteFile(other, []byte("app: other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err := LoadConfig(path, baseEnv().lookup, LoadOptions{Local: true, LocalPath: other}); err != nil || cfg.App != "other" {
		t.Errorf("LocalPath: %v", err)
	}
	if _, err := LoadConfig(path, baseEnv().lookup, LoadOptions{Local: true, LocalPath: other + ".missing"}); err != nil {
		t.Errorf("missing local file: %v", err)
	}
	if _, err := LoadConfig(path+".missing", baseEnv().lookup, LoadOptions{}); err == nil || !strings.HasPrefix(err.Error(), "read config: ") {
		t.Errorf("missing main file: %v", err)
	}
}

// TestValidateAfterChanges checks Validate on a Config changed after
// loading, and on a Config not made by LoadConfig.
func TestValidateAfterChanges(t *testing.T) {
	cfg := mustLoad(t, validBase, baseEnv(), LoadOptions{})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.Paths = append(cfg.Paths, PathConfig{Path: "/boot"})
	cfg.Backup.Interval = 0
	want := []string{
		"paths[0]: /boot is a suspicious backup path (back up the mounted volume instead, or write {path: /boot, allow_suspicious: true})",
		"backup.schedule: must be longer than zero (write seconds or a whole number with s, m, h, d or w, such as 30m, 6h or 1d)",
	}
	if got := errorLines(cfg.Validate()); !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
	var zero Config
	if err := zero.Validate(); err == nil {
		t.Error("the zero Config validates")
	}
	if zero.Redactor() == nil || zero.RepositoryDisplay() != "" {
		t.Error("zero Config accessors")
	}
}

// TestSummaryThroughRedactor checks that the summary's JSON keeps its
// shape when printed through a redacting writer: no key looks secret.
func TestSummaryThroughRedactor(t *testing.T) {
	y := validBase + "  rest: {username: {secret: U}, password: {secret: P}}\n"
	env := baseEnv()
	env["U"], env["P"] = "backup", "rest-pw-2"
	cfg := mustLoad(t, y, env, LoadOptions{})
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Redactor().Redact(string(js)); got != string(js) {
		t.Errorf("redacting the summary changed it:\n%s\n%s", js, got)
	}
	var s Summary
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	if s.Kind != "config" || s.SchemaVersion != 1 || len(s.Restic.Sources) != 4 || s.Restic.Sources[3].Env != "P" {
		t.Errorf("summary %+v", s)
	}
}
