package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// bridgeFixture is an app checkout whose bin/kamal is a fake: it records
// its arguments and runs the command string through sh, as the server
// does, with a fake kamal-backup first in PATH that records its
// arguments, answers "version --json" with the accessory's version and
// otherwise prints "remote: ARGS" and exits with the status in the file
// "exit" of the log directory.
type bridgeFixture struct {
	root, log string
	env       map[string]string
}

func newBridgeFixture(t testing.TB, remoteVersion string) *bridgeFixture {
	t.Helper()
	f := &bridgeFixture{root: t.TempDir(), log: t.TempDir(), env: map[string]string{"PATH": os.Getenv("PATH")}}
	f.write(t, f.root, "config/deploy.yml", "service: app\n")
	f.write(t, f.root, "config/deploy.staging.yml", "")
	f.write(t, f.root, "config/deploy.other.yml", "")
	f.write(t, f.root, "config/deploy.other.staging.yml", "")
	f.write(t, f.root, "bin/kamal", `#!/bin/sh
log='`+f.log+`'
{ printf '%s\000' "$@"; printf '\001'; } >> "$log/kamal.args"
for cmd; do :; done
PATH="$log/remote:$PATH" sh -c "$cmd"
`)
	f.write(t, f.log, "remote/kamal-backup", `#!/bin/sh
log='`+f.log+`'
{ printf '%s\000' "$@"; printf '\001'; } >> "$log/remote.args"
if [ "$*" = "version --json" ]; then
	echo '{"message_type":"version","version":"`+remoteVersion+`"}'
	exit 0
fi
echo "remote: $*"
if [ -f "$log/exit" ]; then exit "$(cat "$log/exit")"; fi
`)
	return f
}

// write writes a file under dir; a script is made executable.
func (f *bridgeFixture) write(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

// run runs the bridge in dir (relative to the checkout).
func (f *bridgeFixture) run(t testing.TB, dir string, terminal bool, args ...string) (handled bool, res result) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	lookup := func(name string) (string, bool) { v, ok := f.env[name]; return v, ok }
	handled, res.code = runBridge(context.Background(), bridgeSetup{dir: filepath.Join(f.root, dir), terminal: terminal},
		args, lookup, strings.NewReader(""), &stdout, &stderr)
	res.stdout, res.stderr = stdout.String(), stderr.String()
	return handled, res
}

// calls returns the argument lists recorded in the log file name.
func (f *bridgeFixture) calls(t testing.TB, name string) [][]string {
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
		args := strings.Split(string(rec), "\x00")
		out = append(out, args[:len(args)-1])
	}
	return out
}

