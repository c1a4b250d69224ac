package backup

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// TestPrecedence checks, setting by setting, that the local file overrides
// the main file and the environment overrides both.
func TestPrecedence(t *testing.T) {
	replace := func(old, new string) func(string) string {
		return func(s string) string { return strings.Replace(s, old, new, 1) }
	}
	appendYAML := func(y string) func(string) string { return func(s string) string { return s + y } }
	cases := []struct {
		name  string
		main  func(string) string // changes validBase to set the main file's value
		local string              // sets the local file's value
		env   map[string]string   // sets the environment's value
		get   func(*Config) string
		want  [3]string // with main, main+local, main+local+env
	}{
		{
			name: "app", main: replace("app: shop", "app: main"), local: "app: local\n",
			env: map[string]string{"APP_NAME": "env"},
			get: func(c *Config) string { return c.App }, want: [3]string{"main", "local", "env"},
		},
		{
			name: "accessory", main: appendYAML("accessory: main\n"), local: "accessory: local\n",
			env: map[string]string{"KAMAL_BACKUP_ACCESSORY": "env"},
			get: func(c *Config) string { return c.Accessory }, want: [3]string{"main", "local", "env"},
		},
		{
			name: "schedule", main: appendYAML("backup: {schedule: 1d}\n"), local: "backup: {schedule: 6H}\n",
			env: map[string]string{"BACKUP_SCHEDULE_SECONDS": "1800"},
			get: func(c *Config) string { return c.Backup.Interval.String() }, want: [3]string{"24h0m0s", "6h0m0s", "30m0s"},
		},
		{
			name: "enabled", main: appendYAML("backup: {enabled: false}\n"), local: "backup: {enabled: yes}\n",
			env: map[string]string{"BACKUP_ENABLED": "off"},
			get: func(c *Config) string { return strconv.FormatBool(c.Backup.Enabled) }, want: [3]string{"false", "true", "false"},
		},
		{
			name: "keep_daily", main: appendYAML("  retention: {keep_daily: 1}\n"), local: "restic: {retention: {keep_daily: 2}}\n",
			env: map[string]string{"RESTIC_KEEP_DAILY": "3"},
			get: func(c *Config) string { return strconv.Itoa(c.Policy().Daily) }, want: [3]string{"1", "2", "3"},
		},
		{
			name: "forget after backup", main: appendYAML("  forget_after_backup: n\n"), local: "restic: {forget_after_backup: 1}\n",
			env: map[string]string{"RESTIC_FORGET_AFTER_BACKUP": "NO"},
			get: func(c *Config) string { return strconv.FormatBool(c.Restic.ForgetAfterBackup) }, want: [3]string{"false", "true", "false"},
		},
		{
			name: "state dir", main: appendYAML("state: {path: /main}\n"), local: "state: {path: /local}\n",
			env: map[string]string{"KAMAL_BACKUP_STATE_DIR": "/env"},
			get: func(c *Config) string { return c.State.Path }, want: [3]string{"/main", "/local", "/env"},
		},
		{
			name: "repository", main: replace("/srv/repo", "/main"), local: "restic: {repository_file: {dir}/repo-file}\n",
			env: map[string]string{"RESTIC_REPOSITORY": "/env"},
			get: func(c *Config) string { return c.Repository().Reveal() }, want: [3]string{"/main", "/local", "/env"},
		},
		{
			name: "restic password", main: replace("RESTIC_PASSWORD}", "PW_MAIN}"), local: "restic: {password: {command: echo local}}\n",
			env: map[string]string{"RESTIC_PASSWORD": "env"},
			get: func(c *Config) string { return c.RepositoryPassword().Reveal() }, want: [3]string{"main", "local", "env"},
		},
		{
			name: "database url", main: replace("postgres://shop@", "postgres://main@"),
			local: "databases: [{name: app, adapter: postgres, url: 'postgres://local@db/shop'}]\n",
			env:   map[string]string{"DATABASE_URL": "postgresql://env@db/shop"},
			get: func(c *Config) string {
				u := c.Databases()[0].URL.Reveal()
				return u[strings.Index(u, "//")+2 : strings.Index(u, "@")]
			},
			want: [3]string{"main", "local", "env"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for level := range 3 {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "repo-file"), []byte("/local\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				env := baseEnv()
				env["PW_MAIN"] = "main"
				local := ""
				if level >= 1 {
					local = strings.ReplaceAll(tc.local, "{dir}", dir)
				}
				for k, v := range tc.env {
					env[k] = v
					if level < 2 {
						delete(env, k)
					}
				}
				opts := LoadOptions{Local: true, RunCommand: func(cmd string) (string, error) { return strings.TrimPrefix(cmd, "echo "), nil }}
				cfg, err := LoadConfig(configDir(t, dir, tc.main(validBase), local), env.lookup, opts)
				if err != nil {
					t.Fatalf("level %d: %v", level, err)
				}
				if got := tc.get(cfg); got != tc.want[level] {
					t.Errorf("level %d (main, local, env): got %q, want %q", level, got, tc.want[level])
				}
			}
		})
	}
}

