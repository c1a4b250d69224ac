package pack

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
)

// ReadHeader reads and parses the header of the pack of size bytes in rd.
// It reads the last EagerReadSize bytes first and a second, larger piece
// only when the header does not fit. headerSize is the number of bytes the
// header occupies at the end of the pack, trailer included (L+4). Errors are
// those of ParseHeader, ctx's error between reads, or the read error.
func ReadHeader(ctx context.Context, rd io.ReaderAt, size int64, key *crypto.Key) (blobs []Blob, headerSize uint32, err error) {
	if size < TrailerSize {
		return nil, 0, fmt.Errorf("%w: pack of %d bytes has no trailer", ErrInvalidHeader, size)
	}
	tail, err := readTail(ctx, rd, size, min(size, EagerReadSize))
	if err != nil {
		return nil, 0, err
	}
	l, err := HeaderLength(tail, size)
	if err != nil {
		return nil, 0, err
	}
	if need := int64(l) + TrailerSize; need > int64(len(tail)) {
		if tail, err = readTail(ctx, rd, size, need); err != nil {
			return nil, 0, err
		}
	}
	blobs, err = ParseHeader(key, tail, size)
	if err != nil {
		return nil, 0, err
	}
	return blobs, l + TrailerSize, nil
}

// readTail reads the last n bytes of a pack of size bytes.
func readTail(ctx context.Context, rd io.ReaderAt, size, n int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	got, err := rd.ReadAt(buf, size-n)
	if got == len(buf) {
		return buf, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return nil, fmt.Errorf("read pack header: %w", err)
}
