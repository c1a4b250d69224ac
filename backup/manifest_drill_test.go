package backup_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/mysql"
	"github.com/kamal-backup/kamal-backup/backup/postgres"
	"github.com/kamal-backup/kamal-backup/backup/sqlite"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// manifestCase is one adapter's end-to-end run: backup with a row-count
// manifest, a drill that verifies it, drills of tampered restores, and a
// drill of a snapshot without a manifest.
type manifestCase struct {
	adapter backup.Adapter
	// database is the YAML of the configured database "app".
	database string
	env      env
	// scratch sets the drill's scratch target.
	scratch func(*backup.DrillOptions)
	// exec runs SQL on the scratch target.
	exec func(t *testing.T, sql string)
	// exact is whether the adapter's manifests are exact.
	exact bool
	// table is a table of the fixture holding rows, as the manifest
	// labels it; deleteSQL deletes one of its rows and dropSQL drops it.
	table, deleteSQL, dropSQL string
}

// tamperAdapter changes the scratch target after the real restore.
type tamperAdapter struct {
	backup.Adapter
	after func()
}

func (a *tamperAdapter) Restore(ctx context.Context, db backup.Database, rd io.Reader) error {
	if err := a.Adapter.Restore(ctx, db, rd); err != nil {
		return err
	}
	a.after()
	return nil
}

func (a *tamperAdapter) DumpCounted(ctx context.Context, db backup.Database) (backup.CountedDump, error) {
	return a.Adapter.(backup.RowCounter).DumpCounted(ctx, db)
}

func (a *tamperAdapter) CountRows(ctx context.Context, db backup.Database) (*backup.RowCounts, error) {
	return a.Adapter.(backup.RowCounter).CountRows(ctx, db)
}

// verification returns the drill's only data verification.
func verification(t *testing.T, rec *backup.DrillRecord) backup.DataVerification {
	t.Helper()
	if len(rec.DataVerification) != 1 {
		t.Fatalf("data verification %+v", rec.DataVerification)
	}
	return rec.DataVerification[0]
}

