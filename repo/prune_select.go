package repo

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/internal/index"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// pruneMinSmallPacks is how many small packs there must be before they are
// worth repacking together.
const pruneMinSmallPacks = 10

// mustCompress reports whether a pack holds uncompressed blobs that
// repacking is to compress: always for tree packs in a version 2
// repository, for data packs with RepackUncompressed.
func (p *prunePlan) mustCompress(pp *prunePack) bool {
	return p.cfg.compression && pp.uncompressed && (pp.hasTree || p.cfg.repackUncompressed)
}

// classify decides each pack's fate: missing or damaged packs with used
// blobs abort; packs without used blobs go; the rest are kept or become
// candidates for repacking, of which selectRepack picks.
func (p *prunePlan) classify() error {
	var (
		missing, wrongSize []ID
		small, cands       []ID
	)
	for _, pid := range slices.SortedFunc(maps.Keys(p.packs), pruneCompareIDs) {
		pp := p.packs[pid]
		switch {
		case pp.onDisk < 0 && pp.usedBlobs > 0:
			missing = append(missing, pid)
		case pp.onDisk < 0:
			pp.action = pruneDrop
		case !pp.healthy() && pp.usedBlobs > 0:
			wrongSize = append(wrongSize, pid)
		case pp.usedBlobs == 0:
			pp.action = pruneRemove
		case p.cfg.cacheableOnly && !pp.hasTree:
			// Data packs stay as they are.
		case pp.unusedBlobs == 0 && !(pp.hasData && pp.hasTree) && !p.mustCompress(pp):
			if pp.size < p.cfg.smallThreshold {
				small = append(small, pid)
			}
		default:
			cands = append(cands, pid)
		}
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%w: %d packs: %s", ErrPacksMissing, len(missing), pruneExamples(missing, ID.String)))
	}
	if len(wrongSize) > 0 {
		name := func(pid ID) string {
			pp := p.packs[pid]
			return fmt.Sprintf("%s (%d bytes, index implies %d)", pid, pp.onDisk, pp.size)
		}
		errs = append(errs, fmt.Errorf("%w: %d packs: %s; run `restic repair index`", ErrPackSizeMismatch, len(wrongSize), pruneExamples(wrongSize, name)))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(small) >= pruneMinSmallPacks {
		cands = append(cands, small...)
	}
	p.selectRepack(cands)
	return nil
}

// selectRepack walks the candidates, most worthwhile first, and marks
// those to repack: not beyond the repack size limit; tree, mixed and
// to-be-compressed packs always; data packs until the unused space left
// is below the allowed amount, small ones regardless.
func (p *prunePlan) selectRepack(cands []ID) {
	var unusedAfter int64
	for _, pp := range p.packs {
		if pp.action == pruneKeep {
			unusedAfter += pp.unusedSize
		}
	}
	maxUnused := p.cfg.allowedUnused(p.res.Used.Bytes)
	slices.SortFunc(cands, p.compareCandidates)
	var repacked int64
	for _, pid := range cands {
		pp := p.packs[pid]
		switch {
		case p.cfg.maxRepackBytes >= 0 && repacked+pp.size > p.cfg.maxRepackBytes:
			continue
		case pp.hasTree || p.mustCompress(pp):
		case unusedAfter < maxUnused && pp.size >= p.cfg.smallThreshold:
			continue
		}
		pp.action = pruneRepack
		repacked += pp.size
		unusedAfter -= pp.unusedSize
	}
}

// compareCandidates orders packs with tree blobs first, then small packs,
// then by falling share of unused space, then by ID.
func (p *prunePlan) compareCandidates(a, b ID) int {
	pa, pb := p.packs[a], p.packs[b]
	if pa.hasTree != pb.hasTree {
		return pruneBoolFirst(pa.hasTree)
	}
	if sa, sb := pa.size < p.cfg.smallThreshold, pb.size < p.cfg.smallThreshold; sa != sb {
		return pruneBoolFirst(sa)
	}
	// unusedA/usedA > unusedB/usedB, without division.
	if l, r := pa.unusedSize*pb.usedSize, pb.unusedSize*pa.usedSize; l != r {
		return pruneBoolFirst(l > r)
	}
	return pruneCompareIDs(a, b)
}

func pruneBoolFirst(first bool) int {
	if first {
		return -1
	}
	return 1
}

// planCopies lists the used blobs of repacked packs that no kept pack
// holds, each once, with the copy to read.
func (p *prunePlan) planCopies(used map[BlobHandle]struct{}) {
	p.copies = map[ID][]pack.Blob{}
	seen := map[BlobHandle]struct{}{}
	var cands []BlobHandle
	p.idx.Each(func(pb index.PackedBlob) bool {
		h := pb.Handle()
		if p.packs[pb.PackID].action != pruneRepack {
			return true
		}
		if _, ok := used[h]; !ok {
			return true
		}
		if _, ok := seen[h]; !ok {
			seen[h] = struct{}{}
			cands = append(cands, h)
		}
		return true
	})
	for _, h := range cands {
		locs := p.idx.Lookup(h)
		if slices.ContainsFunc(locs, func(l index.PackedBlob) bool { return p.packs[l.PackID].action == pruneKeep }) {
			continue
		}
		src := -1
		for i, l := range locs {
			if p.packs[l.PackID].action == pruneRepack && (src < 0 || pruneCompareIDs(l.PackID, locs[src].PackID) < 0) {
				src = i
			}
		}
		b := locs[src]
		p.copies[b.PackID] = append(p.copies[b.PackID], b.Blob)
		p.res.Copied.add(0, 1, pruneBlobSize(b.Blob))
	}
	for _, blobs := range p.copies {
		slices.SortFunc(blobs, func(a, b pack.Blob) int { return int(a.Offset) - int(b.Offset) })
	}
}

// summarize fills the result's counts and lists from the decisions.
func (p *prunePlan) summarize() {
	res := &p.res
	for pid, pp := range p.packs {
		if pp.usedBlobs > 0 {
			res.Used.Packs++
		}
		if pp.unusedBlobs > 0 {
			res.Unused.Packs++
		}
		switch pp.action {
		case pruneKeep:
			res.Kept.add(1, pp.blobs(), pp.size)
			res.UnusedAfter += pp.unusedSize
		case pruneRemove:
			res.Removed.add(1, pp.blobs(), pp.onDisk)
			res.Plan.Remove = append(res.Plan.Remove, pid)
		case pruneRepack:
			res.Repacked.add(1, pp.blobs(), pp.size)
			res.Plan.Repack = append(res.Plan.Repack, pid)
		case pruneDrop:
			res.DroppedMissing.add(1, pp.blobs(), pp.size)
			res.Plan.DropFromIndex = append(res.Plan.DropFromIndex, pid)
		}
	}
	for pid, size := range p.onDisk {
		if _, ok := p.packs[pid]; !ok {
			res.Unreferenced.add(1, 0, size)
			res.Plan.Unreferenced = append(res.Plan.Unreferenced, pid)
		}
	}
	for _, l := range [][]ID{res.Plan.Unreferenced, res.Plan.Remove, res.Plan.Repack, res.Plan.DropFromIndex} {
		slices.SortFunc(l, pruneCompareIDs)
	}
	res.FreedBytes = res.Unreferenced.Bytes + res.Removed.Bytes + res.Repacked.Bytes - res.Copied.Bytes
	res.SizeAfter = res.Kept.Bytes + res.Copied.Bytes
}
