package repo_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// pruneCheckers are the restic versions that must accept a pruned
// repository.
var pruneCheckers = []struct {
	name string
	bin  func(testing.TB) string
}{
	{"restic-0.18.1", func(t testing.TB) string { return testenv.Restic(t) }},
	{"restic-0.14", func(t testing.TB) string { return testenv.Restic014(t) }},
}

func pruneCheckAll(t *testing.T, dir string) {
	t.Helper()
	for _, c := range pruneCheckers {
		t.Run(c.name, func(t *testing.T) {
			pruneResticCheck(t, c.bin(t), dir, true)
		})
	}
}

func TestPruneFreesForgottenData(t *testing.T) {
	for _, version := range []uint{1, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			ctx := context.Background()
			f := newPruneFixture(t, version, 5)
			unref := f.addUnused(t, 9000, 12, false)
			f.forget(t, f.snaps[1], f.snaps[3])
			before := pruneDataBytes(t, f.dir)

			r, _ := f.open(t)
			res, err := r.Prune(ctx, repo.PruneOptions{PackSize: prunePackSize})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", *res)
			if res.Snapshots != 3 {
				t.Errorf("walked %d snapshots, want 3", res.Snapshots)
			}
			if res.Unreferenced.Packs != len(unref) {
				t.Errorf("deleted %d unreferenced packs, want %d", res.Unreferenced.Packs, len(unref))
			}
			if res.Removed.Packs == 0 || res.Removed.Blobs == 0 {
				t.Errorf("no unused pack removed: %+v", res.Removed)
			}
			after := pruneDataBytes(t, f.dir)
			if res.FreedBytes <= 0 || res.FreedBytes != before-after {
				t.Errorf("FreedBytes %d, packs shrank by %d", res.FreedBytes, before-after)
			}
			if res.UnusedAfter*95 > res.Used.Bytes*5 {
				t.Errorf("unused after prune %d exceeds 5%% (used %d)", res.UnusedAfter, res.Used.Bytes)
			}
			for _, p := range unref {
				if _, ok := pruneState(t, f.dir)["data/"+p[:2]+"/"+p]; ok {
					t.Errorf("unreferenced pack %s still there", p[:8])
				}
			}
			f.verify(t)
			pruneCheckAll(t, f.dir)

			// A second prune finds nothing to do and changes nothing.
			state := pruneState(t, f.dir)
			r, _ = f.open(t)
			again, err := r.Prune(ctx, repo.PruneOptions{PackSize: prunePackSize})
			if err != nil {
				t.Fatal(err)
			}
			if again.Removed.Packs+again.Repacked.Packs+again.Unreferenced.Packs+again.IndexFilesWritten != 0 {
				t.Errorf("second prune did work: %+v", *again)
			}
			if got := pruneState(t, f.dir); !maps.Equal(got, state) {
				t.Errorf("second prune changed the repository")
			}
		})
	}
}

func TestPruneRepacksPartlyUsedPacks(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 5)
	f.forget(t, f.snaps[0], f.snaps[2])
	r, _ := f.open(t)
	res, err := r.Prune(ctx, repo.PruneOptions{MaxUnused: "0%", PackSize: prunePackSize})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *res)
	if res.Repacked.Packs == 0 || res.Copied.Blobs == 0 || res.Copied.Packs == 0 {
		t.Fatalf("nothing repacked: repacked %+v copied %+v", res.Repacked, res.Copied)
	}
	if res.UnusedAfter != 0 {
		t.Errorf("UnusedAfter = %d, want 0", res.UnusedAfter)
	}
	if len(res.Plan.Repack) != res.Repacked.Packs {
		t.Errorf("plan lists %d packs to repack, result %d", len(res.Plan.Repack), res.Repacked.Packs)
	}
	state := pruneState(t, f.dir)
	for _, p := range append(res.Plan.Repack, res.Plan.Remove...) {
		if _, ok := state["data/"+p.String()[:2]+"/"+p.String()]; ok {
			t.Errorf("pack %s still present", p.Str())
		}
	}
	f.verify(t)
	pruneCheckAll(t, f.dir)

	// Nothing unused is left to find.
	r, _ = f.open(t)
	dry, err := r.Prune(ctx, repo.PruneOptions{MaxUnused: "0%", PackSize: prunePackSize, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Unused.Blobs != 0 || len(dry.Plan.Repack)+len(dry.Plan.Remove) != 0 {
		t.Errorf("after repacking: unused %+v, plan %+v", dry.Unused, dry.Plan)
	}
}

func TestPruneMissingNeededPackAborts(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 4)
	f.addUnused(t, 9100, 8, false)
	f.forget(t, f.snaps[0])
	_, be := f.open(t)
	last := f.packs[f.snaps[3]][0]
	if err := be.Remove(ctx, backend.Handle{Type: backend.PackFile, Name: last}); err != nil {
		t.Fatal(err)
	}
	state := pruneState(t, f.dir)
	r, _ := f.open(t)
	_, err := r.Prune(ctx, repo.PruneOptions{PackSize: prunePackSize})
	if !errors.Is(err, repo.ErrPacksMissing) {
		t.Fatalf("got %v, want ErrPacksMissing", err)
	}
	t.Log(err)
	if got := pruneState(t, f.dir); !maps.Equal(got, state) {
		t.Fatal("prune changed the repository before aborting")
	}
}

