package backup_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/backup"
)

// lastDrill reads the drill record of the state directory dir.
func lastDrill(t testing.TB, dir string) (*backup.DrillRecord, bool) {
	t.Helper()
	var rec backup.DrillRecord
	found, err := backup.StateDir{Path: dir}.ReadRecord(backup.LastDrillRecord, &rec)
	if err != nil {
		t.Fatal(err)
	}
	return &rec, found
}

// phaseNames lists the names of phases.
func phaseNames(ps []backup.DrillPhase) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestDrillProduction(t *testing.T) {
	f := newRestoreFixture(t)
	liveBefore := backup.ReadTestTree(t, f.storage)
	scratch := filepath.Join(f.dir, "restore", "files")
	r := f.restorer(t, backup.RestorerOptions{})
	storageRel := strings.TrimPrefix(f.storage, "/")
	opts := backup.DrillOptions{
		Mode: backup.ModeProduction, Database: "shop_drill", FilesDir: scratch,
		Check: `test "$(cat "$KAMAL_BACKUP_DRILL_FILES/` + storageRel + `/a.txt")" = v1 && echo "checked $KAMAL_BACKUP_DRILL_DATABASE_APP"`,
		Env:   env{"USER": "deploy"}.lookup, Confirm: backup.Confirmation{Yes: true},
	}
	rec, err := r.Drill(t.Context(), opts)
	if err != nil {
		t.Fatalf("Drill: %v (record %+v)", err, rec)
	}
	want := []restored{{Database: "app", URL: "postgres://shop@db.internal:5432/shop_drill", Content: "dump-v1"}}
	if diff := cmp.Diff(want, f.pg.got()); diff != "" {
		t.Errorf("restored (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(liveBefore, backup.ReadTestTree(t, f.storage)); diff != "" {
		t.Errorf("the live storage changed (-before +after):\n%s", diff)
	}
	if got := backup.ReadTestTree(t, filepath.Join(scratch, storageRel)); !cmp.Equal(got, restoredStorage) {
		t.Errorf("scratch files %v", got)
	}
	if rec.Status != backup.StatusOK || rec.Scope != "production" || rec.Operator == nil || *rec.Operator != "deploy" ||
		rec.RequestedSnapshot != "latest" || rec.Error != nil || rec.Kind != backup.KindDrillResult {
		t.Errorf("record %+v", rec)
	}
	wantDB := []backup.DrillDatabase{{Database: "app", Snapshot: f.dbSnap.ID().Str(), Adapter: "postgres", Filename: "/databases/shop/app/postgres.pgdump", Target: "db.internal:5432/shop_drill"}}
	if diff := cmp.Diff(wantDB, rec.Databases); diff != "" {
		t.Errorf("record databases (-want +got):\n%s", diff)
	}
	if rec.Files == nil || *rec.Files != (backup.DrillFiles{Snapshot: f.fileSnap.ID().Str(), Target: scratch}) {
		t.Errorf("record files %+v", rec.Files)
	}
	if rec.Check == nil || rec.Check.Status != backup.StatusOK || rec.Check.Output == nil ||
		*rec.Check.Output != "checked postgres://shop@db.internal:5432/shop_drill\n" || rec.Check.Error != nil ||
		rec.Check.ExitCode == nil || *rec.Check.ExitCode != 0 {
		t.Errorf("record check %+v (output %v)", rec.Check, rec.Check.Output)
	}
	wantPhases := []string{backup.PhaseResolve, backup.PhaseRestoreFiles, backup.PhaseFetch, backup.PhaseRestoreDatabase, backup.PhaseCheck}
	if got := phaseNames(rec.Phases); !slices.Equal(got, wantPhases) {
		t.Errorf("phases %q, want %q", got, wantPhases)
	}
	for i, p := range rec.Phases {
		if !p.FinishedAt.After(p.StartedAt) || p.StartedAt.Before(rec.StartedAt) || p.FinishedAt.After(rec.FinishedAt) {
			t.Errorf("phase %d %+v outside the drill (%v to %v)", i, p, rec.StartedAt, rec.FinishedAt)
		}
		if want := p.FinishedAt.Sub(p.StartedAt).Seconds(); p.DurationSeconds < 1 || math.Abs(p.DurationSeconds-want) > 0.0005 {
			t.Errorf("phase %d %q: duration_seconds %v, want %v", i, p.Name, p.DurationSeconds, want)
		}
		wantDB := ""
		if p.Name == backup.PhaseFetch || p.Name == backup.PhaseRestoreDatabase {
			wantDB = "app"
		}
		if p.Database != wantDB {
			t.Errorf("phase %d %q: database %q, want %q", i, p.Name, p.Database, wantDB)
		}
	}
	stored, found := lastDrill(t, f.stateDir)
	if !found {
		t.Fatal("no drill record in the state directory")
	}
	if diff := cmp.Diff(rec, stored); diff != "" {
		t.Errorf("stored record (-returned +stored):\n%s", diff)
	}

	// A second drill replaces the scratch directory, which the first one
	// marked.
	backup.WriteTestTree(t, scratch, map[string]string{"junk.txt": "left by the check"})
	if _, err := r.Drill(t.Context(), opts); err != nil {
		t.Fatalf("second drill: %v", err)
	}
	if _, err := os.Stat(filepath.Join(scratch, "junk.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the second drill left old scratch content: %v", err)
	}
	if _, err := os.Stat(filepath.Join(scratch, backup.DrillMarker)); err != nil {
		t.Errorf("no drill marker: %v", err)
	}
}

func TestDrillRefusesLiveTargets(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(t *testing.T, f *restoreFixture) backup.DrillOptions
		want error
		msg  string
	}{
		{name: "the live database", want: backup.ErrScratchIsLive, msg: `is the live database "app"`,
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				return backup.DrillOptions{Database: "shop_production", FilesDir: filepath.Join(f.dir, "scratch")}
			}},
		{name: "the live path", want: backup.ErrScratchIsLive, msg: "overlaps the production path",
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				return backup.DrillOptions{Database: "drill", FilesDir: f.storage + "/"}
			}},
		{name: "a parent of the live path through a symlink", want: backup.ErrScratchIsLive, msg: "overlaps the production path",
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				link := filepath.Join(f.dir, "link")
				if err := os.Symlink(filepath.Join(f.dir, "live"), link); err != nil {
					t.Fatal(err)
				}
				return backup.DrillOptions{Database: "drill", FilesDir: link}
			}},
		{name: "a directory of other files", want: backup.ErrScratchIsLive, msg: "no drill made it",
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				dir := filepath.Join(f.dir, "precious")
				backup.WriteTestTree(t, dir, map[string]string{"x": "y"})
				return backup.DrillOptions{Database: "drill", FilesDir: dir}
			}},
		{name: "a system directory", want: backup.ErrScratchIsLive, msg: "system directory",
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				return backup.DrillOptions{Database: "drill", FilesDir: "/var"}
			}},
		{name: "the state directory", want: backup.ErrScratchIsLive, msg: "state directory",
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				return backup.DrillOptions{Database: "drill", FilesDir: f.stateDir}
			}},
		{name: "no scratch database", want: backup.ErrNoScratchTarget, msg: "--database",
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				return backup.DrillOptions{FilesDir: filepath.Join(f.dir, "scratch")}
			}},
		{name: "no scratch directory", want: backup.ErrNoScratchTarget, msg: "--files",
			opts: func(t *testing.T, f *restoreFixture) backup.DrillOptions {
				return backup.DrillOptions{Database: "drill"}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newMemFixture(t)
			r := f.restorer(t, backup.RestorerOptions{})
			opts := tc.opts(t, f)
			opts.Mode, opts.Confirm = backup.ModeProduction, backup.Confirmation{Yes: true}
			rec, err := r.Drill(t.Context(), opts)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Drill: %v, want %v about %q", err, tc.want, tc.msg)
			}
			if rec.Status != backup.StatusFailed || len(f.pg.got()) != 0 {
				t.Errorf("record %+v, restored %+v", rec, f.pg.got())
			}
			if _, found := lastDrill(t, f.stateDir); found {
				t.Error("a refused drill was recorded")
			}
		})
	}
}

