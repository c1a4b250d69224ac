package repo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// CheckOptions tune Check. The zero value checks the index, the presence
// and sizes of the packs and every snapshot's trees, without reading pack
// contents, under an exclusive lock.
type CheckOptions struct {
	// ReadData downloads and verifies every pack the index lists, like
	// restic check --read-data.
	ReadData bool
	// ReadDataSubset downloads and verifies a subset of the packs, given
	// as "n/t", "x%" or a size such as "500M" (see ParseDataSubset). It
	// cannot be combined with ReadData.
	ReadDataSubset string
	// ReadPack, if set, selects more packs to download and verify: a pack
	// the index lists is read when ReadData or ReadDataSubset selects it
	// or when ReadPack returns true for its ID. With neither ReadData nor
	// ReadDataSubset, only the packs ReadPack selects are read. ReadPack
	// is asked only about packs the index lists that the subset left out
	// (so an ID the index does not list is never read), at most once
	// each, from one goroutine, before any pack is read. A selected pack
	// absent from the backend is reported missing, not read.
	ReadPack func(ID) bool
	// NoLock skips the exclusive lock Check otherwise holds while it runs.
	NoLock bool
	// Rand chooses the packs of a percentage or size subset; nil means a
	// source seeded with the current time.
	Rand rand.Source
	// Progress receives progress reports; nil means none.
	Progress CheckProgress
}

// CheckResult is what Check found. Its JSON form is part of kamal-backup's
// machine-readable output: fields are only ever added.
type CheckResult struct {
	// Errors are damage found in the repository; see the Issue constants
	// for their kinds. Check stops after the index step if an index file
	// is damaged.
	Errors []CheckIssue `json:"errors"`
	// Hints are harmless findings that a maintenance command can tidy up.
	Hints []CheckIssue `json:"hints"`
	// SnapshotsChecked counts the snapshots whose trees were walked.
	SnapshotsChecked int `json:"snapshots_checked"`
	// TreesChecked counts the distinct trees loaded and checked.
	TreesChecked int `json:"trees_checked"`
	// PacksRead counts the packs downloaded and verified when reading data.
	PacksRead int `json:"packs_read"`
	// BytesRead is the number of pack bytes downloaded when reading data.
	BytesRead int64 `json:"bytes_read"`
	// PacksTotal counts the packs the index lists; 0 when an index file
	// is damaged, since Check then stops after the index step.
	PacksTotal int `json:"packs_total"`
	// PacksVerified are the full IDs of the packs read whose content
	// matched the index, sorted, never nil. It is not part of the JSON,
	// which stays small whatever the repository's size.
	PacksVerified []string `json:"-"`
	// Duration is how long Check took, in nanoseconds in JSON.
	Duration time.Duration `json:"duration_ns"`
	// BrokenPacks are the full IDs of packs with a wrong size or damaged
	// content, which `repair packs` can salvage; sorted, never null.
	BrokenPacks []string `json:"broken_packs"`
	// SuggestRepairIndex is set when `repair index` would fix a finding:
	// a damaged index file or a pack listed in several index files.
	SuggestRepairIndex bool `json:"suggest_repair_index"`
	// SuggestPrune is set when `prune` would tidy up a finding: packs in
	// no index, or packs mixing tree and data blobs.
	SuggestPrune bool `json:"suggest_prune"`
}

// OK reports whether Check found no errors; hints do not count.
func (r *CheckResult) OK() bool { return len(r.Errors) == 0 }

// CheckIssue is one error or hint found by Check.
type CheckIssue struct {
	// Kind classifies the issue; it is one of the Issue constants.
	Kind string `json:"kind"`
	// Message describes the issue for people.
	Message string `json:"message"`
	// File is the repository file concerned, e.g. "index/<id>" or
	// "data/<xx>/<id>", if any.
	File string `json:"file,omitempty"`
	// Blob is the full ID of the blob or tree concerned, if any.
	Blob string `json:"blob,omitempty"`
	// Snapshots are the full IDs of the snapshots that reference a broken
	// tree or node, if known.
	Snapshots []string `json:"snapshots,omitempty"`
}

// String returns the issue's message.
func (i CheckIssue) String() string { return i.Message }

// Check verifies the repository's integrity in the steps and order of
// restic 0.18's check: list the snapshots, load every index file, compare
// the packs in the backend with the index, walk every tree reachable from
// a snapshot and, if asked, download and verify pack contents.
//
// Damage is reported in the result, never as the returned error. The
// returned error is non-nil only when Check could not do its job: invalid
// options, a lock held by someone else (wrapping ErrLocked), a cancelled
// context, or a backend that fails in a way retrying could fix. Check
// loads the index once and leaves it as the repository's index when every
// index file is intact.
func (r *Repository) Check(ctx context.Context, opts CheckOptions) (*CheckResult, error) {
	sub, readData, err := opts.subset()
	if err != nil {
		return nil, err
	}
	start := r.now()
	if !opts.NoLock {
		lock, lctx, err := r.Lock(ctx, true)
		if err != nil {
			return nil, fmt.Errorf("check: %w", err)
		}
		defer func() {
			if err := lock.Unlock(); err != nil {
				r.log.Warn("check: release lock", "err", err)
			}
		}()
		ctx = lctx
	}
	c := newChecker(r, opts)
	if err := c.run(ctx, sub, readData); err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		return nil, fmt.Errorf("check: %w", err)
	}
	res := c.result()
	res.Duration = r.now().Sub(start)
	return res, nil
}
