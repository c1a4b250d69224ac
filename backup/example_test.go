package backup_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/repo"
)

// An app's SQLite database and its uploads backed up as
// "kamal-backup backup" does it: the configuration is read from
// config/kamal-backup.yml (plus the environment), the Runner creates the
// repository (init_if_missing), streams the database's online backup
// into one snapshot and the files into another, and records the run in
// the state directory. It needs the sqlite3 program, which the SQLite
// adapter drives.
func ExampleRunner_Backup() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "backup-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "storage", "production.sqlite3")
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := exec.Command("sqlite3", db, "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('hello');").Run(); err != nil {
		log.Fatal(err)
	}

	config := `app: shop
databases:
  - name: app
    adapter: sqlite
    path: DIR/storage/production.sqlite3
paths:
  - DIR/storage
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
  init_if_missing: true
  check_after_backup: true
state:
  path: DIR/state
`
	path := filepath.Join(dir, "kamal-backup.yml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(config, "DIR", dir)), 0o600); err != nil {
		log.Fatal(err)
	}
	// Secrets come from the environment (here a map); they never appear
	// in records, logs or errors.
	env := map[string]string{"RESTIC_PASSWORD": "correct horse"}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	cfg, err := backup.LoadConfig(path, lookup, backup.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}

	runner := &backup.Runner{
		Config:   cfg,
		Adapters: backup.NewRegistry(sqlite.New(sqlite.Options{})),
		Env:      lookup,
		Now:      func() time.Time { return time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC) },
		KDF:      repo.KDFParams{N: 1024, R: 8, P: 1}, // fast for the example; zero calibrates
	}
	rec, err := runner.Backup(ctx, backup.BackupOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", rec.Status)
	for _, d := range rec.Databases {
		fmt.Println("database", d.Database, d.Adapter, d.Tags)
	}
	fmt.Println("files", rec.Files.Tags[:3])

	// The same result is kept in the state directory for list, evidence
	// and the schedule.
	var last backup.BackupRecord
	if _, err := cfg.StateDir().ReadRecord(backup.LastBackupRecord, &last); err != nil {
		log.Fatal(err)
	}
	fmt.Println("recorded:", last.Kind, last.Status, last.FinishedAt.Format(time.RFC3339))
	// Output:
	// status: ok
	// database app sqlite [kamal-backup app:shop type:database database:app adapter:sqlite]
	// files [kamal-backup app:shop type:files]
	// recorded: backup_result ok 2025-03-01T03:00:00Z
}

// LoadConfig reads config/kamal-backup.yml in the Ruby kamal-backup's
// shape, with the documented defaults for what it leaves out (here the
// other retention rules); the environment overrides it (here
// DATABASE_URL), and secrets print as [REDACTED] however the Config is
// printed. ShapeOnly checks a configuration meant for another machine
// without looking for its files or reading its secrets.
func ExampleLoadConfig() {
	dir, err := os.MkdirTemp("", "config-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "kamal-backup.yml")
	config := `app: shop
databases:
  - name: app
    adapter: postgresql
    url: postgres://shop@db:5432/shop_production
restic:
  repository: s3:https://s3.example.com/backups/shop
  password: {secret: RESTIC_PASSWORD}
  retention: {keep_daily: 14}
backup:
  schedule: 6h
`
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		log.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": "postgres://shop:s3cret@db-2:5432/shop_production"}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	cfg, err := backup.LoadConfig(path, lookup, backup.LoadOptions{ShapeOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, db := range cfg.Databases() {
		fmt.Println(db.Name, db.Adapter, db.URL)
	}
	fmt.Println("host:", cfg.Hostname())
	fmt.Println("every:", backup.FormatSchedule(cfg.Backup.Interval))
	fmt.Println("retention:", cfg.Policy())
	// Output:
	// app postgres [REDACTED]
	// host: shop-backup
	// every: 6h
	// retention: keep 7 latest, 14 daily, 4 weekly, 6 monthly, 2 yearly snapshots
}
