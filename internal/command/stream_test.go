package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/redact"
)

func TestStreamStdout(t *testing.T) {
	s, err := Start(t.Context(), sh(`printf 'hello\nworld\n'`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := readAll(t, s)
	if err != io.EOF || out != "hello\nworld\n" {
		t.Fatalf("read %q, %v", out, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	assertGone(t, s.cmd.Process.Pid)
}

func TestStreamNonZeroExitIsFinalRead(t *testing.T) {
	s, err := Start(t.Context(), sh(`echo partial; echo "fatal: boom" >&2; exit 3`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := readAll(t, s)
	if out != "partial\n" {
		t.Errorf("output %q", out)
	}
	ee := exitError(t, err)
	if ee.Command != "sh" || ee.Code != 3 || ee.Stderr != "fatal: boom" || ee.Err != nil {
		t.Errorf("ExitError = %+v", ee)
	}
	if want := "sh: exit status 3: fatal: boom"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if cerr := s.Close(); cerr != err {
		t.Errorf("Close = %v, want the final Read's error", cerr)
	}
}

func TestStreamFalse(t *testing.T) {
	s, err := Start(t.Context(), Spec{Path: "false"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = readAll(t, s)
	if ee := exitError(t, err); ee.Code != 1 || ee.Command != "false" {
		t.Errorf("ExitError = %+v", ee)
	}
}

func TestStreamStderrRedacted(t *testing.T) {
	const secret = "hunter2-db-pw"
	var r redact.Redactor
	r.Add(secret)
	var lines []string
	spec := sh(`echo "connecting with $PW" >&2; echo "retry $OTHER" >&2; printf 'no newline %s' "$PW" >&2; exit 2`)
	spec.Env = []string{"PW=" + secret, "OTHER=password=other-pw"}
	spec.Redactor = &r
	spec.Stderr = func(line string) { lines = append(lines, line) }
	s, err := Start(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = readAll(t, s)
	want := []string{"connecting with [REDACTED]", "retry password=[REDACTED]", "no newline [REDACTED]"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("stderr lines %q, want %q", lines, want)
	}
	ee := exitError(t, err)
	if ee.Stderr != strings.Join(want, "\n") {
		t.Errorf("ExitError.Stderr = %q", ee.Stderr)
	}
	for _, leak := range []string{secret, "other-pw"} {
		if strings.Contains(err.Error(), leak) || strings.Contains(ee.Stderr, leak) {
			t.Errorf("error leaks %q: %v", leak, err)
		}
	}
}

func TestStreamStderrTail(t *testing.T) {
	s, err := Start(t.Context(), sh(`i=1; while [ $i -le 100 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 1`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = readAll(t, s)
	tail := strings.Split(exitError(t, err).Stderr, "\n")
	if len(tail) != TailLines || tail[0] != "line 81" || tail[TailLines-1] != "line 100" {
		t.Errorf("tail = %q", tail)
	}
}

func TestStreamYesHead(t *testing.T) {
	s, err := Start(t.Context(), sh(`yes | head -n 100000`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := io.ReadAll(s)
	if err != nil || len(out) != 200000 || strings.Count(string(out), "y\n") != 100000 {
		t.Fatalf("read %d bytes, %v", len(out), err)
	}
}

func TestStreamStdinNilIsDevNull(t *testing.T) {
	s, err := Start(t.Context(), Spec{Path: "cat"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if out, err := io.ReadAll(s); err != nil || len(out) != 0 {
		t.Fatalf("cat read %q, %v", out, err)
	}
}

func TestStartErrors(t *testing.T) {
	_, err := Start(t.Context(), Spec{Path: "kamal-backup-no-such-tool"})
	if err == nil || !strings.Contains(err.Error(), "executable file not found") {
		t.Errorf("missing program: %v", err)
	}
	if _, err := Start(t.Context(), Spec{}); err == nil {
		t.Error("empty Path accepted")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Start(ctx, Spec{Path: "true"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a done context = %v", err)
	}
}

func TestExitErrorMessage(t *testing.T) {
	e := &ExitError{Command: "pg_dump", Code: -1, Stderr: "a\nlast words\n\n", Err: context.DeadlineExceeded, status: "signal: terminated"}
	if want := "pg_dump: context deadline exceeded (signal: terminated): last words"; e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(fmt.Errorf("dump app: %w", e), context.DeadlineExceeded) {
		t.Error("ExitError does not unwrap to its cause")
	}
}
