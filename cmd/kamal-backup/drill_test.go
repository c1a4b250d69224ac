package main

import (
	"fmt"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// TestDrillAndRestoreMariaDB backs up a MariaDB database, drills it into
// a scratch database with a check, and restores production with the
// typed confirmation.
func TestDrillAndRestoreMariaDB(t *testing.T) {
	t.Parallel()
	m := testenv.StartMariaDB(t)
	m.CreateDB(t, "shop")
	m.CreateDB(t, "shop_scratch")
	m.SQL(t, "shop", "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2), (3);")
	a := newRestoreApp(t, `app: shop
databases:
  - name: app
    adapter: mysql
    url: `+m.URL("shop")+`
    password: {secret: MYSQL_PWD}
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
  init_if_missing: true
  forget_after_backup: false
state:
  path: DIR/state
`, "", map[string]string{"MYSQL_PWD": m.Password(), "RESTIC_PASSWORD": "drill-mariadb-pw-3318"})
	a.backup(t)
	m.SQL(t, "shop", "INSERT INTO t VALUES (4);")
	count := func(db string) string { return strings.TrimSpace(m.SQL(t, db, "SELECT count(*) FROM t")) }

	host, port, _ := strings.Cut(m.Addr(), ":")
	check := fmt.Sprintf(`mariadb --no-defaults --protocol=TCP -h %s -P %s -u %s -N -e 'select count(*) from t' shop_scratch`,
		host, port, testenv.MariaDBUser)
	res := a.run(t, "", nil, "drill", "production", "--database", "shop_scratch", "--check", check, "--yes")
	mustSucceed(t, res)
	if got := count("shop_scratch"); got != "3" {
		t.Errorf("scratch database has %s rows, want 3", got)
	}
	if got := count("shop"); got != "4" {
		t.Errorf("the drill changed the live database: %s rows", got)
	}
	if rec := a.drillRecord(t, "state"); rec.Status != kbackup.StatusOK || rec.Check == nil || *rec.Check.Output != "3\n" ||
		len(rec.Databases) != 1 || rec.Databases[0].Adapter != "mysql" || !strings.HasSuffix(rec.Databases[0].Target, "/shop_scratch") {
		t.Errorf("drill record: %+v", rec)
	}

	res = a.run(t, "", nil, "drill", "production", "--database", "shop", "--yes")
	a.mustFail(t, res, "production drill refused: scratch target is a live target")

	res = a.run(t, "shop\n"+kbackup.ProductionConfirmPhrase+"\n", nil, "restore", "production")
	mustSucceed(t, res)
	if !strings.Contains(res.stdout, "restored database app (mysql)") {
		t.Errorf("stdout:\n%s", res.stdout)
	}
	if got := count("shop"); got != "3" {
		t.Errorf("restored database has %s rows, want 3", got)
	}
	a.noSecrets(t, res.output())
}