func runManifestCase(t *testing.T, c manifestCase) {
	ctx := t.Context()
	dir := t.TempDir()
	repoDir := filepath.Join(dir, "repo")
	cfgPath := filepath.Join(dir, "kamal-backup.yml")
	yaml := fmt.Sprintf("app: shop\ndatabases:\n  - %s\nrestic: {repository: %s, password: {secret: RESTIC_PASSWORD}}\nstate: {path: %s}\n",
		c.database, repoDir, filepath.Join(dir, "state"))
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	c.env["RESTIC_PASSWORD"] = "restic-password-1"
	cfg, err := backup.LoadConfig(cfgPath, c.env.lookup, backup.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	be, err := local.Open(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(ctx, be, "restic-password-1", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	runner := &backup.Runner{Config: cfg, Adapters: backup.NewRegistry(c.adapter), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	brec, err := runner.Backup(ctx, backup.BackupOptions{})
	if err != nil {
		t.Fatalf("Backup: %v\n%s", err, logs.String())
	}
	if rc := brec.Sources[0].RowCounts; rc == nil || !rc.Stored || rc.Tables == 0 || rc.Exact != c.exact || rc.Error != "" {
		t.Errorf("backup record row_counts %+v", rc)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("backup warnings:\n%s", logs.String())
	}
	if r, err = repo.Open(ctx, be, "restic-password-1", repo.Options{}); err != nil { // the index the backup wrote
		t.Fatal(err)
	}

	// The manifest is beside the dump in the same snapshot.
	sn, err := r.FindSnapshot(ctx, "latest", repo.Filter{Tags: [][]string{{"type:database"}}})
	if err != nil {
		t.Fatal(err)
	}
	dump := backup.DumpFilename("shop", "app", c.adapter)
	rc, err := r.OpenFile(ctx, sn, dump+backup.RowCountsSuffix)
	if err != nil {
		t.Fatalf("no manifest beside the dump: %v", err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := backup.ParseRowCounts(data)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(manifest.Tables, func(tr backup.TableRows) bool { return tr.Label() == c.table })
	if manifest.Exact != c.exact || manifest.Database != "app" || manifest.Adapter != c.adapter.Name() || i < 0 || manifest.Tables[i].Rows == 0 {
		t.Fatalf("manifest %s", data)
	}
	if sn.Paths[0] != "/"+dump {
		t.Errorf("snapshot paths %q", sn.Paths)
	}
	resticEnv := []string{"RESTIC_REPOSITORY=" + repoDir, "RESTIC_PASSWORD=restic-password-1"}
	testenv.RunTool(t, resticEnv, "", testenv.Restic(t), "--no-cache", "check", "--read-data")

	drill := func(a backup.Adapter) (*backup.DrillRecord, error) {
		t.Helper()
		res, err := backup.NewRestorer(r, cfg, backup.NewRegistry(a), backup.RestorerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		opts := backup.DrillOptions{Mode: backup.ModeProduction, Confirm: backup.Confirmation{Yes: true}}
		c.scratch(&opts)
		return res.Drill(ctx, opts)
	}

	rec, err := drill(c.adapter)
	if err != nil {
		t.Fatalf("Drill: %v", err)
	}
	v := verification(t, rec)
	if v.Status != backup.StatusOK || v.Manifest != backup.ManifestPresent || v.Exact != c.exact || v.TablesChecked != len(manifest.Tables) ||
		len(v.Mismatches) != 0 || v.RowsChecked == 0 || v.CountedAt == nil {
		t.Errorf("verification %+v", v)
	}
	if i := slices.IndexFunc(rec.Phases, func(p backup.DrillPhase) bool { return p.Name == backup.PhaseVerifyData }); i < 0 || rec.Phases[i].Database != "app" {
		t.Errorf("phases %+v", rec.Phases)
	}

	// One row less in the restored table: an exact manifest fails the
	// drill, an approximate one warns.
	rec, err = drill(&tamperAdapter{Adapter: c.adapter, after: func() { c.exec(t, c.deleteSQL) }})
	v = verification(t, rec)
	want := backup.TableMismatch{Table: c.table, Expected: &manifest.Tables[i].Rows}
	if len(v.Mismatches) != 1 || v.Mismatches[0].Table != want.Table || *v.Mismatches[0].Expected != *want.Expected ||
		v.Mismatches[0].Actual == nil || *v.Mismatches[0].Actual != *want.Expected-1 {
		t.Errorf("mismatches %+v", v.Mismatches)
	}
	if c.exact {
		if !errors.Is(err, backup.ErrDataMismatch) || rec.Status != backup.StatusFailed || v.Status != backup.StatusFailed ||
			rec.Error == nil || !strings.Contains(*rec.Error, "table "+c.table+":") {
			t.Errorf("tampered drill: %v, record %+v, verification %+v", err, rec, v)
		}
		var stored backup.DrillRecord
		if _, err := cfg.StateDir().ReadRecord(backup.LastDrillRecord, &stored); err != nil || stored.Status != backup.StatusFailed ||
			len(stored.DataVerification) != 1 || stored.DataVerification[0].Status != backup.StatusFailed {
			t.Errorf("stored record %+v (%v)", stored, err)
		}
	} else if err != nil || rec.Status != backup.StatusOK || v.Status != backup.StatusWarning {
		t.Errorf("tampered drill of an approximate manifest: %v, verification %+v", err, v)
	}

	// A table missing from the restore fails every drill.
	rec, err = drill(&tamperAdapter{Adapter: c.adapter, after: func() { c.exec(t, c.dropSQL) }})
	v = verification(t, rec)
	if !errors.Is(err, backup.ErrDataMismatch) || v.Status != backup.StatusFailed || len(v.Mismatches) != 1 ||
		v.Mismatches[0].Actual != nil || !strings.Contains(err.Error(), "missing from the restored database") {
		t.Errorf("drill with a dropped table: %v, verification %+v", err, v)
	}

	// A snapshot without a manifest (written by an older version or the
	// Ruby kamal-backup) drills, unverified.
	old, err := c.adapter.Dump(ctx, cfg.Databases()[0])
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.BackupStream(ctx, dump, old, repo.SnapshotOptions{Tags: backup.DatabaseTags("shop", "app", c.adapter.Name())})
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	rec, err = drill(c.adapter)
	if err != nil {
		t.Fatalf("drill without a manifest: %v", err)
	}
	if v := verification(t, rec); v.Status != backup.StatusSkipped || v.Manifest != backup.ManifestMissing || v.Reason == "" || v.TablesChecked != 0 {
		t.Errorf("verification without a manifest %+v", v)
	}
	if slices.ContainsFunc(rec.Phases, func(p backup.DrillPhase) bool { return p.Name == backup.PhaseVerifyData }) {
		t.Errorf("phases %+v", rec.Phases)
	}
}

func TestManifestDrillSQLite(t *testing.T) {
	t.Parallel()
	sqlite3 := testenv.Tool(t, "sqlite3")
	dir := t.TempDir()
	live, scratch := filepath.Join(dir, "live.sqlite3"), filepath.Join(dir, "drill.sqlite3")
	testenv.RunTool(t, nil, "", sqlite3, "-batch", "-bail", "-init", "/dev/null", live,
		"PRAGMA journal_mode=WAL; CREATE TABLE items(id INTEGER PRIMARY KEY AUTOINCREMENT, x); CREATE TABLE notes(x);"+
			"INSERT INTO items(x) VALUES (1), (2), (3); INSERT INTO notes VALUES ('a');")
	runManifestCase(t, manifestCase{
		adapter:  sqlite.New(sqlite.Options{Sqlite3: sqlite3, TempDir: t.TempDir()}),
		database: fmt.Sprintf("{name: app, adapter: sqlite, path: %s}", live), env: env{},
		scratch: func(o *backup.DrillOptions) { o.SQLitePath = scratch },
		exec: func(t *testing.T, sql string) {
			testenv.RunTool(t, nil, "", sqlite3, "-batch", "-bail", "-init", "/dev/null", scratch, sql)
		},
		exact: true, table: "items", deleteSQL: "DELETE FROM items WHERE id = 2;", dropSQL: "DROP TABLE notes;",
	})
}

func TestManifestDrillPostgres(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "shop_production")
	pg.CreateDB(t, "shop_drill")
	pg.Psql(t, "shop_production", `CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id serial PRIMARY KEY, amount int);
INSERT INTO billing.invoices (amount) SELECT i FROM generate_series(1, 120) i;
CREATE TABLE public.notes (x text); INSERT INTO public.notes VALUES ('a'), ('b');`)
	runManifestCase(t, manifestCase{
		adapter:  postgres.New(postgres.Options{}),
		database: fmt.Sprintf("{name: app, adapter: postgres, url: %q, password: {secret: DB_PASSWORD}}", pg.URL("shop_production")),
		env:      env{"DB_PASSWORD": pg.Password()},
		scratch:  func(o *backup.DrillOptions) { o.Database = "shop_drill" },
		exec:     func(t *testing.T, sql string) { pg.Psql(t, "shop_drill", sql) },
		exact:    true, table: "billing.invoices",
		deleteSQL: "DELETE FROM billing.invoices WHERE id = 7;", dropSQL: "DROP TABLE public.notes;",
	})
}

func TestManifestDrillMariaDB(t *testing.T) {
	t.Parallel()
	srv := testenv.StartMariaDB(t)
	srv.CreateDB(t, "shop")
	srv.CreateDB(t, "shop_drill")
	srv.SQL(t, "shop", `CREATE TABLE invoices (id INT AUTO_INCREMENT PRIMARY KEY, amount INT) ENGINE=InnoDB;
INSERT INTO invoices (amount) VALUES (1), (2), (3), (4), (5);
CREATE TABLE notes (x TEXT) ENGINE=InnoDB; INSERT INTO notes VALUES ('a');
CREATE VIEW big AS SELECT * FROM invoices WHERE amount > 3;`)
	runManifestCase(t, manifestCase{
		adapter:  mysql.New(mysql.Options{}),
		database: fmt.Sprintf("{name: app, adapter: mysql, url: %q, password: {secret: DB_PASSWORD}}", srv.URL("shop")),
		env:      env{"DB_PASSWORD": srv.Password()},
		scratch:  func(o *backup.DrillOptions) { o.Database = "shop_drill" },
		exec:     func(t *testing.T, sql string) { srv.SQL(t, "shop_drill", sql) },
		exact:    false, table: "invoices",
		deleteSQL: "DELETE FROM invoices WHERE id = 2;", dropSQL: "DROP TABLE notes;",
	})
}
