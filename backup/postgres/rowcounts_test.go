package postgres

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
)

// countFixture adds what the row counts must include or leave out: a
// partitioned table (counted through its partitions), an unlogged table,
// odd names, and a temporary table of the fixture's own session.
const countFixture = `
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.events_2026 PARTITION OF public.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO public.events SELECT i, '2025-06-01'::date + i FROM generate_series(1, 400) i;
CREATE UNLOGGED TABLE public.cache (k text);
INSERT INTO public.cache SELECT 'k' || i FROM generate_series(1, 7) i;
CREATE SCHEMA "Odd ""Schema""";
CREATE TABLE "Odd ""Schema"""."a.b|c" (x int);
INSERT INTO "Odd ""Schema"""."a.b|c" VALUES (1), (2), (3), (4);
CREATE TEMPORARY TABLE scratch AS SELECT 1 AS x;
`

// writer is a psql session inserting rows into public.audit_log, one
// autocommitted statement at a time, until the test ends.
type writer struct {
	committed atomic.Int64
	progress  chan struct{}
}

// startWriter starts a writer on database db.
func startWriter(t *testing.T, pg *testenv.Postgres, db string) *writer {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(pg.BinDir(), "psql"), "-X", "-q", "-A", "-t",
		"-h", "127.0.0.1", "-p", strconv.Itoa(pg.Port()), "-U", testenv.PostgresUser, "-d", db)
	cmd.Env = append(cmd.Environ(), pg.Env()...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &writer{progress: make(chan struct{}, 1)}
	stop := make(chan struct{})
	go func() {
		defer in.Close()
		for range 200000 {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := io.WriteString(in, "INSERT INTO public.audit_log (action) VALUES ('during the dump') RETURNING id;\n"); err != nil {
				return
			}
		}
	}()
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.committed.Add(1)
			select {
			case w.progress <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() { close(stop); _ = cmd.Wait() })
	return w
}

// await returns once n more rows have been committed.
func (w *writer) await(n int64) {
	target := w.committed.Load() + n
	for w.committed.Load() < target {
		<-w.progress
	}
}

