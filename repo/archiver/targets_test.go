package archiver

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dumpTargets renders a target tree as "name=fsPath" lines, leaves marked.
func dumpTargets(t *target, indent string, b *strings.Builder) {
	for _, k := range t.sortedKids() {
		mark := ""
		if k.leaf {
			mark = " (leaf)"
		}
		fmt.Fprintf(b, "%s%s=%s %s%s\n", indent, k.name, k.fsPath, k.abs, mark)
		dumpTargets(k, indent+"  ", b)
	}
}

// TestBuildTargets checks the tree shape rules observed with restic 0.18.1:
// relative targets keep only their named components, "." stands for its
// entries, nested targets merge, and a name claimed by two different paths
// gets a -1 suffix.
func TestBuildTargets(t *testing.T) {
	base := t.TempDir()
	first := strings.Split(base, "/")[1] // "tmp" for /tmp/...
	for _, d := range []string{"w/a/data/d", "w/b/data", "w/" + first + "/q"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(filepath.Join(base, "w", "a"))
	w := filepath.Join(base, "w")
	for _, tc := range []struct {
		paths   []string
		want    string
		abs     []string
		missing []string
	}{
		{[]string{"data"}, "data=data W/a/data (leaf)\n", []string{"W/a/data"}, nil},
		{[]string{"./data/"}, "data=data W/a/data (leaf)\n", []string{"W/a/data"}, nil},
		{[]string{"../b/data"}, "b=../b W/b\n  data=../b/data W/b/data (leaf)\n", []string{"W/b/data"}, nil},
		{[]string{"."}, "data=data W/a/data (leaf)\n", []string{"W/a"}, nil},
		{[]string{"data/d", "data"}, "data=data W/a/data (leaf)\n", []string{"W/a/data/d", "W/a/data"}, nil},
		{[]string{"data", "data/d"}, "data=data W/a/data (leaf)\n", []string{"W/a/data", "W/a/data/d"}, nil},
		{[]string{"nope", "data"}, "data=data W/a/data (leaf)\n", []string{"W/a/data"}, []string{"nope"}},
		// Both claim the name of base's first component.
		{[]string{"../" + first + "/q", w + "/b"}, first + "=../" + first + " W/" + first + "\n  q=../" + first + "/q W/" + first + "/q (leaf)\n" +
			first + "-1=/" + first + " /" + first + "\n", []string{"W/" + first + "/q", "W/b"}, nil},
	} {
		root, abs, missing, err := buildTargets(LocalFS{}, tc.paths)
		if err != nil {
			t.Fatalf("%q: %v", tc.paths, err)
		}
		var b strings.Builder
		dumpTargets(root, "", &b)
		got := strings.ReplaceAll(b.String(), w, "W")
		got = got[:min(len(got), len(tc.want))] // only the top of deep trees
		if got != tc.want {
			t.Errorf("%q: tree\n%s\nwant\n%s", tc.paths, got, tc.want)
		}
		want := slices.Clone(tc.abs)
		for i := range want {
			want[i] = strings.Replace(want[i], "W", w, 1)
		}
		if !slices.Equal(abs, want) {
			t.Errorf("%q: paths %q, want %q", tc.paths, abs, want)
		}
		if !slices.Equal(missing, tc.missing) {
			t.Errorf("%q: missing %q, want %q", tc.paths, missing, tc.missing)
		}
	}
	if _, _, missing, err := buildTargets(LocalFS{}, []string{"nope"}); err != nil || len(missing) != 1 {
		t.Errorf("missing only: %v %q", err, missing)
	}
}
