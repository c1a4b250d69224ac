package postgres

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
)

// TestResetAndClients runs the reset, failing restores and the choice of
// client tools against one server.
func TestResetAndClients(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "app")
	pg.Psql(t, "app", sourceSchema+conflictingObjectsElsewhere)
	pw := pg.Password()
	db := backup.Database{Name: "app", URL: redact.NewSecret(pg.URL("app")), Password: redact.NewSecret(pw)}
	a, _ := newTestAdapter(t, Options{}, pw)
	var dump bytes.Buffer
	rc, err := a.Dump(t.Context(), db)
	if err == nil {
		_, err = io.Copy(&dump, rc)
		rc.Close()
	}
	if err != nil {
		t.Fatal(err)
	}

	t.Run("reset with PG variables", func(t *testing.T) {
		env := backup.Database{Name: "app", Env: []string{"PGHOST=127.0.0.1", fmt.Sprintf("PGPORT=%d", pg.Port()),
			"PGUSER=kbtest", "PGDATABASE=app", "PGPASSWORD=" + pw}}
		if err := a.Reset(t.Context(), env); err != nil {
			t.Fatal(err)
		}
		got := pg.Psql(t, "app", `SELECT string_agg(nspname || ' ' || pg_get_userbyid(nspowner) || ' ' || coalesce(array_to_string(nspacl, ','), '-'), '; ')
			FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'`)
		if want := "public kbtest kbtest=UC/kbtest,=U/kbtest"; got != want {
			t.Errorf("schemas after Reset: %q, want %q", got, want)
		}
	})

	t.Run("restore of a damaged dump fails", func(t *testing.T) {
		for name, data := range map[string][]byte{"truncated": dump.Bytes()[:dump.Len()/2], "garbage": []byte("not a dump\n")} {
			err := a.Restore(t.Context(), db, bytes.NewReader(data))
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), `restore database "app" (postgres 127.0.0.1:`) ||
				!strings.Contains(err.Error(), "pg_restore exited with status 1: pg_restore: error:") {
				t.Errorf("%s dump: Restore = %v", name, err)
			}
			t.Logf("%s dump: %v", name, err)
		}
	})

	t.Run("client matching the server", func(t *testing.T) {
		// 16 is newer, but 15 matches the server; 16's pg_dump and
		// pg_restore would fail.
		root := t.TempDir()
		linkClient(t, root, "15", pg.BinDir(), "psql", "pg_dump", "pg_restore")
		linkClient(t, root, "16", pg.BinDir(), "psql")
		writeScript(t, filepath.Join(root, "16", "bin", "pg_dump"), "echo wrong client >&2; exit 99")
		writeScript(t, filepath.Join(root, "16", "bin", "pg_restore"), "echo wrong client >&2; exit 99")
		a, _ := newTestAdapter(t, Options{Root: root}, pw)
		roundTrip(t, a, db)
	})

	t.Run("no client new enough", func(t *testing.T) {
		root := t.TempDir()
		linkClient(t, root, "14", pg.BinDir(), "psql", "pg_dump")
		a, _ := newTestAdapter(t, Options{Root: root}, pw)
		_, err := a.Dump(t.Context(), db)
		want := fmt.Sprintf(`dump database "app" (postgres 127.0.0.1:%d/app): the server runs PostgreSQL 15, which needs client tools of version 15 or newer; installed: [14 (in %s/14/bin)]: install postgresql-client-15`, pg.Port(), root)
		if err == nil || err.Error() != want {
			t.Errorf("Dump = %v\nwant   %s", err, want)
		}
	})

	t.Run("client in PATH", func(t *testing.T) {
		testenv.Tool(t, "pg_dump") // fails under CI=true when missing
		a, _ := newTestAdapter(t, Options{Root: t.TempDir()}, pw)
		roundTrip(t, a, db)
	})

	t.Run("errors ignored on restore", func(t *testing.T) {
		root := t.TempDir()
		linkClient(t, root, "15", pg.BinDir(), "psql")
		writeScript(t, filepath.Join(root, "15", "bin", "pg_restore"),
			`cat >/dev/null; echo "pg_restore: warning: errors ignored on restore: 2" >&2; exit 0`)
		a, _ := newTestAdapter(t, Options{Root: root}, pw)
		err := a.Restore(t.Context(), db, bytes.NewReader(dump.Bytes()))
		if !errors.Is(err, errIgnoredOnRestore) || !strings.Contains(err.Error(), `restore database "app"`) {
			t.Errorf("Restore = %v", err)
		}
	})
}

// conflictingObjectsElsewhere is a schema the reset must drop.
const conflictingObjectsElsewhere = `CREATE SCHEMA extra; CREATE TABLE extra.junk (x int);`

// roundTrip dumps db and restores the dump into it with a.
func roundTrip(t testing.TB, a *Adapter, db backup.Database) {
	t.Helper()
	rc, err := a.Dump(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, rc); err != nil {
		t.Fatal(err)
	}
	if err := a.Restore(t.Context(), db, &buf); err != nil {
		t.Fatal(err)
	}
}

// linkClient makes root/<v>/bin hold links to the named tools in binDir.
func linkClient(t testing.TB, root, v, binDir string, tools ...string) {
	t.Helper()
	dir := filepath.Join(root, v, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools {
		if err := os.Symlink(filepath.Join(binDir, tool), filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
}
