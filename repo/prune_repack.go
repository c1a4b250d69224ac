package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// pruneRepack copies the planned blobs into new packs, several source
// packs at a time, and flushes the writer, which stores the new packs and
// then index files listing them. It returns the new packs and blobs and
// the bytes written. On error the writer is aborted: packs already stored
// are in no index, and the next prune deletes them.
func (r *Repository) pruneRepack(ctx context.Context, p *prunePlan) (PruneCount, error) {
	w, err := r.NewWriter(ctx, WriterOptions{PackSize: p.cfg.packSize})
	if err != nil {
		return PruneCount{}, err
	}
	srcs := slices.SortedFunc(maps.Keys(p.copies), pruneCompareIDs)
	var bytes atomic.Int64
	err = pruneParallel(ctx, r.pruneWorkers(), len(srcs), func(ctx context.Context, i int) error {
		return r.pruneCopyPack(ctx, w, p.cfg, srcs[i], p.copies[srcs[i]], &bytes)
	})
	if err != nil {
		w.Abort(err)
		return PruneCount{}, fmt.Errorf("repack: %w", err)
	}
	stats, err := w.Flush(ctx)
	if err != nil {
		return PruneCount{}, fmt.Errorf("repack: %w", err)
	}
	return PruneCount{
		Packs: stats.Packs,
		Blobs: stats.DataBlobs + stats.TreeBlobs,
		Bytes: bytes.Load() + int64(stats.Packs)*pack.HeaderOverhead,
	}, nil
}

// pruneCopyPack reads the blobs of one source pack in a single request and
// adds them to w, adding the bytes they take in new packs to written.
func (r *Repository) pruneCopyPack(ctx context.Context, w *Writer, cfg pruneConfig, pid ID, blobs []pack.Blob, written *atomic.Int64) error {
	start := blobs[0].Offset
	last := blobs[len(blobs)-1]
	n := int(last.Offset + last.Length - start)
	h := backend.Handle{Type: backend.PackFile, Name: pid.String()}
	buf := make([]byte, n)
	loadErr := r.be.Load(ctx, h, n, int64(start), func(rd io.Reader) error {
		_, err := io.ReadFull(rd, buf)
		return err
	})
	if loadErr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		buf = nil // read each blob from wherever a copy is found
	}
	for _, b := range blobs {
		var stored []byte
		if buf != nil {
			stored = buf[b.Offset-start : b.Offset-start+b.Length]
		}
		nb, err := r.pruneCopyBlob(ctx, w, cfg, pid, b, stored, loadErr)
		if err != nil {
			return err
		}
		written.Add(nb)
	}
	return nil
}

// pruneCopyBlob verifies one blob and adds it to w, re-encoding it only to
// compress it, and returns the bytes it takes in the new pack. When the
// copy in pid is unreadable (stored nil, readErr set) or damaged, another
// copy is loaded; failing that, repacking fails before anything is
// deleted.
func (r *Repository) pruneCopyBlob(ctx context.Context, w *Writer, cfg pruneConfig, pid ID, b pack.Blob, stored []byte, readErr error) (int64, error) {
	var plain []byte
	err := readErr
	if stored != nil {
		plain, err = pack.DecodeBlob(r.key, b, stored)
	}
	if err != nil {
		var err2 error
		if plain, err2 = r.LoadBlob(ctx, b.Type, b.ID); err2 != nil {
			return 0, fmt.Errorf("copy %v from pack %s: %w", b.Handle(), pid.Str(), errors.Join(err, err2))
		}
		stored = nil
	}
	compress := cfg.compression && len(plain) > 0 && (b.Type == TreeBlob || cfg.repackUncompressed || b.IsCompressed())
	if stored == nil || compress && !b.IsCompressed() {
		var ulen uint32
		stored, ulen = pack.EncodeBlob(r.key, plain, compress, w.enc)
		b = pack.Blob{Type: b.Type, ID: b.ID, Length: uint32(len(stored)), UncompressedLength: ulen}
	}
	added, err := w.addStored(ctx, b, stored)
	if err != nil || !added {
		return 0, err
	}
	return pruneBlobSize(b), nil
}
