package backup_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// restoredStorage is the fixture's storage as backed up.
var restoredStorage = map[string]string{"a.txt": "v1", "sub/": "", "sub/b.txt": "b1"}

func TestRestoreLocal(t *testing.T) {
	f := newRestoreFixture(t)
	backup.WriteTestTree(t, f.localStorage, map[string]string{"stale.txt": "local junk"})
	before := stat(t, f.localStorage)
	r := f.restorer(t, backup.RestorerOptions{})
	prompt, out := promptFor("y")
	res, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Prompt: prompt, Env: env{}.lookup})
	if err != nil {
		t.Fatalf("Restore: %v\n%s", err, out)
	}
	want := []restored{{Database: "app", URL: "postgres://dev@localhost:5432/shop_development", Content: "dump-v1"}}
	if diff := cmp.Diff(want, f.pg.got()); diff != "" {
		t.Errorf("restored databases (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(restoredStorage, backup.ReadTestTree(t, f.localStorage)); diff != "" {
		t.Errorf("local storage (-want +got):\n%s", diff)
	}
	sameDir(t, f.localStorage, before)
	if got := backup.ReadTestTree(t, f.storage)["a.txt"]; got != "v2-live" {
		t.Errorf("the production storage changed: a.txt = %q", got)
	}
	if !strings.Contains(out.String(), f.dbSnap.ID().Str()) || !strings.Contains(out.String(), "[y/N]") {
		t.Errorf("the prompt shows no plan:\n%s", out)
	}

	if res.Kind != backup.KindRestoreResult || res.SchemaVersion != 1 || res.Status != backup.StatusOK || res.Scope != backup.ModeLocal ||
		res.RequestedSnapshot != "latest" || res.Error != nil {
		t.Errorf("result %+v", res)
	}
	wantDB := []backup.RestoredDatabase{{Snapshot: f.dbSnap.ID().Str(), SnapshotTime: f.dbSnap.Time, Database: "app", Adapter: "postgres",
		Filename: "/databases/shop/app/postgres.pgdump", Target: "localhost:5432/shop_development"}}
	if diff := cmp.Diff(wantDB, res.Databases); diff != "" {
		t.Errorf("result databases (-want +got):\n%s", diff)
	}
	wantFiles := &backup.RestoredFiles{Snapshot: f.fileSnap.ID().Str(), SnapshotTime: f.fileSnap.Time, Target: f.localStorage,
		Paths: []backup.RestoredPath{{Source: f.storage, Target: f.localStorage}}}
	if diff := cmp.Diff(wantFiles, res.Files); diff != "" {
		t.Errorf("result files (-want +got):\n%s", diff)
	}
	var names []string
	for _, p := range res.Phases {
		names = append(names, p.Name)
		if !p.FinishedAt.After(p.StartedAt) {
			t.Errorf("phase %+v does not take time", p)
		}
	}
	if want := []string{backup.PhaseResolve, backup.PhaseRestoreFiles, backup.PhaseFetch, backup.PhaseRestoreDatabase}; !slices.Equal(names, want) {
		t.Errorf("phases %q, want %q", names, want)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "kind", "status", "scope", "requested_snapshot", "started_at", "finished_at", "error", "databases", "files", "phases"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, data)
		}
	}
	if strings.Contains(string(data), "db-secret-password-1") {
		t.Errorf("JSON holds a secret: %s", data)
	}
}

func TestRestoreLocalNeedsConfirmation(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	for name, opts := range map[string]backup.RestoreOptions{
		"no prompt":    {Mode: backup.ModeLocal},
		"answer no":    {Mode: backup.ModeLocal, Prompt: must(promptFor("n"))},
		"end of input": {Mode: backup.ModeLocal, Prompt: backup.Prompt{In: strings.NewReader("")}},
	} {
		opts.Env = env{}.lookup
		res, err := r.Restore(t.Context(), opts)
		if !errors.Is(err, backup.ErrNotConfirmed) || res.Status != backup.StatusFailed || res.Error == nil {
			t.Errorf("%s: %v, result %+v", name, err, res)
		}
	}
	if got := f.pg.got(); len(got) != 0 {
		t.Errorf("restored %+v without confirmation", got)
	}
	// --yes answers the local prompt.
	if _, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}}); err != nil {
		t.Fatal(err)
	}
}