func TestDrillRefusesLiveSQLite(t *testing.T) {
	f := newMemFixture(t)
	live := filepath.Join(f.dir, "live", "production.sqlite3")
	backup.WriteTestTree(t, filepath.Dir(live), map[string]string{"production.sqlite3": "live"})
	prod, _ := os.ReadFile(f.prodFile)
	f.writeConfig(t, strings.Replace(string(prod), "paths:", "  - {name: cache, adapter: sqlite, path: '"+live+"'}\npaths:", 1), "")
	r := f.restorer(t, backup.RestorerOptions{})
	_, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeProduction, Database: "drill", FilesDir: filepath.Join(f.dir, "scratch"),
		SQLitePath: filepath.Join(f.dir, "live", ".", "production.sqlite3"), Confirm: backup.Confirmation{Yes: true}})
	if !errors.Is(err, backup.ErrScratchIsLive) || !strings.Contains(err.Error(), `is the live database "cache"`) {
		t.Fatalf("Drill: %v", err)
	}
}

func TestDrillCheckFails(t *testing.T) {
	f := newMemFixture(t)
	token := "tok-9f8e7d6c5b4a"
	t.Setenv("API_TOKEN", token)
	// A variable whose name says nothing, holding the database password
	// the configuration knows.
	t.Setenv("PLAIN_VALUE", "db-secret-password-1")
	t.Setenv("CHECK_URL", "postgres://u:url-pass-5e4d3c@h/db")
	r := f.restorer(t, backup.RestorerOptions{})
	check := `echo "token $API_TOKEN"; echo "db $PLAIN_VALUE" >&2; echo "url $CHECK_URL"; exit 3`
	rec, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeProduction, Database: "drill", FilesDir: filepath.Join(f.dir, "scratch"),
		Check: check, Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
	if !errors.Is(err, backup.ErrCheckFailed) {
		t.Fatalf("Drill: %v, want ErrCheckFailed", err)
	}
	stored, found := lastDrill(t, f.stateDir)
	if !found {
		t.Fatal("the failed drill was not recorded")
	}
	for _, rc := range []*backup.DrillRecord{rec, stored} {
		if rc.Status != backup.StatusFailed || rc.Error == nil || rc.Check == nil || rc.Check.Status != backup.StatusFailed ||
			rc.Check.Error == nil || !strings.Contains(*rc.Check.Error, "exit status 3") || rc.Operator != nil {
			t.Fatalf("record %+v check %+v error %q", rc, rc.Check, deref(rc.Check.Error))
		}
		out := *rc.Check.Output
		for _, secret := range []string{token, "db-secret-password-1", "url-pass-5e4d3c"} {
			if strings.Contains(out, secret) || strings.Contains(*rc.Error, secret) || strings.Contains(*rc.Check.Error, secret) {
				t.Errorf("secret %q in the record: output %q, error %q", secret, out, *rc.Error)
			}
		}
		for _, line := range []string{"token [REDACTED]", "db [REDACTED]", "url postgres://u:[REDACTED]@h/db\n"} {
			if !strings.Contains(out, line) {
				t.Errorf("output %q lacks %q", out, line)
			}
		}
		if rc.Check.Command != check {
			t.Errorf("command %q", rc.Check.Command)
		}
		if rc.Check.ExitCode == nil || *rc.Check.ExitCode != 3 {
			t.Errorf("check exit_code %v, want 3", rc.Check.ExitCode)
		}
	}
	data, err := os.ReadFile(filepath.Join(f.stateDir, backup.LastDrillRecord))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), token) || strings.Contains(string(data), "db-secret-password-1") {
		t.Errorf("secret in the state file:\n%s", data)
	}
	if got := phaseNames(rec.Phases); got[len(got)-1] != backup.PhaseCheck {
		t.Errorf("phases %q", got)
	}
}

