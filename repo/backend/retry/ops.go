package retry

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Save stores rd under h, rewinding rd before every attempt. After a
// transient failure on a backend without atomic replace it removes what
// the attempt may have left (a missing file is fine), itself with
// retries. If a later attempt fails permanently because an earlier one
// stored the file after all (its answer was lost, and the removal failed
// too, as on an append-only server) and the file has rd's length, Save
// succeeds: every file but the config is named by the hash of its
// content. A failing Rewind is returned at once.
func (b *Backend) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	return b.run(ctx, "save", h.String(), func(n int) error {
		if err := rd.Rewind(); err != nil {
			return &stopError{fmt.Errorf("save %v: rewind: %w", h, err)}
		}
		err := b.be.Save(ctx, h, rd)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if b.permanent(err) {
			if n > 1 && h.Type != backend.ConfigFile && !b.be.IsNotExist(err) {
				if fi, serr := b.Stat(ctx, h); serr == nil && fi.Size == rd.Length() {
					b.opts.Logger.Info("an earlier attempt had stored the file", "file", h.String(), "err", err)
					return nil
				}
			}
			return err
		}
		if !b.atomic {
			if rerr := b.Remove(ctx, h); rerr != nil && !b.be.IsNotExist(rerr) {
				b.opts.Logger.Debug("remove after failed save", "file", h.String(), "err", rerr)
			}
		}
		return err
	})
}

// Load calls fn with a reader over the range of h, like the wrapped
// backend. When reading fails, fn is called again on a new reader; when fn
// fails on its own, without a read error, its error is returned at once.
func (b *Backend) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(rd io.Reader) error) error {
	if err := b.refusedLoad(h); err != nil {
		return err
	}
	err := b.run(ctx, "load", h.String(), func(int) error {
		return b.be.Load(ctx, h, length, offset, func(rd io.Reader) error {
			tr := &trackingReader{rd: rd}
			err := fn(tr)
			if err != nil && tr.err == nil {
				return &stopError{err}
			}
			return err
		})
	})
	var fail *Error
	if errors.As(err, &fail) && ctx.Err() == nil && !b.permanent(fail.Err) {
		b.recordFailedLoad(h, fail)
	}
	return err
}

// trackingReader remembers a read error other than io.EOF.
type trackingReader struct {
	rd  io.Reader
	err error
}

func (t *trackingReader) Read(p []byte) (int, error) {
	n, err := t.rd.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// refusedLoad returns an error if loading h gave up less than an hour ago.
func (b *Backend) refusedLoad(h backend.Handle) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.failedLoads[h]
	if !ok {
		return nil
	}
	if b.opts.Now().Sub(f.at) >= failedLoadTTL {
		delete(b.failedLoads, h)
		return nil
	}
	return &Error{Op: "load", File: h.String(), Location: b.be.Location(), Attempts: 0,
		Err: fmt.Errorf("not tried again: loading it gave up at %s: %w", f.at.Format("15:04:05"), f.err)}
}

func (b *Backend) recordFailedLoad(h backend.Handle, fail *Error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failedLoads[h] = failedLoad{at: b.opts.Now(), err: fail.Err}
}

// Stat returns the size of h. A missing file is not retried.
func (b *Backend) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	var fi backend.FileInfo
	err := b.run(ctx, "stat", h.String(), func(int) error {
		var err error
		fi, err = b.be.Stat(ctx, h)
		return err
	})
	return fi, err
}

// List calls fn for every file of type t. Names listed by a failed
// attempt are not handed to fn again by the next one; an error of fn is
// returned at once.
func (b *Backend) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	seen := make(map[string]struct{})
	return b.run(ctx, "list", t.String()+"/", func(int) error {
		return b.be.List(ctx, t, func(fi backend.FileInfo) error {
			if _, ok := seen[fi.Name]; ok {
				return nil
			}
			seen[fi.Name] = struct{}{}
			if err := fn(fi); err != nil {
				return &stopError{err}
			}
			return nil
		})
	})
}

// Remove deletes h. If a retry finds h gone, an earlier attempt deleted
// it and Remove succeeds.
func (b *Backend) Remove(ctx context.Context, h backend.Handle) error {
	return b.run(ctx, "remove", h.String(), func(n int) error {
		err := b.be.Remove(ctx, h)
		if n > 1 && err != nil && b.be.IsNotExist(err) {
			return nil
		}
		return err
	})
}

// Create creates the repository location if the wrapped backend is a
// backend.Creator, and does nothing otherwise.
func (b *Backend) Create(ctx context.Context) error {
	c, ok := b.be.(backend.Creator)
	if !ok {
		return ctx.Err()
	}
	return b.run(ctx, "create", "repository", func(int) error { return c.Create(ctx) })
}
