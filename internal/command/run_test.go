package command

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := Run(t.Context(), sh(`echo hi`), &out); err != nil || out.String() != "hi\n" {
		t.Fatalf("Run = %q, %v", out.String(), err)
	}
	err := Run(t.Context(), sh(`echo bye; echo oops >&2; exit 4`), &out)
	if ee := exitError(t, err); ee.Code != 4 || ee.Stderr != "oops" {
		t.Errorf("ExitError = %+v", ee)
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestRunWriteFailureStops(t *testing.T) {
	var err error
	within(t, 3*time.Second, "Run of yes into a failing writer", func() {
		err = Run(t.Context(), Spec{Path: "yes"}, &failWriter{after: 1 << 20})
	})
	if err == nil || !strings.Contains(err.Error(), "yes: write output: disk full") {
		t.Errorf("Run = %v", err)
	}
}

func TestRunInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "restored")
	spec := sh(`cat > "$OUT"`)
	spec.Env = []string{"OUT=" + out}
	if err := RunInput(t.Context(), spec, strings.NewReader("dump data")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "dump data" {
		t.Errorf("restored %q", b)
	}
}

type failReader struct{ err error }

func (r failReader) Read([]byte) (int, error) { return 0, r.err }

func TestRunInputReadFailureKillsBeforeEOF(t *testing.T) {
	out := filepath.Join(t.TempDir(), "restored")
	spec := sh(`cat > "$OUT"; touch "$OUT.committed"`)
	spec.Env = []string{"OUT=" + out}
	boom := errors.New("repository read failed")
	err := RunInput(t.Context(), spec, io.MultiReader(strings.NewReader("partial"), failReader{boom}))
	if !errors.Is(err, boom) {
		t.Fatalf("RunInput = %v, want it to wrap %v", err, boom)
	}
	if ee := exitError(t, err); ee.Code != -1 {
		t.Errorf("ExitError = %+v", ee)
	}
	if _, err := os.Stat(out + ".committed"); err == nil {
		t.Error("the command saw the end of its input and went on")
	}
}

func TestRunInputCommandStopsReading(t *testing.T) {
	var out bytes.Buffer
	spec := Spec{Path: "head", Args: []string{"-c", "3"}}
	big := strings.NewReader(strings.Repeat("x", 8<<20))
	// RunInput discards stdout; use Run with Stdin to see it.
	spec.Stdin = big
	if err := Run(t.Context(), spec, &out); err != nil || out.String() != "xxx" {
		t.Errorf("Run = %q, %v", out.String(), err)
	}
}

func TestLargeOutputBoundedMemory(t *testing.T) {
	const size = 100 << 20
	s, err := Start(t.Context(), Spec{Path: "head", Args: []string{"-c", "104857600", "/dev/zero"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{s}, make([]byte, 32<<10))
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("copied %d bytes, %v", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes streaming %d", alloc, n)
	}
}