// must returns the first value.
func must[T, U any](v T, _ U) T { return v }

func TestRestoreProductionConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		confirm backup.Confirmation
		answers []string
		ok      bool
	}{
		{name: "nothing", ok: false},
		{name: "--yes is ignored", confirm: backup.Confirmation{Yes: true}, ok: false},
		{name: "--yes with an empty prompt", confirm: backup.Confirmation{Yes: true}, answers: []string{""}, ok: false},
		{name: "wrong app name", answers: []string{"other", "RESTORE PRODUCTION"}, ok: false},
		{name: "lower-case phrase", answers: []string{"shop", "restore production"}, ok: false},
		{name: "only the app name", answers: []string{"shop"}, ok: false},
		{name: "typed", answers: []string{"shop", "RESTORE PRODUCTION"}, ok: true},
		{name: "typed with spaces", answers: []string{"  shop ", "RESTORE PRODUCTION  "}, ok: true},
		{name: "--confirm-production-restore", confirm: backup.Confirmation{ConfirmProductionRestore: true}, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newMemFixture(t)
			before := stat(t, f.storage)
			r := f.restorer(t, backup.RestorerOptions{})
			opts := backup.RestoreOptions{Mode: backup.ModeProduction, Confirm: tc.confirm, Snapshot: "latest"}
			var out strings.Builder
			if tc.answers != nil {
				opts.Prompt = backup.Prompt{In: strings.NewReader(strings.Join(tc.answers, "\n")), Out: &out}
			}
			res, err := r.Restore(t.Context(), opts)
			if !tc.ok {
				if !errors.Is(err, backup.ErrNotConfirmed) {
					t.Fatalf("Restore: %v, want ErrNotConfirmed", err)
				}
				if got := f.pg.got(); len(got) != 0 {
					t.Errorf("restored %+v without confirmation", got)
				}
				if got := backup.ReadTestTree(t, f.storage)["a.txt"]; got != "v2-live" {
					t.Errorf("files restored without confirmation: a.txt = %q", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if tc.answers != nil && (!strings.Contains(out.String(), "shop") || !strings.Contains(out.String(), backup.ProductionConfirmPhrase)) {
				t.Errorf("prompt:\n%s", out.String())
			}
			want := []restored{{Database: "app", URL: "postgres://shop@db.internal:5432/shop_production", Content: "dump-v1"}}
			if diff := cmp.Diff(want, f.pg.got()); diff != "" {
				t.Errorf("restored (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(restoredStorage, backup.ReadTestTree(t, f.storage)); diff != "" {
				t.Errorf("production storage (-want +got):\n%s", diff)
			}
			sameDir(t, f.storage, before)
			if res.Status != backup.StatusOK || res.Scope != backup.ModeProduction {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestRestoreLocalRefusesProductionTargets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   env
		local string // local configuration, {dir} for the fixture's directory
		want  string
	}{
		{name: "RAILS_ENV", env: env{"RAILS_ENV": "production"}, want: "RAILS_ENV=production"},
		{name: "KAMAL_ENVIRONMENT", env: env{"KAMAL_ENVIRONMENT": " Production"}, want: "KAMAL_ENVIRONMENT"},
		{name: "NODE_ENV", env: env{"NODE_ENV": "production"}, want: "NODE_ENV"},
		{name: "same host", local: "databases:\n  - {name: app, adapter: postgres, url: 'postgres://dev@DB.internal/shop_development'}\npaths: ['{dir}/dev/storage']\nstate: {path: '{dir}/local-state'}\n",
			want: "db.internal:5432"},
		{name: "the production path", local: "databases:\n  - {name: app, adapter: postgres, url: 'postgres://localhost/dev'}\npaths: ['{dir}/live/storage/sub']\nstate: {path: '{dir}/local-state'}\n",
			want: "overlaps the production path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newMemFixture(t)
			if tc.local != "" {
				prod, _ := os.ReadFile(f.prodFile)
				f.writeConfig(t, string(prod), strings.ReplaceAll(tc.local, "{dir}", f.dir))
			}
			r := f.restorer(t, backup.RestorerOptions{})
			res, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Env: tc.env.lookup, Confirm: backup.Confirmation{Yes: true}})
			if !errors.Is(err, backup.ErrProductionTarget) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Restore: %v, want ErrProductionTarget about %q", err, tc.want)
			}
			if res.Status != backup.StatusFailed || len(f.pg.got()) != 0 {
				t.Errorf("result %+v, restored %+v", res, f.pg.got())
			}
		})
	}
}

func TestRestoreLocalRefusesProductionSQLite(t *testing.T) {
	f := newMemFixture(t)
	live := filepath.Join(f.dir, "live", "db", "production.sqlite3")
	backup.WriteTestTree(t, filepath.Dir(live), map[string]string{"production.sqlite3": "live"})
	link := filepath.Join(f.dir, "link")
	if err := os.Symlink(filepath.Dir(live), link); err != nil {
		t.Fatal(err)
	}
	prod, _ := os.ReadFile(f.prodFile)
	f.writeConfig(t, strings.Replace(string(prod), "paths:", "  - {name: cache, adapter: sqlite, path: '"+live+"'}\npaths:", 1),
		"databases:\n  - {name: cache, adapter: sqlite, path: '"+filepath.Join(link, "production.sqlite3")+"'}\npaths: ['"+f.localStorage+"']\n")
	r := f.restorer(t, backup.RestorerOptions{})
	_, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
	if !errors.Is(err, backup.ErrProductionTarget) || !strings.Contains(err.Error(), `production database "cache"`) {
		t.Fatalf("Restore: %v, want ErrProductionTarget for the SQLite file", err)
	}
	if data, _ := os.ReadFile(live); string(data) != "live" {
		t.Errorf("the production database changed: %q", data)
	}
}

func TestRestoreReadOnlyTargetBeforeDownload(t *testing.T) {
	f := newMemFixture(t)
	var probed []string
	r := f.restorer(t, backup.RestorerOptions{ProbeWritable: func(dir string) error {
		probed = append(probed, dir)
		if dir == f.storage {
			return syscall.EROFS
		}
		return nil
	}})
	res, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeProduction, Confirm: backup.Confirmation{ConfirmProductionRestore: true}})
	if !errors.Is(err, backup.ErrTargetNotWritable) || !strings.Contains(err.Error(), f.storage) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Restore: %v, want ErrTargetNotWritable naming %s", err, f.storage)
	}
	if len(res.Phases) != 0 || len(res.Databases) != 0 || len(f.pg.got()) != 0 {
		t.Errorf("something was resolved or downloaded before the probe: %+v, %+v", res, f.pg.got())
	}
	if !slices.Equal(probed, []string{f.storage}) {
		t.Errorf("probed %q", probed)
	}
	if got := backup.ReadTestTree(t, f.storage)["a.txt"]; got != "v2-live" {
		t.Errorf("a.txt = %q", got)
	}
}

