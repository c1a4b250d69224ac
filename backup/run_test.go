package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBackupWritesRubyCompatibleSnapshots(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{paths: true})
	rec, err := f.runner.Backup(t.Context(), BackupOptions{})
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if rec.Status != StatusOK || rec.Kind != KindBackupResult || rec.SchemaVersion != 1 {
		t.Fatalf("record: status %q kind %q version %d", rec.Status, rec.Kind, rec.SchemaVersion)
	}
	if got := len(rec.Databases); got != 2 || rec.Files == nil {
		t.Fatalf("record has %d databases and files %v, want 2 and a file snapshot", got, rec.Files)
	}

	// What restic sees: one snapshot per database, named and tagged as
	// the Ruby kamal-backup does, with the host and time of the run.
	dbs := f.resticSnapshots(t, "type:database")
	if len(dbs) != 2 {
		t.Fatalf("restic finds %d database snapshots, want 2", len(dbs))
	}
	for _, name := range []string{"app", "queue"} {
		i := slices.IndexFunc(dbs, func(s resticSnapshot) bool { return slices.Contains(s.Tags, "database:"+name) })
		if i < 0 {
			t.Fatalf("no snapshot of database %s", name)
		}
		s := dbs[i]
		want := resticSnapshot{ID: s.ID, Time: runT0, Hostname: "shop-backup",
			Paths: []string{"/databases/shop/" + name + "/postgres.pgdump"}, Tags: DatabaseTags("shop", name, "postgres")}
		if diff := cmp.Diff(want, s, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("snapshot of %s (-want +got):\n%s", name, diff)
		}
		got := f.restic(t, "dump", "--tag", "database:"+name, "latest", "/databases/shop/"+name+"/postgres.pgdump")
		if string(got) != string(stubDump(name, 1)) {
			t.Errorf("restic dump of %s returned %d bytes, not the dump", name, len(got))
		}
	}

	files := f.resticSnapshots(t, "type:files")
	if len(files) != 1 {
		t.Fatalf("restic finds %d file snapshots, want 1", len(files))
	}
	if diff := cmp.Diff(FileTags("shop", []string{f.dataDir}), files[0].Tags); diff != "" {
		t.Errorf("file snapshot tags (-want +got):\n%s", diff)
	}
	if files[0].Hostname != "shop-backup" {
		t.Errorf("file snapshot host %q", files[0].Hostname)
	}
	ls := string(f.restic(t, "ls", "latest", "--tag", "type:files"))
	if !strings.Contains(ls, filepath.Join(f.dataDir, "uploads", "a.txt")) || strings.Contains(ls, "skip.tmp") {
		t.Errorf("file snapshot listing lacks a.txt or has the excluded skip.tmp:\n%s", ls)
	}

	// The record on disk: the returned record, with its per-source detail.
	raw := f.readRecord(t, LastBackupRecord)
	var stored BackupReport
	if found, err := f.cfg.StateDir().ReadRecord(LastBackupRecord, &stored); !found || err != nil {
		t.Fatalf("read record: %v %v", found, err)
	}
	if diff := cmp.Diff(*rec, stored); diff != "" {
		t.Errorf("stored record differs from the returned one (-returned +stored):\n%s", diff)
	}
	if len(stored.Sources) != 3 || stored.Sources[2].Type != SourceFiles {
		t.Errorf("stored sources: %+v", stored.Sources)
	}
	for _, s := range stored.Sources {
		if s.Status != StatusOK || len(s.Snapshot) != 64 || s.Bytes == 0 {
			t.Errorf("source %+v", s)
		}
	}
	if fi, err := os.Stat(filepath.Join(f.stateDir, LastBackupRecord)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("record file: %v %v", fi, err)
	}
	noRunSecret(t, raw)
	if n := len(f.lockFiles(t)); n != 0 {
		t.Errorf("%d lock files left", n)
	}
}

