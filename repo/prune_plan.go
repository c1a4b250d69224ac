package repo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// pruneAction is what prune does with a pack the index lists.
type pruneAction uint8

const (
	pruneKeep   pruneAction = iota
	pruneRemove             // no used blob: delete it whole
	pruneRepack             // copy its used blobs, then delete it
	pruneDrop               // missing and unused: leave it out of the index
)

// prunePack is prune's accounting for one pack of the index. Sizes count
// stored blob bytes plus header entries; usedSize also carries the pack's
// fixed header overhead, so usedSize+unusedSize is the pack's size.
type prunePack struct {
	size                   int64 // implied by the index
	onDisk                 int64 // real size; -1 when missing
	usedBlobs, unusedBlobs int
	usedSize, unusedSize   int64
	hasData, hasTree       bool
	uncompressed           bool // holds a non-empty uncompressed blob
	onlyDups               bool // all its blobs have copies elsewhere
	action                 pruneAction
}

func (pp *prunePack) blobs() int      { return pp.usedBlobs + pp.unusedBlobs }
func (pp *prunePack) healthy() bool   { return pp.onDisk == pp.size }
func pruneBlobSize(b pack.Blob) int64 { return int64(b.Length) + int64(pack.EntrySize(b)) }

func (pp *prunePack) addUsed(b pack.Blob) {
	pp.usedBlobs++
	pp.usedSize += pruneBlobSize(b)
}

func (pp *prunePack) addUnused(b pack.Blob) {
	pp.unusedBlobs++
	pp.unusedSize += pruneBlobSize(b)
}

// prunePlan is everything Prune decided before changing anything.
type prunePlan struct {
	cfg     pruneConfig
	idx     *index.Index
	files   []pruneIndexFile
	packs   map[ID]*prunePack
	onDisk  map[ID]int64       // every pack file and its size
	copies  map[ID][]pack.Blob // blobs to copy, by source pack, by offset
	rewrite []ID               // packs to list in new index files
	res     PruneResult
}

// planPrune loads the index, the snapshots and the pack list and plans.
func (r *Repository) planPrune(ctx context.Context, cfg pruneConfig) (*prunePlan, error) {
	files, idx, err := r.pruneLoadIndex(ctx)
	if err != nil {
		return nil, err
	}
	r.setIndex(idx)
	snaps, err := r.Snapshots(ctx, Filter{})
	if err != nil {
		return nil, fmt.Errorf("load snapshots: %w", err)
	}
	onDisk := map[ID]int64{}
	err = r.be.List(ctx, backend.PackFile, func(fi backend.FileInfo) error {
		if pid, err := ParseID(fi.Name); err == nil {
			onDisk[pid] = fi.Size
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	inRepo := func(h BlobHandle) bool {
		return slices.ContainsFunc(idx.Lookup(h), func(l index.PackedBlob) bool {
			_, ok := onDisk[l.PackID]
			return ok
		})
	}
	used, err := r.pruneUsedBlobs(ctx, snaps, inRepo)
	if err != nil {
		return nil, err
	}
	p, err := newPrunePlan(cfg, idx, files, onDisk, used)
	if err != nil {
		return nil, err
	}
	p.res.Snapshots = len(snaps)
	return p, nil
}

// newPrunePlan plans from the loaded state alone; it does no I/O.
func newPrunePlan(cfg pruneConfig, idx *index.Index, files []pruneIndexFile, onDisk map[ID]int64, used map[BlobHandle]struct{}) (*prunePlan, error) {
	p := &prunePlan{cfg: cfg, idx: idx, files: files, packs: map[ID]*prunePack{}, onDisk: onDisk}
	for _, pid := range idx.PackIDs() {
		size, _ := idx.PackSize(pid)
		pp := &prunePack{size: size, onDisk: -1, usedSize: pack.HeaderOverhead}
		if n, ok := onDisk[pid]; ok {
			pp.onDisk = n
		}
		p.packs[pid] = pp
	}
	if err := p.account(used); err != nil {
		return nil, err
	}
	if err := p.classify(); err != nil {
		return nil, err
	}
	p.planCopies(used)
	p.planIndex()
	p.summarize()
	return p, nil
}

// account sorts every blob copy into used or unused. Of a used blob with
// several copies exactly one counts as used, preferably in a healthy pack
// that already holds used blobs or consists only of such duplicates, like
// the packs an interrupted prune wrote.
func (p *prunePlan) account(used map[BlobHandle]struct{}) error {
	p.idx.Each(func(pb index.PackedBlob) bool {
		pp := p.packs[pb.PackID]
		if pb.Type == TreeBlob {
			pp.hasTree = true
		} else {
			pp.hasData = true
		}
		if !pb.IsCompressed() && pb.Length > crypto.Extension {
			pp.uncompressed = true
		}
		if _, ok := used[pb.Handle()]; !ok {
			pp.addUnused(pb.Blob)
			p.res.Unused.add(0, 1, pruneBlobSize(pb.Blob))
		}
		return true
	})
	var missing, dups []BlobHandle
	for h := range used {
		switch locs := p.idx.Lookup(h); len(locs) {
		case 0:
			missing = append(missing, h)
		case 1:
			p.packs[locs[0].PackID].addUsed(locs[0].Blob)
			p.res.Used.add(0, 1, pruneBlobSize(locs[0].Blob))
		default:
			dups = append(dups, h)
		}
	}
	if len(missing) > 0 {
		slices.SortFunc(missing, pruneCompareHandles)
		return fmt.Errorf("%w: %d blobs, such as %s; run `restic repair index`", ErrIndexIncomplete, len(missing), pruneExamples(missing, BlobHandle.String))
	}
	for _, pp := range p.packs {
		pp.onlyDups = pp.usedBlobs == 0 && pp.unusedBlobs == 0
	}
	slices.SortFunc(dups, pruneCompareHandles)
	for _, h := range dups {
		p.resolveDuplicate(h)
	}
	return nil
}

func (p *prunePlan) resolveDuplicate(h BlobHandle) {
	locs := p.idx.Lookup(h)
	best, bestRank := 0, -1
	for i, l := range locs {
		pp, rank := p.packs[l.PackID], 0
		switch {
		case !pp.healthy():
		case pp.usedBlobs > 0:
			rank = 3
		case pp.onlyDups:
			rank = 2
		default:
			rank = 1
		}
		if rank > bestRank || rank == bestRank && pruneCompareIDs(l.PackID, locs[best].PackID) < 0 {
			best, bestRank = i, rank
		}
	}
	for i, l := range locs {
		size := pruneBlobSize(l.Blob)
		if i == best {
			p.packs[l.PackID].addUsed(l.Blob)
			p.res.Used.add(0, 1, size)
			continue
		}
		p.packs[l.PackID].addUnused(l.Blob)
		p.res.Unused.add(0, 1, size)
		p.res.Duplicates.add(0, 1, size)
	}
}

func pruneCompareHandles(a, b BlobHandle) int {
	if c := pruneCompareIDs(a.ID, b.ID); c != 0 {
		return c
	}
	return int(a.Type) - int(b.Type)
}

// pruneExamples names the first few of items for an error message.
func pruneExamples[T any](items []T, name func(T) string) string {
	const n = 5
	var parts []string
	for _, it := range items[:min(len(items), n)] {
		parts = append(parts, name(it))
	}
	s := strings.Join(parts, ", ")
	if len(items) > n {
		s += ", …"
	}
	return s
}
