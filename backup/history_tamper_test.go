package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// forgetMirror removes the mirror snapshot of entry seq from r.
func forgetMirror(t testing.TB, r *repo.Repository, seq int64) {
	t.Helper()
	snaps, err := r.Snapshots(t.Context(), repo.Filter{Tags: [][]string{HistoryTags("shop", seq)}})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("mirror snapshot of entry %d: %d found, %v", seq, len(snaps), err)
	}
	if err := r.Forget(t.Context(), []repo.ID{snaps[0].ID()}); err != nil {
		t.Fatal(err)
	}
}

// rehash recomputes the hash of an edited line.
func rehash(t testing.TB, line []byte) []byte {
	t.Helper()
	e, err := decodeHistoryLine(bytes.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	e.Hash, _ = e.ComputeHash()
	out, _ := e.line()
	return out
}

// TestHistoryTamperDetected edits, deletes and truncates a history of
// five entries mirrored into a repository, and checks that VerifyHistory
// names each change.
func TestHistoryTamperDetected(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tamper   func(t *testing.T, sd StateDir, r *repo.Repository)
		problems []string // codes
		warnings []string
		mention  string // a problem's message must contain it
	}{
		{name: "untouched", tamper: func(*testing.T, StateDir, *repo.Repository) {}},
		{name: "one byte of an entry edited", problems: []string{IssueBadHash, IssueEdited}, mention: "entry 3",
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				lines := historyLines(t, sd)
				lines[2] = bytes.Replace(lines[2], []byte(`"errors":0`), []byte(`"errors":7`), 1)
				writeHistory(t, sd, lines)
			}},
		{name: "entry edited and rehashed", problems: []string{IssueBrokenLink, IssueEdited}, mention: "entry 4 does not link to entry 3",
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				lines := historyLines(t, sd)
				lines[2] = rehash(t, bytes.Replace(lines[2], []byte(`"status":"ok"`), []byte(`"status":"failed"`), 1))
				writeHistory(t, sd, lines)
			}},
		{name: "middle entry deleted", problems: []string{IssueSeqGap, IssueDeleted}, mention: "entry 3 is missing",
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				lines := historyLines(t, sd)
				writeHistory(t, sd, slices.Delete(lines, 2, 3))
			}},
		{name: "last entry deleted", problems: []string{IssueDeleted}, mention: "entry 5 is in the repository but not in the local log",
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				lines := historyLines(t, sd)
				writeHistory(t, sd, lines[:4])
			}},
		{name: "log truncated", problems: []string{IssueDeleted}, mention: "entries 3 to 5 are in the repository",
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				writeHistory(t, sd, historyLines(t, sd)[:2])
			}},
		{name: "torn last line", problems: []string{IssueTorn}, mention: "line 6 is incomplete",
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				lines := historyLines(t, sd)
				writeHistory(t, sd, append(lines, lines[4][:40]))
			}},
		{name: "mirror snapshot of a middle entry removed", problems: []string{IssueSeqGap, IssueDeleted}, mention: "entry 2 is in the local log but not in the repository",
			tamper: func(t *testing.T, _ StateDir, r *repo.Repository) { forgetMirror(t, r, 2) }},
		{name: "mirror snapshot of the last entry removed", warnings: []string{IssueNotMirrored},
			tamper: func(t *testing.T, _ StateDir, r *repo.Repository) { forgetMirror(t, r, 5) }},
		{name: "new entry not mirrored yet", warnings: []string{IssueNotMirrored},
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				if _, err := sd.AppendHistory(historyRecord(6), HistoryAppendOptions{}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "local log gone", warnings: []string{IssueLocalEmpty},
			tamper: func(t *testing.T, sd StateDir, _ *repo.Repository) {
				if err := os.Remove(filepath.Join(sd.Path, HistoryFile)); err != nil {
					t.Fatal(err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sd := StateDir{Path: t.TempDir()}
			entries := appendN(t, sd, 5)
			r := memRepo(t)
			if n := mirror(t, sd, r); n != 5 {
				t.Fatalf("mirrored %d entries, want 5", n)
			}
			tc.tamper(t, sd, r)
			rep, err := VerifyHistory(t.Context(), sd, r, "shop", VerifyHistoryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := issueCodes(rep.Problems); !slices.Equal(got, tc.problems) {
				t.Errorf("problems %q, want %q: %v", got, tc.problems, rep.Problems)
			}
			if got := issueCodes(rep.Warnings); !slices.Equal(got, tc.warnings) {
				t.Errorf("warnings %q, want %q: %v", got, tc.warnings, rep.Warnings)
			}
			if tc.mention != "" && !strings.Contains(rep.Err().Error(), tc.mention) {
				t.Errorf("the error does not say %q: %v", tc.mention, rep.Err())
			}
			if rep.OK() != (len(tc.problems) == 0) || (rep.Err() == nil) != rep.OK() {
				t.Errorf("OK %v, Err %v", rep.OK(), rep.Err())
			}
			if len(tc.problems) == 0 && (rep.Head == nil || rep.Head.Seq < 5 || rep.Head.Seq == 5 && rep.Head.Hash != entries[4].Hash) {
				t.Errorf("head %+v", rep.Head)
			}
		})
	}
}

// TestHistoryAnchors checks that an entry a document anchored is missed
// when it is deleted from both copies, and when the chain is then
// continued (rewritten) consistently.
func TestHistoryAnchors(t *testing.T) {
	sd := StateDir{Path: t.TempDir()}
	entries := appendN(t, sd, 5)
	var anchors []HistoryAnchor
	for _, e := range entries {
		anchors = append(anchors, HistoryAnchor{Seq: e.Seq, Hash: e.Hash})
	}
	r := memRepo(t)
	mirror(t, sd, r)
	// The last entry is removed everywhere: the chain itself stays whole.
	writeHistory(t, sd, historyLines(t, sd)[:4])
	forgetMirror(t, r, 5)
	rep, err := VerifyHistory(t.Context(), sd, r, "shop", VerifyHistoryOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("VerifyHistory: %v, %v", rep.Problems, err)
	}
	if got := issueCodes(rep.CheckAnchors(anchors)); !slices.Equal(got, []string{IssueAnchorMissing}) {
		t.Errorf("anchors after deleting entry 5: %q", got)
	}
	// A new run takes seq 5: the anchor's hash no longer matches.
	if _, err := sd.AppendHistory(historyRecord(7), HistoryAppendOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, _ = VerifyHistory(t.Context(), sd, r, "shop", VerifyHistoryOptions{})
	issues := rep.CheckAnchors(anchors)
	if got := issueCodes(issues); !slices.Equal(got, []string{IssueAnchorMismatch}) || !strings.Contains(issues[0].Message, "entry 5") {
		t.Errorf("anchors after rewriting entry 5: %v", issues)
	}
}

// TestHistoryTornLineKept appends after a crash left a torn line: the
// line stays (reported), and the new entry links to the last whole one.
func TestHistoryTornLineKept(t *testing.T) {
	sd := StateDir{Path: t.TempDir()}
	entries := appendN(t, sd, 2)
	lines := historyLines(t, sd)
	writeHistory(t, sd, append(lines, []byte(`{"seq":3,"time":"2026-05`)))
	e, err := sd.AppendHistory(historyRecord(3), HistoryAppendOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 3 || e.Prev != entries[1].Hash {
		t.Errorf("entry after the torn line: seq %d prev %s", e.Seq, e.Prev)
	}
	rep, err := VerifyHistory(t.Context(), sd, nil, "shop", VerifyHistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := issueCodes(rep.Problems); !slices.Equal(got, []string{IssueUnreadable}) || !strings.Contains(rep.Problems[0].Message, "line 3") {
		t.Errorf("problems %v", rep.Problems)
	}
	if len(rep.Items) != 3 || rep.Head == nil || rep.Head.Seq != 3 {
		t.Errorf("items %d, head %+v", len(rep.Items), rep.Head)
	}
}

// TestHistoryReplacedAccessory continues the chain mirrored in the
// repository from an empty state directory, as a new accessory does.
func TestHistoryReplacedAccessory(t *testing.T) {
	old := StateDir{Path: t.TempDir()}
	entries := appendN(t, old, 3)
	r := memRepo(t)
	mirror(t, old, r)

	fresh := StateDir{Path: filepath.Join(t.TempDir(), "state")}
	w := historyWriter{sd: fresh, rp: r, app: "shop", host: "shop-backup", log: slog.New(slog.DiscardHandler),
		lock: func(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }}
	if err := w.record(t.Context(), historyRecord(4)); err != nil {
		t.Fatal(err)
	}
	log, err := fresh.ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Entries) != 4 || log.Entries[2].Hash != entries[2].Hash || log.Entries[3].Prev != entries[2].Hash {
		t.Fatalf("the new accessory's history does not continue the chain: %d entries", len(log.Entries))
	}
	rep, err := VerifyHistory(t.Context(), fresh, r, "shop", VerifyHistoryOptions{})
	if err != nil || !rep.OK() || len(rep.Warnings) != 0 || rep.MirroredEntries != 4 {
		t.Errorf("VerifyHistory: problems %v warnings %v mirrored %d, %v", rep.Problems, rep.Warnings, rep.MirroredEntries, err)
	}
	var snap struct {
		Seq int64 `json:"seq"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(historyLines(t, fresh)[3]), &snap); err != nil || snap.Seq != 4 {
		t.Errorf("line 4: %+v %v", snap, err)
	}
}