// reset forgets the recorded calls.
func (f *bridgeFixture) reset(t testing.TB) {
	t.Helper()
	for _, name := range []string{"kamal.args", "remote.args"} {
		if err := os.Remove(filepath.Join(f.log, name)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

var versionProbe = []string{"accessory", "exec", "--reuse", "--quiet", "backup", "kamal-backup version --json"}

// TestBridgeRemoteCommands checks the kamal command lines of each remote
// command: the version probe, then the command, with the bridge's flags
// turned into Kamal's wherever they were given.
func TestBridgeRemoteCommands(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	cases := []struct {
		args    []string
		kamal   []string // the options before --reuse
		forward []string
	}{
		{args: []string{"backup"}, forward: []string{"backup"}},
		{args: []string{"backup", "--force"}, forward: []string{"backup", "--force"}},
		{args: []string{"list", "--json"}, forward: []string{"list", "--json"}},
		{args: []string{"check"}, forward: []string{"check"}},
		{args: []string{"unlock"}, forward: []string{"unlock"}},
		{args: []string{"prune"}, forward: []string{"prune"}},
		{args: []string{"evidence", "--format", "markdown"}, forward: []string{"evidence", "--format", "markdown"}},
		{args: []string{"validate"}, forward: []string{"validate"}},
		{args: []string{"-d", "staging", "list"}, kamal: []string{"-d", "staging"}, forward: []string{"list"}},
		{args: []string{"list", "-d", "staging"}, kamal: []string{"-d", "staging"}, forward: []string{"list"}},
		{args: []string{"list", "-dstaging"}, kamal: []string{"-d", "staging"}, forward: []string{"list"}},
		{args: []string{"-qd", "staging", "list"}, kamal: []string{"-d", "staging"}, forward: []string{"-q", "list"}},
		{args: []string{"list", "--destination=staging"}, kamal: []string{"-d", "staging"}, forward: []string{"list"}},
		{args: []string{"-c", "config/deploy.other.yml", "check"}, kamal: []string{"-c", "config/deploy.other.yml"}, forward: []string{"check"}},
		{args: []string{"check", "--config=config/deploy.other.yml"}, kamal: []string{"-c", "config/deploy.other.yml"}, forward: []string{"check"}},
		{args: []string{"check", "--config-file", "config/deploy.other.yml", "-d", "staging"},
			kamal: []string{"-c", "config/deploy.other.yml", "-d", "staging"}, forward: []string{"check"}},
		// -c naming the kamal-backup configuration is the command's own.
		{args: []string{"check", "-c", "config/kamal-backup.yml"}, forward: []string{"check", "-c", "config/kamal-backup.yml"}},
		// A value that looks like a flag stays the value of its flag.
		{args: []string{"-r", "-d", "list"}, forward: []string{"-r", "-d", "list"}},
		{args: []string{"list", "--", "-d", "x"}, forward: []string{"list", "--", "-d", "x"}},
	}
	for _, tc := range cases {
		f.reset(t)
		handled, res := f.run(t, ".", false, tc.args...)
		if !handled || res.code != 0 {
			t.Errorf("%q: handled %v, exit %d\n%s", tc.args, handled, res.code, res.stderr)
			continue
		}
		pre := append(append([]string{"accessory", "exec"}, tc.kamal...), "--reuse", "--quiet", "backup")
		probe := append(slices.Clone(pre), "kamal-backup version --json")
		main := append(slices.Clone(pre), "kamal-backup "+strings.Join(tc.forward, " "))
		if calls := f.calls(t, "kamal.args"); len(calls) != 2 || !slices.Equal(calls[0], probe) || !slices.Equal(calls[1], main) {
			t.Errorf("%q: kamal ran with\n%q\nwant\n%q", tc.args, calls, [][]string{probe, main})
		}
		if want := "remote: " + strings.Join(tc.forward, " ") + "\n"; res.stdout != want {
			t.Errorf("%q: stdout %q, want %q", tc.args, res.stdout, want)
		}
	}
}

func TestBridgeFromSubdirectory(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	f.write(t, f.root, "app/models/x.rb", "")
	if handled, res := f.run(t, "app/models", false, "list"); !handled || res.code != 0 || res.stdout != "remote: list\n" {
		t.Errorf("handled %v, %+v", handled, res)
	}
}

func TestBridgeTrickyArguments(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	pwned := filepath.Join(f.log, "PWNED")
	args := []string{"drill", "production", "--yes", "--check", "psql -c 'select 1; touch " + pwned + "'",
		"--files", "/restore/my files", `--database=a"b$HOME\`, "`touch " + pwned + "`", "$(touch " + pwned + ")", ""}
	handled, res := f.run(t, ".", false, args...)
	if !handled || res.code != 0 {
		t.Fatalf("handled %v, %+v", handled, res)
	}
	remote := f.calls(t, "remote.args")
	if len(remote) != 2 || !slices.Equal(remote[1], args) {
		t.Errorf("the accessory got %q, want %q", remote, args)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Error("a command in an argument ran")
	}
}

func TestBridgeInteractive(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	for _, tc := range []struct {
		args     []string
		terminal bool
		flag     string
	}{
		{[]string{"restore", "production", "latest"}, true, "--interactive"},
		{[]string{"drill", "production", "--database", "scratch"}, true, "--interactive"},
		{[]string{"restore", "production", "--confirm-production-restore"}, false, "--quiet"},
		{[]string{"list"}, true, "--quiet"},
	} {
		f.reset(t)
		handled, res := f.run(t, ".", tc.terminal, tc.args...)
		calls := f.calls(t, "kamal.args")
		want := []string{"accessory", "exec", "--reuse", tc.flag, "backup", "kamal-backup " + strings.Join(tc.args, " ")}
		if !handled || res.code != 0 || len(calls) != 2 || !slices.Equal(calls[1], want) {
			t.Errorf("%q terminal %v: handled %v exit %d, kamal ran with %q, want %q", tc.args, tc.terminal, handled, res.code, calls, want)
		}
		if !slices.Equal(calls[0], versionProbe) {
			t.Errorf("%q: the version probe ran with %q", tc.args, calls[0])
		}
	}
}

func TestBridgeVersionMismatch(t *testing.T) {
	f := newBridgeFixture(t, "9.9.9")
	f.env["RESTIC_PASSWORD"] = "hunter2-secret"
	handled, res := f.run(t, ".", false, "backup", "-d", "staging")
	if !handled || res.code != exitError {
		t.Fatalf("handled %v, exit %d", handled, res.code)
	}
	for _, want := range []string{"kamal-backup here is " + programVersion() + " but the backup accessory runs 9.9.9",
		"bin/kamal accessory reboot backup -d staging", "--skip-version-check"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, res.stderr)
		}
	}
	if calls := f.calls(t, "remote.args"); len(calls) != 1 {
		t.Errorf("the accessory ran %q, want only the version probe", calls)
	}

	f.reset(t)
	handled, res = f.run(t, ".", false, "--skip-version-check", "backup")
	calls := f.calls(t, "kamal.args")
	if !handled || res.code != 0 || len(calls) != 1 || calls[0][len(calls[0])-1] != "kamal-backup backup" {
		t.Errorf("--skip-version-check: handled %v, exit %d, kamal ran %q\n%s", handled, res.code, calls, res.stderr)
	}

	f.reset(t)
	handled, res = f.run(t, ".", false, "--json", "list")
	if !handled || res.code != exitError || !strings.Contains(res.stderr, `"message_type":"exit_error"`) {
		t.Errorf("--json: handled %v, %+v", handled, res)
	}
}

func TestBridgeVersion(t *testing.T) {
	f := newBridgeFixture(t, "9.9.9")
	handled, res := f.run(t, ".", false, "version", "-d", "staging")
	want := "local: " + programVersion() + "\nremote: 9.9.9\nstatus: out of sync\nfix: bin/kamal accessory reboot backup -d staging\n"
	if !handled || res.code != 0 || res.stdout != want {
		t.Errorf("handled %v, exit %d, stdout %q, want %q\n%s", handled, res.code, res.stdout, want, res.stderr)
	}
	f.reset(t)
	handled, res = f.run(t, ".", false, "version", "--json")
	if !handled || res.code != 0 || !strings.Contains(res.stdout, `"version":"9.9.9"`) || len(f.calls(t, "kamal.args")) != 1 {
		t.Errorf("version --json: handled %v, %+v", handled, res)
	}

	g := newBridgeFixture(t, programVersion())
	handled, res = g.run(t, ".", false, "version")
	if want := "local: " + programVersion() + "\nremote: " + programVersion() + "\nstatus: in sync\n"; !handled || res.stdout != want {
		t.Errorf("in sync: handled %v, stdout %q", handled, res.stdout)
	}
}

func TestBridgeExitStatus(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	f.write(t, f.log, "exit", "11")
	handled, res := f.run(t, ".", false, "unlock")
	if !handled || res.code != 11 || strings.Contains(res.stderr, "Fatal") {
		t.Errorf("handled %v, %+v", handled, res)
	}
}

// TestBridgeNotHandled lists what runs here: local commands, help, inside
// the accessory, --no-kamal, outside a checkout.
func TestBridgeNotHandled(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	cases := [][]string{
		{"restore", "local"}, {"restore", "local", "-d", "staging"}, {"drill", "local", "latest"}, {"init"},
		{"schedule"}, {"repo", "snapshots"}, {"repo", "backup", "--stdin"}, {"repo", "check"}, {},
		{"list", "--help"}, {"backup", "-h"}, {"--no-kamal", "backup"}, {"list", "--no-kamal"},
		{"-d"}, {"list", "-d"}, {"restore"}, {"nonsense"},
	}
	for _, args := range cases {
		if handled, res := f.run(t, ".", false, args...); handled {
			t.Errorf("%q was bridged: %+v", args, res)
		}
	}
	f.env["KAMAL_BACKUP_IN_ACCESSORY"] = "1"
	if handled, _ := f.run(t, ".", false, "backup"); handled {
		t.Error("bridged inside the accessory")
	}
	delete(f.env, "KAMAL_BACKUP_IN_ACCESSORY")
	if calls := f.calls(t, "kamal.args"); len(calls) != 0 {
		t.Errorf("kamal ran: %q", calls)
	}

	outside := newBridgeFixture(t, programVersion())
	outside.root = t.TempDir() // no config/deploy.yml
	for _, args := range [][]string{{"backup"}, {"list"}, {"check", "-c", "/etc/kamal-backup.yml"}} {
		if handled, _ := outside.run(t, ".", false, args...); handled {
			t.Errorf("%q bridged outside a checkout", args)
		}
	}
}

func TestBridgeErrors(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	cases := []struct {
		dir  string
		args []string
		want string
	}{
		{".", []string{"list", "-d", "qa"}, "destination qa: kamal deploy file config/deploy.qa.yml not found"},
		{".", []string{"list", "-c", "config/deploy.nope.yml"}, "kamal deploy file config/deploy.nope.yml not found"},
		{".", []string{"list", "--tag", "api_key=abcdef"}, "looks like a secret"},
	}
	for _, tc := range cases {
		handled, res := f.run(t, tc.dir, false, tc.args...)
		if !handled || res.code != exitError || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%q: handled %v, exit %d, stderr %q, want %q", tc.args, handled, res.code, res.stderr, tc.want)
		}
	}
	if calls := f.calls(t, "kamal.args"); len(calls) != 0 {
		t.Errorf("kamal ran before the refusals: %q", calls)
	}

	outside := newBridgeFixture(t, programVersion())
	outside.root = t.TempDir()
	handled, res := outside.run(t, ".", false, "list", "-d", "staging")
	if !handled || res.code != exitError || !strings.Contains(res.stderr, "destination staging: not in a Kamal app checkout") {
		t.Errorf("-d outside a checkout: handled %v, %+v", handled, res)
	}
}

func TestBridgeKamalMissing(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	if err := os.Remove(filepath.Join(f.root, "bin/kamal")); err != nil {
		t.Fatal(err)
	}
	f.env["PATH"] = t.TempDir()
	handled, res := f.run(t, ".", false, "backup")
	if !handled || res.code != exitError {
		t.Fatalf("handled %v, %+v", handled, res)
	}
	for _, want := range []string{"kamal not found", "no executable bin/kamal in " + f.root, "no kamal in PATH", "--no-kamal"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, res.stderr)
		}
	}
	// kamal in PATH serves when there is no binstub.
	f.write(t, f.env["PATH"], "kamal", "#!/bin/sh\nexec '"+f.log+"/fallback' \"$@\"\n")
	f.write(t, f.log, "fallback", "#!/bin/sh\necho '{\"version\":\"9.9.9\"}'\n")
	if handled, res := f.run(t, ".", false, "backup"); !handled || !strings.Contains(res.stderr, "but the backup accessory runs 9.9.9") {
		t.Errorf("kamal from PATH: handled %v, %+v", handled, res)
	}
}

// TestBridgeWorkingDirectory runs bridge itself, which starts from the
// process's working directory.
func TestBridgeWorkingDirectory(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	t.Chdir(f.root)
	lookup := func(name string) (string, bool) { v, ok := f.env[name]; return v, ok }
	var stdout, stderr bytes.Buffer
	handled, code := bridge(t.Context(), []string{"list"}, lookup, strings.NewReader(""), &stdout, &stderr)
	if !handled || code != 0 || stdout.String() != "remote: list\n" {
		t.Errorf("handled %v, exit %d, stdout %q, stderr %q", handled, code, stdout.String(), stderr.String())
	}
}

// TestKamalFlagsEmbed: the bridge's flags fit in the command line, so
// that --help lists them and commands run here accept them.
func TestKamalFlagsEmbed(t *testing.T) {
	var root CLI
	parser, err := kong.New(&root, kong.Name("kamal-backup"), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatalf("CLI with kamalFlags: %v", err)
	}
	if _, err := parser.Parse([]string{"version", "-d", "staging", "--config-file", "config/deploy.yml", "--no-kamal", "--skip-version-check"}); err != nil {
		t.Fatal(err)
	}
	if root.Kamal.Destination != "staging" || !root.Kamal.NoKamal {
		t.Errorf("parsed %+v", root.Kamal)
	}
}

// TestBridgeEvidenceOutput: "evidence -o FILE" writes the file here, from
// what the accessory prints, and leaves it alone when the command fails.
func TestBridgeEvidenceOutput(t *testing.T) {
	f := newBridgeFixture(t, programVersion())
	f.write(t, f.root, "sub/.keep", "")
	for _, args := range [][]string{
		{"evidence", "-o", "out/evidence.json"},
		{"evidence", "--format=markdown", "--output=out/evidence.json"},
		{"evidence", "-oout/evidence.json", "--strict"},
	} {
		if err := os.MkdirAll(filepath.Join(f.root, "sub/out"), 0o755); err != nil {
			t.Fatal(err)
		}
		f.reset(t)
		handled, res := f.run(t, "sub", false, args...)
		if !handled || res.code != 0 || res.stdout != "" {
			t.Fatalf("%q: handled %v, %+v", args, handled, res)
		}
		remote := f.calls(t, "remote.args")
		got, err := os.ReadFile(filepath.Join(f.root, "sub/out/evidence.json"))
		if err != nil || string(got) != "remote: "+strings.Join(remote[1], " ")+"\n" || slices.ContainsFunc(remote[1], func(a string) bool { return strings.HasPrefix(a, "-o") || strings.HasPrefix(a, "--output") }) {
			t.Errorf("%q: file %q, %v; the accessory ran %q", args, got, err, remote)
		}
	}
	f.write(t, f.log, "exit", "1")
	handled, res := f.run(t, "sub", false, "evidence", "-o", "out/evidence.json")
	got, _ := os.ReadFile(filepath.Join(f.root, "sub/out/evidence.json"))
	if !handled || res.code != 1 || !strings.HasPrefix(string(got), "remote: evidence") {
		t.Errorf("failed evidence: handled %v, %+v, file now %q", handled, res, got)
	}
	if entries, _ := os.ReadDir(filepath.Join(f.root, "sub/out")); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
