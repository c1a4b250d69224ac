package cli

import (
	"github.com/kamal-backup/kamal-backup/repo"
)

// Snapshot is one element of `snapshots --json`: the snapshot file's
// fields in restic's order, then its ID and short ID, exactly as restic
// 0.18 prints them.
type Snapshot struct {
	*repo.Snapshot
	SnapshotID string `json:"id"`
	ShortID    string `json:"short_id"`
}

// NewSnapshot returns the JSON record of sn.
func NewSnapshot(sn *repo.Snapshot) Snapshot {
	return Snapshot{Snapshot: sn, SnapshotID: sn.ID().String(), ShortID: sn.ID().Str()}
}

// Snapshots returns the records `snapshots --json` prints: as restic's
// snapshots command does, each snapshot's paths are sorted (ls --json and
// cat keep the stored order). The result is never nil, so that an empty
// list prints as [] like restic's.
func Snapshots(snaps []*repo.Snapshot) []Snapshot {
	out := make([]Snapshot, 0, len(snaps))
	for _, sn := range snaps {
		rec := NewSnapshot(sn)
		cp := *sn
		cp.Paths = sortedCopy(sn.Paths)
		rec.Snapshot = &cp
		out = append(out, rec)
	}
	return out
}

// LsSnapshot is the first line of `ls --json`: a Snapshot record followed
// by message_type and struct_type, both "snapshot".
type LsSnapshot struct {
	Snapshot
	MessageType string `json:"message_type"`
	StructType  string `json:"struct_type"`
}

// NewLsSnapshot returns the `ls --json` snapshot line for sn.
func NewLsSnapshot(sn *repo.Snapshot) LsSnapshot {
	return LsSnapshot{Snapshot: NewSnapshot(sn), MessageType: "snapshot", StructType: "snapshot"}
}

// LatestPerGroup keeps the newest n snapshots of every group of snapshots
// sharing a hostname and a list of paths, as restic's `snapshots --latest
// n` does. snaps must be sorted oldest first; the result keeps that order.
// n <= 0 keeps everything.
func LatestPerGroup(snaps []*repo.Snapshot, n int) []*repo.Snapshot {
	if n <= 0 {
		return snaps
	}
	type key struct{ host, paths string }
	seen := map[key]int{}
	keep := make([]bool, len(snaps))
	for i := len(snaps) - 1; i >= 0; i-- {
		sn := snaps[i]
		k := key{sn.Hostname, pathsKey(sn.Paths)}
		if seen[k] < n {
			seen[k]++
			keep[i] = true
		}
	}
	var out []*repo.Snapshot
	for i, sn := range snaps {
		if keep[i] {
			out = append(out, sn)
		}
	}
	return out
}

func pathsKey(paths []string) string {
	k := ""
	for _, p := range sortedCopy(paths) {
		k += p + "\x00"
	}
	return k
}
