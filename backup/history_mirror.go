package backup

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
)

// HistoryTags are the tags of the snapshot mirroring history entry seq:
// kamal-backup, app:<app>, type:evidence, seq:<seq>.
func HistoryTags(app string, seq int64) []string {
	return []string{"kamal-backup", "app:" + app, "type:" + SourceEvidence, "seq:" + strconv.FormatInt(seq, 10)}
}

// HistoryMirrorFile is the file holding entry seq in its mirror
// snapshot: kamal-backup-evidence/<app>/<seq>.json.
func HistoryMirrorFile(app string, seq int64) string {
	return "kamal-backup-evidence/" + SafeName(app) + "/" + strconv.FormatInt(seq, 10) + ".json"
}

// historyFilter selects the app's mirror snapshots.
func historyFilter(app string) repo.Filter {
	return repo.Filter{Tags: [][]string{{"kamal-backup", "app:" + app, "type:" + SourceEvidence}}}
}

// snapshotSeq returns the seq tag of a mirror snapshot.
func snapshotSeq(s *repo.Snapshot) (int64, bool) {
	v := snapshotTagValue(s, "seq:")
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n > 0
}

// MirrorHistory writes one small snapshot per entry newer than the
// newest entry already mirrored in rp for app, oldest first: the entry's
// line as HistoryMirrorFile, tagged HistoryTags, taken at the entry's
// time on host. Entries the repository holds already are never written
// again (a conflict stays visible to VerifyHistory). It returns how many
// snapshots it wrote. ctx must be the context of a lock on rp (a
// non-exclusive one suffices), so that a prune cannot remove the data of
// a snapshot being written.
func MirrorHistory(ctx context.Context, rp *repo.Repository, app, host string, entries []HistoryEntry) (int, error) {
	snaps, err := rp.Snapshots(ctx, historyFilter(app))
	if err != nil {
		return 0, fmt.Errorf("mirror the history: list snapshots: %w", err)
	}
	var newest int64
	for _, s := range snaps {
		if n, ok := snapshotSeq(s); ok {
			newest = max(newest, n)
		}
	}
	written := 0
	for _, e := range entries {
		if e.Seq <= newest {
			continue
		}
		line, err := e.line()
		if err != nil {
			return written, err
		}
		_, err = rp.BackupStream(ctx, HistoryMirrorFile(app, e.Seq), bytes.NewReader(line),
			repo.SnapshotOptions{Tags: HistoryTags(app, e.Seq), Host: host, Time: e.Time})
		if err != nil {
			return written, fmt.Errorf("mirror history entry %d: %w", e.Seq, err)
		}
		newest = e.Seq
		written++
	}
	return written, nil
}

// isHistorySnapshot reports whether s mirrors a history entry.
func isHistorySnapshot(s *repo.Snapshot) bool {
	return s.HasTags([]string{"type:" + SourceEvidence})
}

// mirrorPath returns the file a mirror snapshot holds, relative to the
// snapshot's root; empty when it records no path.
func mirrorPath(s *repo.Snapshot) string {
	if len(s.Paths) == 0 {
		return ""
	}
	return strings.TrimPrefix(s.Paths[0], "/")
}
