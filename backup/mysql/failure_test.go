package mysql_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/mysql"
	"github.com/kamal-backup/kamal-backup/internal/command"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
)

// TestDumpServerStopped stops the server while a large dump streams into
// the repository: the backup fails with an error naming the database and
// the cause, and writes no snapshot.
func TestDumpServerStopped(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("dumps 100 MB")
	}
	ctx := t.Context()
	srv := testenv.StartMariaDB(t)
	srv.CreateDB(t, "big")
	start := time.Now()
	srv.SQL(t, "big", "CREATE TABLE payload (id INT PRIMARY KEY, body TEXT) ENGINE=InnoDB;"+
		"INSERT INTO payload SELECT seq, REPEAT(MD5(seq), 16) FROM seq_1_to_200000")
	t.Logf("100 MB table filled in %v", time.Since(start))

	var logs bytes.Buffer
	a := mysql.New(mysql.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := newRepo(t)
	db := mysqlDB(srv, "big", "big")
	var read int64
	start = time.Now()
	_, err := backupTo(ctx, r, a, db, func(rd io.Reader) io.Reader {
		return &stopAfter{r: rd, limit: 20 << 20, read: &read, stop: func() { srv.Stop(t) }}
	})
	t.Logf("dump failed after %v and %d MB: %v", time.Since(start), read>>20, err)
	if read >= 100<<20 {
		t.Errorf("read %d bytes: the dump was not cut short", read)
	}
	checkFailure(t, err, "big", []string{"Lost connection", "Error 2013", "gone away"}, srv.Password(), logs.String())
	var ee *command.ExitError
	if !errors.As(err, &ee) || ee.Command != "mariadb-dump" || ee.Code == 0 {
		t.Errorf("error %v does not wrap mariadb-dump's *command.ExitError", err)
	}
	checkNoSnapshot(t, r)
}

// stopAfter calls stop once limit bytes have been read from r.
type stopAfter struct {
	r     io.Reader
	limit int64
	read  *int64
	once  sync.Once
	stop  func()
}

func (s *stopAfter) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if *s.read += int64(n); *s.read >= s.limit {
		s.once.Do(s.stop)
	}
	return n, err
}

// TestWrongPassword checks that a wrong password, given in the config or
// in the URL, fails the dump, the restore and the reset with an error that
// names the database and the cause, and leaks the password nowhere.
func TestWrongPassword(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := testenv.StartMariaDB(t)
	srv.CreateDB(t, "shop")
	srv.SQL(t, "shop", "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)")
	const wrong = "Wr0ng-Passw0rd-4821"

	fromConfig := mysqlDB(srv, "shop", "shop")
	fromConfig.Password = redact.NewSecret(wrong)
	fromURL := backup.Database{Name: "shop", URL: redact.NewSecret(strings.Replace(srv.URL("shop"), "kbtest@", "kbtest:"+wrong+"@", 1))}
	for name, db := range map[string]backup.Database{"config": fromConfig, "url": fromURL} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			var extra redact.Redactor
			extra.Add("127.0.0.1")
			a := mysql.New(mysql.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Redactor: &extra})
			r := newRepo(t)
			_, err := backupTo(ctx, r, a, db, nil)
			t.Logf("backup: %v", err)
			if l := logs.String(); !strings.Contains(l, "Access denied for user 'kbtest'@'[REDACTED]'") || !strings.Contains(l, "tool=mariadb-dump") {
				t.Errorf("logs lack the tool's stderr, redacted with Options.Redactor:\n%s", l)
			}
			var se *repo.SourceError
			if !errors.As(err, &se) {
				t.Errorf("backup error %v is not a *repo.SourceError", err)
			}
			checkFailure(t, err, "shop", []string{"Access denied for user 'kbtest'"}, wrong, logs.String())
			checkNoSnapshot(t, r)

			err = a.Restore(ctx, db, strings.NewReader("DROP TABLE t;"))
			checkFailure(t, err, "shop", []string{"Access denied for user 'kbtest'"}, wrong, logs.String())
			t.Logf("restore: %v", err)
			err = a.Reset(ctx, db)
			checkFailure(t, err, "shop", []string{"Access denied for user 'kbtest'"}, wrong, logs.String())
			if got := srv.SQL(t, "shop", "SELECT COUNT(*) FROM t"); got != "1\n" {
				t.Errorf("the table changed: %q", got)
			}
		})
	}
}

// TestRestoreStopsAtFirstError restores a script whose second statement
// fails: the restore fails naming the database and the server's error, and
// the statements after it do not run.
func TestRestoreStopsAtFirstError(t *testing.T) {
	t.Parallel()
	srv := testenv.StartMariaDB(t)
	a := mysql.New(mysql.Options{})
	db := mysqlDB(srv, "shop", "shop")
	script := "CREATE TABLE a (id INT);\nINSERT INTO nowhere VALUES (1);\nCREATE TABLE b (id INT);\n"
	err := a.Restore(t.Context(), db, strings.NewReader(script))
	t.Logf("restore: %v", err)
	checkFailure(t, err, "shop", []string{"ERROR 1146", "nowhere"}, srv.Password(), "")
	if got := objects(t, srv, "shop"); len(got) != 1 || got[0] != "BASE TABLE a" {
		t.Errorf("objects after the failed restore: %q", got)
	}

	// An empty or unreadable dump leaves the target alone.
	boom := errors.New("repository read failed")
	for _, rd := range []io.Reader{strings.NewReader(""), iotest.ErrReader(boom)} {
		err := a.Restore(t.Context(), db, rd)
		if err == nil || !strings.Contains(err.Error(), `database "shop"`) ||
			!errors.Is(err, boom) && !strings.Contains(err.Error(), "the dump is empty") {
			t.Errorf("Restore = %v", err)
		}
		if got := objects(t, srv, "shop"); len(got) != 1 {
			t.Errorf("objects after a refused restore: %q", got)
		}
	}
}

// checkFailure checks that err names database and one of causes, and
// that neither err nor logs hold password.
func checkFailure(t *testing.T, err error, database string, causes []string, password, logs string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, `database "`+database+`"`) {
		t.Errorf("error does not name database %q: %v", database, err)
	}
	found := false
	for _, c := range causes {
		found = found || strings.Contains(msg, c)
	}
	if !found {
		t.Errorf("error does not give the cause (one of %q): %v", causes, err)
	}
	if strings.Contains(msg, password) || strings.Contains(logs, password) {
		t.Errorf("the password leaks:\nerror: %v\nlogs:\n%s", err, logs)
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("error is a cancellation: %v", err)
	}
}

func checkNoSnapshot(t *testing.T, r *repo.Repository) {
	t.Helper()
	snaps, err := r.Snapshots(t.Context(), repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 0 {
		t.Errorf("a failed dump wrote %d snapshots", len(snaps))
	}
}
