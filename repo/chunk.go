package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/restic/chunker"
)

// chunkResult is what saving one stream produced.
type chunkResult struct {
	Content []ID
	Size    uint64
	Blobs   int // new data blobs
}

// saveChunks splits rd with the repository's chunker and saves every chunk
// through w, hashing, compressing and encrypting on all cores while the
// next chunks are read. Memory is bounded by the writer's fixed set of
// chunk buffers.
// An error from rd is returned wrapped as a *SourceError.
func (r *Repository) saveChunks(ctx context.Context, w *Writer, rd io.Reader) (chunkResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := max(runtime.GOMAXPROCS(0), 2)
	// Chunk buffers are shared by every stream saved through w, so files
	// saved in parallel stay within the same bounded memory.
	bufs := w.chunkBufs
	type job struct {
		seq  int
		data []byte
	}
	jobs := make(chan job, workers)
	var (
		mu    sync.Mutex
		ids   []ID
		blobs int
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				bid, isNew, err := w.SaveBlob(ctx, DataBlob, j.data)
				bufs <- j.data[:0]
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				ids[j.seq] = bid
				if isNew {
					blobs++
				}
				mu.Unlock()
			}
		}()
	}
	var size uint64
	readErr := func() error {
		defer close(jobs)
		ch := chunker.New(rd, r.cfg.ChunkerPolynomial)
		for seq := 0; ; seq++ {
			var buf []byte
			select {
			case buf = <-bufs:
			case <-ctx.Done():
				return nil
			}
			if buf == nil {
				buf = make([]byte, 0, chunker.MaxSize)
			}
			c, err := ch.Next(buf)
			if err != nil {
				bufs <- buf[:0]
				if errors.Is(err, io.EOF) {
					return nil
				}
				return &SourceError{Err: err}
			}
			size += uint64(c.Length)
			mu.Lock()
			ids = append(ids, ID{})
			mu.Unlock()
			select {
			case jobs <- job{seq, c.Data}:
			case <-ctx.Done():
				bufs <- c.Data[:0]
				return nil
			}
		}
	}()
	wg.Wait()
	if readErr != nil {
		return chunkResult{}, readErr
	}
	if err := context.Cause(ctx); err != nil {
		return chunkResult{}, err
	}
	return chunkResult{Content: ids, Size: size, Blobs: blobs}, nil
}

// SourceError reports that the data source of a backup (a dump command's
// output, a file) failed; no snapshot was written.
type SourceError struct {
	Name string
	Err  error
}

// Error implements error.
func (e *SourceError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("read %s: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("read source: %v", e.Err)
}

// Unwrap returns the cause.
func (e *SourceError) Unwrap() error { return e.Err }
