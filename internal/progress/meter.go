package progress

import (
	"sync"
	"sync/atomic"
	"time"
)

// DefaultInterval is how often a Meter reports by default.
const DefaultInterval = 200 * time.Millisecond

// MeterOptions tune a Meter. The zero value means defaults.
type MeterOptions struct {
	// Interval is the time between reports; 0 means DefaultInterval.
	Interval time.Duration
	// Now is the clock of Status.Elapsed; nil means time.Now.
	Now func() time.Time
}

// Meter counts the progress of one operation and reports it. Add and
// AddItems are safe for concurrent use and cost an atomic add; Start (or
// Begin) and Done are meant to be called once each, in that order, and
// later calls are ignored. A Meter is not reused.
type Meter struct {
	rep          Reporter
	action, name string
	interval     time.Duration
	now          func() time.Time

	bytes, items           atomic.Int64
	totalBytes, totalItems atomic.Int64

	mu      sync.Mutex // serialises Begin and Done
	start   time.Time
	began   bool
	done    bool
	stop    chan struct{} // closed by Done to end the report loop
	stopped chan struct{} // closed by the report loop when it returns
}

// NewMeter returns a Meter of the operation action on name (see Status)
// that reports to rep; a nil rep means Discard.
func NewMeter(rep Reporter, action, name string, opts MeterOptions) *Meter {
	if rep == nil {
		rep = Discard
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Meter{rep: rep, action: action, name: name, interval: opts.Interval, now: opts.Now}
	m.totalBytes.Store(-1)
	m.totalItems.Store(-1)
	return m
}

// Start begins the operation with its total in bytes, or -1 when it is
// unknown. It is repo.Progress's Start.
func (m *Meter) Start(totalBytes int64) { m.Begin(totalBytes, -1) }

// Begin begins the operation with its totals in bytes and in items, each
// -1 when unknown, and starts reporting: once at once, then at every
// interval.
func (m *Meter) Begin(totalBytes, totalItems int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.began || m.done {
		return
	}
	m.began = true
	m.totalBytes.Store(totalBytes)
	m.totalItems.Store(totalItems)
	m.start = m.now()
	if m.rep == Discard {
		return
	}
	// A first report at once lets a bar appear, and start its clock, now.
	m.rep.Report(m.status(m.start, false))
	m.stop, m.stopped = make(chan struct{}), make(chan struct{})
	go m.loop(m.start)
}

// loop reports at every tick until Done stops it.
func (m *Meter) loop(start time.Time) {
	defer close(m.stopped)
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.rep.Report(m.status(start, false))
		}
	}
}

// Add counts n more bytes done. It is repo.Progress's Add.
func (m *Meter) Add(n int64) { m.bytes.Add(n) }

// AddItems counts n more items done.
func (m *Meter) AddItems(n int64) { m.items.Add(n) }

// Done ends the operation: it stops the reports and makes the final one.
// It is repo.Progress's Done.
func (m *Meter) Done() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done {
		return
	}
	m.done = true
	if m.stop != nil {
		close(m.stop)
		<-m.stopped
	}
	if !m.began {
		m.start = m.now()
	}
	m.rep.Report(m.status(m.start, true))
}

// Status returns the current status, as the next report would show it.
func (m *Meter) Status() Status {
	m.mu.Lock()
	start, done := m.start, m.done
	m.mu.Unlock()
	if start.IsZero() {
		start = m.now()
	}
	return m.status(start, done)
}

func (m *Meter) status(start time.Time, final bool) Status {
	return Status{Action: m.action, Name: m.name,
		Bytes: m.bytes.Load(), TotalBytes: m.totalBytes.Load(),
		Items: m.items.Load(), TotalItems: m.totalItems.Load(),
		Elapsed: m.now().Sub(start), Final: final}
}
