package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/evidence"
)

// Verdicts, short.
const (
	vPass = evidence.VerdictPass
	vFail = evidence.VerdictFail
)

// TestEvidenceEndToEnd runs ten simulated days of a SQLite app on an
// injected clock through the library (backups, checks, drills) and
// reads what they left through the CLI (evidence, its signature, the
// history): each failure shows in the verdicts and the history, and
// every way of editing or deleting history entries is detected.
func TestEvidenceEndToEnd(t *testing.T) {
	t.Parallel()
	a := newE2EApp(t)

	// Days 1 to 5: a backup a day, a check on day 3, a drill on day 4.
	for d := 1; d <= 5; d++ {
		a.backup(t, d)
		switch d {
		case 3:
			rec, err := a.check(t, a.day(3).Add(time.Hour))
			if err != nil || rec.Status != kbackup.StatusOK || rec.Result == nil || rec.Result.PacksRead == 0 {
				t.Fatalf("day 3: check %+v: %v", rec, err)
			}
		case 4:
			rec, err := a.drill(t, a.day(4).Add(2*time.Hour), a.adapter)
			if err != nil || rec.Status != kbackup.StatusOK || len(rec.DataVerification) != 1 {
				t.Fatalf("day 4: drill %+v: %v", rec, err)
			}
			if v := rec.DataVerification[0]; v.Status != kbackup.StatusOK || !v.Exact || v.TablesChecked != 2 || v.RowsChecked != 9 {
				t.Errorf("day 4: data verification %+v, want 2 tables and 9 rows verified", v)
			}
		}
	}
	doc := a.evidence(t, a.day(5).Add(4*time.Hour))
	wantObjectives(t, "day 5", doc, vPass, [4]string{vPass, vPass, vPass, vPass},
		"rpo: largest gap between backups of database:app was ", "rto: the last restore drill (", "drill_max_age: the last restore drill succeeded ",
		"check_max_age: the last check succeeded 2d ")
	src := doc.BackupHistory.Value.Sources[0]
	if src.Backups != 5 || src.Snapshots != 5 || src.LargestGap == nil || src.LargestGap.Open ||
		!within(&src.LargestGap.Seconds, 24*time.Hour) || src.IntervalsExpected != 5 || src.IntervalsWithBackup != 5 {
		t.Errorf("day 5: backup history %+v, gap %+v; want 5 backups, 24h apart, in 5 of 5 intervals", src, src.LargestGap)
	}
	wantHistory(t, "day 5", doc, 7) // 5 backups, a check, a drill
	var drill kbackup.DrillRecord
	if err := json.Unmarshal(*doc.LastRestoreDrill.Value, &drill); err != nil || drill.Status != kbackup.StatusOK ||
		drill.DataVerification[0].Status != kbackup.StatusOK || !drill.FinishedAt.After(a.day(4)) {
		t.Errorf("day 5: last drill %+v (%v)", drill, err)
	}

	// Days 6 and 7 are missed: on day 8 before the backup the RPO fails
	// on the open gap, after it on the 72h gap the backup closed.
	doc = a.evidence(t, a.day(8).Add(-time.Hour))
	wantObjectives(t, "day 8 before the backup", doc, vFail, [4]string{vFail, vPass, vPass, vPass}, "rpo: no backup of database:app for 2d 2")
	if !within(doc.Objectives.RPO.ActualSeconds, 71*time.Hour) || !strings.Contains(doc.Objectives.RPO.Reason, "more than 26h") {
		t.Errorf("day 8: rpo %+v, want 71h against 26h", doc.Objectives.RPO)
	}
	a.backup(t, 8)
	doc = a.evidence(t, a.day(8).Add(time.Hour))
	wantObjectives(t, "day 8 after the backup", doc, vFail, [4]string{vFail, vPass, vPass, vPass},
		"rpo: largest gap between backups of database:app was 3d (2026-03-06 03:00 UTC to 2026-03-09 03:00 UTC), more than 26h")
	src = doc.BackupHistory.Value.Sources[0]
	if g := src.LargestGap; g == nil || g.Open || !within(&g.Seconds, 72*time.Hour) || g.From.Sub(a.day(5)).Abs() > time.Minute ||
		g.To.Sub(a.day(8)).Abs() > time.Minute || src.Backups != 6 || src.IntervalsExpected != 8 || src.IntervalsWithBackup != 6 {
		t.Errorf("day 8: backup history %+v, gap %+v; want the 72h gap from day 5 to day 8, 6 of 8 intervals", src, src.LargestGap)
	}
	if !within(doc.Objectives.RPO.ActualSeconds, 72*time.Hour) {
		t.Errorf("day 8: achieved rpo %v, want 72h", doc.Objectives.RPO.ActualSeconds)
	}
	wantHistory(t, "day 8", doc, 8)

	// Day 9: a row disappears from the restored database before the
	// drill verifies it.
	a.backup(t, 9)
	tamper := &tamperAdapter{Adapter: a.adapter, after: func() { a.sql(t, a.scratch, "DELETE FROM items WHERE id = 3;") }}
	rec, err := a.drill(t, a.day(9).Add(2*time.Hour), tamper)
	if !errors.Is(err, kbackup.ErrDataMismatch) || rec.Status != kbackup.StatusFailed || rec.Error == nil || !strings.Contains(*rec.Error, "table items:") {
		t.Fatalf("day 9: tampered drill %+v: %v", rec, err)
	}
	if v := rec.DataVerification[0]; v.Status != kbackup.StatusFailed || len(v.Mismatches) != 1 || v.Mismatches[0].Table != "items" ||
		*v.Mismatches[0].Expected != 14 || *v.Mismatches[0].Actual != 13 {
		t.Errorf("day 9: data verification %+v", v)
	}
	doc = a.evidence(t, a.day(9).Add(3*time.Hour))
	wantObjectives(t, "day 9", doc, vFail, [4]string{vFail, vFail, vFail, vPass}, "rpo: largest gap between backups of database:app was 3d",
		"rto: the last restore drill (2026-03-10 05:00 UTC) failed", `drill_max_age: the last restore drill (2026-03-10 05:00 UTC) did not succeed (status "failed")`)
	if err := json.Unmarshal(*doc.LastRestoreDrill.Value, &drill); err != nil || drill.Status != kbackup.StatusFailed ||
		drill.DataVerification[0].Status != kbackup.StatusFailed || drill.DataVerification[0].Mismatches[0].Table != "items" {
		t.Errorf("day 9: last drill %+v (%v)", drill, err)
	}
	wantHistory(t, "day 9", doc, 10)
	if last := doc.History.Value.Window[9]; last.Kind != kbackup.KindDrillResult || last.Status != kbackup.StatusFailed {
		t.Errorf("day 9: newest history entry %+v, want the failed drill", last)
	}

	// Day 10: a damaged pack fails the check; the pack is then put back.
	a.backup(t, 10)
	pack := largestPack(t, filepath.Join(a.dir, "repo"))
	good, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 0x10
	writeFile(t, pack, bad)
	check, err := a.check(t, a.day(10).Add(time.Hour))
	if !errors.Is(err, kbackup.ErrRepositoryDamaged) || check.Status != kbackup.StatusFailed || check.Errors == 0 ||
		!strings.Contains(check.Output, "The repository is damaged") {
		t.Fatalf("day 10: check of a damaged pack %+v: %v", check, err)
	}
	writeFile(t, pack, good)
	at := a.day(10).Add(2 * time.Hour)
	doc = a.evidence(t, at)
	wantObjectives(t, "day 10", doc, vFail, [4]string{vFail, vFail, vFail, vFail}, "rpo: ", "rto: ", "drill_max_age: ",
		`check_max_age: the last check (2026-03-11 04:00 UTC) did not succeed (status "failed")`)
	wantHistory(t, "day 10", doc, 12)
	if last := doc.History.Value.Window[11]; last.Kind != kbackup.KindCheckResult || last.Status != kbackup.StatusFailed {
		t.Errorf("day 10: newest history entry %+v, want the failed check", last)
	}
	md := runEvidenceAt(t, a.env, at, "--config", a.config, "--format", "markdown")
	wantContains(t, "day 10: Markdown", md.stdout, "## History of runs",
		"12 entries from 2026-03-02 03:00 UTC to 2026-03-11 04:00 UTC, 12 of them mirrored in the repository. Its head is entry 12, hash `"+
			(*doc.History.Value.HeadHash)[:12]+"`.",
		"Over the last 30d: 8 backups, 2 checks (1 failed) and 2 restore drills (1 failed).", "**Verified**: every entry matches its hash")

	signedHistory(t, a, at)
}

