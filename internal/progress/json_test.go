package progress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// decodeLines decodes every line of out as a StatusLine.
func decodeLines(t *testing.T, out string) []StatusLine {
	t.Helper()
	var lines []StatusLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var l StatusLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %q is not a status line: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestJSONRateLimitAndFinal(t *testing.T) {
	var buf bytes.Buffer
	j := NewJSON(&buf, time.Second)
	// Reports every 200 ms for 3.1 s: lines at 1 s, 2 s, 3 s, then the final one.
	const total = 31 << 20
	for i := 1; i <= 15; i++ {
		j.Report(Status{Action: "dump", Name: "/app.pgdump", Bytes: int64(i) << 20, TotalBytes: total,
			TotalItems: -1, Elapsed: time.Duration(i) * 200 * time.Millisecond})
	}
	j.Report(Status{Action: "dump", Name: "/app.pgdump", Bytes: total, TotalBytes: total, TotalItems: -1,
		Elapsed: 3100 * time.Millisecond, Final: true})
	lines := decodeLines(t, buf.String())
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 3 rate-limited and 1 final:\n%s", len(lines), buf.String())
	}
	var prev int64
	for i, l := range lines {
		if l.MessageType != "status" || l.Kind != "progress" || l.SchemaVersion != JSONSchemaVersion || l.Action != "dump" {
			t.Errorf("line %d: %+v", i, l)
		}
		if l.BytesDone < prev {
			t.Errorf("line %d: bytes_done %d went back from %d", i, l.BytesDone, prev)
		}
		prev = l.BytesDone
		if l.TotalBytes == nil || *l.TotalBytes != total || l.TotalItems != nil {
			t.Errorf("line %d: totals %v %v", i, l.TotalBytes, l.TotalItems)
		}
		if (i == len(lines)-1) != l.Final {
			t.Errorf("line %d: final %v", i, l.Final)
		}
	}
	if got := []uint64{lines[0].SecondsElapsed, lines[1].SecondsElapsed, lines[2].SecondsElapsed}; got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Errorf("seconds_elapsed %v, want 1 2 3", got)
	}
	last := lines[3]
	if last.PercentDone != 1 || last.BytesDone != total || last.SecondsRemaining == nil || *last.SecondsRemaining != 0 {
		t.Errorf("final line %+v, want 100%% done", last)
	}
	if mid := lines[1]; mid.SecondsRemaining == nil || *mid.SecondsRemaining == 0 || mid.PercentDone <= 0 || mid.PercentDone >= 1 {
		t.Errorf("middle line %+v lacks an estimate", mid)
	}
}

func TestJSONUnknownTotal(t *testing.T) {
	var buf bytes.Buffer
	j := NewJSON(&buf, time.Second)
	j.Report(Status{Action: "backup", Bytes: 10, TotalBytes: -1, TotalItems: -1, Elapsed: 1500 * time.Millisecond})
	j.Report(Status{Action: "backup", Bytes: 20, TotalBytes: -1, TotalItems: -1, Elapsed: 1600 * time.Millisecond, Final: true})
	// A second operation on the same reporter starts its own clock.
	j.Report(Status{Action: "backup", Name: "files", Bytes: 5, TotalBytes: -1, TotalItems: -1, Elapsed: 1200 * time.Millisecond})
	lines := decodeLines(t, buf.String())
	if len(lines) != 3 {
		t.Fatalf("got %d lines:\n%s", len(lines), buf.String())
	}
	if l := lines[0]; l.PercentDone != 0 || l.TotalBytes != nil || l.SecondsRemaining != nil {
		t.Errorf("running line without total: %+v", l)
	}
	if l := lines[1]; !l.Final || l.PercentDone != 1 || l.BytesDone != 20 {
		t.Errorf("final line without total: %+v", l)
	}
	if lines[2].Name != "files" || lines[2].Final {
		t.Errorf("second operation: %+v", lines[2])
	}
}

func TestJSONItems(t *testing.T) {
	var buf bytes.Buffer
	NewJSON(&buf, time.Second).Report(Status{Action: "check", Name: "read data", Bytes: 1 << 20,
		TotalBytes: -1, Items: 3, TotalItems: 4, Elapsed: 2 * time.Second})
	l := decodeLines(t, buf.String())[0]
	if l.PercentDone != 0.75 || l.ItemsDone != 3 || l.TotalItems == nil || *l.TotalItems != 4 ||
		l.SecondsRemaining == nil || *l.SecondsRemaining != 1 {
		t.Errorf("items line %+v", l)
	}
}

func TestDiscardEmitsNothing(t *testing.T) {
	m := NewMeter(Discard, "backup", "", MeterOptions{Interval: time.Nanosecond})
	m.Start(-1)
	m.Add(42)
	m.Done()
	if st := m.Status(); st.Bytes != 42 || !st.Final {
		t.Errorf("status %+v", st)
	}
	if m.stop != nil {
		t.Error("a meter reporting to Discard started its goroutine")
	}
}
