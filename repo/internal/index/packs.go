package index

import (
	"cmp"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// NumPacks returns the number of packs in the index.
func (x *Index) NumPacks() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.packs)
}

// HasPack reports whether the index lists pack packID.
func (x *Index) HasPack(packID id.ID) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.packNo[packID]
	return ok
}

// PackIDs returns the IDs of all packs, in the order they were first added.
func (x *Index) PackIDs() []id.ID {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]id.ID, len(x.packs))
	for i, p := range x.packs {
		out[i] = p.id
	}
	return out
}

// PackSize returns the size pack packID must have according to the index,
// pack.PackSize of its distinct entries: 36 + Σ(entry size + length).
// check and prune compare it with the size of the pack file.
func (x *Index) PackSize(packID id.ID) (int64, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	no, ok := x.packNo[packID]
	if !ok {
		return 0, false
	}
	return x.packs[no].size, true
}

// Packs returns every pack with its blobs sorted by offset. It builds the
// map on each call, in time and memory proportional to the index; packs
// recorded without blobs map to an empty slice.
func (x *Index) Packs() map[id.ID][]pack.Blob {
	x.mu.RLock()
	defer x.mu.RUnlock()
	byNo := make([][]pack.Blob, len(x.packs))
	for _, t := range []pack.BlobType{pack.DataBlob, pack.TreeBlob} {
		for blobID, loc := range x.firstMap(t) {
			h := pack.Handle{ID: blobID, Type: t}
			byNo[loc.pack] = append(byNo[loc.pack], x.packed(h, loc).Blob)
			for _, l := range x.more[h] {
				byNo[l.pack] = append(byNo[l.pack], x.packed(h, l).Blob)
			}
		}
	}
	out := make(map[id.ID][]pack.Blob, len(x.packs))
	for no, blobs := range byNo {
		slices.SortFunc(blobs, func(a, b pack.Blob) int { return cmp.Compare(a.Offset, b.Offset) })
		if blobs == nil {
			blobs = []pack.Blob{}
		}
		out[x.packs[no].id] = blobs
	}
	return out
}