// TestRestoreReadOnlyMount probes a real read-only bind mount, where it
// can make one (root with CAP_SYS_ADMIN).
func TestRestoreReadOnlyMount(t *testing.T) {
	f := newMemFixture(t)
	if err := syscall.Mount(f.storage, f.storage, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("no bind mount: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(f.storage, 0) })
	if err := syscall.Mount(f.storage, f.storage, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("no read-only remount: %v", err)
	}
	r := f.restorer(t, backup.RestorerOptions{})
	_, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeProduction, Confirm: backup.Confirmation{ConfirmProductionRestore: true}})
	if !errors.Is(err, backup.ErrTargetNotWritable) || !errors.Is(err, syscall.EROFS) && !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Restore: %v, want ErrTargetNotWritable (read-only file system)", err)
	}
	if len(f.pg.got()) != 0 {
		t.Errorf("restored %+v", f.pg.got())
	}
}

func TestRestoreSnapshotSelection(t *testing.T) {
	f := newMemFixture(t)
	old := f.dbSnap
	newer := storeDump(t, f.repo, backup.DumpFilename(restoreApp, "app", f.pg), "app", "postgres", "dump-v2", old.Time.Add(1e9))
	r := f.restorer(t, backup.RestorerOptions{})
	restore := func(ref string) (*backup.RestoreResult, error) {
		return r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Snapshot: ref, Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
	}
	res, err := restore("")
	if err != nil || res.Databases[0].Snapshot != newer.ID().Str() {
		t.Fatalf("latest: %v, %+v", err, res)
	}
	// An older database snapshot by prefix: that dump; the files from the
	// latest file snapshot.
	res, err = restore(old.ID().String()[:10])
	if err != nil {
		t.Fatal(err)
	}
	if res.Databases[0].Snapshot != old.ID().Str() || res.Files.Snapshot != f.fileSnap.ID().Str() || res.RequestedSnapshot != old.ID().String()[:10] {
		t.Errorf("by ID: %+v %+v", res.Databases, res.Files)
	}
	// The file snapshot's ID: the files from it, the database latest.
	res, err = restore(f.fileSnap.ID().Str())
	if err != nil || res.Databases[0].Snapshot != newer.ID().Str() {
		t.Errorf("file snapshot: %v %+v", err, res)
	}
	got := f.pg.got()
	if contents := []string{got[0].Content, got[1].Content, got[2].Content}; !slices.Equal(contents, []string{"dump-v2", "dump-v1", "dump-v2"}) {
		t.Errorf("restored dumps %q", contents)
	}
	// A snapshot of another app or of no known type is refused.
	other, err := f.repo.BackupStream(t.Context(), "x", strings.NewReader("x"), repoOpts("app:other", "type:database", "database:app"))
	if err != nil {
		t.Fatal(err)
	}
	untyped, err := f.repo.BackupStream(t.Context(), "x", strings.NewReader("y"), repoOpts("app:shop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{other.ID().Str(), untyped.ID().Str(), "ffffffff"} {
		if _, err := restore(ref); err == nil {
			t.Errorf("snapshot %s was accepted", ref)
		}
	}
	if _, err := restore(other.ID().Str()); !errors.Is(err, backup.ErrNoSnapshot) {
		t.Errorf("other app: %v", err)
	}
	if n := len(f.pg.got()); n != 3 {
		t.Errorf("%d restores, want 3", n)
	}
}

func TestRestoreNoSnapshot(t *testing.T) {
	f := newMemFixture(t)
	prod, _ := os.ReadFile(f.prodFile)
	f.writeConfig(t, strings.Replace(string(prod), "paths:", "  - {name: queue, adapter: postgres, url: 'postgres://db.internal/queue'}\npaths:", 1), "")
	r := f.restorer(t, backup.RestorerOptions{})
	_, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeProduction, Confirm: backup.Confirmation{ConfirmProductionRestore: true}})
	if !errors.Is(err, backup.ErrNoSnapshot) || !strings.Contains(err.Error(), `"queue"`) {
		t.Fatalf("Restore: %v", err)
	}
	if len(f.pg.got()) != 0 || backup.ReadTestTree(t, f.storage)["a.txt"] != "v2-live" {
		t.Error("something was restored although a snapshot is missing")
	}
}

