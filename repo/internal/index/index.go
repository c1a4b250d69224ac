package index

import (
	"fmt"
	"slices"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// PackedBlob is one location of a blob: the pack that holds it and the
// blob's entry in that pack.
type PackedBlob struct {
	pack.Blob
	PackID id.ID
}

// location is a blob's entry in one pack, with the pack interned as an
// index into Index.packs. 16 bytes.
type location struct {
	pack   uint32
	offset uint32
	length uint32
	ulen   uint32
}

type packInfo struct {
	id id.ID
	// size is the pack size implied by the distinct entries recorded for
	// the pack: pack.HeaderOverhead + Σ(entry size + length).
	size int64
}

// Index is the master index: the merged content of every index file of a
// repository. A blob may live in several packs; Lookup returns all its
// locations. Exact duplicate entries (same blob, pack, offset, length and
// uncompressed length) are stored once.
//
// The zero value is an empty index ready for use. All methods are safe for
// concurrent use; Add takes an exclusive lock, the other methods a shared
// one.
type Index struct {
	mu sync.RWMutex
	// first holds each blob's first location, by blob type (DataBlob-1,
	// TreeBlob-1). Almost every blob has exactly one location.
	first [2]map[id.ID]location
	// more holds the second and later locations of the few blobs stored
	// in several packs.
	more   map[pack.Handle][]location
	packs  []packInfo
	packNo map[id.ID]uint32
}

// New returns an empty Index.
func New() *Index { return &Index{} }

// AddFile adds every pack of f; see Add.
func (x *Index) AddFile(f *File) error {
	for _, p := range f.Packs {
		if err := x.Add(p.ID, p.Blobs); err != nil {
			return err
		}
	}
	return nil
}

// Add records that pack packID holds blobs. The pack is recorded even when
// blobs is empty. Entries already present for this pack are skipped. Add
// fails without changing the index when a blob has an invalid type or a
// length below the 32-byte encryption overhead.
func (x *Index) Add(packID id.ID, blobs []pack.Blob) error {
	for _, b := range blobs {
		if !b.Type.Valid() || b.Length < crypto.Extension {
			return fmt.Errorf("index: pack %v: invalid entry %v", packID.Str(), b)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.packNo == nil {
		x.packNo = make(map[id.ID]uint32)
		x.first[0] = make(map[id.ID]location)
		x.first[1] = make(map[id.ID]location)
		x.more = make(map[pack.Handle][]location)
	}
	no, ok := x.packNo[packID]
	if !ok {
		no = uint32(len(x.packs))
		x.packs = append(x.packs, packInfo{id: packID, size: pack.HeaderOverhead})
		x.packNo[packID] = no
	}
	for _, b := range blobs {
		loc := location{pack: no, offset: b.Offset, length: b.Length, ulen: b.UncompressedLength}
		if x.insert(b.Handle(), loc) {
			x.packs[no].size += int64(pack.EntrySize(b)) + int64(b.Length)
		}
	}
	return nil
}

// insert records loc for h unless it is already known and reports whether
// it was new. The caller holds the write lock.
func (x *Index) insert(h pack.Handle, loc location) bool {
	m := x.first[h.Type-pack.DataBlob]
	cur, ok := m[h.ID]
	if !ok {
		m[h.ID] = loc
		return true
	}
	if cur == loc {
		return false
	}
	locs := x.more[h]
	if slices.Contains(locs, loc) {
		return false
	}
	x.more[h] = append(locs, loc)
	return true
}

// firstMap returns the map for t, or nil for an invalid type.
func (x *Index) firstMap(t pack.BlobType) map[id.ID]location {
	if !t.Valid() {
		return nil
	}
	return x.first[t-pack.DataBlob]
}

func (x *Index) packed(h pack.Handle, loc location) PackedBlob {
	return PackedBlob{
		PackID: x.packs[loc.pack].id,
		Blob: pack.Blob{
			Type:               h.Type,
			ID:                 h.ID,
			Offset:             loc.offset,
			Length:             loc.length,
			UncompressedLength: loc.ulen,
		},
	}
}

// Lookup returns every known location of h, or nil when h is not indexed.
func (x *Index) Lookup(h pack.Handle) []PackedBlob {
	x.mu.RLock()
	defer x.mu.RUnlock()
	loc, ok := x.firstMap(h.Type)[h.ID]
	if !ok {
		return nil
	}
	more := x.more[h]
	out := make([]PackedBlob, 0, 1+len(more))
	out = append(out, x.packed(h, loc))
	for _, l := range more {
		out = append(out, x.packed(h, l))
	}
	return out
}

// Has reports whether h is indexed.
func (x *Index) Has(h pack.Handle) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.firstMap(h.Type)[h.ID]
	return ok
}

// Size returns the plaintext size of h from its first location: the
// uncompressed length if nonzero, otherwise the stored length minus 32.
func (x *Index) Size(h pack.Handle) (uint32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	loc, ok := x.firstMap(h.Type)[h.ID]
	if !ok {
		return 0, false
	}
	if loc.ulen != 0 {
		return loc.ulen, true
	}
	return loc.length - crypto.Extension, true
}

// Count returns the number of distinct blobs of type t, however many packs
// hold them.
func (x *Index) Count(t pack.BlobType) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.firstMap(t))
}

// Each calls fn for every location of every blob, in no particular order,
// until fn returns false. It holds a read lock throughout: fn must not call
// Add.
func (x *Index) Each(fn func(PackedBlob) bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, t := range []pack.BlobType{pack.DataBlob, pack.TreeBlob} {
		for blobID, loc := range x.firstMap(t) {
			h := pack.Handle{ID: blobID, Type: t}
			if !fn(x.packed(h, loc)) {
				return
			}
			for _, l := range x.more[h] {
				if !fn(x.packed(h, l)) {
					return
				}
			}
		}
	}
}
