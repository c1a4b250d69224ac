package progress

import (
	"sync"
	"testing"
	"time"
)

// recorder is a Reporter keeping what it is told.
type recorder struct {
	mu     sync.Mutex
	got    []Status
	second chan struct{} // closed at the second report
}

func newRecorder() *recorder { return &recorder{second: make(chan struct{})} }

func (r *recorder) Report(st Status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, st)
	if len(r.got) == 2 {
		close(r.second)
	}
}

func (r *recorder) statuses() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Status(nil), r.got...)
}

func TestMeterFinalReport(t *testing.T) {
	rec := newRecorder()
	clock := time.Unix(1000, 0)
	now := func() time.Time { return clock }
	m := NewMeter(rec, "restore", "4adc4fcf", MeterOptions{Interval: time.Hour, Now: now})
	m.Begin(100, 2)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { m.Add(10) })
	}
	wg.Wait()
	m.AddItems(2)
	clock = clock.Add(3 * time.Second)
	m.Done()
	m.Done() // ignored
	m.Add(1)
	got := rec.statuses()
	if len(got) != 2 {
		t.Fatalf("%d reports, want the first and the final one: %+v", len(got), got)
	}
	first := Status{Action: "restore", Name: "4adc4fcf", TotalBytes: 100, TotalItems: 2}
	if got[0] != first {
		t.Errorf("first report %+v, want %+v", got[0], first)
	}
	want := Status{Action: "restore", Name: "4adc4fcf", Bytes: 100, TotalBytes: 100, Items: 2, TotalItems: 2,
		Elapsed: 3 * time.Second, Final: true}
	if got[1] != want {
		t.Errorf("final report %+v, want %+v", got[1], want)
	}
	if got[1].Fraction() != 1 {
		t.Errorf("final fraction %v", got[1].Fraction())
	}
}

func TestMeterReportsWhileRunning(t *testing.T) {
	rec := newRecorder()
	m := NewMeter(rec, "backup", "stdin", MeterOptions{Interval: time.Millisecond})
	m.Start(-1)
	m.Add(5)
	select {
	case <-rec.second:
	case <-time.After(10 * time.Second):
		t.Fatal("no report at the interval")
	}
	m.Add(7)
	m.Done()
	got := rec.statuses()
	if len(got) < 3 || got[0].Final || got[1].Final || !got[len(got)-1].Final || got[len(got)-1].Bytes != 12 {
		t.Fatalf("reports %+v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Bytes < got[i-1].Bytes {
			t.Errorf("bytes went back: %+v", got)
		}
	}
	if n := len(rec.statuses()); n != len(got) {
		t.Errorf("%d reports after Done", n-len(got))
	}
}

func TestMeterDoneWithoutStart(t *testing.T) {
	rec := newRecorder()
	m := NewMeter(rec, "dump", "", MeterOptions{})
	m.Done()
	m.Start(10) // too late: ignored
	got := rec.statuses()
	if len(got) != 1 || !got[0].Final || got[0].TotalBytes != -1 || got[0].Fraction() != 1 {
		t.Errorf("reports %+v", got)
	}
}
