package repo

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// pruneOversizedIndex is the blob count from which restic 0.17+ rewrites
// an index file even when none of its packs goes away: more than one pack
// header's worth of entries beyond the usual file size.
const pruneOversizedIndex = index.MaxBlobsPerFile + 409199

// pruneIndexFile is what prune needs to know about one index file.
type pruneIndexFile struct {
	id    ID
	packs []ID
	blobs int
}

// pruneLoadIndex loads every index file, keeping track of which packs
// each lists, and merges them into a master index.
func (r *Repository) pruneLoadIndex(ctx context.Context) ([]pruneIndexFile, *index.Index, error) {
	names, err := r.listNames(ctx, backend.IndexFile)
	if err != nil {
		return nil, nil, err
	}
	idx := index.New()
	files := make([]pruneIndexFile, len(names))
	err = pruneParallel(ctx, max(r.pruneWorkers(), 4), len(names), func(ctx context.Context, i int) error {
		fid, err := ParseID(names[i])
		if err != nil {
			return err
		}
		f, err := r.decodeIndexFile(ctx, names[i])
		if err != nil {
			return err
		}
		files[i] = pruneIndexFile{id: fid, blobs: f.Count()}
		for _, p := range f.Packs {
			if err := idx.Add(p.ID, p.Blobs); err != nil {
				return &IntegrityError{File: "index/" + names[i], Err: err}
			}
			files[i].packs = append(files[i].packs, p.ID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load index: %w", err)
	}
	return files, idx, nil
}

// planIndex decides which index files to replace. Nothing is rewritten
// unless a pack leaves the index. Then, as restic 0.17+ does, a file is
// kept unchanged only if none of its packs leaves and it is full (at
// least index.MaxBlobsPerFile blobs, not oversized); the packs of all
// other files that stay are written into new files.
func (p *prunePlan) planIndex() {
	leaving := func(pid ID) bool {
		pp := p.packs[pid]
		return pp != nil && pp.action != pruneKeep
	}
	anyLeaving := false
	for _, pp := range p.packs {
		if pp.action != pruneKeep {
			anyLeaving = true
			break
		}
	}
	if !anyLeaving {
		p.res.IndexFilesKept = len(p.files)
		return
	}
	inKept := map[ID]bool{}
	var obsolete []pruneIndexFile
	for _, f := range p.files {
		full := f.blobs >= index.MaxBlobsPerFile && f.blobs < pruneOversizedIndex
		if full && !slices.ContainsFunc(f.packs, leaving) {
			p.res.IndexFilesKept++
			for _, pid := range f.packs {
				inKept[pid] = true
			}
			continue
		}
		obsolete = append(obsolete, f)
		p.res.Plan.ObsoleteIndexFiles = append(p.res.Plan.ObsoleteIndexFiles, f.id)
	}
	seen := map[ID]bool{}
	for _, f := range obsolete {
		for _, pid := range f.packs {
			if !leaving(pid) && !inKept[pid] && !seen[pid] {
				seen[pid] = true
				p.rewrite = append(p.rewrite, pid)
			}
		}
	}
	slices.SortFunc(p.res.Plan.ObsoleteIndexFiles, pruneCompareIDs)
	var blobs int
	for _, pid := range p.rewrite {
		blobs += p.packs[pid].blobs()
	}
	p.res.IndexFilesWritten = (blobs + index.MaxBlobsPerFile - 1) / index.MaxBlobsPerFile
	p.res.IndexFilesDeleted = len(obsolete)
}

// pruneWriteIndex writes index files listing the packs of p.rewrite and
// returns how many it wrote.
func (r *Repository) pruneWriteIndex(ctx context.Context, p *prunePlan) (int, error) {
	want := make(map[ID]int, len(p.rewrite))
	packs := make([]index.Pack, len(p.rewrite))
	for i, pid := range p.rewrite {
		want[pid] = i
		packs[i].ID = pid
	}
	p.idx.Each(func(pb index.PackedBlob) bool {
		if i, ok := want[pb.PackID]; ok {
			packs[i].Blobs = append(packs[i].Blobs, pb.Blob)
		}
		return true
	})
	for i := range packs {
		slices.SortFunc(packs[i].Blobs, func(a, b pack.Blob) int { return cmp.Compare(a.Offset, b.Offset) })
		if packs[i].Blobs == nil {
			packs[i].Blobs = []pack.Blob{}
		}
	}
	files := index.Split(packs, index.MaxBlobsPerFile)
	err := pruneParallel(ctx, r.pruneWorkers(), len(files), func(ctx context.Context, i int) error {
		js, err := index.Encode(files[i])
		if err != nil {
			return err
		}
		_, err = r.saveEncrypted(ctx, backend.IndexFile, js)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("write index: %w", err)
	}
	return len(files), nil
}

func pruneCompareIDs(a, b ID) int {
	return slices.Compare(a[:], b[:])
}
