package repo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

var errPruneCrash = errors.New("simulated crash")

// pruneCrashBackend fails the failAt-th mutating operation (Save or
// Remove) and every one after it, as if the process had died there, or
// with transient only that one. Lock files pass untouched: they are not
// repository data, and a crashed process's lock is removed by unlock.
// failAt 0 never fails; ops records every mutating operation attempted.
type pruneCrashBackend struct {
	backend.Backend
	failAt    int
	transient bool

	mu  sync.Mutex
	ops []string
}

func (b *pruneCrashBackend) mutate(op string, h backend.Handle) error {
	if h.Type == backend.LockFile {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ops = append(b.ops, op+" "+h.Type.String())
	if b.failAt > 0 && (len(b.ops) == b.failAt || !b.transient && len(b.ops) > b.failAt) {
		return fmt.Errorf("%s %s: %w", op, backend.Path(h), errPruneCrash)
	}
	return nil
}

func (b *pruneCrashBackend) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	if err := b.mutate("save", h); err != nil {
		return err
	}
	return b.Backend.Save(ctx, h, rd)
}

func (b *pruneCrashBackend) Remove(ctx context.Context, h backend.Handle) error {
	if err := b.mutate("remove", h); err != nil {
		return err
	}
	return b.Backend.Remove(ctx, h)
}

func (b *pruneCrashBackend) attempted() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.ops...)
}

// TestPruneCrashSafety interrupts prune at every mutating operation in
// turn. After each crash restic must accept the repository and every kept
// snapshot must dump as written; a second prune then finishes the job.
func TestPruneCrashSafety(t *testing.T) {
	bin := testenv.Restic(t)
	ctx := context.Background()
	f := newPruneFixture(t, 2, 5)
	f.addUnused(t, 9400, 20, false) // unreferenced packs: deleted first
	f.addUnused(t, 9500, 30, true)  // fully unused, indexed: removed last
	f.forget(t, f.snaps[1], f.snaps[3])
	opts := repo.PruneOptions{MaxUnused: "0%", PackSize: prunePackSize}

	// An undisturbed run tells how many mutating operations there are.
	probe := f.copy(t)
	_, be := probe.open(t)
	cb := &pruneCrashBackend{Backend: be}
	res, err := pruneOpenBackend(t, cb).Prune(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	ops := cb.attempted()
	t.Logf("%d mutating operations: %d unreferenced, %d removed, %d repacked into %d, %d index files written, %d deleted",
		len(ops), res.Unreferenced.Packs, res.Removed.Packs, res.Repacked.Packs, res.Copied.Packs, res.IndexFilesWritten, res.IndexFilesDeleted)
	if len(ops) < 20 {
		t.Fatalf("only %d crash points: %v", len(ops), ops)
	}
	kinds := map[string]int{}
	for _, op := range ops {
		kinds[op]++
	}
	for _, want := range []string{"remove data", "save data", "save index", "remove index"} {
		if kinds[want] == 0 {
			t.Fatalf("no %q operation among %v", want, kinds)
		}
	}
	pruneResticCheck(t, bin, probe.dir, true)
	probe.verify(t)

	var crashed atomic.Int64
	t.Run("crash", func(t *testing.T) {
		for k := 1; k <= len(ops); k++ {
			t.Run(fmt.Sprintf("%02d_%s", k, strings.ReplaceAll(ops[k-1], " ", "_")), func(t *testing.T) {
				t.Parallel()
				if pruneCrashAt(t, f, bin, opts, k) {
					crashed.Add(1)
				}
			})
		}
	})
	t.Logf("%d of %d crash points crashed prune", crashed.Load(), len(ops))
	if crashed.Load() < 20 {
		t.Errorf("only %d crash points crashed prune", crashed.Load())
	}

	// A single failed operation must not break the repository either; in
	// particular, an index file that could not be deleted keeps its packs.
	t.Run("transient", func(t *testing.T) {
		for k := 1; k <= len(ops); k++ {
			if k > 1 && ops[k-1] == ops[k-2] && !strings.HasSuffix(ops[k-1], "index") {
				continue
			}
			t.Run(fmt.Sprintf("%02d_%s", k, strings.ReplaceAll(ops[k-1], " ", "_")), func(t *testing.T) {
				t.Parallel()
				pruneFailOnce(t, f, bin, opts, k)
			})
		}
	})
}

// pruneFailOnce fails only the k-th mutating operation of prune on a copy
// of f and checks the repository.
func pruneFailOnce(t *testing.T, f *pruneFixture, bin string, opts repo.PruneOptions, k int) {
	g := f.copy(t)
	_, be := g.open(t)
	cb := &pruneCrashBackend{Backend: be, failAt: k, transient: true}
	res, err := pruneOpenBackend(t, cb).Prune(context.Background(), opts)
	if err != nil && !errors.Is(err, errPruneCrash) {
		t.Fatalf("prune failed with %v", err)
	}
	t.Logf("prune: %v; %d delete failures", err, res.DeleteFailures)
	pruneResticCheck(t, bin, g.dir, true)
	g.verify(t)
}

// pruneCrashAt crashes prune at the k-th mutating operation on a copy of
// f, checks the repository, prunes again and checks again. It reports
// whether prune crashed: concurrency may shift the count by a pack.
func pruneCrashAt(t *testing.T, f *pruneFixture, bin string, opts repo.PruneOptions, k int) bool {
	ctx := context.Background()
	g := f.copy(t)
	_, be := g.open(t)
	cb := &pruneCrashBackend{Backend: be, failAt: k}
	_, err := pruneOpenBackend(t, cb).Prune(ctx, opts)
	switch {
	case err == nil:
		t.Logf("no crash at operation %d of %d", k, len(cb.attempted()))
	case !errors.Is(err, errPruneCrash):
		t.Fatalf("prune failed with %v", err)
	}
	pruneResticCheck(t, bin, g.dir, true)
	g.verify(t)

	// Running prune again completes the job.
	r, _ := g.open(t)
	again, err2 := r.Prune(ctx, opts)
	if err2 != nil {
		t.Fatalf("prune after crash: %v", err2)
	}
	if again.UnusedAfter != 0 || again.Unused.Blobs != 0 && len(again.Plan.Remove)+len(again.Plan.Repack) == 0 {
		t.Errorf("second prune left unused data: %+v", *again)
	}
	pruneResticCheck(t, bin, g.dir, false)
	g.verify(t)
	return err != nil
}
