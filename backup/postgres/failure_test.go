package postgres

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
)

// TestDumpServerStopsMidway stops the server while pg_dump streams a
// large table: the backup fails, naming the database and the cause, and
// writes no snapshot.
func TestDumpServerStopsMidway(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "app_production")
	// About 100 MB of poorly compressible text.
	pg.Psql(t, "app_production", `CREATE TABLE big AS
		SELECT i AS id, md5(i::text) || md5(i::text || 'a') || md5(i::text || 'b') AS payload
		FROM generate_series(1, 800000) i`)
	a, _ := newTestAdapter(t, Options{}, pg.Password())
	r := newRepo(t)
	db := backup.Database{Name: "app", URL: redact.NewSecret(pg.URL("app_production")), Password: redact.NewSecret(pg.Password())}

	// Once 256 KiB of the dump have been read, stop the server before
	// reading on: pg_dump is then blocked in the middle of the table.
	stopAt := func(rd io.Reader) io.Reader {
		return &hookReader{r: rd, at: 256 << 10, fn: func() { pg.Stop(t) }}
	}
	_, err := backupDB(t, r, a, db, stopAt)
	if err == nil {
		t.Fatal("backup succeeded although the server stopped")
	}
	var se *repo.SourceError
	var pe *Error
	if !errors.As(err, &se) || !errors.As(err, &pe) {
		t.Errorf("error %v (%T) is not a *repo.SourceError wrapping an *Error", err, err)
	}
	location := fmt.Sprintf("127.0.0.1:%d/app_production", pg.Port())
	for _, want := range []string{`dump database "app" (postgres ` + location + `)`, "pg_dump exited with status 1", "big"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	t.Logf("error: %v", err)
	assertNoSecret(t, "error", err.Error(), pg.Password())
	assertNoSnapshots(t, r)
}

// TestDumpWrongPassword: a dump with a wrong password, in each place a
// password can come from, fails naming the database and the cause, never
// the password, and writes no snapshot.
func TestDumpWrongPassword(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "app_production")
	const wrong = "wr0ng-Pa55word#%"
	base := pg.URL("app_production")
	for _, tc := range []struct {
		name string
		db   backup.Database
	}{
		{"url", backup.Database{URL: redact.NewSecret(strings.Replace(base, "@", ":"+url.QueryEscape(wrong)+"@", 1))}},
		{"password", backup.Database{URL: redact.NewSecret(base), Password: redact.NewSecret(wrong)}},
		{"env", backup.Database{Env: []string{"PGHOST=127.0.0.1", fmt.Sprintf("PGPORT=%d", pg.Port()),
			"PGUSER=kbtest", "PGDATABASE=app_production", "PGPASSWORD=" + wrong}}},
		{"password-over-url", backup.Database{URL: redact.NewSecret(strings.Replace(base, "@", ":"+pg.Password()+"@", 1)),
			Password: redact.NewSecret(wrong)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secrets := []string{wrong, url.QueryEscape(wrong), pg.Password()}
			a, rec := newTestAdapter(t, Options{}, secrets...)
			r := newRepo(t)
			tc.db.Name = "app"
			_, err := backupDB(t, r, a, tc.db, nil)
			if err == nil {
				t.Fatal("backup with a wrong password succeeded")
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Op != "dump" || pe.Target.Database != "app" {
				t.Errorf("error %v (%T) is not a dump *Error for app", err, err)
			}
			for _, want := range []string{`dump database "app" (postgres 127.0.0.1:`, `password authentication failed for user "kbtest"`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
			assertNoSecret(t, "error", err.Error(), secrets...)
			if !strings.Contains(rec.log(), "password authentication failed") {
				t.Errorf("the tool's stderr is not in the log:\n%s", rec.log())
			}
			assertNoSecret(t, "log", rec.log(), secrets...)
			assertNoSnapshots(t, r)
		})
	}
}

func assertNoSnapshots(t testing.TB, r *repo.Repository) {
	t.Helper()
	snaps, err := r.Snapshots(t.Context(), repo.Filter{})
	if err != nil || len(snaps) != 0 {
		t.Errorf("snapshots after a failed backup: %v, %v", snaps, err)
	}
}
