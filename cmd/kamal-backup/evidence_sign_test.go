package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// keygen runs "evidence keygen --out dir/name" and returns the prefix
// and the key ID it printed.
func keygen(t *testing.T, dir, name string) (prefix, id string) {
	t.Helper()
	prefix = filepath.Join(dir, name)
	res := runEvidence(t, nil, "keygen", "--out", prefix)
	if res.code != 0 {
		t.Fatalf("keygen: exit %d: %s", res.code, res.stderr)
	}
	first, _, _ := strings.Cut(res.stdout, "\n")
	id, ok := strings.CutPrefix(first, "created signing key ")
	if !ok || len(id) != 16 {
		t.Fatalf("keygen printed:\n%s", res.stdout)
	}
	key, err := os.ReadFile(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Split(string(key), "\n")[1] // the base64 of the key
	if strings.Contains(res.output(), body) {
		t.Fatalf("keygen printed the private key:\n%s", res.output())
	}
	return prefix, id
}

func TestEvidenceSignAndVerify(t *testing.T) {
	t.Parallel()
	a := newEvidenceApp(t)
	a.backupAt(t, evidenceNow.Add(-2*time.Hour))
	prefix, id := keygen(t, a.dir, "signing")
	out := filepath.Join(a.dir, "evidence.json")
	res := runEvidence(t, a.env, "--config", a.config, "--output", out, "--sign", prefix+".key")
	if res.code != 0 {
		t.Fatalf("evidence --sign: exit %d: %s", res.code, res.stderr)
	}
	key, _ := os.ReadFile(prefix + ".key")
	if strings.Contains(res.output(), strings.Split(string(key), "\n")[1]) {
		t.Fatalf("evidence --sign printed the private key:\n%s", res.output())
	}
	sig, err := os.ReadFile(out + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sig), `"key_id":"`+id+`"`) || !strings.Contains(string(sig), `"signed_at":"2026-11-27T14:12:05Z"`) {
		t.Errorf("signature file:\n%s", sig)
	}

	want := "signature OK: key " + id + ", generated_at 2026-11-27T14:12:05Z, verdict pass\n"
	if res := runEvidence(t, nil, "verify", out, "--pubkey", prefix+".pub"); res.code != 0 || res.stdout != want {
		t.Fatalf("verify: exit %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
	}

	// Reformatted (compact, keys sorted) it still verifies.
	doc, _ := os.ReadFile(out)
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(v)
	writeFile(t, out, compact)
	if res := runEvidence(t, nil, "verify", out, "--pubkey", prefix+".pub", "--signature", out+".sig"); res.code != 0 {
		t.Errorf("compact: exit %d: %s", res.code, res.stderr)
	}

	// One changed value fails.
	writeFile(t, out, bytes.Replace(doc, []byte(`"app_name": "peerapp"`), []byte(`"app_name": "peerapq"`), 1))
	res = runEvidence(t, nil, "verify", out, "--pubkey", prefix+".pub")
	if res.code != exitError || !strings.Contains(res.stderr, "signature does not match") || res.stdout != "" {
		t.Errorf("tampered: exit %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
	}

	// Another key fails.
	writeFile(t, out, doc)
	other, _ := keygen(t, a.dir, "other")
	res = runEvidence(t, nil, "verify", out, "--pubkey", other+".pub")
	if res.code != exitError || !strings.Contains(res.stderr, "signed by key \\\""+id+"\\\"") {
		t.Errorf("other key: exit %d, stderr:\n%s", res.code, res.stderr)
	}
}

// TestEvidenceSignRefusals covers the flags and files --sign, keygen and
// verify refuse.
func TestEvidenceSignRefusals(t *testing.T) {
	t.Parallel()
	a := newEvidenceApp(t)
	prefix, _ := keygen(t, a.dir, "signing")
	if res := runEvidence(t, nil, "keygen", "--out", prefix); res.code != exitError || !strings.Contains(res.stderr, "--force") {
		t.Errorf("keygen over existing files: exit %d: %s", res.code, res.stderr)
	}
	if res := runEvidence(t, nil, "keygen", "--out", prefix, "--force"); res.code != 0 {
		t.Errorf("keygen --force: exit %d: %s", res.code, res.stderr)
	}
	open := filepath.Join(a.dir, "open.key")
	key, _ := os.ReadFile(prefix + ".key")
	if err := os.WriteFile(open, key, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(a.dir, "evidence.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "markdown", "--output", out, "--sign", prefix + ".key"}, "--format json"},
		{[]string{"--sign", prefix + ".key"}, "--sign needs --output"},
		{[]string{"--output", out, "--signature", out + ".sig"}, "--signature needs --sign"},
		{[]string{"--output", out, "--sign", open}, "mode 0644"},
		{[]string{"--output", out, "--sign", prefix + ".pub"}, "this is a public key"},
		{[]string{"verify", out, "--pubkey", prefix + ".pub"}, "evidence.json"},
		{[]string{"verify", a.config, "--pubkey", prefix + ".key"}, "this is a private key"},
	} {
		args := tc.args
		if args[0] != "verify" {
			args = append([]string{"--config", a.config}, args...)
		}
		res := runEvidence(t, a.env, args...)
		if res.code != exitError || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 mentioning %q", tc.args, res.code, res.stderr, tc.want)
		}
		if strings.Contains(res.output(), strings.Split(string(key), "\n")[1]) {
			t.Errorf("%v printed the private key", tc.args)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused --sign wrote the evidence")
	}
}

// writeFile replaces name with b.
func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
