package repo

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
)

// checkIndexWorkers is how many index files Check loads at once.
const checkIndexWorkers = 4

// checkPackOrigin records where the index step saw a pack.
type checkPackOrigin struct {
	files []string // index files listing the pack
	types uint8    // bit 1<<BlobType for every blob type in the pack
}

// checkIndex loads every index file on its own, so that each damaged one
// is reported by name, and merges them. When all load, the merged index
// becomes the repository's index, hints about duplicate and mixed packs
// are added and checkIndex reports true.
func (c *checker) checkIndex(ctx context.Context) (bool, error) {
	names, err := c.r.listNames(ctx, backend.IndexFile)
	if err != nil {
		return false, err
	}
	c.prog.CheckStep(CheckStepIndex, len(names))
	errFrom, hintFrom := c.marks()
	defer c.sortSince(errFrom, hintFrom)
	idx := index.New()
	var mu sync.Mutex
	origins := map[ID]*checkPackOrigin{}
	err = checkForEach(ctx, len(names), checkIndexWorkers, func(ctx context.Context, i int) error {
		defer c.prog.CheckAdvance(1, 0)
		f, err := c.loadIndexFile(ctx, names[i])
		if err == nil {
			err = idx.AddFile(f)
		}
		if err != nil {
			if !c.isDamage(ctx, err) {
				return err
			}
			c.addError(CheckIssue{Kind: IssueIndexDamaged, File: "index/" + names[i],
				Message: fmt.Sprintf("index %s is damaged: %v", names[i][:8], checkDamageCause(err))})
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		for _, p := range f.Packs {
			o := origins[p.ID]
			if o == nil {
				o = &checkPackOrigin{}
				origins[p.ID] = o
			}
			if !slices.Contains(o.files, names[i]) {
				o.files = append(o.files, names[i])
			}
			for _, b := range p.Blobs {
				o.types |= 1 << b.Type
			}
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if n, _ := c.marks(); n > errFrom {
		c.res.SuggestRepairIndex = true
		return false, nil
	}
	c.indexHints(origins)
	c.idx = idx
	c.r.setIndex(idx)
	return true, nil
}

// loadIndexFile loads, verifies and decodes one index file.
func (c *checker) loadIndexFile(ctx context.Context, name string) (*index.File, error) {
	h := backend.Handle{Type: backend.IndexFile, Name: name}
	js, err := c.r.loadEncrypted(ctx, h, maxIndexFileSize)
	if err != nil {
		return nil, err
	}
	f, err := index.Decode(js)
	if err != nil {
		return nil, &IntegrityError{File: h.String(), Err: err}
	}
	if c.r.cfg.Version < 2 {
		for _, p := range f.Packs {
			for _, b := range p.Blobs {
				if b.UncompressedLength != 0 {
					return nil, &IntegrityError{File: h.String(), Blob: b.ID.String(),
						Err: fmt.Errorf("compressed blob in a version 1 repository")}
				}
			}
		}
	}
	return f, nil
}

// indexHints adds the hints about packs listed in several index files and
// packs holding both tree and data blobs.
func (c *checker) indexHints(origins map[ID]*checkPackOrigin) {
	for pid, o := range origins {
		if len(o.files) > 1 {
			slices.Sort(o.files)
			c.res.SuggestRepairIndex = true
			c.addHint(CheckIssue{Kind: IssueDuplicatePackIndex, File: checkPackPath(pid),
				Message: fmt.Sprintf("pack %s is contained in several indexes: %s; this is non-critical, `repair index` corrects it",
					pid.Str(), checkShortIDs(o.files))})
		}
		if o.types == 1<<DataBlob|1<<TreeBlob {
			c.res.SuggestPrune = true
			c.addHint(CheckIssue{Kind: IssueMixedPack, File: checkPackPath(pid),
				Message: fmt.Sprintf("pack %s contains a mix of tree and data blobs; this is non-critical, `prune` corrects it", pid.Str())})
		}
	}
}
