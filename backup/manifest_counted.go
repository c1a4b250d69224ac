package backup

import (
	"context"
	"io"
	"sync"
)

// CountDump returns the dump rd as a CountedDump whose rows count counts,
// in its own goroutine, beside the dump. Its Close closes rd, then waits
// for count when rd was read to its end and cancels it otherwise, then
// calls finish (nil for none): an adapter ends there what the counting
// needed (a transaction holding an exported snapshot, say).
func CountDump(ctx context.Context, rd io.ReadCloser, count func(ctx context.Context) (*RowCounts, error), finish func()) CountedDump {
	cctx, cancel := context.WithCancel(ctx)
	d := &countedDump{rd: rd, cancel: cancel, finish: finish, done: make(chan struct{})}
	go func() {
		defer close(d.done)
		d.counts, d.err = count(cctx)
	}()
	return d
}

// UncountedDump returns the dump rd as a CountedDump without counts:
// RowCounts returns err, which says why there are none.
func UncountedDump(rd io.ReadCloser, err error) CountedDump {
	d := &countedDump{rd: rd, err: err, done: make(chan struct{}), cancel: func() {}}
	close(d.done)
	return d
}

// countedDump is a dump and the counting beside it.
type countedDump struct {
	rd     io.ReadCloser
	cancel context.CancelFunc
	finish func()
	done   chan struct{} // closed when counts and err are set
	counts *RowCounts
	err    error
	eof    bool
	once   sync.Once
}

// Read reads the dump.
func (d *countedDump) Read(p []byte) (int, error) {
	n, err := d.rd.Read(p)
	if err == io.EOF {
		d.eof = true
	}
	return n, err
}

// Close stops the dump if it still runs and waits for it, then for the
// counts after a dump read to its end (it stops them otherwise), then
// calls finish.
func (d *countedDump) Close() error {
	err := d.rd.Close()
	d.once.Do(func() {
		if err != nil || !d.eof {
			d.cancel()
		}
		<-d.done
		d.cancel()
		if d.finish != nil {
			d.finish()
		}
	})
	return err
}

// RowCounts returns the counts once they are made.
func (d *countedDump) RowCounts(ctx context.Context) (*RowCounts, error) {
	select {
	case <-d.done:
		return d.counts, d.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
