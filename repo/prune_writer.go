package repo

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// addStored adds a blob given as the bytes a pack stores for it (encrypted,
// and compressed when b.UncompressedLength is set); b's offset is ignored.
// Unlike SaveBlob it does not skip blobs the index already lists: prune
// copies blobs out of packs that the index still lists and that it is
// about to delete. A blob this writer already added is skipped, and added
// reports false. stored is copied.
func (w *Writer) addStored(ctx context.Context, b pack.Blob, stored []byte) (added bool, err error) {
	h := b.Handle()
	w.mu.Lock()
	if _, ok := w.known[h]; ok {
		w.mu.Unlock()
		return false, nil
	}
	p := w.packers[h.Type]
	if p == nil {
		p = pack.NewPacker(w.r.key, w.getBuf())
		w.packers[h.Type] = p
	}
	if err := p.Add(h.Type, h.ID, stored, b.UncompressedLength); err != nil {
		w.mu.Unlock()
		return false, err
	}
	w.known[h] = struct{}{}
	if h.Type == DataBlob {
		w.stats.DataBlobs++
	} else {
		w.stats.TreeBlobs++
	}
	w.stats.DataAdded += uint64(b.PlaintextLength())
	w.stats.DataAddedPacked += uint64(len(stored))
	var full *pack.Packer
	if p.Size() >= w.packSize || p.Full() {
		full = p
		w.packers[h.Type] = nil
	}
	w.mu.Unlock()
	if full != nil {
		return true, w.finish(ctx, full)
	}
	return true, nil
}
