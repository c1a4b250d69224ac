package command

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sh returns a Spec running script with sh -c.
func sh(script string) Spec {
	return Spec{Path: "sh", Args: []string{"-c", script}}
}

// readAll reads s to its end in small reads, and fails the test if a
// Read returns io.EOF before the final error or data after an error.
func readAll(t testing.TB, s *Stream) (string, error) {
	t.Helper()
	var out strings.Builder
	buf := make([]byte, 7)
	for {
		n, err := s.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			if n2, err2 := s.Read(buf); n2 != 0 || err2 != err {
				t.Errorf("Read after final error = %d, %v; want 0, %v", n2, err2, err)
			}
			return out.String(), err
		}
	}
}

// exitError returns err as an *ExitError, failing the test if it is not.
func exitError(t testing.TB, err error) *ExitError {
	t.Helper()
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v (%T) is not an *ExitError", err, err)
	}
	return ee
}

// assertGone fails the test if process pid still runs. A zombie that is
// not our child (a grandchild waiting for init to reap it) counts as gone.
// A grandchild cannot be waited for, so for one (eventually set) it polls
// for up to two seconds while the kernel finishes killing it.
func assertGone(t testing.TB, pid int, eventually ...bool) {
	t.Helper()
	if len(eventually) > 0 {
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && !gone(pid); {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !gone(pid) {
		t.Errorf("process %d is still there", pid)
	}
}

// gone reports whether pid has exited, or is a zombie that is not ours to
// reap.
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return fields[0] == "Z" && fields[1] != strconv.Itoa(os.Getpid())
}

// within fails the test if fn takes longer than d.
func within(t testing.TB, d time.Duration, what string, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	if el := time.Since(start); el > d {
		t.Errorf("%s took %v, want under %v", what, el, d)
	}
}
