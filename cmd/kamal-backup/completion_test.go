package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCompletionCandidates answers completion requests as bash sends
// them (COMP_LINE, COMP_POINT) and checks the candidates.
func TestCompletionCandidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line  string
		point int // 0: the end of the line
		shell string
		want  []string // exactly, or
		has   []string // at least these
	}{
		{line: "kamal-backup ev", want: []string{"evidence"}},
		{line: "kamal-backup repo sn", want: []string{"snapshots"}},
		{line: "kamal-backup repo k", want: []string{"key"}},
		{line: "kamal-backup repo key ", want: []string{"add", "list", "remove"}},
		{line: "kamal-backup ", has: []string{"backup", "completion", "drill", "evidence", "repo", "restore", "version"}},
		{line: "kamal-backup evidence ", has: []string{"report"}},
		{line: "kamal-backup completion ", want: []string{"bash", "fish", "zsh"}},
		{line: "kamal-backup repo snapshots --ta", want: []string{"--tag"}},
		{line: "kamal-backup evidence --format ", want: []string{"html", "json", "markdown"}},
		{line: "kamal-backup evidence report --format ", want: []string{"html", "json", "markdown"}},
		{line: "kamal-backup evidence --format=m", want: []string{"markdown"}},
		{line: "kamal-backup evidence --format=m", shell: "zsh", want: []string{"--format=markdown"}},
		{line: "kamal-backup evidence --format=m", shell: "fish", want: []string{"--format=markdown"}},
		{line: "kamal-backup ev --json", point: len("kamal-backup ev"), want: []string{"evidence"}},
		{line: "kamal-backup nothing-like-this", want: nil},
	} {
		env := map[string]string{"COMP_LINE": tc.line, "COMP_POINT": strconv.Itoa(len(tc.line))}
		if tc.point > 0 {
			env["COMP_POINT"] = strconv.Itoa(tc.point)
		}
		if tc.shell != "" {
			env[completionShellEnv] = tc.shell
		}
		// bash passes the command, the word and the word before it.
		res := runCLI(t, env, "", "kamal-backup", "word", "previous")
		got := strings.Fields(res.stdout)
		if res.code != 0 || res.stderr != "" {
			t.Errorf("%q: exit %d, stderr %q", tc.line, res.code, res.stderr)
		}
		if tc.has == nil && !slices.Equal(got, tc.want) {
			t.Errorf("%q (%s): candidates %q, want %q", tc.line, tc.shell, got, tc.want)
		}
		for _, w := range tc.has {
			if !slices.Contains(got, w) {
				t.Errorf("%q: candidates %q lack %q", tc.line, got, w)
			}
		}
	}
}

// TestCompletionBeforeKamalBridge runs a completion request in an app
// checkout, where "backup" would go to the accessory through Kamal: it
// must be answered here, and bin/kamal never run.
func TestCompletionBeforeKamalBridge(t *testing.T) {
	t.Parallel()
	f := newBridgeFixture(t, programVersion())
	cmd := exec.CommandContext(t.Context(), testBinary(t), "backup")
	cmd.Dir = f.root
	cmd.Env = append(os.Environ(), "KAMAL_BACKUP_TEST_MAIN=1", "COMP_LINE=kamal-backup ba", "COMP_POINT=15")
	out, err := cmd.Output()
	if err != nil || string(out) != "backup\n" {
		t.Errorf("completion in a checkout printed %q: %v", out, err)
	}
	if calls := f.calls(t, "kamal.args"); len(calls) != 0 {
		t.Errorf("bin/kamal ran: %q", calls)
	}
}

// TestCompletionArgs checks how a command line is split into words.
func TestCompletionArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line, last, lastCompleted, flag string
		all                             int
	}{
		{"kamal-backup", "", "", "", 0},
		{"kamal-backup ", "", "", "", 1},
		{"kamal-backup repo sn", "sn", "repo", "", 2},
		{"kamal-backup repo snapshots ", "", "snapshots", "", 3},
		{"kamal-backup evidence --format=ht", "ht", "--format", "--format=", 3},
		{"kamal-backup repo ls latest:a=b", "latest:a=b", "ls", "", 3},
	} {
		a, flag := completionArgs(tc.line)
		if a.Last != tc.last || a.LastCompleted != tc.lastCompleted || flag != tc.flag || len(a.All) != tc.all {
			t.Errorf("completionArgs(%q) = %+v, %q", tc.line, a, flag)
		}
	}
}

// testBinary returns the path of this test binary, which runs main when
// KAMAL_BACKUP_TEST_MAIN=1 (see TestMain).
func testBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// fakeInstall puts a kamal-backup that runs this test binary as the CLI
// first in PATH, and returns the folder and the PATH value.
func fakeInstall(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	script := "#!/bin/sh\nKAMAL_BACKUP_TEST_MAIN=1 exec '" + testBinary(t) + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "kamal-backup"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, dir + string(os.PathListSeparator) + os.Getenv("PATH")
}