// TestEnvironmentOverrides checks the remaining override variables.
func TestEnvironmentOverrides(t *testing.T) {
	env := baseEnv()
	for k, v := range map[string]string{
		"BACKUP_START_DELAY_SECONDS":    "30",
		"BACKUP_ENABLED":                "false",
		"RESTIC_CHECK_AFTER_BACKUP":     "yes",
		"RESTIC_INIT_IF_MISSING":        "on",
		"RESTIC_CHECK_READ_DATA_SUBSET": "1/7",
		"RESTIC_KEEP_LAST":              "1",
		"RESTIC_KEEP_HOURLY":            "2",
		"RESTIC_KEEP_WEEKLY":            "3",
		"RESTIC_KEEP_MONTHLY":           "4",
		"RESTIC_KEEP_YEARLY":            "0",
		"RESTIC_REST_USERNAME":          "backup",
		"RESTIC_REST_PASSWORD":          "rest-password-1",
		"PGPASSWORD":                    "pg-password-1",
	} {
		env[k] = v
	}
	cfg := mustLoad(t, validBase, env, LoadOptions{})
	if cfg.Backup.StartDelay != 30*time.Second || cfg.Backup.Enabled || !cfg.Restic.CheckAfterBackup ||
		!cfg.Restic.InitIfMissing || cfg.Restic.CheckReadDataSubset != "1/7" {
		t.Errorf("backup %+v restic %+v", cfg.Backup, cfg.Restic)
	}
	want := retention.Policy{Last: 1, Hourly: 2, Daily: 7, Weekly: 3, Monthly: 4, Yearly: 0}
	if diff := cmp.Diff(want, cfg.Policy()); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if cfg.Restic.RESTUsername.Reveal() != "backup" || cfg.Restic.RESTPassword.Reveal() != "rest-password-1" {
		t.Error("REST credentials not taken from the environment")
	}
	if got := cfg.Databases()[0].Password.Reveal(); got != "pg-password-1" {
		t.Errorf("PGPASSWORD did not override the single database's password: %q", got)
	}
	if !slices.ContainsFunc(cfg.Warnings, func(w string) bool { return strings.HasPrefix(w, "PGPASSWORD overrides databases[0].password") }) {
		t.Errorf("no override warning: %q", cfg.Warnings)
	}
}