// signedHistory signs the evidence of day 10 and edits or deletes
// history entries in every way: "evidence history" and "evidence verify
// --history" detect each, and a chain rewritten to be consistent again
// is caught by the signed anchors alone.
func signedHistory(t *testing.T, a *e2eApp, at time.Time) {
	prefix, id := keygen(t, a.dir, "signing")
	file, pub := filepath.Join(a.dir, "evidence.json"), prefix+".pub"
	if res := runEvidenceAt(t, a.env, at, "--config", a.config, "--output", file, "--sign", prefix+".key"); res.code != 0 {
		t.Fatalf("evidence --sign: exit %d: %s", res.code, res.stderr)
	}
	history, verify := a.runHistory(t, at, file, pub)
	want := "history OK: the 12 entries the evidence anchors are unchanged\nsignature OK: key " + id +
		", generated_at 2026-03-11T05:00:00Z, verdict fail\n"
	if history.code != 0 || verify.code != 0 || verify.stdout != want {
		t.Fatalf("intact: history exit %d, verify exit %d %q\n%s%s", history.code, verify.code, verify.stdout, history.stderr, verify.stderr)
	}
	wantContains(t, "evidence history", history.stdout, "12 entries, head 12 (", "verified: the chain is intact", "drill   failed", "local+repo")
	var signed evidence.Document
	if data, err := os.ReadFile(file); err != nil || json.Unmarshal(data, &signed) != nil {
		t.Fatalf("read the signed evidence: %v", err)
	}
	w := signed.History.Value.Window
	orig := a.historyLines(t)
	broken := func(step string, history, verify result, inHistory, inVerify []string) {
		t.Helper()
		if history.code != exitError || !strings.Contains(history.stdout, "NOT verified") {
			t.Errorf("%s: evidence history exit %d\n%s%s", step, history.code, history.stdout, history.stderr)
		}
		if verify.code != exitError || !strings.Contains(verify.stderr, "the signature holds but the history changed since") {
			t.Errorf("%s: evidence verify --history exit %d\n%s%s", step, verify.code, verify.stdout, verify.stderr)
		}
		wantContains(t, step+": evidence history", history.stderr, inHistory...)
		wantContains(t, step+": evidence verify --history", verify.stderr, inVerify...)
	}

	// The failed drill's entry made to say ok.
	lines := slicesClone(orig)
	i := seqLine(t, lines, 10)
	lines[i] = bytes.Replace(lines[i], []byte(`"status":"failed"`), []byte(`"status":"ok"`), 1)
	a.writeHistory(t, lines)
	history, verify = a.runHistory(t, at, file, pub)
	edited := []string{"local log: entry 10 (drill_result, 2026-03-10 05:00:", "does not match its hash", "it was edited",
		"entry 10 differs between the local log (drill_result"}
	broken("edited", history, verify, edited, edited)
	doc := a.evidence(t, at)
	if h := doc.History.Value; h.Verified || len(h.Problems) == 0 || doc.Objectives.Verdict != vFail ||
		!strings.HasPrefix(doc.Objectives.Reasons[len(doc.Objectives.Reasons)-1], "history: the hash-chained history of runs was edited, shortened or damaged: local log: entry 10") {
		t.Errorf("edited: evidence history %+v, reasons %q", h, doc.Objectives.Reasons)
	}
	a.writeHistory(t, orig)

	// The failed check, the newest entry, deleted locally: its mirror
	// tells.
	lines = slicesClone(orig)
	i = seqLine(t, lines, 12)
	a.writeHistory(t, append(lines[:i:i], lines[i+1:]...))
	history, verify = a.runHistory(t, at, file, pub)
	deleted := []string{"local log: entry 12 is in the repository but not in the local log: deleted locally"}
	broken("last deleted", history, verify, deleted, deleted)
	a.writeHistory(t, orig)

	// The failed drill deleted from the local log and from the
	// repository.
	lines = slicesClone(orig)
	i = seqLine(t, lines, 10)
	a.writeHistory(t, append(lines[:i:i], lines[i+1:]...))
	a.forgetMirror(t, 10)
	history, verify = a.runHistory(t, at, file, pub)
	gap := []string{"local log: entry 10 is missing: entry 11 follows entry 9", "repository: entry 10 is missing: entry 11 follows entry 9"}
	broken("middle deleted everywhere", history, verify, gap,
		append(gap, "entry 10 (hash "+w[9].Hash[:12]+"), which the document records, is no longer in the history: it was deleted"))

	// The chain rewritten after that deletion, in both copies, to be
	// consistent again: only the signed evidence tells.
	a.rewriteHistory(t, 10, 11, 12)
	history, verify = a.runHistory(t, at, file, pub)
	if history.code != 0 || !strings.Contains(history.stdout, "11 entries, head 11 (") {
		t.Errorf("rewritten: evidence history exit %d, want a consistent chain\n%s%s", history.code, history.stdout, history.stderr)
	}
	if verify.code != exitError || !strings.Contains(verify.stderr, "the signature holds but the history changed since") {
		t.Errorf("rewritten: evidence verify --history exit %d\n%s%s", verify.code, verify.stdout, verify.stderr)
	}
	wantContains(t, "rewritten: evidence verify --history", verify.stderr,
		"entry 10 has hash ", "the document records "+w[9].Hash[:12]+": it was edited or the history rewritten",
		"entry 11 has hash ", "the document records "+w[10].Hash[:12],
		"entry 12 (hash "+w[11].Hash[:12]+"), which the document records, is no longer in the history: it was deleted")
	if doc := a.evidence(t, at); !doc.History.Value.Verified || doc.History.Value.Entries != 11 {
		t.Errorf("rewritten: unsigned evidence history %+v, want the forged chain verified", doc.History.Value)
	}
}

// slicesClone copies lines, each line's bytes shared.
func slicesClone(lines [][]byte) [][]byte { return append([][]byte(nil), lines...) }
