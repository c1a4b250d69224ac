package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// postgresApp is the configuration of the PostgreSQL end-to-end test: a
// PostgreSQL database, a SQLite one and a storage path.
const postgresApp = `app: shop
databases:
  - name: app
    adapter: postgres
    url: URL
    password: {secret: PGPASSWORD}
  - name: cache
    adapter: sqlite
    path: DIR/live/cache.sqlite3
paths:
  - DIR/live/storage
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
  init_if_missing: true
  forget_after_backup: false
state:
  path: DIR/state
`

// TestRestoreAndDrillPostgres backs up a PostgreSQL database, a SQLite
// database and files, changes them all, then drives the binary: a
// production drill into scratch targets with a check, the drill refusals,
// the production restore refusals, and the production restore itself.
func TestRestoreAndDrillPostgres(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "shop")
	pg.CreateDB(t, "shop_scratch")
	pg.Psql(t, "shop", "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 3);")
	a := newRestoreApp(t, strings.ReplaceAll(postgresApp, "URL", pg.URL("shop")), "",
		map[string]string{"PGPASSWORD": pg.Password(), "RESTIC_PASSWORD": "restore-e2e-pw-4417"})
	a.write(t, "live/storage/a.txt", "v1")
	live := a.path("live/cache.sqlite3")
	sqliteQuery(t, live, "CREATE TABLE c (v text); INSERT INTO c VALUES ('backed-up');")
	a.backup(t)

	pg.Psql(t, "shop", "INSERT INTO t VALUES (4), (5);")
	sqliteQuery(t, live, "UPDATE c SET v = 'live';")
	a.write(t, "live/storage/a.txt", "v2-live")
	a.write(t, "live/storage/c.txt", "new since the backup")
	liveCount := func() string { return pg.Psql(t, "shop", "SELECT count(*) FROM t") }
	storage, err := os.Stat(a.path("live/storage"))
	if err != nil {
		t.Fatal(err)
	}

	if err := os.Mkdir(a.path("scratch"), 0o755); err != nil {
		t.Fatal(err)
	}
	scratch := []string{"--database", "shop_scratch", "--sqlite-path", a.path("scratch/cache.sqlite3"), "--files", a.path("drill")}
	t.Run("drill production", func(t *testing.T) {
		check := fmt.Sprintf(`psql -X -tA "$KAMAL_BACKUP_DRILL_DATABASE_APP" -c 'select count(*) from t' && `+
			`sqlite3 "$KAMAL_BACKUP_DRILL_DATABASE_CACHE" 'select v from c' && cat "$KAMAL_BACKUP_DRILL_FILES%s/a.txt"`, a.path("live/storage"))
		res := a.run(t, "y\n", nil, append([]string{"drill", "production", "--check", check}, scratch...)...)
		mustSucceed(t, res)
		for _, want := range []string{"kamal-backup will restore (production)", "into the drill targets? [y/N]"} {
			if !strings.Contains(res.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
			}
		}
		for _, want := range []string{"check ok", "drill ok (production)", "last_restore_drill.json"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
			}
		}
		if got := pg.Psql(t, "shop_scratch", "SELECT count(*) FROM t"); got != "3" {
			t.Errorf("scratch database has %s rows, want 3", got)
		}
		if got := liveCount(); got != "5" {
			t.Errorf("the drill changed the live database: %s rows", got)
		}
		rec := a.drillRecord(t, "state")
		if rec.Status != kbackup.StatusOK || rec.Kind != kbackup.KindDrillResult || rec.Check == nil ||
			rec.Check.Output == nil || *rec.Check.Output != "3\nbacked-up\nv1" {
			t.Errorf("drill record: %+v", rec)
		}
		if rec.Operator == nil || *rec.Operator != "drill-operator" || len(rec.Databases) != 2 || rec.Files == nil || len(rec.Phases) == 0 {
			t.Errorf("drill record: %+v", rec)
		}
		a.noSecrets(t, res.output()+a.read(t, "state/last_restore_drill.json"))
	})

	t.Run("drill refuses scratch equal to live", func(t *testing.T) {
		res := a.run(t, "", nil, "drill", "production", "--yes", "--database", "shop",
			"--sqlite-path", live, "--files", a.path("live/storage"))
		a.mustFail(t, res, "production drill refused: scratch target is a live target",
			"scratch database shop on", "is the live database", "scratch file "+live,
			"overlaps the production path "+a.path("live/storage"))
		if got := liveCount(); got != "5" {
			t.Errorf("the refused drill changed the live database: %s rows", got)
		}
		if rec := a.drillRecord(t, "state"); rec.Status != kbackup.StatusOK {
			t.Errorf("a refused drill replaced the record: %+v", rec)
		}
	})

	t.Run("drill with a failing check", func(t *testing.T) {
		res := a.run(t, "", nil, append([]string{"drill", "production", "--yes", "--json",
			"--check", `echo "db password is $PGPASSWORD"; exit 3`}, scratch...)...)
		a.mustFail(t, res, "production drill failed", "drill check failed", "exit status 3")
		var printed kbackup.DrillRecord
		if err := json.Unmarshal([]byte(res.stdout), &printed); err != nil || printed.Status != kbackup.StatusFailed {
			t.Errorf("--json printed %q (%v)", res.stdout, err)
		}
		rec := a.drillRecord(t, "state")
		if rec.Status != kbackup.StatusFailed || rec.Check == nil || rec.Check.Status != kbackup.StatusFailed ||
			rec.Check.Output == nil || *rec.Check.Output != "db password is [REDACTED]\n" {
			t.Errorf("drill record: %+v (check %+v)", rec, rec.Check)
		}
		a.noSecrets(t, a.read(t, "state/last_restore_drill.json"))
	})

	t.Run("production restore refusals", func(t *testing.T) {
		hint := "type the app name and RESTORE PRODUCTION at the prompt, or pass --confirm-production-restore"
		res := a.run(t, "", nil, "restore", "production")
		a.mustFail(t, res, "production restore not confirmed: no answer (end of input)", hint,
			"Type the app name (shop) to continue")
		res = a.run(t, "shop\nrestore production\n", nil, "restore", "production")
		a.mustFail(t, res, "production restore not confirmed: expected", "Type RESTORE PRODUCTION to continue")
		res = a.run(t, "", nil, "restore", "production", "--yes")
		a.mustFail(t, res, "production restore not confirmed", "--yes does not confirm a production restore")
		if got := liveCount(); got != "5" {
			t.Errorf("an unconfirmed restore changed the live database: %s rows", got)
		}
		if got := a.read(t, "live/storage/a.txt"); got != "v2-live" {
			t.Errorf("an unconfirmed restore changed the files: %q", got)
		}
	})

	t.Run("restore production", func(t *testing.T) {
		res := a.run(t, "", nil, "restore", "production", "--confirm-production-restore", "--json")
		mustSucceed(t, res)
		var printed kbackup.RestoreResult
		if err := json.Unmarshal([]byte(res.stdout), &printed); err != nil || printed.Status != kbackup.StatusOK ||
			printed.Kind != kbackup.KindRestoreResult || len(printed.Databases) != 2 || printed.Files == nil {
			t.Fatalf("--json printed %q (%v)", res.stdout, err)
		}
		if got := liveCount(); got != "3" {
			t.Errorf("restored database has %s rows, want 3", got)
		}
		if got := sqliteQuery(t, live, "SELECT v FROM c"); got != "backed-up" {
			t.Errorf("restored SQLite database holds %q", got)
		}
		if a.read(t, "live/storage/a.txt") != "v1" || a.read(t, "live/storage/c.txt") != "" {
			t.Errorf("files not restored: a.txt %q, c.txt %q", a.read(t, "live/storage/a.txt"), a.read(t, "live/storage/c.txt"))
		}
		if after, err := os.Stat(a.path("live/storage")); err != nil || !os.SameFile(storage, after) {
			t.Errorf("the storage directory was replaced, not its content (%v)", err)
		}
		a.noSecrets(t, res.output())
	})

	t.Run("read-only file target", func(t *testing.T) {
		dir := a.path("live/storage")
		if out, err := exec.Command("mount", "--bind", "-o", "ro", dir, dir).CombinedOutput(); err != nil {
			t.Skipf("cannot bind-mount read-only: %v %s", err, out)
		}
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v %s", dir, err, out)
			}
		})
		pg.Psql(t, "shop", "INSERT INTO t VALUES (6);")
		res := a.run(t, "", nil, "restore", "production", "--confirm-production-restore")
		a.mustFail(t, res, "production restore refused: restore target is not writable: "+dir, "read-only file system")
		if got := liveCount(); got != "4" {
			t.Errorf("a refused restore changed the live database: %s rows", got)
		}
	})
}