func TestDrillCheckOutputTruncated(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	rec, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeProduction, Database: "drill", FilesDir: filepath.Join(f.dir, "scratch"),
		Check: `i=0; while [ $i -lt 3000 ]; do echo "line $i of a long check output"; i=$((i+1)); done; echo last line`,
		Env:   env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
	if err != nil {
		t.Fatal(err)
	}
	out := *rec.Check.Output
	if len(out) > backup.CheckOutputLimit+100 || !strings.HasPrefix(out, "[") || !strings.Contains(out, "bytes of earlier output dropped]") ||
		!strings.HasSuffix(out, "line 2999 of a long check output\nlast line\n") {
		t.Errorf("output of %d bytes: %.200q ... %q", len(out), out, out[len(out)-60:])
	}
}

func TestDrillLocal(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	rec, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeLocal, Check: "true",
		Env: env{"KAMAL_BACKUP_OPERATOR": "alice", "USER": "root"}.lookup, Confirm: backup.Confirmation{Yes: true}})
	if err != nil {
		t.Fatalf("Drill: %v", err)
	}
	if got := f.pg.got(); len(got) != 1 || got[0].URL != "postgres://dev@localhost:5432/shop_development" {
		t.Errorf("restored %+v", got)
	}
	if diff := cmp.Diff(restoredStorage, backup.ReadTestTree(t, f.localStorage)); diff != "" {
		t.Errorf("local storage (-want +got):\n%s", diff)
	}
	if rec.Scope != "local" || rec.Operator == nil || *rec.Operator != "alice" || rec.Check.Status != backup.StatusOK {
		t.Errorf("record %+v", rec)
	}
	if _, found := lastDrill(t, f.localState); !found {
		t.Error("the local drill was not recorded in the local state directory")
	}
	if _, found := lastDrill(t, f.stateDir); found {
		t.Error("the local drill was recorded in the production state directory")
	}
	// A production environment refuses a local drill.
	_, err = r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeLocal, Env: env{"RAILS_ENV": "production"}.lookup, Confirm: backup.Confirmation{Yes: true}})
	if !errors.Is(err, backup.ErrProductionTarget) {
		t.Errorf("Drill with RAILS_ENV=production: %v", err)
	}
}

func TestDrillNotConfirmed(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	prompt, _ := promptFor("no")
	_, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeProduction, Database: "drill", FilesDir: filepath.Join(f.dir, "scratch"), Prompt: prompt})
	if !errors.Is(err, backup.ErrNotConfirmed) || len(f.pg.got()) != 0 {
		t.Fatalf("Drill: %v, restored %+v", err, f.pg.got())
	}
	if _, found := lastDrill(t, f.stateDir); found {
		t.Error("an unconfirmed drill was recorded")
	}
}

// deref returns *s, or "<nil>".
func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
