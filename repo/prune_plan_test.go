package repo

import (
	"errors"
	"slices"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/index"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// planBuilder builds the inputs of newPrunePlan by hand: an index of
// packs whose blobs are numbered, the pack files' sizes and the used set.
type planBuilder struct {
	t      *testing.T
	idx    *index.Index
	onDisk map[ID]int64
	used   map[BlobHandle]struct{}
	files  []pruneIndexFile
}

func newPlanBuilder(t *testing.T) *planBuilder {
	return &planBuilder{t: t, idx: index.New(), onDisk: map[ID]int64{}, used: map[BlobHandle]struct{}{}}
}

func planPackID(n int) ID { return ID{0xa0, byte(n >> 8), byte(n)} }
func planBlobID(n int) ID { return ID{0xb0, byte(n >> 8), byte(n)} }

// planBlob describes a blob: its number, type, stored length and whether
// it is compressed.
type planBlob struct {
	n            int
	t            BlobType
	length       uint32
	uncompressed bool
}

func planData(ns ...int) []planBlob  { return planBlobsOf(DataBlob, ns) }
func planTrees(ns ...int) []planBlob { return planBlobsOf(TreeBlob, ns) }

func planBlobsOf(t BlobType, ns []int) []planBlob {
	var out []planBlob
	for _, n := range ns {
		out = append(out, planBlob{n: n, t: t, length: 1000})
	}
	return out
}

// pack adds pack n holding blobs, present with the right size and listed
// in an index file of its own.
func (b *planBuilder) pack(n int, blobs ...[]planBlob) ID {
	b.t.Helper()
	pid := planPackID(n)
	var entries []pack.Blob
	var off uint32
	for _, group := range blobs {
		for _, pb := range group {
			e := pack.Blob{Type: pb.t, ID: planBlobID(pb.n), Offset: off, Length: pb.length, UncompressedLength: 2 * pb.length}
			if pb.uncompressed {
				e.UncompressedLength = 0
			}
			off += pb.length
			entries = append(entries, e)
		}
	}
	if err := b.idx.Add(pid, entries); err != nil {
		b.t.Fatal(err)
	}
	b.onDisk[pid] = pack.PackSize(entries)
	b.files = append(b.files, pruneIndexFile{id: ID{0xf0, byte(n >> 8), byte(n)}, packs: []ID{pid}, blobs: len(entries)})
	return pid
}

func (b *planBuilder) use(blobs ...[]planBlob) {
	for _, group := range blobs {
		for _, pb := range group {
			b.used[BlobHandle{ID: planBlobID(pb.n), Type: pb.t}] = struct{}{}
		}
	}
}

func (b *planBuilder) plan(opts PruneOptions) (*prunePlan, error) {
	b.t.Helper()
	if opts.PackSize == 0 {
		opts.PackSize = 100000 // small packs are below 4000 bytes
	}
	cfg, err := opts.config(2)
	if err != nil {
		b.t.Fatal(err)
	}
	return newPrunePlan(cfg, b.idx, b.files, b.onDisk, b.used)
}

func (b *planBuilder) mustPlan(opts PruneOptions) *prunePlan {
	b.t.Helper()
	p, err := b.plan(opts)
	if err != nil {
		b.t.Fatal(err)
	}
	return p
}

func planIDs(ns ...int) []ID {
	var out []ID
	for _, n := range ns {
		out = append(out, planPackID(n))
	}
	slices.SortFunc(out, pruneCompareIDs)
	return out
}

func wantIDs(t *testing.T, what string, got, want []ID) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestPrunePlanDuplicatesPreferUsedPacks(t *testing.T) {
	b := newPlanBuilder(t)
	b.pack(1, planData(1, 2, 3, 4, 5))
	b.pack(2, planData(5, 6, 7, 8, 9))
	b.use(planData(1, 2, 3, 4, 5))
	p := b.mustPlan(PruneOptions{MaxUnused: "0%"})
	wantIDs(t, "remove", p.res.Plan.Remove, planIDs(2))
	wantIDs(t, "repack", p.res.Plan.Repack, nil)
	if p.res.Duplicates.Blobs != 1 || p.res.Used.Blobs != 5 || p.res.Unused.Blobs != 5 {
		t.Errorf("duplicates %+v used %+v unused %+v", p.res.Duplicates, p.res.Used, p.res.Unused)
	}
}

// Packs written by an interrupted prune hold only duplicates; they win
// over the partly unused packs they were copied from.
func TestPrunePlanKeepsPacksOfInterruptedPrune(t *testing.T) {
	b := newPlanBuilder(t)
	b.pack(1, planData(1, 2, 3, 4, 5, 6))   // old, 6 unused
	b.pack(2, planData(7, 8, 9, 10, 11))    // old, fully unused
	b.pack(9, planData(1, 2, 3, 4, 5), nil) // the copy
	b.use(planData(1, 2, 3, 4, 5))
	p := b.mustPlan(PruneOptions{MaxUnused: "0%"})
	wantIDs(t, "remove", p.res.Plan.Remove, planIDs(1, 2))
	wantIDs(t, "repack", p.res.Plan.Repack, nil)
	if len(p.copies) != 0 {
		t.Errorf("copies %v", p.copies)
	}
}

func TestPrunePlanMissingAndDamagedPacks(t *testing.T) {
	t.Run("missing unused pack is dropped", func(t *testing.T) {
		b := newPlanBuilder(t)
		b.pack(1, planData(1, 2, 3, 4, 5))
		gone := b.pack(2, planData(6))
		delete(b.onDisk, gone)
		b.use(planData(1, 2, 3, 4, 5))
		p := b.mustPlan(PruneOptions{})
		wantIDs(t, "drop", p.res.Plan.DropFromIndex, planIDs(2))
		wantIDs(t, "remove", p.res.Plan.Remove, nil)
		if !slices.Equal(p.rewrite, planIDs(1)) {
			t.Errorf("rewrite %v", p.rewrite)
		}
	})
	t.Run("missing used pack aborts", func(t *testing.T) {
		b := newPlanBuilder(t)
		gone := b.pack(1, planData(1))
		delete(b.onDisk, gone)
		b.use(planData(1))
		if _, err := b.plan(PruneOptions{}); !errors.Is(err, ErrPacksMissing) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a copy elsewhere saves a missing pack's blob", func(t *testing.T) {
		b := newPlanBuilder(t)
		gone := b.pack(1, planData(1))
		b.pack(2, planData(1, 2, 3, 4, 5))
		delete(b.onDisk, gone)
		b.use(planData(1, 2, 3, 4, 5))
		p := b.mustPlan(PruneOptions{})
		wantIDs(t, "drop", p.res.Plan.DropFromIndex, planIDs(1))
	})
	t.Run("wrong size with used blobs aborts", func(t *testing.T) {
		b := newPlanBuilder(t)
		b.onDisk[b.pack(1, planData(1))]++
		b.use(planData(1))
		if _, err := b.plan(PruneOptions{}); !errors.Is(err, ErrPackSizeMismatch) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("wrong size without used blobs is removed", func(t *testing.T) {
		b := newPlanBuilder(t)
		b.onDisk[b.pack(1, planData(1))]--
		p := b.mustPlan(PruneOptions{})
		wantIDs(t, "remove", p.res.Plan.Remove, planIDs(1))
	})
	t.Run("used blob not indexed aborts", func(t *testing.T) {
		b := newPlanBuilder(t)
		b.pack(1, planData(1))
		b.use(planData(1, 2))
		if _, err := b.plan(PruneOptions{}); !errors.Is(err, ErrIndexIncomplete) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unreferenced pack files", func(t *testing.T) {
		b := newPlanBuilder(t)
		b.onDisk[planPackID(7)] = 1234
		p := b.mustPlan(PruneOptions{})
		wantIDs(t, "unreferenced", p.res.Plan.Unreferenced, planIDs(7))
		if p.res.Unreferenced.Bytes != 1234 {
			t.Errorf("unreferenced %+v", p.res.Unreferenced)
		}
	})
}

func TestPrunePlanSelection(t *testing.T) {
	// Pack 1: 10 used blobs; 2: 6 used, 4 unused; 3: 9 used, 1 unused;
	// 4: trees, 5 used, 1 unused; 5: mixed, all used.
	build := func(t *testing.T) *planBuilder {
		b := newPlanBuilder(t)
		b.pack(1, planData(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
		b.pack(2, planData(11, 12, 13, 14, 15, 16, 17, 18, 19, 20))
		b.pack(3, planData(21, 22, 23, 24, 25, 26, 27, 28, 29, 30))
		b.pack(4, planTrees(31, 32, 33, 34, 35, 36))
		b.pack(5, planData(41, 42, 43), planTrees(44, 45))
		b.use(planData(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), planData(11, 12, 13, 14, 15, 16), planData(21, 22, 23, 24, 25, 26, 27, 28, 29))
		b.use(planTrees(31, 32, 33, 34, 35), planData(41, 42, 43), planTrees(44, 45))
		return b
	}
	for _, tc := range []struct {
		name   string
		opts   PruneOptions
		repack []ID
	}{
		{"unlimited repacks trees and mixed only", PruneOptions{MaxUnused: "unlimited"}, planIDs(4, 5)},
		{"0% repacks all partly used", PruneOptions{MaxUnused: "0%"}, planIDs(2, 3, 4, 5)},
		// used ≈ 38 kB, so 10% allows ≈ 4.2 kB: repacking pack 2 leaves
		// the 1 kB of pack 3, which is below.
		{"10% repacks the emptiest", PruneOptions{MaxUnused: "10%"}, planIDs(2, 4, 5)},
		{"absolute size", PruneOptions{MaxUnused: "1500"}, planIDs(2, 4, 5)},
		{"cacheable only", PruneOptions{MaxUnused: "0%", RepackCacheableOnly: true}, planIDs(4, 5)},
		{"max repack size", PruneOptions{MaxUnused: "0%", MaxRepackSize: "22000"}, planIDs(2, 4, 5)},
		{"max repack size zero", PruneOptions{MaxUnused: "0%", MaxRepackSize: "0"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := build(t).mustPlan(tc.opts)
			slices.SortFunc(tc.repack, pruneCompareIDs)
			wantIDs(t, "repack", p.res.Plan.Repack, tc.repack)
			copied := 0
			for _, pid := range p.res.Plan.Repack {
				copied += p.packs[pid].usedBlobs
			}
			if p.res.Copied.Blobs != copied {
				t.Errorf("copied %d blobs, want %d", p.res.Copied.Blobs, copied)
			}
		})
	}
}

func TestPrunePlanSmallPacks(t *testing.T) {
	for _, n := range []int{9, 10} {
		b := newPlanBuilder(t)
		for i := range n {
			b.pack(i, planData(i))
			b.use(planData(i))
		}
		p := b.mustPlan(PruneOptions{})
		if got := len(p.res.Plan.Repack); n < pruneMinSmallPacks && got != 0 || n >= pruneMinSmallPacks && got != n {
			t.Errorf("%d small packs: %d repacked", n, got)
		}
	}
	// RepackSmall raises the threshold to 80% of the pack size.
	b := newPlanBuilder(t)
	for i := range 10 {
		b.pack(i, planData(10*i, 10*i+1, 10*i+2, 10*i+3, 10*i+4))
		b.use(planData(10*i, 10*i+1, 10*i+2, 10*i+3, 10*i+4))
	}
	if p := b.mustPlan(PruneOptions{}); len(p.res.Plan.Repack) != 0 {
		t.Errorf("5 kB packs repacked by default")
	}
	if p := b.mustPlan(PruneOptions{RepackSmall: true}); len(p.res.Plan.Repack) != 10 {
		t.Errorf("RepackSmall repacked %d", len(p.res.Plan.Repack))
	}
	if p := b.mustPlan(PruneOptions{RepackSmallerThan: "4k"}); len(p.res.Plan.Repack) != 0 {
		t.Errorf("RepackSmallerThan 4k repacked %d", len(p.res.Plan.Repack))
	}
}

func TestPrunePlanUncompressed(t *testing.T) {
	b := newPlanBuilder(t)
	raw := []planBlob{{n: 1, t: DataBlob, length: 1000, uncompressed: true}}
	rawTree := []planBlob{{n: 2, t: TreeBlob, length: 1000, uncompressed: true}}
	b.pack(1, raw, planData(3, 4, 5, 6))
	b.pack(2, rawTree, planTrees(7, 8, 9, 10))
	b.use(raw, rawTree, planData(3, 4, 5, 6), planTrees(7, 8, 9, 10))
	wantIDs(t, "default", b.mustPlan(PruneOptions{}).res.Plan.Repack, planIDs(2))
	wantIDs(t, "repack uncompressed", b.mustPlan(PruneOptions{RepackUncompressed: true}).res.Plan.Repack, planIDs(1, 2))
}

func TestPrunePlanIndexFiles(t *testing.T) {
	b := newPlanBuilder(t)
	big := make([]int, index.MaxBlobsPerFile)
	for i := range big {
		big[i] = 1000 + i
	}
	b.pack(1, planData(big...))
	b.pack(2, planData(1, 2, 3, 4, 5))
	b.pack(3, planData(6, 7, 8, 9, 10))
	b.use(planData(big...), planData(1, 2, 3, 4, 5))

	// Nothing leaves: no index file is touched.
	b.use(planData(6, 7, 8, 9, 10))
	p := b.mustPlan(PruneOptions{})
	if len(p.res.Plan.ObsoleteIndexFiles) != 0 || p.res.IndexFilesKept != 3 || len(p.rewrite) != 0 {
		t.Fatalf("rewrite without reason: %+v", p.res.Plan)
	}

	// Pack 3 goes: the full file of pack 1 stays, the small one of pack 2
	// is merged into a new file.
	b.used = map[BlobHandle]struct{}{}
	b.use(planData(big...), planData(1, 2, 3, 4, 5))
	p = b.mustPlan(PruneOptions{})
	wantIDs(t, "remove", p.res.Plan.Remove, planIDs(3))
	if want := []ID{b.files[1].id, b.files[2].id}; !slices.Equal(p.res.Plan.ObsoleteIndexFiles, want) {
		t.Errorf("obsolete %v, want %v", p.res.Plan.ObsoleteIndexFiles, want)
	}
	if !slices.Equal(p.rewrite, planIDs(2)) || p.res.IndexFilesKept != 1 || p.res.IndexFilesWritten != 1 {
		t.Errorf("rewrite %v kept %d written %d", p.rewrite, p.res.IndexFilesKept, p.res.IndexFilesWritten)
	}
}

func TestPruneOptionsConfig(t *testing.T) {
	for _, tc := range []struct {
		maxUnused string
		used      int64
		allowed   int64
	}{
		{"", 9500, 500},
		{"5%", 9500, 500},
		{"0%", 9500, 0},
		{"50%", 1000, 1000},
		{"unlimited", 1, 1<<63 - 1},
		{"100", 1, 100},
		{"2k", 1, 2048},
		{"3M", 1, 3 << 20},
		{"1g", 1, 1 << 30},
		{"1T", 1, 1 << 40},
	} {
		c, err := PruneOptions{MaxUnused: tc.maxUnused}.config(2)
		if err != nil {
			t.Errorf("%q: %v", tc.maxUnused, err)
			continue
		}
		if got := c.allowedUnused(tc.used); got != tc.allowed {
			t.Errorf("%q of %d: allowed %d, want %d", tc.maxUnused, tc.used, got, tc.allowed)
		}
	}
	for _, bad := range []string{"x", "100%", "-1%", "5 %%", "1.5M", "-3", "1P", "99999999999T"} {
		if _, err := (PruneOptions{MaxUnused: bad}).config(2); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	c, _ := PruneOptions{}.config(2)
	if c.smallThreshold != DefaultPackSize/25 || c.maxRepackBytes != -1 {
		t.Errorf("defaults %+v", c)
	}
}
