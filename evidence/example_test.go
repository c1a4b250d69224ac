package evidence_test

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
	"github.com/kamal-backup/kamal-backup/evidence"
	"github.com/kamal-backup/kamal-backup/repo"
)

// The evidence of an app whose SQLite database and files were backed up
// (and checked) an hour ago, judged against its recovery objectives: what
// "kamal-backup evidence" prints, here collected through the library. The
// backup drives the sqlite3 program, as in backup's ExampleRunner_Backup.
func ExampleCollect() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "evidence-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Join(dir, "storage"), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "storage", "invoice.pdf"), []byte("%PDF-1.7"), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := exec.Command("sqlite3", filepath.Join(dir, "shop.sqlite3"), "CREATE TABLE orders(id INTEGER);").Run(); err != nil {
		log.Fatal(err)
	}
	config := `app: shop
databases:
  - name: app
    adapter: sqlite
    path: DIR/shop.sqlite3
paths:
  - DIR/storage
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
  init_if_missing: true
  check_after_backup: true
backup:
  schedule: 1d
state:
  path: DIR/state
evidence:
  rpo: 26h
  check_max_age: 7d
`
	path := filepath.Join(dir, "kamal-backup.yml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(config, "DIR", dir)), 0o600); err != nil {
		log.Fatal(err)
	}
	env := map[string]string{"RESTIC_PASSWORD": "correct horse"}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	cfg, err := backup.LoadConfig(path, lookup, backup.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	backedUp := time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)
	runner := &backup.Runner{Config: cfg, Env: lookup, Now: func() time.Time { return backedUp },
		Adapters: backup.NewRegistry(sqlite.New(sqlite.Options{})),
		KDF:      repo.KDFParams{N: 1024, R: 8, P: 1}} // fast for the example; zero calibrates
	if _, err := runner.Backup(ctx, backup.BackupOptions{}); err != nil {
		log.Fatal(err)
	}

	r, err := backup.OpenRepository(ctx, cfg, backup.RepositoryOptions{Env: lookup})
	if err != nil {
		log.Fatal(err)
	}
	doc, err := evidence.Collect(ctx, cfg, r, evidence.Options{
		Now: func() time.Time { return backedUp.Add(time.Hour) },
		// The versions of pg_dump, mariadb-dump and sqlite3; nil runs them.
		ToolVersions: func(context.Context) map[string]*string { return nil },
		Version:      "v1.0.0",
		Env:          lookup,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.Kind, doc.AppName, doc.GeneratedAt.Format(time.RFC3339))
	fmt.Println("latest backup of app:", doc.LatestDatabaseBackups["app"].Value.Time.Format(time.RFC3339))
	fmt.Println("latest file backup:", doc.LatestFileBackup.Value.Time.Format(time.RFC3339))
	fmt.Println("verdict:", doc.Objectives.Verdict)
	for _, reason := range doc.Objectives.Reasons {
		fmt.Println(" ", reason)
	}
	// Render writes the same document as JSON (the contract), Markdown or HTML.
	var md strings.Builder
	if err := evidence.Render(doc, evidence.FormatMarkdown, &md); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.SplitN(md.String(), "\n", 2)[0])
	// Output:
	// evidence shop 2025-03-01T04:00:00Z
	// latest backup of app: 2025-03-01T03:00:00Z
	// latest file backup: 2025-03-01T03:00:00Z
	// verdict: pass
	//   rpo: no backup of database:app for 1h (since 2025-03-01 03:00 UTC), within 26h
	//   check_max_age: the last check succeeded 1h ago (2025-03-01 03:00 UTC), within 1w
	// # Backup evidence for shop
}
