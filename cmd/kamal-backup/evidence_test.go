package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// evidenceNow is the clock of the evidence tests.
var evidenceNow = time.Date(2026, 11, 27, 14, 12, 5, 0, time.UTC)

// evidenceApp is an app directory with a configuration, a repository
// and a state directory.
type evidenceApp struct {
	dir, config string
	env         map[string]string
	r           *repo.Repository
}

// newEvidenceApp writes a configuration declaring an RPO of 26h and no
// other objective, and creates its repository.
func newEvidenceApp(t *testing.T) *evidenceApp {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"storage", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	config := filepath.Join(dir, "kamal-backup.yml")
	yml := strings.ReplaceAll(`app: peerapp
databases:
  - name: app
    adapter: postgres
    url: postgres://peer@db:5432/peerapp
    password: {secret: DATABASE_PASSWORD}
paths: [DIR/storage]
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
state:
  path: DIR/state
evidence:
  rpo: 26h
`, "DIR", dir)
	if err := os.WriteFile(config, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"RESTIC_PASSWORD": "cli-evidence-pw-5512", "DATABASE_PASSWORD": "cli-db-pw-7781"}
	be, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(context.Background(), be, env["RESTIC_PASSWORD"], repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	return &evidenceApp{dir: dir, config: config, env: env, r: r}
}

// backupAt stores a database and a file snapshot of the app taken at t.
func (a *evidenceApp) backupAt(t *testing.T, at time.Time) {
	t.Helper()
	backupStream(t, a.r, "databases/peerapp/app/postgres.pgdump", "dump\n",
		repo.SnapshotOptions{Host: "peerapp-backup", Tags: kbackup.DatabaseTags("peerapp", "app", "postgres"), Time: at})
	backupStream(t, a.r, "storage/f", "file\n",
		repo.SnapshotOptions{Host: "peerapp-backup", Tags: kbackup.FileTags("peerapp", []string{a.dir + "/storage"}), Time: at})
}

// evidenceRoot is a command line holding only the evidence command, as
// app.go will hold it.
type evidenceRoot struct {
	Globals
	Evidence evidenceGroup `cmd:""`
}

// runEvidence parses and runs "evidence args..." as run does, with the
// test clock and no tools installed, and returns stdout, stderr and the
// exit code.
func runEvidence(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runEvidenceAt(t, env, evidenceNow, args...)
}

// runEvidenceAt is runEvidence with the clock standing at now.
func runEvidenceAt(t *testing.T, env map[string]string, now time.Time, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	red := &cli.Redactor{}
	addEnvSecrets(red, lookup)
	var root evidenceRoot
	root.Globals = Globals{stdin: strings.NewReader(""), stdout: &stdout, lookup: lookup, redact: red,
		log: newLogger(red.Writer(&stderr), false, false)}
	parser, err := kong.New(&root, kong.Name("kamal-backup"), kong.Writers(&stdout, &stderr),
		kong.Exit(func(code int) { panic(exitSignal{code}) }), kong.Resolvers(envResolver(lookup)))
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(append([]string{"evidence"}, args...))
	if err != nil {
		return result{stderr: err.Error(), code: exitError}
	}
	root.Evidence.Report.now = func() time.Time { return now }
	root.Evidence.Report.tools = func(context.Context) map[string]*string { return nil }
	kctx.BindTo(context.Background(), (*context.Context)(nil))
	err = kctx.Run(&root.Globals)
	if err != nil {
		writeFatal(&root.Globals, &stderr, err, exitCode(err))
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: exitCode(err)}
}

func TestEvidenceJSON(t *testing.T) {
	t.Parallel()
	a := newEvidenceApp(t)
	a.backupAt(t, evidenceNow.Add(-2*time.Hour))
	res := runEvidence(t, a.env, "--config", a.config)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var doc struct {
		Kind       string `json:"kind"`
		App        string `json:"app_name"`
		Objectives struct {
			Verdict string `json:"verdict"`
		} `json:"objectives"`
		Latest map[string]struct {
			ID string `json:"id"`
		} `json:"latest_database_backups"`
		Tools map[string]*string `json:"tool_versions"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, res.stdout)
	}
	if doc.Kind != "evidence" || doc.App != "peerapp" || doc.Objectives.Verdict != "pass" || len(doc.Latest["app"].ID) != 8 {
		t.Errorf("unexpected evidence: %+v\n%s", doc, res.stdout)
	}
	if v := doc.Tools["kamal_backup_engine"]; v == nil || *v != "kamal-backup "+programVersion() {
		t.Errorf("engine version %v", v)
	}
	if locks, _ := os.ReadDir(filepath.Join(a.dir, "repo", "locks")); len(locks) != 0 {
		t.Errorf("%d locks left behind", len(locks))
	}
}

// TestEvidenceStrict fails with --strict when the RPO is not met, and
// still writes the evidence.
func TestEvidenceStrict(t *testing.T) {
	t.Parallel()
	a := newEvidenceApp(t)
	a.backupAt(t, evidenceNow.Add(-3*24*time.Hour))
	out := filepath.Join(a.dir, "evidence.md")
	res := runEvidence(t, a.env, "--config", a.config, "--format", "markdown", "--output", out, "--strict", "--no-lock")
	if res.code != exitError || !strings.Contains(res.stderr, "the recovery objectives are not met (verdict fail): rpo: no backup of database:app for 3d") {
		t.Fatalf("exit %d, stderr:\n%s", res.code, res.stderr)
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(md), "# Backup evidence for peerapp\n") || !strings.Contains(string(md), "**FAIL**") {
		t.Errorf("Markdown:\n%s", md)
	}
	if res.stdout != "" {
		t.Errorf("stdout with --output: %q", res.stdout)
	}
	if res := runEvidence(t, a.env, "--config", a.config, "--window", "1w", "--format", "html"); res.code != 0 || !strings.Contains(res.stdout, "<!DOCTYPE html>") {
		t.Errorf("without --strict: exit %d\n%s", res.code, res.stderr)
	}
}

// TestEvidenceErrors covers bad flags, a bad configuration and a wrong
// password, none of which prints a secret.
func TestEvidenceErrors(t *testing.T) {
	t.Parallel()
	a := newEvidenceApp(t)
	wrong := map[string]string{"RESTIC_PASSWORD": "wrong-pw-but-secret-4410", "DATABASE_PASSWORD": a.env["DATABASE_PASSWORD"]}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{a.env, []string{"--config", a.config, "--format", "pdf"}, exitError, "--format"},
		{a.env, []string{"--config", a.config, "--window", "1h30m"}, exitError, "--window"},
		{a.env, []string{"--config", filepath.Join(a.dir, "missing.yml")}, exitError, "missing.yml"},
		{wrong, []string{"--config", a.config}, exitWrongPassword, ""},
	} {
		res := runEvidence(t, tc.env, tc.args...)
		if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, res.code, res.stderr, tc.code, tc.want)
		}
		for _, secret := range []string{wrong["RESTIC_PASSWORD"], a.env["RESTIC_PASSWORD"], a.env["DATABASE_PASSWORD"]} {
			if strings.Contains(res.output(), secret) {
				t.Errorf("%v printed a secret:\n%s", tc.args, res.output())
			}
		}
	}
}
