package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSecretsInOutput runs many commands, failing and succeeding, and
// checks that neither the password nor URL credentials are ever printed.
func TestNoSecretsInOutput(t *testing.T) {
	t.Parallel()
	const password = "Tr0ub4dor-and-3-unique-pw-4711"
	const urlSecret = "url-secret-99"
	env, r := newRepo(t, password)
	backupStream(t, r, "db.sql", "SELECT 1;\n", snapshotOpts("web1"))
	loc := env["RESTIC_REPOSITORY"]
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fileEnv := map[string]string{"RESTIC_REPOSITORY": loc, "RESTIC_PASSWORD_FILE": pwFile}
	cmdEnv := map[string]string{"RESTIC_REPOSITORY": loc, "RESTIC_PASSWORD_COMMAND": "echo " + password}
	wrongEnv := map[string]string{"RESTIC_REPOSITORY": loc, "RESTIC_PASSWORD": password + "-wrong"}
	urlEnv := map[string]string{"RESTIC_REPOSITORY": "rest:https://user:" + urlSecret + "@host:8000/repo", "RESTIC_PASSWORD": password}
	keyList := mustRun(t, env, "", "repo", "key", "list", "--json")
	keyID := keyList.stdout[strings.Index(keyList.stdout, `"id":"`)+6:][:8]

	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{env, []string{"repo", "snapshots"}},
		{env, []string{"repo", "snapshots", "--json"}},
		{fileEnv, []string{"repo", "ls", "--json", "latest"}},
		{cmdEnv, []string{"repo", "ls", "latest"}},
		{env, []string{"repo", "cat", "config"}},
		{env, []string{"repo", "cat", "key", keyID}},
		{env, []string{"repo", "cat", "masterkey"}},
		{env, []string{"repo", "key", "list"}},
		{env, []string{"repo", "dump", "latest", "/db.sql"}},
		{env, []string{"repo", "backup", "--stdin", "--json"}},
		{env, []string{"repo", "init"}},
		{wrongEnv, []string{"repo", "snapshots"}},
		{wrongEnv, []string{"repo", "snapshots", "--json"}},
		{urlEnv, []string{"repo", "snapshots"}},
		{urlEnv, []string{"repo", "init", "--json"}},
		{env, []string{"repo", "init", "--repository-version", "https://user:" + urlSecret + "@host/"}},
		{env, []string{"-r", "rest:https://u:" + urlSecret + "@h/r", "repo", "snapshots"}},
		{env, []string{"--password-file", filepath.Join(dir, "missing"), "repo", "snapshots"}},
		{map[string]string{"RESTIC_REPOSITORY": loc, "RESTIC_PASSWORD_COMMAND": "false " + password}, []string{"repo", "snapshots"}},
	} {
		res := runCLI(t, tc.env, "hello\n", tc.args...)
		for _, secret := range []string{password, urlSecret} {
			if strings.Contains(res.output(), secret) {
				t.Errorf("%v printed a secret (exit %d):\nstdout:\n%s\nstderr:\n%s", tc.args, res.code, res.stdout, res.stderr)
			}
		}
	}
}
