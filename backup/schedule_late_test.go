package backup

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordingNotifier remembers the events it is told, safe for concurrent
// use.
type recordingNotifier struct {
	mu     sync.Mutex
	events []Event
}

func (n *recordingNotifier) Notify(ev Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.events = append(n.events, ev)
}

// kinds returns the kinds of the events told, in order.
func (n *recordingNotifier) kinds() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, ev := range n.events {
		out = append(out, ev.Kind)
	}
	return out
}

// TestScheduleLate lets the queue database fail for longer than 1.5
// intervals, twice, and requires one late event per episode, at the
// moment the source became late (the schedule wakes up for it between
// runs), and statuses that say so.
func TestScheduleLate(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sl := &stubSleeper{clock: f.clock}
	n := &recordingNotifier{}
	var statuses []ScheduleStatus
	runs := 0
	err := f.runner.Schedule(ctx, ScheduleOptions{Sleep: sl.sleep, Notifier: n,
		OnStatus: func(st ScheduleStatus) { statuses = append(statuses, st) },
		AfterBackup: func(*BackupReport, error) {
			runs++
			switch runs {
			case 1, 4:
				f.adapter.setFail("queue", errors.New("queue is down"))
			case 3:
				f.adapter.setFail("queue", nil)
			case 6:
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := time.Hour
	if diff := cmp.Diff([]time.Duration{24 * h, 12 * h, 12 * h, 24 * h, 24 * h, 12 * h, 12 * h}, sl.slept); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	want := []string{"start", "success", "start", "failure", "late", "start", "failure", "start", "success",
		"start", "failure", "late", "start", "failure"}
	if diff := cmp.Diff(want, n.kinds()); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	var late []Event
	for _, ev := range n.events {
		if ev.Kind == EventLate {
			late = append(late, ev)
		}
	}
	for i, wantAt := range []time.Duration{36 * h, 108 * h} {
		ev := late[i]
		lastOK := wantAt - 36*h
		if ev.At.Sub(runT0) != wantAt || len(ev.Late) != 1 || ev.Late[0].Source != "database:queue" ||
			ev.Late[0].LastSuccessAt == nil || ev.Late[0].LastSuccessAt.Sub(runT0) != lastOK || ev.Late[0].LateSince.Sub(runT0) != wantAt {
			t.Errorf("late event %d: %+v, want queue late at %v", i, ev, wantAt)
		}
	}
	first, last := statuses[0], statuses[len(statuses)-1]
	if first.Interval != 24*h || first.LateAfter != 36*h || !first.Since.Equal(runT0) ||
		!slices.Equal(sourceNames(first), []string{"database:app", "database:queue"}) || first.Sources[0].Last != nil {
		t.Errorf("first status %+v", first)
	}
	app, queue := last.Sources[0], last.Sources[1]
	if app.LastSuccessAt.Sub(runT0) != 120*h || queue.LastSuccessAt.Sub(runT0) != 72*h ||
		queue.Last == nil || queue.Last.Status != StatusFailed || !last.Late(queue, runT0.Add(120*h)) || last.Late(app, runT0.Add(120*h)) {
		t.Errorf("last status: app %+v, queue %+v", app, queue)
	}
}

// TestScheduleLateWithoutSuccess requires a source never backed up
// successfully to be late 1.5 intervals after the schedule started.
func TestScheduleLateWithoutSuccess(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	f.adapter.setFail("app", errors.New("app is down"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := &recordingNotifier{}
	runs := 0
	err := f.runner.Schedule(ctx, ScheduleOptions{Sleep: (&stubSleeper{clock: f.clock}).sleep, Notifier: n,
		AfterBackup: func(*BackupReport, error) {
			if runs++; runs == 3 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"start", "failure", "start", "failure", "late", "start", "failure"}
	if diff := cmp.Diff(want, n.kinds()); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	ev := n.events[4]
	if ev.At.Sub(runT0) != 36*time.Hour || len(ev.Late) != 1 || ev.Late[0].Source != "database:app" || ev.Late[0].LastSuccessAt != nil {
		t.Errorf("late event %+v", ev)
	}
}

// sourceNames returns the names of st's sources.
func sourceNames(st ScheduleStatus) []string {
	var out []string
	for _, s := range st.Sources {
		out = append(out, s.Source)
	}
	return out
}
