package backup

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo"
)

// maxMirrorEntry bounds the size of an entry read from the repository.
const maxMirrorEntry = 16 << 20

// LoadHistoryMirror reads the app's history entries mirrored in rp,
// sorted by seq; the same entry mirrored twice (two writers racing)
// counts once. A mirror snapshot that cannot be read or decoded, or
// whose seq tag is not its entry's, and two different entries under one
// seq, are returned as issues. The error is for a repository whose
// snapshots cannot be listed. Reading takes no lock.
func LoadHistoryMirror(ctx context.Context, rp *repo.Repository, app string) ([]HistoryEntry, []HistoryIssue, error) {
	return loadHistoryMirror(ctx, rp, app, nil)
}

// loadHistoryMirror is LoadHistoryMirror reading the mirror snapshots
// among listed, or listing them when listed is nil.
func loadHistoryMirror(ctx context.Context, rp *repo.Repository, app string, listed []*repo.Snapshot) ([]HistoryEntry, []HistoryIssue, error) {
	var snaps []*repo.Snapshot
	if listed == nil {
		var err error
		if snaps, err = rp.Snapshots(ctx, historyFilter(app)); err != nil {
			return nil, nil, fmt.Errorf("read the history mirrored in the repository: %w", err)
		}
	} else {
		f := historyFilter(app)
		for _, s := range listed {
			if f.Match(s) {
				snaps = append(snaps, s)
			}
		}
	}
	entries := make([]HistoryEntry, len(snaps))
	errs := make([]error, len(snaps))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, s := range snaps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			entries[i], errs[i] = loadMirrorEntry(ctx, rp, s)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var issues []HistoryIssue
	var out []HistoryEntry
	for i, s := range snaps {
		if errs[i] != nil {
			seq, _ := snapshotSeq(s)
			issues = append(issues, HistoryIssue{Code: IssueUnreadable, Seq: seq,
				Message: fmt.Sprintf("repository: snapshot %s (history entry %d): %v", s.ID().Str(), seq, errs[i])})
			continue
		}
		out = append(out, entries[i])
	}
	slices.SortStableFunc(out, func(a, b HistoryEntry) int { return cmp.Compare(a.Seq, b.Seq) })
	return dedupeMirror(out, &issues), issues, nil
}

// loadMirrorEntry reads and decodes the entry of mirror snapshot s.
func loadMirrorEntry(ctx context.Context, rp *repo.Repository, s *repo.Snapshot) (HistoryEntry, error) {
	rc, err := rp.OpenFile(ctx, s, mirrorPath(s))
	if err != nil {
		return HistoryEntry{}, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxMirrorEntry))
	if err != nil {
		return HistoryEntry{}, err
	}
	e, err := decodeHistoryLine(data)
	if err != nil {
		return HistoryEntry{}, err
	}
	if seq, ok := snapshotSeq(s); !ok || seq != e.Seq {
		return HistoryEntry{}, fmt.Errorf("its tag says entry %d but it holds entry %d", seq, e.Seq)
	}
	return e, nil
}

// dedupeMirror drops repeated copies of an entry (sorted by seq) and
// reports different entries under one seq, keeping the first.
func dedupeMirror(sorted []HistoryEntry, issues *[]HistoryIssue) []HistoryEntry {
	var out []HistoryEntry
	for _, e := range sorted {
		n := len(out)
		if n == 0 || out[n-1].Seq != e.Seq {
			out = append(out, e)
			continue
		}
		if out[n-1].Hash != e.Hash {
			*issues = append(*issues, HistoryIssue{Code: IssueMirrorConflict, Seq: e.Seq, Message: fmt.Sprintf(
				"repository: two different entries %d (hashes %s and %s): the chain was forked or rewritten", e.Seq, out[n-1].ShortHash(), e.ShortHash())})
		}
	}
	return out
}
