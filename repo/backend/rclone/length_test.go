package rclone

import (
	"errors"
	"io"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// streamReader hides ByteReader's Bytes and may lie about its length.
type streamReader struct {
	rd    *backend.ByteReader
	delta int64
}

func (s streamReader) Read(p []byte) (int, error) { return s.rd.Read(p) }
func (s streamReader) Rewind() error              { return s.rd.Rewind() }
func (s streamReader) Length() int64              { return s.rd.Length() + s.delta }
func (s streamReader) Hash() []byte               { return nil }

// lyingBytes keeps ByteReader's Bytes but lies about its length.
type lyingBytes struct{ *backend.ByteReader }

func (l lyingBytes) Length() int64 { return l.ByteReader.Length() - 1 }

func TestCheckLength(t *testing.T) {
	data := []byte("some pack data")
	for _, delta := range []int64{0, 1, -1} {
		rd := streamReader{backend.NewByteReader(data), delta}
		err := checkLength(rd)
		if (err != nil) != (delta != 0) || (err != nil && !errors.Is(err, backend.ErrLengthMismatch)) {
			t.Errorf("delta %d: %v", delta, err)
		}
		if got, _ := io.ReadAll(rd); string(got) != string(data) {
			t.Errorf("delta %d: reader not rewound: %q", delta, got)
		}
	}
	if err := checkLength(backend.NewByteReader(data)); err != nil {
		t.Errorf("byte reader: %v", err)
	}
	if err := checkLength(lyingBytes{backend.NewByteReader(data)}); !errors.Is(err, backend.ErrLengthMismatch) {
		t.Errorf("lying byte reader: %v", err)
	}
}
