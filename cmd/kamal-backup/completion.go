package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"
)

// completionCmd prints the script that makes a shell complete
// kamal-backup's commands and flags.
type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: bash, zsh or fish."`
}

// Help is the detailed help of "completion".
func (c *completionCmd) Help() string {
	return `Prints a script that makes the shell complete kamal-backup's commands,
subcommands and flags (and file names where no command or flag fits). The
script asks kamal-backup itself for the candidates, so it stays right
across upgrades; kamal-backup must be in PATH.

Examples:
  kamal-backup completion bash > /etc/bash_completion.d/kamal-backup
  echo 'source <(kamal-backup completion bash)' >> ~/.bashrc
  echo 'source <(kamal-backup completion zsh)' >> ~/.zshrc
  kamal-backup completion fish > ~/.config/fish/completions/kamal-backup.fish

Exit codes: 0 printed; 1 error.`
}

// Run prints the script for the shell.
func (c *completionCmd) Run(g *Globals) error {
	_, err := io.WriteString(g.stdout, completionScripts[c.Shell])
	return err
}

// completionScripts are the scripts "completion" prints. Each runs
// kamal-backup with COMP_LINE (and, from bash and zsh, COMP_POINT) set,
// which run answers with completeLine; zsh and fish also set
// completionShellEnv.
var completionScripts = map[string]string{
	"bash": `# bash completion for kamal-backup: source <(kamal-backup completion bash)
complete -o default -C kamal-backup kamal-backup
`,
	"zsh": `# zsh completion for kamal-backup: source <(kamal-backup completion zsh)
# in ~/.zshrc. It uses zsh's emulation of bash's "complete -C".
if ! (( $+functions[compdef] )); then
  autoload -U +X compinit && compinit
fi
autoload -U +X bashcompinit && bashcompinit
_kamal_backup_candidates() { KAMAL_BACKUP_COMPLETION=zsh command kamal-backup "$@"; }
complete -o default -C _kamal_backup_candidates kamal-backup
`,
	"fish": `# fish completion for kamal-backup: save as
# ~/.config/fish/completions/kamal-backup.fish
function __kamal_backup_complete
    set -l line (commandline --cut-at-cursor --current-process)
    set -l token (commandline --cut-at-cursor --current-token)
    # An empty current token means the line ends with a space, which the
    # command substitution above has dropped.
    if test -z "$token"
        set line "$line "
    end
    set -l candidates (COMP_LINE="$line" KAMAL_BACKUP_COMPLETION=fish command kamal-backup)
    if test (count $candidates) -eq 0
        __fish_complete_path "$token"
    else
        printf '%s\n' $candidates
    end
end
complete --command kamal-backup --no-files --arguments '(__kamal_backup_complete)'
`,
}

// completionShellEnv names the shell asking for completions, when it is
// zsh or fish. Unlike bash, they replace the whole word being typed, so
// the value candidates of a "--flag=value" word keep their "--flag=".
const completionShellEnv = "KAMAL_BACKUP_COMPLETION"

// completeLine answers a shell's completion request: line is the command
// line (COMP_LINE), cut at COMP_POINT when env has it. It prints the
// commands, flags and flag values that fit the word being typed, one a
// line, sorted.
func completeLine(line string, env func(string) (string, bool), stdout, stderr io.Writer) int {
	if p, ok := env("COMP_POINT"); ok {
		if n, err := strconv.Atoi(p); err == nil && n >= 0 && n < len(line) {
			line = line[:n]
		}
	}
	parser, err := newParser(&CLI{}, env, io.Discard, io.Discard)
	if err == nil {
		var cmd complete.Command
		cmd, err = kongplete.Command(parser)
		if err == nil {
			withDefaultCommands(parser.Model.Node, cmd)
			args, flag := completionArgs(line)
			if sh, _ := env(completionShellEnv); sh != "zsh" && sh != "fish" {
				flag = ""
			}
			var out []string
			for _, c := range cmd.Predict(args) {
				if strings.HasPrefix(c, args.Last) {
					out = append(out, flag+c)
				}
			}
			slices.Sort(out)
			for _, c := range slices.Compact(out) {
				fmt.Fprintln(stdout, c)
			}
			return exitOK
		}
	}
	fmt.Fprintf(stderr, "Fatal: completion: %v\n", err)
	return exitError
}

// withDefaultCommands gives a command with a default subcommand (such as
// "evidence", whose default is "report") the flags of that subcommand,
// since they may follow the command itself.
func withDefaultCommands(node *kong.Node, cmd complete.Command) {
	for _, child := range node.Children {
		if sub, ok := cmd.Sub[child.Name]; ok {
			withDefaultCommands(child, sub)
		}
	}
	if node.DefaultCmd == nil {
		return
	}
	def, ok := cmd.Sub[node.DefaultCmd.Name]
	if !ok {
		return
	}
	for name, p := range def.GlobalFlags {
		if _, ok := cmd.GlobalFlags[name]; !ok {
			cmd.GlobalFlags[name] = p
		}
	}
}

// completionArgs splits a command line into the words after the program
// name; the last one is the word being typed, empty when the line ends
// with a space. A flag typed as --name=value is split at "=", so that its
// value is completed; flag is then "--name=".
func completionArgs(line string) (a complete.Args, flag string) {
	words := strings.Fields(line)
	if line == "" || unicode.IsSpace(rune(line[len(line)-1])) {
		words = append(words, "")
	}
	if len(words) > 0 {
		words = words[1:]
	}
	if n := len(words); n > 0 && strings.HasPrefix(words[n-1], "-") {
		if name, value, ok := strings.Cut(words[n-1], "="); ok {
			words, flag = append(words[:n-1], name, value), name+"="
		}
	}
	a.All = words
	if n := len(words); n > 0 {
		a.Completed, a.Last = words[:n-1], words[n-1]
	} else {
		a.Completed = words
	}
	if n := len(a.Completed); n > 0 {
		a.LastCompleted = a.Completed[n-1]
	}
	return a, flag
}
