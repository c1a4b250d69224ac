package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/evidence"
	"github.com/kamal-backup/kamal-backup/repo"
)

// wantObjectives checks the overall verdict, each objective's verdict
// (rpo, rto, drill_max_age, check_max_age, in that order) and that every
// reason starts with one of reasons, in order.
func wantObjectives(t *testing.T, what string, doc *evidence.Document, overall string, verdicts [4]string, reasons ...string) {
	t.Helper()
	o := doc.Objectives
	got := [4]string{o.RPO.Verdict, o.RTO.Verdict, o.DrillMaxAge.Verdict, o.CheckMaxAge.Verdict}
	if o.Verdict != overall || got != verdicts {
		t.Errorf("%s: verdict %s, objectives %v; want %s, %v\nreasons: %q", what, o.Verdict, got, overall, verdicts, o.Reasons)
	}
	if len(o.Reasons) != len(reasons) {
		t.Errorf("%s: reasons %q, want %d starting %q", what, o.Reasons, len(reasons), reasons)
		return
	}
	for i, r := range reasons {
		if !strings.HasPrefix(o.Reasons[i], r) {
			t.Errorf("%s: reason %d is %q, want it to start %q", what, i, o.Reasons[i], r)
		}
	}
}

// wantHistory checks the history fact of doc: entries, mirrored, head
// and verified.
func wantHistory(t *testing.T, what string, doc *evidence.Document, entries int) {
	t.Helper()
	h := doc.History.Value
	if h == nil {
		t.Fatalf("%s: no history: %s", what, doc.History.Error)
	}
	if h.Entries != entries || h.Mirrored != entries || h.HeadSeq != int64(entries) || h.HeadHash == nil || len(*h.HeadHash) != 64 ||
		!h.Verified || len(h.Problems) != 0 || len(h.Warnings) != 0 || len(h.Window) != entries {
		t.Errorf("%s: history %+v, want %d entries, all mirrored, verified", what, h, entries)
	}
}

// within reports whether the seconds s are within a minute of d.
func within(s *int64, d time.Duration) bool {
	return s != nil && (time.Duration(*s)*time.Second-d).Abs() <= time.Minute
}

// historyPath is the app's local history.
func (a *e2eApp) historyPath() string { return filepath.Join(a.dir, "state", kbackup.HistoryFile) }

// historyLines returns the local history's lines, with their newlines.
func (a *e2eApp) historyLines(t *testing.T) [][]byte {
	t.Helper()
	data, err := os.ReadFile(a.historyPath())
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(data, []byte("\n"))
}

// writeHistory replaces the local history with lines.
func (a *e2eApp) writeHistory(t *testing.T, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(a.historyPath(), bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

// forgetMirror forgets the snapshots mirroring the entries seqs, as
// someone with the repository's password could.
func (a *e2eApp) forgetMirror(t *testing.T, seqs ...int64) {
	t.Helper()
	r := a.open(t)
	var ids []repo.ID
	for _, seq := range seqs {
		snaps, err := r.Snapshots(t.Context(), repo.Filter{Tags: [][]string{kbackup.HistoryTags(a.cfg.App, seq)}})
		if err != nil || len(snaps) != 1 {
			t.Fatalf("mirror of entry %d: %d snapshots, %v", seq, len(snaps), err)
		}
		ids = append(ids, snaps[0].ID())
	}
	if err := r.Forget(t.Context(), ids); err != nil {
		t.Fatal(err)
	}
}

// rewriteHistory forges a consistent chain from the local history: the
// entries from seq on are renumbered and relinked to follow the entry
// before them, their hashes recomputed, and the mirror snapshots of seq
// and later replaced by mirrors of the forged entries. Only a signed
// document's anchors can tell.
func (a *e2eApp) rewriteHistory(t *testing.T, seq int64, oldMirrors ...int64) {
	t.Helper()
	var entries []kbackup.HistoryEntry
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	for _, line := range a.historyLines(t) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e kbackup.HistoryEntry
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		if n := len(entries); n > 0 && e.Seq >= seq {
			e.Seq, e.Prev = entries[n-1].Seq+1, entries[n-1].Hash
			var err error
			if e.Hash, err = e.ComputeHash(); err != nil {
				t.Fatal(err)
			}
		}
		entries = append(entries, e)
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(a.historyPath(), out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	a.forgetMirror(t, oldMirrors...)
	r := a.open(t)
	lock, ctx, err := r.Lock(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	if n, err := kbackup.MirrorHistory(ctx, r, a.cfg.App, a.cfg.Hostname(), entries); err != nil || n != len(entries)-int(seq)+1 {
		t.Fatalf("mirror the forged entries: %d written, %v", n, err)
	}
}

// runHistory runs "evidence history" and "evidence verify FILE --pubkey
// PUB --history" and returns their results.
func (a *e2eApp) runHistory(t *testing.T, at time.Time, file, pub string) (history, verify result) {
	t.Helper()
	history = runEvidenceAt(t, a.env, at, "history", "--config", a.config)
	verify = runEvidenceAt(t, a.env, at, "verify", file, "--pubkey", pub, "--history", "-c", a.config)
	return history, verify
}

// seqLine returns the index of entry seq among lines.
func seqLine(t *testing.T, lines [][]byte, seq int64) int {
	t.Helper()
	prefix := []byte(`{"seq":` + strconv.FormatInt(seq, 10) + `,`)
	for i, l := range lines {
		if bytes.HasPrefix(l, prefix) {
			return i
		}
	}
	t.Fatalf("no entry %d in the history", seq)
	return -1
}
