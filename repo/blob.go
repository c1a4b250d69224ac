package repo

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// BlobType is the type of a blob: data (file content) or tree.
type BlobType = pack.BlobType

// The blob types.
const (
	DataBlob = pack.DataBlob
	TreeBlob = pack.TreeBlob
)

// BlobHandle names a blob by ID and type.
type BlobHandle = pack.Handle

// LoadBlob loads, decrypts, decompresses and hash-checks a blob, trying
// every pack that holds it. A blob missing from the index wraps
// ErrNotFound; damaged data is an *IntegrityError naming the pack and blob.
func (r *Repository) LoadBlob(ctx context.Context, t BlobType, bid ID) ([]byte, error) {
	idx, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	locs := idx.Lookup(pack.Handle{ID: bid, Type: t})
	if len(locs) == 0 {
		return nil, fmt.Errorf("%s blob %s: %w", t, bid, ErrNotFound)
	}
	var errs []error
	for _, loc := range locs {
		buf, err := r.loadBlobFrom(ctx, loc.PackID, loc.Blob)
		if err == nil {
			return buf, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// BlobSize returns the plaintext size of a blob according to the index.
func (r *Repository) BlobSize(ctx context.Context, t BlobType, bid ID) (uint32, bool, error) {
	idx, err := r.index(ctx)
	if err != nil {
		return 0, false, err
	}
	n, ok := idx.Size(pack.Handle{ID: bid, Type: t})
	return n, ok, nil
}

func (r *Repository) loadBlobFrom(ctx context.Context, packID ID, b pack.Blob) ([]byte, error) {
	h := backend.Handle{Type: backend.PackFile, Name: packID.String()}
	var stored []byte
	err := r.be.Load(ctx, h, int(b.Length), int64(b.Offset), func(rd io.Reader) error {
		if cap(stored) < int(b.Length) {
			stored = make([]byte, b.Length)
		}
		stored = stored[:b.Length]
		_, err := io.ReadFull(rd, stored)
		return err
	})
	if err != nil {
		if r.be.IsNotExist(err) {
			return nil, &IntegrityError{File: backend.Path(h), Blob: b.ID.String(), Err: fmt.Errorf("pack is missing: %w", err)}
		}
		if errors.Is(err, backend.ErrShortFile) {
			return nil, &IntegrityError{File: backend.Path(h), Blob: b.ID.String(), Err: fmt.Errorf("pack is truncated: %w", err)}
		}
		return nil, fmt.Errorf("load %s blob %s from %s: %w", b.Type, b.ID.Str(), backend.Path(h), err)
	}
	plain, err := pack.DecodeBlob(r.key, b, stored)
	if err != nil {
		return nil, &IntegrityError{File: backend.Path(h), Blob: b.ID.String(), Err: err}
	}
	return plain, nil
}
