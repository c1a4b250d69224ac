package repo

import (
	"context"
	"slices"
)

// PackIDs returns the IDs of the packs the index lists, sorted. It loads
// the index if no operation has yet (Check leaves an intact index
// loaded), so its errors are those of loading the index.
func (r *Repository) PackIDs(ctx context.Context) ([]ID, error) {
	idx, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	ids := idx.PackIDs()
	slices.SortFunc(ids, checkCompareIDs)
	return ids, nil
}
