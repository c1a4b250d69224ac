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
	w.known[h] = struct{}{}
	w.mu.Unlock()
	return true, w.addEncoded(ctx, h, stored, b.UncompressedLength, int(b.PlaintextLength()))
}
