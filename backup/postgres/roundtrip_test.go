package postgres

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
)

// TestRoundTrip dumps a database into a repository and restores it into
// a database holding conflicting objects of its own; afterwards both hold
// the same content.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgres(t)
	pg.CreateDB(t, "app_production")
	pg.CreateDB(t, "app_restored")
	pg.Psql(t, "app_production", sourceSchema+sourceData())
	pg.Psql(t, "app_restored", conflictingObjects)
	pw := pg.Password()
	a, _ := newTestAdapter(t, Options{}, pw, url.QueryEscape(pw))
	r := newRepo(t)

	// The dump gets the password in the URL, the restore in Database.Password.
	src := backup.Database{Name: "app", Adapter: "postgres",
		URL: redact.NewSecret(strings.Replace(pg.URL("app_production"), "@", ":"+url.QueryEscape(pw)+"@", 1))}
	dst := backup.Database{Name: "app", Adapter: "postgres",
		URL:      redact.NewSecret(pg.URL("app_restored") + "?sslmode=disable&connect_timeout=10&application_name=kamal-backup-test"),
		Password: redact.NewSecret(pw)}

	var children []string
	sn, err := backupDB(t, r, a, src, onFirstRead(func() { children = assertChildArgv(t, pw) }))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(children, "pg_dump") {
		t.Errorf("children of the test at the first read of the dump: %q, want pg_dump", children)
	}
	tags := backup.DatabaseTags(testApp, "app", "postgres")
	snaps, err := r.Snapshots(t.Context(), repo.Filter{Tags: [][]string{tags}})
	if err != nil || len(snaps) != 1 || !slices.Equal(snaps[0].Paths, []string{"/databases/app/app/postgres.pgdump"}) {
		t.Fatalf("snapshots with tags %v: %v, %v", tags, snaps, err)
	}

	for round := range 2 { // a second restore over the first is the same
		children = nil
		if err := restoreDB(t, r, sn, a, "app", dst, onFirstRead(func() { children = assertChildArgv(t, pw) })); err != nil {
			t.Fatalf("restore %d: %v", round, err)
		}
		if !slices.Contains(children, "pg_restore") {
			t.Errorf("children of the test at the first read of the restore: %q, want pg_restore", children)
		}
		want, got := fingerprint(t, pg, "app_production"), fingerprint(t, pg, "app_restored")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("restore %d: databases differ (-source +restored):\n%s", round, diff)
		}
		if round == 0 {
			assertFingerprintHas(t, want)
		}
	}
	if got := pg.Psql(t, "app_restored", `SELECT pg_get_userbyid(nspowner), has_schema_privilege('public', 'public', 'USAGE') FROM pg_namespace WHERE nspname = 'public'`); got != "kbtest|t" {
		t.Errorf("public schema owner and PUBLIC usage after restore: %q", got)
	}
}

// assertFingerprintHas checks that the fixture made what the round trip
// is meant to compare, so that an empty comparison cannot pass.
func assertFingerprintHas(t testing.TB, fp []string) {
	t.Helper()
	all := strings.Join(fp, "\n")
	for _, want := range []string{
		"schema billing", "schema public",
		"table public.accounts 200 ", `table billing."Straße" 3 `, "table public.audit_log 2 ",
		"sequence billing.invoice_numbers 1077", "sequence public.accounts_id_seq 201",
		"view billing.account_totals", "matview billing.big_spenders",
		"routine public.log_action(bigint,text) p", "routine billing.touch() f",
		"trigger CREATE TRIGGER invoices_touch", "FOREIGN KEY (account_id) REFERENCES public.accounts(id) ON DELETE CASCADE",
		"type billing.status draft,sent,paid",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("source fingerprint lacks %q:\n%s", want, all)
		}
	}
	for _, line := range fp {
		if strings.HasPrefix(line, "table billing.invoices ") && !strings.HasPrefix(line, "table billing.invoices 2824 ") {
			t.Errorf("invoices: %s", line)
		}
	}
}
