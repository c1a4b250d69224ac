package backup

import (
	"time"
)

// KindNotification is the kind of the document POSTed to the webhook.
const KindNotification = "notification"

// Event is something the schedule reports to a Notifier: a run starting
// (EventStart), succeeding (EventSuccess) or failing (EventFailure), or
// sources becoming late (EventLate).
type Event struct {
	// Kind is EventStart, EventSuccess, EventFailure or EventLate.
	Kind string
	// At is when it happened.
	At time.Time
	// Record is the run's record (success and failure); its errors are
	// redacted.
	Record *BackupRecord
	// Err is why the run failed (failure), redacted.
	Err error
	// Late are the sources that became late (late).
	Late []LateSource
}

// LateSource is a source whose newest successful backup is older than
// the schedule allows.
type LateSource struct {
	// Source is "database:<name>" or "files".
	Source string `json:"source"`
	// LastSuccessAt is when its newest successful backup finished; null
	// when none is known.
	LastSuccessAt *time.Time `json:"last_success_at"`
	// LateSince is when it became late: LastSuccessAt (or, when none is
	// known, the schedule's start) plus ScheduleStatus.LateAfter.
	LateSince time.Time `json:"late_since"`
}

// Notifier delivers the schedule's events. Schedule calls Notify on its
// own goroutine, in the order the events happen; Notify must return
// promptly (deliver from elsewhere) and deal with delivery failures
// itself (log them): a notification that cannot be delivered never
// fails a backup.
type Notifier interface {
	Notify(ev Event)
}

// nopNotifier drops every event.
type nopNotifier struct{}

// Notify does nothing.
func (nopNotifier) Notify(Event) {}