// The counts come from the snapshot pg_dump reads: rows committed after
// its export, before the counting starts, are in neither. The restored
// database counts the same.
func TestDumpCountedExactUnderWrites(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "app_production")
	pg.CreateDB(t, "app_restored")
	pg.Psql(t, "app_production", sourceSchema+sourceData()+countFixture)
	pw := pg.Password()
	a, _ := newTestAdapter(t, Options{}, pw)
	src := backup.Database{Name: "app", Adapter: "postgres", URL: redact.NewSecret(pg.URL("app_production")), Password: redact.NewSecret(pw)}
	dst := backup.Database{Name: "app", Adapter: "postgres", URL: redact.NewSecret(pg.URL("app_restored")), Password: redact.NewSecret(pw)}

	w := startWriter(t, pg, "app_production")
	w.await(10)
	a.beforeCount = func() { w.await(50) }
	cd, err := a.DumpCounted(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	r := newRepo(t)
	_, err = r.BackupStream(t.Context(), backup.DumpFilename(testApp, "app", a), cd,
		repo.SnapshotOptions{Tags: backup.DatabaseTags(testApp, "app", "postgres")})
	if cerr := cd.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	counts, err := cd.RowCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !counts.Exact || !strings.Contains(counts.Method, "snapshot") {
		t.Errorf("manifest exact %v, method %q", counts.Exact, counts.Method)
	}
	got := map[string]int64{}
	for _, tr := range counts.Tables {
		got[tr.Label()] = tr.Rows
	}
	for label, rows := range map[string]int64{"public.accounts": 200, "billing.invoices": 2824, "billing.Straße": 3,
		"public.events_2025": 213, "public.events_2026": 187, "public.cache": 7, `Odd "Schema".a.b|c`: 4} {
		if got[label] != rows {
			t.Errorf("%s: %d rows counted, want %d (all: %v)", label, got[label], rows, got)
		}
	}
	for _, label := range []string{"public.events", "pg_temp_3.scratch", "billing.big_spenders"} {
		if _, ok := got[label]; ok {
			t.Errorf("%s counted", label)
		}
	}
	live, _ := strconv.ParseInt(pg.Psql(t, "app_production", "SELECT count(*) FROM public.audit_log"), 10, 64)
	if dumped := got["public.audit_log"]; dumped < 12 || live < dumped+50 {
		t.Errorf("audit_log: %d rows counted, %d live: the writer did not run across the dump", dumped, live)
	}

	sn, err := r.FindSnapshot(t.Context(), "latest", repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := restoreDB(t, r, sn, a, "app", dst, nil); err != nil {
		t.Fatal(err)
	}
	restored, err := a.CountRows(t.Context(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(counts.Tables, restored.Tables); diff != "" {
		t.Errorf("restored counts differ from the manifest (-manifest +restored):\n%s", diff)
	}
	if children := clientChildren(t, pg, pw); len(children) != 1 || children[0] != "psql" {
		t.Errorf("children left after the dump: %q, want only the writer's psql", children)
	}
}

// A server that refuses to export a snapshot still gets dumped, without
// counts; a dump closed early stops the counting.
func TestDumpCountedFallbackAndEarlyClose(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	const rolePW = "dumper-role-password-1"
	pg.Psql(t, "postgres", "CREATE ROLE dumper LOGIN PASSWORD '"+rolePW+"'; CREATE DATABASE app_owned OWNER dumper;")
	pg.Psql(t, "app_owned", "REVOKE EXECUTE ON FUNCTION pg_export_snapshot() FROM PUBLIC;"+
		"CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 30); ALTER TABLE t OWNER TO dumper;")
	a, _ := newTestAdapter(t, Options{}, rolePW, pg.Password())
	u := strings.Replace(pg.URL("app_owned"), testenv.PostgresUser+"@", "dumper@", 1)
	db := backup.Database{Name: "app", Adapter: "postgres", URL: redact.NewSecret(u), Password: redact.NewSecret(rolePW)}
	cd, err := a.DumpCounted(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(cd)
	if err != nil || len(data) == 0 {
		t.Fatalf("dump: %d bytes, %v", len(data), err)
	}
	if err := cd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.RowCounts(t.Context()); err == nil || !strings.Contains(err.Error(), "did not export a snapshot") ||
		!strings.Contains(err.Error(), "permission denied") || strings.Contains(err.Error(), rolePW) {
		t.Errorf("RowCounts after a refused export: %v", err)
	}

	// As the superuser the export works; closing before the end stops
	// pg_dump and both psql sessions.
	pg.Psql(t, "app_owned", "INSERT INTO t SELECT generate_series(1, 200000);")
	su := backup.Database{Name: "app", Adapter: "postgres", URL: redact.NewSecret(pg.URL("app_owned")), Password: redact.NewSecret(pg.Password())}
	cd, err = a.DumpCounted(t.Context(), su)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cd.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	_ = cd.Close()
	if children := clientChildren(t, pg, pg.Password()); len(children) != 0 {
		t.Errorf("children left after an early Close: %q", children)
	}
}

// clientChildren are the programs of the running children of the test
// process that connect to pg's server (tests running in parallel have
// their own servers), checking that no argv holds one of secrets.
func clientChildren(t *testing.T, pg *testenv.Postgres, secrets ...string) []string {
	t.Helper()
	assertChildArgv(t, secrets...)
	port := strconv.Itoa(pg.Port())
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	self := strconv.Itoa(os.Getpid())
	var names []string
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 || fields[1] != self || fields[0] == "Z" {
			continue
		}
		argv := strings.Split(string(readCmdline(e.Name())), "\x00")
		if filepath.Base(argv[0]) == "postgres" {
			continue // the server
		}
		if slices.Contains(argv, port) || slices.ContainsFunc(argv, func(a string) bool { return strings.Contains(a, "port='"+port+"'") }) {
			names = append(names, filepath.Base(argv[0]))
		}
	}
	return names
}
