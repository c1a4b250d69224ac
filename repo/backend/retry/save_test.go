package retry_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
)

// TestSaveRetries fails two uploads halfway: the reader is rewound, the
// partial file removed after each failure, and the content arrives whole.
func TestSaveRetries(t *testing.T) {
	f := newFlaky(func(op string, n int) error {
		if op == "save" && n <= 2 {
			return errTransient
		}
		return nil
	})
	var notified []string
	be, c := wrap(f, retry.Options{Notify: func(op string, err error, wait time.Duration) {
		notified = append(notified, op+" "+err.Error()+" "+wait.String())
	}})
	h, data := file("pack content that is long enough to be cut in half")
	if err := be.Save(context.Background(), h, backend.NewByteReader(data)); err != nil {
		t.Fatal(err)
	}
	if got, err := loadAll(f.Mem, h); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stored %q, %v", got, err)
	}
	if want := []string{"save", "remove", "save", "remove", "save"}; !slices.Equal(f.ops(), want) {
		t.Errorf("operations %v, want %v", f.ops(), want)
	}
	if want := []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(c.Waits(), want) {
		t.Errorf("waits %v, want %v", c.Waits(), want)
	}
	want := "save " + h.String() + " 503 service unavailable 1s"
	if len(notified) != 2 || notified[0] != want {
		t.Errorf("notified %q, want 2 starting with %q", notified, want)
	}
}

// TestSaveAtomicNoRemove: a backend with atomic replace is not asked to
// remove anything, and a retry that finds the file stored by the attempt
// whose answer was lost succeeds.
func TestSaveAtomicNoRemove(t *testing.T) {
	f := newFlaky(func(op string, n int) error {
		if op == "save" && n == 1 {
			return afterOp{errTransient} // stored, but the answer is lost
		}
		return nil
	})
	f.atomic, f.noClob = true, true
	be, _ := wrap(f, retry.Options{})
	h, data := file("stored despite the error")
	if err := be.Save(context.Background(), h, backend.NewByteReader(data)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"save", "save", "stat"}; !slices.Equal(f.ops(), want) {
		t.Errorf("operations %v, want %v", f.ops(), want)
	}
	// The config file is not named by its content: no such shortcut.
	f.hook = func(op string, n int) error {
		if op == "save" && n == 3 {
			return afterOp{errTransient}
		}
		return nil
	}
	err := be.Save(context.Background(), backend.Handle{Type: backend.ConfigFile}, backend.NewByteReader(data))
	if !errors.Is(err, errPermanent) {
		t.Errorf("config save: %v, want the permanent error", err)
	}
}

// failingRewind cannot rewind.
type failingRewind struct{ *backend.ByteReader }

func (failingRewind) Rewind() error { return errors.New("cannot seek a pipe") }

// TestRewindFailure returns a reader that cannot rewind at once.
func TestRewindFailure(t *testing.T) {
	f := newFlaky(nil)
	be, _ := wrap(f, retry.Options{})
	h, data := file("z")
	err := be.Save(context.Background(), h, failingRewind{backend.NewByteReader(data)})
	if err == nil || !strings.Contains(err.Error(), "cannot seek a pipe") || f.count("save") != 0 {
		t.Errorf("save with failing rewind: %v after %d saves", err, f.count("save"))
	}
}
