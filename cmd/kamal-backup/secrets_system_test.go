package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/location"
)

// sysConfig is the app of TestNoSecretsAnywhere: a SQLite database and
// files in a REST repository, with notifications; EXTRA is replaced by
// more databases.
const sysConfig = `app: vault
databases:
  - name: app
    adapter: sqlite
    path: DIR/data/app.sqlite3
EXTRA
paths:
  - DIR/storage
restic:
  repository: REPO
  password: {secret: RESTIC_PASSWORD}
  rest: {username: {secret: RESTIC_REST_USERNAME}, password: {secret: RESTIC_REST_PASSWORD}}
  forget_after_backup: false
  check_read_data_subset: auto/2
backup:
  schedule: 1d
state:
  path: DIR/state
notify:
  on: [failure, success, late]
  webhook: {secret: NOTIFY_WEBHOOK_URL}
  healthchecks: {secret: HEALTHCHECKS_URL}
`

// sysFailing adds two PostgreSQL databases that cannot be dumped: queue,
// whose URL (from the environment) has a password, a token and a query
// that does not parse, and jobs, whose URL written in the file has a
// password and a port nothing listens on.
const sysFailing = `  - name: queue
    adapter: postgres
    url: {secret: QUEUE_DATABASE_URL}
  - name: jobs
    adapter: postgres
    url: 'postgres://jobs:JOBS_PW@127.0.0.1:PORT/jobs?sslmode=disable'`