// TestRestoreAndDrillLocal restores a SQLite app's snapshots into the
// local targets of config/kamal-backup.local.yml, and drills there.
func TestRestoreAndDrillLocal(t *testing.T) {
	t.Parallel()
	a := newRestoreApp(t, `app: shop
databases:
  - name: cache
    adapter: sqlite
    path: DIR/prod/cache.sqlite3
paths: [DIR/prod/storage]
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
  init_if_missing: true
  forget_after_backup: false
state:
  path: DIR/state
`, `databases:
  - name: cache
    adapter: sqlite
    path: DIR/dev/cache.sqlite3
paths: [DIR/dev/storage]
state:
  path: DIR/dev-state
`, map[string]string{"RESTIC_PASSWORD": "restore-local-pw-9902"})
	a.write(t, "prod/storage/a.txt", "v1")
	sqliteQuery(t, a.path("prod/cache.sqlite3"), "CREATE TABLE c (v text); INSERT INTO c VALUES ('backed-up');")
	a.write(t, "dev/storage/old.txt", "dev only")
	a.backup(t)

	res := a.run(t, "", map[string]string{"RAILS_ENV": "production"}, "restore", "local", "--yes")
	a.mustFail(t, res, "local restore refused: local target looks like production: RAILS_ENV=production")
	res = a.run(t, "n\n", nil, "restore", "local")
	a.mustFail(t, res, "local restore not confirmed: answered", "Restore these snapshots into the local targets? [y/N]")
	if a.read(t, "dev/storage/old.txt") != "dev only" {
		t.Fatal("a refused restore changed the local files")
	}

	res = a.run(t, "", nil, "restore", "local", "--yes")
	mustSucceed(t, res)
	if !strings.Contains(res.stdout, "restored database cache (sqlite)") {
		t.Errorf("stdout:\n%s", res.stdout)
	}
	if got := sqliteQuery(t, a.path("dev/cache.sqlite3"), "SELECT v FROM c"); got != "backed-up" {
		t.Errorf("local database holds %q", got)
	}
	if a.read(t, "dev/storage/a.txt") != "v1" || a.read(t, "dev/storage/old.txt") != "" {
		t.Error("local files not restored")
	}

	res = a.run(t, "", nil, "drill", "local", "--yes", "--check", `sqlite3 "$KAMAL_BACKUP_DRILL_DATABASE_CACHE" 'select v from c'`)
	mustSucceed(t, res)
	if rec := a.drillRecord(t, "dev-state"); rec.Status != kbackup.StatusOK || rec.Scope != "local" ||
		rec.Check == nil || *rec.Check.Output != "backed-up\n" {
		t.Errorf("local drill record: %+v", rec)
	}

	res = a.run(t, "", nil, "drill", "production", "--yes", "--files", a.path("drill"))
	a.mustFail(t, res, "production drill refused: no scratch target", "--sqlite-path")
}
