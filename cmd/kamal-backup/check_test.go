package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

func TestCheckHealthyRepository(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "check-pw")
	for i := range 3 {
		backupStream(t, r, "db.sql", randomData(uint64(i), 3<<20), snapshotOpts("web1"))
	}
	res := mustRun(t, env, "", "repo", "check")
	want := "create exclusive lock for repository\nload indexes\ncheck all packs\ncheck snapshots, trees and blobs\nno errors were found\n"
	if res.stdout != want {
		t.Errorf("check printed:\n%s\nwant:\n%s", res.stdout, want)
	}
	res = mustRun(t, env, "", "repo", "check", "--read-data")
	if !strings.Contains(res.stdout, "check snapshots, trees and blobs\nread all data\nno errors were found\n") {
		t.Errorf("check --read-data printed:\n%s", res.stdout)
	}
	res = mustRun(t, env, "", "repo", "check", "--read-data-subset", "1/1", "--no-lock")
	if strings.Contains(res.stdout, "create exclusive lock") || !strings.Contains(res.stdout, "read group #1 of ") ||
		!strings.Contains(res.stdout, " packs in 1 groups)\n") {
		t.Errorf("check --read-data-subset 1/1 --no-lock printed:\n%s", res.stdout)
	}
	for _, sub := range []string{"50%", "1k"} {
		mustRun(t, env, "", "repo", "check", "--read-data-subset", sub)
	}

	res = mustRun(t, env, "", "repo", "check", "--read-data", "--json")
	var rec struct {
		MessageType   string            `json:"message_type"`
		Kind          string            `json:"kind"`
		SchemaVersion int               `json:"schema_version"`
		NumErrors     int               `json:"num_errors"`
		Errors        []repo.CheckIssue `json:"errors"`
		Snapshots     int               `json:"snapshots_checked"`
		PacksRead     int               `json:"packs_read"`
		BytesRead     int64             `json:"bytes_read"`
		BrokenPacks   []string          `json:"broken_packs"`
	}
	decodeJSON(t, res.stdout, &rec)
	if rec.MessageType != "summary" || rec.Kind != "check" || rec.SchemaVersion != 1 || rec.NumErrors != 0 ||
		rec.Errors == nil || rec.Snapshots != 3 || rec.PacksRead == 0 || rec.BytesRead < 9<<20 || rec.BrokenPacks == nil {
		t.Errorf("check --json: %+v from %s", rec, res.stdout)
	}
	if lf := lockFiles(t, env["RESTIC_REPOSITORY"]); len(lf) != 0 {
		t.Errorf("check left locks behind: %v", lf)
	}
}

func TestCheckReportsDamage(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "damage-pw")
	backupStream(t, r, "db.sql", randomData(1, 4<<20), snapshotOpts("web1"))
	pack := largestPack(t, env["RESTIC_REPOSITORY"])
	data, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x10
	if err := os.WriteFile(pack, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// Without reading data the flipped bit cannot be seen.
	mustRun(t, env, "", "repo", "check")

	res := runCLI(t, env, "", "repo", "check", "--read-data")
	if res.code != 1 || !strings.Contains(res.stdout, "error: ") || !strings.Contains(res.stdout, "The repository is damaged") ||
		!strings.Contains(res.stdout, "restic repair packs") || !strings.Contains(res.stderr, "repository contains errors") {
		t.Errorf("check --read-data of a damaged pack: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, env, "", "repo", "check", "--read-data", "--json")
	var rec struct {
		NumErrors   int               `json:"num_errors"`
		Errors      []repo.CheckIssue `json:"errors"`
		BrokenPacks []string          `json:"broken_packs"`
	}
	decodeJSON(t, res.stdout, &rec)
	if res.code != 1 || rec.NumErrors == 0 || rec.NumErrors != len(rec.Errors) || len(rec.BrokenPacks) != 1 ||
		!strings.HasSuffix(pack, rec.BrokenPacks[0]) {
		t.Errorf("check --read-data --json: exit %d, %+v", res.code, rec)
	}
	// Status lines (stderr is not a terminal) come first; the error line
	// follows them.
	if !strings.Contains(res.stderr, "\n"+`{"message_type":"exit_error","code":1,"message":"repository contains errors"}`+"\n") &&
		!strings.HasPrefix(res.stderr, `{"message_type":"exit_error","code":1,"message":"repository contains errors"}`) {
		t.Errorf("check --json error line: %q", res.stderr)
	}
}

func TestCheckOptionsAndLocks(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "check-lock-pw")
	backupStream(t, r, "db.sql", "SELECT 1;\n", snapshotOpts("web1"))
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--read-data", "--read-data-subset", "1/2"}, "mutually exclusive"},
		{[]string{"--read-data-subset", "3/2"}, "n <= t"},
		{[]string{"--read-data-subset", "0%"}, "above 0"},
		{[]string{"--read-data-subset", "500"}, "want"},
	} {
		if res := runCLI(t, env, "", append([]string{"repo", "check"}, tc.args...)...); res.code != 1 || !strings.Contains(res.stderr, tc.msg) {
			t.Errorf("check %v: exit %d, stderr %q should contain %q", tc.args, res.code, res.stderr, tc.msg)
		}
	}
	lock, _, err := r.Lock(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	if res := runCLI(t, env, "", "repo", "check"); res.code != exitLocked || !strings.Contains(res.stderr, "already locked") {
		t.Errorf("check while locked: exit %d, %s", res.code, res.stderr)
	}
	mustRun(t, env, "", "repo", "check", "--no-lock")
}

func TestCheckFailureExitCode(t *testing.T) {
	t.Parallel()
	if got := exitCode(errCheckFailed); got != exitError {
		t.Fatalf("exitCode(errCheckFailed) = %d, want %d", got, exitError)
	}
}
