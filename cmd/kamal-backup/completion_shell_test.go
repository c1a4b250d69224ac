package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// shellCompletion is how one shell's test checks the script: the
// syntax-check arguments, and a script (run with the completion script's
// path as $1, in an app checkout, with a fake kamal-backup first in PATH)
// that registers the completion and asks it for "kamal-backup ev" and
// "kamal-backup repo sn".
var shellCompletion = map[string]struct {
	check []string
	drive string
}{
	"bash": {
		check: []string{"-n"},
		// bash runs the command given to complete -C with COMP_LINE and
		// COMP_POINT set and the command, word and previous word as
		// arguments: the same here, through the registered command.
		drive: `source "$1"
spec=$(complete -p kamal-backup) || exit 1
eval "set -- ${spec#complete }"
while [ $# -gt 1 ]; do [ "$1" = -C ] && cmd=$2; shift; done
COMP_LINE="kamal-backup ev" COMP_POINT=15 eval "$cmd kamal-backup ev kamal-backup"
COMP_LINE="kamal-backup repo sn" COMP_POINT=20 eval "$cmd kamal-backup sn repo"`,
	},
	"zsh": {
		check: []string{"-n"},
		// bashcompinit's compgen runs the registered -C command as a
		// completion would; zsh itself sets COMP_LINE and COMP_POINT.
		drive: `source "$1"
w=(${(z)_comps[kamal-backup]})
cmd=${(Q)w[$((${w[(i)-C]}+1))]}
[[ -n $cmd ]] || exit 1
export COMP_LINE="kamal-backup ev" COMP_POINT=15
compgen -C "$cmd" -- ev
export COMP_LINE="kamal-backup repo sn" COMP_POINT=20
compgen -C "$cmd" -- sn`,
	},
	"fish": {
		check: []string{"--no-execute"},
		drive: `source $argv[1]
complete --do-complete "kamal-backup ev"
complete --do-complete "kamal-backup repo sn"`,
	},
}

// TestCompletionScripts prints each shell's completion script, checks
// its syntax with the shell and then completes with it in the real
// shell. A missing shell skips its subtest (fails it in CI).
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for shell, sc := range shellCompletion {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, nil, "", "completion", shell)
			if res.code != 0 || !strings.Contains(res.stdout, "kamal-backup") {
				t.Fatalf("completion %s: exit %d\n%s%s", shell, res.code, res.stdout, res.stderr)
			}
			bin := testenv.Tool(t, shell)
			dir := t.TempDir()
			script := filepath.Join(dir, "kamal-backup."+shell)
			drive := filepath.Join(dir, "drive."+shell)
			writeTestFile(t, script, res.stdout)
			writeTestFile(t, drive, sc.drive)
			testenv.RunTool(t, nil, dir, bin, append(sc.check, script)...)

			_, path := fakeInstall(t)
			app := newBridgeFixture(t, programVersion()) // completion works in an app checkout
			env := []string{"PATH=" + path, "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_DATA_HOME=" + dir}
			args := []string{drive, script}
			switch shell {
			case "zsh":
				args = append([]string{"-f"}, args...)
			case "fish":
				args = append([]string{"--no-config"}, args...)
			}
			out := strings.Fields(string(testenv.RunTool(t, env, app.root, bin, args...)))
			if strings.Join(out, " ") != "evidence snapshots" {
				t.Errorf("%s completed %q, want evidence, then snapshots", shell, out)
			}
			if calls := app.calls(t, "kamal.args"); len(calls) != 0 {
				t.Errorf("bin/kamal ran: %q", calls)
			}
		})
	}
}

// writeTestFile writes text to path.
func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