func TestBackupNotDueThenForce(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	if _, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	rec, err := f.runner.Backup(t.Context(), BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != StatusSkipped || rec.Reason != ReasonNotDue {
		t.Fatalf("status %q reason %q, want skipped not_due", rec.Status, rec.Reason)
	}
	if rec.LastBackupAt == nil || !rec.LastBackupAt.Equal(runT0) || rec.NextBackupAt == nil || !rec.NextBackupAt.Equal(runT0.Add(24*time.Hour)) {
		t.Errorf("last %v next %v, want %v and a day later", rec.LastBackupAt, rec.NextBackupAt, runT0)
	}
	if rec.ForceCommand != "kamal-backup backup --force" {
		t.Errorf("force command %q", rec.ForceCommand)
	}
	if n := f.adapter.count("app"); n != 1 {
		t.Errorf("%d dumps, want 1: a skipped run must not dump", n)
	}
	// The skipped run left the record of the real one.
	var stored BackupRecord
	if _, err := f.cfg.StateDir().ReadRecord(LastBackupRecord, &stored); err != nil || stored.Status != StatusOK {
		t.Errorf("stored record %q %v, want the ok run's", stored.Status, err)
	}

	rec, err = f.runner.Backup(t.Context(), BackupOptions{Force: true})
	if err != nil || rec.Status != StatusOK {
		t.Fatalf("forced backup: %v %v", rec.Status, err)
	}
	if n := len(f.snapshots(t, "database:app")); n != 2 {
		t.Errorf("%d snapshots of app after --force, want 2", n)
	}

	// A day after the forced run it is due again.
	f.clock.Advance(24 * time.Hour)
	if rec, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil || rec.Status != StatusOK {
		t.Fatalf("due backup: %v %v", rec.Status, err)
	}
}

func TestBackupDisabled(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{disabled: true})
	for _, force := range []bool{false, true} {
		rec, err := f.runner.Backup(t.Context(), BackupOptions{Force: force})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != StatusSkipped || rec.Reason != ReasonDisabled {
			t.Errorf("force=%v: status %q reason %q, want skipped disabled", force, rec.Status, rec.Reason)
		}
	}
	if n := f.adapter.count("app"); n != 0 {
		t.Errorf("%d dumps while disabled", n)
	}
	if n := len(f.snapshots(t)); n != 0 {
		t.Errorf("%d snapshots while disabled", n)
	}
	if _, err := os.Stat(filepath.Join(f.stateDir, LastBackupRecord)); !os.IsNotExist(err) {
		t.Errorf("a disabled run wrote a record: %v", err)
	}
}

func TestBackupFailingDump(t *testing.T) {
	tests := []struct {
		name string
		set  func(a *stubAdapter)
	}{
		{"mid-stream", func(a *stubAdapter) {
			a.setFail("app", errors.New("pg_dump: connection to postgres://shop:"+runDBPassword+"@app-db/shop lost"))
		}},
		{"exit status at close", func(a *stubAdapter) {
			a.setFailAtClose("app", errors.New("pg_dump exited with status 1 (password "+runDBPassword+")"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRunFixture(t, fixtureOptions{forget: true, paths: true})
			tt.set(f.adapter)
			rep, err := f.runner.BackupWithReport(t.Context(), BackupOptions{})
			if err == nil {
				t.Fatal("Backup succeeded with a failing dump")
			}
			var se *SourceError
			if !errors.As(err, &se) || se.Database != "app" {
				t.Fatalf("error %v is not a SourceError of database app", err)
			}
			if !strings.Contains(err.Error(), "database app") {
				t.Errorf("error %q does not name the database", err)
			}
			if rep.Status != StatusFailed || !strings.Contains(rep.Error, "database app") {
				t.Errorf("record status %q error %q", rep.Status, rep.Error)
			}
			if len(f.snapshots(t, "database:app")) != 0 {
				t.Error("a snapshot of the failed database was written")
			}
			if len(f.snapshots(t, "database:queue")) != 1 || len(f.snapshots(t, "type:files")) != 1 {
				t.Error("the other sources were not backed up")
			}
			if len(rep.Databases) != 1 || rep.Databases[0].Database != "queue" || rep.Files == nil {
				t.Errorf("record lists %+v and files %v", rep.Databases, rep.Files)
			}
			if rep.Sources[0].Status != StatusFailed || rep.Sources[0].Snapshot != "" || rep.Sources[1].Status != StatusOK {
				t.Errorf("sources %+v", rep.Sources)
			}
			i := slices.IndexFunc(rep.Steps, func(s StepResult) bool { return s.Name == StepRetention })
			if i < 0 || rep.Steps[i].Status != StatusSkipped {
				t.Errorf("retention step %+v, want skipped after a failure", rep.Steps)
			}
			noRunSecret(t, err.Error(), f.readRecord(t, LastBackupRecord))
			if n := len(f.lockFiles(t)); n != 0 {
				t.Errorf("%d lock files left", n)
			}
			// A failed run is retried without --force.
			f.adapter.setFail("app", nil)
			f.adapter.setFailAtClose("app", nil)
			f.clock.Advance(time.Minute)
			if rec, err := f.runner.Backup(t.Context(), BackupOptions{}); err != nil || rec.Status != StatusOK {
				t.Fatalf("retry after a failure: %v %v", rec.Status, err)
			}
		})
	}
}

func TestBackupUnknownAdapter(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	f.runner.Adapters = Registry{}
	_, err := f.runner.Backup(t.Context(), BackupOptions{})
	var se *SourceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "unknown database adapter") {
		t.Fatalf("error %v", err)
	}
}
