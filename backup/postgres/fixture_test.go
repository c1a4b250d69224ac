package postgres

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// sourceSchema has a custom schema, foreign keys, an enum, identity and
// serial columns, a free-standing sequence, a trigger and its function, a
// SQL function, a procedure, a view and a materialized view, and a table
// whose name is not ASCII.
const sourceSchema = `
CREATE SCHEMA billing;
CREATE TYPE billing.status AS ENUM ('draft', 'sent', 'paid');
CREATE TABLE public.accounts (
	id bigserial PRIMARY KEY,
	name text NOT NULL UNIQUE,
	note text,
	avatar bytea,
	created_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00'
);
CREATE TABLE billing.invoices (
	id serial PRIMARY KEY,
	account_id bigint NOT NULL REFERENCES public.accounts (id) ON DELETE CASCADE,
	amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
	status billing.status NOT NULL DEFAULT 'draft',
	memo text,
	updated_at timestamptz
);
CREATE TABLE public.audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id bigint REFERENCES public.accounts (id),
	action text NOT NULL
);
CREATE TABLE billing."Straße" (ort text PRIMARY KEY, größe int);
CREATE SEQUENCE billing.invoice_numbers START 1000 INCREMENT 7;
CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := '2026-02-02 00:00:00+00';
	RETURN NEW;
END $$;
CREATE TRIGGER invoices_touch BEFORE INSERT OR UPDATE ON billing.invoices
	FOR EACH ROW EXECUTE FUNCTION billing.touch();
CREATE FUNCTION public.account_total(acc bigint) RETURNS numeric LANGUAGE sql STABLE AS
	'SELECT coalesce(sum(amount), 0) FROM billing.invoices WHERE account_id = acc';
CREATE PROCEDURE public.log_action(acc bigint, what text) LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.audit_log (account_id, action) VALUES (acc, what);
END $$;
CREATE VIEW billing.account_totals AS
	SELECT a.id, a.name, public.account_total(a.id) AS total FROM public.accounts a;
`

// sourceData fills the schema: non-ASCII text, random bytes (about 1 MiB,
// so that pg_dump is still running when its output is first read), rows
// inserted through the trigger and the procedure, and sequence values.
func sourceData() string {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("INSERT INTO public.accounts (name, note, avatar) VALUES\n")
	for i := range 200 {
		raw := make([]byte, 1+rng.IntN(10000))
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		sep := ","
		if i == 199 {
			sep = ";"
		}
		fmt.Fprintf(&b, "('account %d', 'Grüße aus Köln, 日本語, emoji 🎉, quote '' and backslash \\ %d', '\\x%s')%s\n", i, i, hex.EncodeToString(raw), sep)
	}
	b.WriteString(`
INSERT INTO billing.invoices (account_id, amount, status, memo)
	SELECT 1 + i % 200, (i * 13 % 10000) / 100.0, (ARRAY['draft','sent','paid'])[1 + i % 3]::billing.status, 'facture n° ' || i
	FROM generate_series(1, 3000) i;
UPDATE billing.invoices SET memo = memo || ' (payée)' WHERE status = 'paid';
DELETE FROM billing.invoices WHERE id % 17 = 0;
CALL public.log_action(1, 'created');
CALL public.log_action(2, 'überwiesen');
INSERT INTO billing."Straße" VALUES ('Zürich', 1), ('Málaga', 2), ('東京', 3);
SELECT setval('billing.invoice_numbers', 1077);
SELECT nextval('public.accounts_id_seq');
CREATE MATERIALIZED VIEW billing.big_spenders AS
	SELECT id, name, total FROM billing.account_totals WHERE total > 1000;
`)
	return b.String()
}

// conflictingObjects fill a restore target with objects of its own, some
// with the names of the source's objects but other shapes.
const conflictingObjects = `
CREATE SCHEMA extra;
CREATE TABLE extra.junk (x int);
INSERT INTO extra.junk VALUES (1), (2);
CREATE TABLE public.accounts (id int, something_else text);
INSERT INTO public.accounts VALUES (1, 'conflict');
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (foo text, bar int[]);
CREATE FUNCTION public.account_total(acc bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 42::numeric';
CREATE VIEW public.junk_view AS SELECT * FROM extra.junk;
CREATE SEQUENCE public.other_seq;
`

// fingerprint describes the user content of database db: schemas, every
// table's row count and content checksum, sequence values, views,
// functions and procedures, triggers and constraints.
func fingerprint(t testing.TB, pg *testenv.Postgres, db string) []string {
	t.Helper()
	const user = `NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`
	tables := strings.Split(pg.Psql(t, db, `SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname `+user+` ORDER BY 1`), "\n")
	var q strings.Builder
	q.WriteString("SET search_path = pg_catalog; -- schema-qualified names\n")
	q.WriteString(`SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname ` + user + ` AND nspname NOT LIKE 'pg\_temp%' AND nspname NOT LIKE 'pg\_toast\_temp%' ORDER BY 1;` + "\n")
	for _, tbl := range tables {
		if tbl == "" {
			continue // no tables at all
		}
		fmt.Fprintf(&q, "SELECT 'table %s ' || count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM %s t;\n", strings.ReplaceAll(tbl, "'", "''"), tbl)
	}
	q.WriteString(`
SELECT 'matview ' || schemaname || '.' || matviewname || ' ' || definition FROM pg_matviews ORDER BY 1;
SELECT 'sequence ' || schemaname || '.' || sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences ORDER BY 1;
SELECT 'view ' || schemaname || '.' || viewname || ' ' || definition FROM pg_views WHERE schemaname ` + user + ` ORDER BY 1;
SELECT 'routine ' || p.oid::regprocedure::text || ' ' || p.prokind::text || ' ' || md5(pg_get_functiondef(p.oid))
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname ` + user + ` ORDER BY 1;
SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1;
SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
	FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname ` + user + ` ORDER BY 1;
SELECT 'type ' || t.oid::regtype::text || ' ' || array_to_string(array(SELECT enumlabel FROM pg_enum WHERE enumtypid = t.oid ORDER BY enumsortorder), ',')
	FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND n.nspname ` + user + ` ORDER BY 1;
`)
	return strings.Split(pg.Psql(t, db, q.String()), "\n")
}
