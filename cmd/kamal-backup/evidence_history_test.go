package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// historyApp is an evidence app whose history holds a check, a backup
// and a drill, mirrored into its repository. It returns the history
// file.
func historyApp(t *testing.T) (*evidenceApp, string) {
	t.Helper()
	a := newEvidenceApp(t)
	cfg, err := kbackup.LoadConfig(a.config, func(name string) (string, bool) {
		v, ok := a.env[name]
		return v, ok
	}, kbackup.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at := evidenceNow.Add(-3 * time.Hour)
	errText := "restore failed"
	var entries []kbackup.HistoryEntry
	for _, rec := range []any{
		&kbackup.CheckRecord{RecordHeader: kbackup.NewRecordHeader(kbackup.KindCheckResult), Status: kbackup.StatusOK, FinishedAt: at},
		&kbackup.BackupRecord{RecordHeader: kbackup.NewRecordHeader(kbackup.KindBackupResult), Status: kbackup.StatusOK, FinishedAt: at.Add(time.Hour)},
		&kbackup.DrillRecord{RecordHeader: kbackup.NewRecordHeader(kbackup.KindDrillResult), Status: kbackup.StatusFailed, Error: &errText,
			FinishedAt: at.Add(2 * time.Hour)},
	} {
		e, err := cfg.StateDir().AppendHistory(rec, kbackup.HistoryAppendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if _, err := kbackup.MirrorHistory(t.Context(), a.r, "peerapp", "peerapp-backup", entries); err != nil {
		t.Fatal(err)
	}
	return a, filepath.Join(a.dir, "state", kbackup.HistoryFile)
}

func TestEvidenceHistoryIntact(t *testing.T) {
	t.Parallel()
	a, _ := historyApp(t)
	res := runEvidence(t, a.env, "history", "--config", a.config)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"Seq  Time", "check   ok", "drill   failed", "local+repo", "3 entries, head 3 (", "verified: the chain is intact"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	res = runEvidence(t, a.env, "history", "--config", a.config, "--json")
	var rec struct {
		Kind     string `json:"kind"`
		Verified bool   `json:"verified"`
		Head     struct {
			Seq  int64  `json:"seq"`
			Hash string `json:"hash"`
		} `json:"head"`
		Entries []struct {
			Seq      int64           `json:"seq"`
			Kind     string          `json:"kind"`
			Record   json.RawMessage `json:"record"`
			Mirrored bool            `json:"mirrored"`
		} `json:"entries"`
		Problems []any `json:"problems"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rec); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v:\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	if rec.Kind != "evidence_history" || !rec.Verified || rec.Head.Seq != 3 || len(rec.Head.Hash) != 64 || len(rec.Entries) != 3 ||
		rec.Entries[2].Kind != kbackup.KindDrillResult || !rec.Entries[2].Mirrored || len(rec.Problems) != 0 || len(rec.Entries[0].Record) == 0 {
		t.Errorf("record %+v", rec)
	}
	if locks, _ := os.ReadDir(filepath.Join(a.dir, "repo", "locks")); len(locks) != 0 {
		t.Errorf("%d locks left behind", len(locks))
	}
}

func TestEvidenceHistoryTampered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func(lines [][]byte) [][]byte
		want   []string
	}{
		{"an entry edited", func(lines [][]byte) [][]byte {
			lines[1] = bytes.Replace(lines[1], []byte(`"status":"ok"`), []byte(`"status":"xx"`), 1)
			return lines
		}, []string{"entry 2 (backup_result", "it was edited", "entry 2 differs between the local log"}},
		{"the failed drill deleted", func(lines [][]byte) [][]byte { return lines[:2] },
			[]string{"entry 3 is in the repository but not in the local log: deleted locally"}},
		{"a middle entry deleted", func(lines [][]byte) [][]byte { return append(lines[:1:1], lines[2:]...) },
			[]string{"local log: entry 2 is missing: entry 3 follows entry 1", "entry 2 is in the repository but not in the local log"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, path := historyApp(t)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, bytes.Join(tc.tamper(bytes.SplitAfter(data, []byte("\n"))), nil), 0o600); err != nil {
				t.Fatal(err)
			}
			res := runEvidence(t, a.env, "history", "--config", a.config)
			if res.code != exitError || !strings.Contains(res.stderr, "the history was edited, shortened or damaged") ||
				!strings.Contains(res.stdout, "NOT verified") {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
			res = runEvidence(t, a.env, "history", "--config", a.config, "--json", "--no-lock")
			var rec struct {
				Verified bool `json:"verified"`
				Problems []struct {
					Code string `json:"code"`
				} `json:"problems"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &rec); err != nil || res.code != exitError || rec.Verified || len(rec.Problems) == 0 {
				t.Errorf("--json: exit %d, %+v, %v", res.code, rec, err)
			}
		})
	}
}
