package kamal

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (path relative to dir: content) under dir; a
// content starting with "#!" is made executable.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeKamal is a bin/kamal that records its arguments and working
// directory, appends Kamal's unescaped audit line through sh as Kamal
// does on the server, and runs the command string through sh with a fake
// kamal-backup first in PATH, as docker exec on the server would. The
// fake kamal-backup records its arguments, prints remoteVersion for
// "version --json", and otherwise prints a line to stdout and one to
// stderr and exits with the status in the file "exit" (0 without it).
type fakeKamal struct {
	root string // the checkout
	log  string // where the records go
}

// newFakeCheckout returns a checkout with config/deploy.yml, the extra
// files and a fake bin/kamal whose accessory runs remoteVersion.
// appHost makes the fake print "App Host: ..." before the output, as
// Kamal before 2.6 does even with --quiet.
func newFakeCheckout(t testing.TB, remoteVersion string, appHost bool, files map[string]string) *fakeKamal {
	t.Helper()
	f := &fakeKamal{root: t.TempDir(), log: t.TempDir()}
	host := ""
	if appHost {
		host = "echo 'App Host: 10.0.0.1'\n"
	}
	all := map[string]string{
		"config/deploy.yml": "service: app\n",
		"bin/kamal": `#!/bin/sh
log='` + f.log + `'
{ printf '%s\000' "$@"; printf '\001'; } >> "$log/kamal.args"
pwd > "$log/kamal.pwd"
for cmd; do :; done
sh -c "echo [alice] Executed cmd '$cmd' on backup accessory >> $log/audit.log" || exit 1
` + host + `PATH="$log/remote:$PATH" sh -c "$cmd"
`,
	}
	for k, v := range files {
		all[k] = v
	}
	writeFiles(t, f.root, all)
	writeFiles(t, f.log, map[string]string{"remote/kamal-backup": `#!/bin/sh
log='` + f.log + `'
{ printf '%s\000' "$@"; printf '\001'; } >> "$log/remote.args"
if [ "$*" = "version --json" ]; then
	echo '{"message_type":"version","version":"` + remoteVersion + `","go_version":"go1.26.0"}'
	exit 0
fi
echo "remote out: $1"
echo "remote err: $1" >&2
if [ -f "$log/exit" ]; then exit "$(cat "$log/exit")"; fi
`})
	return f
}

// calls returns the argument lists recorded in file name of the log
// directory, one per run.
func (f *fakeKamal) calls(t testing.TB, name string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.log, name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, rec := range bytes.Split(bytes.TrimSuffix(b, []byte{1}), []byte{1}) {
		args := []string{}
		for _, a := range bytes.Split(rec, []byte{0}) {
			args = append(args, string(a))
		}
		out = append(out, args[:len(args)-1]) // each argument ends with NUL
	}
	return out
}

// setExit makes the fake remote kamal-backup exit with code.
func (f *fakeKamal) setExit(t testing.TB, code string) {
	t.Helper()
	writeFiles(t, f.log, map[string]string{"exit": code})
}

// noEnv is a LookupEnv with an empty environment.
func noEnv(string) (string, bool) { return "", false }

// envOf returns a LookupEnv reading kv ("NAME", "value", ...).
func envOf(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
