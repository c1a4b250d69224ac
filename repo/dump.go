package repo

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// dumpReadAhead is how many blobs a file reader loads ahead in parallel.
const dumpReadAhead = 8

// OpenFile returns the content of the file at p in snapshot s as a
// stream. Blobs are loaded ahead in parallel with bounded memory (a few
// blobs). Close must be called; it stops the loaders.
func (r *Repository) OpenFile(ctx context.Context, s *Snapshot, p string) (io.ReadCloser, error) {
	n, err := r.FindNode(ctx, *s.Tree, p)
	if err != nil {
		return nil, err
	}
	if n.Type != tree.TypeFile {
		return nil, fmt.Errorf("%s is a %s, not a file", p, n.Type)
	}
	return r.NodeReader(ctx, n), nil
}

// NodeReader streams the content of a file node.
func (r *Repository) NodeReader(ctx context.Context, n *Node) io.ReadCloser {
	ctx, cancel := context.WithCancel(ctx)
	type result struct {
		data []byte
		err  error
	}
	// One channel per blob, filled in order by a bounded set of loaders.
	slots := make(chan chan result, dumpReadAhead)
	go func() {
		defer close(slots)
		for _, bid := range n.Content {
			ch := make(chan result, 1)
			select {
			case slots <- ch:
			case <-ctx.Done():
				return
			}
			go func() {
				data, err := r.LoadBlob(ctx, DataBlob, bid)
				ch <- result{data, err}
			}()
		}
	}()
	return &blobStream{cancel: cancel, next: func() ([]byte, error) {
		ch, ok := <-slots
		if !ok {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		res := <-ch
		return res.data, res.err
	}}
}

type blobStream struct {
	cancel func()
	next   func() ([]byte, error)
	buf    []byte
	err    error
}

func (b *blobStream) Read(p []byte) (int, error) {
	for len(b.buf) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		b.buf, b.err = b.next()
		if b.err != nil && !errors.Is(b.err, io.EOF) {
			b.cancel()
		}
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

func (b *blobStream) Close() error {
	b.cancel()
	return nil
}
