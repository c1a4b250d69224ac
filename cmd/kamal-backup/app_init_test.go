package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// TestOpsInit writes the starter configuration of an app named by its
// config/deploy.yml, requires the accessory block, a configuration that
// validates in shape, and a refusal to overwrite it.
func TestOpsInit(t *testing.T) {
	t.Parallel()
	a := newOpsApp(t, "")
	if err := os.Remove(a.path("config/kamal-backup.yml")); err != nil {
		t.Fatal(err)
	}
	a.write(t, "config/deploy.yml", "service: Shop-App\nimage: shop/app\n")

	res := a.mustRun(t, "init")
	wantContains(t, "init output", res.stdout, "Wrote config/kamal-backup.yml", "accessories:\n  backup:\n",
		"cmd: kamal-backup schedule", "config/kamal-backup.yml:/app/config/kamal-backup.yml:ro", "shop_app_storage:/data/storage:ro",
		"_backup_state:/var/lib/kamal-backup", "        - RESTIC_PASSWORD\n", "        - DATABASE_PASSWORD\n", "RESTIC_PASSWORD=$RESTIC_PASSWORD")
	cfg, err := kbackup.LoadConfig(a.path("config/kamal-backup.yml"), nil, kbackup.LoadOptions{ShapeOnly: true})
	if err != nil {
		t.Fatalf("the starter configuration does not load: %v", err)
	}
	if cfg.App != "shop-app" || len(cfg.Databases()) != 1 || cfg.Databases()[0].Adapter != "postgres" {
		t.Errorf("starter configuration: app %q, databases %+v", cfg.App, cfg.Databases())
	}
	// From an app checkout validate runs on the accessory (the Kamal
	// bridge); this one is checked here.
	if err := os.Remove(a.path("config/deploy.yml")); err != nil {
		t.Fatal(err)
	}
	a.mustRun(t, "validate", "--shape-only")

	before, err := os.ReadFile(a.path("config/kamal-backup.yml"))
	if err != nil {
		t.Fatal(err)
	}
	res = a.run(t, nil, "init", "--adapter", "sqlite")
	if res.code != exitError || !strings.Contains(res.stderr, "already exists; not overwriting it") {
		t.Errorf("init over an existing file: exit %d\n%s", res.code, res.stderr)
	}
	if after, _ := os.ReadFile(a.path("config/kamal-backup.yml")); string(after) != string(before) {
		t.Error("init changed the existing configuration")
	}

	res = a.mustRun(t, "init", "--adapter", "sqlite", "--app", "blog", "-c", "other/kb.yml")
	if strings.Contains(res.stdout, "DATABASE_PASSWORD") {
		t.Errorf("a SQLite app needs no database password:\n%s", res.stdout)
	}
	if _, err := kbackup.LoadConfig(a.path("other/kb.yml"), nil, kbackup.LoadOptions{ShapeOnly: true}); err != nil {
		t.Errorf("the SQLite starter configuration does not load: %v", err)
	}
}

// TestOpsValidate requires validate to pass a working configuration and
// to list every problem of broken ones, exiting 1.
func TestOpsValidate(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil)
	res := a.mustRun(t, "validate")
	wantContains(t, "validate", res.stdout, "app notes; databases: app (sqlite)", "ok: no problems found")

	// A wrong password and a state directory that cannot be created.
	a.write(t, "blocked", "a file where a directory belongs")
	res = a.run(t, []string{"OPS_RESTIC_PASSWORD=not-the-password", "KAMAL_BACKUP_STATE_DIR=" + a.path("blocked/state")}, "validate", "--json")
	var got validateResult
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != exitError {
		t.Fatalf("validate --json: exit %d, %v\n%s", res.code, err, res.output())
	}
	var checks []string
	for _, p := range got.Problems {
		checks = append(checks, p.Check)
	}
	if got.Status != kbackup.StatusFailed || strings.Join(checks, ",") != "repository,state" {
		t.Errorf("problems: %+v", got.Problems)
	}

	// A configuration that does not load: every problem, one per line.
	a.write(t, "config/broken.yml", "app: notes\ndatabases:\n  - name: app\n    adapter: oracle\nrestic:\n  repository: DIR/repo\n  pasword: x\n")
	res = a.run(t, nil, "validate", "-c", "config/broken.yml")
	if res.code != exitError {
		t.Errorf("validate of a broken configuration: exit %d", res.code)
	}
	wantContains(t, "broken validate", res.stdout, "problems:", "  config: databases[0].adapter:", "restic.pasword")
	res = a.run(t, nil, "backup", "-c", "config/broken.yml")
	wantContains(t, "backup with a broken configuration", res.stderr, "invalid configuration config/broken.yml")

	res = a.run(t, nil, "list", "-c", "config/missing.yml")
	if res.code != exitError || !strings.Contains(res.stderr, `no configuration at config/missing.yml: create one with \"kamal-backup init\"`) {
		t.Errorf("list without a configuration: exit %d\n%s", res.code, res.stderr)
	}
	res = a.run(t, nil, "list", "-r", "/elsewhere")
	if res.code != exitError || !strings.Contains(res.stderr, "-r/--repo is for the repo commands") {
		t.Errorf("list -r: exit %d\n%s", res.code, res.stderr)
	}
}

// TestQuickstartConfig requires the configuration "make demo" runs on
// to load, with its local file, as the demo expects.
func TestQuickstartConfig(t *testing.T) {
	t.Parallel()
	path := "../../examples/quickstart/config/kamal-backup.yml"
	cfg, err := kbackup.LoadConfig(path, nil, kbackup.LoadOptions{ShapeOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.App != "quickstart" || len(cfg.Databases()) != 1 || cfg.Databases()[0].Adapter != "sqlite" ||
		len(cfg.Paths) != 1 || !cfg.Restic.InitIfMissing || cfg.State.Path != "tmp/kamal-backup" {
		t.Errorf("quickstart configuration: %+v", cfg.Summary())
	}
	local, err := kbackup.LoadConfig(path, nil, kbackup.LoadOptions{Local: true, ShapeOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if db := local.Databases(); len(db) != 1 || db[0].Path != "tmp/local/development.sqlite3" || local.State.Path != cfg.State.Path {
		t.Errorf("quickstart local configuration: %+v", local.Summary())
	}
}
