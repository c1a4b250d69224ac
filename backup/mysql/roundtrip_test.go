package mysql_test

import (
	"bytes"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kamal-backup/kamal-backup/backup/mysql"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// TestRoundTrip dumps a database holding every kind of object into a
// repository, restores it into a database of another name that holds
// conflicting objects, and compares the two.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	start := time.Now()
	srv := testenv.StartMariaDB(t)
	t.Logf("server started in %v", time.Since(start))

	start = time.Now()
	srv.CreateDB(t, "shop")
	srv.SQL(t, "shop", readFile(t, "testdata/source.sql"))
	srv.CreateDB(t, "shop_drill")
	srv.SQL(t, "shop_drill", readFile(t, "testdata/conflicts.sql"))
	t.Logf("fixtures loaded in %v", time.Since(start))

	var logs bytes.Buffer
	a := mysql.New(mysql.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := newRepo(t)
	src := mysqlDB(srv, "shop", "shop")
	start = time.Now()
	snap, err := backupTo(ctx, r, a, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dump into the repository: %v, %d bytes", time.Since(start), snap.Summary.TotalBytesProcessed)
	if !snap.HasTags([]string{"kamal-backup", "app:shop", "type:database", "database:shop", "adapter:mysql"}) ||
		snap.Paths[0] != "/databases/shop/shop/mysql.sql" {
		t.Errorf("snapshot tags %q, paths %q", snap.Tags, snap.Paths)
	}

	dst := mysqlDB(srv, "shop", "shop_drill")
	start = time.Now()
	if err := restoreFrom(ctx, r, a, src, dst); err != nil {
		t.Fatal(err)
	}
	t.Logf("restore from the repository: %v", time.Since(start))

	compareDatabases(t, srv, "shop", "shop_drill")
	checkValues(t, srv, "shop_drill")
	if logs.Len() > 0 {
		t.Errorf("the tools wrote to stderr:\n%s", logs.String())
	}

	// The restored objects stand on their own: nothing refers to the
	// source database.
	srv.SQL(t, "", "DROP DATABASE shop")
	before := srv.SQL(t, "shop_drill", "SELECT NEXT VALUE FOR invoice_seq")
	if got := srv.SQL(t, "shop_drill", "CALL add_book(3, 'après')"); got != "APRÈS!\n" {
		t.Errorf("add_book returned %q", got)
	}
	got := srv.SQL(t, "shop_drill", "SELECT a.action, a.invoice - "+strings.TrimSpace(before)+", s.books FROM audit_log a, author_stats s "+
		"WHERE a.book_id = (SELECT MAX(id) FROM books) AND s.id = 3")
	if want := "insert\t5\t8\n"; got != want {
		t.Errorf("after add_book in the restored database: %q, want %q", got, want)
	}

	// Restore creates a missing database; Reset empties one.
	fresh := mysqlDB(srv, "shop", "shop_fresh")
	if err := restoreFrom(ctx, r, a, src, fresh); err != nil {
		t.Fatal(err)
	}
	if n := len(objects(t, srv, "shop_fresh")); n != 11 {
		t.Errorf("restored into a new database: %d objects, want 11", n)
	}
	if err := a.Reset(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if got := objects(t, srv, "shop_fresh"); len(got) != 0 {
		t.Errorf("after Reset: %q", got)
	}
	if err := a.Reset(ctx, mysqlDB(srv, "shop", "no_such_db")); err != nil {
		t.Errorf("Reset of a missing database: %v", err)
	}
}

// compareDatabases compares the objects of two databases, their
// definitions and the content of every base table.
func compareDatabases(t *testing.T, srv *testenv.MariaDB, a, b string) {
	t.Helper()
	objs := objects(t, srv, a)
	if diff := cmp.Diff(objs, objects(t, srv, b)); diff != "" {
		t.Fatalf("objects (-%s +%s):\n%s", a, b, diff)
	}
	want := []string{"BASE TABLE audit_log", "BASE TABLE authors", "BASE TABLE books", "BASE TABLE tags",
		"EVENT purge_audit", "FUNCTION shout", "PROCEDURE add_book", "SEQUENCE invoice_seq",
		"TRIGGER books_after_insert ON books", "TRIGGER books_before_update ON books", "VIEW author_stats"}
	for _, w := range want {
		if !contains(objs, w) {
			t.Errorf("%s lacks %s: %q", a, w, objs)
		}
	}
	if diff := cmp.Diff(definitions(t, srv, a), definitions(t, srv, b)); diff != "" {
		t.Errorf("definitions (-%s +%s):\n%s", a, b, diff)
	}
	for _, o := range objs {
		if table, ok := strings.CutPrefix(o, "BASE TABLE "); ok {
			ca, cb := tableContent(t, srv, a, table), tableContent(t, srv, b, table)
			t.Logf("%s: %s", table, ca)
			if ca != cb {
				t.Errorf("table %s: %s has %s, %s has %s", table, a, ca, b, cb)
			}
		}
	}
	for _, q := range []string{"SELECT * FROM author_stats ORDER BY id", "SELECT * FROM invoice_seq"} {
		if qa, qb := srv.SQL(t, a, q), srv.SQL(t, b, q); qa != qb {
			t.Errorf("%s differs", q)
		}
	}
}

// checkValues checks values against literals, so that text or bytes
// mangled the same way on both sides cannot pass.
func checkValues(t *testing.T, srv *testenv.MariaDB, db string) {
	t.Helper()
	var allBytes [256]byte
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	for q, want := range map[string]string{
		"SELECT name FROM authors WHERE id = 4":                          "Emoji 👩‍💻🎉🏳️‍🌈\n",
		"SELECT HEX(bio) FROM authors WHERE id = 3":                      strings.ToUpper(hex.EncodeToString([]byte("tab\tnewline\nnul\x00end"))) + "\n",
		"SELECT name, bio FROM authors WHERE id = 2":                     "東野 圭吾\t日本の作家 📚\n",
		"SELECT HEX(cover) FROM books WHERE id = 1":                      strings.ToUpper(hex.EncodeToString(allBytes[:])) + "\n",
		"SELECT price FROM books WHERE id = 2":                           "0.00\n",
		"SELECT COUNT(*), SUM(LENGTH(cover)) > 2000000 FROM books":       "2001\t1\n",
		"SELECT title, title_length FROM books WHERE title LIKE 'Proc%'": "Procedure book 🧪\t16\n",
		"SELECT COUNT(*), COUNT(DISTINCT invoice) FROM audit_log":        "2001\t2001\n",
		"SELECT shout('ok')":                                             "OK!\n",
		"SELECT DATE_FORMAT(MAX(created_at), '%f') != '' FROM books":     "1\n",
		"SELECT COUNT(*) FROM tags WHERE book_id IS NULL AND tag = ''":   "0\n",
	} {
		if got := srv.SQL(t, db, q); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
