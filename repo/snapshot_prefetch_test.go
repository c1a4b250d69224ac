package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// countingBackend counts the files loaded, by type, and reports each
// load on loaded.
type countingBackend struct {
	backend.Backend
	mu     sync.Mutex
	loads  map[backend.FileType]int
	loaded chan backend.FileType
}

func newCountingBackend(be backend.Backend) *countingBackend {
	return &countingBackend{Backend: be, loads: map[backend.FileType]int{}, loaded: make(chan backend.FileType, 1000)}
}

func (b *countingBackend) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(io.Reader) error) error {
	b.mu.Lock()
	b.loads[h.Type]++
	b.mu.Unlock()
	err := b.Backend.Load(ctx, h, length, offset, fn)
	b.loaded <- h.Type
	return err
}

// take returns the loads counted since the last take, and resets them.
func (b *countingBackend) take() map[backend.FileType]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.loads
	b.loads = map[backend.FileType]int{}
	return m
}

// await waits until want loads of each type have ended.
func (b *countingBackend) await(t *testing.T, want map[backend.FileType]int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		done := true
		for _, n := range want {
			done = done && n <= 0
		}
		if done {
			return
		}
		select {
		case ft := <-b.loaded:
			want[ft]--
		case <-timeout:
			t.Fatalf("loads still awaited: %v", want)
		}
	}
}

// prefetchFixture is a lock fixture whose repository holds n snapshots,
// opened again on a counting backend.
func prefetchFixture(t *testing.T, n int) (*lockFixture, *Repository, *countingBackend, int) {
	t.Helper()
	f := newLockFixture(t)
	for i := range n {
		opts := SnapshotOptions{Host: "h", Time: f.clock.Now().Add(time.Duration(i) * time.Hour)}
		if _, err := f.r.BackupStream(t.Context(), "f.txt", strings.NewReader(fmt.Sprint("content ", i)), opts); err != nil {
			t.Fatal(err)
		}
	}
	indexes, err := f.r.listNames(t.Context(), backend.IndexFile)
	if err != nil || len(indexes) == 0 {
		t.Fatalf("index files %v: %v", indexes, err)
	}
	cb := newCountingBackend(f.be)
	r, err := Open(t.Context(), cb, "secret", Options{Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	cb.take()
	drain(cb)
	return f, r, cb, len(indexes)
}

func drain(cb *countingBackend) {
	for {
		select {
		case <-cb.loaded:
		default:
			return
		}
	}
}

// idsOf returns a function giving the IDs of a listing, failing t on
// its error.
func idsOf(t *testing.T) func([]*Snapshot, error) []ID {
	return func(snaps []*Snapshot, err error) []ID {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]ID, len(snaps))
		for i, s := range snaps {
			ids[i] = s.ID()
		}
		return ids
	}
}

// lockPrefetched locks r as process 100, asking for both prefetches,
// and checks that they loaded while the lock settled.
func lockPrefetched(t *testing.T, f *lockFixture, r *Repository, cb *countingBackend, snaps, indexes int) context.Context {
	t.Helper()
	settled := false
	f.onSleep = func(d time.Duration) {
		if d == lockSettleDelay {
			cb.await(t, map[backend.FileType]int{backend.SnapshotFile: snaps, backend.IndexFile: indexes})
			settled = true
		}
	}
	l, lctx, err := r.LockWithOptions(t.Context(), LockOptions{Prefetch: PrefetchSnapshots | PrefetchIndex, env: f.env(100)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Unlock() })
	if !settled {
		t.Fatal("the lock did not settle")
	}
	if got := cb.take(); got[backend.SnapshotFile] != snaps || got[backend.IndexFile] != indexes {
		t.Fatalf("loads while settling: %v, want %d snapshots and %d index files", got, snaps, indexes)
	}
	return lctx
}

// TestLockPrefetch checks that the snapshots and the index load while the
// lock settles, and that the operation under the lock then finds them
// loaded, once.
func TestLockPrefetch(t *testing.T) {
	f, r, cb, indexes := prefetchFixture(t, 3)
	ids := idsOf(t)
	want := ids(f.r.Snapshots(t.Context(), Filter{}))
	wantPacks, err := f.r.PackIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	lctx := lockPrefetched(t, f, r, cb, 3, indexes)
	if got := ids(r.Snapshots(lctx, Filter{})); !slices.Equal(got, want) {
		t.Errorf("snapshots %v, want %v", got, want)
	}
	packs, err := r.PackIDs(lctx)
	if err != nil || !slices.Equal(packs, wantPacks) {
		t.Errorf("pack IDs %v (%v), want %v", packs, err, wantPacks)
	}
	if got := cb.take(); got[backend.SnapshotFile] != 0 || got[backend.IndexFile] != 0 {
		t.Errorf("loads under the lock: %v, want none", got)
	}
	// The prefetched snapshots serve one call: the next loads them all.
	if got := ids(r.Snapshots(lctx, Filter{})); !slices.Equal(got, want) {
		t.Errorf("snapshots again %v, want %v", got, want)
	}
	if got := cb.take(); got[backend.SnapshotFile] != 3 {
		t.Errorf("loads of the second listing: %v, want all 3 snapshots", got)
	}
}