// TestNoSecretsAnywhere plants every kind of secret (repository, REST,
// AWS and database passwords, a database URL's password and token, the
// notification URLs' tokens, a token printed by the drill check and the
// evidence signing key) in the configuration, the environment, a drill
// check's output and error messages; runs validate, backup (one failing), check,
// drill (failing once), schedule with notifications and metrics,
// evidence in every format, signed, evidence history and list through
// the real CLI; and requires that no secret is found in anything printed,
// any state file, the metrics, the notification requests, the evidence
// files, or any file of any snapshot (the history's mirror, the row-count
// manifests).
func TestNoSecretsAnywhere(t *testing.T) {
	t.Parallel()
	rest := testenv.StartRESTServer(t, testenv.RESTServerOpts{})
	mon := newCaptureServer(t)
	hcUUID, hookPath, hookToken := newUUID(), newSecret(), newSecret()
	// The REST user name is not planted: user names are not secrets (the
	// redactor keeps them, and the drill check prints it with env).
	s := planted{
		"restic password": newSecret(), "REST password": rest.Password, "AWS access key ID": "AKIA" + newSecret()[:16],
		"AWS secret key": newSecret() + newSecret()[:14], "PGPASSWORD": newSecret(), "MYSQL_PWD": newSecret(),
		"queue URL password": newSecret(), "queue URL token": newSecret(), "jobs URL password": newSecret(),
		"DATABASE_URL password": newSecret(), "healthchecks UUID": hcUUID, "webhook path token": hookPath,
		"webhook token": hookToken, "drill check access token": newSecret(),
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(closed.Addr().(*net.TCPAddr).Port)
	closed.Close()

	a := &opsApp{dir: t.TempDir()}
	loc := rest.Location("vault")
	cfg := strings.NewReplacer("DIR", a.dir, "REPO", loc)
	a.write(t, "config/kamal-backup.yml", cfg.Replace(strings.Replace(sysConfig, "EXTRA\n", "", 1)))
	failing := strings.NewReplacer("JOBS_PW", s["jobs URL password"], "PORT", port).Replace(sysFailing)
	// The failing configuration names the REST credentials in the
	// repository's URL too.
	failing = strings.NewReplacer("EXTRA", failing, "REPO", rest.LocationWithCredentials("vault")).Replace(sysConfig)
	a.write(t, "config/failing.yml", cfg.Replace(failing))
	a.write(t, "storage/a.txt", "a file")
	for _, d := range []string{"data", "out", "keys", "metrics"} {
		if err := os.MkdirAll(a.path(d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	opsSQLite(t, a.path("data/app.sqlite3"), "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('one'), ('two');")
	a.env = append([]string{"KAMAL_BACKUP_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + a.dir, "TMPDIR=" + os.TempDir(),
		"RESTIC_PASSWORD=" + s["restic password"], "AWS_ACCESS_KEY_ID=" + s["AWS access key ID"],
		"AWS_SECRET_ACCESS_KEY=" + s["AWS secret key"], "PGPASSWORD=" + s["PGPASSWORD"], "MYSQL_PWD=" + s["MYSQL_PWD"],
		"QUEUE_DATABASE_URL=postgres://queue:" + s["queue URL password"] + "@127.0.0.1:" + port +
			"/queue?token=" + s["queue URL token"] + "&application_name=bad%zz",
		"NOTIFY_WEBHOOK_URL=" + mon.URL + "/hook/" + hookPath + "?token=" + hookToken,
		"HEALTHCHECKS_URL=" + mon.URL + "/ping/" + hcUUID}, rest.Env()...)
	initREST(t, loc, a.env, s["restic password"])

	var printed []string // every stdout and stderr
	run := func(extra []string, want int, args ...string) result {
		t.Helper()
		res := a.run(t, extra, args...)
		printed = append(printed, strings.Join(args, " ")+"\n"+res.output())
		if res.code != want {
			t.Fatalf("kamal-backup %s: exit %d, want %d\n%s", strings.Join(args, " "), res.code, want, res.output())
		}
		return res
	}
	run(nil, 0, "validate")
	dbURL := "DATABASE_URL=postgres://app:" + s["DATABASE_URL password"] + "@db/app"
	res := run([]string{dbURL}, 1, "validate")
	wantContains(t, "validate with DATABASE_URL", res.stderr, "DATABASE_URL")
	run(nil, 0, "backup")
	run(nil, 0, "check")

	// A script, as the command line may name no secret, not even as
	// access_token=$VAR (the child process guard refuses that); its token
	// is known to no redactor, only by its key.
	a.write(t, "check.sh", `env; echo "queue: $QUEUE_DATABASE_URL"; echo "$RESTIC_PASSWORD $AWS_SECRET_ACCESS_KEY $PGPASSWORD"
echo "https://x.example/cb?access_token=`+s["drill check access token"]+`"
if [ ! -e failed-once ]; then touch failed-once; echo "cannot reach $QUEUE_DATABASE_URL" >&2; exit 3; fi
`)
	drill := []string{"drill", "production", "--yes", "--sqlite-path", a.path("scratch/app.sqlite3"),
		"--files", a.path("scratch/files"), "--check", "sh check.sh"}
	res = run(nil, 1, append(drill, "--json")...)
	var failed kbackup.DrillRecord
	if err := json.Unmarshal([]byte(res.stdout), &failed); err != nil || failed.Status != kbackup.StatusFailed ||
		failed.Error == nil || !strings.Contains(*failed.Error, "cannot reach postgres://queue:[REDACTED]@") {
		t.Errorf("failed drill: %v\n%s", err, res.stdout)
	}
	run(nil, 0, drill...)
	var drilled kbackup.DrillRecord
	a.record(t, kbackup.LastDrillRecord, &drilled)
	if drilled.Check == nil || drilled.Check.Output == nil {
		t.Fatalf("drill record without check output: %+v", drilled)
	}
	wantContains(t, "drill check output", *drilled.Check.Output, "AWS_SECRET_ACCESS_KEY=[REDACTED]", "PGPASSWORD=[REDACTED]",
		"postgres://queue:[REDACTED]@", "access_token=[REDACTED]", "[REDACTED] [REDACTED] [REDACTED]")

	// With three databases DATABASE_URL is ignored, with a warning.
	res = run([]string{dbURL}, 1, "backup", "--force", "--json", "-c", "config/failing.yml")
	wantContains(t, "failing backup", res.output(), "DATABASE_URL is ignored", `database queue: dump database \"queue\" (postgres postgres://queue:[REDACTED]@`,
		`database jobs: dump database \"jobs\"`)

	prom := a.path("metrics/kamal_backup.prom")
	sched := startSchedule(t, a, dbURL, "KAMAL_BACKUP_CONFIG=config/failing.yml", "KAMAL_BACKUP_METRICS_FILE="+prom)
	sched.waitFor(t, "backup failed")
	mon.wait(t, 3) // healthchecks /start and /fail, the webhook's failure
	sched.stop(t)
	reqs := mon.wait(t, 3)
	printed = append(printed, "schedule\n"+sched.log())
	wantContains(t, "schedule log", sched.log(), "webhook notification failed", "HTTP status 403 /hook/[REDACTED]")
	for _, r := range reqs {
		allowed := []string{"healthchecks UUID"}
		if strings.HasPrefix(r.uri, "/hook/") {
			allowed = []string{"webhook path token", "webhook token"}
		}
		s.leaks(t, "notification URL "+r.uri, r.uri, allowed...)
		s.leaks(t, "notification request to "+r.uri, r.header+"\n"+r.body)
	}
	if len(reqs) != 3 || !strings.HasSuffix(reqs[1].uri, "/fail") || !strings.Contains(reqs[2].body, `"event":"failure"`) {
		t.Errorf("notification requests: %+v", reqs)
	}
	run(nil, 0, "check")

	out := a.path("out")
	run(nil, 0, "evidence")
	run(nil, 0, "evidence", "--format", "markdown", "--output", filepath.Join(out, "evidence.md"))
	run(nil, 0, "evidence", "--format", "html", "--output", filepath.Join(out, "evidence.html"))
	run(nil, 0, "evidence", "keygen", "--out", a.path("keys/signing"))
	key, err := os.ReadFile(a.path("keys/signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(string(key), "\n"); len(lines) > 2 && len(lines[1]) > 40 {
		s["signing key"] = lines[1] // the base64 of the private key
	} else {
		t.Fatalf("signing key file:\n%s", key)
	}
	run(nil, 0, "evidence", "--output", filepath.Join(out, "evidence.json"), "--sign", a.path("keys/signing.key"))
	run(nil, 0, "evidence", "history", "--json")
	run(nil, 0, "list", "--json")

	wantContains(t, "everything printed", strings.Join(printed, "\n"), `"message_type":"status"`) // progress lines
	for _, text := range printed {
		s.leaks(t, "output of kamal-backup "+strings.SplitN(text, "\n", 2)[0], text)
	}
	if n := s.leaksInTree(t, out); n != 4 {
		t.Errorf("%d evidence files, want markdown, html, json and its signature", n)
	}
	metrics, err := os.ReadFile(prom)
	if err != nil || !strings.Contains(string(metrics), "kamal_backup_last_run_success") {
		t.Errorf("metrics file: %v\n%s", err, metrics)
	}
	s.leaks(t, "metrics file", string(metrics))
	s.leaksInTree(t, a.path("state"))
	for _, name := range []string{kbackup.HistoryFile, kbackup.VerifiedPacksRecord, kbackup.CheckRotationRecord} {
		if _, err := os.Stat(a.path("state/" + name)); err != nil {
			t.Errorf("state file %s: %v", name, err)
		}
	}
	history, _ := os.ReadFile(a.path("state/" + kbackup.HistoryFile))
	entries := strings.Count(string(history), "\n")
	wantContains(t, "history", string(history), "access_token=[REDACTED]", "postgres://queue:[REDACTED]@")

	mirrors, manifests := 0, 0
	for name, data := range snapshotFiles(t, append([]string{"RESTIC_REPOSITORY=" + loc, "RESTIC_PASSWORD=" + s["restic password"]}, rest.Env()...)) {
		s.leaks(t, "snapshot file "+name, data)
		if strings.Contains(name, "type:evidence") {
			mirrors++
		}
		if strings.HasSuffix(name, kbackup.RowCountsSuffix) {
			manifests++
		}
	}
	// Every history entry is mirrored (2 backups and the scheduled one, 2
	// checks, 2 drills); each backup stored a manifest of database app.
	if mirrors != entries || entries != 7 || manifests != 3 {
		t.Errorf("%d history mirror files for %d entries and %d row-count manifests read from the repository", mirrors, entries, manifests)
	}
}

// initREST creates the repository at loc with a cheap key.
func initREST(t *testing.T, loc string, env []string, password string) {
	t.Helper()
	be, err := location.OpenWithEnv(context.Background(), loc, func(name string) (string, bool) {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, name+"="); ok {
				return v, true
			}
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	if _, err := repo.Init(context.Background(), be, password, repo.InitOptions{KDF: fastKDF}); err != nil {
		t.Fatal(err)
	}
}
