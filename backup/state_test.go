package backup

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/redact"
)

// listDir returns the names in dir.
func listDir(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestStateRecordRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "nested")
	sd := StateDir{Path: dir}
	var missing BackupRecord
	if found, err := sd.ReadRecord(LastBackupRecord, &missing); found || err != nil {
		t.Fatalf("ReadRecord of a missing record: %v, %v", found, err)
	}
	start := time.Date(2026, 11, 27, 14, 11, 55, 0, time.UTC)
	op := "deploy"
	out := "restored 3 tables"
	records := map[string]any{
		LastBackupRecord: &BackupRecord{
			RecordHeader: NewRecordHeader(KindBackupResult), Status: StatusOK, StartedAt: start, FinishedAt: start.Add(7 * time.Second),
			Databases: []DatabaseSnapshot{{Snapshot: "196597b7", Time: start, Database: "app", Adapter: "sqlite", Tags: DatabaseTags("peerapp", "app", "sqlite")}},
			Files:     &FileSnapshot{Snapshot: "81da6886", Time: start, Paths: []string{"/srv/storage"}},
		},
		LastCheckRecord: &CheckRecord{
			RecordHeader: NewRecordHeader(KindCheckResult), Status: StatusOK, StartedAt: start, FinishedAt: start.Add(time.Second),
			ReadDataSubset: "5%", Output: "no errors were found\n",
		},
		LastDrillRecord: &DrillRecord{
			RecordHeader: NewRecordHeader(KindDrillResult), Status: StatusOK, Scope: "production", Operator: &op, RequestedSnapshot: "latest",
			StartedAt: start, FinishedAt: start.Add(3 * time.Second),
			Databases: []DrillDatabase{{Snapshot: "196597b7", Adapter: "sqlite", Filename: "/databases/peerapp/app/sqlite.sqlite3", Target: "/srv/scratch.sqlite3"}},
			Files:     &DrillFiles{Snapshot: "81da6886", Target: "/srv/restore"},
			Check:     &DrillCheck{Status: StatusOK, Command: "test -f /srv/scratch.sqlite3", Output: &out},
			Phases:    []DrillPhase{{Name: "restore databases", StartedAt: start, FinishedAt: start.Add(time.Second)}},
		},
	}
	for name, rec := range records {
		if err := sd.WriteRecord(name, rec); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
		got := cloneEmpty(rec)
		if found, err := sd.ReadRecord(name, got); !found || err != nil {
			t.Fatalf("ReadRecord(%s): %v, %v", name, found, err)
		}
		if diff := cmp.Diff(rec, got); diff != "" {
			t.Errorf("%s round trip (-wrote +read):\n%s", name, diff)
		}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("state directory has mode %v, want 0700", fi.Mode().Perm())
	}
	if got, want := listDir(t, dir), []string{LastBackupRecord, LastCheckRecord, LastDrillRecord}; !cmp.Equal(got, want) {
		t.Errorf("state directory holds %q, want %q", got, want)
	}
}

// cloneEmpty returns a new zero value of the type rec points to.
func cloneEmpty(rec any) any {
	switch rec.(type) {
	case *BackupRecord:
		return &BackupRecord{}
	case *CheckRecord:
		return &CheckRecord{}
	case *DrillRecord:
		return &DrillRecord{}
	}
	panic(fmt.Sprintf("%T", rec))
}

// TestDrillRecordShape checks the JSON of a drill record against the Ruby
// kamal-backup's (nulls where it writes null).
func TestDrillRecordShape(t *testing.T) {
	rec := DrillRecord{RecordHeader: NewRecordHeader(KindDrillResult), Status: StatusOK, Scope: "production", RequestedSnapshot: "latest",
		Databases: []DrillDatabase{}}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"operator", "error", "files", "check"} {
		if v, ok := m[key]; !ok || v != nil {
			t.Errorf("%s = %v, present %v; want null", key, v, ok)
		}
	}
	if m["schema_version"] != 1.0 || m["kind"] != "drill_result" {
		t.Errorf("header %v %v", m["schema_version"], m["kind"])
	}
}

