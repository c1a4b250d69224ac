package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dumpData returns n bytes that compress a little and chunk into several
// blobs.
func dumpData(n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < n {
		if rng.IntN(2) == 0 {
			b.WriteString("INSERT INTO t VALUES (1, 'row');\n")
		} else {
			for range 64 {
				b.WriteByte(byte(rng.Uint32()))
			}
		}
	}
	return b.String()[:n]
}

func TestInitBackupListDumpRestore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"RESTIC_REPOSITORY": filepath.Join(dir, "repo"), "RESTIC_PASSWORD": "flow-password"}

	res := mustRun(t, env, "", "repo", "init")
	if !strings.HasPrefix(res.stdout, "created repository ") {
		t.Fatalf("init printed %q", res.stdout)
	}
	cheapKey(t, env["RESTIC_REPOSITORY"], env["RESTIC_PASSWORD"])
	if res := runCLI(t, env, "", "repo", "init"); res.code != 1 || !strings.Contains(res.stderr, "already exists") {
		t.Fatalf("second init: exit %d, %s", res.code, res.stderr)
	}

	data := dumpData(3 << 19)
	res = mustRun(t, env, data, "repo", "backup", "--stdin", "--stdin-filename", "databases/app.sql",
		"--tag", "app,type:database", "--host", "web1", "--json")
	var summary struct {
		MessageType         string `json:"message_type"`
		SnapshotID          string `json:"snapshot_id"`
		TotalBytesProcessed int    `json:"total_bytes_processed"`
		FilesNew            int    `json:"files_new"`
	}
	decodeJSON(t, res.stdout, &summary)
	if summary.MessageType != "summary" || len(summary.SnapshotID) != 64 || summary.TotalBytesProcessed != len(data) || summary.FilesNew != 1 {
		t.Fatalf("backup summary %+v from %s", summary, res.stdout)
	}

	res = mustRun(t, env, "", "repo", "snapshots", "--json")
	var snaps []struct {
		ID             string   `json:"id"`
		ShortID        string   `json:"short_id"`
		Hostname       string   `json:"hostname"`
		Tags           []string `json:"tags"`
		Paths          []string `json:"paths"`
		ProgramVersion string   `json:"program_version"`
	}
	decodeJSON(t, res.stdout, &snaps)
	if len(snaps) != 1 || snaps[0].ID != summary.SnapshotID || snaps[0].ShortID != summary.SnapshotID[:8] ||
		snaps[0].Hostname != "web1" || strings.Join(snaps[0].Tags, ",") != "app,type:database" ||
		strings.Join(snaps[0].Paths, ",") != "/databases/app.sql" || !strings.HasPrefix(snaps[0].ProgramVersion, "kamal-backup ") {
		t.Fatalf("snapshots --json: %s", res.stdout)
	}
	if res := mustRun(t, env, "", "repo", "snapshots", "--json", "--tag", "other"); res.stdout != "[]\n" {
		t.Fatalf("filtered snapshots: %q", res.stdout)
	}
	if res := mustRun(t, env, "", "repo", "snapshots", "--host", "web1"); !strings.Contains(res.stdout, summary.SnapshotID[:8]) ||
		!strings.Contains(res.stdout, "/databases/app.sql") || !strings.HasSuffix(res.stdout, "1 snapshot\n") {
		t.Fatalf("snapshots table:\n%s", res.stdout)
	}

	res = mustRun(t, env, "", "repo", "ls", "--json", "latest")
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], `"message_type":"snapshot","struct_type":"snapshot"}`) ||
		!strings.Contains(lines[1], `"path":"/databases"`) || !strings.Contains(lines[2], `"path":"/databases/app.sql"`) {
		t.Fatalf("ls --json:\n%s", res.stdout)
	}
	if res := mustRun(t, env, "", "repo", "ls", "latest"); res.stdout != "/databases\n/databases/app.sql\n" {
		t.Fatalf("ls: %q", res.stdout)
	}
	if res := mustRun(t, env, "", "repo", "ls", summary.SnapshotID[:6]+":databases"); res.stdout != "/app.sql\n" {
		t.Fatalf("ls ID:subfolder: %q", res.stdout)
	}

	for _, args := range [][]string{{"latest", "/databases/app.sql"}, {"latest:databases", "app.sql"}} {
		res := mustRun(t, env, "", append([]string{"repo", "dump"}, args...)...)
		if res.stdout != data {
			t.Fatalf("dump %v: got %d bytes, want %d", args, len(res.stdout), len(data))
		}
	}
	if res := runCLI(t, env, "", "repo", "dump", "latest", "/databases"); res.code != 1 || !strings.Contains(res.stderr, "dir") {
		t.Fatalf("dump of a directory: exit %d %s", res.code, res.stderr)
	}

	target := filepath.Join(dir, "restored")
	res = mustRun(t, env, "", "repo", "restore", "latest", "--target", target, "--json")
	if res.stdout != `{"message_type":"summary","total_files":2,"files_restored":2,"total_bytes":1572864,"bytes_restored":1572864}`+"\n" {
		t.Errorf("restore --json printed %s", res.stdout)
	}
	got, err := os.ReadFile(filepath.Join(target, "databases", "app.sql"))
	if err != nil || !bytes.Equal(got, []byte(data)) {
		t.Fatalf("restored file: %d bytes, %v", len(got), err)
	}
	target = filepath.Join(dir, "restored-sub")
	mustRun(t, env, "", "repo", "restore", "latest:databases", "--target", target)
	if got, err := os.ReadFile(filepath.Join(target, "app.sql")); err != nil || len(got) != len(data) {
		t.Fatalf("restore latest:databases: %d bytes, %v", len(got), err)
	}

	res = mustRun(t, env, "", "repo", "cat", "config")
	var cfg struct {
		Version int    `json:"version"`
		ID      string `json:"id"`
		Pol     string `json:"chunker_polynomial"`
	}
	decodeJSON(t, res.stdout, &cfg)
	if cfg.Version != 2 || len(cfg.ID) != 64 || cfg.Pol == "" {
		t.Fatalf("cat config: %s", res.stdout)
	}
	res = mustRun(t, env, "", "repo", "cat", "snapshot", summary.SnapshotID[:8])
	if !strings.Contains(res.stdout, `"hostname": "web1"`) {
		t.Fatalf("cat snapshot: %s", res.stdout)
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	env, _ := newRepo(t, "old-password")
	newPW := filepath.Join(t.TempDir(), "new")
	if err := os.WriteFile(newPW, []byte("new-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := mustRun(t, env, "", "repo", "key", "add", "--new-password-file", newPW, "--json")
	var added struct {
		MessageType string `json:"message_type"`
		ID          string `json:"id"`
	}
	decodeJSON(t, res.stdout, &added)
	if added.MessageType != "key_added" || len(added.ID) != 64 {
		t.Fatalf("key add: %s", res.stdout)
	}
	newEnv := map[string]string{"RESTIC_REPOSITORY": env["RESTIC_REPOSITORY"], "RESTIC_PASSWORD": "new-password"}
	res = mustRun(t, newEnv, "", "repo", "key", "list", "--json")
	var keys []struct {
		Current bool   `json:"current"`
		ID      string `json:"id"`
	}
	decodeJSON(t, res.stdout, &keys)
	if len(keys) != 2 {
		t.Fatalf("key list: %s", res.stdout)
	}
	for _, k := range keys {
		if k.Current != (k.ID == added.ID) {
			t.Fatalf("key list marks the wrong key current: %s", res.stdout)
		}
	}
	res = mustRun(t, env, "", "repo", "cat", "key", added.ID[:10])
	if !strings.Contains(res.stdout, `"data": "[REDACTED]"`) || !strings.Contains(res.stdout, `"kdf": "scrypt"`) {
		t.Fatalf("cat key: %s", res.stdout)
	}
	if res := runCLI(t, newEnv, "", "repo", "key", "remove", added.ID); res.code != 1 || !strings.Contains(res.stderr, "in use") {
		t.Fatalf("removing the key in use: exit %d %s", res.code, res.stderr)
	}
	mustRun(t, env, "", "repo", "key", "remove", added.ID[:12])
	if res := runCLI(t, newEnv, "", "repo", "snapshots"); res.code != 12 {
		t.Fatalf("removed password still opens the repository: exit %d %s", res.code, res.stderr)
	}
}

func decodeJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}
