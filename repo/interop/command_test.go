package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// readOnly are the restic commands run with --no-lock: creating a lock
// costs each command a fifth of a second.
var readOnly = map[string]bool{"snapshots": true, "ls": true, "dump": true, "cat": true, "restore": true}

// command returns a restic command on the repository, unlocked by the
// cheap key unless env overrides RESTIC_PASSWORD; it never uses a cache.
func (rr *resticRepo) command(t testing.TB, env []string, args ...string) *exec.Cmd {
	t.Helper()
	base := []string{"RESTIC_REPOSITORY=" + rr.dir, "RESTIC_PASSWORD=" + cheapPassword,
		"RESTIC_KEY_HINT=" + rr.hint, "RESTIC_PASSWORD_FILE=", "RESTIC_PASSWORD_COMMAND=", "RESTIC_CACHE_DIR="}
	flags := []string{"--no-cache", "--quiet"}
	if len(args) > 0 && readOnly[args[0]] {
		flags = append(flags, "--no-lock")
	}
	return testenv.Command(t, append(base, env...), testRoot, rr.bin, append(flags, args...)...)
}

// output runs restic and returns its standard output, or an error with its
// standard error.
func (rr *resticRepo) output(t testing.TB, stdin io.Reader, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := rr.command(t, env, args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", rr.kind.name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// restic runs restic and fails the test if it fails.
func (rr *resticRepo) restic(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := rr.output(t, nil, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeJSONList decodes a JSON array of objects keeping numbers exact.
func decodeJSONList(data []byte) ([]map[string]any, error) {
	var l []map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("decode %q: %w", data, err)
	}
	return l, nil
}

// decodeJSONLines decodes one JSON object per line keeping numbers exact.
func decodeJSONLines(t testing.TB, data []byte) []map[string]any {
	t.Helper()
	var l []map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("decode restic output: %v\n%s", err, data)
		}
		l = append(l, m)
	}
	return l
}
