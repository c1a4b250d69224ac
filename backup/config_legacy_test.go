package backup

import (
	"encoding/json"
	"strings"
	"testing"
)

// The Ruby kamal-backup accepted passwords written in the file; they still
// load, with a warning, and stay secret everywhere.
func TestLiteralPasswordsLoadWithWarning(t *testing.T) {
	yaml := strings.Replace(validBase, "password: {secret: DB_PASSWORD}", "password: hunter2hunter2", 1)
	yaml = strings.Replace(yaml, "password: {secret: RESTIC_PASSWORD}", "password: restic-literal-secret", 1)
	cfg := mustLoad(t, yaml, fakeEnv{}, LoadOptions{})
	if got := cfg.RepositoryPassword().Reveal(); got != "restic-literal-secret" {
		t.Fatalf("repository password %q", got)
	}
	if got := cfg.Databases()[0].Password.Reveal(); got != "hunter2hunter2" {
		t.Fatalf("database password %q", got)
	}
	warned := 0
	for _, w := range cfg.Warnings {
		if strings.Contains(w, "accepted for compatibility") {
			warned++
		}
	}
	if warned != 2 {
		t.Errorf("want 2 compatibility warnings, got %q", cfg.Warnings)
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2hunter2", "restic-literal-secret"} {
		if strings.Contains(string(js), secret) || strings.Contains(strings.Join(cfg.Warnings, " "), secret) {
			t.Errorf("secret %q printed", secret)
		}
		if got := cfg.Redactor().Redact("x " + secret + " y"); strings.Contains(got, secret) {
			t.Errorf("redactor does not know %q", secret)
		}
	}
}