func TestStateRecordErrors(t *testing.T) {
	dir := t.TempDir()
	sd := StateDir{Path: dir}
	for _, name := range []string{"", ".", "..", "../x.json", "a/b.json", ".hidden"} {
		if err := sd.WriteRecord(name, 1); err == nil {
			t.Errorf("WriteRecord(%q) succeeded", name)
		}
		if _, err := sd.ReadRecord(name, new(int)); err == nil {
			t.Errorf("ReadRecord(%q) succeeded", name)
		}
	}
	if err := (StateDir{}).WriteRecord(LastBackupRecord, 1); err == nil {
		t.Error("zero StateDir wrote a record")
	}
	if err := sd.WriteRecord(LastCheckRecord, CheckRecord{Status: "ok"}); err != nil {
		t.Fatal(err)
	}
	if err := sd.WriteRecord(LastCheckRecord, map[string]any{"bad": make(chan int)}); err == nil {
		t.Error("unencodable record written")
	}
	var c CheckRecord
	if found, err := sd.ReadRecord(LastCheckRecord, &c); !found || err != nil || c.Status != "ok" {
		t.Errorf("a failed write changed the old record: %v %v %+v", found, err, c)
	}
	if err := os.WriteFile(filepath.Join(dir, LastDrillRecord), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if found, err := sd.ReadRecord(LastDrillRecord, &DrillRecord{}); !found || err == nil {
		t.Errorf("corrupt record: found %v, err %v", found, err)
	}
	// A record in the way of the rename: the write fails and leaves no
	// temporary file.
	if err := os.Mkdir(filepath.Join(dir, LastBackupRecord), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, LastBackupRecord, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := sd.WriteRecord(LastBackupRecord, BackupRecord{}); err == nil {
		t.Error("write over a non-empty directory succeeded")
	}
	for _, name := range listDir(t, dir) {
		if strings.Contains(name, ".tmp-") {
			t.Errorf("temporary file %s left behind", name)
		}
	}
}

// TestStateRecordConcurrentWriters writes one record from many goroutines
// while others read it: every read sees a whole record, the last write
// wins whole, and no temporary file remains.
func TestStateRecordConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	sd := StateDir{Path: dir}
	type rec struct {
		Writer, Seq int
		Pad         string
	}
	const writers, writes = 8, 25
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var r rec
				if found, err := sd.ReadRecord(LastBackupRecord, &r); err != nil {
					t.Errorf("torn read: %v", err)
					return
				} else if found && len(r.Pad) != 4096 {
					t.Errorf("partial record: %d bytes of padding", len(r.Pad))
					return
				}
			}
		}()
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range writes {
				if err := sd.WriteRecord(LastBackupRecord, rec{Writer: w, Seq: i, Pad: strings.Repeat("x", 4096)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	var last rec
	if found, err := sd.ReadRecord(LastBackupRecord, &last); !found || err != nil || last.Seq != writes-1 {
		t.Errorf("final record %+v, %v, %v", last, found, err)
	}
	if got := listDir(t, dir); len(got) != 1 || got[0] != LastBackupRecord {
		t.Errorf("state directory holds %q", got)
	}
}

// TestStateRecordRedacted checks that a StateDir with a Redactor keeps
// registered secrets out of records and the JSON valid.
func TestStateRecordRedacted(t *testing.T) {
	r := &redact.Redactor{}
	secret := `pa"ss\word-4711`
	r.Add(secret)
	sd := StateDir{Path: t.TempDir(), Redactor: r}
	msg := "pg_restore: connection failed for password " + secret + " and postgres://app:" + secret + "@db/app"
	if err := sd.WriteRecord(LastDrillRecord, DrillRecord{RecordHeader: NewRecordHeader(KindDrillResult), Status: StatusFailed, Error: &msg}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(sd.Path, LastDrillRecord))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) || strings.Contains(string(data), "4711") {
		t.Errorf("record:\n%s", data)
	}
}
