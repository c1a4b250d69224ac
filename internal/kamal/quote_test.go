package kamal

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// trickyArgs are arguments a shell would change if they were not quoted.
var trickyArgs = []string{
	"", " ", "two words", "tab\there", "new\nline", `double "quotes"`, "it's", "'", "''",
	"$HOME", "${HOME}", "$(touch PWNED)", "`touch PWNED`", `back\slash`, `\`, `trailing\`,
	"a;touch PWNED", "a|touch PWNED", "a&&touch PWNED", "a>PWNED", "*", "?", "[ab]", "~", "~root",
	"#comment", "!", "-n", "--flag=value", "=", "é ünïcödé", "x'; touch PWNED; echo '",
	`psql -c 'select 1; select 2'`, "\"'\"'$`\\",
}

func TestQuoteExamples(t *testing.T) {
	cases := map[string]string{
		"list":            "list",
		"--json":          "--json",
		"a/b.c:d,e@f%g+h": "a/b.c:d,e@f%g+h",
		"":                `""`,
		"two words":       `"two words"`,
		`say "hi"`:        `"say \"hi\""`,
		"$HOME":           `"\$HOME"`,
		"`x`":             "\"\\`x\\`\"",
		`a\b`:             `"a\\b"`,
		"it's":            `"it$(printf \\047)s"`,
	}
	for in, want := range cases {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestQuoteNeverWritesSingleQuote(t *testing.T) {
	for _, a := range trickyArgs {
		if q := Quote(a); strings.Contains(q, "'") {
			t.Errorf("Quote(%q) = %s contains a single quote", a, q)
		}
	}
}

// TestQuoteThroughShells runs every tricky argument through each POSIX
// shell installed, as the server's shell runs Kamal's docker exec, and
// through the audit line Kamal appends with the command in single quotes.
func TestQuoteThroughShells(t *testing.T) {
	shells := availableShells(t)
	line := Command(trickyArgs)
	for _, sh := range shells {
		t.Run(filepath.Base(sh), func(t *testing.T) {
			dir := t.TempDir()
			got := shellWords(t, sh, dir, line)
			want := append([]string{RemoteProgram}, trickyArgs...)
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("%s split %s into\n%q\nwant\n%q", sh, line, got, want)
			}
			audit := exec.Command(sh, "-c", "echo Executed cmd '"+line+"' on backup accessory >> audit.log")
			audit.Dir = dir
			if out, err := audit.CombinedOutput(); err != nil {
				t.Errorf("audit line failed: %v: %s", err, out)
			}
			if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
				t.Errorf("a command in an argument ran")
			}
		})
	}
}

// FuzzQuote checks that a shell splits Command(args) back into args.
func FuzzQuote(f *testing.F) {
	for _, a := range trickyArgs {
		f.Add(a, "second")
	}
	sh := availableShells(f)[0]
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsRune(a+b, 0) || !utf8.ValidString(a+b) {
			t.Skip("arguments cannot hold NUL")
		}
		got := shellWords(t, sh, dir, Command([]string{a, b}))
		if len(got) != 3 || got[1] != a || got[2] != b {
			t.Errorf("%q %q came back as %q", a, b, got)
		}
		if strings.Contains(Command([]string{a, b}), "'") {
			t.Errorf("single quote in %s", Command([]string{a, b}))
		}
	})
}

// availableShells returns the POSIX shells to test with: sh and, when
// installed, dash and bash.
func availableShells(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, name := range []string{"sh", "dash", "bash"} {
		if p, err := exec.LookPath(name); err == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Skip("no POSIX shell")
	}
	return out
}

// shellWords returns the words sh splits line into, line's first word
// replaced by printf.
func shellWords(t testing.TB, sh, dir, line string) []string {
	t.Helper()
	script := `printf '%s\000'` + strings.TrimPrefix(line, RemoteProgram)
	cmd := exec.Command(sh, "-c", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s -c %s: %v", sh, script, err)
	}
	words := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	return append([]string{RemoteProgram}, words...)
}
