package main

import (
	"sync/atomic"

	"github.com/kamal-backup/kamal-backup/internal/progress"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// restoreProgress shows a restore's bytes on a meter.
type restoreProgress struct{ m *progress.Meter }

var _ restorer.Progress = restoreProgress{}

// Start begins the meter with the bytes the restore will write.
func (p restoreProgress) Start(total restorer.Stats) { p.m.Start(int64(total.Bytes)) }

// Bytes counts restored bytes.
func (p restoreProgress) Bytes(n uint64) { p.m.Add(int64(n)) }

// Done ends the meter.
func (p restoreProgress) Done(restorer.Stats) { p.m.Done() }

// checkProgress passes Check's steps on to steps, if set, and shows the
// read-data step (packs downloaded and verified) on a meter. Call finish
// once Check returned. It is safe for concurrent use.
type checkProgress struct {
	steps    repo.CheckProgress // restic's step lines; may be nil
	newMeter func() *progress.Meter
	cur      atomic.Pointer[progress.Meter] // of the read-data step
}

var _ repo.CheckProgress = (*checkProgress)(nil)

// CheckStep ends the meter of the previous step, if any, and starts one
// for the read-data step.
func (c *checkProgress) CheckStep(step string, total int) {
	if c.steps != nil {
		c.steps.CheckStep(step, total)
	}
	c.finish()
	if step == repo.CheckStepReadData && total > 0 {
		m := c.newMeter()
		m.Begin(-1, int64(total))
		c.cur.Store(m)
	}
}

// CheckAdvance counts packs and bytes read.
func (c *checkProgress) CheckAdvance(items int, bytes int64) {
	if c.steps != nil {
		c.steps.CheckAdvance(items, bytes)
	}
	if m := c.cur.Load(); m != nil {
		m.AddItems(int64(items))
		m.Add(bytes)
	}
}

// finish ends the current meter, if any.
func (c *checkProgress) finish() {
	if m := c.cur.Swap(nil); m != nil {
		m.Done()
	}
}
