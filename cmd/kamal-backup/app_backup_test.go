package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// opsAllAdapters is an app with a PostgreSQL, a MariaDB and a SQLite
// database, and files holding the SQLite file.
const opsAllAdapters = `app: shop
databases:
  - name: app
    adapter: postgres
    url: PG_URL
    password: {secret: OPS_PG_PASSWORD}
  - name: stats
    adapter: mariadb
    url: MY_URL
    password: {secret: OPS_MY_PASSWORD}
  - name: cache
    adapter: sqlite3
    path: DIR/storage/cache.sqlite3
paths:
  - DIR/storage
restic:
  repository: DIR/repo
  password: {secret: OPS_RESTIC_PASSWORD}
  check_after_backup: true
state:
  path: DIR/state
`

// TestOpsBackupAllAdapters backs up real PostgreSQL, MariaDB and SQLite
// databases and files with "kamal-backup backup", then requires that
// restic finds them as the Ruby kamal-backup looks for them (one snapshot
// per database tagged type:database, the dump at
// /databases/<app>/<db>/<adapter>.<ext>, one file snapshot without the
// SQLite file), that a second run is skipped as not due, and that list
// and check see the snapshots.
func TestOpsBackupAllAdapters(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "shop")
	pg.Psql(t, "shop", "CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'book');")
	my := testenv.StartMariaDB(t)
	my.CreateDB(t, "stats")
	my.SQL(t, "stats", "CREATE TABLE hits (id int PRIMARY KEY, path varchar(100)); INSERT INTO hits VALUES (1, '/');")
	yml := strings.NewReplacer("PG_URL", pg.URL("shop"), "MY_URL", my.URL("stats")).Replace(opsAllAdapters)
	a := newOpsApp(t, yml, "OPS_PG_PASSWORD="+pg.Password(), "OPS_MY_PASSWORD="+my.Password())
	a.write(t, "storage/uploads/a.txt", "upload")
	opsSQLite(t, a.path("storage/cache.sqlite3"), "CREATE TABLE c (v text); INSERT INTO c VALUES ('cached');")

	res := a.mustRun(t, "backup")
	wantContains(t, "backup output", res.stdout, "Backup finished", "database app (postgres): snapshot",
		"database stats (mysql): snapshot", "database cache (sqlite): snapshot", "files "+a.path("storage")+": snapshot",
		"verify: ok", "retention: ok", "check: ok")
	for _, secret := range []string{pg.Password(), my.Password()} {
		if strings.Contains(res.output(), secret) {
			t.Errorf("backup printed a database password:\n%s", res.output())
		}
	}

	dbs := a.snapshots(t, "type:database")
	if len(dbs) != 3 {
		t.Fatalf("restic finds %d type:database snapshots, want 3: %+v", len(dbs), dbs)
	}
	for _, tc := range []struct{ db, adapter, file, prefix string }{
		{"app", "postgres", "/databases/shop/app/postgres.pgdump", "PGDMP"},
		{"stats", "mysql", "/databases/shop/stats/mysql.sql", ""},
		{"cache", "sqlite", "/databases/shop/cache/sqlite.sqlite3", "SQLite format 3\x00"},
	} {
		snaps := a.snapshots(t, "type:database,database:"+tc.db)
		if len(snaps) != 1 || snaps[0].Hostname != "shop-backup" ||
			!slices.Equal(snaps[0].Tags, []string{"kamal-backup", "app:shop", "type:database", "database:" + tc.db, "adapter:" + tc.adapter}) {
			t.Errorf("snapshot of %s: %+v", tc.db, snaps)
		}
		dump := string(a.restic(t, "dump", "--tag", "database:"+tc.db, "latest", tc.file))
		if !strings.HasPrefix(dump, tc.prefix) || (tc.adapter == "mysql" && !strings.Contains(dump, "CREATE TABLE `hits`")) {
			t.Errorf("restic dump %s: %.80q", tc.file, dump)
		}
	}
	files := a.snapshots(t, "type:files")
	if len(files) != 1 || !slices.Contains(files[0].Tags, "path:"+strings.TrimLeft(strings.ReplaceAll(a.path("storage"), "/", "-"), "-")) {
		t.Errorf("file snapshots: %+v", files)
	}
	ls := string(a.restic(t, "ls", "--tag", "type:files", "latest"))
	if !strings.Contains(ls, "uploads/a.txt") || strings.Contains(ls, "cache.sqlite3") {
		t.Errorf("file snapshot lacks a.txt or holds the SQLite file:\n%s", ls)
	}
	var rec kbackup.BackupRecord
	a.record(t, kbackup.LastBackupRecord, &rec)
	if rec.Status != kbackup.StatusOK || len(rec.Databases) != 3 || rec.Files == nil || len(rec.Sources) != 4 {
		t.Errorf("last_backup.json: %+v", rec)
	}

	// The backup is current: the next run is skipped and says when the
	// next is due and how to force one.
	res = a.mustRun(t, "backup")
	wantContains(t, "not-due output", res.stdout, "Backup skipped: the last backup is still current", "next backup due:",
		`"kamal-backup backup --force"`)
	res = a.mustRun(t, "backup", "--json")
	var skipped kbackup.BackupRecord
	if err := json.Unmarshal([]byte(res.stdout), &skipped); err != nil || skipped.Status != kbackup.StatusSkipped ||
		skipped.Reason != kbackup.ReasonNotDue || skipped.NextBackupAt == nil || skipped.ForceCommand != kbackup.ForceCommand {
		t.Errorf("backup --json when not due: %v %s", err, res.stdout)
	}
	if n := len(a.snapshots(t, "")); n != 4 {
		t.Errorf("%d snapshots after the skipped runs, want 4", n)
	}

	var list snapshotList
	res = a.mustRun(t, "list", "--json")
	if err := json.Unmarshal([]byte(res.stdout), &list); err != nil {
		t.Fatalf("list --json: %v\n%s", err, res.stdout)
	}
	var groups []string
	for _, s := range list.Snapshots {
		groups = append(groups, s.Group)
	}
	if list.Kind != kindSnapshotList || !slices.Equal(groups, []string{"database:app", "database:stats", "database:cache", "files"}) {
		t.Errorf("list --json: kind %q, groups %v", list.Kind, groups)
	}
	wantContains(t, "list", a.mustRun(t, "list").stdout, "database:stats (mysql)", "4 snapshots")

	before := len(a.allSnapshots(t, "")) // the check's own history entry is mirrored after it
	res = a.mustRun(t, "check")
	wantContains(t, "check output", res.stdout, "no errors were found")
	var chk kbackup.CheckRecord
	a.record(t, kbackup.LastCheckRecord, &chk)
	if chk.Status != kbackup.StatusOK || chk.Result == nil || chk.Result.SnapshotsChecked != before {
		t.Errorf("last_check.json: %+v", chk)
	}
}

