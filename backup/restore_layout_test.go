package backup_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// TestRestoreOlderLayouts restores dumps stored as older Ruby versions
// stored them.
func TestRestoreOlderLayouts(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		tags       []string
	}{
		{name: "per adapter directory", file: "databases/shop/postgres/shop_production.dump"},
		{name: "per adapter alias directory", file: "databases/shop/postgresql/20240101.pgdump"},
		{name: "flat stdin name", file: "databases-shop-postgres-20240101T000000.dump"},
		{name: "flat stdin name in a directory", file: "backup/databases-shop-postgresql-app.dump"},
		{name: "a single file of another name", file: "dump.sql"},
		{name: "untagged adapter", file: "databases/shop/postgres/x.dump", tags: []string{"kamal-backup", "app:shop", "type:database", "database:app"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newMemFixture(t)
			tags := tc.tags
			if tags == nil {
				tags = backup.DatabaseTags(restoreApp, "app", "postgres")
			}
			at := f.dbSnap.Time.Add(time.Hour)
			s, err := f.repo.BackupStream(t.Context(), tc.file, strings.NewReader("legacy dump"), repoOptsAt(at, tags...))
			if err != nil {
				t.Fatal(err)
			}
			r := f.restorer(t, backup.RestorerOptions{})
			res, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if got := f.pg.got(); len(got) != 1 || got[0].Content != "legacy dump" {
				t.Errorf("restored %+v", got)
			}
			if d := res.Databases[0]; d.Snapshot != s.ID().Str() || d.Filename != "/"+tc.file {
				t.Errorf("result %+v", d)
			}
		})
	}
}

func TestRestoreOlderLayoutRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		tags  []string
		want  string
	}{
		{name: "several candidates", files: []string{"databases/shop/postgres/a.dump", "databases/shop/postgres/b.dump"}, want: "no single older-layout dump"},
		{name: "several unrelated files", files: []string{"x.sql", "y.sql"}, want: "no single older-layout dump"},
		{name: "another adapter", files: []string{"databases/shop/app/mysql.sql"},
			tags: backup.DatabaseTags(restoreApp, "app", "mysql"), want: "it is a mysql dump and the target is a postgres database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newMemFixture(t)
			tags := tc.tags
			if tags == nil {
				tags = backup.DatabaseTags(restoreApp, "app", "postgres")
			}
			at := f.dbSnap.Time.Add(time.Hour)
			var err error
			if len(tc.files) == 1 {
				_, err = f.repo.BackupStream(t.Context(), tc.files[0], strings.NewReader("x"), repoOptsAt(at, tags...))
			} else {
				err = backupFilesAsDatabase(t, f, tc.files, at, tags)
			}
			if err != nil {
				t.Fatal(err)
			}
			r := f.restorer(t, backup.RestorerOptions{})
			_, err = r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
			if !errors.Is(err, backup.ErrNoSnapshot) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Restore: %v, want ErrNoSnapshot about %q", err, tc.want)
			}
			if len(f.pg.got()) != 0 {
				t.Errorf("restored %+v", f.pg.got())
			}
		})
	}
}

// repoOptsAt are snapshot options with tags and a time.
func repoOptsAt(at time.Time, tags ...string) repo.SnapshotOptions {
	o := repoOpts(tags...)
	o.Time = at
	return o
}

// backupFilesAsDatabase writes a database snapshot holding files (paths
// relative to the snapshot root), as the archiver stores relative paths.
func backupFilesAsDatabase(t *testing.T, f *restoreFixture, files []string, at time.Time, tags []string) error {
	t.Helper()
	dir := t.TempDir()
	var targets []string
	for _, file := range files {
		backup.WriteTestTree(t, dir, map[string]string{file: file})
		if top, _, _ := strings.Cut(file, "/"); !slices.Contains(targets, top) {
			targets = append(targets, top)
		}
	}
	t.Chdir(dir)
	_, _, err := archiver.Backup(t.Context(), f.repo, targets, archiver.Options{NoParent: true, Snapshot: repoOptsAt(at, tags...)})
	return err
}
