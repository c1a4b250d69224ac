package backup

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stubSleeper is a ScheduleOptions.Sleep that advances a fake clock
// instead of waiting, and remembers what it was asked.
type stubSleeper struct {
	clock *stubClock
	mu    sync.Mutex
	slept []time.Duration
}

func (s *stubSleeper) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.slept = append(s.slept, d)
	s.mu.Unlock()
	s.clock.Advance(d)
	return nil
}

// snapshotTimes returns the times of the snapshots with tag, oldest
// first, as offsets from runT0.
func (f *runFixture) snapshotTimes(t testing.TB, tag string) []time.Duration {
	t.Helper()
	var out []time.Duration
	for _, s := range f.snapshots(t, tag) {
		out = append(out, s.Time.Sub(runT0))
	}
	return out
}

func TestScheduleRunsEveryIntervalAndStops(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	f.cfg.Backup.StartDelay = 10 * time.Minute
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour) // the accessory restarts an hour later
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sl := &stubSleeper{clock: f.clock}
	runs := 0
	err := f.runner.Schedule(ctx, ScheduleOptions{Sleep: sl.sleep, AfterBackup: func(rep *BackupReport, err error) {
		runs++
		switch runs {
		case 1:
			f.adapter.setFail("queue", errors.New("queue is down"))
		case 2:
			if err == nil || rep.Status != StatusFailed {
				t.Errorf("run 2: %v %v, want a failure", rep.Status, err)
			}
			f.adapter.setFail("queue", nil)
		case 3:
			cancel()
		}
	}})
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	day := 24 * time.Hour
	// Start delay, then the rest of the day since the recorded backup,
	// then whole intervals, a failed run included.
	if diff := cmp.Diff([]time.Duration{10 * time.Minute, day - 70*time.Minute, day, day}, sl.slept); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{0, day, 2 * day, 3 * day}, f.snapshotTimes(t, "database:app")); diff != "" {
		t.Errorf("app snapshot times (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{0, day, 3 * day}, f.snapshotTimes(t, "database:queue")); diff != "" {
		t.Errorf("queue snapshot times (-want +got):\n%s", diff)
	}
}

func TestScheduleFirstRunAtOnce(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sl := &stubSleeper{clock: f.clock}
	err := f.runner.Schedule(ctx, ScheduleOptions{Sleep: sl.sleep, AfterBackup: func(*BackupReport, error) { cancel() }})
	if err != nil {
		t.Fatal(err)
	}
	if len(sl.slept) != 0 || f.adapter.count("app") != 1 {
		t.Errorf("slept %v, %d dumps; want no wait and one backup", sl.slept, f.adapter.count("app"))
	}
}

func TestScheduleAbandonsBackupOnCancel(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	started := make(chan struct{})
	f.adapter.setBlock("queue", started)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	called := false
	go func() {
		done <- f.runner.Schedule(ctx, ScheduleOptions{Sleep: (&stubSleeper{clock: f.clock}).sleep,
			AfterBackup: func(*BackupReport, error) { called = true }})
	}()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	if called {
		t.Error("AfterBackup was called for an abandoned backup")
	}
	if n := len(f.snapshots(t, "database:queue")); n != 0 {
		t.Errorf("%d snapshots of the abandoned dump", n)
	}
	if n := len(f.snapshots(t, "database:app")); n != 1 {
		t.Errorf("%d snapshots of app, completed before the cancel; want 1", n)
	}
	if n := len(f.lockFiles(t)); n != 0 {
		t.Errorf("%d lock files left", n)
	}
	var rec BackupRecord
	if _, err := f.cfg.StateDir().ReadRecord(LastBackupRecord, &rec); err != nil || rec.Status != StatusFailed {
		t.Errorf("record %q %v, want failed so that the next start backs up", rec.Status, err)
	}
}

func TestScheduleIdlesWhenDisabled(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{disabled: true})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- f.runner.Schedule(ctx, ScheduleOptions{Sleep: func(context.Context, time.Duration) error {
			t.Error("Schedule waited for a backup while disabled")
			return nil
		}})
	}()
	select {
	case err := <-done:
		t.Fatalf("Schedule returned while disabled: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := f.adapter.count("app"); n != 0 {
		t.Errorf("%d dumps while disabled", n)
	}
}