// opsSQLiteApp is an app with one SQLite database and files; SCHEDULE and
// the retention are filled in by each test.
const opsSQLiteApp = `app: notes
databases:
  - name: app
    adapter: sqlite
    path: DIR/data/app.sqlite3
paths:
  - DIR/storage
restic:
  repository: DIR/repo
  password: {secret: OPS_RESTIC_PASSWORD}
  forget_after_backup: false
backup:
  schedule: 1d
state:
  path: DIR/state
`

// newOpsSQLiteApp returns an app from opsSQLiteApp with yml's
// replacements made, its database and a file created.
func newOpsSQLiteApp(t *testing.T, replace *strings.Replacer, env ...string) *opsApp {
	t.Helper()
	yml := opsSQLiteApp
	if replace != nil {
		yml = replace.Replace(yml)
	}
	a := newOpsApp(t, yml, env...)
	a.write(t, "storage/a.txt", "a file")
	a.write(t, "data/.keep", "")
	opsSQLite(t, a.path("data/app.sqlite3"), "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('one'), ('two');")
	return a
}

// TestOpsBackupDisabled requires that backup.enabled: false (here through
// BACKUP_ENABLED) skips every backup, --force too, and that the schedule
// idles until SIGTERM and then exits 0.
func TestOpsBackupDisabled(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil, "BACKUP_ENABLED=false")
	for _, args := range [][]string{{"backup"}, {"backup", "--force"}} {
		res := a.mustRun(t, args...)
		wantContains(t, strings.Join(args, " "), res.stdout, "Backup skipped: backups are disabled (backup.enabled: false).")
	}
	res := a.mustRun(t, "backup", "--json")
	var rec kbackup.BackupRecord
	if err := json.Unmarshal([]byte(res.stdout), &rec); err != nil || rec.Status != kbackup.StatusSkipped || rec.Reason != kbackup.ReasonDisabled {
		t.Errorf("backup --json: %v %s", err, res.stdout)
	}
	if n := len(a.snapshots(t, "")); n != 0 {
		t.Errorf("%d snapshots written while disabled", n)
	}
	s := startSchedule(t, a)
	s.waitFor(t, "backups are disabled")
	s.stop(t)
	if n := len(a.snapshots(t, "")); n != 0 {
		t.Errorf("the disabled schedule wrote %d snapshots", n)
	}
}

// TestOpsBackupFailureExitCode requires a failed database dump (a file
// that is not a SQLite database) to fail the
// command (exit 1) while the files are still backed up, and the failure to
// be recorded.
func TestOpsBackupFailureExitCode(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, strings.NewReplacer("DIR/data/app.sqlite3", "DIR/data/broken.sqlite3"))
	a.write(t, "data/broken.sqlite3", strings.Repeat("not a database\n", 512))
	res := a.run(t, nil, "backup")
	if res.code != exitError {
		t.Fatalf("backup of a broken database: exit %d\n%s", res.code, res.output())
	}
	wantContains(t, "failed backup", res.stdout, "Backup failed", "database app (sqlite): failed:", "files "+a.path("storage")+": snapshot")
	var rec kbackup.BackupRecord
	a.record(t, kbackup.LastBackupRecord, &rec)
	if rec.Status != kbackup.StatusFailed || rec.Error == "" || rec.Files == nil {
		t.Errorf("last_backup.json: %+v", rec)
	}
	if n := len(a.snapshots(t, "type:database")); n != 0 {
		t.Errorf("%d database snapshots written for a failed dump", n)
	}
}
