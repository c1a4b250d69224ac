package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
)

// plantedSecrets are secrets of every kind, each unique enough never to
// occur by chance; only letters and digits, so no rendering escapes them
// into another form.
var plantedSecrets = map[string]string{
	"restic password":          "ResticPw9081Xq",
	"database password (url)":  "DbUrlPw5521Kz",
	"database password (env)":  "DbEnvPw7730Wm",
	"aws access key":           "AKIAEVIDENCE4471",
	"aws secret key":           "AwsSecret8842Tn",
	"rest password":            "RestPw3319Hv",
	"rest url password":        "RestUrlPw6604Lb",
	"repository query token":   "QueryTok2291Pc",
	"check output query token": "OutTok4418Ry",
}

// TestNoSecretInEvidence plants secrets in the configuration, the
// environment, the drill's check output and the records' error messages
// (written unredacted, as by an older version) and finds none of them
// in any rendering.
func TestNoSecretInEvidence(t *testing.T) {
	t.Parallel()
	s := plantedSecrets
	location := "rest:https://backup:" + s["rest url password"] + "@backup.example.com:8000/peerapp?token=" + s["repository query token"]
	env := map[string]string{
		"RESTIC_PASSWORD":       s["restic password"],
		"APP_DATABASE_URL":      "postgres://peer:" + s["database password (url)"] + "@db.internal:5432/peerapp_production",
		"DATABASE_PASSWORD":     s["database password (env)"],
		"RESTIC_REST_PASSWORD":  s["rest password"],
		"AWS_ACCESS_KEY_ID":     s["aws access key"],
		"AWS_SECRET_ACCESS_KEY": s["aws secret key"],
	}
	f := newFixtureAt(t, location, "", env)
	f.daily(t, 2)
	writeLeakyRecords(t, f)

	// The process environment's secrets reach Collect through
	// Options.Redactor, as the command passes them.
	extra := &redact.Redactor{}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	extra.AddEnv(environ)
	opts := f.options()
	opts.Redactor = extra
	doc, err := Collect(context.Background(), f.cfg, f.r, opts)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{"%+v": fmt.Sprintf("%+v", doc)}
	for _, format := range Formats {
		outputs[format] = render(t, doc, format)
	}
	for where, out := range outputs {
		for kind, secret := range s {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaked into the %s rendering:\n%s", kind, where, out)
			}
		}
	}
	if !strings.Contains(outputs[FormatJSON], redact.Redacted) {
		t.Error("nothing was redacted: the secrets never reached the document, so the test proves nothing")
	}
	if doc.Repository.Value == nil || doc.Repository.Value.Backend != "rest" {
		t.Errorf("backend kind %+v, want rest", doc.Repository)
	}
}

// writeLeakyRecords writes records holding every planted secret, with
// no redactor.
func writeLeakyRecords(t *testing.T, f *fixture) {
	t.Helper()
	s := plantedSecrets
	sd := backup.StateDir{Path: f.cfg.State.Path}
	at := now.Add(-time.Hour)
	leak := strings.Join([]string{
		"connecting to postgres://peer:" + s["database password (url)"] + "@db.internal/peerapp",
		"PGPASSWORD=" + s["database password (env)"],
		"restic password is " + s["restic password"],
		"aws " + s["aws access key"] + " " + s["aws secret key"],
		"GET https://backup.example.com/?access_token=" + s["check output query token"],
		"rest " + s["rest password"] + " " + s["rest url password"] + " " + s["repository query token"],
	}, "\n")
	out := leak + "\n"
	if err := sd.WriteRecord(backup.LastDrillRecord, &backup.DrillRecord{
		RecordHeader: backup.NewRecordHeader(backup.KindDrillResult), Status: backup.StatusFailed, Scope: "local",
		RequestedSnapshot: "latest", StartedAt: at, FinishedAt: at.Add(time.Minute), Error: &leak,
		Check: &backup.DrillCheck{Status: backup.StatusFailed, Command: "curl https://app.example.com/health?token=" + s["check output query token"] + " " + known(s), Output: &out, Error: &leak},
	}); err != nil {
		t.Fatal(err)
	}
	if err := sd.WriteRecord(backup.LastCheckRecord, &backup.CheckRecord{
		RecordHeader: backup.NewRecordHeader(backup.KindCheckResult), Status: backup.StatusFailed,
		StartedAt: at, FinishedAt: at, Error: "Fatal: " + leak, Output: leak,
	}); err != nil {
		t.Fatal(err)
	}
	// A check record written without a redactor keeps the secrets; make
	// sure the test really plants them.
	var raw json.RawMessage
	if _, err := sd.ReadRecord(backup.LastCheckRecord, &raw); err != nil || !strings.Contains(string(raw), s["aws secret key"]) {
		t.Fatalf("the record does not hold the secret: %v", err)
	}
}

// known joins, into one argument, the planted secrets a redactor knows
// by value: all but the check output's token, which only its shape
// (token=...) gives away.
func known(s map[string]string) string {
	var parts []string
	for kind, v := range s {
		if kind != "check output query token" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ",")
}

// TestProcessEnvironmentRedacted relies on the default Options.Redactor:
// a secret that only the process environment knows is redacted.
func TestProcessEnvironmentRedacted(t *testing.T) {
	const secret = "ProcEnvSecret6612Qd"
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	f := newFixture(t, "", nil)
	out := "aws says " + secret + "\n"
	at := now.Add(-time.Hour)
	sd := backup.StateDir{Path: f.cfg.State.Path}
	if err := sd.WriteRecord(backup.LastDrillRecord, &backup.DrillRecord{RecordHeader: backup.NewRecordHeader(backup.KindDrillResult),
		Status: backup.StatusOK, StartedAt: at, FinishedAt: at, Check: &backup.DrillCheck{Status: backup.StatusOK, Command: "true", Output: &out}}); err != nil {
		t.Fatal(err)
	}
	opts := f.options()
	opts.Redactor = nil
	doc, err := Collect(context.Background(), f.cfg, f.r, opts)
	if err != nil {
		t.Fatal(err)
	}
	if js := render(t, doc, FormatJSON); strings.Contains(js, secret) {
		t.Errorf("the process environment's secret leaked:\n%s", js)
	}
}
