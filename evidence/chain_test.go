package evidence

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// appendHistory appends a check and a backup record for each of the
// given days before now (finished at 03:05 and 03:10 UTC) to the
// fixture's history and mirrors it into the repository.
func (f *fixture) appendHistory(t testing.TB, daysAgo ...int) []backup.HistoryEntry {
	t.Helper()
	sd := f.cfg.StateDir()
	base := time.Date(now.Year(), now.Month(), now.Day(), 3, 0, 0, 0, time.UTC)
	var out []backup.HistoryEntry
	for _, d := range daysAgo {
		at := base.Add(-time.Duration(d) * day)
		for _, rec := range []any{
			&backup.CheckRecord{RecordHeader: backup.NewRecordHeader(backup.KindCheckResult), Status: backup.StatusOK,
				StartedAt: at, FinishedAt: at.Add(5 * time.Minute)},
			&backup.BackupRecord{RecordHeader: backup.NewRecordHeader(backup.KindBackupResult), Status: backup.StatusOK,
				StartedAt: at, FinishedAt: at.Add(10 * time.Minute), Databases: []backup.DatabaseSnapshot{}, Sources: []backup.SourceResult{}},
		} {
			e, err := sd.AppendHistory(rec, backup.HistoryAppendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
	}
	if _, err := backup.MirrorHistory(t.Context(), f.r, "peerapp", "peerapp-backup", out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCollectHistory puts a history of three runs (one before the
// window) in the document, verified, and its mirror snapshots leave the
// backup facts alone.
func TestCollectHistory(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 10)
	f.writeRecords(t)
	before := f.collect(t)
	entries := f.appendHistory(t, 40, 2, 1)
	doc := f.collect(t)

	h := doc.History.Value
	if h == nil {
		t.Fatalf("no history: %q", doc.History.Error)
	}
	if !h.Verified || h.Entries != 6 || h.Mirrored != 6 || len(h.Problems) != 0 || len(h.Warnings) != 0 {
		t.Errorf("history %+v", h)
	}
	if h.HeadSeq != 6 || h.HeadHash == nil || *h.HeadHash != entries[5].Hash || !h.FirstAt.Equal(entries[0].Time) || !h.LastAt.Equal(entries[5].Time) {
		t.Errorf("head %d %v, first %v, last %v", h.HeadSeq, h.HeadHash, h.FirstAt, h.LastAt)
	}
	var seqs []int64
	for _, w := range h.Window {
		seqs = append(seqs, w.Seq)
	}
	if !slices.Equal(seqs, []int64{3, 4, 5, 6}) || h.Window[1].Kind != backup.KindBackupResult || h.Window[1].Hash != entries[3].Hash {
		t.Errorf("window %+v", h.Window)
	}
	if doc.Objectives.Verdict != VerdictPass {
		t.Errorf("verdict %s: %v", doc.Objectives.Verdict, doc.Objectives.Reasons)
	}
	// The mirror snapshots are no backups.
	if !equalJSONOf(t, before.BackupHistory, doc.BackupHistory) || !equalJSONOf(t, before.LatestDatabaseBackups, doc.LatestDatabaseBackups) ||
		!equalJSONOf(t, before.LatestFileBackup, doc.LatestFileBackup) {
		t.Error("the mirror snapshots changed the backup facts")
	}
	if n := *doc.Repository.Value.AppSnapshots.Value - *before.Repository.Value.AppSnapshots.Value; n != 6 {
		t.Errorf("app_snapshots grew by %d, want the 6 mirror snapshots", n)
	}
	problems, err := CheckHistory(t.Context(), f.cfg, f.r, doc)
	if err != nil || len(problems) != 0 {
		t.Errorf("CheckHistory of an intact history: %v, %v", problems, err)
	}
}

// TestCollectHistoryTampered fails the verdict when an entry was edited,
// and CheckHistory misses an anchored entry deleted from both copies.
func TestCollectHistoryTampered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 10)
	f.writeRecords(t)
	f.appendHistory(t, 3, 2, 1)
	signed := f.collect(t)

	path := filepath.Join(f.cfg.State.Path, backup.HistoryFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	edited := slices.Clone(lines)
	edited[1] = bytes.Replace(edited[1], []byte(`"status":"ok"`), []byte(`"status":"no"`), 1)
	writeHistoryFile(t, path, bytes.Join(edited, nil))
	doc := f.collect(t)
	if h := doc.History.Value; h == nil || h.Verified || len(h.Problems) == 0 || !strings.Contains(strings.Join(h.Problems, "\n"), "entry 2") {
		t.Fatalf("history of an edited log: %+v", doc.History)
	}
	if doc.Objectives.Verdict != VerdictFail || !strings.HasPrefix(doc.Objectives.Reasons[len(doc.Objectives.Reasons)-1], "history: ") {
		t.Errorf("verdict %s: %v", doc.Objectives.Verdict, doc.Objectives.Reasons)
	}

	// The last entry deleted from both copies: the chain is whole again,
	// but the document made before still anchors it.
	writeHistoryFile(t, path, bytes.Join(lines[:5], nil))
	snaps, err := f.r.Snapshots(t.Context(), repo.Filter{Tags: [][]string{backup.HistoryTags("peerapp", 6)}})
	if err != nil || len(snaps) != 1 {
		t.Fatal(err)
	}
	if err := f.r.Forget(t.Context(), []repo.ID{snaps[0].ID()}); err != nil {
		t.Fatal(err)
	}
	if doc := f.collect(t); !doc.History.Value.Verified {
		t.Fatalf("the shortened history does not verify: %v", doc.History.Value.Problems)
	}
	problems, err := CheckHistory(t.Context(), f.cfg, f.r, signed)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "entry 6") {
		t.Errorf("CheckHistory after deleting entry 6: %v, %v", problems, err)
	}
}

// equalJSONOf reports whether a and b encode to the same JSON.
func equalJSONOf(t testing.TB, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

// writeHistoryFile replaces path's content.
func writeHistoryFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