// TestLockPrefetchLateSnapshot checks that a snapshot saved by another
// process after the prefetch is listed under the lock, and that the index
// then loads again so that it holds the new snapshot's blobs.
func TestLockPrefetchLateSnapshot(t *testing.T) {
	f, r, cb, indexes := prefetchFixture(t, 2)
	ids := idsOf(t)
	lctx := lockPrefetched(t, f, r, cb, 2, indexes)
	late, err := f.r.BackupStream(t.Context(), "g.txt", strings.NewReader("late"), SnapshotOptions{Host: "h", Time: f.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := ids(f.r.Snapshots(t.Context(), Filter{}))
	wantPacks, err := f.r.PackIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cb.take()
	if got := ids(r.Snapshots(lctx, Filter{})); !slices.Equal(got, want) || got[len(got)-1] != late.ID() {
		t.Errorf("snapshots %v, want %v ending with the late one", got, want)
	}
	packs, err := r.PackIDs(lctx)
	if err != nil || !slices.Equal(packs, wantPacks) {
		t.Errorf("pack IDs %v (%v), want %v", packs, err, wantPacks)
	}
	if got := cb.take(); got[backend.SnapshotFile] != 1 || got[backend.IndexFile] != indexes+1 {
		t.Errorf("loads under the lock: %v, want the late snapshot and every index file", got)
	}
	rc, err := r.OpenFile(lctx, late, "g.txt")
	if err != nil {
		t.Fatalf("open the late snapshot's file: %v", err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(data) != "late" {
		t.Errorf("late snapshot's file %q (%v)", data, err)
	}
}

// TestLockPrefetchDiscarded checks that a lock lost at the re-check
// returns the lock's error and keeps nothing of what was loaded.
func TestLockPrefetchDiscarded(t *testing.T) {
	f, r, cb, indexes := prefetchFixture(t, 2)
	var rival string
	f.onSleep = func(time.Duration) {
		if rival == "" {
			cb.await(t, map[backend.FileType]int{backend.SnapshotFile: 2, backend.IndexFile: indexes})
			rival = f.put(t, lockFile{Time: f.clock.Now(), Exclusive: true, Hostname: "there", Username: "x", PID: 9})
		}
	}
	l, lctx, err := r.LockWithOptions(t.Context(), LockOptions{Prefetch: PrefetchSnapshots | PrefetchIndex, env: f.env(100)})
	var le *LockedError
	if !errors.As(err, &le) || le.ID != rival || l != nil || lctx != nil {
		t.Fatalf("lock %v, %v, %v; want the rival's lock error", l, lctx, err)
	}
	if snaps, idx := r.pre.take(); snaps != nil || idx != nil {
		t.Errorf("prefetch kept after a failed lock: %v, %v", snaps, idx)
	}
	r.idxMu.Lock()
	loaded := r.loaded
	r.idxMu.Unlock()
	if loaded {
		t.Error("prefetched index kept after a failed lock")
	}
	cb.take()
	if _, err := r.Snapshots(t.Context(), Filter{}); err != nil {
		t.Fatal(err)
	}
	if got := cb.take(); got[backend.SnapshotFile] != 2 {
		t.Errorf("loads of a later listing: %v, want both snapshots loaded again", got)
	}
}

// TestLockWithoutPrefetchLoadsNothing checks that the zero LockOptions
// loads no snapshot or index.
func TestLockWithoutPrefetchLoadsNothing(t *testing.T) {
	f, r, cb, _ := prefetchFixture(t, 1)
	l, _, err := r.LockWithOptions(t.Context(), LockOptions{env: f.env(100)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if snaps, _ := r.pre.take(); snaps != nil {
		t.Error("snapshots kept without Prefetch")
	}
	if got := cb.take(); got[backend.SnapshotFile] != 0 || got[backend.IndexFile] != 0 {
		t.Errorf("loads %v without Prefetch", got)
	}
}
