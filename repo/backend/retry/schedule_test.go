package retry_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
)

// TestGivesUp retries a transient failure with doubling waits capped at
// MaxInterval until MaxElapsed, and then names everything in its error.
func TestGivesUp(t *testing.T) {
	f := newFlaky(func(string, int) error { return errTransient })
	be, c := wrap(f, retry.Options{})
	h, _ := file("x")
	_, err := be.Stat(context.Background(), h)
	var re *retry.Error
	if !errors.As(err, &re) || !errors.Is(err, errTransient) {
		t.Fatalf("got %v, want a *retry.Error wrapping the cause", err)
	}
	waits := c.Waits()
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60}
	for i := range want {
		want[i] *= time.Second
	}
	if len(waits) < len(want) || !slices.Equal(waits[:len(want)], want) {
		t.Fatalf("waits %v, want to start with %v", waits, want)
	}
	var total time.Duration
	for _, w := range waits[len(want):] {
		if w != time.Minute {
			t.Errorf("wait %v past the cap", w)
		}
	}
	for _, w := range waits {
		total += w
	}
	if total > 15*time.Minute || total < 14*time.Minute {
		t.Errorf("waited %v in all, want just under 15m", total)
	}
	if re.Attempts != len(waits)+1 || f.count("stat") != re.Attempts {
		t.Errorf("attempts %d, stat calls %d, waits %d", re.Attempts, f.count("stat"), len(waits))
	}
	for _, s := range []string{"stat " + h.String(), "at flaky:/repo", "gave up after", "503 service unavailable"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

// TestJitter keeps every wait within ±Jitter of the schedule.
func TestJitter(t *testing.T) {
	f := newFlaky(func(string, int) error { return errTransient })
	be, c := wrap(f, retry.Options{Jitter: 0.5, MaxElapsed: time.Hour})
	be.Remove(context.Background(), backend.Handle{Type: backend.LockFile, Name: "x"})
	base := time.Second
	distinct := map[time.Duration]bool{}
	for i, w := range c.Waits() {
		if w < base/2 || w > base*3/2 {
			t.Errorf("wait %d: %v outside %v ± 50%%", i, w, base)
		}
		distinct[w] = true
		base = min(2*base, time.Minute)
	}
	if len(distinct) < 5 {
		t.Errorf("waits %v hardly vary", c.Waits())
	}
}

// TestAtLeastOneRetry retries once even when the first attempt alone
// outlasted MaxElapsed.
func TestAtLeastOneRetry(t *testing.T) {
	var c *clock
	f := newFlaky(func(string, int) error {
		c.Advance(time.Hour)
		return errTransient
	})
	be, c2 := wrap(f, retry.Options{MaxElapsed: time.Minute})
	c = c2
	h, _ := file("slow")
	if _, err := be.Stat(context.Background(), h); !errors.Is(err, errTransient) {
		t.Fatal(err)
	}
	if f.count("stat") != 2 {
		t.Errorf("%d attempts, want 2", f.count("stat"))
	}
}

// TestPermanent does not retry permanent failures and not-found errors,
// which come back unchanged.
func TestPermanent(t *testing.T) {
	f := newFlaky(func(op string, n int) error {
		if op == "save" {
			return errPermanent
		}
		return nil
	})
	be, c := wrap(f, retry.Options{})
	h, data := file("y")
	err := be.Save(context.Background(), h, backend.NewByteReader(data))
	var re *retry.Error
	if !errors.As(err, &re) || re.Attempts != 1 || !strings.Contains(err.Error(), "save "+h.String()+" at flaky:/repo: 403 forbidden") {
		t.Errorf("permanent save: %v", err)
	}
	if _, err := be.Stat(context.Background(), h); !be.IsNotExist(err) || errors.As(err, &re) {
		t.Errorf("stat of a missing file: %v, want the backend's not-found error", err)
	}
	if _, err := loadAll(be, h); !be.IsNotExist(err) {
		t.Errorf("load of a missing file: %v", err)
	}
	if err := be.Remove(context.Background(), h); !be.IsNotExist(err) {
		t.Errorf("remove of a missing file: %v", err)
	}
	if f.count("save") != 1 || f.count("stat") != 1 || f.count("load") != 1 || f.count("remove") != 1 || len(c.Waits()) != 0 {
		t.Errorf("calls %v, waits %v", f.ops(), c.Waits())
	}
	// A length mismatch is permanent whatever the backend says.
	f.hook = nil
	err = be.Save(context.Background(), h, shortReader{backend.NewByteReader(data)})
	if !errors.Is(err, backend.ErrLengthMismatch) || len(c.Waits()) != 0 {
		t.Errorf("length mismatch: %v after %v", err, c.Waits())
	}
}

// shortReader claims one byte more than it holds.
type shortReader struct{ *backend.ByteReader }

func (s shortReader) Length() int64 { return s.ByteReader.Length() + 1 }

// TestCancelStopsWaiting cancels the context while the retry layer waits:
// it returns at once with the context's error.
func TestCancelStopsWaiting(t *testing.T) {
	f := newFlaky(func(string, int) error { return errTransient })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	be := retry.New(f, retry.Options{
		Initial: time.Hour,
		Notify:  func(string, error, time.Duration) { cancel() },
		Sleep: func(ctx context.Context, d time.Duration) error {
			<-ctx.Done() // a wait that only the context ends
			return ctx.Err()
		},
	})
	h, _ := file("c")
	_, err := be.Stat(ctx, h)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "503") || f.count("stat") != 1 {
		t.Errorf("canceled: %v after %d attempts", err, f.count("stat"))
	}
	// The default Sleep, too, returns when the context ends.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	be = retry.New(f, retry.Options{Initial: time.Hour, Notify: func(string, error, time.Duration) { cancel() }})
	start := time.Now()
	if _, err := be.Stat(ctx, h); !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Errorf("default sleep: %v after %v", err, time.Since(start))
	}
}
