package backup

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

// historyT0 is when the first recorded run of these tests finished.
var historyT0 = time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC)

// historyRecord is the n-th record appended by these tests: a check
// every third run (3, 6, ...), a backup otherwise.
func historyRecord(n int) any {
	at := historyT0.Add(time.Duration(n) * time.Hour)
	if n%3 == 0 {
		return &CheckRecord{RecordHeader: NewRecordHeader(KindCheckResult), Status: StatusOK, StartedAt: at.Add(-time.Minute), FinishedAt: at}
	}
	return &BackupRecord{RecordHeader: NewRecordHeader(KindBackupResult), Status: StatusOK, StartedAt: at.Add(-time.Minute),
		FinishedAt: at, Databases: []DatabaseSnapshot{}, Sources: []SourceResult{}}
}

// appendN appends records 1 to n to sd's history.
func appendN(t testing.TB, sd StateDir, n int) []HistoryEntry {
	t.Helper()
	var out []HistoryEntry
	for i := 1; i <= n; i++ {
		e, err := sd.AppendHistory(historyRecord(i), HistoryAppendOptions{})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		out = append(out, e)
	}
	return out
}

// memRepo returns a new repository in memory.
func memRepo(t testing.TB) *repo.Repository {
	t.Helper()
	r, err := repo.Init(t.Context(), mem.New(), "history-test-pw", repo.InitOptions{KDF: runTestKDF})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mirror mirrors sd's history into r for app "shop".
func mirror(t testing.TB, sd StateDir, r *repo.Repository) int {
	t.Helper()
	log, err := sd.ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	n, err := MirrorHistory(t.Context(), r, "shop", "shop-backup", log.Entries)
	if err != nil {
		t.Fatalf("MirrorHistory: %v", err)
	}
	return n
}

// historyLines returns the lines of sd's history file.
func historyLines(t testing.TB, sd StateDir) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sd.Path, HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(data, []byte("\n"))
}

// writeHistory replaces sd's history file with lines.
func writeHistory(t testing.TB, sd StateDir, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(sd.Path, HistoryFile), bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

// issueCodes returns the codes of issues.
func issueCodes(issues []HistoryIssue) []string {
	var out []string
	for _, i := range issues {
		out = append(out, i.Code)
	}
	return out
}

func TestHistoryAppendChains(t *testing.T) {
	red := &redact.Redactor{}
	red.Add("hist-secret-4471")
	sd := StateDir{Path: filepath.Join(t.TempDir(), "state"), Redactor: red}
	entries := appendN(t, sd, 4)
	rec := &BackupRecord{RecordHeader: NewRecordHeader(KindBackupResult), Status: StatusFailed,
		Error: "dump failed: password hist-secret-4471 refused <&>", FinishedAt: historyT0.Add(9 * time.Hour)}
	e5, err := sd.AppendHistory(rec, HistoryAppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	entries = append(entries, e5)
	log, err := sd.ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Entries) != 5 || len(log.Bad) != 0 {
		t.Fatalf("read %d entries, bad lines %+v", len(log.Entries), log.Bad)
	}
	for i, e := range log.Entries {
		if e.Seq != int64(i+1) || e.Hash != entries[i].Hash {
			t.Errorf("entry %d: seq %d hash %s, appended %s", i, e.Seq, e.Hash, entries[i].Hash)
		}
		if i == 0 && e.Prev != "" || i > 0 && e.Prev != log.Entries[i-1].Hash {
			t.Errorf("entry %d: prev %q", e.Seq, e.Prev)
		}
	}
	if issues := VerifyChain("local log", log.Entries); len(issues) != 0 {
		t.Errorf("VerifyChain: %v", issues)
	}
	if e := log.Entries[2]; e.Kind != KindCheckResult || e.Status != StatusOK || !e.Time.Equal(historyT0.Add(3*time.Hour)) {
		t.Errorf("entry 3: %s %s %v", e.Kind, e.Status, e.Time)
	}
	if e5.Status != StatusFailed || !strings.Contains(string(e5.Record), "[REDACTED]") {
		t.Errorf("entry 5: status %s, record %s", e5.Status, e5.Record)
	}
	lines := historyLines(t, sd)
	raw := lines[4]
	if bytes.Contains(raw, []byte("hist-secret-4471")) {
		t.Errorf("the secret is in the history: %s", raw)
	}
	// The documented canonical form: the line without its hash field.
	canon, _ := e5.CanonicalJSON()
	want := string(canon[:len(canon)-1]) + `,"hash":"` + e5.Hash + `"}` + "\n"
	if string(raw) != want {
		t.Errorf("line 5 is not the canonical form plus the hash:\n%s\n%s", raw, want)
	}
	fi, err := os.Stat(filepath.Join(sd.Path, HistoryFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v %v", fi.Mode(), err)
	}
}

func TestHistoryRecordWithoutKindRefused(t *testing.T) {
	sd := StateDir{Path: t.TempDir()}
	if _, err := sd.AppendHistory(map[string]string{"status": "ok"}, HistoryAppendOptions{}); err == nil {
		t.Error("a record without kind was appended")
	}
}

func TestHistoryConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	const writers, each = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sd := StateDir{Path: dir} // a separate value, as another process has
			for i := range each {
				if _, err := sd.AppendHistory(historyRecord(w*each+i), HistoryAppendOptions{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	log, err := StateDir{Path: dir}.ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Entries) != writers*each || len(log.Bad) != 0 {
		t.Fatalf("%d entries, %d bad lines; want %d, 0", len(log.Entries), len(log.Bad), writers*each)
	}
	if issues := VerifyChain("local log", log.Entries); len(issues) != 0 {
		t.Errorf("the chain of concurrent appends is broken: %v", issues)
	}
}

func TestHistoryReadMissing(t *testing.T) {
	log, err := StateDir{Path: filepath.Join(t.TempDir(), "none")}.ReadHistory()
	if err != nil || !log.Empty() {
		t.Errorf("ReadHistory of a missing directory: %+v, %v", log, err)
	}
	rep, err := VerifyHistory(context.Background(), StateDir{Path: t.TempDir()}, nil, "shop", VerifyHistoryOptions{})
	if err != nil || !rep.OK() || len(rep.Items) != 0 || rep.Head != nil {
		t.Errorf("VerifyHistory of no history: %+v, %v", rep, err)
	}
}
