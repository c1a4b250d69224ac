package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestBarBytes(t *testing.T) {
	var buf bytes.Buffer
	b := NewBar(&buf)
	st := Status{Action: "dump", Name: "/app.pgdump", TotalBytes: 4 << 20, TotalItems: -1}
	for _, n := range []int64{1 << 20, 2 << 20, 3 << 20} {
		st.Bytes, st.Elapsed = n, time.Duration(n>>20)*time.Second
		b.Report(st)
	}
	st.Bytes, st.Final = 4<<20, true
	b.Report(st)
	out := buf.String()
	for _, want := range []string{"dump /app.pgdump", "100%", "4.0/4.0 MiB", "25%"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar lacks %q:\n%q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("bar should end with exactly one newline: %q", out)
	}
}

func TestBarStoppedEarly(t *testing.T) {
	var buf bytes.Buffer
	b := NewBar(&buf)
	b.Report(Status{Action: "restore", Bytes: 1 << 20, TotalBytes: 4 << 20, TotalItems: -1})
	b.Report(Status{Action: "restore", Bytes: 2 << 20, TotalBytes: 4 << 20, TotalItems: -1, Final: true})
	out := buf.String()
	if strings.Contains(out, "100%") || !strings.Contains(out, "50%") || !strings.HasSuffix(out, "\n") {
		t.Errorf("a failed operation's bar: %q", out)
	}
	// The next operation gets a bar of its own.
	b.Report(Status{Action: "check", Name: "read data", Items: 3, TotalItems: 4, TotalBytes: -1, Final: true})
	if out := buf.String(); !strings.Contains(out, "check read data") || !strings.Contains(out, "3/4") {
		t.Errorf("items bar: %q", out)
	}
}

func TestBarSpinner(t *testing.T) {
	var buf bytes.Buffer
	b := NewBar(&buf)
	b.Report(Status{Action: "backup", Name: "stdin", Bytes: 3 << 20, TotalBytes: -1, TotalItems: -1})
	b.Report(Status{Action: "backup", Name: "stdin", Bytes: 5 << 20, TotalBytes: -1, TotalItems: -1, Final: true})
	out := buf.String()
	if !strings.Contains(out, "backup stdin") || !strings.Contains(out, "5.0 MiB") || !strings.HasSuffix(out, "\n") {
		t.Errorf("spinner: %q", out)
	}
}
