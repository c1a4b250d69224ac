package main

import (
	"io"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestEveryCommandHelpHasExamplesAndExitCodes walks the whole command
// tree and requires every command that runs (every leaf, and the root)
// to show in its --help an "Examples:" section with at least one
// "kamal-backup ..." line and an "Exit codes:" section.
func TestEveryCommandHelpHasExamplesAndExitCodes(t *testing.T) {
	t.Parallel()
	parser, err := newParser(&CLI{}, func(string) (string, bool) { return "", false }, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	paths := [][]string{nil}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		leaf := true
		for _, c := range n.Children {
			if c.Type == kong.CommandNode && !c.Hidden {
				leaf = false
				walk(c)
			}
		}
		if leaf && n.Type == kong.CommandNode {
			paths = append(paths, strings.Fields(n.Path()))
		}
	}
	walk(parser.Model.Node)
	if len(paths) < 30 {
		t.Fatalf("found only %d commands: %v", len(paths), paths)
	}
	for _, path := range paths {
		name := strings.Join(append([]string{"kamal-backup"}, path...), " ")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, nil, "", append(path, "--help")...)
			if res.code != 0 {
				t.Fatalf("%s --help: exit %d\n%s", name, res.code, res.stderr)
			}
			if err := checkHelpSections(res.stdout); err != "" {
				t.Errorf("%s --help %s:\n%s", name, err, res.stdout)
			}
		})
	}
}

// checkHelpSections returns what help lacks: an "Examples:" section whose
// lines (from the first that is not blank to the next blank one; kong
// puts a blank line after a heading) include one starting with
// "kamal-backup",
// and an "Exit codes:" section; "" when it has both.
func checkHelpSections(help string) string {
	_, examples, ok := strings.Cut(help, "\nExamples:\n")
	if !ok {
		return `has no "Examples:" section`
	}
	found := false
	for _, l := range strings.Split(strings.TrimLeft(examples, "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			break
		}
		found = found || strings.HasPrefix(l, "kamal-backup ")
	}
	if !found {
		return `has no example line starting with "kamal-backup"`
	}
	if !strings.Contains(help, "\nExit codes:") {
		return `has no "Exit codes:" section`
	}
	return ""
}

func TestCheckHelpSections(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		help string
		ok   bool
	}{
		{"Does it.\n\nExamples:\n  kamal-backup x\n\nExit codes: 0 ok", true},
		{"Does it.\n\nExamples:\n  pg_dump | restic\n\nExit codes: 0 ok", false},
		{"Does it.\n\nExamples:\n  kamal-backup x\n", false},
		{"Does it.\n\nExample:\n  kamal-backup x\n\nExit codes: 0 ok", false},
		{"Does it.\n\nExamples:\n\n  kamal-backup x\n\nExit codes: 0 ok", true},
		{"Does it.\n\nExamples:\n  pg_dump\n\n  kamal-backup x\n\nExit codes: 0 ok", false},
	} {
		if got := checkHelpSections(tc.help) == ""; got != tc.ok {
			t.Errorf("checkHelpSections(%q) ok = %v, want %v", tc.help, got, tc.ok)
		}
	}
}
