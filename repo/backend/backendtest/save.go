package backendtest

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

func testConfig(t *testing.T, be backend.Backend) {
	ctx := context.Background()
	h := backend.Handle{Type: backend.ConfigFile}
	data := []byte(`{"version":2,"id":"x","chunker_polynomial":"25b468838dcb75"}`)
	save(t, be, h, data)
	checkLoad(t, be, h, data, 0, 0)
	checkLoad(t, be, h, data, 7, 3)
	fi, err := be.Stat(ctx, h)
	if err != nil {
		t.Fatalf("stat config: %v", err)
	}
	if fi.Size != int64(len(data)) {
		t.Errorf("stat config: size %d, want %d", fi.Size, len(data))
	}
	for _, ft := range fileTypes {
		if got := listAll(t, be, ft); len(got) != 0 {
			t.Errorf("list %v with only a config: %v", ft, got)
		}
	}
	if err := be.Remove(ctx, h); err != nil {
		t.Fatalf("remove config: %v", err)
	}
	_, err = be.Stat(ctx, h)
	checkNotExist(t, be, "stat removed config", err)
}

// lyingReader reports a length that differs from its content by delta.
type lyingReader struct {
	*backend.ByteReader
	delta int64
}

func (l lyingReader) Length() int64 { return l.ByteReader.Length() + l.delta }

func testLengthMismatch(t *testing.T, be backend.Backend) {
	ctx := context.Background()
	r := newRand(8)
	for _, delta := range []int64{1, -1, 1000, -999} {
		data, name := randomFile(r, 1000)
		h := backend.Handle{Type: backend.PackFile, Name: name}
		err := be.Save(ctx, h, lyingReader{backend.NewByteReader(data), delta})
		if !errors.Is(err, backend.ErrLengthMismatch) {
			t.Errorf("save with length off by %d: got %v, want ErrLengthMismatch", delta, err)
		}
		_, err = be.Stat(ctx, h)
		checkNotExist(t, be, "stat after failed save", err)
	}
	if got := listAll(t, be, backend.PackFile); len(got) != 0 {
		t.Errorf("list after failed saves: %v", got)
	}
}

func testSaveCanceled(t *testing.T, be backend.Backend) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data, name := randomFile(newRand(9), 1000)
	h := backend.Handle{Type: backend.IndexFile, Name: name}
	if err := be.Save(ctx, h, backend.NewByteReader(data)); err == nil {
		t.Errorf("save with canceled context: no error")
	}
	_, err := be.Stat(context.Background(), h)
	checkNotExist(t, be, "stat after canceled save", err)
}

// testRewind checks what the retry layer relies on: a reader rewound after
// a partial read saves in full, saving the same content again leaves it
// intact, and a Load whose fn failed halfway can simply be repeated.
func testRewind(t *testing.T, be backend.Backend) {
	ctx := context.Background()
	data, name := randomFile(newRand(10), 10_000)
	h := backend.Handle{Type: backend.PackFile, Name: name}
	rd := backend.NewByteReader(data)
	if _, err := io.CopyN(io.Discard, rd, 4000); err != nil {
		t.Fatal(err)
	}
	if err := rd.Rewind(); err != nil {
		t.Fatal(err)
	}
	if err := be.Save(ctx, h, rd); err != nil {
		t.Fatalf("save after rewind: %v", err)
	}
	checkLoad(t, be, h, data, 0, 0)

	if err := rd.Rewind(); err != nil {
		t.Fatal(err)
	}
	if err := be.Save(ctx, h, rd); err != nil {
		t.Logf("second save of %v refused: %v", h, err) // allowed: no overwrite
	}
	checkLoad(t, be, h, data, 0, 0)

	errRetry := errors.New("transient")
	for attempt := range 3 {
		var got []byte
		err := be.Load(ctx, h, 5000, 1000, func(rd io.Reader) error {
			buf := make([]byte, 100)
			if _, err := io.ReadFull(rd, buf); err != nil {
				return err
			}
			got = append(got[:0], buf...)
			if attempt < 2 {
				return errRetry
			}
			rest, err := io.ReadAll(rd)
			got = append(got, rest...)
			return err
		})
		if attempt < 2 && !errors.Is(err, errRetry) {
			t.Fatalf("attempt %d: got %v, want %v", attempt, err, errRetry)
		}
		if attempt == 2 && (err != nil || string(got) != string(data[1000:6000])) {
			t.Errorf("retried load: err %v, %d bytes, content matches %v",
				err, len(got), string(got) == string(data[1000:6000]))
		}
	}
}
