package backup_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// TestBackupSQLiteEndToEnd backs up a real SQLite database living under a
// backed-up path with the real adapter, and reads the result back with
// restic as the Ruby kamal-backup would.
func TestBackupSQLiteEndToEnd(t *testing.T) {
	sqlite3 := testenv.Tool(t, "sqlite3")
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(storage, "production.sqlite3")
	testenv.RunTool(t, nil, "", sqlite3, "-batch", "-bail", "-init", "/dev/null", db,
		"PRAGMA journal_mode=WAL; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('first'), ('second');")
	if err := os.WriteFile(filepath.Join(storage, "avatar.png"), []byte("png"), 0o644); err != nil {
		t.Fatal(err)
	}
	repoDir, state := filepath.Join(dir, "repo"), filepath.Join(dir, "state")
	const password = "sqlite-repo-pw"
	cfgPath := filepath.Join(dir, "kamal-backup.yml")
	yaml := fmt.Sprintf(`app: peerapp
databases:
  - name: app
    adapter: sqlite
    path: %s
paths: [%s]
restic:
  repository: %s
  password: {secret: RESTIC_PASSWORD}
  check_after_backup: true
state:
  path: %s
`, db, storage, repoDir, state)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"RESTIC_PASSWORD": password}
	cfg, err := backup.LoadConfig(cfgPath, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, backup.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	be, err := local.Open(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Init(t.Context(), be, password, repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}}); err != nil {
		t.Fatal(err)
	}
	r := &backup.Runner{Config: cfg, Adapters: backup.NewRegistry(sqlite.New(sqlite.Options{Sqlite3: sqlite3, TempDir: t.TempDir()}))}
	if problems := r.Validate(t.Context()); len(problems) > 0 {
		t.Fatalf("Validate: %v", problems)
	}
	rec, err := r.Backup(t.Context(), backup.BackupOptions{})
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if len(rec.Databases) != 1 || rec.Files == nil {
		t.Fatalf("record %+v", rec)
	}

	restic := func(args ...string) []byte {
		return testenv.RunTool(t, []string{"RESTIC_PASSWORD=" + password, "RESTIC_REPOSITORY=" + repoDir}, "",
			testenv.Restic(t), append([]string{"--no-cache"}, args...)...)
	}
	var snaps []struct {
		Tags     []string `json:"tags"`
		Hostname string   `json:"hostname"`
	}
	if err := json.Unmarshal(restic("snapshots", "--json", "--tag", "type:database"), &snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].Hostname != "peerapp-backup" || strings.Join(snaps[0].Tags, " ") != "kamal-backup app:peerapp type:database database:app adapter:sqlite" {
		t.Fatalf("database snapshots %+v", snaps)
	}
	restored := filepath.Join(dir, "restored.sqlite3")
	if err := os.WriteFile(restored, restic("dump", "--tag", "database:app", "latest", "/databases/peerapp/app/sqlite.sqlite3"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := testenv.RunTool(t, nil, "", sqlite3, "-batch", "-bail", "-init", "/dev/null", restored, "SELECT group_concat(body) FROM notes;")
	if got := strings.TrimSpace(string(out)); got != "first,second" {
		t.Errorf("restored database holds %q", got)
	}
	// The live database under the backed-up path is left out of the file
	// snapshot; its own snapshot holds a consistent copy.
	ls := string(restic("ls", "latest", "--tag", "type:files"))
	if !strings.Contains(ls, "avatar.png") || strings.Contains(ls, "production.sqlite3") {
		t.Errorf("file snapshot:\n%s", ls)
	}
	var check backup.CheckRecord
	if _, err := cfg.StateDir().ReadRecord(backup.LastCheckRecord, &check); err != nil || check.Status != backup.StatusOK {
		t.Errorf("check record %q %v", check.Status, err)
	}
}
