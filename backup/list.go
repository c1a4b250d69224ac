package backup

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// SnapshotInfo describes one kamal-backup snapshot for `kamal-backup
// list`. Its JSON form is part of the list command's output: fields are
// only ever added.
type SnapshotInfo struct {
	// ID is the full snapshot ID, ShortID its first 8 characters.
	ID      string `json:"id"`
	ShortID string `json:"short_id"`
	// Time is when the snapshot was taken.
	Time time.Time `json:"time"`
	// Group is "database:<name>" or "files" (the retention groups), or
	// "type:<type>" for another type.
	Group string `json:"group"`
	// Type is the snapshot's type tag: SourceDatabase or SourceFiles.
	Type string `json:"type"`
	// Database and Adapter are the database and adapter tags of a
	// database snapshot.
	Database string `json:"database,omitempty"`
	Adapter  string `json:"adapter,omitempty"`
	// Host is the snapshot's host.
	Host  string   `json:"host"`
	Tags  []string `json:"tags"`
	Paths []string `json:"paths"`
}

// List returns this app's kamal-backup snapshots (tags kamal-backup and
// app:<app>, any host) grouped: the configured databases in configured
// order, then other databases by name, then the files, then snapshots of
// other types; oldest first within a group. The snapshots mirroring the
// history (type:evidence) are no backups and are left out. It reads the repository
// without locking it, as restic snapshots --no-lock does, and never
// creates it.
func (r *Runner) List(ctx context.Context) ([]SnapshotInfo, error) {
	if r.Config == nil {
		return nil, errNoConfig
	}
	var out []SnapshotInfo
	err := r.withRepo(ctx, func(rp *repo.Repository) error {
		snaps, err := rp.Snapshots(ctx, repo.Filter{Tags: [][]string{{"kamal-backup", "app:" + r.Config.App}}})
		if err != nil {
			return err
		}
		out = make([]SnapshotInfo, 0, len(snaps))
		for _, s := range snaps {
			if !isHistorySnapshot(s) {
				out = append(out, snapshotInfo(s))
			}
		}
		return nil
	})
	if err != nil {
		return nil, r.redactError(err)
	}
	rank := r.listRank()
	slices.SortStableFunc(out, func(a, b SnapshotInfo) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a.Group, b.Group),
			a.Time.Compare(b.Time), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// snapshotInfo describes s.
func snapshotInfo(s *repo.Snapshot) SnapshotInfo {
	id := s.ID().String()
	info := SnapshotInfo{ID: id, ShortID: s.ID().Str(), Time: s.Time, Host: s.Hostname,
		Tags: slices.Clone(s.Tags), Paths: slices.Clone(s.Paths)}
	if info.Tags == nil {
		info.Tags = []string{}
	}
	if info.Paths == nil {
		info.Paths = []string{}
	}
	info.Type = snapshotTagValue(s, "type:")
	info.Database = snapshotTagValue(s, "database:")
	info.Adapter = snapshotTagValue(s, "adapter:")
	switch info.Type {
	case SourceDatabase:
		info.Group = "database:" + info.Database
	case SourceFiles:
		info.Group = "files"
	default:
		info.Group = "type:" + info.Type
	}
	return info
}

// listRank orders groups: configured databases in order, other
// databases, files, the rest.
func (r *Runner) listRank() func(SnapshotInfo) int {
	order := map[string]int{}
	dbs := r.Config.Databases()
	for i, db := range dbs {
		order[db.Name] = i
	}
	n := len(dbs)
	return func(s SnapshotInfo) int {
		switch s.Type {
		case SourceDatabase:
			if i, ok := order[s.Database]; ok {
				return i
			}
			return n
		case SourceFiles:
			return n + 1
		}
		return n + 2
	}
}

// snapshotTagValue returns the rest of s's first tag starting with
// prefix ("type:"), or "".
func snapshotTagValue(s *repo.Snapshot, prefix string) string {
	for _, t := range s.Tags {
		if v, ok := strings.CutPrefix(t, prefix); ok {
			return v
		}
	}
	return ""
}
