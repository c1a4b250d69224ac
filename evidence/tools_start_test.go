package evidence

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestStartToolVersions checks that the tools started early can be
// waited for, that a wait gives up when its context ends, and that the
// tools stop when the starter's context ends.
func TestStartToolVersions(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "release")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	for name, script := range map[string]string{
		"pg_dump": "read line < " + fifo + "; echo \"$line\"", // runs until the test writes to the FIFO
		"sqlite3": "echo '3.46.0'",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	ended, endedCancel := context.WithCancel(context.Background())
	endedCancel()

	wait := StartToolVersions(context.Background())
	if got := wait(ended); got != nil {
		t.Errorf("waiting with an ended context: %v, want nil while pg_dump runs", got)
	}
	if err := os.WriteFile(fifo, []byte("pg_dump (PostgreSQL) 17.2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := wait(context.Background())
	if got == nil || got["pg_dump"] == nil || *got["pg_dump"] != "pg_dump (PostgreSQL) 17.2" || got["sqlite3"] == nil || *got["sqlite3"] != "3.46.0" {
		t.Fatalf("versions %v", got)
	}
	if again := wait(ended); again == nil || again["pg_dump"] != got["pg_dump"] {
		t.Errorf("second wait: %v, want the same map", again)
	}

	// Cancelling the start stops pg_dump, which would otherwise wait for
	// the FIFO until the 10 s tool timeout.
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	wait = StartToolVersions(ctx)
	cancel()
	if got := wait(context.Background()); got == nil || got["pg_dump"] != nil {
		t.Errorf("after cancel: %v", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: cancelling did not stop the tools", d)
	}
}
