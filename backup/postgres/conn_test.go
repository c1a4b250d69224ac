package postgres

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
)

func TestParseConn(t *testing.T) {
	const pw = "s3cr3t/p@ss'w\\rd"
	for _, tc := range []struct {
		name     string
		db       backup.Database
		conninfo string
		password string
		location string
		ignored  []string
	}{
		{name: "url",
			db:       backup.Database{URL: redact.NewSecret("postgres://app@db:5433/app_production")},
			conninfo: `user='app' host='db' port='5433' dbname='app_production'`, location: "db:5433/app_production"},
		{name: "postgresql scheme, defaults",
			db:       backup.Database{URL: redact.NewSecret("postgresql:///app")},
			conninfo: `dbname='app'`, location: "localhost:5432/app"},
		{name: "url password moves to PGPASSWORD",
			db:       backup.Database{URL: redact.NewSecret("postgres://app:s3cr3t%2Fp%40ss%27w%5Crd@db/app")},
			conninfo: `user='app' host='db' dbname='app'`, password: pw, location: "db:5432/app"},
		{name: "Password wins over the url's",
			db:       backup.Database{URL: redact.NewSecret("postgres://app:other@db/app"), Password: redact.NewSecret(pw)},
			conninfo: `user='app' host='db' dbname='app'`, password: pw, location: "db:5432/app"},
		{name: "query parameters",
			db: backup.Database{URL: redact.NewSecret("postgres://app@db/app?sslmode=verify-full&sslrootcert=/run/secrets/ca.pem" +
				"&connect_timeout=5&application_name=kamal%20backup&password=" + "s3cr3t%2Fp%40ss%27w%5Crd" + "&pool=5&encoding=unicode")},
			conninfo: `user='app' host='db' dbname='app' application_name='kamal backup' connect_timeout='5' sslmode='verify-full' sslrootcert='/run/secrets/ca.pem'`,
			password: pw, location: "db:5432/app", ignored: []string{"encoding", "pool"}},
		{name: "PG variables",
			db:       backup.Database{Env: []string{"PGHOST=10.0.0.5", "PGPORT=6432", "PGUSER=rails", "PGDATABASE=app_production", "PGPASSWORD=" + pw, "PGSSLMODE=require"}},
			conninfo: `host='10.0.0.5' port='6432' user='rails' dbname='app_production'`, location: "10.0.0.5:6432/app_production"},
		{name: "url wins over PG variables",
			db:       backup.Database{URL: redact.NewSecret("postgres://db2/app2"), Env: []string{"PGHOST=db1", "PGDATABASE=app1", "PGUSER=u"}},
			conninfo: `host='db2' user='u' dbname='app2'`, location: "db2:5432/app2"},
		{name: "socket directory and IPv6",
			db:       backup.Database{URL: redact.NewSecret("postgres://[::1]:5433/a%20b?host=/var/run/postgresql")},
			conninfo: `host='/var/run/postgresql' port='5433' dbname='a b'`, location: "/var/run/postgresql:5433/a b"},
		{name: "ipv6 host",
			db:       backup.Database{URL: redact.NewSecret("postgres://[::1]:5433/app")},
			conninfo: `host='::1' port='5433' dbname='app'`, location: "[::1]:5433/app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConn(tc.db)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.conninfo(); got != tc.conninfo {
				t.Errorf("conninfo = %s\nwant       %s", got, tc.conninfo)
			}
			if c.password != tc.password || c.location() != tc.location {
				t.Errorf("password %q, location %q; want %q, %q", c.password, c.location(), tc.password, tc.location)
			}
			if diff := cmp.Diff(tc.ignored, c.ignored); diff != "" {
				t.Errorf("ignored parameters (-want +got):\n%s", diff)
			}
			if strings.Contains(c.conninfo(), "s3cr3t") || strings.Contains(c.conninfo(), "other") {
				t.Errorf("conninfo holds a password: %s", c.conninfo())
			}
			env := c.environ()
			if tc.password != "" && env[len(env)-1] != "PGPASSWORD="+tc.password {
				t.Errorf("environ = %q", env)
			}
		})
	}
}

func TestConninfoQuoting(t *testing.T) {
	c := &conn{}
	c.set("dbname", `it's a \ db`)
	c.set("options", "-c search_path=x")
	if got, want := c.conninfo(), `dbname='it\'s a \\ db' options='-c search_path=x'`; got != want {
		t.Errorf("conninfo = %s, want %s", got, want)
	}
}

func TestParseConnErrors(t *testing.T) {
	const pw = "hunter2-secret"
	for _, tc := range []struct {
		url  string
		want string
	}{
		{"mysql://app:" + pw + "@db/app", "is not a valid postgres:// or postgresql:// URL"},
		{"postgres://app:" + pw + "@db:port/app", "is not a valid postgres:// or postgresql:// URL"},
		{"postgres://app:" + pw + "@db/app?x=%zz", "invalid query"},
		{"postgres://app:" + pw + "@db/", "no database name"},
		{"postgres://db/app?sslpassword=" + pw, "sslpassword is not supported"},
	} {
		_, err := parseConn(backup.Database{URL: redact.NewSecret(tc.url)})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), pw) {
			t.Errorf("parseConn(%s) = %v, want an error with %q and without the password", tc.url, err, tc.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	a := New(Options{})
	got := a.Describe(backup.Database{Name: "app", URL: redact.NewSecret("postgres://app:pw12345@db.internal:5432/app_production")})
	want := backup.Target{Adapter: "postgres", Database: "app", Location: "db.internal:5432/app_production"}
	if got != want {
		t.Errorf("Describe = %+v, want %+v", got, want)
	}
	got = a.Describe(backup.Database{Name: "app", URL: redact.NewSecret("postgres://app:pw12345@db.internal:x/app")})
	if strings.Contains(got.Location, "pw12345") {
		t.Errorf("Describe of a bad URL leaks the password: %+v", got)
	}
	if a.Name() != "postgres" || a.Ext() != "pgdump" {
		t.Errorf("Name, Ext = %q, %q", a.Name(), a.Ext())
	}
}
