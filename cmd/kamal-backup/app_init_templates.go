package main

import (
	"fmt"
	"regexp"
	"strings"
)

// starter is the configuration "init" writes for one app and adapter.
type starter struct {
	app, adapter string
}

// nameRuns are runs of characters that host and database names leave out.
var nameRuns = regexp.MustCompile(`[^a-z0-9]+`)

// newStarter returns the starter configuration of app with one database
// of adapter.
func newStarter(app, adapter string) starter {
	return starter{app: app, adapter: adapter}
}

// config is the text of config/kamal-backup.yml, in the shape the Ruby
// kamal-backup's init writes.
func (s starter) config() string {
	user := strings.Trim(nameRuns.ReplaceAllString(s.app, "-"), "-")
	host := user + "-db"
	dbname := strings.Trim(nameRuns.ReplaceAllString(s.app, "_"), "_") + "_production"
	var db string
	switch s.adapter {
	case "mysql":
		db = fmt.Sprintf("    adapter: mysql\n    url: mysql2://%s@%s:3306/%s\n    password:\n      secret: DATABASE_PASSWORD\n", user, host, dbname)
	case "sqlite":
		db = "    adapter: sqlite\n    path: /data/storage/production.sqlite3   # the live file as mounted in the accessory\n"
	default:
		db = fmt.Sprintf("    adapter: postgres\n    url: postgres://%s@%s:5432/%s\n    password:\n      secret: DATABASE_PASSWORD\n", user, host, dbname)
	}
	return fmt.Sprintf(`# kamal-backup: what to back up, where and how often. Every setting, with
# its default, is described in docs/CONFIGURATION.md. Secrets are never
# written here: {secret: NAME} reads the environment variable NAME.
app: %[1]s
accessory: backup
databases:
  - name: app
%[2]spaths:                             # files to back up; SQLite files under them are left to their own snapshot
  - /data/storage
restic:
  repository: s3:https://s3.example.com/%[3]s-backups
  password:
    secret: RESTIC_PASSWORD
  init_if_missing: true
  check_after_backup: true
  check_read_data_subset: 5%%
  retention:
    keep_last: 7
    keep_daily: 7
    keep_weekly: 4
    keep_monthly: 6
    keep_yearly: 2
backup:
  schedule: 1d
`, s.app, db, user)
}

// secrets are the environment variables the accessory needs.
func (s starter) secrets() []string {
	out := []string{"RESTIC_PASSWORD"}
	if s.adapter != "sqlite" {
		out = append(out, "DATABASE_PASSWORD")
	}
	return append(out, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
}

// accessory is the block to add to config/deploy.yml, and the lines for
// .kamal/secrets.
func (s starter) accessory(image, config string) string {
	var env, secrets strings.Builder
	for _, name := range s.secrets() {
		fmt.Fprintf(&env, "        - %s\n", name)
		fmt.Fprintf(&secrets, "%s=$%s\n", name, name)
	}
	volume := strings.Trim(nameRuns.ReplaceAllString(s.app, "_"), "_")
	storage := volume + "_storage:/data/storage:ro   # the app's storage volume (read-only is enough)"
	if s.adapter == "sqlite" {
		storage = volume + "_storage:/data/storage   # the app's storage volume: read-write, SQLite's backup API takes its locks"
	}
	return fmt.Sprintf(`Add the backup accessory to config/deploy.yml:

accessories:
  backup:
    image: %[1]s
    host: 192.0.2.10                  # the server that runs the app (or roles: [web])
    cmd: kamal-backup schedule        # the image's default command, made explicit
    files:
      - %[2]s:/app/config/kamal-backup.yml:ro
    volumes:
      - %[3]s
      - %[4]s_backup_state:/var/lib/kamal-backup   # the state directory: last backup, check and drill
    env:
      secret:
%[5]s
And to .kamal/secrets (from your password manager, never committed):

%[6]s
Then: bin/kamal accessory boot backup
`, image, config, storage, volume, env.String(), secrets.String())
}
