package command

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/redact"
)

func TestEnvIsolation(t *testing.T) {
	t.Setenv("KB_TEST_PARENT_SECRET", "parent-value")
	t.Setenv("LANG", "C.UTF-8")
	var out bytes.Buffer
	spec := Spec{Path: "env", Env: []string{"FOO=bar", "FOO=baz"}}
	if err := Run(t.Context(), spec, &out); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, kv := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	for _, name := range names {
		if !slices.Contains([]string{"PATH", "HOME", "LANG", "TZ", "FOO"}, name) {
			t.Errorf("child environment has %s:\n%s", name, out.String())
		}
	}
	if !strings.Contains(out.String(), "FOO=baz\n") || strings.Contains(out.String(), "FOO=bar") ||
		!strings.Contains(out.String(), "LANG=C.UTF-8") || !strings.Contains(out.String(), "PATH=") {
		t.Errorf("child environment:\n%s", out.String())
	}

	out.Reset()
	spec = sh(`echo "${KB_TEST_PARENT_SECRET-unset}"`)
	spec.InheritEnv = true
	if err := Run(t.Context(), spec, &out); err != nil || out.String() != "parent-value\n" {
		t.Errorf("InheritEnv: %q, %v", out.String(), err)
	}
}

func TestEnvChoosesPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/kb-tool", []byte("#!/bin/sh\necho from-dir\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	spec := Spec{Path: "kb-tool", Env: []string{"PATH=relative/dir:" + dir}}
	if err := Run(t.Context(), spec, &out); err != nil || out.String() != "from-dir\n" {
		t.Errorf("Run = %q, %v", out.String(), err)
	}
	spec = Spec{Path: "sh", Env: []string{"PATH=/nonexistent"}}
	if err := Run(t.Context(), spec, &out); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("sh with PATH=/nonexistent: %v", err)
	}
}

func TestEnvInvalidEntry(t *testing.T) {
	err := Run(t.Context(), Spec{Path: "true", Env: []string{"bare-secret-value"}}, &bytes.Buffer{})
	if err == nil || strings.Contains(err.Error(), "bare-secret-value") {
		t.Errorf("Run = %v", err)
	}
}

func TestArgvSecretGuard(t *testing.T) {
	var r redact.Redactor
	r.Add("hunter2-db-pw")
	cases := []struct {
		args []string
		r    *redact.Redactor
	}{
		{[]string{"-c", "echo hunter2-db-pw"}, &r},
		{[]string{"--password=anything"}, nil},
		{[]string{"postgres://app:pw@db/app"}, nil},
		{[]string{"-e", "SET PASSWORD = 'x'"}, nil},
	}
	for _, c := range cases {
		dir := t.TempDir()
		spec := Spec{Path: "touch", Args: append(c.args, dir+"/started"), Redactor: c.r}
		err := Run(t.Context(), spec, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "pass it in the environment") {
			t.Errorf("args %q: Run = %v", c.args, err)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "anything")) {
			t.Errorf("guard error leaks the secret: %v", err)
		}
		if _, serr := os.Stat(dir + "/started"); serr == nil {
			t.Errorf("args %q: the command ran", c.args)
		}
	}
	// Arguments that merely mention a password are fine.
	if err := Run(t.Context(), Spec{Path: "true", Args: []string{"--no-password", "-w"}, Redactor: &r}, &bytes.Buffer{}); err != nil {
		t.Errorf("--no-password rejected: %v", err)
	}
	// So are references to variables holding one, as a drill's check
	// command is told to write them.
	script := `curl -fsS "https://app.example.com/health?access_token=$HEALTH_TOKEN" && PGPASSWORD="$DB_PW" true`
	if err := Run(t.Context(), Spec{Path: "true", Args: []string{"-c", script}, Redactor: &r}, &bytes.Buffer{}); err != nil {
		t.Errorf("variable references rejected: %v", err)
	}
}
