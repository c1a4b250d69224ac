package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

func TestHelpDocumentsExitCodesAndExamples(t *testing.T) {
	t.Parallel()
	res := runCLI(t, nil, "", "--help")
	if res.code != 0 {
		t.Fatalf("--help exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"Exit codes:", "10  repository not found", "11  repository is locked",
		"12  wrong password", "3   backup incomplete", "Examples:", "kamal-backup repo init",
		"($RESTIC_REPOSITORY)", "($RESTIC_PASSWORD_FILE)", "--password-command"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("--help lacks %q:\n%s", want, res.stdout)
		}
	}
	res = runCLI(t, nil, "", "repo", "ls", "--help")
	if res.code != 0 || !strings.Contains(res.stdout, "kamal-backup repo ls latest") {
		t.Errorf("repo ls --help: exit %d\n%s", res.code, res.stdout)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	res := mustRun(t, nil, "", "version")
	if res.stdout != "kamal-backup "+programVersion()+"\n" {
		t.Fatalf("version printed %q", res.stdout)
	}
	res = mustRun(t, nil, "", "version", "--json")
	if !strings.HasPrefix(res.stdout, `{"message_type":"version","version":"`) {
		t.Fatalf("version --json printed %q", res.stdout)
	}
}

func TestExitCodeMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("boom"), exitError},
		{fmt.Errorf("open: %w", repo.ErrNoRepository), exitNoRepository},
		{fmt.Errorf("open: %w", repo.ErrWrongPassword), exitWrongPassword},
		{&incompleteError{SnapshotID: "abcd1234"}, exitIncomplete},
		{fmt.Errorf("lock: %w", &repo.LockedError{PID: 1}), exitLocked},
		{&repo.AmbiguousIDError{Prefix: "a"}, exitError},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "right-password")
	// Enough snapshots that two IDs share their first hex digit.
	seen := map[byte]bool{}
	ambiguous := ""
	for i := 0; ambiguous == ""; i++ {
		sn := backupStream(t, r, "db.sql", fmt.Sprintf("dump %d", i), repo.SnapshotOptions{})
		c := sn.ID().String()[0]
		if seen[c] {
			ambiguous = string(c)
		}
		seen[c] = true
	}
	wrong := map[string]string{"RESTIC_REPOSITORY": env["RESTIC_REPOSITORY"], "RESTIC_PASSWORD": "wrong-password"}
	missing := map[string]string{"RESTIC_REPOSITORY": t.TempDir() + "/none", "RESTIC_PASSWORD": "x"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		msg  string
	}{
		{"wrong password", wrong, []string{"repo", "snapshots"}, 12, "wrong password"},
		{"missing repository", missing, []string{"repo", "snapshots"}, 10, "repository does not exist"},
		{"ambiguous prefix", env, []string{"repo", "ls", ambiguous}, 1, "ambiguous"},
		{"unknown snapshot", env, []string{"repo", "dump", "ffffffffff", "db.sql"}, 1, "not found"},
		{"unsupported backend", map[string]string{"RESTIC_REPOSITORY": "b2:bucket:path", "RESTIC_PASSWORD": "x"},
			[]string{"repo", "snapshots"}, 1, "repository type b2 is not supported yet"},
		{"no repository", map[string]string{"RESTIC_PASSWORD": "x"}, []string{"repo", "snapshots"}, 1, "no repository given"},
		{"no password", map[string]string{"RESTIC_REPOSITORY": env["RESTIC_REPOSITORY"]}, []string{"repo", "snapshots"}, 1, "no repository password"},
		{"bad usage", env, []string{"repo", "frobnicate"}, 1, "unexpected argument"},
		{"masterkey", env, []string{"repo", "cat", "masterkey"}, 1, "refusing to print the master key"},
		{"relative ls filter", env, []string{"repo", "ls", "latest", "db"}, 1, "must be absolute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, tc.env, "", tc.args...)
			if res.code != tc.code || !strings.Contains(res.stderr, tc.msg) {
				t.Fatalf("exit %d, want %d; stderr %q should contain %q", res.code, tc.code, res.stderr, tc.msg)
			}
		})
	}
}

func TestJSONErrorLine(t *testing.T) {
	t.Parallel()
	env := map[string]string{"RESTIC_REPOSITORY": t.TempDir() + "/none", "RESTIC_PASSWORD": "x"}
	res := runCLI(t, env, "", "repo", "snapshots", "--json")
	if res.code != 10 || !strings.HasPrefix(res.stderr, `{"message_type":"exit_error","code":10,"message":`) {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}

// The accessory image runs `tini -- kamal-backup` and Kamal appends
// "kamal-backup ..." to it: a leading program name is ignored.
func TestLeadingProgramNameIgnored(t *testing.T) {
	res := runCLI(t, map[string]string{}, "", "kamal-backup", "version")
	if res.code != 0 || !strings.Contains(res.stdout, "kamal-backup") {
		t.Fatalf("kamal-backup kamal-backup version: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
