package command

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCloseKillsLongRunning(t *testing.T) {
	s, err := Start(t.Context(), Spec{Path: "sleep", Args: []string{"60"}})
	if err != nil {
		t.Fatal(err)
	}
	within(t, 2*time.Second, "Close", func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	assertGone(t, s.cmd.Process.Pid)
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestCloseKillsProcessGroup(t *testing.T) {
	s, err := Start(t.Context(), sh(`sleep 60 & echo $!; sleep 60`))
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(s).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	grandchild, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	within(t, 2*time.Second, "Close", func() { s.Close() })
	assertGone(t, s.cmd.Process.Pid)
	assertGone(t, grandchild, true)
}

func TestCloseUnblocksRead(t *testing.T) {
	s, err := Start(t.Context(), Spec{Path: "sleep", Args: []string{"60"}})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := s.Read(make([]byte, 10))
		errc <- err
	}()
	// Whether Close comes before or while Read blocks, Read returns ErrClosed.
	within(t, 2*time.Second, "Close", func() { s.Close() })
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("blocked Read returned %v", err)
	}
}

func TestCloseSIGKILLAfterGrace(t *testing.T) {
	spec := sh(`trap '' TERM; echo ready; sleep 60`)
	spec.KillGrace = 200 * time.Millisecond
	s, err := Start(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(s).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	within(t, 3*time.Second, "Close of a command ignoring SIGTERM", func() { s.Close() })
	if el := time.Since(start); el < spec.KillGrace {
		t.Errorf("killed after %v, before the grace period", el)
	}
	assertGone(t, s.cmd.Process.Pid)
}

func TestContextCancelKills(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s, err := Start(ctx, Spec{Path: "sleep", Args: []string{"60"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.AfterFunc(50*time.Millisecond, cancel)
	var rerr error
	within(t, 2*time.Second, "Read after cancel", func() { _, rerr = readAll(t, s) })
	if !errors.Is(rerr, context.Canceled) {
		t.Fatalf("Read = %v, want context.Canceled", rerr)
	}
	if ee := exitError(t, rerr); ee.Code != -1 || !strings.Contains(rerr.Error(), "signal: terminated") {
		t.Errorf("ExitError = %+v: %v", ee, rerr)
	}
	assertGone(t, s.cmd.Process.Pid)
}

func TestContextDeadlineKills(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	s, err := Start(ctx, sh(`echo started; exec sleep 60`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := readAll(t, s)
	if out != "started\n" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read %q, %v", out, err)
	}
}

func TestContextCancelAfterSuccess(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s, err := Start(ctx, sh(`echo done`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := readAll(t, s)
	cancel()
	if out != "done\n" || err != io.EOF {
		t.Fatalf("read %q, %v", out, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
}