func TestPruneIncompleteIndexAborts(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 4)
	f.forget(t, f.snaps[0])
	_, be := f.open(t)
	for _, name := range f.indexes[f.snaps[3]] {
		if err := be.Remove(ctx, backend.Handle{Type: backend.IndexFile, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	state := pruneState(t, f.dir)
	r, _ := f.open(t)
	_, err := r.Prune(ctx, repo.PruneOptions{PackSize: prunePackSize})
	if !errors.Is(err, repo.ErrIndexIncomplete) {
		t.Fatalf("got %v, want ErrIndexIncomplete", err)
	}
	t.Log(err)
	// The packs of the last snapshot are in no index now, yet they must
	// survive: they hold used blobs.
	if got := pruneState(t, f.dir); !maps.Equal(got, state) {
		t.Fatal("prune changed the repository before aborting")
	}
}

func TestPruneDropsMissingUnusedPack(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 3)
	unused := f.addUnused(t, 9200, 12, true)
	_, be := f.open(t)
	gone := unused[0]
	if err := be.Remove(ctx, backend.Handle{Type: backend.PackFile, Name: gone}); err != nil {
		t.Fatal(err)
	}
	r, _ := f.open(t)
	res, err := r.Prune(ctx, repo.PruneOptions{PackSize: prunePackSize})
	if err != nil {
		t.Fatal(err)
	}
	if res.DroppedMissing.Packs != 1 || len(res.Plan.DropFromIndex) != 1 || res.Plan.DropFromIndex[0].String() != gone {
		t.Fatalf("dropped %+v %v, want %s", res.DroppedMissing, res.Plan.DropFromIndex, gone[:8])
	}
	if res.Removed.Packs != len(unused)-1 {
		t.Errorf("removed %d packs, want %d", res.Removed.Packs, len(unused)-1)
	}
	f.verify(t)
	pruneResticCheck(t, testenv.Restic(t), f.dir, true)
}

func TestPruneLastCheckFailed(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 3)
	f.forget(t, f.snaps[0])
	state := pruneState(t, f.dir)
	r, _ := f.open(t)
	if _, err := r.Prune(ctx, repo.PruneOptions{LastCheckFailed: true}); !errors.Is(err, repo.ErrLastCheckFailed) {
		t.Fatalf("got %v, want ErrLastCheckFailed", err)
	}
	if got := pruneState(t, f.dir); !maps.Equal(got, state) {
		t.Fatal("refused prune changed the repository")
	}
	// A dry run deletes nothing, so it is allowed.
	dry, err := r.Prune(ctx, repo.PruneOptions{LastCheckFailed: true, DryRun: true, PackSize: prunePackSize})
	if err != nil || dry.Removed.Packs == 0 {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	res, err := r.Prune(ctx, repo.PruneOptions{LastCheckFailed: true, Force: true, PackSize: prunePackSize})
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed.Packs == 0 {
		t.Errorf("forced prune removed nothing: %+v", *res)
	}
	f.verify(t)
}

func TestPruneDryRun(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 5)
	f.addUnused(t, 9300, 10, false)
	f.forget(t, f.snaps[1], f.snaps[2])
	state := pruneState(t, f.dir)
	opts := repo.PruneOptions{MaxUnused: "0%", PackSize: prunePackSize, DryRun: true}
	r, _ := f.open(t)
	dry, err := r.Prune(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !dry.DryRun || len(dry.Plan.Unreferenced) == 0 || len(dry.Plan.Remove) == 0 || len(dry.Plan.Repack) == 0 {
		t.Fatalf("dry run plan is incomplete: %+v", dry.Plan)
	}
	if dry.FreedBytes <= 0 || dry.Copied.Blobs == 0 || len(dry.Plan.ObsoleteIndexFiles) == 0 {
		t.Errorf("dry run estimates: freed %d copied %+v obsolete index files %d", dry.FreedBytes, dry.Copied, len(dry.Plan.ObsoleteIndexFiles))
	}
	if got := pruneState(t, f.dir); !maps.Equal(got, state) {
		t.Fatal("dry run changed the repository")
	}
	opts.DryRun = false
	res, err := r.Prune(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2][]repo.ID{
		"unreferenced": {dry.Plan.Unreferenced, res.Plan.Unreferenced},
		"remove":       {dry.Plan.Remove, res.Plan.Remove},
		"repack":       {dry.Plan.Repack, res.Plan.Repack},
		"index files":  {dry.Plan.ObsoleteIndexFiles, res.Plan.ObsoleteIndexFiles},
	} {
		if !slices.Equal(pair[0], pair[1]) {
			t.Errorf("%s: dry run planned %d, prune did %d", name, len(pair[0]), len(pair[1]))
		}
	}
	if res.Copied.Blobs != dry.Copied.Blobs || res.Removed != dry.Removed || res.Repacked != dry.Repacked {
		t.Errorf("dry run %+v / %+v / %+v, prune %+v / %+v / %+v", dry.Copied, dry.Removed, dry.Repacked, res.Copied, res.Removed, res.Repacked)
	}
	f.verify(t)
}

func TestPruneRespectsLocks(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 2)
	f.forget(t, f.snaps[0])
	other, _ := f.open(t)
	l, _, err := other.Lock(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	state := pruneState(t, f.dir)
	r, _ := f.open(t)
	if _, err := r.Prune(ctx, repo.PruneOptions{}); !errors.Is(err, repo.ErrLocked) {
		t.Fatalf("got %v, want ErrLocked", err)
	}
	if got := pruneState(t, f.dir); !maps.Equal(got, state) {
		t.Fatal("prune changed a locked repository")
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}

	// A caller holding an exclusive lock (forget --prune) passes it in.
	l, lctx, err := r.Lock(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if _, err := r.Prune(lctx, repo.PruneOptions{Lock: l, PackSize: prunePackSize}); err != nil {
		t.Fatal(err)
	}
	f.verify(t)
}

func TestPruneRejectsBadOptions(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 1)
	r, _ := f.open(t)
	for _, opts := range []repo.PruneOptions{
		{MaxUnused: "lots"},
		{MaxUnused: "100%"},
		{MaxUnused: "-1%"},
		{MaxRepackSize: "1X"},
		{RepackSmallerThan: "-5"},
		{PackSize: -1},
	} {
		if _, err := r.Prune(ctx, opts); err == nil {
			t.Errorf("%+v accepted", opts)
		}
	}
}

func TestPruneRepacksSmallAndUncompressedPacks(t *testing.T) {
	ctx := context.Background()
	f := newPruneFixture(t, 2, 3)
	packs := len(pruneNames(t, f.dir, "data"))

	// With 1 MiB packs as the target, every 16 KiB pack is small.
	r, _ := f.open(t)
	res, err := r.Prune(ctx, repo.PruneOptions{PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Repacked.Packs != packs || res.Copied.Packs > 3 || res.Removed.Packs != 0 {
		t.Fatalf("%d small packs: repacked %+v into %+v, removed %+v", packs, res.Repacked, res.Copied, res.Removed)
	}
	if n := len(pruneNames(t, f.dir, "data")); n != res.Copied.Packs {
		t.Errorf("%d packs left, want %d", n, res.Copied.Packs)
	}
	f.verify(t)
	pruneResticCheck(t, testenv.Restic(t), f.dir, true)

	// Our writer stores incompressible data blobs uncompressed; asked to,
	// prune compresses them, once and for all.
	opts := repo.PruneOptions{PackSize: 1 << 20, RepackUncompressed: true}
	res, err = r.Prune(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Repacked.Packs == 0 || res.Copied.Blobs == 0 {
		t.Fatalf("nothing compressed: %+v", *res)
	}
	opts.DryRun = true
	if again, err := r.Prune(ctx, opts); err != nil || len(again.Plan.Repack) != 0 {
		t.Fatalf("compressed packs repacked again: %v %+v", err, again.Plan)
	}
	f.verify(t)
	pruneCheckAll(t, f.dir)
}
