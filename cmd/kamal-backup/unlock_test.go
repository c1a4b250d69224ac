package main

import (
	"context"
	"strings"
	"testing"
)

func TestUnlockStaleLock(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "unlock-pw")
	backupStream(t, r, "db.sql", "SELECT 1;\n", snapshotOpts("web1"))
	leaveStaleLock(t, env)
	// A stale lock still blocks an exclusive lock until unlock removes it.
	if res := runCLI(t, env, "", "repo", "forget", "--keep-last", "1"); res.code != exitLocked || !strings.Contains(res.stderr, "stale") {
		t.Errorf("forget over a stale lock: exit %d, %s", res.code, res.stderr)
	}
	if res := mustRun(t, env, "", "repo", "unlock"); res.stdout != "successfully removed 1 locks\n" {
		t.Errorf("unlock printed %q", res.stdout)
	}
	if lf := lockFiles(t, env["RESTIC_REPOSITORY"]); len(lf) != 0 {
		t.Errorf("locks left: %v", lf)
	}
	mustRun(t, env, "", "repo", "forget", "--keep-last", "1")
	rr := newRestic(t, env["RESTIC_REPOSITORY"], "unlock-pw", t.TempDir())
	rr.run(t, "", "check")
}

func TestUnlockRemoveAll(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "unlock-all-pw")
	lock, _, err := r.Lock(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock() //nolint:errcheck // the file is gone by then
	// The lock belongs to a running process: only --remove-all takes it.
	if res := mustRun(t, env, "", "repo", "unlock"); res.stdout != "successfully removed 0 locks\n" {
		t.Errorf("unlock printed %q", res.stdout)
	}
	if res := runCLI(t, env, "", "repo", "prune"); res.code != exitLocked {
		t.Errorf("prune under an exclusive lock: exit %d, %s", res.code, res.stderr)
	}
	if res := mustRun(t, env, "", "repo", "unlock", "--remove-all", "--json"); res.stdout != `{"message_type":"summary","kind":"unlock","schema_version":1,"removed":1}`+"\n" {
		t.Errorf("unlock --remove-all --json printed %q", res.stdout)
	}
	if lf := lockFiles(t, env["RESTIC_REPOSITORY"]); len(lf) != 0 {
		t.Errorf("locks left: %v", lf)
	}
	mustRun(t, env, "", "repo", "prune")
}

func TestMaintenanceCommandsHaveHelp(t *testing.T) {
	t.Parallel()
	for cmd, want := range map[string]string{
		"check":  "kamal-backup repo check --read-data-subset 10%",
		"forget": "kamal-backup repo forget --keep-daily 7",
		"prune":  "kamal-backup repo prune --dry-run --max-unused 10%",
		"unlock": "kamal-backup repo unlock --remove-all",
	} {
		res := runCLI(t, nil, "", "repo", cmd, "--help")
		if res.code != 0 || !strings.Contains(res.stdout, want) || !strings.Contains(res.stdout, "Examples:") {
			t.Errorf("repo %s --help: exit %d\n%s", cmd, res.code, res.stdout)
		}
	}
}
