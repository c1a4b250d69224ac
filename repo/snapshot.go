package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// maxSnapshotSize bounds a snapshot file read from the repository.
const maxSnapshotSize = 64 << 20

const snapshotType = backend.SnapshotFile

// Snapshot is a snapshot file's content; field order and omission follow
// restic's so that scripts reading either tool's JSON see the same shape.
type Snapshot struct {
	Time           time.Time        `json:"time"`
	Parent         *ID              `json:"parent,omitempty"`
	Tree           *ID              `json:"tree"`
	Paths          []string         `json:"paths"`
	Hostname       string           `json:"hostname,omitempty"`
	Username       string           `json:"username,omitempty"`
	UID            uint32           `json:"uid,omitempty"`
	GID            uint32           `json:"gid,omitempty"`
	Excludes       []string         `json:"excludes,omitempty"`
	Tags           []string         `json:"tags,omitempty"`
	Original       *ID              `json:"original,omitempty"`
	ProgramVersion string           `json:"program_version,omitempty"`
	Summary        *SnapshotSummary `json:"summary,omitempty"`

	id ID
}

// SnapshotSummary is the backup statistics restic 0.17+ stores.
type SnapshotSummary struct {
	BackupStart         time.Time `json:"backup_start"`
	BackupEnd           time.Time `json:"backup_end"`
	FilesNew            uint      `json:"files_new"`
	FilesChanged        uint      `json:"files_changed"`
	FilesUnmodified     uint      `json:"files_unmodified"`
	DirsNew             uint      `json:"dirs_new"`
	DirsChanged         uint      `json:"dirs_changed"`
	DirsUnmodified      uint      `json:"dirs_unmodified"`
	DataBlobs           int       `json:"data_blobs"`
	TreeBlobs           int       `json:"tree_blobs"`
	DataAdded           uint64    `json:"data_added"`
	DataAddedPacked     uint64    `json:"data_added_packed"`
	TotalFilesProcessed uint      `json:"total_files_processed"`
	TotalBytesProcessed uint64    `json:"total_bytes_processed"`
}

// ID returns the snapshot's ID (the SHA-256 of its file).
func (s *Snapshot) ID() ID { return s.id }

// HasTags reports whether the snapshot carries every tag in l.
func (s *Snapshot) HasTags(l []string) bool {
	for _, want := range l {
		if want == "" && len(l) == 1 {
			return len(s.Tags) == 0
		}
		found := false
		for _, t := range s.Tags {
			if t == want {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// LoadSnapshot loads and decodes one snapshot by its full ID.
func (r *Repository) LoadSnapshot(ctx context.Context, sid ID) (*Snapshot, error) {
	h := backend.Handle{Type: backend.SnapshotFile, Name: sid.String()}
	js, err := r.loadEncrypted(ctx, h, maxSnapshotSize)
	if err != nil {
		return nil, err
	}
	var s Snapshot
	if err := json.Unmarshal(js, &s); err != nil {
		return nil, &IntegrityError{File: h.String(), Err: fmt.Errorf("decode snapshot: %w", err)}
	}
	if s.Tree == nil {
		return nil, &IntegrityError{File: h.String(), Err: fmt.Errorf("snapshot has no tree")}
	}
	s.id = sid
	return &s, nil
}

// SaveSnapshot writes s as a new snapshot file and returns its ID.
func (r *Repository) SaveSnapshot(ctx context.Context, s *Snapshot) (ID, error) {
	js, err := json.Marshal(s)
	if err != nil {
		return ID{}, err
	}
	name, err := r.saveEncrypted(ctx, backend.SnapshotFile, js)
	if err != nil {
		return ID{}, err
	}
	sid, err := ParseID(name)
	s.id = sid
	return sid, err
}

// Snapshots loads every snapshot matching f, oldest first (ties keep no
// particular order). Snapshots load in parallel; those a lock's prefetch
// loaded (LockOptions.Prefetch) are taken as they are, snapshot files
// being immutable, but the files are always listed anew.
func (r *Repository) Snapshots(ctx context.Context, f Filter) ([]*Snapshot, error) {
	known, idx := r.pre.take()
	names, err := r.listNames(ctx, backend.SnapshotFile)
	if err != nil {
		return nil, err
	}
	all, fresh, err := r.loadSnapshots(ctx, names, known)
	if err != nil {
		return nil, err
	}
	if fresh > 0 && idx != nil {
		r.dropIndex(idx) // it may lack the blobs of snapshots newer than the prefetch
	}
	var res []*Snapshot
	for _, s := range all {
		if f.Match(s) {
			res = append(res, s)
		}
	}
	sort.SliceStable(res, func(a, b int) bool { return res[a].Time.Before(res[b].Time) })
	return res, nil
}

// loadSnapshots loads the snapshots named, in parallel and in their
// order, taking those in known as they are; fresh counts the others. The
// error is the first, in that order, of any file.
func (r *Repository) loadSnapshots(ctx context.Context, names []string, known map[ID]*Snapshot) (all []*Snapshot, fresh int, err error) {
	out := make([]*Snapshot, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, name := range names {
		sid, err := ParseID(name)
		if err != nil {
			errs[i] = err
			continue
		}
		if s := known[sid]; s != nil {
			out[i] = s
			continue
		}
		fresh++
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = r.LoadSnapshot(ctx, sid)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, 0, err
		}
	}
	return out, fresh, nil
}

func (r *Repository) listNames(ctx context.Context, t backend.FileType) ([]string, error) {
	var names []string
	err := r.be.List(ctx, t, func(fi backend.FileInfo) error {
		names = append(names, fi.Name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t, err)
	}
	sort.Strings(names)
	return names, nil
}