// TestRestoreDatabaseFailure checks that a failing adapter fails the
// restore after the files, with the error in the result, redacted.
func TestRestoreDatabaseFailure(t *testing.T) {
	f := newMemFixture(t)
	f.pg.fail = errors.New("pg_restore: connection to postgres://shop:db-secret-password-1@db.internal failed")
	r := f.restorer(t, backup.RestorerOptions{})
	res, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeProduction, Confirm: backup.Confirmation{ConfirmProductionRestore: true}})
	if err == nil || res.Status != backup.StatusFailed || res.Error == nil {
		t.Fatalf("Restore: %v, %+v", err, res)
	}
	if strings.Contains(*res.Error, "db-secret-password-1") || !strings.Contains(*res.Error, `database "app"`) {
		t.Errorf("error %q", *res.Error)
	}
	if diff := cmp.Diff(restoredStorage, backup.ReadTestTree(t, f.storage)); diff != "" {
		t.Errorf("files are restored first (-want +got):\n%s", diff)
	}
}

// repoOpts are snapshot options with tags.
func repoOpts(tags ...string) repo.SnapshotOptions {
	return repo.SnapshotOptions{Tags: tags, Host: "shop-backup"}
}

// TestRestoreFilePath restores a configured path that is a file, next to
// a directory.
func TestRestoreFilePath(t *testing.T) {
	f := newMemFixture(t)
	appYML := filepath.Join(f.dir, "live", "app.yml")
	backup.WriteTestTree(t, filepath.Dir(appYML), map[string]string{"app.yml": "v1"})
	paths := []string{f.storage, appYML}
	if _, _, err := archiver.Backup(t.Context(), f.repo, paths, archiver.Options{NoParent: true,
		Snapshot: repoOptsAt(f.fileSnap.Time.Add(time.Hour), backup.FileTags(restoreApp, paths)...)}); err != nil {
		t.Fatal(err)
	}
	backup.WriteTestTree(t, filepath.Dir(appYML), map[string]string{"app.yml": "v2"})
	prod, _ := os.ReadFile(f.prodFile)
	f.writeConfig(t, strings.Replace(string(prod), "paths:\n", "paths:\n  - "+appYML+"\n", 1), "")
	r := f.restorer(t, backup.RestorerOptions{})
	res, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeProduction, Confirm: backup.Confirmation{ConfirmProductionRestore: true}})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if data, _ := os.ReadFile(appYML); string(data) != "v1" {
		t.Errorf("app.yml = %q", data)
	}
	if got := backup.ReadTestTree(t, f.storage); got["a.txt"] != "v2-live" || got["c.txt"] != "new since the backup" {
		t.Errorf("storage is not the newer snapshot's: %v", got)
	}
	for name := range backup.ReadTestTree(t, filepath.Dir(appYML)) {
		if strings.Contains(name, ".kamal-backup-") {
			t.Errorf("leftover %s", name)
		}
	}
	if len(res.Files.Paths) != 2 || res.Files.Paths[0].Source != appYML {
		t.Errorf("result files %+v", res.Files)
	}
}

// TestRestoreMissingPath refuses, before restoring anything, a file
// snapshot that lacks a path to restore.
func TestRestoreMissingPath(t *testing.T) {
	f := newMemFixture(t)
	prod, _ := os.ReadFile(f.prodFile)
	a, b := filepath.Join(f.dir, "dev", "a"), filepath.Join(f.dir, "dev", "b")
	f.writeConfig(t, string(prod), "databases: [{name: app, adapter: postgres, url: 'postgres://localhost/dev'}]\npaths: ['"+a+"', '"+b+"']\nrestore_from: ['"+f.storage+"', '/not/backed/up']\nstate: {path: '"+f.localState+"'}\n")
	r := f.restorer(t, backup.RestorerOptions{})
	_, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
	if !errors.Is(err, backup.ErrNoSnapshot) || !strings.Contains(err.Error(), "/not/backed/up") {
		t.Fatalf("Restore: %v", err)
	}
	if _, err := os.Stat(a); !errors.Is(err, os.ErrNotExist) || len(f.pg.got()) != 0 {
		t.Errorf("restored something: %v, %+v", err, f.pg.got())
	}
}