// TestEnvironmentOnly loads a configuration without a file, as the Ruby
// kamal-backup's environment-only setup works.
func TestEnvironmentOnly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "production.sqlite3")
	if err := os.WriteFile(db, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		env         fakeEnv
		adapter     string
		wantEnv     []string
		wantPwd     string
		wantPathURL string
	}{
		{env: fakeEnv{"DATABASE_URL": "postgresql://app@db/app", "PGPASSWORD": "pw-1234"}, adapter: "postgres", wantPwd: "pw-1234", wantPathURL: "postgresql://app@db/app"},
		{env: fakeEnv{"DATABASE_URL": "mysql2://app@db/app", "MYSQL_PWD": "pw-5678", "PGPASSWORD": "not-this"}, adapter: "mysql", wantPwd: "pw-5678", wantPathURL: "mysql2://app@db/app"},
		{env: fakeEnv{"SQLITE_DATABASE_PATH": db}, adapter: "sqlite", wantPathURL: db},
		{env: fakeEnv{"DATABASE_ADAPTER": "postgresql", "PGDATABASE": "app", "PGHOST": "db", "PGPASSWORD": "pw"}, adapter: "postgres",
			wantEnv: []string{"PGHOST=db", "PGDATABASE=app"}, wantPwd: "pw"},
	}
	for _, tc := range cases {
		t.Run(tc.adapter, func(t *testing.T) {
			env := fakeEnv{"APP_NAME": "shop", "RESTIC_REPOSITORY": "/srv/repo", "RESTIC_PASSWORD": "restic-pw"}
			for k, v := range tc.env {
				env[k] = v
			}
			cfg, err := LoadConfig("", env.lookup, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			dbs := cfg.Databases()
			if len(dbs) != 1 || dbs[0].Name != "app" || dbs[0].Adapter != tc.adapter {
				t.Fatalf("databases %+v", dbs)
			}
			if got := dbs[0].URL.Reveal() + dbs[0].Path; got != tc.wantPathURL {
				t.Errorf("url/path %q, want %q", got, tc.wantPathURL)
			}
			if dbs[0].Password.Reveal() != tc.wantPwd {
				t.Errorf("password %q, want %q", dbs[0].Password.Reveal(), tc.wantPwd)
			}
			if !slices.Equal(dbs[0].Env, tc.wantEnv) {
				t.Errorf("env %q, want %q", dbs[0].Env, tc.wantEnv)
			}
		})
	}
}

// TestSeveralDatabasesAndEnvironment checks the variables that describe
// one database when several are configured: ambiguous ones are ignored
// with a warning, passwords fill in missing ones only.
func TestSeveralDatabasesAndEnvironment(t *testing.T) {
	yaml := `app: shop
databases:
  - {name: app, adapter: postgres, url: 'postgres://app@db/app', password: {secret: APP_PW}}
  - {name: queue, adapter: postgres, url: 'postgres://app@db/queue'}
  - {name: stats, adapter: mysql, url: 'mysql://app@db/stats'}
restic: {repository: /srv/repo, password: {secret: RESTIC_PASSWORD}}
`
	env := fakeEnv{"APP_PW": "app-pw", "RESTIC_PASSWORD": "r-pw", "PGPASSWORD": "pg-pw", "DATABASE_URL": "postgres://x@y/z"}
	cfg := mustLoad(t, yaml, env, LoadOptions{})
	var got []string
	for _, d := range cfg.Databases() {
		got = append(got, d.Name+"="+d.Password.Reveal()+"@"+d.URL.Reveal())
	}
	want := []string{"app=app-pw@postgres://app@db/app", "queue=pg-pw@postgres://app@db/queue", "stats=@mysql://app@db/stats"}
	if !slices.Equal(got, want) {
		t.Errorf("databases %q, want %q", got, want)
	}
	if !slices.Equal(cfg.Warnings, []string{"DATABASE_URL is ignored: 3 databases are configured (set url or path per database)"}) {
		t.Errorf("warnings %q", cfg.Warnings)
	}
}

// TestEnvironmentRepositoryFile: RESTIC_REPOSITORY_FILE names a file
// whose first line is the repository, overriding the file's setting.
func TestEnvironmentRepositoryFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "repository")
	if err := os.WriteFile(f, []byte("/srv/from-file\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := baseEnv()
	env["RESTIC_REPOSITORY_FILE"] = f
	cfg := mustLoad(t, validBase, env, LoadOptions{})
	if got := cfg.Repository().Reveal(); got != "/srv/from-file" {
		t.Errorf("repository %q, want /srv/from-file from RESTIC_REPOSITORY_FILE", got)
	}
}
