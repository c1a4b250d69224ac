package backend

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
)

// RewindReader is a reader of known length that can be reset to the
// start, so a failed upload can be retried.
type RewindReader interface {
	io.Reader
	// Rewind resets the reader to the start of the data.
	Rewind() error
	// Length is the total number of bytes the reader yields.
	Length() int64
	// Hash returns the SHA-256 of the whole content if the reader knows
	// it cheaply, or nil.
	Hash() []byte
}

// ByteReader is a RewindReader over an in-memory byte slice.
type ByteReader struct {
	*bytes.Reader
	data []byte
	hash []byte
}

// NewByteReader returns a RewindReader over buf. The SHA-256 is computed
// lazily on the first call to Hash.
func NewByteReader(buf []byte) *ByteReader {
	return &ByteReader{Reader: bytes.NewReader(buf), data: buf}
}

// Rewind resets the reader to the start.
func (b *ByteReader) Rewind() error {
	_, err := b.Seek(0, io.SeekStart)
	return err
}

// Length returns the length of the data.
func (b *ByteReader) Length() int64 { return int64(len(b.data)) }

// Hash returns the SHA-256 of the data.
func (b *ByteReader) Hash() []byte {
	if b.hash == nil {
		h := sha256.Sum256(b.data)
		b.hash = h[:]
	}
	return b.hash
}

// Bytes returns the underlying data without copying.
func (b *ByteReader) Bytes() []byte { return b.data }

// ErrShortFile is wrapped by Load errors for reads past the end of a file.
var ErrShortFile = errors.New("file is too short")

// ErrLengthMismatch is returned by Save when a reader yields a different
// number of bytes than its Length.
var ErrLengthMismatch = errors.New("written length does not match the reader's length")
