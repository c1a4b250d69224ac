package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestToolFindsPathTool(t *testing.T) {
	p := Tool(t, "sh")
	if !filepath.IsAbs(p) {
		t.Fatalf("Tool(sh) = %q, want an absolute path", p)
	}
}

func TestRunTool(t *testing.T) {
	dir := t.TempDir()
	out := RunTool(t, []string{"TESTENV_GREETING=hello"}, dir, "sh", "-c", `echo "$TESTENV_GREETING"; pwd; echo ignored >&2`)
	want := "hello\n" + dir + "\n"
	if string(out) != want {
		t.Fatalf("RunTool output = %q, want %q", out, want)
	}
}

func TestMissingMessage(t *testing.T) {
	err := errors.New("not in PATH")
	fatal, msg := missingMessage("frobnicate", err, false)
	if fatal || !strings.Contains(msg, "frobnicate not found") || !strings.Contains(msg, "run scripts/test") {
		t.Errorf("local: fatal=%v msg=%q", fatal, msg)
	}
	fatal, msg = missingMessage("frobnicate", err, true)
	if !fatal || !strings.Contains(msg, "frobnicate is missing in CI") || !strings.Contains(msg, "scripts/test installs it") {
		t.Errorf("CI: fatal=%v msg=%q", fatal, msg)
	}
}

// TestMissingToolSkipsOrFails runs TestHelperMissingTool in a child test
// process, once as a developer would and once as CI does.
func TestMissingToolSkipsOrFails(t *testing.T) {
	for _, tc := range []struct {
		ci       string
		wantFail bool
		want     string
	}{
		{ci: "", wantFail: false, want: "--- SKIP: TestHelperMissingTool"},
		{ci: "true", wantFail: true, want: "--- FAIL: TestHelperMissingTool"},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperMissingTool$", "-test.v")
			cmd.Env = append(os.Environ(), "TESTENV_HELPER=1", "CI="+tc.ci)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail {
				t.Fatalf("child failed = %v (%v), want %v; output:\n%s", failed, err, tc.wantFail, out)
			}
			if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "kamal-backup-no-such-tool") {
				t.Fatalf("child output lacks %q and the tool name:\n%s", tc.want, out)
			}
		})
	}
}

func TestHelperMissingTool(t *testing.T) {
	if os.Getenv("TESTENV_HELPER") != "1" {
		t.Skip("run by TestMissingToolSkipsOrFails")
	}
	Tool(t, "kamal-backup-no-such-tool")
	t.Error("Tool returned for a missing tool")
}

func TestFinder(t *testing.T) {
	dir := t.TempDir()
	tools := filepath.Join(dir, "tools")
	sbin := filepath.Join(dir, "sbin")
	pg := filepath.Join(dir, "postgresql")
	for _, p := range []string{
		filepath.Join(tools, "restic"),
		filepath.Join(tools, "extra"),
		filepath.Join(sbin, "sshd-test"),
		filepath.Join(pg, "9", "bin", "initdb-test"),
		filepath.Join(pg, "15", "bin", "initdb-test"),
		filepath.Join(pg, "13", "bin", "pg_only13-test"),
	} {
		writeExecutable(t, p)
	}
	if err := os.WriteFile(filepath.Join(tools, "rest-server"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f := finder{toolsDir: tools, sysDirs: []string{sbin}, pgRoot: pg}

	for _, tc := range []struct{ name, want string }{
		{"restic", filepath.Join(tools, "restic")},
		{"extra", filepath.Join(tools, "extra")},
		{"sshd-test", filepath.Join(sbin, "sshd-test")},
		{"initdb-test", filepath.Join(pg, "15", "bin", "initdb-test")},
		{"pg_only13-test", filepath.Join(pg, "13", "bin", "pg_only13-test")},
	} {
		got, err := f.find(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("find(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	for _, name := range []string{"rest-server", "versitygw", "kamal-backup-no-such-tool"} {
		if got, err := f.find(name); err == nil {
			t.Errorf("find(%q) = %q, want an error", name, got)
		}
	}
	// Pinned tools never come from PATH.
	f.toolsDir = ""
	if got, err := f.find("restic"); err == nil || !strings.Contains(err.Error(), EnvTools) {
		t.Errorf("find(restic) without %s = %q, %v; want an error naming it", EnvTools, got, err)
	}
}

func TestPostgresBinDirsNewestFirst(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"9", "15", "13", "common"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got := postgresBinDirs(root)
	want := []string{filepath.Join(root, "15", "bin"), filepath.Join(root, "13", "bin"), filepath.Join(root, "9", "bin")}
	if !slices.Equal(got, want) {
		t.Fatalf("postgresBinDirs = %q, want %q", got, want)
	}
}

// TestPinnedVersions checks that the tools scripts/test provides are the
// versions the tests rely on.
func TestPinnedVersions(t *testing.T) {
	t.Run("restic", func(t *testing.T) {
		out := RunTool(t, nil, "", Restic(t), "version")
		if !strings.HasPrefix(string(out), "restic 0.18.1 ") {
			t.Fatalf("restic version = %q, want 0.18.1", out)
		}
	})
	t.Run("restic-0.14", func(t *testing.T) {
		out := RunTool(t, nil, "", Restic014(t), "version")
		if !strings.HasPrefix(string(out), "restic 0.14.") {
			t.Fatalf("restic-0.14 version = %q", out)
		}
	})
	t.Run("rest-server", func(t *testing.T) {
		out := RunTool(t, nil, "", "rest-server", "--version")
		if !strings.Contains(string(out), "rest-server 0.14.0 ") {
			t.Fatalf("rest-server --version = %q, want 0.14.0", out)
		}
	})
}

func writeExecutable(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
