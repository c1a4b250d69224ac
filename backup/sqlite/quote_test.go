package sqlite

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

var quoteCases = []struct{ in, want string }{
	{"/data/app.sqlite3", `"/data/app.sqlite3"`},
	{"/a b/c", `"/a b/c"`},
	{`/it's "x"`, `"/it's \"x\""`},
	{`/back\slash\`, `"/back\\slash\\"`},
	{"/tab\there/new\nline/cr\rx", `"/tab\011here/new\012line/cr\015x"`},
	{"/del\x7f/\x01" + "7", `"/del\177/\0017"`},
	{"/ünï/日本/🚀", `"/ünï/日本/🚀"`},
	{"/glob*?[x]", `"/glob*?[x]"`},
	{"/-leading", `"/-leading"`},
}

func TestDotArg(t *testing.T) {
	for _, c := range quoteCases {
		if got := dotArg(c.in); got != c.want {
			t.Errorf("dotArg(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestDotArgParsedBySqlite3 checks the quoting against sqlite3's own
// dot-command parser: ".print ARG" prints the argument as parsed.
func TestDotArgParsedBySqlite3(t *testing.T) {
	bin := testenv.Tool(t, "sqlite3")
	var script bytes.Buffer
	var want bytes.Buffer
	for _, c := range quoteCases {
		script.WriteString(".print " + dotArg(c.in) + "\n.print ---\n")
		want.WriteString(c.in + "\n---\n")
	}
	cmd := exec.CommandContext(t.Context(), bin, "-batch", "-bail", "-init", "/dev/null", ":memory:")
	cmd.Stdin = &script
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	if !bytes.Equal(out, want.Bytes()) {
		t.Errorf("sqlite3 parsed\n%q\nwant\n%q", out, want.Bytes())
	}
}
