package backup_test

import (
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// TestHistoryOfDrills records a production drill in the production
// history, mirrored into the repository, and a local drill in the local
// history only.
func TestHistoryOfDrills(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	prod := backup.DrillOptions{Mode: backup.ModeProduction, Database: "shop_drill", FilesDir: filepath.Join(f.dir, "drill-files"),
		Env: env{"USER": "deploy"}.lookup, Confirm: backup.Confirmation{Yes: true}}
	if _, err := r.Drill(t.Context(), prod); err != nil {
		t.Fatalf("production drill: %v", err)
	}
	if _, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeLocal, Env: env{"USER": "alice"}.lookup,
		Confirm: backup.Confirmation{Yes: true}}); err != nil {
		t.Fatalf("local drill: %v", err)
	}
	rep, err := backup.VerifyHistory(t.Context(), backup.StateDir{Path: f.stateDir}, f.repo, "shop", backup.VerifyHistoryOptions{})
	if err != nil || !rep.OK() || len(rep.Warnings) != 0 || len(rep.Items) != 1 || rep.Items[0].Kind != backup.KindDrillResult || !rep.Items[0].Mirrored {
		t.Errorf("production history: items %+v, problems %v, warnings %v, %v", rep.Items, rep.Problems, rep.Warnings, err)
	}
	local, err := backup.StateDir{Path: f.localState}.ReadHistory()
	if err != nil || len(local.Entries) != 1 || local.Entries[0].Kind != backup.KindDrillResult {
		t.Errorf("local history: %+v, %v", local, err)
	}
	snaps, err := f.repo.Snapshots(t.Context(), repo.Filter{Tags: [][]string{{"type:evidence"}}})
	if err != nil || len(snaps) != 1 {
		t.Errorf("%d mirror snapshots, want 1 (the production drill's): %v", len(snaps), err)
	}
}
