package retry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
)

// TestConformance runs the suite through the retry layer over mem.
func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return retry.New(mem.New(), retry.Options{Sleep: func(context.Context, time.Duration) error {
			t.Error("retried")
			return nil
		}})
	})
}

// wrap returns f wrapped with a fake clock and no jitter, and the clock.
func wrap(f backend.Backend, opts retry.Options) (*retry.Backend, *clock) {
	c := newClock()
	opts.Now, opts.Sleep = c.Now, c.Sleep
	if opts.Jitter == 0 {
		opts.Jitter = -1
	}
	return retry.New(f, opts), c
}

// file returns a pack handle named by the hash of data, and data.
func file(data string) (backend.Handle, []byte) {
	sum := sha256.Sum256([]byte(data))
	return backend.Handle{Type: backend.PackFile, Name: hex.EncodeToString(sum[:])}, []byte(data)
}

// loadAll loads the whole of h.
func loadAll(be backend.Backend, h backend.Handle) ([]byte, error) {
	var got []byte
	err := be.Load(context.Background(), h, 0, 0, func(rd io.Reader) error {
		var err error
		got, err = io.ReadAll(rd)
		return err
	})
	return got, err
}
