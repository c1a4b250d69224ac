package progress

import "time"

// Status is what a Reporter is told about an operation.
type Status struct {
	// Action is what is done: "backup", "restore", "dump" or "check".
	Action string
	// Name is what the action works on (a file, a database, a step);
	// it may be empty.
	Name string
	// Bytes is the number of bytes done so far; TotalBytes the number
	// expected, or -1 when unknown.
	Bytes, TotalBytes int64
	// Items is the number of items (files, packs) done so far;
	// TotalItems the number expected, or -1 when unknown.
	Items, TotalItems int64
	// Elapsed is the time since the operation started.
	Elapsed time.Duration
	// Final is set on the last report of the operation, made when it
	// ended, successfully or not.
	Final bool
}

// Fraction returns how much of the operation is done, from 0 to 1: from
// the bytes when their total is known and not zero, else from the items.
// With neither total known it is 0, or 1 on the final report.
func (s Status) Fraction() float64 {
	var f float64
	switch {
	case s.TotalBytes > 0:
		f = float64(s.Bytes) / float64(s.TotalBytes)
	case s.TotalItems > 0:
		f = float64(s.Items) / float64(s.TotalItems)
	case s.Final:
		return 1
	}
	return min(max(f, 0), 1)
}

// Remaining estimates the time left from the average rate so far; ok is
// false while that cannot be estimated (no known total, nothing done
// yet). On the final report it is 0.
func (s Status) Remaining() (d time.Duration, ok bool) {
	if s.Final {
		return 0, true
	}
	f := s.Fraction()
	if f <= 0 || (s.TotalBytes <= 0 && s.TotalItems <= 0) {
		return 0, false
	}
	return time.Duration(float64(s.Elapsed) * (1 - f) / f), true
}

// Reporter shows statuses. A Meter calls Report from one goroutine at a
// time: when the operation begins (Elapsed near 0), at its interval, and
// once more with Final set. A Reporter serves one operation at a time,
// operations following each other.
type Reporter interface {
	// Report shows st, or decides to skip it. It must return quickly and
	// never fails: progress that cannot be shown is dropped.
	Report(st Status)
}

// Discard is the Reporter that shows nothing. A Meter reporting to it
// starts no goroutine.
var Discard Reporter = discard{}

type discard struct{}

func (discard) Report(Status) {}
