package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RunTimeout bounds how long RunTool lets one command run.
const RunTimeout = 5 * time.Minute

// Command returns a command that runs the named tool, resolved with Tool
// unless name is an absolute path. env is added to the test process's
// environment (later entries win) and dir is the working directory ("" means
// the test's). The command is killed when the test ends; after that, Wait
// gives up on the command's output pipes within a few seconds.
func Command(t testing.TB, env []string, dir string, name string, args ...string) *exec.Cmd {
	t.Helper()
	return command(t, t.Context(), env, dir, name, args...)
}

// RunTool runs the named tool like Command, with a RunTimeout limit, and
// returns its standard output. If the command fails or times out, the test
// fails with the command line, its standard output and its standard error.
func RunTool(t testing.TB, env []string, dir string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), RunTimeout)
	defer cancel()
	cmd := command(t, ctx, env, dir, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", commandLine(name, args), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

func command(t testing.TB, ctx context.Context, env []string, dir string, name string, args ...string) *exec.Cmd {
	t.Helper()
	path := name
	if !filepath.IsAbs(name) {
		path = Tool(t, name)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func commandLine(name string, args []string) string {
	return strings.Join(append([]string{filepath.Base(name)}, args...), " ")
}
