package mysql_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

const app = "shop"

// newRepo creates a repository in a temporary directory, with a cheap KDF.
func newRepo(t testing.TB) *repo.Repository {
	t.Helper()
	be, err := local.Open(t.TempDir() + "/repo")
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(t.Context(), be, "repo-password", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mysqlDB returns the config entry of database name on srv, with the
// password in Database.Password.
func mysqlDB(srv *testenv.MariaDB, configName, name string) backup.Database {
	return backup.Database{Name: configName, Adapter: "mysql", URL: redact.NewSecret(srv.URL(name)),
		Password: redact.NewSecret(srv.Password())}
}

// backupTo dumps db with a into r as kamal-backup does: one file named by
// backup.DumpFilename, tagged with backup.DatabaseTags.
func backupTo(ctx context.Context, r *repo.Repository, a backup.Adapter, db backup.Database, src func(io.Reader) io.Reader) (*repo.Snapshot, error) {
	rc, err := a.Dump(ctx, db)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var rd io.Reader = rc
	if src != nil {
		rd = src(rc)
	}
	return r.BackupStream(ctx, backup.DumpFilename(app, db.Name, a), rd,
		repo.SnapshotOptions{Tags: backup.DatabaseTags(app, db.Name, a.Name()), Host: backup.Hostname(app, "backup")})
}

// restoreFrom restores the latest snapshot of db's tags into target.
func restoreFrom(ctx context.Context, r *repo.Repository, a backup.Adapter, db, target backup.Database) error {
	s, err := r.FindSnapshot(ctx, "latest", repo.Filter{Tags: [][]string{backup.DatabaseTags(app, db.Name, a.Name())}})
	if err != nil {
		return err
	}
	rc, err := r.OpenFile(ctx, s, backup.DumpFilename(app, db.Name, a))
	if err != nil {
		return err
	}
	defer rc.Close()
	return a.Restore(ctx, target, rc)
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lines splits the client's output into lines.
func lines(out string) []string {
	out = strings.TrimSuffix(out, "\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// objects lists db's tables (with their type), views, routines, triggers
// and events, sorted.
func objects(t testing.TB, srv *testenv.MariaDB, db string) []string {
	t.Helper()
	return lines(srv.SQL(t, db, `
SELECT * FROM (
  SELECT CONCAT(TABLE_TYPE, ' ', TABLE_NAME) AS o FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()
  UNION ALL SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()
  UNION ALL SELECT CONCAT('TRIGGER ', TRIGGER_NAME, ' ON ', EVENT_OBJECT_TABLE) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()
  UNION ALL SELECT CONCAT('EVENT ', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()
) x ORDER BY o`))
}

// definitions returns the definitions of db's objects as the server shows
// them, without creation times.
func definitions(t testing.TB, srv *testenv.MariaDB, db string) map[string]string {
	t.Helper()
	defs := map[string]string{}
	for _, o := range objects(t, srv, db) {
		kind, name, _ := strings.Cut(o, " ")
		var sql string
		switch kind {
		case "BASE":
			name = strings.TrimPrefix(name, "TABLE ")
			sql = "SHOW CREATE TABLE " + quote(name)
		case "VIEW", "SEQUENCE", "FUNCTION", "PROCEDURE":
			sql = "SHOW CREATE " + kind + " " + quote(name)
		case "TRIGGER":
			name, _, _ = strings.Cut(name, " ")
			sql = "SELECT EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT, ACTION_TIMING, SQL_MODE, DEFINER " +
				"FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = '" + name + "'"
		case "EVENT":
			sql = "SELECT DEFINER, TIME_ZONE, EVENT_DEFINITION, EVENT_TYPE, INTERVAL_VALUE, INTERVAL_FIELD, SQL_MODE, STARTS, STATUS, ON_COMPLETION, EVENT_COMMENT " +
				"FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() AND EVENT_NAME = '" + name + "'"
		default:
			t.Fatalf("unexpected object %q", o)
		}
		defs[o] = srv.SQL(t, db, sql)
	}
	return defs
}

// tableContent returns a base table's row count, CHECKSUM TABLE and a
// SHA-256 of its rows in the order of all their columns.
func tableContent(t testing.TB, srv *testenv.MariaDB, db, table string) string {
	t.Helper()
	n := srv.SQL(t, db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '"+table+"'")
	var order []string
	for i := 1; i <= atoi(t, strings.TrimSpace(n)); i++ {
		order = append(order, fmt.Sprint(i))
	}
	count := strings.TrimSpace(srv.SQL(t, db, "SELECT COUNT(*) FROM "+quote(table)))
	_, checksum, _ := strings.Cut(strings.TrimSpace(srv.SQL(t, db, "CHECKSUM TABLE "+quote(table))), "\t")
	rows := sha256.Sum256([]byte(srv.SQL(t, db, "SELECT * FROM "+quote(table)+" ORDER BY "+strings.Join(order, ", "))))
	return fmt.Sprintf("rows=%s checksum=%s sha256=%s", count, checksum, hex.EncodeToString(rows[:8]))
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

func quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }
