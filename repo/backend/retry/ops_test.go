package retry_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
)

// TestLoadRetriesReadErrors calls fn again when the reader failed, and
// not when fn failed by itself.
func TestLoadRetriesReadErrors(t *testing.T) {
	f := newFlaky(nil)
	h, data := file(strings.Repeat("0123456789", 100))
	f.Mem.Save(context.Background(), h, backend.NewByteReader(data))
	f.loadHook = func(n int, rd io.Reader) io.Reader {
		if n == 1 {
			return io.MultiReader(io.LimitReader(rd, 10), errReader{errTransient})
		}
		return rd
	}
	be, c := wrap(f, retry.Options{})
	calls := 0
	var got []byte
	err := be.Load(context.Background(), h, 0, 0, func(rd io.Reader) error {
		calls++
		b, err := io.ReadAll(rd)
		if err != nil {
			return errors.New("decrypt: " + err.Error()) // fn's own wrapping hides nothing
		}
		got = b
		return nil
	})
	if err != nil || calls != 2 || !bytes.Equal(got, data) || len(c.Waits()) != 1 {
		t.Errorf("load: %v after %d calls, %d bytes, waits %v", err, calls, len(got), c.Waits())
	}

	errFn := errors.New("checksum mismatch")
	calls = 0
	err = be.Load(context.Background(), h, 0, 0, func(rd io.Reader) error {
		calls++
		return errFn
	})
	if err != errFn || calls != 1 {
		t.Errorf("load with failing fn: %v after %d calls, want the fn's error after 1", err, calls)
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestLoadCircuitBreaker refuses a file whose load gave up, for an hour.
func TestLoadCircuitBreaker(t *testing.T) {
	f := newFlaky(func(op string, n int) error {
		if op == "load" {
			return errTransient
		}
		return nil
	})
	be, c := wrap(f, retry.Options{MaxElapsed: 10 * time.Second})
	h, _ := file("broken")
	if _, err := loadAll(be, h); !errors.Is(err, errTransient) {
		t.Fatal(err)
	}
	n := f.count("load")
	_, err := loadAll(be, h)
	if !errors.Is(err, errTransient) || !strings.Contains(err.Error(), "not tried again") || f.count("load") != n {
		t.Errorf("second load: %v after %d more calls", err, f.count("load")-n)
	}
	c.Advance(time.Hour)
	loadAll(be, h)
	if f.count("load") == n {
		t.Errorf("an hour later the file is still refused")
	}
}

// TestListDedup hands every name to fn once although the first listing
// broke off after two names.
func TestListDedup(t *testing.T) {
	f := newFlaky(func(op string, n int) error {
		if op == "list" && n == 1 {
			return afterOp{errTransient}
		}
		return nil
	})
	for i := range 5 {
		h, data := file(strings.Repeat("x", i+1))
		h.Type = backend.IndexFile
		f.Mem.Save(context.Background(), h, backend.NewByteReader(data))
	}
	be, _ := wrap(f, retry.Options{})
	seen := map[string]int{}
	err := be.List(context.Background(), backend.IndexFile, func(fi backend.FileInfo) error {
		seen[fi.Name]++
		return nil
	})
	if err != nil || len(seen) != 5 || f.count("list") != 2 {
		t.Fatalf("list: %v, %d names, %d calls", err, len(seen), f.count("list"))
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s handed to fn %d times", name, n)
		}
	}
	errStop := errors.New("stop")
	f.hook = nil
	err = be.List(context.Background(), backend.IndexFile, func(backend.FileInfo) error { return errStop })
	if err != errStop || f.count("list") != 3 {
		t.Errorf("list with failing fn: %v after %d calls", err, f.count("list"))
	}
}

// TestRemoveAlreadyGone succeeds when a retry finds the file deleted by
// the attempt whose answer was lost.
func TestRemoveAlreadyGone(t *testing.T) {
	f := newFlaky(func(op string, n int) error {
		if op == "remove" && n == 1 {
			return afterOp{errTransient}
		}
		return nil
	})
	h, data := file("gone")
	f.Mem.Save(context.Background(), h, backend.NewByteReader(data))
	be, _ := wrap(f, retry.Options{})
	if err := be.Remove(context.Background(), h); err != nil || f.count("remove") != 2 {
		t.Errorf("remove: %v after %d calls", err, f.count("remove"))
	}
}

// TestCreate delegates to a Creator and retries it.
func TestCreate(t *testing.T) {
	f := newFlaky(nil)
	be, _ := wrap(f, retry.Options{})
	if err := be.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	var _ backend.Creator = be
}
