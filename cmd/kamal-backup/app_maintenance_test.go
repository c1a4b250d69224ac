package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// opsTwoDatabases adds a second SQLite database to opsSQLiteApp and keeps
// the last two snapshots of each group, nothing else.
var opsTwoDatabases = strings.NewReplacer(
	"paths:", "  - name: cache\n    adapter: sqlite\n    path: DIR/data/cache.sqlite3\npaths:",
	"  forget_after_backup: false", "  forget_after_backup: false\n  retention: {keep_last: 2, keep_daily: 0, keep_weekly: 0, keep_monthly: 0, keep_yearly: 0}")

// TestOpsPrunePerGroup backs up two databases and files three times and
// requires prune to keep the last two snapshots of each group (each
// database and the files separately), after refusing while the last
// recorded check failed.
func TestOpsPrunePerGroup(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, opsTwoDatabases)
	opsSQLite(t, a.path("data/cache.sqlite3"), "CREATE TABLE k (v text);")
	for range 3 {
		a.mustRun(t, "backup", "--force")
	}
	if n := len(a.snapshots(t, "")); n != 9 {
		t.Fatalf("%d snapshots after three backups, want 9", n)
	}

	a.write(t, "state/"+kbackup.LastCheckRecord, `{"schema_version":1,"kind":"check_result","status":"failed"}`)
	res := a.run(t, nil, "prune")
	if res.code != exitError || !strings.Contains(res.stderr, "kamal-backup check") {
		t.Errorf("prune after a failed check: exit %d\n%s", res.code, res.stderr)
	}
	if n := len(a.snapshots(t, "")); n != 9 {
		t.Errorf("the refused prune left %d snapshots of 9", n)
	}
	if err := os.Remove(a.path("state/" + kbackup.LastCheckRecord)); err != nil {
		t.Fatal(err)
	}

	res = a.mustRun(t, "prune", "--json")
	var rep kbackup.PruneReport
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("prune --json: %v\n%s", err, res.stdout)
	}
	if rep.Forgotten != 3 || len(rep.Groups) != 3 || rep.Prune == nil {
		t.Errorf("prune report: %+v", rep)
	}
	for _, g := range rep.Groups {
		if len(g.Keep) != 2 || len(g.Remove) != 1 || g.Host != "notes-backup" {
			t.Errorf("group %s: keep %v, remove %v, host %s", g.Group, g.Keep, g.Remove, g.Host)
		}
	}
	for _, tag := range []string{"database:app", "database:cache", "type:files"} {
		if n := len(a.snapshots(t, tag)); n != 2 {
			t.Errorf("%d snapshots tagged %s after prune, want 2", n, tag)
		}
	}
	a.restic(t, "check")
	wantContains(t, "prune", a.mustRun(t, "prune").stdout, "database:app (host notes-backup): keep 2", "files (host notes-backup): keep 2")
}

// TestOpsStaleLockThenUnlock leaves the lock of a killed process behind:
// check fails as locked (exit 11) until unlock removes it, and a backup
// removes such a lock by itself.
func TestOpsStaleLockThenUnlock(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil)
	a.mustRun(t, "backup")
	repoEnv := map[string]string{"RESTIC_REPOSITORY": a.path("repo"), "RESTIC_PASSWORD": opsPassword}
	leaveStaleLock(t, repoEnv)

	res := a.run(t, nil, "check")
	if res.code != exitLocked || !strings.Contains(res.stderr, "locked") {
		t.Errorf("check over a stale lock: exit %d\n%s", res.code, res.stderr)
	}
	res = a.mustRun(t, "unlock")
	if res.stdout != "successfully removed 1 locks\n" {
		t.Errorf("unlock printed %q", res.stdout)
	}
	if lf := lockFiles(t, a.path("repo")); len(lf) != 0 {
		t.Errorf("locks left: %v", lf)
	}
	a.mustRun(t, "check")

	leaveStaleLock(t, repoEnv)
	res = a.mustRun(t, "backup", "--force")
	wantContains(t, "backup over a stale lock", res.stderr, "removed stale locks")
	if lf := lockFiles(t, a.path("repo")); len(lf) != 0 {
		t.Errorf("locks left after the backup: %v", lf)
	}
}

// TestOpsCheckDamage removes a data pack and requires check to exit 1
// and record the failure, which then blocks prune.
func TestOpsCheckDamage(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil)
	a.mustRun(t, "backup")
	packs, err := filepath.Glob(a.path("repo/data/*/*"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no packs: %v", err)
	}
	for _, p := range packs {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	res := a.run(t, nil, "check", "--json")
	if res.code != exitError {
		t.Fatalf("check of a damaged repository: exit %d\n%s", res.code, res.output())
	}
	var printed kbackup.CheckRecord
	if err := json.Unmarshal([]byte(res.stdout), &printed); err != nil || printed.Status != kbackup.StatusFailed || printed.Errors == 0 {
		t.Errorf("check --json: %v %s", err, res.stdout)
	}
	var rec kbackup.CheckRecord
	a.record(t, kbackup.LastCheckRecord, &rec)
	if rec.Status != kbackup.StatusFailed || !strings.Contains(rec.Output, "damaged") {
		t.Errorf("last_check.json: %+v", rec)
	}
	if res := a.run(t, nil, "prune"); res.code != exitError {
		t.Errorf("prune after a failed check: exit %d", res.code)
	}
}
